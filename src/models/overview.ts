/** Overview: the size of the customer base, revenue and how it moves month by month. */
import { one, rows, type Db } from '../db/db.ts';
import { dateLit, resolveAsOf } from './asof.ts';

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
}

/** Compute the overview for purchases before the as-of date. */
export async function overview(db: Db, settings: OverviewSettings = {}): Promise<OverviewResult> {
  const asOf = await resolveAsOf(db, settings.asOf);
  const D = dateLit(asOf);
  const totals = await one<Record<string, number | string>>(
    db,
    `WITH p AS (SELECT * FROM purchases WHERE order_day < ${D}),
      c AS (SELECT customer_id, count(*) AS n, sum(net) AS m FROM p WHERE customer_id IS NOT NULL GROUP BY customer_id),
      ranked AS (SELECT m, row_number() OVER (ORDER BY m DESC, customer_id) AS i, count(*) OVER () AS n FROM c)
    SELECT (SELECT count(*) FROM c)::DOUBLE AS customers,
      (SELECT count(*) FROM p)::DOUBLE AS purchases,
      (SELECT coalesce(sum(net), 0) FROM p)::DOUBLE AS revenue,
      (SELECT coalesce(sum(net), 0) FROM order_totals WHERE net < 0 AND order_day < ${D})::DOUBLE AS refunds,
      (SELECT count(*) FILTER (WHERE n >= 2) FROM c)::DOUBLE AS repeaters,
      (SELECT coalesce(sum(m) FILTER (WHERE i <= ceil(0.2 * n)) / nullif(sum(m), 0), 0) FROM ranked)::DOUBLE AS top20_share,
      (SELECT count(*) FROM p WHERE customer_id IS NULL)::DOUBLE AS guest_purchases,
      (SELECT coalesce(sum(net), 0) FROM p WHERE customer_id IS NULL)::DOUBLE AS guest_revenue,
      (SELECT strftime(min(order_day), '%Y-%m-%d') FROM p) AS first_day,
      (SELECT strftime(max(order_day), '%Y-%m-%d') FROM p) AS last_day`,
  );
  const months = await rows<MonthRow>(
    db,
    `WITH p AS (SELECT * FROM purchases WHERE order_day < ${D}),
      firsts AS (SELECT customer_id, date_trunc('month', min(order_day)) AS m FROM p WHERE customer_id IS NOT NULL GROUP BY customer_id),
      byMonth AS (SELECT date_trunc('month', order_day) AS m, count(*) AS purchases, sum(net) AS revenue,
        count(DISTINCT customer_id) AS customers FROM p GROUP BY 1),
      newcomers AS (SELECT m, count(*) AS n FROM firsts GROUP BY m)
    SELECT strftime(m, '%Y-%m') AS month, purchases::DOUBLE AS purchases, revenue::DOUBLE AS revenue,
      customers::DOUBLE AS customers, coalesce(newcomers.n, 0)::DOUBLE AS new_customers
    FROM byMonth LEFT JOIN newcomers USING (m) ORDER BY m`,
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
