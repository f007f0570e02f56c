/**
 * CSV exports a spreadsheet cannot run. Excel, LibreOffice and Google Sheets read a cell that starts with `=`, `+`,
 * `-`, `@`, a tab or a carriage return as a formula, so a customer named `=HYPERLINK("http://…")` would become a
 * live link in the client's spreadsheet (CSV injection). As OWASP recommends, such a text cell gets a leading `'`,
 * which makes the spreadsheet keep it as text. Only text is touched: a typed number (a negative amount, a rank)
 * stays a plain number, and dates and booleans are written as they are. Every CSV export goes through this
 * module: the database's export (`Db.exportCsv`, both engines) through `spreadsheetSafeSql`, CSV built in the
 * page through `csvBytes`.
 */
import { ident, type Db } from './db.ts';

/** First characters that make a spreadsheet read a cell as a formula (OWASP, "CSV Injection"). */
export const FORMULA_LEADS: readonly string[] = ['=', '+', '-', '@', '\t', '\r'];

/** A text cell as it is written to a CSV export: with a leading `'` when it would be read as a formula. */
export function spreadsheetSafeText(text: string): string {
  return FORMULA_LEADS.includes(text.charAt(0)) ? `'${text}` : text;
}

/** The same rule in SQL, over a VARCHAR expression (NULL stays NULL). */
function safeTextSql(expr: string): string {
  const leads = FORMULA_LEADS.map((c) => `chr(${c.charCodeAt(0)})`).join(', ');
  return `CASE WHEN left(${expr}, 1) IN (${leads}) THEN '''' || ${expr} ELSE ${expr} END`;
}

/** Column types written as typed values, never prefixed: numbers, booleans, dates and times. */
const TYPED = /^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|REAL|DOUBLE|DECIMAL|BOOLEAN|DATE|TIME|TIMESTAMP|INTERVAL)\b/i;

/**
 * `sql` with every column that is not typed (VARCHAR, ENUM, lists, …) written through the rule of
 * `spreadsheetSafeText`; names, order and typed columns unchanged. The query's own order is kept: the wrapper only
 * projects.
 */
export async function spreadsheetSafeSql(db: Pick<Db, 'query'>, sql: string): Promise<string> {
  const described = await db.query(`DESCRIBE SELECT * FROM (${sql})`);
  const names = Array.from(described.getChild('column_name')!, String);
  const types = Array.from(described.getChild('column_type')!, String);
  if (types.every((t) => TYPED.test(t))) return sql;
  const columns = names.map((name, i) =>
    TYPED.test(types[i]) ? ident(name) : `${safeTextSql(`CAST(${ident(name)} AS VARCHAR)`)} AS ${ident(name)}`,
  );
  return `SELECT ${columns.join(', ')} FROM (${sql})`;
}

/** One CSV field: text made spreadsheet-safe and quoted when it holds a comma, quote or line break; numbers as they are. */
function field(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = spreadsheetSafeText(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** A CSV file built in the page (header and rows), as UTF-8 with a byte-order mark so that Excel reads Chinese right. */
export function csvBytes(rows: (string | number | null)[][]): Uint8Array {
  const text = new TextEncoder().encode(rows.map((r) => r.map(field).join(',')).join('\n') + '\n');
  const out = new Uint8Array(text.length + 3);
  out.set([0xef, 0xbb, 0xbf]);
  out.set(text, 3);
  return out;
}
