/**
 * The basket cell in a report (MODELS.md §10): the run's counts and thresholds, the rules the cell shows on its
 * first page (in the rule order), and the co-occurrence of the top items. Support, confidence and lift stay whatever the
 * numbers: they are shares of transactions, not of customers. The cross-sell list of the first rule goes in only
 * when the `cross_sell` list is opted in; its customer counts follow the privacy rule.
 */
import type { Db } from '../../db/db.ts';
import { round } from '../../report/format.ts';
import { isSmall, reportCount, type ReportCount } from '../../report/privacy.ts';
import { crossSell } from './crosssell.ts';
import type { BasketBy, BasketSource } from './data.ts';
import type { TruncationLimit, TruncationSuggestion } from './fpgrowth.ts';
import type { BasketRule } from './index.ts';
import type { BasketSettings, Cooccurrence } from './model.ts';
import type { BasketView } from './runs.ts';

/** The customer lists a basket report part may hold when opted in. */
export const BASKET_SHARE_LISTS = ['cross_sell'] as const;

/** Rules a report holds: the cell's first page of the rule table. */
export const BASKET_SHARE_RULES = 25;

/** Customers of the cross-sell list a report holds when opted in: the cell's first page. */
export const BASKET_SHARE_CROSS_SELL = 20;

/** A rule: antecedent, consequent, support, confidence, lift, leverage, conviction (null: ∞), transactions. */
export type BasketShareRule = [antecedent: string[], consequent: string, support: number, confidence: number, lift: number, leverage: number, conviction: number | null, count: number];

export interface BasketShare {
  source: BasketSource;
  basketBy: BasketBy;
  transactions: number;
  items: number;
  /** Thresholds the run used: min support, min confidence, min lift (null: none), max size. */
  settings: [minSupport: number, minConfidence: number, minLift: number | null, maxSize: number];
  /** Items left out of the mining (absent: none). */
  exclude?: string[];
  /** Only these items were mined (absent: all). */
  include?: string[];
  itemsets: number;
  rule_count: number;
  truncated: boolean;
  limit?: TruncationLimit;
  suggestion?: TruncationSuggestion;
  /** The first rules in the rule order (lift, rules from fewer than 10 transactions last), as the cell's table shows them first. */
  rules: BasketShareRule[];
  /**
   * Top items [label, transactions], and the transactions holding each pair of them: pairs (0,1), (0,2), …, (1,2), …
   * in that order (lift = together · transactions / (count a · count b)).
   */
  co: { items: [item: string, count: number][]; together: number[] };
  /** Opted-in list `cross_sell`: customers who bought the first rule's X but never its Y. */
  cross_sell?: {
    antecedent_customers: ReportCount;
    total: ReportCount;
    /** Hidden (null) when fewer than `minGroup` customers are on the list. */
    revenue: number | null;
    customers: [id: string, revenue: number, purchases: number, last: string][];
  };
}

/** A rule as the report holds it, rounded as the cell's table shows it. */
export function shareRule(r: BasketRule): BasketShareRule {
  return [r.antecedent, r.consequent[0], round(r.support, 4), round(r.confidence, 3), round(r.lift, 2), round(r.leverage, 4), Number.isFinite(r.conviction) ? round(r.conviction, 2) : null, r.count];
}

/** The co-occurrence of a report back in the shape the cell's heat map takes (both directions of each pair). */
export function cooccurrenceOf(d: Pick<BasketShare, 'co' | 'transactions'>): Cooccurrence {
  const items = d.co.items.map(([item, count]) => ({ item, count }));
  const n = d.transactions;
  const pairs: Cooccurrence['pairs'] = [];
  let k = 0;
  const at = new Map<string, number>();
  for (let i = 0; i < items.length; i++) for (let j = i + 1; j < items.length; j++) at.set(`${i},${j}`, d.co.together[k++] ?? 0);
  items.forEach((a, i) =>
    items.forEach((b, j) => {
      if (i === j) return;
      const count = at.get(i < j ? `${i},${j}` : `${j},${i}`)!;
      pairs.push({ a: a.item, b: b.item, count, support: n ? count / n : 0, lift: count && n ? (count * n) / (a.count * b.count) : 0 });
    }),
  );
  return { transactions: n, items, pairs };
}

/** A rule of a report back in the shape the cell's charts and tables take. */
export function ruleOf([antecedent, consequent, support, confidence, lift, leverage, conviction, count]: BasketShareRule): BasketRule {
  return { antecedent, consequent: [consequent], support, confidence, lift, leverage, conviction: conviction ?? Infinity, count };
}

/** The basket cell's report part, from its result; the cross-sell list (a query) only when opted in. */
export async function shareBasket(db: Db, v: BasketView, opts: { minGroup: number; lists: readonly string[]; settings: BasketSettings }): Promise<BasketShare> {
  const s = v.settings;
  const together = new Map(v.cooccurrence.pairs.map((p) => [`${p.a}\u0000${p.b}`, p.count]));
  const top = v.cooccurrence.items.map((x) => x.item);
  const out: BasketShare = {
    source: v.source,
    basketBy: v.basketBy,
    transactions: v.transactions,
    items: v.items,
    settings: [s.minSupport, s.minConfidence, s.minLift, s.maxSize],
    itemsets: v.itemsets.total,
    rule_count: v.ruleCount,
    truncated: v.truncated,
    rules: v.rules.slice(0, BASKET_SHARE_RULES).map(shareRule),
    co: {
      items: v.cooccurrence.items.map((x) => [x.item, x.count]),
      together: top.flatMap((a, i) => top.slice(i + 1).map((b) => together.get(`${a}\u0000${b}`) ?? 0)),
    },
  };
  if (s.exclude.length) out.exclude = s.exclude;
  if (s.include.length) out.include = s.include;
  if (v.limit) out.limit = v.limit;
  if (v.suggestion) out.suggestion = v.suggestion;
  const rule = v.rules[0];
  if (opts.lists.includes('cross_sell') && rule && v.crossSell) {
    const list = await crossSell(db, { antecedent: rule.antecedent, consequent: rule.consequent, basketBy: v.basketBy, asOf: opts.settings.asOf ?? null }, { limit: BASKET_SHARE_CROSS_SELL });
    out.cross_sell = {
      antecedent_customers: reportCount(list.antecedentCustomers, opts.minGroup),
      total: reportCount(list.total, opts.minGroup),
      revenue: isSmall(list.total, opts.minGroup) ? null : round(list.revenue, 2),
      customers: list.customers.map((c) => [c.customer_id, round(c.revenue, 2), c.purchases, c.last_purchase]),
    };
  }
  return out;
}
