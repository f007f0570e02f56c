/**
 * A SQL cell's query: one read-only statement over the canonical tables and the models' output tables, run the same
 * way by the page's engine and the headless command. Three checks stand before a statement runs, and it runs inside a
 * read-only transaction that is rolled back:
 * 1. lexical (sql-lexer.ts): one statement, a first word that only reads, no file-reading function, no file named
 *    as a table;
 * 2. DuckDB's parser and binder (`Db.prepare`): one statement, valid SQL; its errors carry the position in the text;
 * 3. DuckDB's plan (`EXPLAIN (FORMAT JSON)`): no operator that writes, and every scan reads one of the tables a cell
 *    can query (or the tables their views read), a constant or a row generator.
 */
import type { Table } from 'apache-arrow';
import { ident, lit, rows, type Db } from '../db/db.ts';
import type { Registry } from '../models/registry.ts';
import { lex, LexError, statements, type Token } from './sql-lexer.ts';

/** Rows a SQL cell shows (and the headless command writes) at most. */
export const SQL_ROW_LIMIT = 1000;

/** The canonical tables (MODELS.md §1) a SQL cell can query; `baskets` exists for a basket-per-line file. */
export const CANONICAL_TABLES = ['orders', 'purchases', 'customers', 'events', 'baskets'] as const;

export interface SqlColumn {
  name: string;
  /** DuckDB's type name (e.g. BIGINT, DECIMAL(18,4), VARCHAR, DATE). */
  type: string;
}

/** A SQL cell's answer: numbers as numbers, dates as YYYY-MM-DD, times as YYYY-MM-DD HH:MM:SS, other values as text. */
export interface SqlResult {
  columns: SqlColumn[];
  rows: (string | number | boolean | null)[][];
  /** The result had more rows than `limit`: only the first `limit` are here. */
  truncated: boolean;
  limit: number;
}

/** A SQL cell's chart: a mark and the result's columns it draws on x and y (src/charts/sql.ts). */
export interface SqlChart {
  mark: 'bar' | 'line' | 'dot';
  x: string;
  y: string;
}

/** Why a statement is refused (each has a message in both languages: `sql.refused.<code>`). */
export type RefusalCode =
  | 'empty'
  | 'multiple'
  | 'writes'
  | 'copies'
  | 'attaches'
  | 'installs'
  | 'sets'
  | 'not_query'
  | 'reads_files'
  | 'function'
  | 'table';

const TEXT: Record<RefusalCode, string> = {
  empty: 'There is no statement to run.',
  multiple: 'A SQL cell runs one statement; this text holds {n}. Nothing was run.',
  writes: '{keyword} changes data: a SQL cell only reads (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SUMMARIZE, SHOW, EXPLAIN). Nothing was run.',
  copies: "COPY writes or reads files: a SQL cell only reads the notebook's tables. Nothing was run.",
  attaches: "{keyword} attaches or detaches a database: a SQL cell only reads the notebook's tables. Nothing was run.",
  installs: '{keyword} installs or loads an extension, which a SQL cell cannot do. Nothing was run.',
  sets: "{keyword} changes the engine's settings, which a SQL cell cannot do. Nothing was run.",
  not_query: 'A SQL cell runs queries only (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SUMMARIZE, SHOW, EXPLAIN); this statement starts with {keyword}. Nothing was run.',
  reads_files: "{name} reads files: a SQL cell reads only the notebook's tables. Nothing was run.",
  function: '{name} is not available in a SQL cell. Nothing was run.',
  table: '{name} is not one of the tables a SQL cell can query ({tables}). Nothing was run.',
};

/** A statement a SQL cell does not run; `code` and `params` say why in any language, `message` in English. */
export class SqlRefused extends Error {
  constructor(
    readonly code: RefusalCode,
    readonly params: Record<string, string | number> = {},
  ) {
    super(TEXT[code].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? '')));
    this.name = 'SqlRefused';
  }
}

/** How a failed SQL cell travels to the page: a refusal with its code, or DuckDB's own error text. */
export interface SqlFailure {
  error: { message: string; code?: RefusalCode; params?: Record<string, string | number> };
}

