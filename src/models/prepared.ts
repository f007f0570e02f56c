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

let builds = 0;
/** Builds under way, by the token their table's entry holds meanwhile (`BUILDING` + a serial + '|' + the key). */
const running = new Map<string, Promise<unknown>>();

/**
 * Run `build` unless `prepared` records `name` as built for `key`. A build that the engine's clearing
 * overtakes (new data arrived meanwhile) is not recorded, so the next call builds again. A call that finds
 * the same build under way (models of other lanes run side by side, and most start by asking for the same
 * customer tables) waits for it instead of building the table again.
 * Returns whether it built.
 */
export async function ensureBuilt(prepared: Prepared | undefined, name: string, key: string, build: () => Promise<unknown>): Promise<boolean> {
  for (;;) {
    const now = prepared?.get(name);
    if (now === key) return false;
    const pending = now?.startsWith(BUILDING) && now.slice(now.indexOf('|') + 1) === key ? running.get(now) : undefined;
    if (!pending) break;
    // Its failure is its caller's; here the loop looks again (and builds when nothing was recorded).
    await pending.catch(() => undefined);
  }
  const token = `${BUILDING}${++builds}|${key}`;
  prepared?.set(name, token);
  const done = build();
  running.set(token, done);
  try {
    await done;
  } finally {
    running.delete(token);
  }
  if (prepared?.get(name) === token) prepared.set(name, key);
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
  if (known && !known.startsWith(BUILDING)) return checkAsOf(asOf, JSON.parse(known) as PurchaseSpan);
  // Looked up once however many models ask at the same time.
  const pending = known ? (running.get(known) as Promise<PurchaseSpan> | undefined) : undefined;
  if (pending) return checkAsOf(asOf, await pending);
  const token = `${BUILDING}${++builds}|span`;
  prepared?.set('purchase_span', token);
  const reading = purchaseSpan(db);
  running.set(token, reading);
  let span: PurchaseSpan;
  try {
    span = await reading;
  } finally {
    running.delete(token);
  }
  if (prepared?.get('purchase_span') === token) prepared.set('purchase_span', JSON.stringify(span));
  return checkAsOf(asOf, span);
}
