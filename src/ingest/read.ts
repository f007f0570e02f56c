/** Load one source file into a raw DuckDB table of text columns, whatever its format and encoding. */
import { ident, lit, one, rows, type Db } from '../db/db.ts';
import { InputError, sniff, type Encoding, type Format } from './sniff.ts';
import { toUtf8 } from './transcode.ts';
import { decoders } from './decoders.ts';

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
  notes: string[];
}

export interface ReadOptions {
  sheet?: string;
  onProgress?: (phase: string, fraction: number) => void;
}

/** Read `bytes` of `file` into table `table` (replacing it). */
export async function readSource(db: Db, file: string, bytes: Uint8Array, table: string, opts: ReadOptions = {}): Promise<RawSource> {
  const sniffed = sniff(file, bytes);
  const base = { file, table, format: sniffed.format, encoding: sniffed.encoding, notes: [] as string[] };
  if (sniffed.format in decoders) {
    const decoded = await decoders[sniffed.format as keyof typeof decoders](file, bytes, { sheet: opts.sheet, encoding: sniffed.encoding, bom: sniffed.bom });
    await db.query(`DROP TABLE IF EXISTS ${ident(table)}`);
    await db.insertArrow(`${table}__arrow`, decoded.ipc);
    await db.query(`CREATE TABLE ${ident(table)} AS SELECT row_number() OVER () + 1 AS __line, COLUMNS(*)::VARCHAR FROM ${ident(table + '__arrow')};
      DROP TABLE ${ident(table + '__arrow')}`);
    return finish(db, { ...base, header: true, sheets: decoded.sheets, sheet: decoded.sheet });
  }
  const utf8 = toUtf8(bytes, sniffed.encoding, sniffed.bom, (f) => opts.onProgress?.('decode', f));
  const name = `${table}.src`;
  await db.registerFile(name, utf8);
  try {
    await db.query(`DROP TABLE IF EXISTS ${ident(table)}`);
    if (sniffed.format === 'csv') return await readDelimited(db, name, base);
    if (sniffed.format === 'whitespace') return await readWhitespace(db, name, base, sniffed.header ?? false);
    return await readBaskets(db, name, base);
  } finally {
    await db.dropFile(name);
  }
}

type Base = Omit<RawSource, 'columns' | 'rows' | 'header'>;

function linesOf(name: string): string {
  return `read_csv(${lit(name)}, columns={'line': 'VARCHAR'}, delim='\\0', quote='', escape='', header=false, auto_detect=false)`;
}

async function readDelimited(db: Db, name: string, base: Base): Promise<RawSource> {
  let header = true;
  let quote = '"';
  try {
    // The same options as read_csv below, so that both detect the same dialect and header.
    const sniffed = await one<{ HasHeader: boolean; Delimiter: string; Quote: string }>(
      db,
      `SELECT HasHeader, Delimiter, Quote FROM sniff_csv(${lit(name)}, ${CSV_OPTIONS})`,
    );
    header = sniffed.HasHeader;
    quote = sniffed.Quote?.length === 1 ? sniffed.Quote : '"';
    if (sniffed.Delimiter && sniffed.Delimiter !== ',') base.notes.push(`delimiter ${JSON.stringify(sniffed.Delimiter)}`);
    await db.query(`CREATE TABLE ${ident(base.table)} AS
      SELECT row_number() OVER () + ${header ? 1 : 0} AS __line, * FROM read_csv(${lit(name)}, all_varchar=true, ${CSV_OPTIONS})`);
  } catch (e) {
    throw new InputError(base.file, 'could not read it as a table: ' + csvReason(e));
  }
  await fixLineNumbers(db, name, base.table, quote);
  return finish(db, { ...base, header });
}

const CSV_OPTIONS = 'null_padding=true, strict_mode=false, sample_size=20480';

/**
 * `__line` so far counts records (header = 1). DuckDB skips blank lines and a quoted value can span
 * lines, so when the file has more lines than records, map record k to the line it starts on: a
 * non-blank line outside quotes (an even number of quote characters before it).
 */
async function fixLineNumbers(db: Db, name: string, table: string, quote: string): Promise<void> {
  const t = ident(table);
  const q = lit(quote);
  const c = await one<{ lines: number; last: number }>(
    db,
    `SELECT (SELECT count(*) FROM ${linesOf(name)})::DOUBLE AS lines, (SELECT coalesce(max(__line), 0) FROM ${t})::DOUBLE AS last`,
  );
  if (c.lines === c.last) return;
  await db.query(`CREATE OR REPLACE TEMP TABLE __record_lines AS
    WITH l AS (SELECT row_number() OVER () AS n, line FROM ${linesOf(name)}),
    q AS (SELECT n, line, coalesce(sum(length(line) - length(replace(line, ${q}, ''))) OVER (ORDER BY n ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS before FROM l)
    SELECT row_number() OVER (ORDER BY n) AS k, n FROM q WHERE before % 2 = 0 AND coalesce(line, '') <> '';
    UPDATE ${t} SET __line = r.n FROM __record_lines r WHERE r.k = ${t}.__line;
    DROP TABLE __record_lines`);
}

function csvReason(e: unknown): string {
  const msg = String(e instanceof Error ? e.message : e);
  const line = /Line:\s*(\d+)/.exec(msg)?.[1];
  const first = msg.split('\n').find((l) => l.trim() && !/^(Invalid Input|Error)/.test(l)) ?? msg;
  return (line ? `line ${line}: ` : '') + first.trim().slice(0, 200);
}

async function readWhitespace(db: Db, name: string, base: Base, header: boolean): Promise<RawSource> {
  const first = await rows<{ f: string[] }>(db, `SELECT string_split(trim(line), ' ') AS f FROM (SELECT regexp_replace(line, '\\s+', ' ', 'g') AS line FROM ${linesOf(name)} WHERE trim(line) <> '') LIMIT 1`);
  const width = first[0]?.f.length ?? 0;
  const names = header ? uniqueNames(Array.from(first[0].f)) : Array.from({ length: width }, (_, i) => `column${i + 1}`);
  const select = names.map((n, i) => `f[${i + 1}] AS ${ident(n)}`).join(', ');
  await db.query(`CREATE TABLE ${ident(base.table)} AS
    SELECT __line, ${select} FROM (
      SELECT row_number() OVER () AS __line, string_split(trim(regexp_replace(line, '\\s+', ' ', 'g')), ' ') AS f, line
      FROM ${linesOf(name)})
    WHERE trim(line) <> '' ${header ? 'AND __line > 1' : ''} ORDER BY __line`);
  base.notes.push('whitespace-separated columns' + (header ? '' : ', no header row'));
  return finish(db, { ...base, header });
}

async function readBaskets(db: Db, name: string, base: Base): Promise<RawSource> {
  await db.query(`CREATE TABLE ${ident(base.table)} AS
    SELECT __line, line AS items FROM (SELECT row_number() OVER () AS __line, line FROM ${linesOf(name)})
    WHERE line IS NOT NULL AND line <> '' ORDER BY __line`);
  base.notes.push('one basket per line');
  return finish(db, { ...base, header: false });
}

async function finish(db: Db, src: Omit<RawSource, 'columns' | 'rows'>): Promise<RawSource> {
  const cols = await rows<{ name: string }>(db, `SELECT column_name AS name FROM (DESCRIBE ${ident(src.table)})`);
  const columns = cols.map((c) => c.name).filter((c) => c !== '__line');
  const { n } = await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM ${ident(src.table)}`);
  if (n === 0) throw new InputError(src.file, src.header ? 'the file has a header but no data rows' : 'the file has no data rows');
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
