// The basket model: settings with their defaults, rules from the database, and the co-occurrence of the top items.

import type { Db } from '../../db/db.ts';
import { loadTransactions, type BasketBy, type BasketData, type BasketSource } from './data.ts';
import type { TruncationLimit, TruncationSuggestion } from './fpgrowth.ts';
import { mineRules, type BasketRule } from './index.ts';

/** Basket settings as the notebook stores them (`ModelSettings.basket`) and `analyze --settings` reads them. */
export interface BasketSettings {
  /** Only purchases before this day (YYYY-MM-DD); null or absent: all purchases. */
  asOf?: string | null;
  /** Default: orders when loaded, else a basket-per-line file. */
  source?: BasketSource;
  /** Items are products (default) or their categories. */
  basketBy?: BasketBy;
  /** Minimum support, a share of transactions (default 0.01). */
  minSupport?: number;
  /** Minimum confidence (default 0.2). */
  minConfidence?: number;
  /** Minimum lift (default none). */
  minLift?: number | null;
  /** Largest itemset, antecedent plus consequent (default 3). */
  maxSize?: number;
  /** Only these items are mined (labels exactly as written); empty or absent: all items. */
  include?: string[];
  /** Items left out of the mining, e.g. postage or carrier bags (labels exactly as written). */
  exclude?: string[];
}

/**
 * The defaults of MODELS.md §7: min support 0.01, min confidence 0.2, max size 3. On the sample data
 * (25,815 purchases, two thirds of them a single line) they give one rule, and the cell offers a lower
 * support (0.005 gives 12 rules, all with lift above 3).
 */
export const BASKET_DEFAULTS = { minSupport: 0.01, minConfidence: 0.2, maxSize: 3 } as const;

/** Bounds of one run: a time budget and caps on itemsets and rules (see the core's README). */
export interface BasketLimits {
  deadlineMs?: number;
  maxItemsets?: number;
  maxRules?: number;
  /** Return only the first `top` rules in the rule order (ruleCount still counts them all). */
  top?: number;
}

/** The model's result: the contract's fields plus what the cell shows about the run. */
export interface BasketResult {
  source: BasketSource;
  basketBy: BasketBy;
  /** Number of transactions N (purchases, or lines of a basket file). */
  transactions: number;
  /** Distinct items in the transactions. */
  items: number;
  /** The settings the run used, defaults filled in. */
  settings: { minSupport: number; minConfidence: number; minLift: number | null; maxSize: number; include: string[]; exclude: string[] };
  /** Smallest count a frequent itemset needs (ceil of minSupport × N). */
  minCount: number;
  itemsets: { total: number; bySize: Record<number, number> };
  /** Rules found; rules.length is smaller only when `top` cut the list. */
  ruleCount: number;
  /** Sorted by lift, confidence, support, then labels. */
  rules: BasketRule[];
  truncated: boolean;
  limit?: TruncationLimit;
  /** Why mining stopped early and what to raise (English; the cell words it from limit and suggestion). */
  reason?: string;
  suggestion?: TruncationSuggestion;
}

/** Fills in the defaults and checks the ranges; throws a readable error on a bad value. */
export function basketOptions(settings: BasketSettings): BasketResult['settings'] {
  const minSupport = settings.minSupport ?? BASKET_DEFAULTS.minSupport;
  const minConfidence = settings.minConfidence ?? BASKET_DEFAULTS.minConfidence;
  const maxSize = settings.maxSize ?? BASKET_DEFAULTS.maxSize;
  const minLift = settings.minLift ?? null;
  if (!(minSupport > 0 && minSupport <= 1)) throw new Error(`min support must be above 0 and at most 1, got ${minSupport}`);
  if (!(minConfidence >= 0 && minConfidence <= 1)) throw new Error(`min confidence must be between 0 and 1, got ${minConfidence}`);
  if (!(Number.isInteger(maxSize) && maxSize >= 2)) throw new Error(`max itemset size must be a whole number of at least 2, got ${maxSize}`);
  if (minLift !== null && !(minLift >= 0)) throw new Error(`min lift must be 0 or more, got ${minLift}`);
  return { minSupport, minConfidence, minLift, maxSize, include: settings.include ?? [], exclude: settings.exclude ?? [] };
}

