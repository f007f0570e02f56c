/**
 * One pass over delimited UTF-8 text that finds what DuckDB's reader does not report: where each record starts
 * (blank lines and quoted values spanning lines shift the line numbers), how many values each has, the records the
 * dialect cannot read (a closing quote followed by more text, a quote that is never closed, a record over the
 * reader's size limit), the kinds of line break used, and a last row cut short.
 */

export interface Dialect {
  /** One ASCII character, or a few (e.g. ", "). */
  delimiter: string;
  /** One ASCII character, or '' for none. */
  quote: string;
  /** The quote itself (RFC 4180 doubling), a backslash, or ''. */
  escape: string;
}

/** Why a record cannot be read with the dialect. */
export type ScanFault = 'quote' | 'unclosed_quote' | 'too_long';

export interface TextScan {
  /** Records (non-blank lines outside quoted values start one), the header included. */
  records: number;
  /** The line each record starts on (1-based); null when every record is one line with no blank lines between. */
  lines: Int32Array<ArrayBuffer> | null;
  /** Values up to the last non-empty one, per record (a trailing empty value does not count). */
  used: Int32Array<ArrayBuffer>;
  /** Values per record, empty ones included. */
  width: Int32Array<ArrayBuffer>;
  /** The byte offset each record starts at. */
  starts: Uint32Array<ArrayBuffer>;
  /** Values in the first record (the header, when there is one). */
  firstWidth: number;
  /** Values in the last record, and whether the text ends with a line break. */
  lastWidth: number;
  endsWithNewline: boolean;
  /** The line on which a quoted value opens that is still open at the end of the text, when that is the last record. */
  unclosedQuoteLine?: number;
  /** Records the dialect cannot read, in order, with the reason; the scan goes on from the line after their first. */
  faults: { record: number; reason: ScanFault }[];
  /** True when the scan stopped early because more than `maxFaults` records could not be read. */
  aborted: boolean;
  /** Line breaks outside quoted values: CR LF, LF alone, CR alone. */
  breaks: { crlf: number; lf: number; cr: number };
}

/** DuckDB's reader refuses a line longer than this (its max_line_size). */
export const MAX_RECORD_BYTES = 2_000_000;

const NL = 10;
const CR = 13;

