/**
 * Pareto and ABC: revenue concentration, Lorenz curve, Gini and A/B/C classes (MODELS.md §3).
 *
 * Definitions chosen where §3 is open:
 * - monetary is the sum of a customer's purchases before D (RFM's "average" setting does not apply here);
 * - class cut-offs are compared in exact decimals (cumulative revenue ≤ cut × total revenue), so a
 *   customer landing exactly on 80 % is in A whatever the floating-point rounding;
 * - the curve is drawn with customers sorted by monetary descending (the Pareto form of the Lorenz
 *   curve: "the top x % of customers bring y % of revenue"); it is the classical ascending Lorenz curve
 *   turned by 180°, so the area between it and the diagonal, and the Gini, are the same.
 */
import { lit, one, rows, type Db } from '../db/db.ts';
import { round } from '../report/format.ts';
import { isSmall, reportCount, type ReportCount } from '../report/privacy.ts';
import { ensureCustomerSummary } from './customer-days.ts';
import { asOfDate, ensureTable, type Prepared } from './prepared.ts';

export type AbcClass = 'A' | 'B' | 'C';
export const ABC_CLASSES: readonly AbcClass[] = ['A', 'B', 'C'];

export interface AbcSettings {
  asOf?: string | null;
  /** Cumulative revenue share closing class A (default 0.8). */
  cutA?: number;
  /** Cumulative revenue share closing class B (default 0.95). */
  cutB?: number;
}

export interface AbcClassRow {
  class: AbcClass;
  customers: number;
  share: number;
  revenue: number;
  revenue_share: number;
  /** Mean monetary per customer of the class. */
  monetary: number;
}

export interface LorenzPoint {
  customer_share: number;
  revenue_share: number;
}

export interface AbcSummary {
  as_of: string;
  cut_a: number;
  cut_b: number;
  customers: number;
  revenue: number;
  /** Share of revenue from the top ceil(0.2 × N) customers. */
  top20_share: number;
  /** The 80/20 point on the curve: (ceil(0.2 × N) / N, top20_share). */
  top20_point: LorenzPoint;
  /** Smallest share of customers (best first) whose revenue reaches 80 % of the total. */
  share_for_80: number;
  gini: number;
  /** Always A, B, C in that order, empty classes included. */
  classes: AbcClassRow[];
  /** Curve points (customers by monetary, descending), at most about 200, from (0, 0) to (1, 1). */
  lorenz: LorenzPoint[];
}

export interface AbcCustomer {
  customer_id: string;
  monetary: number;
  rank: number;
  cum_share: number;
  class: AbcClass;
}

/** Most points the curve is drawn with; the 80/20 point and the last customer are always among them. */
const CURVE_POINTS = 200;

function cut(value: number | undefined, fallback: number, name: string): number {
  const v = value ?? fallback;
  if (!Number.isFinite(v) || v <= 0 || v > 1) throw new Error(`ABC cut-off ${name} must be a share in (0, 1], got ${value}`);
  return v;
}

/**
 * Classify customers into the view `abc` (customer_id, monetary, rank, cum_share, class; over the table `abc_ranked`)
 * and return the summary. Reads the customer summary at D (exact sums; both kept in `prepared` between calls).
 */
