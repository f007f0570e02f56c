/** Pareto and ABC: revenue concentration, Lorenz curve, Gini and A/B/C classes (MODELS.md §3). */
import { one, rows, type Db } from '../db/db.ts';
import { dateLit, resolveAsOf } from './asof.ts';

export interface AbcSettings {
  asOf?: string | null;
  /** Cumulative revenue shares closing classes A and B. */
  cutA?: number;
  cutB?: number;
}

export interface AbcClassRow {
  class: 'A' | 'B' | 'C';
  customers: number;
  share: number;
  revenue: number;
  revenue_share: number;
}

export interface AbcSummary {
  as_of: string;
  customers: number;
  revenue: number;
  top20_share: number;
  gini: number;
  classes: AbcClassRow[];
  /** Lorenz curve (customers sorted by monetary, descending): share of customers → share of revenue. */
  lorenz: { customer_share: number; revenue_share: number }[];
}

/** Classify customers into table `abc` and return the summary. */
export async function abc(db: Db, settings: AbcSettings = {}): Promise<AbcSummary> {
  const asOf = await resolveAsOf(db, settings.asOf);
  const D = dateLit(asOf);
  const cutA = settings.cutA ?? 0.8;
  const cutB = settings.cutB ?? 0.95;
  await db.query(`CREATE OR REPLACE TABLE abc AS
    WITH m AS (SELECT customer_id, sum(net)::DOUBLE AS monetary FROM customer_purchases WHERE order_day < ${D} GROUP BY customer_id),
    ranked AS (
      SELECT *, row_number() OVER (ORDER BY monetary DESC, customer_id) AS rank_desc,
        sum(monetary) OVER (ORDER BY monetary DESC, customer_id ROWS UNBOUNDED PRECEDING) / nullif(sum(monetary) OVER (), 0) AS cum_share
      FROM m)
    SELECT customer_id, monetary, rank_desc::INTEGER AS rank, cum_share,
      CASE WHEN rank_desc = 1 OR cum_share <= ${cutA} THEN 'A' WHEN cum_share <= ${cutB} THEN 'B' ELSE 'C' END AS class
    FROM ranked ORDER BY rank_desc`);
  const t = await one<{ customers: number; revenue: number; top20_share: number; gini: number }>(
    db,
    `WITH n AS (SELECT count(*)::DOUBLE AS n FROM abc)
    SELECT n.n AS customers, coalesce(sum(monetary), 0) AS revenue,
      coalesce(sum(monetary) FILTER (WHERE rank <= ceil(0.2 * n.n)) / nullif(sum(monetary), 0), 0) AS top20_share,
      coalesce(sum((2 * (n.n + 1 - rank) - n.n - 1) * monetary) / nullif(n.n * sum(monetary), 0), 0) AS gini
    FROM n LEFT JOIN abc ON true GROUP BY n.n`,
  );
  const classes = await rows<AbcClassRow>(
    db,
    `SELECT class, count(*)::DOUBLE AS customers, count(*) / sum(count(*)) OVER () AS share, sum(monetary) AS revenue,
      sum(monetary) / nullif(sum(sum(monetary)) OVER (), 0) AS revenue_share FROM abc GROUP BY class ORDER BY class`,
  );
  const lorenz = await rows<AbcSummary['lorenz'][number]>(
    db,
    `WITH n AS (SELECT count(*) AS n FROM abc)
    SELECT 0.0 AS customer_share, 0.0 AS revenue_share
    UNION ALL
    SELECT rank / n AS customer_share, cum_share AS revenue_share FROM abc, n
    WHERE rank % greatest(1, n // 400) = 0 OR rank = n ORDER BY 1`,
  );
  return { as_of: asOf, ...t, classes, lorenz };
}

/** Customers with their class, by rank. */
export async function abcCustomers(db: Db, opts: { class?: 'A' | 'B' | 'C'; limit?: number } = {}) {
  const where = opts.class ? `WHERE class = '${opts.class}'` : '';
  const limit = opts.limit !== undefined ? `LIMIT ${Math.floor(opts.limit)}` : '';
  return rows<{ customer_id: string; monetary: number; rank: number; cum_share: number; class: 'A' | 'B' | 'C' }>(
    db,
    `SELECT customer_id, monetary, rank, cum_share, class FROM abc ${where} ORDER BY rank ${limit}`,
  );
}
