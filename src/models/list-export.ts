/**
 * Customer lists as files a client can use as they are: CSV (UTF-8 with a byte-order mark) or an Excel workbook,
 * with the headers in the user's language (one word per column, src/i18n/packs/exports.ts), codes written as the
 * words the page shows (a lifecycle stage, a segment, yes / no), the currency in the header of every amount where it
 * is known, and amounts, counts and scores as plain numbers (no symbol, no thousands separator) so that a spreadsheet
 * computes with them. A CSV goes through the database's export (`Db.exportCsv`: a text cell a spreadsheet would read
 * as a formula gets a leading `'`, src/db/csv.ts); a workbook holds text as text cells, never formulas.
 * The headless command's JSON keeps its field names: only these files are translated.
 */
import { ident, lit, rows, withBom, type Db } from '../db/db.ts';
import { Format, type Locale } from '../i18n/format.ts';
import type { MessageKey } from '../i18n/zh.ts';

export type ExportFormat = 'csv' | 'xlsx';

/** How a list is written, besides which customers: the page passes its language and the currency it knows. */
export interface ExportAs {
  /** The language of the headers and of the words in the cells (default: zh). */
  lang?: Locale;
  /** Default: csv. */
  format?: ExportFormat;
  /** The currency symbol of the amounts (¥ for the sample data), named in the money headers; unknown: none. */
  currency?: string | null;
}

/** One column of an exported list. */
export interface ExportColumn {
  /** The column of the list's query. */
  field: string;
  /** Its header (one key a column, shared by all exports), with the values of its placeholders. */
  header: MessageKey;
  params?: Record<string, string | number>;
  /** An amount: the header names the currency when it is known. */
  money?: boolean;
  /** Codes written as words: code → message key (other values as they are). */
  words?: Record<string, MessageKey>;
  /** Codes written as words not in the messages (segment names): code → word in each language. */
  names?: Record<string, Record<Locale, string>>;
  /** A true / false column, written as the language's yes / no. */
  yesNo?: boolean;
}

/** The header of a column in the user's language, with the currency of an amount: "消费金额 (¥)". */
export function exportHeader(column: ExportColumn, as: ExportAs): string {
  const word = new Format(as.lang ?? 'zh').t(column.header, column.params);
  return column.money && as.currency ? `${word} (${as.currency})` : word;
}

/**
 * `sql` with its columns renamed to their headers and their codes written as words, in the list's order. Dates are
 * written as YYYY-MM-DD, decimals as doubles (a workbook's numbers), everything else as it is.
 */
export function exportSql(sql: string, columns: readonly ExportColumn[], as: ExportAs): string {
  const f = new Format(as.lang ?? 'zh');
  const select = columns.map((c) => {
    const col = `q.${ident(c.field)}`;
    let expr = col;
    if (c.yesNo) expr = `CASE WHEN ${col} IS NULL THEN NULL WHEN ${col} THEN ${lit(f.t('export.yes'))} ELSE ${lit(f.t('export.no'))} END`;
    else if (c.words || c.names) {
      const pairs = [
        ...Object.entries(c.words ?? {}).map(([code, key]) => [code, f.t(key)] as const),
        ...Object.entries(c.names ?? {}).map(([code, word]) => [code, word[f.locale]] as const),
      ];
      expr = pairs.length ? `CASE CAST(${col} AS VARCHAR) ${pairs.map(([code, word]) => `WHEN ${lit(code)} THEN ${lit(word)}`).join(' ')} ELSE CAST(${col} AS VARCHAR) END` : col;
    }
    return `${expr} AS ${ident(exportHeader(c, as))}`;
  });
  return `SELECT ${select.join(', ')} FROM (${sql}) q`;
}

/** A list as a file: CSV with a byte-order mark, or a workbook of one sheet named `sheet`. */
export async function listExport(db: Db, sql: string, columns: readonly ExportColumn[], as: ExportAs, sheet: MessageKey): Promise<Uint8Array> {
  if ((as.format ?? 'csv') === 'csv') return withBom(await db.exportCsv(exportSql(sql, columns, as)));
  return workbook(db, [{ name: new Format(as.lang ?? 'zh').t(sheet), sql }], columns, as);
}

/** A sheet of a workbook: its name (made valid and unique when written) and the list's query. */
export interface ExportSheet {
  name: string;
  sql: string;
}

/** A workbook with one sheet per list, each with the same columns. */
export async function workbook(db: Db, sheets: readonly ExportSheet[], columns: readonly ExportColumn[], as: ExportAs): Promise<Uint8Array> {
  const headers = columns.map((c) => exportHeader(c, as));
  const filled: { name: string; rows: Record<string, unknown>[] }[] = [];
  const used = new Set<string>();
  for (const s of sheets) filled.push({ name: sheetName(s.name, used), rows: await rows(db, await typedForSheet(db, exportSql(s.sql, columns, as))) });
  const { xlsxBook } = await import('../db/xlsx.ts');
  return xlsxBook(filled, headers);
}

/** Sheet names Excel refuses: longer than 31 characters, or holding any of : \ / ? * [ ]. */
const SHEET_BAD = /[:\\/?*[\]]/g;

/**
 * A sheet name Excel accepts, not yet in `used` (compared without case, as Excel does): the characters it refuses
 * replaced by "-", cut to 31 characters, a number added when the name is taken; remembered in `used`.
 */
export function sheetName(name: string, used: Set<string>): string {
  const clean = name.replace(SHEET_BAD, '-').replace(/^'+|'+$/g, '').trim() || 'Sheet';
  let out = [...clean].slice(0, 31).join('');
  for (let n = 2; used.has(out.toLowerCase()); n++) {
    const tail = ` (${n})`;
    out = [...clean].slice(0, 31 - tail.length).join('') + tail;
  }
  used.add(out.toLowerCase());
  return out;
}

/** Column types a workbook takes as they come from the database (numbers, text, booleans). */
const AS_IS = /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|FLOAT|REAL|DOUBLE|BOOLEAN|VARCHAR)\b/i;

/** `sql` with decimals and big integers as doubles and dates as YYYY-MM-DD text, as a sheet's cells hold them. */
async function typedForSheet(db: Db, sql: string): Promise<string> {
  const described = await db.query(`DESCRIBE SELECT * FROM (${sql})`);
  const names = Array.from(described.getChild('column_name')!, String);
  const types = Array.from(described.getChild('column_type')!, String);
  if (types.every((t) => AS_IS.test(t))) return sql;
  const cols = names.map((name, i) => {
    const t = types[i];
    if (AS_IS.test(t)) return ident(name);
    if (/^(DECIMAL|HUGEINT|UBIGINT|UHUGEINT)/i.test(t)) return `${ident(name)}::DOUBLE AS ${ident(name)}`;
    if (/^DATE$/i.test(t)) return `strftime(${ident(name)}, '%Y-%m-%d') AS ${ident(name)}`;
    if (/^TIMESTAMP/i.test(t)) return `strftime(${ident(name)}, '%Y-%m-%d %H:%M:%S') AS ${ident(name)}`;
    return `CAST(${ident(name)} AS VARCHAR) AS ${ident(name)}`;
  });
  return `SELECT ${cols.join(', ')} FROM (${sql})`;
}
