// Market basket analysis entry point: frequent itemsets (FP-growth) and single-consequent rules, pure TypeScript.

import {
  DEFAULT_MAX_ITEMSETS,
  checkMiningOptions,
  fpGrowth,
  nowMs,
  truncationAdvice,
  type ProgressCallback,
  type TruncationLimit,
  type TruncationSuggestion,
} from './fpgrowth.ts';
import { DEFAULT_MAX_RULES, SOLID_RULE_BASKETS, compareLabels, generateRules, ruleAntecedent, ruleMeasures, sortRules } from './rules.ts';
import { buildTransactions, transactionCount, type Transactions } from './transactions.ts';

export * from './transactions.ts';
export * from './fpgrowth.ts';
export * from './rules.ts';

/** Options of {@link mineRules}; supports and confidence are shares in [0, 1]. */
export interface MineRulesOptions {
  minSupport: number;
  minConfidence: number;
  minLift?: number;
  /** Largest itemset size, antecedent plus consequent (arules' maxlen). */
  maxSize: number;
  /** Time budget in milliseconds for the whole run. */
  deadlineMs?: number;
  /** Cap on frequent itemsets (default 2,000,000). */
  maxItemsets?: number;
  /** Cap on rules passing the thresholds (default 2,000,000); more → truncated, limit 'maxRules'. */
  maxRules?: number;
  /** Return only the first `top` rules in sort order (ruleCount still tells how many were found). */
  top?: number;
  /** Keeps only items whose label passes (others are treated as absent; N is unchanged). */
  itemFilter?: (label: string) => boolean;
  onProgress?: ProgressCallback;
}

/** One rule, antecedent labels sorted; counts are transaction counts. */
export interface BasketRule {
  antecedent: string[];
  consequent: string[];
  support: number;
  confidence: number;
  lift: number;
  leverage: number;
  /** Infinity when confidence is 1. */
  conviction: number;
  /** Transactions containing antecedent and consequent. */
  count: number;
}

/** Result of {@link mineRules}. */
export interface MineRulesResult {
  /** Number of transactions N. */
  transactions: number;
  /** Number of distinct items. */
  items: number;
  /** Minimum count an itemset needs (ceil of minSupport × N, tolerance 1e-9). */
  minCount: number;
  /** Frequent itemsets: total and count by size (keys 1..maxSize present only when non-zero). */
  itemsets: { total: number; bySize: Record<number, number> };
  /** Number of rules found (rules.length unless `top` cut the list). */
  ruleCount: number;
  rules: BasketRule[];
  truncated?: boolean;
  limit?: TruncationLimit;
  reason?: string;
  suggestion?: TruncationSuggestion;
  elapsedMs: number;
}

/**
 * Mines frequent itemsets and rules X → {y} (arules semantics, inclusive thresholds on counts) and
 * returns them sorted by lift, confidence, support, labels. When the run is truncated (too many
 * itemsets, time, or cancelled), rules is empty and reason/suggestion say what to change.
 */
export function mineRules(
  transactions: Transactions | readonly (readonly string[])[],
  options: MineRulesOptions,
): MineRulesResult {
  const t0 = nowMs();
  const tx = isTransactions(transactions) ? transactions : buildTransactions(transactions);
  checkMiningOptions(options);
  if (options.top !== undefined && !(options.top >= 0)) throw new RangeError(`top must be >= 0, got ${options.top}`);
  const labels = tx.labels;
  const filter = options.itemFilter;
  const sets = fpGrowth(tx, {
    minSupport: options.minSupport,
    maxSize: options.maxSize,
    maxItemsets: options.maxItemsets ?? DEFAULT_MAX_ITEMSETS,
    deadlineMs: options.deadlineMs,
    startMs: t0,
    itemFilter: filter ? (id) => filter(labels[id]) : undefined,
    onProgress: options.onProgress,
  });
  const bySize: Record<number, number> = {};
  sets.bySize.forEach((c, k) => {
    if (k > 0 && c > 0) bySize[k] = c;
  });
  const base = {
    transactions: transactionCount(tx),
    items: tx.nItems,
    minCount: sets.minCount,
    itemsets: { total: sets.length, bySize },
  };
  if (sets.truncated) {
    return { ...base, ruleCount: 0, rules: [], truncated: true, limit: sets.limit, reason: sets.reason, suggestion: sets.suggestion, elapsedMs: nowMs() - t0 };
  }
  const table = generateRules(sets, {
    minConfidence: options.minConfidence,
    minLift: options.minLift,
    maxRules: options.maxRules ?? DEFAULT_MAX_RULES,
    deadlineMs: options.deadlineMs,
    startMs: t0,
    onProgress: options.onProgress,
  });
  const deadlineAt = options.deadlineMs === undefined ? Infinity : t0 + options.deadlineMs;
  const truncated = (limit: TruncationLimit): MineRulesResult => {
    const advice = truncationAdvice(limit, { ...options, maxRules: options.maxRules ?? DEFAULT_MAX_RULES }, sets.length, sets.bySize);
    return { ...base, ruleCount: 0, rules: [], truncated: true, limit, ...advice, elapsedMs: nowMs() - t0 };
  };
  if (table.truncated) return truncated(table.limit ?? 'deadline');
  if (nowMs() > deadlineAt) return truncated('deadline');
  const order = solidFirst(sortRules(table, sets, labels), table.countXY);
  if (nowMs() > deadlineAt) return truncated('deadline');
  const take = Math.min(order.length, options.top ?? Infinity);
  const N = table.nTransactions;
  const rules: BasketRule[] = new Array(take);
  for (let i = 0; i < take; i++) {
    if ((i & 16383) === 16383 && nowMs() > deadlineAt) return truncated('deadline');
    const r = order[i];
    const m = ruleMeasures(table.countXY[r], table.countX[r], table.countY[r], N);
    rules[i] = {
      antecedent: ruleAntecedent(table, sets, r)
        .map((id) => labels[id])
        .sort(compareLabels),
      consequent: [labels[table.consequent[r]]],
      support: m.support,
      confidence: m.confidence,
      lift: m.lift,
      leverage: m.leverage,
      conviction: m.conviction,
      count: table.countXY[r],
    };
  }
  return { ...base, ruleCount: table.length, rules, truncated: false, elapsedMs: nowMs() - t0 };
}

/**
 * The rule order shown everywhere (page, report, headless): the rules seen in at least SOLID_RULE_BASKETS baskets
 * first, then the others, each part in the lift order of `sortRules` (a stable partition).
 */
function solidFirst(order: Int32Array, countXY: ArrayLike<number>): Int32Array {
  const out = new Int32Array(order.length);
  let k = 0;
  for (const r of order) if (countXY[r] >= SOLID_RULE_BASKETS) out[k++] = r;
  if (k === order.length || k === 0) return order;
  for (const r of order) if (countXY[r] < SOLID_RULE_BASKETS) out[k++] = r;
  return out;
}

function isTransactions(x: Transactions | readonly (readonly string[])[]): x is Transactions {
  return !Array.isArray(x) && typeof (x as Transactions).nItems === 'number';
}
