/**
 * Where the canonical tables of a large source live. DuckDB keeps ordinary in-memory tables uncompressed (order lines
 * take about 200 bytes each), and DuckDB-WASM's heap stops at about 3 GiB, so millions of lines do not fit beside the
 * raw table they are built from. Above `PACK_ROWS` source rows the canonical orders are written to an attached
 * in-memory database that stores them compressed (dictionary and FSST strings, bit-packed numbers: about a seventh of
 * the size), and the search path makes them readable by their plain names, so every model's SQL is unchanged.
 * Compressing makes writing the table two to three times as slow, so smaller sources are stored as they are.
 *
 * DuckDB compresses a table when it checkpoints, and a statement's new rows wait uncompressed until it commits: one
 * `CREATE TABLE … AS` of ten million lines would need the whole uncompressed table at once. `createTable` writes a
 * compressed table a million source lines at a time instead, checkpointing after each.
 */
import { ident, lit, rows, type Db } from '../db/db.ts';

/** The attached database holding compressed tables. */
export const PACKED = 'crm_packed';
/** Source rows above which the canonical orders are stored compressed. */
export const PACK_ROWS = 2_000_000;

/** The session's own database, and whether the compressed one is attached and on the search path. */
async function stores(db: Db): Promise<{ home: string; packed: boolean }> {
  const [{ home, path }] = await rows<{ home: string; path: string }>(db, `SELECT current_database() AS home, current_setting('search_path') AS path`);
  return { home, packed: path.split(',').includes(`${PACKED}.main`) };
}

/** The schema (the session's own or the compressed one) for canonical tables built from `sourceRows` rows. */
export async function storeFor(db: Db, sourceRows: number, packAbove = PACK_ROWS): Promise<string> {
  const { home, packed } = await stores(db);
  if (sourceRows <= packAbove) return `${ident(home)}.main`;
  if (!packed) await db.query(`ATTACH IF NOT EXISTS ':memory:' AS ${PACKED} (COMPRESS); SET search_path = ${lit(`${home}.main,${PACKED}.main`)}`);
  return `${PACKED}.main`;
}

/** Drop the canonical table `name` from both databases (a table of an earlier source may live in the other one). */
export async function dropCanonical(db: Db, name: string): Promise<void> {
  const { home, packed } = await stores(db);
  await db.query(`DROP TABLE IF EXISTS ${ident(home)}.main.${ident(name)}${packed ? `; DROP TABLE IF EXISTS ${PACKED}.main.${ident(name)}` : ''}`);
}

/** Source lines per statement when writing a compressed table. */
const CHUNK_LINES = 1_000_000;

/**
 * Create `table` (qualified, in `store`) from `select(where)`, a query over a raw table whose `__line` runs from `first`
 * to `last`; `where` is a condition on `__line` to put on that raw table. Row order follows `__line`.
 */
export async function createTable(
  db: Db, store: string, table: string, select: (where: string) => string, first: number, last: number, chunkLines = CHUNK_LINES,
): Promise<void> {
  const packed = store === `${PACKED}.main`;
  if (!packed || last - first < chunkLines) {
    await db.query(`CREATE TABLE ${table} AS ${select('true')}${packed ? `; CHECKPOINT ${PACKED}` : ''}`);
    return;
  }
  await db.query(`CREATE TABLE ${table} AS ${select('false')}`);
  for (let from = first; from <= last; from += chunkLines) {
    await db.query(`INSERT INTO ${table} ${select(`__line >= ${from} AND __line < ${from + chunkLines}`)}; CHECKPOINT ${PACKED}`);
  }
}