/** The first words a read-only statement starts with. */
const READS = new Set(['SELECT', 'WITH', 'FROM', 'VALUES', 'TABLE', 'DESCRIBE', 'SUMMARIZE', 'SHOW', 'EXPLAIN']);
const FIRST_WORD: Record<string, RefusalCode> = {
  INSERT: 'writes', UPDATE: 'writes', DELETE: 'writes', MERGE: 'writes', CREATE: 'writes', DROP: 'writes', ALTER: 'writes',
  TRUNCATE: 'writes', UPSERT: 'writes', REPLACE: 'writes', VACUUM: 'writes', CHECKPOINT: 'writes', FORCE: 'writes',
  COPY: 'copies', EXPORT: 'copies', IMPORT: 'copies',
  ATTACH: 'attaches', DETACH: 'attaches', USE: 'attaches',
  INSTALL: 'installs', LOAD: 'installs', UNINSTALL: 'installs', UPDATE_EXTENSIONS: 'installs',
  SET: 'sets', RESET: 'sets', PRAGMA: 'sets', CALL: 'sets',
};
/** Table functions that read files (their names, as DuckDB and its extensions know them). */
const FILE_FUNCTIONS = new Set([
  'read_csv', 'read_csv_auto', 'read_parquet', 'parquet_scan', 'parquet_metadata', 'parquet_schema', 'parquet_file_metadata',
  'parquet_kv_metadata', 'parquet_bloom_probe', 'read_json', 'read_json_auto', 'read_json_objects', 'read_json_objects_auto',
  'read_ndjson', 'read_ndjson_auto', 'read_ndjson_objects', 'read_text', 'read_blob', 'glob', 'sniff_csv', 'read_xlsx',
  'iceberg_scan', 'iceberg_metadata', 'iceberg_snapshots', 'delta_scan', 'sqlite_scan', 'sqlite_attach', 'postgres_scan',
  'postgres_attach', 'postgres_query', 'mysql_scan', 'mysql_query', 'st_read', 'st_read_meta', 'read_xlsx', 'load_aws_credentials',
]);
/** Functions that run other SQL, change the engine or show its secrets. */
const OTHER_FUNCTIONS = new Set([
  'query', 'query_table', 'checkpoint', 'force_checkpoint', 'enable_logging', 'disable_logging', 'truncate_duckdb_logs',
  'duckdb_secrets', 'which_secret', 'arrow_scan', 'arrow_scan_dumb', 'seq_scan', 'setseed', 'nextval',
]);
/** Plan operators that change something. */
const WRITING_OPERATORS = /^(INSERT|UPDATE|DELETE|MERGE_INTO|CREATE|BATCH_CREATE|DROP|ALTER|COPY|BATCH_COPY|EXPORT|ATTACH|DETACH|SET|RESET|LOAD|PRAGMA|VACUUM|TRANSACTION|CHECKPOINT|UPDATE_EXTENSIONS)/;
/** Leaves of a plan that read no table: constants, row generators and reuses of other parts of the plan. */
const INNER_LEAVES = new Set(['DUMMY_SCAN', 'COLUMN_DATA_SCAN', 'EMPTY_RESULT', 'EXPRESSION_SCAN', 'DELIM_SCAN', 'CTE_SCAN', 'REC_CTE_SCAN', 'RECURSIVE_CTE_SCAN', 'CHUNK_SCAN', 'POSITIONAL_SCAN', 'RESULT_COLLECTOR']);
/** Table functions a cell may use: row generators, and the catalog's names and columns (SHOW TABLES). */
const SAFE_FUNCTIONS = new Set(['RANGE', 'GENERATE_SERIES', 'UNNEST', 'REPEAT', 'REPEAT_ROW', 'DUCKDB_TABLES', 'DUCKDB_VIEWS', 'DUCKDB_COLUMNS', 'DUCKDB_SCHEMAS', 'DUCKDB_DATABASES', 'DUCKDB_TYPES', 'DUCKDB_KEYWORDS', 'DUCKDB_FUNCTIONS', 'PRAGMA_TABLE_INFO', 'SUMMARY']);

