/** The as-of date D every model measures against: the day after the latest purchase unless the user sets one. */
import { one, type Db } from '../db/db.ts';

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Resolve the as-of date as `YYYY-MM-DD`. */
export async function resolveAsOf(db: Db, asOf?: string | null): Promise<string> {
  if (asOf) {
    if (!ISO_DAY.test(asOf) || Number.isNaN(Date.parse(asOf + 'T00:00:00Z'))) throw new Error(`as-of date must be YYYY-MM-DD, got "${asOf}"`);
    return asOf;
  }
  const r = await one<{ d: string | null }>(db, `SELECT strftime(max(order_day) + 1, '%Y-%m-%d') AS d FROM purchases`);
  if (!r.d) throw new Error('there are no purchases to analyse');
  return r.d;
}

/** A DATE literal for SQL. */
export function dateLit(day: string): string {
  return `DATE '${day}'`;
}
