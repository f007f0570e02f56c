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
import { isSmall, reportCount, type ReportCount } from '../report/privacy.ts';

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
  /** Customers and value at risk by reason: P(alive) low only, slipping only, both (each customer in one). */
  by_reason: ChurnReasonGroup[];
}

export type ChurnReason = 'low_only' | 'slipping_only' | 'both';

export interface ChurnReasonGroup {
  reason: ChurnReason;
  customers: number;
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
  const [t] = await rows<Omit<ChurnSummary, 'as_of' | 'threshold' | 'include_slipping' | 'model_error' | 'by_reason'>>(
    db,
    `SELECT (SELECT count(*) FROM customer_summary)::DOUBLE AS customers,
      count(*)::DOUBLE AS flagged, count(*) FILTER (WHERE low_p_alive)::DOUBLE AS low_p_alive,
      count(*) FILTER (WHERE slipping)::DOUBLE AS slipping, count(*) FILTER (WHERE low_p_alive AND slipping)::DOUBLE AS both,
      coalesce(sum(value_at_risk), 0)::DOUBLE AS value_at_risk
    FROM churn_list`,
  );
  const reasons = await rows<{ reason: ChurnReason; customers: number; value_at_risk: number }>(
    db,
    `SELECT CASE WHEN low_p_alive AND slipping THEN 'both' WHEN low_p_alive THEN 'low_only' ELSE 'slipping_only' END AS reason,
      count(*)::DOUBLE AS customers, sum(value_at_risk)::DOUBLE AS value_at_risk
    FROM churn_list GROUP BY 1`,
  );
  const by_reason = (['low_only', 'slipping_only', 'both'] as const).map(
    (reason) => reasons.find((g) => g.reason === reason) ?? { reason, customers: 0, value_at_risk: 0 },
  );
  const { customers, flagged, low_p_alive, slipping, both, value_at_risk } = t;
  return { as_of: opts.asOf, threshold, include_slipping: includeSlipping, model_error: opts.modelError ?? null, customers, flagged, low_p_alive, slipping, both, value_at_risk, by_reason };
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

/** The customer lists a churn report part may hold when opted in. */
export const CHURN_SHARE_LISTS = ['warning'] as const;

/** Rows of the warning list a report holds when it is opted in: the cell's first page. */
export const CHURN_SHARE_ROWS = 50;

/**
 * A warning-list row in a report: rank, customer, name, low P(alive), slipping, P(alive), days since the last
 * purchase, usual gap, last purchase, historical spend, predicted value, value at risk, basis (p: predicted, h: historical).
 */
export type ChurnShareRow = [
  rank: number,
  id: string,
  name: string | null,
  low: boolean,
  slipping: boolean,
  pAlive: number | null,
  recency: number,
  gap: number | null,
  lastDay: string,
  monetary: number,
  clv: number | null,
  valueAtRisk: number,
  basis: 'p' | 'h',
];

export interface ChurnShare {
  as_of: string;
  threshold: number;
  include_slipping: boolean;
  /** The purchase model behind P(alive), and its error when none could be fitted. */
  model: string;
  model_error: string | null;
  horizon_months: number;
  customers: ReportCount;
  flagged: ReportCount;
  low_p_alive: ReportCount;
  slipping: ReportCount;
  both: ReportCount;
  /** Hidden (null) when fewer than `minGroup` customers are flagged. */
  value_at_risk: number | null;
  /** Low P(alive) only, slipping only, both: [customers, value at risk (hidden for a small group)]. */
  reasons: [customers: ReportCount, valueAtRisk: number | null][];
  /** The opted-in list `warning`: the first rows, highest value at risk first. */
  list?: ChurnShareRow[];
}

/** The churn cell's report part: counts and value at risk by reason; the warning list only when opted in. */
export async function shareChurn(
  db: Db,
  s: ChurnSummary & { model: string },
  opts: { minGroup: number; lists: readonly string[]; horizonMonths: number },
): Promise<ChurnShare> {
  const { minGroup } = opts;
  const money = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  const out: ChurnShare = {
    as_of: s.as_of,
    threshold: s.threshold,
    include_slipping: s.include_slipping,
    model: s.model,
    model_error: s.model_error,
    horizon_months: opts.horizonMonths,
    customers: reportCount(s.customers, minGroup),
    flagged: reportCount(s.flagged, minGroup),
    low_p_alive: reportCount(s.low_p_alive, minGroup),
    slipping: reportCount(s.slipping, minGroup),
    both: reportCount(s.both, minGroup),
    value_at_risk: isSmall(s.flagged, minGroup) ? null : money(s.value_at_risk),
    reasons: s.by_reason.map((g) => [reportCount(g.customers, minGroup), isSmall(g.customers, minGroup) ? null : money(g.value_at_risk)]),
  };
  if (opts.lists.includes('warning')) {
    out.list = (await churnCustomers(db, { limit: CHURN_SHARE_ROWS })).map((c) => [
      c.rank,
      c.customer_id,
      c.name,
      c.low_p_alive,
      c.slipping,
      c.p_alive === null ? null : Math.round(c.p_alive * 10_000) / 10_000,
      c.recency_days,
      c.median_gap_days === null ? null : Math.round(c.median_gap_days),
      c.last_day,
      money(c.monetary)!,
      money(c.clv),
      money(c.value_at_risk)!,
      c.value_basis === 'predicted' ? 'p' : 'h',
    ]);
  }
  return out;
}