export async function abc(db: Db, settings: AbcSettings = {}, prepared: Prepared = new Map()): Promise<AbcSummary> {
  const asOf = await asOfDate(db, settings.asOf, prepared);
  const summary = await ensureCustomerSummary(db, asOf, prepared);
  const cutA = cut(settings.cutA, 0.8, 'A');
  const cutB = cut(settings.cutB, 0.95, 'B');
  if (cutB < cutA) throw new Error(`ABC cut-off B (${cutB}) must not be below cut-off A (${cutA})`);
  // Customers are ordered by the exact sum: by its DOUBLE first (which orders as the sum does, and sorts faster),
  // then by the sum itself where two DOUBLEs are equal, then by cid, which follows customer_id. The ranking and the
  // running sums do not depend on the cut-offs: built once per customer summary, so that a cut-off change only
  // classes again (the view `abc`).
  await ensureTable(db, prepared, 'abc_ranked', summary, () => `
    WITH m AS (SELECT cid, customer_id, net AS monetary, revenue FROM customer_summary),
    ranked AS (
      SELECT *, row_number() OVER w AS rank_desc, sum(monetary) OVER (w ROWS UNBOUNDED PRECEDING) AS cum,
        sum(monetary) OVER () AS total
      FROM m WINDOW w AS (ORDER BY revenue DESC, monetary DESC, cid))
    SELECT customer_id, monetary::DOUBLE AS monetary, rank_desc::INTEGER AS rank,
      coalesce(cum::DOUBLE / nullif(total::DOUBLE, 0), 1) AS cum_share, cum, total
    FROM ranked ORDER BY rank_desc`);
  // String(0.85) is "0.85": DuckDB reads it as an exact DECIMAL, so the comparison with the exact sums is exact.
  await db.query(`CREATE OR REPLACE VIEW abc AS
    SELECT customer_id, monetary, rank, cum_share,
      CASE WHEN rank = 1 OR cum <= total * ${String(cutA)} THEN 'A' WHEN cum <= total * ${String(cutB)} THEN 'B' ELSE 'C' END AS class
    FROM abc_ranked`);
  const t = await one<{ customers: number; revenue: number; top20_share: number; top20_n: number; share_for_80: number; gini: number }>(
    db,
    `WITH n AS (SELECT count(*)::DOUBLE AS n FROM abc)
    SELECT n.n AS customers, coalesce(sum(monetary), 0) AS revenue,
      coalesce(sum(monetary) FILTER (WHERE rank <= ceil(0.2 * n.n)) / nullif(sum(monetary), 0), 0) AS top20_share,
      ceil(0.2 * n.n) AS top20_n,
      coalesce(min(rank) FILTER (WHERE cum_share >= 0.8) / nullif(n.n, 0), 0) AS share_for_80,
      coalesce(sum((2 * (n.n + 1 - rank) - n.n - 1) * monetary) / nullif(n.n * sum(monetary), 0), 0) AS gini
    FROM n LEFT JOIN abc ON true GROUP BY n.n`,
  );
  const found = await rows<AbcClassRow>(
    db,
    `SELECT class, count(*)::DOUBLE AS customers, count(*) / sum(count(*)) OVER () AS share, sum(monetary) AS revenue,
      coalesce(sum(monetary) / nullif(sum(sum(monetary)) OVER (), 0), 0) AS revenue_share, avg(monetary) AS monetary
    FROM abc GROUP BY class ORDER BY class`,
  );
  const classes = ABC_CLASSES.map(
    (c) => found.find((r) => r.class === c) ?? { class: c, customers: 0, share: 0, revenue: 0, revenue_share: 0, monetary: 0 },
  );
  const step = Math.max(1, Math.ceil(t.customers / CURVE_POINTS));
  const lorenz = await rows<LorenzPoint>(
    db,
    `SELECT 0.0::DOUBLE AS customer_share, 0.0::DOUBLE AS revenue_share
    UNION ALL
    SELECT rank / ${t.customers || 1} AS customer_share, cum_share AS revenue_share FROM abc
    WHERE rank % ${step} = 0 OR rank = ${t.top20_n} OR rank = ${t.customers}
    ORDER BY 1`,
  );
  const { top20_n, ...totals } = t;
  return {
    as_of: asOf,
    cut_a: cutA,
    cut_b: cutB,
    ...totals,
    top20_point: { customer_share: t.customers ? top20_n / t.customers : 0, revenue_share: t.top20_share },
    classes,
    lorenz,
  };
}

/** Customers of table `abc` (all, or one class), by rank. */
export async function abcCustomers(db: Db, opts: { class?: AbcClass; limit?: number; offset?: number } = {}): Promise<AbcCustomer[]> {
  return rows<AbcCustomer>(db, `SELECT customer_id, monetary, rank, cum_share, class FROM abc ${abcWhere(opts.class)} ORDER BY rank ${page(opts)}`);
}

/** SQL of the exported list of a class (all classes when none): the columns a CSV export carries. */
export function abcExportSql(cls?: AbcClass): string {
  return `SELECT customer_id, class, rank, round(monetary, 2) AS monetary, round(cum_share, 6) AS cum_share FROM abc ${abcWhere(cls)} ORDER BY rank`;
}

function abcWhere(cls?: AbcClass): string {
  if (cls === undefined) return '';
  if (!ABC_CLASSES.includes(cls)) throw new Error(`unknown ABC class ${cls}`);
  return `WHERE class = ${lit(cls)}`;
}

