// Association rules X → {y} (single-item consequent, non-empty antecedent) from frequent itemsets, as R's arules.

import { COUNT_TOLERANCE, nowMs, type FrequentItemsets, type ProgressCallback, type TruncationLimit } from './fpgrowth.ts';

/**
 * The fewest baskets a rule needs to be listed among the well-backed rules: on small data a rule seen in 4
 * baskets easily has the highest lift, and an analyst reading the list top-down wants rules that recur.
 */
export const SOLID_RULE_BASKETS = 10;

/** Default cap on the number of rules generated before stopping (bounds memory and sort time). */
export const DEFAULT_MAX_RULES = 2_000_000;

/** Options of {@link generateRules}. */
export interface RuleOptions {
  /** Keep a rule when count(X ∪ Y) >= minConfidence × count(X) (1e-9 relative tolerance); in [0, 1]. */
  minConfidence: number;
  /** Keep only rules with lift >= minLift (same tolerance). */
  minLift?: number;
  /** Stop (truncated, limit 'maxRules') when more rules than this pass the thresholds (default 2,000,000). */
  maxRules?: number;
  /** Time budget in milliseconds, measured from `startMs` (default: the start of the call). */
  deadlineMs?: number;
  /** Clock reading (nowMs()) the budget counts from, to share one budget with mining. */
  startMs?: number;
  /** Called every 65,536 itemsets; returning false cancels. */
  onProgress?: ProgressCallback;
}

/**
 * Rules in columnar form: rule r is (itemsets[itemset[r]] minus consequent[r]) → consequent[r], with
 * count(X ∪ Y) = countXY[r], count(X) = countX[r], count(Y) = countY[r].
 */
export interface RuleTable {
  nTransactions: number;
  length: number;
  itemset: Int32Array;
  consequent: Int32Array;
  countXY: Int32Array;
  countX: Int32Array;
  countY: Int32Array;
  truncated: boolean;
  limit?: TruncationLimit;
}

/** Interest measures of one rule. */
export interface RuleMeasures {
  support: number;
  confidence: number;
  lift: number;
  leverage: number;
  conviction: number;
}

/**
 * Support, confidence, lift, leverage and conviction from counts; conviction is Infinity when
 * confidence is 1 (as arules). Ratios are taken on integer products, so equal ratios give equal numbers.
 */
export function ruleMeasures(countXY: number, countX: number, countY: number, n: number): RuleMeasures {
  const support = countXY / n;
  const confidence = countXY / countX;
  const lift = (countXY * n) / (countX * countY);
  const leverage = support - (countX / n) * (countY / n);
  const conviction = countXY === countX ? Infinity : ((n - countY) * countX) / (n * (countX - countXY));
  return { support, confidence, lift, leverage, conviction };
}

/** Hash index over frequent itemsets: looks up the count of an itemset given as a sorted id run. */
export class ItemsetIndex {
  private readonly table: Int32Array;
  private readonly mask: number;

  /** Indexes all itemsets of `sets`. */
  constructor(private readonly sets: FrequentItemsets) {
    let size = 16;
    while (size < sets.length * 2) size *= 2;
    this.table = new Int32Array(size).fill(-1);
    this.mask = size - 1;
    const { offsets, items } = sets;
    for (let s = 0; s < sets.length; s++) {
      let h = hashRun(items, offsets[s], offsets[s + 1], -1) & this.mask;
      while (this.table[h] !== -1) h = (h + 1) & this.mask;
      this.table[h] = s;
    }
  }

  /** Index of the itemset equal to `ids[start..end)` without position `skip` (-1: none), or -1. */
  find(ids: Int32Array, start: number, end: number, skip: number): number {
    const { offsets, items } = this.sets;
    const len = end - start - (skip >= start && skip < end ? 1 : 0);
    let h = hashRun(ids, start, end, skip) & this.mask;
    for (;;) {
      const s = this.table[h];
      if (s === -1) return -1;
      const a = offsets[s];
      if (offsets[s + 1] - a === len) {
        let ok = true;
        for (let i = start, k = a; i < end; i++) {
          if (i === skip) continue;
          if (items[k++] !== ids[i]) {
            ok = false;
            break;
          }
        }
        if (ok) return s;
      }
      h = (h + 1) & this.mask;
    }
  }
}

function hashRun(ids: Int32Array, start: number, end: number, skip: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    if (i === skip) continue;
    h = Math.imul(h ^ ids[i], 0x01000193);
    h ^= h >>> 13;
  }
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h ^= h >>> 13;
  return h;
}

