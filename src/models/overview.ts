/** Overview: the size of the customer base, revenue and how it moves month by month. */
import { one, rows, type Db } from '../db/db.ts';
import { dateLit } from './asof.ts';
import { ensureCustomerDays, ensureCustomerSummary } from './customer-days.ts';
import { asOfDate, type Prepared } from './prepared.ts';
import { isSmall, reportCount, type ReportCount } from '../report/privacy.ts';
import { round } from '../report/format.ts';

export interface OverviewSettings {
  asOf?: string | null;
}

export interface MonthRow {
  month: string;
  purchases: number;
  revenue: number;
  customers: number;
  new_customers: number;
}

export interface OverviewResult {
  as_of: string;
  first_day: string;
  last_day: string;
  customers: number;
  purchases: number;
  revenue: number;
  net_revenue: number;
  refunds: number;
  average_order_value: number;
  repeat_rate: number;
  purchases_per_customer: number;
  revenue_per_customer: number;
  top20_share: number;
  guest_purchases: number;
  guest_revenue: number;
  months: MonthRow[];
  /** The page's cell only (not in the headless document): customers with orders who are not counted as buying. */
  not_buying?: NotBuying;
}

/**
 * Customers with orders (the cleaning report's count, under the current filter) and why some of them are not among
 * the overview's customers (those with at least one purchase before D): no purchase at all (every order refunded
 * or a credit note), or purchases only on or after D.
 */
export interface NotBuying {
  with_orders: number;
  no_purchase: number;
  after_as_of: number;
}

/**
 * The customers of the orders that are not buying customers at D, and why (see NotBuying). Customers with orders are
 * read from `order_totals` (one row per order, every line counted in one: the same customers as the lines, in a
 * fraction of the rows; under a filter, the kept orders); customers with a purchase, and the day of their first, from
 * `customer_keys` (one row per customer with a purchase, its first_day the first purchase's). Every customer with a
 * purchase has an order, so those without one are the difference of the two counts.
 */
export async function notBuying(db: Db, asOf: string, prepared?: Prepared): Promise<NotBuying> {
  await ensureCustomerDays(db, prepared);
  return one<NotBuying>(
    db,
    `SELECT o.n AS with_orders, o.n - k.n AS no_purchase, k.after_as_of
    FROM (SELECT count(DISTINCT customer_id)::DOUBLE AS n FROM order_totals) o,
      (SELECT count(*)::DOUBLE AS n, count(*) FILTER (WHERE first_day >= ${dateLit(asOf)})::DOUBLE AS after_as_of FROM customer_keys) k`,
  );
}

/**
 * Compute the overview for purchases before the as-of date. Purchases are read once, grouped by month (guest
 * purchases included); everything per customer comes from the customer summary and customer days, which
 * `prepared` keeps for the data version.
 */
