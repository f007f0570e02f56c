/**
 * Churn warning (MODELS.md §5–§6): customers with a low P(alive) or a slipping purchase cadence, ranked by
 * value at risk, as a call list.
 *
 * Definitions:
 * - P(alive) is the purchase model's at D − 1 (calibration through the last day analysed), so the list is
 *   about now, whatever calibration end the CLV cell uses to check the model;
 * - slipping is the shared cadence flag of src/models/cadence.ts (≥ 3 purchase days and recency > 1.5 × the
 *   median gap), not redefined here;
 * - value at risk = the CLV the customer would bring over the horizon were they still active:
 *   CLV / P(alive) (the model's discounted expected purchases given alive × expected spend × margin). Where no
 *   model value exists (the model could not be fitted) it falls back to historical monetary, the sum of the
 *   customer's purchases before D; `value_basis` says which.
 */
import { ident, rows, type Db } from '../db/db.ts';
import { slippingSql, type CadenceSettings } from './cadence.ts';
import { tableNames } from './clv/sql.ts';
import { ensureCustomerSummary } from './customer-days.ts';
import type { Prepared } from './prepared.ts';

export interface ChurnSettings {
  /** Flag customers whose P(alive) is below this (default 0.5). */
  pAliveBelow?: number;
  /** Flag customers whose cadence is slipping (default true). */
  slipping?: boolean;
  cadence?: CadenceSettings;
}

/** Why a customer is on the list, and what is at stake. */
export interface ChurnRow {
  rank: number;
  customer_id: string;
  name: string | null;
  phone: string | null;
  low_p_alive: boolean;
  slipping: boolean;
  p_alive: number | null;
  last_day: string;
  recency_days: number;
  purchase_days: number;
  median_gap_days: number | null;
  monetary: number;
  clv: number | null;
  value_at_risk: number;
  value_basis: 'predicted' | 'historical';
}

export interface ChurnSummary {
  as_of: string;
  threshold: number;
  include_slipping: boolean;
  /** The model's error when no purchase model could be fitted (the list then rests on cadence alone). */
  model_error: string | null;
  customers: number;
  flagged: number;
  low_p_alive: number;
  slipping: number;
  both: number;
  value_at_risk: number;
}

/**
 * Builds table `churn_list` from a scores table (customer_id, p_alive, clv; null when there is no model)
 * and the cadence at D (from the customer summary, kept in `prepared`), and returns its totals.
 */
export async function buildChurn(
  db: Db,
  opts: { asOf: string; scores: string | null; settings?: ChurnSettings; modelError?: string | null; prepared?: Prepared },
): Promise<ChurnSummary> {
  const threshold = opts.settings?.pAliveBelow ?? 0.5;
  if (!(threshold > 0 && threshold <= 1)) throw new Error(`the P(alive) threshold must be in (0, 1], got ${threshold}`);
  const includeSlipping = opts.settings?.slipping ?? true;
  await ensureCustomerSummary(db, opts.asOf, opts.prepared ?? new Map());
  const scores = opts.scores
    ? `SELECT customer_id, p_alive, clv FROM ${ident(opts.scores)}`
    : `SELECT NULL::VARCHAR AS customer_id, NULL::DOUBLE AS p_alive, NULL::DOUBLE AS clv WHERE false`;
  const people = (await tableNames(db)).has('customers')
    ? `SELECT customer_id, min(name) AS name, min(phone) AS phone FROM customers GROUP BY customer_id`
    : `SELECT NULL::VARCHAR AS customer_id, NULL::VARCHAR AS name, NULL::VARCHAR AS phone WHERE false`;
  // Flag first, then look up names and format days for the flagged customers only.
  await db.query(`CREATE OR REPLACE TABLE churn_list AS
    WITH c AS (SELECT customer_id, last_day, recency_days, purchase_days, median_gap_days, revenue AS monetary,
          ${slippingSql(opts.settings?.cadence)} AS slipping FROM customer_summary),
      s AS (${scores}),
      p AS (${people}),
      base AS (
        SELECT c.customer_id, coalesce(s.p_alive < ${threshold}, false) AS low_p_alive, c.slipping, s.p_alive,
          c.last_day, c.recency_days, c.purchase_days, c.median_gap_days, c.monetary, s.clv,
          CASE WHEN s.p_alive > 0 AND s.clv IS NOT NULL THEN s.clv / s.p_alive END AS if_alive
        FROM c LEFT JOIN s USING (customer_id)),
      flagged AS (SELECT * FROM base WHERE low_p_alive OR (slipping AND ${includeSlipping}))
    SELECT (row_number() OVER (ORDER BY coalesce(if_alive, monetary) DESC, customer_id))::INTEGER AS rank,
      customer_id, p.name, p.phone, low_p_alive, slipping, p_alive, strftime(last_day, '%Y-%m-%d') AS last_day, recency_days,
      purchase_days, median_gap_days, monetary, clv,
      coalesce(if_alive, monetary) AS value_at_risk, CASE WHEN if_alive IS NULL THEN 'historical' ELSE 'predicted' END AS value_basis
    FROM flagged LEFT JOIN p USING (customer_id)
    ORDER BY rank`);
  const [t] = await rows<Omit<ChurnSummary, 'as_of' | 'threshold' | 'include_slipping' | 'model_error'>>(
    db,
    `SELECT (SELECT count(*) FROM customer_summary)::DOUBLE AS customers,
      count(*)::DOUBLE AS flagged, count(*) FILTER (WHERE low_p_alive)::DOUBLE AS low_p_alive,
      count(*) FILTER (WHERE slipping)::DOUBLE AS slipping, count(*) FILTER (WHERE low_p_alive AND slipping)::DOUBLE AS both,
      coalesce(sum(value_at_risk), 0)::DOUBLE AS value_at_risk
    FROM churn_list`,
  );
  const { customers, flagged, low_p_alive, slipping, both, value_at_risk } = t;
  return { as_of: opts.asOf, threshold, include_slipping: includeSlipping, model_error: opts.modelError ?? null, customers, flagged, low_p_alive, slipping, both, value_at_risk };
}

/** A page of the churn list, highest value at risk first. */
export async function churnCustomers(db: Db, opts: { limit?: number; offset?: number } = {}): Promise<ChurnRow[]> {
  const page = opts.limit !== undefined ? `LIMIT ${Math.floor(opts.limit)} OFFSET ${Math.floor(opts.offset ?? 0)}` : '';
  return rows<ChurnRow>(db, `SELECT * FROM churn_list ORDER BY rank ${page}`);
}

/** Columns of the exported call list, in order. */
export const CHURN_EXPORT_COLUMNS = [
  'rank', 'customer_id', 'name', 'phone', 'reason', 'p_alive', 'last_day', 'recency_days', 'median_gap_days', 'monetary', 'clv', 'value_at_risk', 'value_basis',
] as const;

/** SQL of the exported call list: the reason as `low_p_alive`, `slipping` or both joined by `+`, money rounded to cents. */
export function churnExportSql(): string {
  return `SELECT rank, customer_id, name, phone,
      concat_ws('+', CASE WHEN low_p_alive THEN 'low_p_alive' END, CASE WHEN slipping THEN 'slipping' END) AS reason,
      round(p_alive, 4) AS p_alive, last_day, recency_days, median_gap_days, round(monetary, 2) AS monetary, round(clv, 2) AS clv,
      round(value_at_risk, 2) AS value_at_risk, value_basis
    FROM churn_list ORDER BY rank`;
}
