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
import { round } from '../report/format.ts';
import { isSmall, reportCount, type ReportCount } from '../report/privacy.ts';
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

/**
 * A cohort in a report: its label, its size, and its retention in each period from 1 on, in percent at the precision
 * of the cell's matrix (0 decimals, 1 below 10 %); period 0 is 100 % by definition. A cohort of fewer than
 * `minGroup` customers shows "< minGroup" and hides its retention (null), as its counts would show.
 */
export type CohortShareRow = [cohort: string, size: ReportCount, ...retention_pct: (number | null)[]];

/** The cohorts cell in a report (src/report/views/cohorts.ts draws it). */
export interface CohortsShare {
  as_of: string;
  unit: PeriodUnit;
  /** How many cohorts there are (the matrix holds the latest `SHARE_COHORTS`). */
  cohorts: number;
  customers: ReportCount;
  /** Weighted retention in period 1 and 3 (3 decimals) and how many cohorts reached it; null: none, or too few customers. */
  p1: [retention: number, cohorts: number] | null;
  p3: [retention: number, cohorts: number] | null;
  /** Mean cumulative revenue per customer by period 3 (2 decimals) over the cohorts that reached it. */
  cumulative3: [revenue_per_customer: number, cohorts: number] | null;
  /** The matrix of customer retention, the latest cohorts, oldest first. */
  rows: CohortShareRow[];
}

/** The cohorts a report's matrix holds: the latest, as many as the cell's matrix shows (COHORTS_SHOWN in src/charts/cohorts.ts). */
export const SHARE_COHORTS = 36;

/** A retention (0–1) as the matrix writes it: percent with 0 decimals, 1 below 10 %. */
export function retentionPct(v: number): number {
  return round(v * 100, v > 0 && v < 0.1 ? 1 : 0);
}

/**
 * The cell's result as a report holds it (MODELS.md §10): a pure function of the result. The groups of the rule are
 * the cohorts: a cohort under the threshold hides its size and its whole row; a larger cohort keeps every retention
 * value, as a share of its cohort (src/models/README.md, "Reports"). The KPIs are the cell's, over all cohorts.
 */
export function shareCohorts(result: CohortResult, minGroup: number): CohortsShare {
  const byCohort = new Map<string, CohortCell[]>();
  for (const c of result.cells) {
    let list = byCohort.get(c.cohort);
    if (!list) byCohort.set(c.cohort, (list = []));
    list[c.period] = c;
  }
  const rows = result.cohorts.slice(-SHARE_COHORTS).map((c): CohortShareRow => {
    const cells = byCohort.get(c.cohort) ?? [];
    const small = isSmall(c.size, minGroup);
    const retention = Array.from({ length: Math.max(0, c.periods - 1) }, (_, i) => {
      const cell = cells[i + 1];
      return small || !cell ? null : retentionPct(cell.retention);
    });
    return [c.cohort, reportCount(c.size, minGroup), ...retention];
  });
  const kpi = (a: CohortAverage | undefined): [number, number] | null => (a && !isSmall(a.customers, minGroup) ? [round(a.retention, 3), a.cohorts] : null);
  const third = result.cells.filter((c) => c.period === 3);
  const size = third.reduce((s, c) => s + c.size, 0);
  const customers = result.cohorts.reduce((s, c) => s + c.size, 0);
  return {
    as_of: result.as_of,
    unit: result.unit,
    cohorts: result.cohorts.length,
    customers: reportCount(customers, minGroup),
    p1: kpi(result.average[1]),
    p3: kpi(result.average[3]),
    cumulative3: size && !isSmall(size, minGroup) ? [round(third.reduce((s, c) => s + c.cumulative_revenue_per_customer * c.size, 0) / size, 2), third.length] : null,
    rows,
  };
}