/**
 * All rules X → {y} with X ∪ {y} a frequent itemset of size >= 2, X non-empty, count(X ∪ Y) >=
 * minConfidence × count(X) and (optionally) lift >= minLift, in itemset order (use {@link sortRules});
 * truncated (limit 'maxRules' / 'deadline' / 'cancelled') when a bound is hit.
 */
export function generateRules(sets: FrequentItemsets, options: RuleOptions): RuleTable {
  const { minConfidence, minLift } = options;
  if (!(typeof minConfidence === 'number' && minConfidence >= 0 && minConfidence <= 1)) {
    throw new RangeError(`minConfidence must be in [0, 1], got ${minConfidence}`);
  }
  if (minLift !== undefined && !(minLift >= 0)) throw new RangeError(`minLift must be >= 0, got ${minLift}`);
  const maxRules = options.maxRules ?? DEFAULT_MAX_RULES;
  if (!(maxRules === Infinity || (Number.isInteger(maxRules) && maxRules >= 0))) throw new RangeError(`maxRules must be an integer >= 0, got ${maxRules}`);
  const start = options.startMs ?? nowMs();
  const deadlineAt = options.deadlineMs === undefined ? Infinity : start + options.deadlineMs;
  const N = sets.nTransactions;
  const { offsets, items, counts } = sets;
  const confFactor = minConfidence * (1 - COUNT_TOLERANCE);
  const liftMin = minLift === undefined ? -Infinity : minLift * (1 - COUNT_TOLERANCE);

  const single = new Int32Array(sets.nItems).fill(-1);
  for (let s = 0; s < sets.length; s++) if (offsets[s + 1] - offsets[s] === 1) single[items[offsets[s]]] = counts[s];
  const index = new ItemsetIndex(sets);

  let cap = 1024;
  let rItemset = new Int32Array(cap);
  let rCons = new Int32Array(cap);
  let rXY = new Int32Array(cap);
  let rX = new Int32Array(cap);
  let rY = new Int32Array(cap);
  let n = 0;
  let limit: TruncationLimit | undefined;

  outer: for (let s = 0; s < sets.length; s++) {
    if ((s & 65535) === 65535) {
      if (nowMs() > deadlineAt) {
        limit = 'deadline';
        break outer;
      }
      if (options.onProgress?.({ phase: 'rules', fraction: s / sets.length, itemsets: sets.length, elapsedMs: nowMs() - start }) === false) {
        limit = 'cancelled';
        break outer;
      }
    }
    const a = offsets[s];
    const b = offsets[s + 1];
    if (b - a < 2) continue;
    const cXY = counts[s];
    for (let pos = a; pos < b; pos++) {
      const y = items[pos];
      const xs = index.find(items, a, b, pos);
      if (xs < 0) continue; // only possible on a truncated itemset list
      const cX = counts[xs];
      if (cXY < confFactor * cX) continue;
      const cY = single[y];
      if (cY <= 0) continue;
      if (minLift !== undefined && (cXY * N) / (cX * cY) < liftMin) continue;
      if (n >= maxRules) {
        limit = 'maxRules';
        break outer;
      }
      if (n === cap) {
        cap *= 2;
        rItemset = grow(rItemset, cap);
        rCons = grow(rCons, cap);
        rXY = grow(rXY, cap);
        rX = grow(rX, cap);
        rY = grow(rY, cap);
      }
      rItemset[n] = s;
      rCons[n] = y;
      rXY[n] = cXY;
      rX[n] = cX;
      rY[n] = cY;
      n++;
    }
  }
  const table: RuleTable = {
    nTransactions: N,
    length: n,
    itemset: rItemset.slice(0, n),
    consequent: rCons.slice(0, n),
    countXY: rXY.slice(0, n),
    countX: rX.slice(0, n),
    countY: rY.slice(0, n),
    truncated: limit !== undefined,
  };
  if (limit !== undefined) table.limit = limit;
  return table;
}

/** Antecedent item ids of rule r (the itemset without the consequent), in ascending id order. */
export function ruleAntecedent(rules: RuleTable, sets: FrequentItemsets, r: number): number[] {
  const s = rules.itemset[r];
  const y = rules.consequent[r];
  const out: number[] = [];
  for (let i = sets.offsets[s]; i < sets.offsets[s + 1]; i++) if (sets.items[i] !== y) out.push(sets.items[i]);
  return out;
}

