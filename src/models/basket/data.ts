// Transactions for market basket analysis, built in SQL from purchases or a basket-per-line file (MODELS.md §1, §7).

import { ident, lit, one, rows, type Db } from '../../db/db.ts';
import { PACKED } from '../../ingest/store.ts';
import { dateLit, resolveAsOf } from '../asof.ts';
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
 * purchase) and `item`. Purchases without refunds, nearly all, take the cheap path (distinct labels; with
 * `distinct: false` every labelled line, for a caller that drops repeats itself).
 */
export function purchaseItemsSql(basketBy: BasketBy, purchases: string, carry: string[], opts: { distinct?: boolean } = {}): string {
  const label = basketBy === 'category' ? 'category' : 'product';
  const keys = carry.map(ident).join(', ');
  const chosen = (refunds: boolean) => `SELECT * FROM (${purchases}) WHERE ${refunds ? '' : 'NOT '}coalesce(has_refund, false)`;
  // The few purchases with refunds take their lines from a semi-join first, which is cheaper than joining all lines.
  const source = (refunds: boolean) => (refunds ? `(SELECT * FROM orders WHERE order_key IN (SELECT order_key FROM (${chosen(true)})))` : 'orders');
  const lines = (refunds: boolean) => `SELECT ${carry.map((c) => `p.${ident(c)}`).join(', ')}, o.${label} AS item, o.is_refund, o.amount, o.quantity, o.refund_status, o.order_key
      FROM ${source(refunds)} o JOIN (${chosen(refunds)}) p ON o.order_key = p.order_key
      WHERE o.${label} IS NOT NULL AND o.${label} <> ''`;
  return `SELECT ${opts.distinct === false ? '' : 'DISTINCT '}${keys}, item FROM (${lines(false)})
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
    `SELECT table_name AS name FROM duckdb_tables() WHERE (database_name = current_database() OR database_name = ${lit(PACKED)}) AND schema_name = 'main'
     UNION ALL SELECT view_name FROM duckdb_views() WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal`,
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
 * transactions (purchases in table order, or basket lines by id: the numbering does not change any count),
 * numbers the labels in label order and returns one (transaction, label number) pair per labelled line, two
 * integer columns; the worker drops repeated items within a transaction, counts the transactions holding
 * each item and ranks the items (transaction count desc, then label), with no per-line JavaScript objects.
 * Every purchase (or line of a basket file) is a transaction, also one left without items, so N is the
 * number of purchases (baskets).
 */
export async function loadTransactions(db: Db, scope: TransactionScope = {}): Promise<BasketData> {
  const source = await resolveSource(db, scope.source);
  const basketBy = scope.basketBy ?? 'product';
  if (basketBy !== 'product' && basketBy !== 'category') throw new Error(`basket by is product or category, got "${basketBy}"`);
  let lines: string;
  let labels: string;
  if (source === 'baskets') {
    if (basketBy === 'category') throw new Error('a basket-per-line file has items only, no categories: basket by product');
    await db.query(`CREATE OR REPLACE TEMP TABLE basket_tx AS
      SELECT basket_id, (row_number() OVER (ORDER BY basket_id) - 1)::INTEGER AS tx FROM (SELECT DISTINCT basket_id FROM baskets)`);
    lines = `SELECT t.tx, b.item FROM baskets b JOIN basket_tx t USING (basket_id)`;
    labels = `SELECT DISTINCT item FROM baskets WHERE item IS NOT NULL AND item <> ''`;
  } else {
    // A date before the first purchase leaves no transactions: said as every model says it.
    if (scope.asOf) await resolveAsOf(db, scope.asOf);
    const column = await one<{ n: number }>(db, `SELECT count(${ident(basketBy)})::DOUBLE AS n FROM orders`);
    if (column.n === 0) throw new Error(basketBy === 'category' ? 'the orders have no category column: map one, or basket by product' : 'the orders have no product column: map one to analyse baskets');
    await db.query(`CREATE OR REPLACE TEMP TABLE basket_tx AS
      SELECT order_key, has_refund, (row_number() OVER () - 1)::INTEGER AS tx FROM (${purchasesSql(scope.asOf)})`);
    lines = purchaseItemsSql(basketBy, 'SELECT * FROM basket_tx', ['tx'], { distinct: false });
    labels = `SELECT DISTINCT ${ident(basketBy)} AS item FROM orders WHERE ${ident(basketBy)} IS NOT NULL AND ${ident(basketBy)} <> ''`;
  }
  try {
    // Every label that could occur, numbered in label order (the tie-break of the ranking); few rows.
    await db.query(`CREATE OR REPLACE TEMP TABLE basket_labels AS SELECT item, (row_number() OVER (ORDER BY item) - 1)::INTEGER AS id FROM (${labels})`);
    const n = (await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM basket_tx`)).n;
    const names = await db.query(`SELECT item FROM basket_labels ORDER BY id`);
    // Written to a table first and then read: returned straight from the join, the pairs took minutes at a few
    // million order lines in DuckDB-WASM (the join itself takes seconds).
    await db.query(`CREATE OR REPLACE TEMP TABLE basket_pairs AS SELECT l.tx, b.id FROM (${lines}) l JOIN basket_labels b USING (item)`);
    const pairs = await db.query(`SELECT tx, id FROM basket_pairs`);
    const byLabel = csr(n, pairs.getChild('tx')!.toArray() as Int32Array, pairs.getChild('id')!.toArray() as Int32Array);
    return { source, basketBy, ...ranked(byLabel, Array.from(names.getChild('item')!.toArray() as ArrayLike<string>, String)) };
  } finally {
    await db.query(`DROP TABLE IF EXISTS basket_pairs; DROP TABLE IF EXISTS basket_labels; DROP TABLE IF EXISTS basket_tx`);
  }
}