/** The names of the tables a SQL cell can query: the canonical ones, then each model's output tables. */
export function queryableNames(models: Registry): string[] {
  return [...new Set([...CANONICAL_TABLES, ...Object.values(models).flatMap((m) => m.writes)])];
}

/** A queryable table that exists now, with its columns (internal ones, starting with `__`, left out). */
export interface QueryableTable {
  name: string;
  /** `data` for a canonical table, else the model whose output it is. */
  source: string;
  columns: SqlColumn[];
}

/** The queryable tables that exist now (a model's appear once its cell has run; they hold its last run). */
export async function queryableTables(db: Db, models: Registry): Promise<QueryableTable[]> {
  const names = queryableNames(models);
  const cols = await rows<{ table_name: string; column_name: string; data_type: string }>(
    db,
    `SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name IN (current_database(), 'crm_packed') AND table_name IN (${names.map(lit).join(', ')})
       AND NOT starts_with(column_name, '__') ORDER BY column_index`,
  );
  const owner = (name: string) => (CANONICAL_TABLES.includes(name as never) ? 'data' : (Object.entries(models).find(([, m]) => m.writes.includes(name))?.[0] ?? 'data'));
  return names
    .filter((name) => cols.some((c) => c.table_name === name))
    .map((name) => ({ name, source: owner(name), columns: cols.filter((c) => c.table_name === name).map((c) => ({ name: c.column_name, type: c.data_type })) }));
}

/**
 * The lexical check: the statement's tokens and its text with each `;` blanked (so that it can be put inside another
 * query), or null when the text does not lex (an unterminated string or comment, which DuckDB's parser then places).
 */
function checkText(sql: string): { stmt: Token[]; body: string } | null {
  let tokens: Token[];
  try {
    tokens = lex(sql);
  } catch (e) {
    if (e instanceof LexError) return null;
    throw e;
  }
  const parts = statements(tokens);
  if (parts.length === 0) throw new SqlRefused('empty');
  if (parts.length > 1) throw new SqlRefused('multiple', { n: parts.length });
  const stmt = parts[0];
  checkStart(stmt);
  stmt.forEach((t, i) => {
    const next = stmt[i + 1];
    if ((t.kind === 'word' || t.kind === 'quoted') && next?.kind === 'op' && next.text === '(') {
      const name = t.text.toLowerCase();
      if (FILE_FUNCTIONS.has(name)) throw new SqlRefused('reads_files', { name: t.text });
      if (OTHER_FUNCTIONS.has(name)) throw new SqlRefused('function', { name: t.text });
    }
    // FROM 'file.csv': DuckDB reads a file named in quotes where a table goes.
    const prev = stmt[i - 1];
    if (t.kind === 'string' && prev?.kind === 'word' && /^(FROM|JOIN)$/i.test(prev.text)) throw new SqlRefused('reads_files', { name: `'${t.text}'` });
  });
  let body = sql;
  if (tokens.some((t) => t.kind === 'end')) {
    const ends = new Set(tokens.filter((t) => t.kind === 'end').map((t) => t.at));
    body = sql.split('').map((c, i) => (ends.has(i) ? ' ' : c)).join('');
  }
  return { stmt, body };
}

/** The statement starts with a word that only reads (after EXPLAIN [ANALYZE] [(options)], the explained one too). */
function checkStart(stmt: Token[]): void {
  let i = 0;
  while (stmt[i]?.kind === 'op' && stmt[i].text === '(') i++;
  const first = stmt[i];
  if (!first) throw new SqlRefused('empty');
  const word = first.kind === 'word' ? first.text.toUpperCase() : first.text;
  if (!READS.has(word)) throw new SqlRefused(FIRST_WORD[word] ?? 'not_query', { keyword: word });
  if (word !== 'EXPLAIN') return;
  let j = i + 1;
  if (/^ANALY[SZ]E$/i.test(stmt[j]?.text ?? '')) j++;
  if (stmt[j]?.kind === 'op' && stmt[j].text === '(') {
    let depth = 0;
    do {
      if (stmt[j].text === '(') depth++;
      if (stmt[j].text === ')') depth--;
      j++;
    } while (j < stmt.length && depth > 0);
  }
  const inner = stmt.slice(j);
  if (inner[0]?.kind === 'word' && inner[0].text.toUpperCase() === 'EXPLAIN') throw new SqlRefused('not_query', { keyword: 'EXPLAIN EXPLAIN' });
  checkStart(inner);
}

