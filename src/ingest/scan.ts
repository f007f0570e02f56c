/**
 * One pass over delimited UTF-8 text that finds what DuckDB's reader does not report: where each record starts
 * (blank lines and quoted values spanning lines shift the line numbers), a quoted value that never closes (DuckDB
 * swallows the rest of the file into it), rows with more values than the header, and a last row cut short.
 */

export interface Dialect {
  /** One ASCII character. */
  delimiter: string;
  /** One ASCII character, or '' for none. */
  quote: string;
  /** The quote itself (RFC 4180 doubling), a backslash, or ''. */
  escape: string;
}

export interface TextScan {
  /** Records (non-blank lines outside quoted values start one), the header included. */
  records: number;
  /** The line each record starts on (1-based); null when every record is one line with no blank lines between. */
  lines: Int32Array<ArrayBuffer> | null;
  /** Values up to the last non-empty one, per record (a trailing empty value does not count). */
  used: Int32Array<ArrayBuffer>;
  /** Values in the first record (the header, when there is one). */
  firstWidth: number;
  /** Values in the last record, and whether the text ends with a line break. */
  lastWidth: number;
  endsWithNewline: boolean;
  /** The line on which a quoted value opens that is still open at the end of the text. */
  unclosedQuoteLine?: number;
}

const NL = 10;
const CR = 13;

function grow(a: Int32Array<ArrayBuffer>, n: number): Int32Array<ArrayBuffer> {
  if (n < a.length) return a;
  const b = new Int32Array(a.length * 2);
  b.set(a);
  return b;
}

/**
 * Scan `bytes` (UTF-8) with the dialect DuckDB's sniffer chose. Multi-byte characters never contain ASCII bytes, so a
 * byte loop is exact. It runs over every byte of files of hundreds of megabytes: bytes that cannot change the state
 * (most of them) are skipped in tight inner loops, which about halves the time of testing each byte in turn.
 */
export function scanDelimited(bytes: Uint8Array, dialect: Dialect): TextScan {
  const delim = dialect.delimiter.charCodeAt(0);
  const quote = dialect.quote ? dialect.quote.charCodeAt(0) : -1;
  const escape = dialect.escape ? dialect.escape.charCodeAt(0) : -1;
  let lines = new Int32Array(1024);
  let used = new Int32Array(1024);
  let records = 0;
  let contiguous = true;
  let line = 1;
  let inQuotes = false;
  let quoteLine = 0;
  let inRecord = false;
  let fieldStart = true;
  let fields = 0; // values finished in this record
  let lastUsed = 0;
  let fieldHasText = false;
  let firstWidth = 0;
  let lastWidth = 0;

  // Bytes that change the state outside quoted values (1) and inside them (2); runs of other bytes are skipped at once.
  const special = new Uint8Array(256);
  for (const c of [delim, quote, NL, CR]) if (c >= 0) special[c] |= 1;
  for (const c of [quote, escape, NL]) if (c >= 0) special[c] |= 2;

  const n = bytes.length;
  // i === n stands for a line break after the last byte, so that an unterminated last record ends like the others.
  for (let i = 0; i <= n; i++) {
    const b = i < n ? bytes[i] : NL;
    if (inQuotes && i < n) {
      if ((special[b] & 2) === 0) {
        while (i + 1 < n && (special[bytes[i + 1]] & 2) === 0) i++;
      } else if (b === escape && escape !== quote) {
        i++;
        if (bytes[i] === NL) line++;
        if (i >= n) i = n - 1; // an escape as the last byte: the end still closes the record
      } else if (b === quote) {
        if (escape === quote && bytes[i + 1] === quote) i++;
        else inQuotes = false;
      } else if (b === NL) line++;
      continue;
    }
    if (b === NL || b === CR) {
      if (b === CR && bytes[i + 1] === NL) i++;
      if (inRecord) {
        const width = fields + 1;
        if (records === used.length) used = grow(used, records);
        used[records] = fieldHasText ? width : lastUsed;
        if (records === 0) firstWidth = width;
        lastWidth = width;
        records++;
        inRecord = false;
      }
      line++;
      continue;
    }
    if (!inRecord) {
      inRecord = true;
      if (records === lines.length) lines = grow(lines, records);
      lines[records] = line;
      if (line !== records + 1) contiguous = false;
      fields = 0;
      lastUsed = 0;
      fieldHasText = false;
      fieldStart = true;
    }
    if (b === delim) {
      if (fieldHasText) lastUsed = fields + 1;
      fields++;
      fieldStart = true;
      fieldHasText = false;
      continue;
    }
    if (b === quote && fieldStart) {
      inQuotes = true;
      quoteLine = line;
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
    firstWidth,
    lastWidth,
    endsWithNewline: last === NL || last === CR,
    ...(inQuotes ? { unclosedQuoteLine: quoteLine } : {}),
  };
}