/**
 * CSR arrays from unordered (transaction, label number) pairs: a counting sort by transaction, numbers
 * ascending and distinct within each.
 */
function csr(n: number, txOf: Int32Array, idOf: Int32Array): { offsets: Int32Array; items: Int32Array } {
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < txOf.length; i++) offsets[txOf[i] + 1]++;
  for (let t = 0; t < n; t++) offsets[t + 1] += offsets[t];
  const all = new Int32Array(idOf.length);
  const cursor = offsets.slice(0, n);
  for (let i = 0; i < txOf.length; i++) all[cursor[txOf[i]]++] = idOf[i];
  sortRuns(offsets, all);
  // Keep each number once per transaction, compacting in place.
  let out = 0;
  for (let t = 0; t < n; t++) {
    const a = offsets[t];
    const b = offsets[t + 1];
    offsets[t] = out;
    for (let i = a; i < b; i++) if (i === a || all[i] !== all[i - 1]) all[out++] = all[i];
  }
  offsets[n] = out;
  return { offsets, items: all.slice(0, out) };
}

/** Sort each transaction's values ascending, in place (insertion sort: baskets are short). */
function sortRuns(offsets: Int32Array, values: Int32Array): void {
  for (let t = 0; t + 1 < offsets.length; t++) {
    const a = offsets[t];
    const b = offsets[t + 1];
    for (let i = a + 1; i < b; i++) {
      const v = values[i];
      let j = i - 1;
      while (j >= a && values[j] > v) {
        values[j + 1] = values[j];
        j--;
      }
      values[j + 1] = v;
    }
  }
}

/**
 * Item ids ranked by transaction count (most frequent first; ties in label order, which the label numbers
 * follow), labels that occur in no transaction left out; ids ascending within each transaction.
 */
function ranked(byLabel: { offsets: Int32Array; items: Int32Array }, names: string[]): Pick<BasketData, 'transactions' | 'itemCounts'> {
  const counts = new Int32Array(names.length);
  for (const label of byLabel.items) counts[label]++;
  const order = Array.from({ length: names.length }, (_, label) => label)
    .filter((label) => counts[label] > 0)
    .sort((a, b) => counts[b] - counts[a] || a - b);
  const idOf = new Int32Array(names.length);
  order.forEach((label, id) => (idOf[label] = id));
  const { offsets } = byLabel;
  const items = byLabel.items.map((label) => idOf[label]);
  sortRuns(offsets, items);
  return {
    transactions: { nItems: order.length, labels: order.map((label) => names[label]), offsets, items },
    itemCounts: Int32Array.from(order, (label) => counts[label]),
  };
}

/** Whether a source has transactions with items: purchases with a product label, or a loaded basket file. */
export async function hasBasketData(db: Db, source: BasketSource): Promise<boolean> {
  const tables = await existingTables(db);
  if (source === 'baskets') return tables.has('baskets');
  return tables.has('orders') && (await one<{ n: number }>(db, `SELECT count(product)::DOUBLE AS n FROM orders`)).n > 0;
}
