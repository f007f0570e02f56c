/**
 * Basket analysis as the notebook runs it: keeps the transactions between setting changes (in the request
 * manager's state for the current data), mines, and exports cross-sell lists.
 */
import { lit, type Db } from '../../db/db.ts';
import { listExport, type ExportAs, type ExportColumn } from '../list-export.ts';
import type { RunContext } from '../registry.ts';
import type { ModelSettings } from '../settings.ts';
import { crossSell, crossSellSql, type CrossSellList } from './crosssell.ts';
import { existingTables, loadTransactions, resolveSource, type BasketData, type BasketSource } from './data.ts';
import { cooccurrence, mineBasket, type BasketLimits, type BasketResult, type BasketSettings, type Cooccurrence } from './model.ts';

/**
 * Bounds in the browser: mining stops after 15 s or 2 million itemsets (the core's default) and says what
 * to raise; the cell receives the 10,000 rules of highest lift (ruleCount tells how many there are).
 */
export const CELL_LIMITS: BasketLimits = { deadlineMs: 15_000, top: 10_000 };

/** What the basket cell receives. */
export interface BasketView extends BasketResult {
  /** Whether cross-sell lists are possible (purchases with customer ids; not a basket file). */
  crossSell: boolean;
  /** Which sources are loaded, for the cell's source choice. */
  sources: BasketSource[];
  cooccurrence: Cooccurrence;
  /** The 1,000 most frequent items with their transaction counts, for the exclusion list. */
  topItems: { item: string; count: number }[];
  elapsedMs: { transactions: number; mining: number };
}

/** A rule as the cross-sell list needs it. */
export interface RuleRef {
  antecedent: string[];
  consequent: string[];
}

/** Rules (top 10,000 by lift), co-occurrence of the top items, and timings, under the notebook's settings. */
export async function runBasket(db: Db, settings: ModelSettings, ctx: RunContext): Promise<BasketView> {
  const s = basketSettings(settings);
  const t0 = performance.now();
  const data = await transactions(db, s, ctx);
  const t1 = performance.now();
  const result = mineBasket(data, s, CELL_LIMITS);
  const t2 = performance.now();
  const tables = await existingTables(db);
  const sources = (['orders', 'baskets'] as const).filter((x) => (x === 'orders' ? tables.has('purchases') : tables.has('baskets')));
  return {
    ...result,
    crossSell: data.source === 'orders' && tables.has('customer_purchases'),
    sources,
    cooccurrence: cooccurrence(data, s),
    topItems: data.transactions.labels.slice(0, 1000).map((item, id) => ({ item, count: data.itemCounts[id] })),
    elapsedMs: { transactions: t1 - t0, mining: t2 - t1 },
  };
}

/** A page of the cross-sell list of a rule. */
export function crossSellPage(db: Db, settings: ModelSettings, rule: RuleRef, page: { limit?: number; offset?: number }): Promise<CrossSellList> {
  const s = basketSettings(settings);
  return crossSell(db, { ...rule, basketBy: s.basketBy, asOf: s.asOf }, page);
}

/**
 * The whole cross-sell list of a rule as CSV (UTF-8 with a byte-order mark) or an Excel workbook, by spend: each
 * customer with the product (or category) to recommend, the rule's right-hand side, and what they bought that led
 * to it; headers in the user's language (src/models/list-export.ts).
 */
export async function exportCrossSell(db: Db, settings: ModelSettings, rule: RuleRef, as: ExportAs): Promise<Uint8Array> {
  const s = basketSettings(settings);
  const contacts = (await existingTables(db)).has('customers');
  const list = crossSellSql({ ...rule, basketBy: s.basketBy, asOf: s.asOf }, contacts);
  const items = (xs: string[]) => lit(xs.join(' + '));
  const sql = `SELECT *, ${items(rule.consequent)} AS recommend, ${items(rule.antecedent)} AS bought
    FROM (SELECT * REPLACE (round(revenue, 2)::DECIMAL(38, 2) AS revenue) FROM (${list})) ORDER BY revenue DESC, purchases DESC, customer_id`;
  const category = s.basketBy === 'category';
  const columns: ExportColumn[] = [
    { field: 'customer_id', header: 'export.col.customer_id' },
    ...(contacts ? [{ field: 'name', header: 'export.col.name' } as const] : []),
    { field: 'recommend', header: category ? 'export.col.recommend_category' : 'export.col.recommend' },
    { field: 'bought', header: category ? 'export.col.bought_category' : 'export.col.bought' },
    { field: 'revenue', header: 'export.col.monetary', money: true },
    { field: 'purchases', header: 'export.col.purchases' },
    { field: 'last_purchase', header: 'export.col.last_day' },
    ...(contacts ? (['phone', 'email', 'region'] as const).map((c): ExportColumn => ({ field: c, header: `export.col.${c}` })) : []),
  ];
  return listExport(db, sql, columns, as, 'export.sheet.crosssell');
}

function basketSettings(settings: ModelSettings): BasketSettings {
  return { ...settings.basket, asOf: settings.asOf ?? null };
}

/** The transactions of the scope, read once per scope for the current data. */
async function transactions(db: Db, s: BasketSettings, ctx: RunContext): Promise<BasketData> {
  const kept = ctx.state('basket.transactions', () => ({ key: '', data: null as BasketData | null }));
  const source = await resolveSource(db, s.source);
  const scope = { source, basketBy: source === 'baskets' ? 'product' : (s.basketBy ?? 'product'), asOf: source === 'baskets' ? null : (s.asOf ?? null) } as const;
  const key = JSON.stringify(scope);
  if (kept.key === key && kept.data) return kept.data;
  const data = await loadTransactions(db, scope);
  Object.assign(kept, { key, data });
  return data;
}