interface PlanNode {
  name: string;
  children?: PlanNode[];
  extra_info?: Record<string, unknown>;
}

/** The tables a plan scans and the operators and functions it uses. */
function planParts(nodes: PlanNode[]): { tables: Set<string>; writes: string[]; functions: string[]; leaves: string[] } {
  const out = { tables: new Set<string>(), writes: [] as string[], functions: [] as string[], leaves: [] as string[] };
  const walk = (node: PlanNode) => {
    const name = node.name.trim();
    const info = node.extra_info ?? {};
    if (WRITING_OPERATORS.test(name)) out.writes.push(name);
    // Native DuckDB names the table with its database and schema (memory.main.orders); the app attaches no database
    // of another kind, and a cell cannot attach one.
    if (typeof info.Table === 'string') out.tables.add(info.Table.split('.').at(-1)!);
    else if (typeof info.Function === 'string') out.functions.push(info.Function.toUpperCase());
    else if (!node.children?.length) out.leaves.push(name);
    node.children?.forEach(walk);
  };
  nodes.forEach(walk);
  return out;
}

async function plan(db: Db, sql: string): Promise<PlanNode[]> {
  const [row] = await rows<{ explain_value: string }>(db, `EXPLAIN (FORMAT JSON) ${sql}`);
  return row ? (JSON.parse(row.explain_value) as PlanNode[]) : [];
}

/** The tables a statement may scan: the queryable ones, and the tables their views read (purchases reads order_totals). */
async function scannable(db: Db, names: string[]): Promise<Set<string>> {
  const views = await rows<{ view_name: string }>(db, `SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal AND view_name IN (${names.map(lit).join(', ')})`);
  const out = new Set(names);
  for (const { view_name } of views) for (const t of planParts(await plan(db, `SELECT * FROM ${ident(view_name)}`)).tables) out.add(t);
  return out;
}

/** The plan check: nothing written, and only queryable tables, constants and row generators read. */
async function checkPlan(db: Db, sql: string, names: string[]): Promise<void> {
  const parts = planParts(await plan(db, sql));
  if (parts.writes.length) throw new SqlRefused('writes', { keyword: parts.writes[0].replaceAll('_', ' ') });
  for (const f of parts.functions) {
    if (SAFE_FUNCTIONS.has(f)) continue;
    throw new SqlRefused(FILE_FUNCTIONS.has(f.toLowerCase()) || /^READ_|SCAN$/.test(f) ? 'reads_files' : 'function', { name: f.toLowerCase() });
  }
  for (const leaf of parts.leaves) if (!INNER_LEAVES.has(leaf)) throw new SqlRefused('function', { name: leaf.toLowerCase() });
  if (![...parts.tables].length) return;
  const allowed = await scannable(db, names);
  for (const t of parts.tables) {
    if (allowed.has(t)) continue;
    const existing = await rows<{ name: string }>(db, `SELECT table_name AS name FROM duckdb_tables() WHERE database_name = current_database() UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND NOT internal`);
    throw new SqlRefused('table', { name: t, tables: names.filter((n) => existing.some((e) => e.name === n)).join(', ') });
  }
}

/** The SQL that turns a column of DuckDB type `type` into what a cell shows (see SqlResult). */
function shown(column: string, type: string): string {
  if (/^(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT|UHUGEINT|FLOAT|DOUBLE|DECIMAL)/.test(type)) return `${column}::DOUBLE`;
  if (type === 'BOOLEAN' || type === 'VARCHAR') return column;
  if (type === 'DATE') return `strftime(${column}, '%Y-%m-%d')`;
  if (/^TIMESTAMP/.test(type)) return `strftime(${column}::TIMESTAMP, '%Y-%m-%d %H:%M:%S')`;
  return `${column}::VARCHAR`;
}

