/** Load one source file into a raw DuckDB table of text columns, whatever its format and encoding. */
import { makeVector, Table, tableToIPC } from 'apache-arrow';
import { ident, lit, one, rows, type Db } from '../db/db.ts';
import { InputError, sniff, type Encoding, type Format } from './sniff.ts';
import { lineOf, MAX_RECORD_BYTES, scanDelimited, type Dialect, type ScanFault, type TextScan } from './scan.ts';
import { toUtf8 } from './transcode.ts';
import { decoders, parquetIpcStreams } from './decoders.ts';

export interface RawSource {
  file: string;
  /** DuckDB table holding the rows as text, in file order; `__line` is the line in the file. */
  table: string;
  format: Format;
  encoding: Encoding;
  header: boolean;
  columns: string[];
  rows: number;
  /** For XLSX: the sheets in the workbook and the one read. */
  sheets?: string[];
  sheet?: string;
  notes: SourceNote[];
  /** Records of a delimited file that could not be read like the others: left out of the table, counted here. */
  unreadable: UnreadableRows;
}

/** Rows left out because the file's dialect cannot read them: how many, and the first few with their line and text. */
export interface UnreadableRows {
  count: number;
  examples: UnreadableRow[];
}

export interface UnreadableRow {
  /** The line the record starts on. */
  line: number;
  /** Its text as written (the first line, at most 200 characters). */
  text: string;
  reason: ScanFault | 'ragged' | 'short' | 'reader';
}

/** How the file was read, beyond format and encoding, for the sources panel (said in the user's language there). */
export interface SourceNote {
  code: 'delimiter' | 'delimiter_tab' | 'whitespace' | 'no_header' | 'baskets' | 'title_rows';
  value?: string | number;
}

export interface ReadOptions {
  sheet?: string;
  onProgress?: (phase: string, fraction: number) => void;
}

/**
 * A file on disk, read in parts (the headless command): where the engine reads files by path (`Db.registerPath`), the
 * usual delimited file is read by DuckDB from disk and only its first lines come into memory; see `readFromDisk`.
 */
export interface DiskFile {
  path: string;
  size: number;
  /** Fill `into` with the file's bytes from `offset` on; returns how many were read (fewer only at its end). */
  read(into: Uint8Array, offset: number): number;
}

/** Read `source` (the bytes of `file`, or the file on disk) into table `table` (replacing it). */
export async function readSource(db: Db, file: string, source: Uint8Array | DiskFile, table: string, opts: ReadOptions = {}): Promise<RawSource> {
  let bytes: Uint8Array;
  // Bytes are told from a file by shape, not by class: bytes made in another realm (a worker's message) are no instance here.
  if (!('path' in source)) bytes = source;
  else {
    const read = await readFromDisk(db, file, source, table);
    if (read) return read;
    bytes = readAll(source);
  }
  const sniffed = sniff(file, bytes);
  const base = { file, table, format: sniffed.format, encoding: sniffed.encoding, notes: [] as SourceNote[] };
  if (sniffed.format === 'parquet') return readParquet(db, file, bytes, base);
  if (sniffed.format in decoders) {
    const decoded = await decoders[sniffed.format as keyof typeof decoders](file, bytes, { sheet: opts.sheet, encoding: sniffed.encoding, bom: sniffed.bom });
    const arrow = table + '__arrow';
    await db.query(`DROP TABLE IF EXISTS ${ident(table)}`);
    await db.insertArrow(arrow, decoded.ipc);
    // XLSX and JSON decoders number their records (sheet row, file line); Parquet records are numbered the way a
    // grid shows the table, column names on row 1.
    const numbered = (await rows(db, `SELECT 1 FROM (DESCRIBE ${ident(arrow)}) WHERE column_name = '__line'`)).length > 0;
    await db.query(`CREATE TABLE ${ident(table)} AS
      SELECT ${numbered ? '__line::BIGINT AS __line, COLUMNS(* EXCLUDE (__line))::VARCHAR' : 'row_number() OVER () + 1 AS __line, COLUMNS(*)::VARCHAR'} FROM ${ident(arrow)};
      DROP TABLE ${ident(arrow)}`);
    if (decoded.titleRows) base.notes.push({ code: 'title_rows', value: decoded.titleRows });
    return finish(db, { ...base, header: sniffed.format === 'xlsx' || sniffed.format === 'xls', sheets: decoded.sheets, sheet: decoded.sheet });
  }
  const utf8 = toUtf8(bytes, sniffed.encoding, sniffed.bom, (f) => opts.onProgress?.('decode', f));
  const name = `${table}.src`;
  await db.registerFile(name, utf8);
  try {
    await db.query(`DROP TABLE IF EXISTS ${ident(table)}`);
    if (sniffed.format === 'csv') return await readDelimited(db, name, base, utf8);
    if (sniffed.format === 'whitespace') return await readWhitespace(db, name, base, sniffed.header ?? false, utf8);
    return await readBaskets(db, name, base);
  } finally {
    await db.dropFile(name);
  }
}

type Base = Omit<RawSource, 'columns' | 'rows' | 'header' | 'unreadable'>;

/**
 * Parquet, one record batch at a time: each batch goes into DuckDB as a small table and is appended to the raw table as
 * text, so memory holds one batch's Arrow data besides the table (the whole file as one Arrow stream, copied into the
 * WebAssembly heap, would not fit at millions of rows). Records are numbered the way a grid shows the table, column
 * names on row 1.
 *
 * Appends count towards DuckDB's automatic checkpoint, which compresses every table of the database each time another
 * 16 MiB have been appended: slow, and repeated over a growing table. It is held off while the batches go in.
 */