function page(opts: { limit?: number; offset?: number }): string {
  return opts.limit !== undefined ? `LIMIT ${Math.floor(opts.limit)} OFFSET ${Math.floor(opts.offset ?? 0)}` : '';
}

/**
 * A class in a report: class, customers, share of customers (3 decimals: percent with one), revenue (2), share of
 * revenue (3), mean monetary (2). A class of fewer than `minGroup` customers shows "< minGroup" and hides the rest.
 */
export type AbcShareClass = [cls: AbcClass, customers: ReportCount, share: number | null, revenue: number | null, revenue_share: number | null, monetary: number | null];

/** The ABC cell in a report (src/report/views/abc.ts draws it). Null KPIs and curve: fewer customers than the threshold. */
export interface AbcShare {
  as_of: string;
  cut_a: number;
  cut_b: number;
  customers: ReportCount;
  top20_share: number | null;
  share_for_80: number | null;
  gini: number | null;
  classes: AbcShareClass[];
  /**
   * The Lorenz curve: [share of customers, share of revenue] at 3 decimals, the result's points nearest to a fixed
   * set of customer shares (denser near the top customers, where the curve bends) and the 80/20 point.
   */
  curve: [number, number][] | null;
  /** The 80/20 point: [share of customers, share of revenue]. */
  top20_point: [number, number] | null;
  /** Opted-in list `classes` only: [customer id, class], by rank. */
  list?: [customer_id: string, cls: AbcClass][];
}

/** The customer lists an ABC report part may hold when opted in. */
export const ABC_SHARE_LISTS = ['classes'] as const;

/** Customer shares at which a report keeps the curve's nearest point (the page draws about 200). */
const SHARE_CURVE_AT = [0, 0.005, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];

/** The cell's result as a report holds it (MODELS.md §10): a pure function of the result. */
export function shareAbc(summary: AbcSummary, minGroup: number): AbcShare {
  const few = isSmall(summary.customers, minGroup);
  const hide = (v: number, digits: number) => (few ? null : round(v, digits));
  const classes = summary.classes.map((c): AbcShareClass =>
    isSmall(c.customers, minGroup)
      ? [c.class, reportCount(c.customers, minGroup), null, null, null, null]
      : [c.class, c.customers, round(c.share, 3), round(c.revenue, 2), round(c.revenue_share, 3), round(c.monetary, 2)],
  );
  let curve: AbcShare['curve'] = null;
  const p = summary.top20_point;
  if (!few && summary.lorenz.length) {
    const points = summary.lorenz;
    const picked = new Set<LorenzPoint>();
    for (const at of SHARE_CURVE_AT) {
      let best = points[0];
      for (const q of points) if (Math.abs(q.customer_share - at) < Math.abs(best.customer_share - at)) best = q;
      picked.add(best);
    }
    picked.add(points.find((q) => q.customer_share === p.customer_share) ?? p);
    // Each step of the curve is the revenue share of the customers between two points: a group like any other, so
    // two kept points are at least `minGroup` customers apart (and from the last one), as in a list of small data.
    const n = summary.customers;
    const rank = (q: LorenzPoint) => Math.round(q.customer_share * n);
    let last = 0;
    curve = [];
    for (const q of [...picked].sort((a, b) => a.customer_share - b.customer_share)) {
      const k = rank(q);
      if (k !== 0 && k !== n && (k - last < minGroup || n - k < minGroup)) continue;
      if (k !== 0 && k === last) continue;
      curve.push([round(q.customer_share, 3), round(q.revenue_share, 3)]);
      last = k;
    }
  }
  return {
    as_of: summary.as_of,
    cut_a: summary.cut_a,
    cut_b: summary.cut_b,
    customers: reportCount(summary.customers, minGroup),
    top20_share: hide(summary.top20_share, 3),
    share_for_80: hide(summary.share_for_80, 3),
    gini: hide(summary.gini, 3),
    classes,
    curve,
    top20_point: few ? null : [round(p.customer_share, 3), round(p.revenue_share, 3)],
  };
}

/** The opted-in list `classes`: every customer of the last run with their class, by rank. */
export async function abcClassList(db: Db): Promise<[string, AbcClass][]> {
  const list = await rows<{ customer_id: string; class: AbcClass }>(db, 'SELECT customer_id, class FROM abc ORDER BY rank');
  return list.map((c) => [c.customer_id, c.class]);
}
