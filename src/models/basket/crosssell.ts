// Cross-sell lists for a rule X → Y: customers who bought all of X but never Y, with their value (MODELS.md §7).

import { lit, one, rows, type Db } from '../../db/db.ts';
import { existingTables, purchaseItemsSql, purchasesSql, type BasketBy } from './data.ts';

/** Which rule, and how items and purchases are read (the same reading as the rules). */
export interface CrossSellQuery {
  antecedent: string[];
  consequent: string[];
  basketBy?: BasketBy;
  /** Only purchases before this day (YYYY-MM-DD); null: all purchases. */
  asOf?: string | null;
}

/** One customer of a cross-sell list. */
export interface CrossSellCustomer {
  customer_id: string;
  /** Sum of the customer's purchases (net amounts). */
  revenue: number;
  purchases: number;
  /** Day of the latest purchase, YYYY-MM-DD. */
  last_purchase: string;
  /** From the customers file, when one is loaded. */
  name?: string | null;
  phone?: string | null;
  email?: string | null;
  region?: string | null;
}

/** A page of a cross-sell list with its totals. */
export interface CrossSellList {
  /** Customers who bought every item of X (in any of their purchases). */
  antecedentCustomers: number;
  /** Of those, customers who never bought Y: the length of the whole list. */
  total: number;
  /** Revenue of the whole list. */
  revenue: number;
  customers: CrossSellCustomer[];
}

/** The named subqueries of a list: `bought` (customer, item), `x` (bought all of X), `y` (bought Y), `v` (value). */
function crossSellCtes(q: CrossSellQuery): string {
  if (q.antecedent.length === 0 || q.consequent.length !== 1) throw new Error('a cross-sell list needs a rule with items on both sides and one item on the right');
  const x = [...new Set(q.antecedent)];
  const customerPurchases = purchasesSql(q.asOf, 'customer_purchases');
  return `WITH bought AS (SELECT customer_id, item FROM (${purchaseItemsSql(q.basketBy ?? 'product', customerPurchases, ['order_key', 'customer_id'])})),
    x AS (SELECT customer_id FROM bought WHERE item IN (${x.map(lit).join(', ')}) GROUP BY customer_id HAVING count(DISTINCT item) = ${x.length}),
    y AS (SELECT DISTINCT customer_id FROM bought WHERE item = ${lit(q.consequent[0])}),
    v AS (SELECT customer_id, sum(net) AS revenue, count(*)::INTEGER AS purchases, max(order_day) AS last_purchase
      FROM (${customerPurchases}) GROUP BY customer_id)`;
}

/**
 * SQL of the list, ranked by value (revenue desc, purchases desc, customer id): customers with a purchase
 * holding each item of X (not necessarily the same purchase) and no purchase holding Y, from purchases with
 * a customer id (guest purchases have no one to contact). Items are read as for the rules: returned items
 * were not bought. Contact columns come from the customers table when `withContacts`. Revenue stays exact
 * (DECIMAL); `limit` takes a page.
 */
export function crossSellSql(q: CrossSellQuery, withContacts: boolean, page: { limit?: number; offset?: number } = {}): string {
  const contacts = withContacts
    ? `LEFT JOIN (SELECT DISTINCT ON (customer_id) customer_id, name, phone, email, region FROM customers ORDER BY customer_id) c USING (customer_id)`
    : '';
  const limit = page.limit === undefined ? '' : `LIMIT ${Math.max(0, Math.floor(page.limit))} OFFSET ${Math.max(0, Math.floor(page.offset ?? 0))}`;
  return `${crossSellCtes(q)}
    SELECT v.customer_id, v.revenue, v.purchases, strftime(v.last_purchase, '%Y-%m-%d') AS last_purchase
      ${withContacts ? ', c.name, c.phone, c.email, c.region' : ''}
    FROM x JOIN v USING (customer_id) ${contacts}
    WHERE v.customer_id NOT IN (SELECT customer_id FROM y)
    ORDER BY v.revenue DESC, v.purchases DESC, v.customer_id ${limit}`;
}

/** The cross-sell list of a rule: totals and a page of customers (`limit` rows from `offset`). */
export async function crossSell(db: Db, q: CrossSellQuery, page: { limit?: number; offset?: number } = {}): Promise<CrossSellList> {
  const tables = await existingTables(db);
  if (!tables.has('customer_purchases')) throw new Error('cross-sell lists need orders with customer ids; a basket-per-line file has no customers');
  const totals = await one<{ base: number; total: number; revenue: number | null }>(
    db,
    `${crossSellCtes(q)}
    SELECT (SELECT count(*) FROM x)::DOUBLE AS base, count(*)::DOUBLE AS total, sum(v.revenue)::DOUBLE AS revenue
    FROM x JOIN v USING (customer_id) WHERE v.customer_id NOT IN (SELECT customer_id FROM y)`,
  );
  const list = await rows<CrossSellCustomer>(db, `SELECT * REPLACE (revenue::DOUBLE AS revenue) FROM (${crossSellSql(q, tables.has('customers'), page)}) ORDER BY revenue DESC, purchases DESC, customer_id`);
  return { antecedentCustomers: totals.base, total: totals.total, revenue: totals.revenue ?? 0, customers: list };
}
