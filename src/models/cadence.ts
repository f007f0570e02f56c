/**
 * Personal purchase cadence (MODELS.md §5): a customer with ≥ 3 distinct purchase days whose recency
 * exceeds 1.5 × the median gap between consecutive purchase days is "slipping", whatever their stage.
 * Shared by the lifecycle cell and the churn warning so both flag the same customers: they read the
 * customer summary's purchase days and median gap (customer-days.ts) with `slippingSql`; `cadenceSql` counts
 * the same from the purchases.
 */
import type { Db } from '../db/db.ts';
import { dateLit } from './asof.ts';

export interface CadenceSettings {
  /** Slipping when recency_days > factor × median gap (default 1.5). */
  factor?: number;
  /** Distinct purchase days needed before a cadence counts (default 3). */
  minDays?: number;
}

/**
 * SQL for one row per customer with purchases before D: recency_days, distinct purchase days, the median
 * gap in days between consecutive purchase days (DuckDB's `median` is the mean of the middle two for an
 * even count) and the slipping flag.
 */
export function cadenceSql(asOf: string, settings: CadenceSettings = {}): string {
  const D = dateLit(asOf);
  return `WITH days AS (
      SELECT DISTINCT customer_id, order_day FROM customer_purchases WHERE order_day < ${D}),
    gaps AS (
      SELECT customer_id, order_day, (order_day - lag(order_day) OVER (PARTITION BY customer_id ORDER BY order_day))::DOUBLE AS gap FROM days),
    per AS (
      SELECT customer_id, (${D} - max(order_day))::INTEGER AS recency_days, count(*)::INTEGER AS purchase_days,
        median(gap)::DOUBLE AS median_gap_days
      FROM gaps GROUP BY customer_id)
    SELECT customer_id, recency_days, purchase_days, median_gap_days, ${slippingSql(settings)} AS slipping
    FROM per`;
}

/**
 * The slipping flag as SQL over columns `recency_days`, `purchase_days` and `median_gap_days` (as
 * `cadenceSql` and the customer summary have them): the one definition every model uses.
 */
export function slippingSql(settings: CadenceSettings = {}): string {
  const factor = Number(settings.factor ?? 1.5);
  const minDays = Math.floor(Number(settings.minDays ?? 3));
  return `coalesce(purchase_days >= ${minDays} AND recency_days > ${factor} * median_gap_days, false)`;
}

/** Build table `cadence` (customer_id, recency_days, purchase_days, median_gap_days, slipping) at D. */
export async function buildCadence(db: Db, asOf: string, settings: CadenceSettings = {}): Promise<void> {
  await db.query(`CREATE OR REPLACE TABLE cadence AS ${cadenceSql(asOf, settings)} ORDER BY customer_id`);
}
