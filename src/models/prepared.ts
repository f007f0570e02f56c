/**
 * Derived tables that models build once and reuse while the loaded data stays the same, so that a
 * setting change re-runs only a small aggregate. The engine owns one `Prepared` and clears it whenever
 * a source is applied or removed; the CLI keeps one for its run; a model called without one builds what
 * it needs afresh.
 */
import type { Db } from '../db/db.ts';
import { checkAsOf, purchaseSpan, type PurchaseSpan } from './asof.ts';

/** Table name → the inputs (as a key string) its current contents were built from. */
export type Prepared = Map<string, string>;

const BUILDING = '\0building';

/**
 * Run `build` unless `prepared` records `name` as built for `key`. A build that the engine's clearing
 * overtakes (new data arrived meanwhile) is not recorded, so the next call builds again.
 * Returns whether it built.
 */
export async function ensureBuilt(prepared: Prepared | undefined, name: string, key: string, build: () => Promise<unknown>): Promise<boolean> {
  if (prepared?.get(name) === key) return false;
  prepared?.set(name, BUILDING);
  await build();
  if (prepared?.get(name) === BUILDING) prepared.set(name, key);
  return true;
}

/** Make `table` hold `select` for `key`, rebuilding it unless it already does. */
export function ensureTable(db: Db, prepared: Prepared | undefined, table: string, key: string, select: () => string): Promise<boolean> {
  return ensureBuilt(prepared, table, key, () => db.query(`CREATE OR REPLACE TABLE ${table} AS ${select()}`));
}

/**
 * The as-of date: the user's (checked against the purchases: at least one must lie before it), else the default
 * (the day after the latest purchase). The purchase span is looked up once per data version.
 */
export async function asOfDate(db: Db, asOf: string | null | undefined, prepared?: Prepared): Promise<string> {
  const known = prepared?.get('purchase_span');
  if (known && known !== BUILDING) return checkAsOf(asOf, JSON.parse(known) as PurchaseSpan);
  prepared?.set('purchase_span', BUILDING);
  const span = await purchaseSpan(db);
  if (prepared?.get('purchase_span') === BUILDING) prepared.set('purchase_span', JSON.stringify(span));
  return checkAsOf(asOf, span);
}
