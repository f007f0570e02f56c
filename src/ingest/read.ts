/** Load one source file into a raw DuckDB table of text columns, whatever its format and encoding. */
import { makeVector, Table, tableToIPC } from 'apache-arrow';
import { ident, lit, one, rows, type Db } from '../db/db.ts';
import { InputError, sniff, type Encoding, type Format } from './sniff.ts';
import { scanDelimited, type Dialect } from './scan.ts';
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

/** Read `bytes` of `file` into table `table` (replacing it). */
export async function readSource(db: Db, file: string, bytes: Uint8Array, table: string, opts: ReadOptions = {}): Promise<RawSource> {
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
    return finish(db, { ...base, header: sniffed.format === 'xlsx', sheets: decoded.sheets, sheet: decoded.sheet });
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

type Base = Omit<RawSource, 'columns' | 'rows' | 'header'>;

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

/**
 * Delimited text: DuckDB's sniffer picks the delimiter and header; the reader then runs with that dialect fixed
 * (strict, rejected rows recorded), and a scan of the bytes checks what the reader would not report.
 */
async function readDelimited(db: Db, name: string, base: Base, utf8: Uint8Array): Promise<RawSource> {
  let s: Sniff;
  try {
    s = await one<Sniff>(db, `SELECT Delimiter, Quote, Escape, HasHeader, Columns FROM sniff_csv(${lit(name)}, ${SNIFF_OPTIONS})`);
  } catch (e) {
    throw new InputError(base.file, 'unreadable_table', { reason: csvReason(e) });
  }
  const dialect = chooseDialect(s, utf8);
  if (dialect.delimiter === '\t') base.notes.push({ code: 'delimiter_tab' });
  else if (dialect.delimiter !== ',') base.notes.push({ code: 'delimiter', value: dialect.delimiter });
  const header = s.HasHeader;
  const scan = scanDelimited(utf8, dialect);
  const lineOf = (k: number) => (scan.lines ? scan.lines[k] : k + 1);
  if (scan.unclosedQuoteLine !== undefined) throw new InputError(base.file, 'unclosed_quote', { line: scan.unclosedQuoteLine });
  // Rows may leave trailing values out (read as empty); a row with more values than the first has shifted columns.
  const expected = scan.firstWidth;
  for (let k = 1; k < scan.records; k++)
    if (scan.used[k] > expected) throw new InputError(base.file, 'ragged', { line: lineOf(k), found: scan.used[k], expected });
  const first = header ? 1 : 0;
  if (!scan.endsWithNewline && scan.records > first && scan.lastWidth < expected)
    throw new InputError(base.file, 'truncated', { line: lineOf(scan.records - 1), found: scan.lastWidth, expected });

  // Not Math.max(...used): spreading one argument per record overflows the stack on large files.
  const width = scan.used.reduce((w, u) => Math.max(w, u), expected);
  const sniffedNames = Array.from(s.Columns, (c) => c.name);
  const names = uniqueNames(Array.from({ length: width }, (_, i) => (i < sniffedNames.length ? sniffedNames[i] : `column${i}`)));
  const columns = `{${names.map((n) => `${lit(n)}: 'VARCHAR'`).join(', ')}}`;
  const keep = names.slice(0, expected).map(ident).join(', ');
  const target = ident(base.table);
  const numbered = ident(base.table + '__read');
  const rejects = ident(base.table + '__rejects');
  const rejectScan = ident(base.table + '__rejects_scan');
  // Records are numbered as the reader delivers them, which is file order (row_number() OVER () runs in one ordered
  // stream), and the table keeps that insertion order; so when records are lines (no blank lines, no values spanning
  // lines) the table is written once, with its line numbers, instead of being read and then copied in order.
  const into = scan.lines ? numbered : target;
  const key = scan.lines ? '__k' : '__line';
  const read = (parallel: boolean) =>
    db.query(`CREATE OR REPLACE TABLE ${into} AS SELECT row_number() OVER () + ${scan.lines ? 0 : first} AS ${key}, ${keep}
      FROM read_csv(${lit(name)}, auto_detect=false, header=${header},
      delim=${lit(dialect.delimiter)}, quote=${lit(dialect.quote)}, escape=${lit(dialect.escape)}, columns=${columns}, null_padding=true,
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
      `SELECT line::DOUBLE AS line, error_type, error_message FROM ${rejects} ORDER BY line LIMIT 1`,
    );
    if (bad.length) {
      const b = bad[0];
      const found = /Found:\s*(\d+)/.exec(b.error_message)?.[1];
      throw b.error_type === 'TOO MANY COLUMNS' && found
        ? new InputError(base.file, 'ragged', { line: b.line, found: Number(found), expected })
        : new InputError(base.file, 'bad_row', { line: b.line, reason: b.error_message });
    }
    const { n } = await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM ${into}`);
    if (n !== scan.records - first)
      throw new InputError(base.file, 'unreadable_table', { reason: `the reader found ${n} rows where the file has ${scan.records - first}` });
    if (scan.lines) {
      const k = Int32Array.from({ length: n }, (_, i) => i + 1);
      await db.insertArrow(`${base.table}__lines`, tableToIPC(new Table({ k: makeVector(k), line: makeVector(scan.lines.slice(first)) }), 'stream'));
      await db.query(`CREATE TABLE ${target} AS SELECT l.line::BIGINT AS __line, ${keep}
        FROM ${numbered} r JOIN ${ident(base.table + '__lines')} l ON l.k = r.__k ORDER BY r.__k;
        DROP TABLE ${ident(base.table + '__lines')}`);
    }
  } catch (e) {
    throw e instanceof InputError ? e : new InputError(base.file, 'unreadable_table', { reason: csvReason(e) });
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${numbered}; DROP TABLE IF EXISTS ${rejects}; DROP TABLE IF EXISTS ${rejectScan}`);
  }
  return finish(db, { ...base, header });
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

/** DuckDB's message on one line, without its boilerplate. */
function csvReason(e: unknown): string {
  const msg = String(e instanceof Error ? e.message : e);
  const line = /Line:\s*(\d+)/.exec(msg)?.[1];
  const first = msg.split('\n').find((l) => l.trim() && !/^(Invalid Input|Error)/.test(l)) ?? msg;
  return (line ? `line ${line}: ` : '') + first.trim().slice(0, 200);
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

async function finish(db: Db, src: Omit<RawSource, 'columns' | 'rows'>): Promise<RawSource> {
  const cols = await rows<{ name: string }>(db, `SELECT column_name AS name FROM (DESCRIBE ${ident(src.table)})`);
  const columns = cols.map((c) => c.name).filter((c) => c !== '__line');
  const { n } = await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM ${ident(src.table)}`);
  if (n === 0) throw new InputError(src.file, src.header ? 'header_only' : 'no_rows', { sheet: src.sheet });
  return { ...src, columns, rows: n };
}

function uniqueNames(names: string[]): string[] {
  const seen = new Map<string, number>();
  return names.map((n) => {
    const k = seen.get(n) ?? 0;
    seen.set(n, k + 1);
    return k ? `${n}_${k + 1}` : n;
  });
}