async function readParquet(db: Db, file: string, bytes: Uint8Array, base: Base): Promise<RawSource> {
  const target = ident(base.table);
  const batch = base.table + '__batch';
  await db.query(`DROP TABLE IF EXISTS ${target}`);
  const { threshold } = await one<{ threshold: string }>(db, `SELECT current_setting('checkpoint_threshold') AS threshold`);
  await db.query(`SET checkpoint_threshold = '1000 GiB'`);
  let lines = 1;
  try {
    for await (const ipc of parquetIpcStreams(file, bytes)) {
      await db.query(`DROP TABLE IF EXISTS ${ident(batch)}`);
      await db.insertArrow(batch, ipc);
      const text = `SELECT row_number() OVER () + ${lines} AS __line, COLUMNS(*)::VARCHAR FROM ${ident(batch)}`;
      await db.query(lines === 1 ? `CREATE TABLE ${target} AS ${text}` : `INSERT INTO ${target} ${text}`);
      lines += (await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM ${ident(batch)}`)).n;
    }
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${ident(batch)}; SET checkpoint_threshold = ${lit(threshold)}`);
  }
  return finish(db, { ...base, header: false });
}

function linesOf(name: string): string {
  return `read_csv(${lit(name)}, columns={'line': 'VARCHAR'}, delim='\\0', quote='', escape='', header=false, auto_detect=false)`;
}

/** Sniffer options: tolerant, so that a file with a few odd rows still gets its dialect detected. */
const SNIFF_OPTIONS = 'null_padding=true, strict_mode=false, sample_size=20480';

interface Sniff {
  Delimiter: string;
  Quote: string;
  Escape: string;
  HasHeader: boolean;
  Columns: ArrayLike<{ name: string }>;
}

/** How a dialect reads the text: where the table starts, how wide it is, and the records it cannot read. */
interface Plan {
  dialect: Dialect;
  scan: TextScan;
  /** The first record of the table (records above it are title lines). */
  top: number;
  /** Values per row: those of the first record of the table. */
  expected: number;
  /** Records that cannot be read like the others, by index, with why. */
  bad: Map<number, UnreadableRow['reason']>;
  /** Records below the top one. */
  below: number;
}

/** At most this many rows are left out as unreadable, or this share of the rows: more, and the dialect must be wrong. */
const TOLERATED_ROWS = 5;
const TOLERATED_SHARE = 0.1;
const tolerated = (bad: number, rows: number) => bad <= Math.max(TOLERATED_ROWS, Math.floor(rows * TOLERATED_SHARE)) && bad < rows;

/**
 * Delimited text: DuckDB's sniffer picks the delimiter and header; a scan of the bytes checks each record against
 * that dialect. When every record fits (the usual case) the reader runs once with the dialect fixed, strict, rejected
 * rows recorded. Otherwise other dialects are tried (the separators and quotes files use), the one that reads the
 * most records is taken, and the few records it still cannot read (a stray quote, extra values, a line past the
 * reader's limit) are left out of the table and listed with their line and text; title lines above the header are
 * skipped. A file is refused only when too many records fail for any dialect.
 */
async function readDelimited(db: Db, name: string, base: Base, input: Uint8Array): Promise<RawSource> {
  let utf8 = input;
  const { s, sniffError, guess, head } = await sniffDialect(db, name, base, utf8);
  if (s) {
    const quick = await readQuick(db, name, base, utf8, head, s, guess, () => lineBreaks(utf8));
    if (quick) return quick;
  }
  let scan = scanDelimited(utf8, guess);
  // Lines ending in CR LF and others in LF alone (a file edited by two programs): the reader takes one kind per file.
  const kinds = [scan.breaks.crlf, scan.breaks.lf, scan.breaks.cr].filter((k) => k > 0).length;
  let file = name;
  if (kinds > 1) {
    utf8 = oneLineBreak(utf8);
    file = `${base.table}.lf`;
    await db.registerFile(file, utf8);
    scan = scanDelimited(utf8, guess);
  }
  try {
    let plan = planOf(guess, scan);
    // A file that ends inside a quoted value was cut off: rows may be missing.
    if (scan.unclosedQuoteLine !== undefined && !scan.endsWithNewline) throw new InputError(base.file, 'unclosed_quote', { line: scan.unclosedQuoteLine });
    if (s && clean(plan)) {
      const read = await readStrict(db, file, base, s, plan);
      if (read) return read;
    } else plan = bestPlan(utf8, plan);
    // A file that ends in the middle of its last row was cut off too.
    const cut = plan.scan;
    const last = cut.records - 1;
    if (!cut.endsWithNewline && last > plan.top && !plan.bad.has(last) && cut.width[last] < plan.expected)
      throw new InputError(base.file, 'truncated', { line: lineOf(cut, last), found: cut.width[last], expected: plan.expected });
    if (!tolerated(plan.bad.size, plan.below)) {
      if (!s && plan.bad.size === 0) throw new InputError(base.file, 'unreadable_table', { reason: csvReason(sniffError) });
      const [first, reason] = plan.bad.entries().next().value!;
      throw new InputError(base.file, 'dialect', { line: lineOf(plan.scan, first), fault: reason, count: plan.bad.size, rows: plan.below });
    }
    return await readTolerant(db, file, base, utf8, plan);
  } finally {
    if (file !== name) await db.dropFile(file);
  }
}

/**
 * DuckDB's sniffer on the file's first lines (`utf8` holds at least those: the whole text, or its first 20,480 lines and
 * 256 KiB), and the dialect taken from it (`chooseDialect`; a default when the sniffer fails). The sniffer reads the
 * first lines only; lines past the reader's limit are left out of them (it takes a minute over each): `head` is what it
 * read, `utf8` itself when no line was left out.
 */
async function sniffDialect(db: Db, name: string, base: Base, utf8: Uint8Array): Promise<{ s?: Sniff; sniffError?: unknown; guess: Dialect; head: Uint8Array }> {
  let s: Sniff | undefined;
  let sniffError: unknown;
  const head = sniffSample(utf8);
  const sampleFile = head === utf8 ? name : `${base.table}.head`;
  if (head !== utf8) await db.registerFile(sampleFile, head);
  try {
    s = await one<Sniff>(db, `SELECT Delimiter, Quote, Escape, HasHeader, Columns FROM sniff_csv(${lit(sampleFile)}, ${SNIFF_OPTIONS})`);
  } catch (e) {
    sniffError = e;
  } finally {
    if (head !== utf8) await db.dropFile(sampleFile);
  }
  const guess = s ? chooseDialect(s, utf8) : { delimiter: ',', quote: '"', escape: '"' };
  return { s, sniffError, guess, head };
}

/** Bytes read from disk before the file is recognised: at least the sniffer's (sniff.ts) 256 KiB head and 20,480 lines. */
const DISK_HEAD_BYTES = 256 * 1024;
const DISK_HEAD_LINES = 20_480;
/** A file whose first lines are longer than this together is read whole instead. */
const DISK_HEAD_LIMIT = 64 * 1024 * 1024;
const DISK_BLOCK = 4 * 1024 * 1024;

/**
 * The quick path (`readQuick`) for a file on disk, on an engine that reads files by path: the file is not copied into
 * memory. Only its first lines are read (what `sniff`, the sniffer and the sample scan look at, as they would in the
 * whole text), its line breaks are counted a block at a time, and DuckDB reads the file itself. The same table and
 * lines as reading the whole text; undefined whenever that text would not take the quick path (another format, an
 * encoding other than UTF-8 or a BOM, anything `readQuick` declines): then the caller reads the whole file.
 */
async function readFromDisk(db: Db, file: string, disk: DiskFile, table: string): Promise<RawSource | undefined> {
  if (!db.registerPath || disk.size === 0) return undefined;
  const prefix = firstLines(disk);
  if (!prefix) return undefined;
  let sniffed: ReturnType<typeof sniff>;
  try {
    sniffed = sniff(file, prefix);
  } catch {
    return undefined;
  }
  if (sniffed.format !== 'csv' || sniffed.encoding !== 'utf-8' || sniffed.bom) return undefined;
  const base: Base = { file, table, format: sniffed.format, encoding: sniffed.encoding, notes: [] };
  const name = `${table}.src`;
  await db.registerPath(name, disk.path);
  try {
    await db.query(`DROP TABLE IF EXISTS ${ident(table)}`);
    const { s, guess, head } = await sniffDialect(db, name, base, prefix);
    if (!s) return undefined;
    return await readQuick(db, name, base, prefix, head, s, guess, () => diskLineBreaks(disk));
  } finally {
    await db.dropFile(name);
  }
}

/** The file's first bytes: its first 20,480 lines and at least 256 KiB, or all of it; undefined past `DISK_HEAD_LIMIT`. */
function firstLines(disk: DiskFile): Uint8Array | undefined {
  let buf = new Uint8Array(Math.min(disk.size, DISK_BLOCK));
  let n = 0;
  let lines = 0;
  while (n < disk.size && (n < DISK_HEAD_BYTES || lines < DISK_HEAD_LINES)) {
    if (n === buf.length) {
      if (n >= DISK_HEAD_LIMIT) return undefined;
      const bigger = new Uint8Array(Math.min(disk.size, n * 2));
      bigger.set(buf);
      buf = bigger;
    }
    const got = disk.read(buf.subarray(n), n);
    if (got <= 0) break;
    for (let i = buf.indexOf(10, n); i >= 0 && i < n + got; i = buf.indexOf(10, i + 1)) lines++;
    n += got;
  }
  return buf.subarray(0, n);
}

/** The whole file in memory. */
function readAll(disk: DiskFile): Uint8Array {
  const out = new Uint8Array(disk.size);
  let n = 0;
  while (n < out.length) {
    const got = disk.read(out.subarray(n), n);
    if (got <= 0) break;
    n += got;
  }
  return out.subarray(0, n);
}

/** `lineBreaks` of a file on disk, read a block at a time. */
function diskLineBreaks(disk: DiskFile): LineBreaks {
  const count = lineCounter();
  const block = new Uint8Array(Math.min(Math.max(disk.size, 1), DISK_BLOCK));
  for (let at = 0; ; ) {
    const got = disk.read(block, at);
    if (got <= 0) break;
    count.add(block.subarray(0, got));
    at += got;
  }
  return count.end();
}

/** How text breaks into lines (see `lineBreaks`). */
export interface LineBreaks {
  lines: number;
  blank: boolean;
  mixed: boolean;
}

/**
 * How the text breaks into lines, from the line breaks alone (no byte-by-byte scan): the number of lines, with
 * `blank` when a line is empty (blank lines are not records, and shift the records' line numbers) and `mixed` when CR LF
 * and LF alone (or CR alone) both occur.
 */
export function lineBreaks(utf8: Uint8Array): LineBreaks {
  const count = lineCounter();
  count.add(utf8);
  return count.end();
}

/** `lineBreaks` of a text given in consecutive pieces (a file read a block at a time). */
function lineCounter(): { add(part: Uint8Array): void; end(): LineBreaks } {
  let lf = 0;
  let crlf = 0;
  let cr = 0;
  let blank = false;
  // Where the current line starts, and where the pieces so far end, as offsets in the whole text.
  let start = 0;
  let at = 0;
  let before = -1;
  return {
    add(part) {
      for (let i = part.indexOf(10); i >= 0; i = part.indexOf(10, i + 1)) {
        const isCr = (i > 0 ? part[i - 1] : before) === 13;
        if (isCr) crlf++;
        if (at + i - (isCr ? 1 : 0) === start) blank = true;
        lf++;
        start = at + i + 1;
      }
      for (let i = part.indexOf(13); i >= 0; i = part.indexOf(13, i + 1)) cr++;
      if (part.length) before = part[part.length - 1];
      at += part.length;
    },
    end: () => ({
      lines: lf + (start < at ? 1 : 0),
      blank,
      // CR LF and LF alone, or CR alone beside either: the reader takes one kind per file.
      mixed: (crlf > 0 && crlf < lf) || cr > crlf,
    }),
  };
}

/**
 * The fast path for the usual file, without scanning its bytes in JS: every line a record of the header's width, one
 * kind of line break, no blank line. The sample the sniffer read is scanned (title lines, a header the dialect cannot
 * read, ragged rows near the top take the full path); then DuckDB reads the whole file with the dialect, strict and
 * without padding short rows. Its rows account for the file's lines when there are as many of them as lines below
 * the header (a value spanning lines would make fewer) and it rejected none (a short or long row, a stray quote, a line
 * over its limit): then row k is on line k + 1 + header, as the scan would have said. Otherwise (undefined) the full
 * path reads the file again, scanning every byte. `utf8` holds at least the text's first 20,480 lines and 256 KiB (the
 * whole text, or the first lines of a file on disk); `lines` counts the line breaks of the whole text.
 */
async function readQuick(
  db: Db, name: string, base: Base, utf8: Uint8Array, head: Uint8Array, s: Sniff, dialect: Dialect, lines: () => LineBreaks,
): Promise<RawSource | undefined> {
  // Lines past the reader's limit were left out of the sniffer's sample: the full path says which.
  if (head !== utf8) return undefined;
  const breaks = lines();
  if (breaks.blank || breaks.mixed) return undefined;
  // The sniffer's sample (its 20,480 lines) scanned as the full path would: it must need nothing of the tolerant reader.
  const sample = sampleLines(utf8, 20_480);
  const plan = planOf(dialect, scanDelimited(sample, dialect));
  if (!clean(plan) || plan.scan.lines) return undefined;
  const header = s.HasHeader;
  const expected = plan.scan.firstWidth;
  const first = header ? 1 : 0;
  if (breaks.lines <= first) return undefined;
  const sniffedNames = Array.from(s.Columns, (c) => c.name);
  const names = uniqueNames(Array.from({ length: expected }, (_, i) => (i < sniffedNames.length ? sniffedNames[i] : `column${i}`)));
  const notes = base.notes.length;
  noteDelimiter(base, dialect);
  try {
    const rejected = await readWith(db, name, base, dialect, header, names, first, null, false);
    if (!rejected.length) {
      const read = await finish(db, { ...base, header });
      if (read.rows === breaks.lines - first) return read;
    }
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
  }
  await db.query(`DROP TABLE IF EXISTS ${ident(base.table)}`);
  base.notes.length = notes;
  return undefined;
}

/** The first `n` lines of the text (all of it when it has no more). */
function sampleLines(utf8: Uint8Array, n: number): Uint8Array {
  let end = -1;
  for (let k = 0; k < n; k++) {
    end = utf8.indexOf(10, end + 1);
    if (end < 0) return utf8;
  }
  return utf8.subarray(0, end + 1);
}

/** The lines the sniffer samples (20,480, as SNIFF_OPTIONS says), without those over the reader's limit: `utf8` itself when it has none. */
function sniffSample(utf8: Uint8Array): Uint8Array {
  let start = 0;
  let long = false;
  let lines = 0;
  while (start < utf8.length && lines < 20_480 && !long) {
    let end = utf8.indexOf(10, start);
    if (end < 0) end = utf8.length;
    if (end - start > MAX_RECORD_BYTES) long = true;
    start = end + 1;
    lines++;
  }
  if (!long) return utf8;
  const parts: Uint8Array[] = [];
  start = 0;
  for (let k = 0; start < utf8.length && k < 20_480; k++) {
    let end = utf8.indexOf(10, start);
    if (end < 0) end = utf8.length;
    if (end - start <= MAX_RECORD_BYTES) parts.push(utf8.subarray(start, end + 1));
    else parts.push(new Uint8Array([10]));
    start = end + 1;
  }
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Nothing for the tolerant reader to do: the table starts at the top, every record fits. */
function clean(plan: Plan): boolean {
  return plan.expected >= 2 && plan.top === 0 && plan.bad.size === 0 && !plan.scan.aborted;
}

/**
 * What `dialect` makes of the text: title lines above the table (leading records with fewer than half the usual
 * values), the table's width (its first record's), and the records it cannot read: those the scan marks, those with
 * more values than the first, and, when nearly every row has all its values, the few that have fewer (a lost
 * separator shifts every value after it).
 */
function planOf(dialect: Dialect, scan: TextScan): Plan {
  const counts = new Map<number, number>();
  for (let k = 0; k < Math.min(scan.records, 1000); k++) counts.set(scan.used[k], (counts.get(scan.used[k]) ?? 0) + 1);
  const usual = [...counts.entries()].reduce((a, b) => (b[1] > a[1] ? b : a), [0, 0])[0];
  const faulted = new Set(scan.faults.map((f) => f.record));
  let top = 0;
  while (top < Math.min(scan.records - 1, 20) && usual >= 2 && scan.used[top] * 2 < usual && !faulted.has(top)) top++;
  // A first record the dialect cannot read (a stray quote in the header) does not give the width: the usual one does.
  let expected = scan.width[top] ?? 0;
  if (faulted.has(top)) {
    const widths = new Map<number, number>();
    for (let k = top + 1; k < Math.min(scan.records, 1000); k++) widths.set(scan.width[k], (widths.get(scan.width[k]) ?? 0) + 1);
    expected = [...widths.entries()].reduce((a, b) => (b[1] > a[1] ? b : a), [expected, 0])[0];
  }
  const bad = new Map<number, UnreadableRow['reason']>();
  for (const f of scan.faults) if (f.record > top) bad.set(f.record, f.reason);
  if (faulted.has(top)) bad.set(top, scan.faults.find((f) => f.record === top)!.reason);
  const short: number[] = [];
  for (let k = top + 1; k < scan.records; k++) {
    if (bad.has(k)) continue;
    if (scan.used[k] > expected) bad.set(k, 'ragged');
    else if (scan.width[k] < expected) short.push(k);
  }
  const below = Math.max(scan.records - top - 1, 0);
  // The last record may end early only when the file is cut off, which is said as such.
  const lastShort = short.length && short[short.length - 1] === scan.records - 1 && !scan.endsWithNewline;
  if (short.length && !lastShort && tolerated(short.length, below)) for (const k of short) bad.set(k, 'short');
  return { dialect, scan, top, expected, bad: new Map([...bad.entries()].sort((a, b) => a[0] - b[0])), below };
}

/** Dialects files are written in: the sniffer's first, then the usual separators and quotes. */
function candidates(first: Dialect): Dialect[] {
  const out: Dialect[] = [first];
  const quotes: [string, string][] = [[first.quote, first.escape], ['"', '"'], ['"', '\\'], ["'", "'"], ["'", '\\'], ['', '']];
  for (const delimiter of [first.delimiter, ',', ';', '\t', '|', ', ', ' '])
    for (const [quote, escape] of quotes)
      if (!out.some((d) => d.delimiter === delimiter && d.quote === quote && d.escape === escape)) out.push({ delimiter, quote, escape });
  return out;
}

/** The plan that reads the most records, tried first on a sample of a large file; ties go to the sniffer's dialect. */
function bestPlan(utf8: Uint8Array, first: Plan): Plan {
  // Lines too long for the reader are too long in any dialect.
  if (first.expected >= 2 && first.bad.size > 0 && [...first.bad.values()].every((r) => r === 'too_long')) return first;
  const SAMPLE = 1 << 20;
  let sample = utf8;
  if (utf8.length > SAMPLE) {
    let end = SAMPLE;
    while (end < utf8.length && utf8[end] !== 10) end++;
    sample = utf8.subarray(0, end + 1);
  }
  const score = (p: Plan) => (p.expected < 2 ? Infinity : p.bad.size + (p.scan.aborted ? 1e9 : 0));
  let best = sample === utf8 ? first : planOf(first.dialect, scanDelimited(sample, first.dialect));
  let bestScore = score(best);
  for (const d of candidates(first.dialect).slice(1)) {
    if (bestScore === 0) break;
    const p = planOf(d, scanDelimited(sample, d, Number.isFinite(bestScore) ? bestScore : Infinity));
    const sc = score(p);
    if (sc < bestScore || (sc === bestScore && p.expected > best.expected)) [best, bestScore] = [p, sc];
  }
  if (sample === utf8) return best;
  if (best.dialect === first.dialect) return first;
  const full = planOf(best.dialect, scanDelimited(utf8, best.dialect));
  return full.bad.size < first.bad.size || first.expected < 2 ? full : first;
}

/** The fast path: the sniffer's dialect with every record fitting; undefined when the reader rejects a row after all. */
async function readStrict(db: Db, name: string, base: Base, s: Sniff, plan: Plan): Promise<RawSource | undefined> {
  const { dialect, scan } = plan;
  noteDelimiter(base, dialect);
  const header = s.HasHeader;
  const expected = scan.firstWidth;
  const first = header ? 1 : 0;
  if (!scan.endsWithNewline && scan.records > first && scan.lastWidth < expected)
    throw new InputError(base.file, 'truncated', { line: lineOf(scan, scan.records - 1), found: scan.lastWidth, expected });
  const sniffedNames = Array.from(s.Columns, (c) => c.name);
  const names = uniqueNames(Array.from({ length: expected }, (_, i) => (i < sniffedNames.length ? sniffedNames[i] : `column${i}`)));
  const kept = scan.lines ? scan.lines.slice(first) : null;
  const rejected = await readWith(db, name, base, dialect, header, names, first, kept);
  if (!rejected.length) return finish(db, { ...base, header });
  base.notes.length = 0;
  for (const r of rejected) {
    const k = scan.lines ? scan.lines.indexOf(r.line) : r.line - 1;
    if (k > 0) plan.bad.set(k, 'reader');
  }
  plan.bad = new Map([...plan.bad.entries()].sort((a, b) => a[0] - b[0]));
  return undefined;
}

/** The records `plan` can read: title lines, the header and unreadable records blanked out (their line breaks kept). */
async function readTolerant(db: Db, name: string, base: Base, utf8: Uint8Array, plan: Plan): Promise<RawSource> {
  const { dialect, scan, top } = plan;
  noteDelimiter(base, dialect);
  if (top > 0) base.notes.push({ code: 'title_rows', value: top });
  const text = (k: number) => recordText(utf8, scan, k);
  // Whether the top record names the columns: the sniffer decides when it can read it, else it must hold no numbers.
  const fixed = `${base.table}.fixed`;
  const blank = new Set<number>([...Array(top).keys(), ...plan.bad.keys()]);
  await db.registerFile(fixed, blankRecords(utf8, scan, blank));
  try {
    let header: boolean;
    let names: string[];
    if (!plan.bad.has(top)) {
      const s = await one<Sniff>(
        db,
        `SELECT HasHeader, Columns FROM sniff_csv(${lit(fixed)}, delim=${lit(dialect.delimiter)}, quote=${lit(dialect.quote)}, escape=${lit(dialect.escape)}, ${SNIFF_OPTIONS})`,
      ).catch(() => undefined);
      const values = splitLoosely(text(top), dialect);
      header = s ? s.HasHeader || looksLikeHeader(values, utf8, scan, top, dialect) : looksLikeHeader(values, utf8, scan, top, dialect);
      const sniffed = s && s.HasHeader ? Array.from(s.Columns, (c) => c.name) : header ? values : [];
      names = Array.from({ length: plan.expected }, (_, i) => sniffed[i] || `column${i}`);
    } else {
      const values = splitLoosely(text(top), dialect);
      header = looksLikeHeader(values, utf8, scan, top, dialect);
      names = Array.from({ length: plan.expected }, (_, i) => (header && values[i]) || `column${i}`);
      if (!header) blank.delete(top);
    }
    // A quote left over around a name (a header the dialect could not read): the name is what it encloses.
    names = uniqueNames(names.map((n) => n.replace(/^["']+|["']+$/g, '').trim() || n));
    const unreadable: UnreadableRows = { count: 0, examples: [] };
    for (const [k, reason] of plan.bad) {
      if (k === top && header) continue;
      unreadable.count++;
      if (unreadable.examples.length < UNREADABLE_EXAMPLES) unreadable.examples.push({ line: lineOf(scan, k), text: text(k), reason });
    }
    // With the header blanked out too, every record left is a row; the reader is told there is no header.
    if (header) blank.add(top);
    const bytes = blank.has(top) && !plan.bad.has(top) ? blankRecords(utf8, scan, blank) : undefined;
    if (bytes) await db.registerFile(fixed, bytes);
    const kept: number[] = [];
    for (let k = top; k < scan.records; k++) if (!blank.has(k)) kept.push(lineOf(scan, k));
    const rejected = await readWith(db, fixed, base, dialect, false, names, 0, Int32Array.from(kept));
    if (rejected.length) {
      const r = rejected[0];
      throw new InputError(base.file, 'bad_row', { line: kept[r.line - 1] ?? r.line, fault: readerFault(r.error_message), reason: r.error_message.slice(0, 120) });
    }
    return finish(db, { ...base, header, unreadable });
  } finally {
    await db.dropFile(fixed);
  }
}

/**
 * Read `name` with the dialect into the raw table, numbering rows with `lines` (the source line of each row in order;
 * null when row k is on line k + 1 + first). Returns the rows the reader rejected (then no table is left).
 */
async function readWith(
  db: Db, name: string, base: Base, dialect: Dialect, header: boolean, names: string[], first: number, lines: Int32Array | null, pad = true,
): Promise<{ line: number; error_type: string; error_message: string }[]> {
  const columns = `{${names.map((n) => `${lit(n)}: 'VARCHAR'`).join(', ')}}`;
  const keep = names.map(ident).join(', ');
  const target = ident(base.table);
  const numbered = ident(base.table + '__read');
  const rejects = ident(base.table + '__rejects');
  const rejectScan = ident(base.table + '__rejects_scan');
  // Records are numbered as the reader delivers them, which is file order (row_number() OVER () runs in one ordered
  // stream), and the table keeps that insertion order; so when records are lines (no blank lines, no values spanning
  // lines) the table is written once, with its line numbers, instead of being read and then copied in order.
  const into = lines ? numbered : target;
  const key = lines ? '__k' : '__line';
  const read = (parallel: boolean) =>
    db.query(`CREATE OR REPLACE TABLE ${into} AS SELECT row_number() OVER () + ${lines ? 0 : first} AS ${key}, ${keep}
      FROM read_csv(${lit(name)}, auto_detect=false, header=${header},
      delim=${lit(dialect.delimiter)}, quote=${lit(dialect.quote)}, escape=${lit(dialect.escape)}, columns=${columns}, null_padding=${pad},
      store_rejects=true, rejects_table='${base.table}__rejects', rejects_scan='${base.table}__rejects_scan'${parallel ? '' : ', parallel=false'})`);
  try {
    try {
      await read(true);
    } catch (e) {
      // DuckDB's parallel reader refuses padded rows next to values spanning lines; the single-threaded one reads them.
      if (!/parallel/i.test(String(e))) throw e;
      await read(false);
    }
    const bad = await rows<{ line: number; error_type: string; error_message: string }>(
      db,
      `SELECT line::DOUBLE AS line, error_type, error_message FROM ${rejects} ORDER BY line LIMIT 1000`,
    );
    if (bad.length) {
      await db.query(`DROP TABLE IF EXISTS ${into}`);
      return bad;
    }
    const { n } = await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM ${into}`);
    const want = lines ? lines.length : undefined;
    if (want !== undefined && n !== want)
      throw new InputError(base.file, 'unreadable_table', { reason: `the reader found ${n} rows where the file has ${want}` });
    if (lines) {
      const k = Int32Array.from({ length: n }, (_, i) => i + 1);
      await db.insertArrow(`${base.table}__lines`, tableToIPC(new Table({ k: makeVector(k), line: makeVector(Int32Array.from(lines)) }), 'stream'));
      await db.query(`CREATE OR REPLACE TABLE ${target} AS SELECT l.line::BIGINT AS __line, ${keep}
        FROM ${numbered} r JOIN ${ident(base.table + '__lines')} l ON l.k = r.__k ORDER BY r.__k;
        DROP TABLE ${ident(base.table + '__lines')}`);
    }
    return [];
  } catch (e) {
    throw e instanceof InputError ? e : new InputError(base.file, 'unreadable_table', { reason: csvReason(e) });
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${numbered}; DROP TABLE IF EXISTS ${rejects}; DROP TABLE IF EXISTS ${rejectScan}`);
  }
}

function noteDelimiter(base: Base, dialect: Dialect): void {
  if (dialect.delimiter === '\t') base.notes.push({ code: 'delimiter_tab' });
  else if (dialect.delimiter !== ',') base.notes.push({ code: 'delimiter', value: dialect.delimiter });
}

const UNREADABLE_EXAMPLES = 5;
const TEXT_CHARS = 200;

/** The text of record `k` (its first line at most `TEXT_CHARS` characters), as written. */
function recordText(utf8: Uint8Array, scan: TextScan, k: number): string {
  const start = scan.starts[k];
  const stop = k + 1 < scan.records ? scan.starts[k + 1] : utf8.length;
  const bytes = utf8.subarray(start, Math.min(stop, start + TEXT_CHARS * 4));
  return new TextDecoder().decode(bytes).replace(/[\r\n]+$/, '').slice(0, TEXT_CHARS);
}

/** A copy of the text with the bytes of records in `blank` removed, their line breaks kept (so lines keep their numbers). */
function blankRecords(utf8: Uint8Array, scan: TextScan, blank: Set<number>): Uint8Array {
  const out = new Uint8Array(utf8.length);
  let o = 0;
  let from = 0;
  for (const k of [...blank].sort((a, b) => a - b)) {
    const start = scan.starts[k];
    const stop = k + 1 < scan.records ? scan.starts[k + 1] : utf8.length;
    out.set(utf8.subarray(from, start), o);
    o += start - from;
    for (let i = start; i < stop; i++) if (utf8[i] === 10 || utf8[i] === 13) out[o++] = utf8[i];
    from = stop;
  }
  out.set(utf8.subarray(from), o);
  o += utf8.length - from;
  return out.subarray(0, o);
}

/** Every line break as LF alone (CR LF and CR become LF). */
function oneLineBreak(utf8: Uint8Array): Uint8Array {
  const out = new Uint8Array(utf8.length);
  let o = 0;
  for (let i = 0; i < utf8.length; i++) {
    const b = utf8[i];
    if (b === 13) {
      out[o++] = 10;
      if (utf8[i + 1] === 10) i++;
    } else out[o++] = b;
  }
  return out.subarray(0, o);
}

/** The values of a record split at every separator, quotes around them removed: for a record the dialect cannot read. */
function splitLoosely(text: string, dialect: Dialect): string[] {
  const q = dialect.quote;
  return text.split(dialect.delimiter).map((v) => {
    let t = v.trim();
    if (q) {
      if (t.startsWith(q)) t = t.slice(1);
      if (t.endsWith(q)) t = t.slice(0, -1);
      t = t.split(q + q).join(q);
    }
    return t.trim();
  });
}

const NUMERIC = /^[-+(]?[¥￥$€£]?\d[\d,.]*\)?%?$|^\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}/;

/** A record names columns when it has no blank, no repeated value and nothing that looks like a number or a date. */
function looksLikeHeader(values: string[], utf8: Uint8Array, scan: TextScan, top: number, dialect: Dialect): boolean {
  const named = values.filter((v) => v !== '');
  if (named.length < 2 || new Set(named).size !== named.length || named.some((v) => NUMERIC.test(v))) return false;
  // …and the record after it does have a number or a date somewhere, or repeats none of its values.
  const next = top + 1 < scan.records ? splitLoosely(recordText(utf8, scan, top + 1), dialect) : [];
  return next.some((v) => NUMERIC.test(v)) || !next.some((v) => named.includes(v));
}

/** A DuckDB reject message as one of our reasons. */
function readerFault(message: string): UnreadableRow['reason'] {
  if (/line size/i.test(message)) return 'too_long';
  if (/unterminated quote/i.test(message)) return 'unclosed_quote';
  if (/quote/i.test(message)) return 'quote';
  if (/too many columns|expected \d+ columns/i.test(message)) return 'ragged';
  return 'reader';
}

/**
 * The sniffer's delimiter, with RFC 4180 quoting unless the text uses the sniffer's other choice of quote (it
 * guesses from a sample, and may pick a quote that never occurs, or none when the sample has no quotes), and
 * doubled quotes as the escape unless the text shows backslash escapes.
 */
function chooseDialect(s: Sniff, utf8: Uint8Array): Dialect {
  const given = (v: string) => (v && v !== '(empty)' ? v : '');
  const head = new TextDecoder().decode(utf8.subarray(0, 256 * 1024));
  let quote = given(s.Quote);
  if (!quote || !head.includes(quote)) quote = '"';
  let escape = given(s.Escape);
  if (escape && escape !== quote && !head.includes(escape + quote)) escape = '';
  if (!escape && quote === '"') escape = head.includes('\\"') && !head.includes('""') ? '\\' : '"';
  return { delimiter: s.Delimiter, quote, escape };
}

/** DuckDB's message on one line, without its boilerplate (the lines after the first, the "Possible fixes" list). */
function csvReason(e: unknown): string {
  const msg = String(e instanceof Error ? e.message : e);
  const line = /Line:\s*(\d+)/.exec(msg)?.[1];
  const first = msg
    .split('\n')
    .map((l) => l.replace(/^[\w ]*Error:\s*/, '').trim())
    .find((l) => l && !/^(Possible fixes|\*|This can happen)/.test(l)) ?? msg;
  return (line ? `line ${line}: ` : '') + first.slice(0, 200);
}

/** Whitespace-separated columns (runs of spaces or tabs), with or without a header line: split in SQL, every line the same width. */
async function readWhitespace(db: Db, name: string, base: Base, header: boolean, utf8: Uint8Array): Promise<RawSource> {
  const split = ident(base.table + '__split');
  await db.query(`CREATE OR REPLACE TEMP TABLE ${split} AS
    SELECT __line, string_split(trim(regexp_replace(line, '\\s+', ' ', 'g')), ' ') AS f FROM (
      SELECT row_number() OVER () AS __line, line FROM ${linesOf(name)}) WHERE trim(coalesce(line, '')) <> ''`);
  try {
    const first = await rows<{ line: number; f: string[] }>(db, `SELECT __line::DOUBLE AS line, f FROM ${split} ORDER BY __line LIMIT 1`);
    const top = first[0];
    const width = top ? top.f.length : 0;
    const names = header ? uniqueNames(Array.from(top.f)) : Array.from({ length: width }, (_, i) => `column${i + 1}`);
    const start = header ? top.line : 0;
    const odd = await rows<{ line: number; found: number; last: boolean }>(
      db,
      `SELECT __line::DOUBLE AS line, len(f)::DOUBLE AS found, __line = (SELECT max(__line) FROM ${split}) AS last
       FROM ${split} WHERE __line > ${start} AND len(f) <> ${width} ORDER BY __line LIMIT 1`,
    );
    if (odd.length) {
      const { line, found, last } = odd[0];
      const cut = last && found < width && !endsWithNewline(utf8);
      throw new InputError(base.file, cut ? 'truncated' : 'ragged', { line, found, expected: width });
    }
    const select = names.map((n, i) => `f[${i + 1}] AS ${ident(n)}`).join(', ');
    await db.query(`CREATE TABLE ${ident(base.table)} AS SELECT __line, ${select} FROM ${split} WHERE __line > ${start} ORDER BY __line`);
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${split}`);
  }
  base.notes.push({ code: 'whitespace' }, ...(header ? [] : [{ code: 'no_header' } as const]));
  return finish(db, { ...base, header });
}

function endsWithNewline(bytes: Uint8Array): boolean {
  const last = bytes[bytes.length - 1];
  return last === 10 || last === 13;
}

async function readBaskets(db: Db, name: string, base: Base): Promise<RawSource> {
  await db.query(`CREATE TABLE ${ident(base.table)} AS
    SELECT __line, line AS items FROM (SELECT row_number() OVER () AS __line, line FROM ${linesOf(name)})
    WHERE line IS NOT NULL AND line <> '' ORDER BY __line`);
  base.notes.push({ code: 'baskets' });
  return finish(db, { ...base, header: false });
}

async function finish(db: Db, src: Omit<RawSource, 'columns' | 'rows' | 'unreadable'> & { unreadable?: UnreadableRows }): Promise<RawSource> {
  const cols = await rows<{ name: string }>(db, `SELECT column_name AS name FROM (DESCRIBE ${ident(src.table)})`);
  const columns = cols.map((c) => c.name).filter((c) => c !== '__line');
  const { n } = await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM ${ident(src.table)}`);
  if (n === 0) throw new InputError(src.file, src.header ? 'header_only' : 'no_rows', { sheet: src.sheet });
  return { ...src, unreadable: src.unreadable ?? { count: 0, examples: [] }, columns, rows: n };
}

function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = seen.get(n) ?? 0;
    seen.set(n, k + 1);
    return k ? `${n}_${k + 1}` : n;
  });
}