function grow<T extends Int32Array<ArrayBuffer> | Uint32Array<ArrayBuffer>>(a: T, n: number): T {
  if (n < a.length) return a;
  const b = new (a.constructor as new (n: number) => T)(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Scan `bytes` (UTF-8) with `dialect`. Multi-byte characters never contain ASCII bytes, so a byte loop is exact. It
 * runs over every byte of files of hundreds of megabytes: bytes that cannot change the state (most of them) are
 * skipped in tight inner loops, which about halves the time of testing each byte in turn.
 *
 * A record the dialect cannot read is marked and the scan starts again on the line after the one it started on: a
 * stray quote then costs its own line, not the rest of the file. After `maxFaults` such records the scan stops.
 */
export function scanDelimited(bytes: Uint8Array, dialect: Dialect, maxFaults = Infinity): TextScan {
  const delim = dialect.delimiter.charCodeAt(0);
  const delimRest = Array.from(dialect.delimiter.slice(1), (c) => c.charCodeAt(0));
  const quote = dialect.quote ? dialect.quote.charCodeAt(0) : -1;
  const escape = dialect.escape ? dialect.escape.charCodeAt(0) : -1;
  let lines = new Int32Array(1024);
  let used = new Int32Array(1024);
  let width = new Int32Array(1024);
  let starts = new Uint32Array(1024);
  const faults: TextScan['faults'] = [];
  const breaks = { crlf: 0, lf: 0, cr: 0 };
  let records = 0;
  let contiguous = true;
  let line = 1;
  let inQuotes = false;
  let inRecord = false;
  let fieldStart = true;
  let fields = 0; // values finished in this record
  let lastUsed = 0;
  let fieldHasText = false;
  let firstWidth = 0;
  let lastWidth = 0;
  let fault: ScanFault | null = null;
  let unclosedQuoteLine: number | undefined;
  let aborted = false;

  // Bytes that change the state outside quoted values (1) and inside them (2); runs of other bytes are skipped at once.
  const special = new Uint8Array(256);
  for (const c of [delim, quote, NL, CR]) if (c >= 0) special[c] |= 1;
  for (const c of [quote, escape, NL]) if (c >= 0) special[c] |= 2;
  const n = bytes.length;
  const isDelim = (i: number) => bytes[i] === delim && delimRest.every((c, k) => bytes[i + 1 + k] === c);

  /** Give up on the current record: end it at the end of its first line, and carry on from there. */
  const resync = (reason: ScanFault): number => {
    fault = reason;
    inQuotes = false;
    line = lines[records];
    let j = starts[records];
    while (j < n && bytes[j] !== NL && bytes[j] !== CR) j++;
    return j - 1; // the loop's i++ lands on the line break, which ends the record
  };

  // i === n stands for a line break after the last byte, so that an unterminated last record ends like the others.
  for (let i = 0; i <= n; i++) {
    const b = i < n ? bytes[i] : NL;
    if (inQuotes) {
      if (i === n) {
        // A quote never closed: the record it opens cannot be read.
        const first = starts[records];
        let j = first;
        while (j < n && bytes[j] !== NL && bytes[j] !== CR) j++;
        if (j >= n) unclosedQuoteLine = lines[records];
        i = resync('unclosed_quote');
        continue;
      }
      if ((special[b] & 2) === 0) {
        while (i + 1 < n && (special[bytes[i + 1]] & 2) === 0) i++;
      } else if (b === escape && escape !== quote) {
        i++;
        if (bytes[i] === NL) line++;
        if (i >= n) i = n - 1; // an escape as the last byte: the end still closes the record
      } else if (b === quote) {
        if (escape === quote && bytes[i + 1] === quote) i++;
        else {
          inQuotes = false;
          // After a closing quote comes a separator or the end of the record; anything else is a stray quote.
          const next = i + 1 < n ? bytes[i + 1] : NL;
          if (next !== NL && next !== CR && !isDelim(i + 1)) i = resync('quote');
        }
      } else if (b === NL) line++;
      continue;
    }
    if (b === NL || b === CR) {
      if (b === CR && bytes[i + 1] === NL) {
        i++;
        breaks.crlf++;
      } else if (i < n) {
        if (b === NL) breaks.lf++;
        else breaks.cr++;
      }
      if (inRecord) {
        const w = fields + 1;
        if (records === used.length) {
          used = grow(used, records);
          width = grow(width, records);
        }
        used[records] = fieldHasText ? w : lastUsed;
        width[records] = w;
        if (fault === null && i - starts[records] > MAX_RECORD_BYTES) fault = 'too_long';
        if (fault !== null) {
          faults.push({ record: records, reason: fault });
          fault = null;
          if (faults.length > maxFaults) {
            aborted = true;
            records++;
            break;
          }
        }
        if (records === 0) firstWidth = w;
        lastWidth = w;
        records++;
        inRecord = false;
      }
      line++;
      continue;
    }
    if (!inRecord) {
      inRecord = true;
      if (records === lines.length) {
        lines = grow(lines, records);
        starts = grow(starts, records);
      }
      lines[records] = line;
      starts[records] = i;
      if (line !== records + 1) contiguous = false;
      fields = 0;
      lastUsed = 0;
      fieldHasText = false;
      fieldStart = true;
    }
    if (b === delim && (delimRest.length === 0 || isDelim(i))) {
      i += delimRest.length;
      if (fieldHasText) lastUsed = fields + 1;
      fields++;
      fieldStart = true;
      fieldHasText = false;
      continue;
    }
    if (b === quote && fieldStart) {
      inQuotes = true;
    } else {
      while (i + 1 < n && (special[bytes[i + 1]] & 1) === 0) i++;
    }
    fieldStart = false;
    fieldHasText = true;
  }
  const last = n > 0 ? bytes[n - 1] : NL;
  return {
    records,
    lines: contiguous ? null : lines.subarray(0, records),
    used: used.subarray(0, records),
    width: width.subarray(0, records),
    starts: starts.subarray(0, records),
    firstWidth,
    lastWidth,
    endsWithNewline: last === NL || last === CR,
    faults,
    aborted,
    breaks,
    ...(unclosedQuoteLine !== undefined ? { unclosedQuoteLine } : {}),
  };
}

/** The line each record starts on. */
export function lineOf(scan: TextScan, record: number): number {
  return scan.lines ? scan.lines[record] : record + 1;
}
