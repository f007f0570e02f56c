/**
 * The as-of date D every model measures against: the day after the latest purchase unless the user sets one.
 * A date the user sets must leave at least one purchase before it; every model (and the customer panel) takes
 * its date from here, so a date before the first purchase gets the same message everywhere.
 */
import { one, type Db } from '../db/db.ts';
import { ModelDataError } from './data-error.ts';

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The first purchase day and the default as-of date (the day after the last purchase), null without purchases. */
export interface PurchaseSpan {
  first: string | null;
  next: string | null;
}

/** Read the purchase span of the loaded orders. */
export async function purchaseSpan(db: Db): Promise<PurchaseSpan> {
  const r = await one<{ first: string | null; next: string | null }>(
    db,
    `SELECT strftime(min(order_day), '%Y-%m-%d') AS first, strftime(max(order_day) + 1, '%Y-%m-%d') AS next FROM purchases`,
  );
  return { first: r.first ?? null, next: r.next ?? null };
}

/** The as-of date for `asOf` (the user's, or null for the default) given the purchase span; throws when none can be used. */
export function checkAsOf(asOf: string | null | undefined, span: PurchaseSpan): string {
  if (asOf && (!ISO_DAY.test(asOf) || Number.isNaN(Date.parse(asOf + 'T00:00:00Z')))) throw new Error(`as-of date must be YYYY-MM-DD, got "${asOf}"`);
  if (!span.first || !span.next) throw new Error('there are no purchases to analyse');
  if (!asOf) return span.next;
  // Models count purchases before D: on or before the first purchase day there are none.
  if (asOf <= span.first) {
    throw new ModelDataError(
      'as_of_before_data',
      { as_of: asOf, first_day: span.first },
      `there are no purchases before the as-of date ${asOf}: the first purchase is on ${span.first}; choose a later as-of date`,
    );
  }
  return asOf;
}

/** Resolve the as-of date as `YYYY-MM-DD` (reads the purchase span; see asOfDate in prepared.ts for the cached one). */
export async function resolveAsOf(db: Db, asOf?: string | null): Promise<string> {
  return checkAsOf(asOf, await purchaseSpan(db));
}

/** A DATE literal for SQL. */
export function dateLit(day: string): string {
  return `DATE '${day}'`;
}
