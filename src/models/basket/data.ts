// Transactions for market basket analysis, built in SQL from purchases or a basket-per-line file (MODELS.md §1, §7).

import { ident, one, rows, type Db } from '../../db/db.ts';
import { dateLit } from '../asof.ts';
import type { Transactions } from './transactions.ts';

/** Where the transactions come from: the purchases of the orders data, or the `baskets` table of a basket-per-line file. */
export type BasketSource = 'orders' | 'baskets';

/** What an item is in purchase transactions: the product label or its category. */
export type BasketBy = 'product' | 'category';

/** What selects the transactions (everything else in the basket settings only changes the mining). */
export interface TransactionScope {
  /** Default: orders when purchases are loaded, else a basket-per-line file. */
  source?: BasketSource;
  /** Default: product. Basket-per-line files have items only. */
  basketBy?: BasketBy;
  /** Only purchases before this day (YYYY-MM-DD); null: all purchases. Ignored for basket-per-line files. */
  asOf?: string | null;
}

/** Transactions in CSR form plus what the cell and the command report about them. */
export interface BasketData {
  source: BasketSource;
  basketBy: BasketBy;
  /** Item ids are ranked by transaction count (most frequent first, then label), labels kept exactly. */
  transactions: Transactions;
  /** Transactions containing each item, by item id. */
  itemCounts: Int32Array;
}

/**
 * SQL for the items of purchase transactions: each purchase with its distinct products, or categories. A
 * line counts when it is a purchase line (not a refund line, and not voided by a refund status in an order
 * without explicit refund lines). An item whose refund lines in the same order return all of it (net
 * quantity ≤ 0, or net amount ≤ 0 when a line has no quantity) was not kept and is left out. Lines without
 * a label are skipped. `purchases` is a query with one row per purchase and its `order_key` and
 * `has_refund` (as the purchases view); the result has its columns `carry` (which must identify the
 * purchase) and `item`. Purchases without refunds, nearly all, take the cheap path (distinct labels).
 */
export function purchaseItemsSql(basketBy: BasketBy, purchases: string, carry: string[]): string {
  const label = basketBy === 'category' ? 'category' : 'product';
  const keys = carry.map(ident).join(', ');
  const lines = (refunds: boolean) => `SELECT ${carry.map((c) => `p.${ident(c)}`).join(', ')}, o.${label} AS item, o.is_refund, o.amount, o.quantity, o.refund_status, o.order_key
      FROM orders o JOIN (SELECT * FROM (${purchases}) WHERE ${refunds ? '' : 'NOT '}coalesce(has_refund, false)) p ON o.order_key = p.order_key
      WHERE o.${label} IS NOT NULL AND o.${label} <> ''`;
  return `SELECT DISTINCT ${keys}, item FROM (${lines(false)})
    UNION ALL
    SELECT ${keys}, item FROM (
      SELECT *, refund_status AND NOT bool_or(is_refund) OVER (PARTITION BY order_key) AS voided FROM (${lines(true)}))
    WHERE NOT voided
    GROUP BY ${keys}, item
    HAVING bool_or(NOT is_refund)
      AND (NOT bool_or(is_refund) OR CASE WHEN count(quantity) = count(*) THEN sum(quantity) > 0 ELSE sum(amount) > 0 END)`;
}

/** The purchases that are transactions (before the as-of day when one is set). */
export function purchasesSql(asOf?: string | null, view = 'purchases'): string {
  return `SELECT * FROM ${view}${asOf ? ` WHERE order_day < ${dateLit(asOf)}` : ''}`;
}

/** Which canonical tables exist. */
export async function existingTables(db: Db): Promise<Set<string>> {
  const r = await rows<{ name: string }>(
    db,
    `SELECT table_name AS name FROM duckdb_tables() WHERE schema_name = 'main'
     UNION ALL SELECT view_name FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal`,
  );
  return new Set(r.map((x) => x.name));
}

/** The source a scope names, or the default: orders when there are purchases, else baskets. */
export async function resolveSource(db: Db, source?: BasketSource): Promise<BasketSource> {
  const tables = await existingTables(db);
  const has = (s: BasketSource) => (s === 'orders' ? tables.has('purchases') : tables.has('baskets'));
  if (source) {
    if (!has(source)) throw new Error(source === 'orders' ? 'no orders are loaded' : 'no basket-per-line file is loaded');
    return source;
  }
  if (has('orders')) return 'orders';
  if (has('baskets')) return 'baskets';
  throw new Error('there are no transactions: load order lines or a basket-per-line file');
}