/** Compares two strings by UTF-16 code units (locale-independent, deterministic). */
export function compareLabels(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Rule order: lift desc, confidence desc, support desc, then antecedent labels (sorted, compared
 * element-wise, shorter first on a tie) and consequent label ascending. Returns rule indices.
 */
export function sortRules(rules: RuleTable, sets: FrequentItemsets, labels: readonly string[]): Int32Array {
  const n = rules.length;
  const N = rules.nTransactions;
  const { countXY: xy, countX: cx, countY: cy, itemset, consequent } = rules;

  // 1. Group rules by their count triple: equal (count(X∪Y), count(X), count(Y)) <=> equal
  //    (support, confidence, lift), since all three are correctly rounded ratios of integers < 2^53.
  let size = 16;
  while (size < n * 2) size *= 2;
  const mask = size - 1;
  const table = new Int32Array(size).fill(-1);
  const group = new Int32Array(n);
  const gXY: number[] = [];
  const gX: number[] = [];
  const gY: number[] = [];
  for (let r = 0; r < n; r++) {
    let h = Math.imul(xy[r], 0x9e3779b1) ^ Math.imul(cx[r], 0x85ebca77) ^ Math.imul(cy[r], 0xc2b2ae3d);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h = (h ^ (h >>> 13)) & mask;
    let g: number;
    for (;;) {
      g = table[h];
      if (g === -1) {
        g = gXY.length;
        gXY.push(xy[r]);
        gX.push(cx[r]);
        gY.push(cy[r]);
        table[h] = g;
        break;
      }
      if (gXY[g] === xy[r] && gX[g] === cx[r] && gY[g] === cy[r]) break;
      h = (h + 1) & mask;
    }
    group[r] = g;
  }

  // 2. Order the (few) groups by lift desc, confidence desc, support desc.
  const D = gXY.length;
  const gLift = new Float64Array(D);
  const gConf = new Float64Array(D);
  for (let g = 0; g < D; g++) {
    gLift[g] = (gXY[g] * N) / (gX[g] * gY[g]);
    gConf[g] = gXY[g] / gX[g];
  }
  const gOrder = Array.from({ length: D }, (_, g) => g);
  gOrder.sort((a, b) => gLift[b] - gLift[a] || gConf[b] - gConf[a] || gXY[b] - gXY[a]);

  // 3. Counting sort of the rules into group order.
  const start = new Int32Array(D + 1);
  const gRank = new Int32Array(D);
  for (let i = 0; i < D; i++) gRank[gOrder[i]] = i;
  for (let r = 0; r < n; r++) start[gRank[group[r]] + 1]++;
  for (let i = 0; i < D; i++) start[i + 1] += start[i];
  const order = new Int32Array(n);
  const cursor = start.slice(0, D);
  for (let r = 0; r < n; r++) order[cursor[gRank[group[r]]]++] = r;

  // 4. Within a group: antecedent labels (element-wise, shorter first), then consequent label.
  const byLabel = Array.from(labels.keys()).sort((a, b) => compareLabels(labels[a], labels[b]));
  const labelRank = new Int32Array(labels.length);
  byLabel.forEach((id, i) => (labelRank[id] = i));
  // Label ranks of each rule's itemset, sorted (computed on first use).
  const { offsets, items } = sets;
  const ranks = new Int32Array(items.length);
  const ready = new Uint8Array(sets.length);
  const prepare = (s: number): void => {
    if (ready[s]) return;
    ready[s] = 1;
    const a = offsets[s];
    const b = offsets[s + 1];
    for (let i = a; i < b; i++) {
      const v = labelRank[items[i]];
      let j = i - 1;
      while (j >= a && ranks[j] > v) {
        ranks[j + 1] = ranks[j];
        j--;
      }
      ranks[j + 1] = v;
    }
  };
  const compareTies = (p: number, q: number): number => {
    const sp = itemset[p];
    const sq = itemset[q];
    const yp = labelRank[consequent[p]];
    const yq = labelRank[consequent[q]];
    let i = offsets[sp];
    const ie = offsets[sp + 1];
    let k = offsets[sq];
    const ke = offsets[sq + 1];
    for (;;) {
      if (i < ie && ranks[i] === yp) i++;
      if (k < ke && ranks[k] === yq) k++;
      if (i >= ie || k >= ke) break;
      if (ranks[i] !== ranks[k]) return ranks[i] - ranks[k];
      i++;
      k++;
    }
    // One antecedent is a prefix of the other: the shorter comes first.
    const lenP = ie - offsets[sp];
    const lenQ = ke - offsets[sq];
    if (lenP !== lenQ) return lenP - lenQ;
    return yp - yq;
  };
  for (let i = 0; i < D; i++) {
    const a = start[i];
    const b = start[i + 1];
    if (b - a < 2) continue;
    for (let j = a; j < b; j++) prepare(itemset[order[j]]);
    order.subarray(a, b).sort(compareTies);
  }
  return order;
}

function grow(a: Int32Array, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}