export async function overview(db: Db, settings: OverviewSettings = {}, prepared: Prepared = new Map()): Promise<OverviewResult> {
  const asOf = await asOfDate(db, settings.asOf, prepared);
  const D = dateLit(asOf);
  await ensureCustomerSummary(db, asOf, prepared);
  // Exact per-month sums (the totals below add them up exactly, as DECIMAL).
  await db.query(`CREATE OR REPLACE TEMP TABLE overview_months AS
    SELECT date_trunc('month', order_day) AS m, count(*) AS purchases, sum(net) AS revenue,
      count(*) FILTER (WHERE customer_id IS NULL) AS guest_purchases, sum(net) FILTER (WHERE customer_id IS NULL) AS guest_revenue,
      min(order_day) AS first_day, max(order_day) AS last_day
    FROM purchases WHERE order_day < ${D} GROUP BY 1`);
  // The top 20 % of customers by revenue (ties by id; revenue is the exact sum as DOUBLE, which orders as the sum does).
  const { n } = await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM customer_summary`);
  const top = Math.ceil(0.2 * n);
  // One row from each table read (a join of single rows: several times cheaper in DuckDB-WASM than as many scalar
  // subqueries), the same sums and the same expressions over them.
  const totals = await one<Record<string, number | string>>(
    db,
    `SELECT ${n}::DOUBLE AS customers, m.purchases::DOUBLE AS purchases, m.revenue::DOUBLE AS revenue, r.refunds::DOUBLE AS refunds,
      c.repeaters::DOUBLE AS repeaters, coalesce(t.top / nullif(c.total, 0), 0)::DOUBLE AS top20_share,
      m.guest_purchases::DOUBLE AS guest_purchases, m.guest_revenue::DOUBLE AS guest_revenue, m.first_day, m.last_day
    FROM (SELECT coalesce(sum(purchases), 0) AS purchases, coalesce(sum(revenue), 0) AS revenue,
            coalesce(sum(guest_purchases), 0) AS guest_purchases, coalesce(sum(guest_revenue), 0) AS guest_revenue,
            strftime(min(first_day), '%Y-%m-%d') AS first_day, strftime(max(last_day), '%Y-%m-%d') AS last_day
          FROM overview_months) m,
      (SELECT coalesce(sum(net), 0) AS refunds FROM order_totals WHERE net < 0 AND order_day < ${D}) r,
      (SELECT count(*) FILTER (WHERE purchases >= 2) AS repeaters, sum(net) AS total FROM customer_summary) c,
      (SELECT sum(net) AS top FROM (SELECT net FROM customer_summary ORDER BY revenue DESC, net DESC, cid LIMIT ${top})) t`,
  );
  const months = await rows<MonthRow>(
    db,
    `WITH active AS (SELECT date_trunc('month', order_day) AS m, count(DISTINCT cid) AS n FROM customer_days WHERE order_day < ${D} GROUP BY 1),
      newcomers AS (SELECT date_trunc('month', first_day) AS m, count(*) AS n FROM customer_summary GROUP BY 1)
    SELECT strftime(m, '%Y-%m') AS month, purchases::DOUBLE AS purchases, revenue::DOUBLE AS revenue,
      coalesce(active.n, 0)::DOUBLE AS customers, coalesce(newcomers.n, 0)::DOUBLE AS new_customers
    FROM overview_months LEFT JOIN active USING (m) LEFT JOIN newcomers USING (m) ORDER BY m`,
  );
  const customers = totals.customers as number;
  const purchases = totals.purchases as number;
  const revenue = totals.revenue as number;
  const customerPurchases = purchases - (totals.guest_purchases as number);
  const customerRevenue = revenue - (totals.guest_revenue as number);
  return {
    as_of: asOf,
    first_day: totals.first_day as string,
    last_day: totals.last_day as string,
    customers,
    purchases,
    revenue,
    net_revenue: revenue + (totals.refunds as number),
    refunds: totals.refunds as number,
    average_order_value: purchases ? revenue / purchases : 0,
    repeat_rate: customers ? (totals.repeaters as number) / customers : 0,
    purchases_per_customer: customers ? customerPurchases / customers : 0,
    revenue_per_customer: customers ? customerRevenue / customers : 0,
    top20_share: totals.top20_share as number,
    guest_purchases: totals.guest_purchases as number,
    guest_revenue: totals.guest_revenue as number,
    months,
  };
}

/** The overview in a report: headline numbers and the months, each month's counts under the privacy rule. */
export interface OverviewShare {
  as_of: string;
  first_day: string;
  last_day: string;
  customers: ReportCount;
  purchases: number;
  revenue: number | null;
  net_revenue: number | null;
  refunds: number | null;
  average_order_value: number | null;
  repeat_rate: number | null;
  top20_share: number | null;
  guest_purchases: number;
  guest_revenue: number;
  /** Month, purchases, revenue, active customers, new customers (a small month's counts "< n", its revenue null). */
  months: [string, number, number | null, ReportCount, ReportCount][];
}

export function shareOverview(r: OverviewResult, minGroup: number): OverviewShare {
  const few = isSmall(r.customers, minGroup);
  const hide = (v: number, digits: number) => (few ? null : round(v, digits));
  return {
    as_of: r.as_of,
    first_day: r.first_day,
    last_day: r.last_day,
    customers: reportCount(r.customers, minGroup),
    purchases: r.purchases,
    revenue: hide(r.revenue, 2),
    net_revenue: hide(r.net_revenue, 2),
    refunds: hide(r.refunds, 2),
    average_order_value: hide(r.average_order_value, 2),
    repeat_rate: hide(r.repeat_rate, 4),
    top20_share: hide(r.top20_share, 4),
    guest_purchases: r.guest_purchases,
    guest_revenue: round(r.guest_revenue, 2),
    months: r.months.map((m) => [
      m.month,
      m.purchases,
      isSmall(m.customers, minGroup) ? null : round(m.revenue, 2),
      reportCount(m.customers, minGroup),
      reportCount(m.new_customers, minGroup),
    ]),
  };
}