/**
 * Builds the transactions of a scope in SQL and hands them over as typed arrays: SQL numbers the
 * transactions (by order key, or basket line), finds their distinct items, counts and ranks the items
 * (transaction count desc, then label) and returns one (transaction, item id) pair per row; the CSR arrays
 * are filled from those two integer columns, with no per-line JavaScript objects. Every purchase (or line of
 * a basket file) is a transaction, also one left without items, so N is the number of purchases (baskets).
 */
export async function loadTransactions(db: Db, scope: TransactionScope = {}): Promise<BasketData> {
  const source = await resolveSource(db, scope.source);
  const basketBy = scope.basketBy ?? 'product';
  if (basketBy !== 'product' && basketBy !== 'category') throw new Error(`basket by is product or category, got "${basketBy}"`);
  let lines: string;
  if (source === 'baskets') {
    if (basketBy === 'category') throw new Error('a basket-per-line file has items only, no categories: basket by product');
    await db.query(`CREATE OR REPLACE TEMP TABLE basket_tx AS
      SELECT basket_id, (row_number() OVER (ORDER BY basket_id) - 1)::INTEGER AS tx FROM (SELECT DISTINCT basket_id FROM baskets)`);
    lines = `SELECT t.tx, b.item FROM baskets b JOIN basket_tx t USING (basket_id)`;
  } else {
    const column = await one<{ n: number }>(db, `SELECT count(${ident(basketBy)})::DOUBLE AS n FROM orders`);
    if (column.n === 0) throw new Error(basketBy === 'category' ? 'the orders have no category column: map one, or basket by product' : 'the orders have no product column: map one to analyse baskets');
    await db.query(`CREATE OR REPLACE TEMP TABLE basket_tx AS
      SELECT order_key, has_refund, (row_number() OVER (ORDER BY order_key) - 1)::INTEGER AS tx FROM (${purchasesSql(scope.asOf)})`);
    lines = purchaseItemsSql(basketBy, 'SELECT * FROM basket_tx', ['tx']);
  }
  try {
    await db.query(`CREATE OR REPLACE TEMP TABLE basket_lines AS ${lines};
      CREATE OR REPLACE TEMP TABLE basket_labels AS
        SELECT item, count(*)::INTEGER AS n, (row_number() OVER (ORDER BY count(*) DESC, item) - 1)::INTEGER AS id
        FROM basket_lines GROUP BY item`);
    const n = (await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM basket_tx`)).n;
    const labelTable = await db.query(`SELECT item, n FROM basket_labels ORDER BY id`);
    const labels = Array.from(labelTable.getChild('item')!.toArray() as ArrayLike<string>, String);
    const itemCounts = Int32Array.from(labelTable.getChild('n')!.toArray() as Int32Array);
    const pairs = await db.query(`SELECT l.tx, b.id FROM basket_lines l JOIN basket_labels b USING (item)`);
    const transactions = csr(n, pairs.getChild('tx')!.toArray() as Int32Array, pairs.getChild('id')!.toArray() as Int32Array, labels);
    return { source, basketBy, transactions, itemCounts };
  } finally {
    await db.query(`DROP TABLE IF EXISTS basket_lines; DROP TABLE IF EXISTS basket_labels; DROP TABLE IF EXISTS basket_tx`);
  }
}

/** CSR arrays from unordered (transaction, item id) pairs: a counting sort by transaction, ids ascending within each. */
function csr(n: number, txOf: Int32Array, idOf: Int32Array, labels: string[]): Transactions {
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < txOf.length; i++) offsets[txOf[i] + 1]++;
  for (let t = 0; t < n; t++) offsets[t + 1] += offsets[t];
  const items = new Int32Array(idOf.length);
  const cursor = offsets.slice(0, n);
  for (let i = 0; i < txOf.length; i++) items[cursor[txOf[i]]++] = idOf[i];
  for (let t = 0; t < n; t++) {
    const a = offsets[t];
    const b = offsets[t + 1];
    for (let i = a + 1; i < b; i++) {
      const v = items[i];
      let j = i - 1;
      while (j >= a && items[j] > v) {
        items[j + 1] = items[j];
        j--;
      }
      items[j + 1] = v;
    }
  }
  return { nItems: labels.length, labels, offsets, items };
}

/** Whether a source has transactions with items: purchases with a product label, or a loaded basket file. */
export async function hasBasketData(db: Db, source: BasketSource): Promise<boolean> {
  const tables = await existingTables(db);
  if (source === 'baskets') return tables.has('baskets');
  return tables.has('orders') && (await one<{ n: number }>(db, `SELECT count(product)::DOUBLE AS n FROM orders`)).n > 0;
}