function values(table: Table, count: number): SqlResult['rows'] {
  const cols = table.schema.fields.map((f) => table.getChild(f.name)!);
  const out: SqlResult['rows'] = [];
  for (let i = 0; i < Math.min(count, table.numRows); i++) {
    out.push(
      cols.map((c) => {
        const v = c.get(i) as unknown;
        if (v === null || v === undefined) return null;
        if (typeof v === 'bigint') return Number(v);
        if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
        return String(v);
      }),
    );
  }
  return out;
}

/**
 * Run a SQL cell's statement: the first `limit` rows of its result, or SqlRefused (nothing run), or DuckDB's error.
 * `models` names the output tables a cell can query besides the canonical ones.
 */
export async function runSql(db: Db, sql: string, models: Registry, limit = SQL_ROW_LIMIT): Promise<SqlResult> {
  const checked = checkText(sql);
  // DuckDB's parser and binder: a syntax error or an unknown table says where, in the cell's own text.
  await db.prepare(sql);
  // DuckDB parsed what the lexer could not: refuse rather than guess.
  if (!checked) throw new SqlRefused('not_query', { keyword: sql.trim().split(/\s+/)[0] ?? '' });
  const { stmt } = checked;
  // Ends with a line break, so that a closing `-- comment` of the cell ends before what is put around the statement.
  const body = checked.body + '\n';
  const names = queryableNames(models);
  if (stmt[0].kind === 'word' && stmt[0].text.toUpperCase() === 'EXPLAIN') {
    await checkPlan(db, body.slice(innerStart(stmt)), names);
    const table = await db.queryReadOnly(body);
    return { columns: table.schema.fields.map((f) => ({ name: f.name, type: 'VARCHAR' })), rows: values(table, limit), truncated: table.numRows > limit, limit };
  }
  await checkPlan(db, body, names);
  const described = await rows<{ column_name: string; column_type: string }>(db, `DESCRIBE SELECT * FROM (\n${body}) AS cell`);
  const columns = described.map((d) => ({ name: d.column_name, type: d.column_type }));
  const aliases = columns.map((_, i) => `c${i + 1}`);
  const select = columns.map((c, i) => `${shown(aliases[i], c.type)} AS ${aliases[i]}`).join(', ');
  const table = await db.queryReadOnly(`SELECT ${select} FROM (\n${body}) AS cell(${aliases.join(', ')}) LIMIT ${limit + 1}`);
  return { columns, rows: values(table, limit), truncated: table.numRows > limit, limit };
}

/** Where the explained statement starts (after EXPLAIN [ANALYZE] [(options)]). */
function innerStart(tokens: Token[]): number {
  let j = 1;
  if (/^ANALY[SZ]E$/i.test(tokens[j]?.text ?? '')) j++;
  if (tokens[j]?.kind === 'op' && tokens[j].text === '(') {
    let depth = 0;
    do {
      if (tokens[j].text === '(') depth++;
      if (tokens[j].text === ')') depth--;
      j++;
    } while (j < tokens.length && depth > 0);
  }
  return tokens[j]?.at ?? 0;
}

/** Run a statement for a cell that shows the failure in its place instead of throwing. */
export async function answerSql(db: Db, sql: string, models: Registry, limit = SQL_ROW_LIMIT): Promise<SqlResult | SqlFailure> {
  try {
    return await runSql(db, sql, models, limit);
  } catch (e) {
    if (e instanceof SqlRefused) return { error: { message: e.message, code: e.code, params: e.params } };
    return { error: { message: duckdbText(e) } };
  }
}

/** DuckDB's error as the user reads it: its text with the line and the caret under the position, the SQL it ran trimmed. */
export function duckdbText(e: unknown): string {
  const text = (e instanceof Error ? e.message : String(e)).replace(/^Error:\s*/, '').trim();
  // DuckDB-WASM repeats the line-and-caret paragraph of a parser error.
  return text.split('\n\n').filter((p, i, all) => p !== all[i - 1]).join('\n\n');
}