/** An item filter from include/exclude lists, or undefined when both are empty. */
export function itemFilter(options: Pick<BasketResult['settings'], 'include' | 'exclude'>): ((label: string) => boolean) | undefined {
  if (options.include.length === 0 && options.exclude.length === 0) return undefined;
  const include = new Set(options.include);
  const exclude = new Set(options.exclude);
  return (label) => (include.size === 0 || include.has(label)) && !exclude.has(label);
}

/** Mines rules from transactions already loaded (the worker keeps them between setting changes). */
export function mineBasket(data: BasketData, settings: BasketSettings, limits: BasketLimits = {}): BasketResult {
  const options = basketOptions(settings);
  const res = mineRules(data.transactions, {
    minSupport: options.minSupport,
    minConfidence: options.minConfidence,
    minLift: options.minLift ?? undefined,
    maxSize: options.maxSize,
    itemFilter: itemFilter(options),
    deadlineMs: limits.deadlineMs,
    maxItemsets: limits.maxItemsets,
    maxRules: limits.maxRules,
    top: limits.top,
  });
  const out: BasketResult = {
    source: data.source,
    basketBy: data.basketBy,
    transactions: res.transactions,
    items: res.items,
    settings: options,
    minCount: res.minCount,
    itemsets: res.itemsets,
    ruleCount: res.ruleCount,
    rules: res.rules,
    truncated: Boolean(res.truncated),
  };
  if (res.truncated) Object.assign(out, { limit: res.limit, reason: res.reason, suggestion: res.suggestion });
  return out;
}

/**
 * Market basket rules (MODELS.md §7) on the loaded data: transactions built in SQL (see loadTransactions),
 * frequent itemsets by FP-growth and rules X → {y} with support, confidence, lift, leverage and conviction.
 */
export async function basket(db: Db, settings: BasketSettings = {}, limits: BasketLimits = {}): Promise<BasketResult> {
  basketOptions(settings);
  const data = await loadTransactions(db, settings);
  return mineBasket(data, settings, limits);
}

/** Co-occurrence of the most frequent items: counts of transactions holding both, and the pair's lift. */
export interface Cooccurrence {
  transactions: number;
  /** The top items, most frequent first, with their transaction counts. */
  items: { item: string; count: number }[];
  /** One entry per ordered pair a ≠ b of top items (both directions, for a symmetric heat map). */
  pairs: { a: string; b: string; count: number; support: number; lift: number }[];
}

/**
 * Counts, for the `k` most frequent items (after the include/exclude lists), how many transactions hold
 * each pair, with lift = count·N / (count(a)·count(b)).
 */
export function cooccurrence(data: BasketData, settings: BasketSettings = {}, k = 12): Cooccurrence {
  const { transactions: tx, itemCounts } = data;
  const keep = itemFilter(basketOptions(settings));
  const top: number[] = [];
  for (let id = 0; id < tx.nItems && top.length < k; id++) if (itemCounts[id] > 0 && (!keep || keep(tx.labels[id]))) top.push(id);
  const slot = new Int32Array(tx.nItems).fill(-1);
  top.forEach((id, i) => (slot[id] = i));
  const m = top.length;
  const counts = new Int32Array(m * m);
  const present: number[] = [];
  for (let t = 0; t + 1 < tx.offsets.length; t++) {
    present.length = 0;
    for (let i = tx.offsets[t]; i < tx.offsets[t + 1]; i++) if (slot[tx.items[i]] >= 0) present.push(slot[tx.items[i]]);
    for (let i = 0; i < present.length; i++) for (let j = i + 1; j < present.length; j++) counts[present[i] * m + present[j]]++;
  }
  const n = tx.offsets.length - 1;
  const items = top.map((id) => ({ item: tx.labels[id], count: itemCounts[id] }));
  const pairs: Cooccurrence['pairs'] = [];
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      if (i === j) continue;
      const c = counts[Math.min(i, j) * m + Math.max(i, j)];
      pairs.push({ a: items[i].item, b: items[j].item, count: c, support: c / n, lift: (c * n) / (items[i].count * items[j].count) });
    }
  return { transactions: n, items, pairs };
}
