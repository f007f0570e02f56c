/**
 * Cohorts (MODELS.md §4): customers grouped by the calendar period of their first purchase, and for each
 * later period k how many of them bought again and what they spent.
 *
 * Definitions: a cohort member is "active" in period k when they have at least one purchase in period
 * c + k (period 0 is the first purchase period, so its retention is 100%); retention = active / cohort
 * size; revenue(c, k) = net amount of the cohort's purchases in that period; revenue retention =
 * revenue(c, k) / revenue(c, 0); cumulative revenue per customer = revenue of periods 0..k / size.
 * Only purchases before the as-of date D count, and a period that starts on or after D is not reported,
 * so the last period of each cohort (the one holding D − 1) may be partial.
 */
import { one, rows, type Db } from '../db/db.ts';
import { dateLit } from './asof.ts';
import { ensureCustomerDays } from './customer-days.ts';
import { periodIndexSql, periodLabelSql, periodStartSql, PERIOD_UNITS, type PeriodUnit } from './periods.ts';
import { asOfDate, ensureTable, type Prepared } from './prepared.ts';

export interface CohortSettings {
  asOf?: string | null;
  /** Cohort and period length (default month). */
  unit?: PeriodUnit;
}

export interface CohortCell {
  cohort: string;
  period: number;
  size: number;
  active: number;
  retention: number;
  revenue: number;
  /** revenue(c, k) / revenue(c, 0); null when the cohort's first-period revenue is 0. */
  revenue_retention: number | null;
  cumulative_revenue_per_customer: number;
}

export interface CohortRow {
  cohort: string;
  /** First day of the cohort's period (YYYY-MM-DD). */
  start: string;
  size: number;
  revenue: number;
  /** Periods reported for this cohort (0..periods − 1). */
  periods: number;
}

/** Across cohorts that have reached period k: customer-weighted retention and revenue per customer. */
export interface CohortAverage {
  period: number;
  cohorts: number;
  customers: number;
  retention: number;
  revenue_per_customer: number;
}

export interface CohortResult {
  as_of: string;
  unit: PeriodUnit;
  cohorts: CohortRow[];
  cells: CohortCell[];
  average: CohortAverage[];
}

/**
 * The retention matrix at D. `prepared` (the engine's) keeps the per-cohort-period aggregate between
 * calls, so changing the unit back or the as-of date re-runs only a small query.
 */
export async function cohorts(db: Db, settings: CohortSettings = {}, prepared?: Prepared): Promise<CohortResult> {
  const unit = settings.unit ?? 'month';
  if (!PERIOD_UNITS.includes(unit)) throw new Error(`cohort unit must be one of ${PERIOD_UNITS.join(', ')}, got "${unit}"`);
  const asOf = await asOfDate(db, settings.asOf, prepared);
  const D = dateLit(asOf);
  const days = await ensureCustomerDays(db, prepared);
  // Active customers and revenue per (cohort, period) over all purchases, with each cell's last day:
  // a few hundred rows, so that any as-of date reads them instead of every purchase day.
  const base = `cohort_cells_${unit}`;
  await ensureTable(db, prepared, base, days, () =>
    `SELECT c, p, count(*)::DOUBLE AS active, sum(revenue) AS revenue, max(last_in) AS last_in
     FROM (SELECT cid, ${periodIndexSql(unit, 'first_day')} AS c, ${periodIndexSql(unit, 'order_day')} AS p,
             sum(revenue) AS revenue, max(order_day) AS last_in
           FROM customer_days GROUP BY ALL)
     GROUP BY c, p`,
  );
  const pd = periodIndexSql(unit, `(${D} - 1)`);
  // The period holding D − 1 can be read from the aggregate only when none of its purchases is on or
  // after D; otherwise it is counted again from the purchase days of that period before D.
  const { exact } = await one<{ exact: boolean }>(db, `SELECT coalesce((SELECT max(last_in) FROM ${base} WHERE p = ${pd}) < ${D}, true) AS exact`);
  const activity = exact
    ? `SELECT c, p, active, revenue FROM ${base} WHERE p <= ${pd}`
    : `SELECT c, p, active, revenue FROM ${base} WHERE p < ${pd}
       UNION ALL
       SELECT c, ${pd} AS p, count(DISTINCT cid)::DOUBLE AS active, sum(revenue) AS revenue
       FROM (SELECT cid, ${periodIndexSql(unit, 'first_day')} AS c, revenue FROM customer_days
             WHERE order_day >= ${periodStartSql(unit, pd)} AND order_day < ${D})
       GROUP BY c`;
  const cells = await rows<CohortCell & { start: string }>(
    db,
    `WITH act AS (${activity}),
      sizes AS (SELECT c, active AS size, revenue AS first_revenue FROM act WHERE p = c),
      grid AS (SELECT c, unnest(range(0, ${pd} - c + 1)) AS k FROM sizes)
    SELECT ${periodLabelSql(unit, 'grid.c')} AS cohort, strftime(${periodStartSql(unit, 'grid.c')}, '%Y-%m-%d') AS start, grid.k::INTEGER AS period, size,
      coalesce(act.active, 0) AS active, coalesce(act.active, 0) / size AS retention,
      coalesce(act.revenue, 0) AS revenue, coalesce(act.revenue, 0) / nullif(first_revenue, 0) AS revenue_retention,
      sum(coalesce(act.revenue, 0)) OVER (PARTITION BY grid.c ORDER BY grid.k) / size AS cumulative_revenue_per_customer
    FROM grid JOIN sizes USING (c) LEFT JOIN act ON act.c = grid.c AND act.p = grid.c + grid.k
    ORDER BY grid.c, grid.k`,
  );
  const cohortRows: CohortRow[] = [];
  for (const cell of cells) {
    if (cell.period === 0) cohortRows.push({ cohort: cell.cohort, start: cell.start, size: cell.size, revenue: 0, periods: 0 });
    const row = cohortRows[cohortRows.length - 1];
    row.revenue += cell.revenue;
    row.periods++;
  }
  return {
    as_of: asOf,
    unit,
    cohorts: cohortRows,
    cells: cells.map(({ start: _, ...cell }) => cell),
    average: averages(cells),
  };
}

/** Customer-weighted means per period over the cohorts that have reached it. */
function averages(cells: CohortCell[]): CohortAverage[] {
  const out: CohortAverage[] = [];
  for (const cell of cells) {
    const a = (out[cell.period] ??= { period: cell.period, cohorts: 0, customers: 0, retention: 0, revenue_per_customer: 0 });
    a.cohorts++;
    a.customers += cell.size;
    a.retention += cell.active;
    a.revenue_per_customer += cell.revenue;
  }
  return out.map((a) => ({ ...a, retention: a.retention / a.customers, revenue_per_customer: a.revenue_per_customer / a.customers }));
}
