/**
 * One row per customer per purchase day, with integer customer keys: the base that cohorts and the
 * lifecycle aggregate from. Grouping small integers is several times faster in DuckDB-WASM than grouping
 * the text ids of `customer_purchases`, and the table does not depend on any setting or the as-of date.
 */
import type { Db } from '../db/db.ts';
import { ensureBuilt, type Prepared } from './prepared.ts';

let builds = 0;

/**
 * Build (unless current) `customer_keys` (cid, customer_id, first_day: the day of the first purchase
 * ever) and `customer_days` (cid, first_day, order_day, revenue, purchases, prev_day: the customer's
 * previous purchase day, next_day: the next one, cum_purchases: purchases up to and including the
 * day). Days are calendar days of purchases (MODELS.md §1). Returns a version that tables derived from
 * them put in their keys, so that they are rebuilt whenever these are.
 */
export async function ensureCustomerDays(db: Db, prepared?: Prepared): Promise<string> {
  const current = prepared?.get('customer_days');
  if (current?.startsWith('days')) return current;
  const version = `days${++builds}`;
  await ensureBuilt(prepared, 'customer_days', version, () =>
    db.query(`CREATE OR REPLACE TABLE customer_keys AS
        SELECT (row_number() OVER (ORDER BY customer_id))::INTEGER AS cid, customer_id, first_day
        FROM (SELECT customer_id, min(order_day) AS first_day FROM customer_purchases GROUP BY customer_id);
      CREATE OR REPLACE TABLE customer_days AS
        SELECT cid, first_day, order_day, revenue, purchases,
          lag(order_day) OVER w AS prev_day, lead(order_day) OVER w AS next_day, (sum(purchases) OVER w)::INTEGER AS cum_purchases
        FROM (SELECT k.cid, k.first_day, p.order_day, sum(p.net)::DOUBLE AS revenue, count(*)::INTEGER AS purchases
              FROM customer_purchases p JOIN customer_keys k USING (customer_id) GROUP BY ALL)
        WINDOW w AS (PARTITION BY cid ORDER BY order_day)`),
  );
  return version;
}
