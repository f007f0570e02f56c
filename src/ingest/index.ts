/** Ingest in two steps: read a file and guess its mapping; then apply a (possibly corrected) mapping and clean. */
import { ident, one, type Db } from '../db/db.ts';
import { cleanOrders, type CleaningReport, type CleaningSettings } from './clean.ts';
import { guessMapping, guessRole, missingRequired, profileColumns, type ColumnProfile, type Field, type Mapping, type Role } from './mapping.ts';
import { readSource, type RawSource, type ReadOptions } from './read.ts';
import { InputError } from './sniff.ts';
import { idSql, labelSql, timestampSql } from './values.ts';

export interface LoadedSource {
  raw: RawSource;
  profiles: ColumnProfile[];
  role: Role;
  mapping: Mapping;
  missing: Field[];
}

/** Read a file into raw table `slot` and guess its role and mapping. */
export async function loadFile(db: Db, file: string, bytes: Uint8Array, slot: string, opts: ReadOptions & { role?: Role } = {}): Promise<LoadedSource> {
  const raw = await readSource(db, file, bytes, slot, opts);
  const profiles = raw.format === 'baskets' ? [] : await profileColumns(db, raw.table, raw.columns);
  const role = opts.role ?? guessRole(profiles, raw.format);
  const mapping = guessMapping(profiles, role);
  return { raw, profiles, role, mapping, missing: missingRequired(mapping, role) };
}

export interface Applied {
  role: Role;
  report?: CleaningReport;
  rows: number;
}

/** Build the canonical table for a loaded source with `mapping`. */
export async function applyMapping(db: Db, source: LoadedSource, mapping: Mapping, settings: CleaningSettings = {}): Promise<Applied> {
  const { raw, role } = source;
  const missing = missingRequired(mapping, role);
  for (const [field, column] of Object.entries(mapping))
    if (column && !raw.columns.includes(column)) throw new InputError(raw.file, `the mapping names column "${column}" for ${field}, which the file does not have`);
  if (missing.length)
    throw new InputError(raw.file, `no column for ${missing.join(', ')}: choose one in the mapping (columns: ${raw.columns.join(', ')})`);
  if (role === 'orders') {
    const report = await cleanOrders(db, raw, mapping, settings);
    if (report.rows_loaded === 0) {
      const ex = report.examples.bad_date?.[0] ?? report.examples.bad_amount?.[0];
      throw new InputError(raw.file, `no row could be read: every date or amount was unreadable${ex ? ` (e.g. "${ex.value}")` : ''}`, ex?.line, ex?.column);
    }
    return { role, report, rows: report.rows_loaded };
  }
  if (role === 'baskets') return { role, rows: await buildBaskets(db, raw) };
  if (role === 'customers') return { role, rows: await buildCustomers(db, raw, mapping) };
  return { role, rows: await buildEvents(db, raw, mapping) };
}

/** Baskets from a basket-per-line file: basket id = line number, items kept exactly, repeats within a line once. */
async function buildBaskets(db: Db, raw: RawSource): Promise<number> {
  await db.query(`CREATE OR REPLACE TABLE baskets AS
    SELECT DISTINCT __line AS basket_id, item FROM (SELECT __line, unnest(string_split(items, ',')) AS item FROM ${ident(raw.table)})
    WHERE item <> '' ORDER BY basket_id, item`);
  return (await one<{ n: number }>(db, `SELECT count(DISTINCT basket_id)::DOUBLE AS n FROM baskets`)).n;
}

async function buildCustomers(db: Db, raw: RawSource, mapping: Mapping): Promise<number> {
  const col = (c?: string) => (c ? ident(c) : 'NULL');
  const mapped = new Set(Object.values(mapping));
  const extras = raw.columns.filter((c) => !mapped.has(c));
  await db.query(`CREATE OR REPLACE TABLE customers AS
    SELECT ${idSql(col(mapping.customer_id))} AS customer_id,
      ${mapping.first_seen ? timestampSql(col(mapping.first_seen), 'mdy') : 'NULL::TIMESTAMP'} AS first_seen,
      ${['name', 'phone', 'email', 'region', 'channel'].map((f) => `${mapping[f as Field] ? labelSql(col(mapping[f as Field])) : 'NULL::VARCHAR'} AS ${f}`).join(', ')}
      ${extras.length ? ', ' + extras.map(ident).join(', ') : ''}
    FROM ${ident(raw.table)} WHERE ${idSql(col(mapping.customer_id))} IS NOT NULL`);
  return (await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM customers`)).n;
}

async function buildEvents(db: Db, raw: RawSource, mapping: Mapping): Promise<number> {
  await db.query(`CREATE OR REPLACE TABLE events AS
    SELECT ${idSql(ident(mapping.customer_id!))} AS customer_id, ${timestampSql(ident(mapping.event_ts!), 'mdy')} AS event_ts,
      trim(${ident(mapping.event!)}) AS event, __line
    FROM ${ident(raw.table)}`);
  return (await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM events WHERE customer_id IS NOT NULL AND event_ts IS NOT NULL`)).n;
}

export { InputError } from './sniff.ts';
export type { CleaningReport, CleaningSettings } from './clean.ts';
export type { Mapping, Role, Field, ColumnProfile } from './mapping.ts';
