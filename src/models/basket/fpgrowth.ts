// Frequent-itemset mining by FP-growth on typed arrays, bounded in output size and time.

import { transactionCount, validateTransactions, type Transactions } from './transactions.ts';

/** Relative tolerance used when comparing counts with fractional thresholds (MODELS.md §7). */
export const COUNT_TOLERANCE = 1e-9;

/** Default cap on the number of frequent itemsets returned before mining stops. */
export const DEFAULT_MAX_ITEMSETS = 2_000_000;

/** Default maximum itemset size (arules' default maxlen). */
export const DEFAULT_MAX_SIZE = 10;

/** Why a run stopped early: too many itemsets or rules, out of time, or cancelled by the progress callback. */
export type TruncationLimit = 'maxItemsets' | 'maxRules' | 'deadline' | 'cancelled';

/** Which setting to change after a truncated run. */
export type TruncationSuggestion = 'raise-min-support' | 'lower-max-size' | 'raise-min-confidence';

/** Progress report; `fraction` is in [0, 1] within the phase. */
export interface MiningProgress {
  phase: 'prepare' | 'mine' | 'rules';
  fraction: number;
  itemsets: number;
  elapsedMs: number;
}

/** Progress callback; returning `false` cancels the run (the result is then truncated, limit 'cancelled'). */
export type ProgressCallback = (progress: MiningProgress) => boolean | void;

/** Options of {@link fpGrowth}. */
export interface FpGrowthOptions {
  /** Minimum support as a share of all transactions, in [0, 1]; frequent iff count >= minSupport × N. */
  minSupport: number;
  /** Largest itemset size mined (default 10); an integer >= 1 or Infinity. */
  maxSize?: number;
  /** Keeps only items for which this returns true (others are treated as absent; N is unchanged). */
  itemFilter?: (item: number, label: string) => boolean;
  /** Stop after this many itemsets (default 2,000,000). */
  maxItemsets?: number;
  /** Time budget in milliseconds, measured from `startMs`. */
  deadlineMs?: number;
  /** Clock reading (nowMs()) the time budget counts from (default: the start of the call). */
  startMs?: number;
  /** Called at phase boundaries and after each top-level item. */
  onProgress?: ProgressCallback;
}

/**
 * Frequent itemsets in CSR layout: itemset s has items `items[offsets[s] .. offsets[s + 1])` (item ids,
 * ascending) and occurs in `counts[s]` transactions; `bySize[k]` = number of itemsets of size k.
 */
export interface FrequentItemsets {
  nTransactions: number;
  nItems: number;
  minCount: number;
  maxSize: number;
  length: number;
  offsets: Int32Array;
  items: Int32Array;
  counts: Int32Array;
  bySize: number[];
  truncated: boolean;
  limit?: TruncationLimit;
  reason?: string;
  suggestion?: TruncationSuggestion;
  elapsedMs: number;
}

/** Smallest integer count c with c >= minSupport × n × (1 − 1e-9), and at least 1. */
export function minSupportCount(minSupport: number, n: number): number {
  return Math.max(1, Math.ceil(minSupport * n * (1 - COUNT_TOLERANCE)));
}

/** Milliseconds from a monotonic clock (performance.now where available). */
export function nowMs(): number {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** Checks minSupport / maxSize / maxItemsets / deadlineMs and throws a RangeError on a bad value. */
export function checkMiningOptions(o: Pick<FpGrowthOptions, 'minSupport' | 'maxSize' | 'maxItemsets' | 'deadlineMs'>): void {
  if (!(typeof o.minSupport === 'number' && o.minSupport >= 0 && o.minSupport <= 1)) {
    throw new RangeError(`minSupport must be in [0, 1], got ${o.minSupport}`);
  }
  const ms = o.maxSize ?? DEFAULT_MAX_SIZE;
  if (!(ms === Infinity || (Number.isInteger(ms) && ms >= 1))) throw new RangeError(`maxSize must be an integer >= 1, got ${ms}`);
  const mi = o.maxItemsets ?? DEFAULT_MAX_ITEMSETS;
  if (!(mi === Infinity || (Number.isInteger(mi) && mi >= 0))) throw new RangeError(`maxItemsets must be an integer >= 0, got ${mi}`);
  if (o.deadlineMs !== undefined && !(o.deadlineMs >= 0)) throw new RangeError(`deadlineMs must be >= 0, got ${o.deadlineMs}`);
}

/** One FP-tree (or conditional FP-tree); arrays are reused between trees at the same recursion depth. */
class FpTree {
  // Nodes; node 0 is the root.
  item = new Int32Array(64);
  parent = new Int32Array(64);
  count = new Int32Array(64);
  slot = new Int32Array(64); // position of the node in `table`, so that reset clears only used slots
  nNodes = 1;
  // Open-addressing table (parent, item) -> child node id, -1 = empty.
  table = new Int32Array(128).fill(-1);
  mask = 127;
  // Items (local index: 0 = most frequent in the base tree; order preserved in conditional trees).
  nLocal = 0;
  toGlobal = new Int32Array(16);
  itemCount = new Int32Array(16);
  headStart = new Int32Array(17);
  headNodes = new Int32Array(64);
  // Scratch for building the conditional tree of one item.
  cond = new Int32Array(16);
  remap = new Int32Array(16);
  path = new Int32Array(16);
  // Ancestors of the nodes of one item, stored once (walked upward) and replayed when building.
  walk = new Int32Array(256);
  walkEnd = new Int32Array(64);
  walkCached = true;

  reset(nLocal: number): void {
    this.nLocal = nLocal;
    if (this.toGlobal.length < nLocal) {
      const cap = Math.max(nLocal, this.toGlobal.length * 2);
      this.toGlobal = new Int32Array(cap);
      this.itemCount = new Int32Array(cap);
      this.headStart = new Int32Array(cap + 1);
      this.cond = new Int32Array(cap);
      this.remap = new Int32Array(cap);
      this.path = new Int32Array(cap);
    }
    // Clear only the hash-table slots the previous tree used (the table can be far larger than this tree).
    const { table, slot } = this;
    for (let n = 1; n < this.nNodes; n++) table[slot[n]] = -1;
    this.nNodes = 1;
    this.count[0] = 0;
    this.parent[0] = -1;
    this.item[0] = -1;
  }

  /** Makes room for `extra` more nodes (grows node arrays and rehashes when needed). */
  reserve(extra: number): void {
    const need = this.nNodes + extra;
    if (need > this.item.length) {
      let cap = this.item.length * 2;
      while (cap < need) cap *= 2;
      this.item = growTo(this.item, cap);
      this.parent = growTo(this.parent, cap);
      this.count = growTo(this.count, cap);
      this.slot = growTo(this.slot, cap);
    }
    if (need * 2 > this.table.length) {
      let size = this.table.length * 2;
      while (need * 2 > size) size *= 2;
      this.table = new Int32Array(size).fill(-1);
      this.mask = size - 1;
      const { table, mask, parent, item, slot } = this;
      for (let n = 1; n < this.nNodes; n++) {
        let h = hash2(parent[n], item[n]) & mask;
        while (table[h] !== -1) h = (h + 1) & mask;
        table[h] = n;
        slot[n] = h;
      }
    }
  }

  /** Inserts a path of local items (increasing local index) with weight w. */
  insert(path: Int32Array, len: number, w: number): void {
    this.reserve(len);
    const { table, mask, parent, item, count, slot } = this;
    let node = 0;
    for (let i = 0; i < len; i++) {
      const it = path[i];
      let h = hash2(node, it) & mask;
      let c = table[h];
      while (c !== -1 && !(parent[c] === node && item[c] === it)) {
        h = (h + 1) & mask;
        c = table[h];
      }
      if (c === -1) {
        c = this.nNodes++;
        item[c] = it;
        parent[c] = node;
        count[c] = 0;
        table[h] = c;
        slot[c] = h;
      }
      count[c] += w;
      node = c;
    }
  }

  /**
   * Conditional pattern base of local item j: counts (in `cond`) of the items on the paths above j's
   * nodes, weighted by the node counts; the paths are kept in `walk` (up to WALK_CACHE_LIMIT entries)
   * for {@link project}. Returns the number of path steps (work done).
   */
  conditionalBase(j: number): number {
    const h0 = this.headStart[j];
    const h1 = this.headStart[j + 1];
    const { cond, parent, item, count, headNodes } = this;
    cond.fill(0, 0, j);
    if (this.walkEnd.length < h1 - h0) this.walkEnd = new Int32Array(Math.max(h1 - h0, this.walkEnd.length * 2));
    const walkEnd = this.walkEnd;
    let walk = this.walk;
    let pathLen = 0;
    let cached = true;
    for (let h = h0; h < h1; h++) {
      const n = headNodes[h];
      const w = count[n];
      for (let p = parent[n]; p > 0; p = parent[p]) {
        const it = item[p];
        cond[it] += w;
        if (cached) {
          if (pathLen === walk.length) {
            if (walk.length >= WALK_CACHE_LIMIT) cached = false;
            else walk = this.walk = growTo(walk, walk.length * 2);
          }
          if (cached) walk[pathLen] = it;
        }
        pathLen++;
      }
      walkEnd[h - h0] = pathLen;
    }
    this.walkCached = cached;
    return pathLen;
  }

  /**
   * Builds into `child` the conditional FP-tree of local item j from its pattern base (run
   * {@link conditionalBase} first), keeping items with count >= minCount. Returns its item count.
   */
  project(j: number, minCount: number, child: FpTree): number {
    const { cond, remap, toGlobal } = this;
    let nNew = 0;
    for (let k = 0; k < j; k++) remap[k] = cond[k] >= minCount ? nNew++ : -1;
    if (nNew === 0) return 0;
    child.reset(nNew);
    const childGlobal = child.toGlobal;
    for (let k = 0; k < j; k++) if (remap[k] >= 0) childGlobal[remap[k]] = toGlobal[k];
    if (this.walkCached) insertCachedPaths(this, j, child);
    else insertWalkedPaths(this, j, child);
    child.finish();
    return nNew;
  }

  /** Computes item supports and the per-item node lists (header table). */
  finish(): void {
    const { nLocal, nNodes, item, count, itemCount, headStart } = this;
    if (this.headNodes.length < nNodes) this.headNodes = new Int32Array(Math.max(nNodes, this.headNodes.length * 2));
    itemCount.fill(0, 0, nLocal);
    headStart.fill(0, 0, nLocal + 1);
    // One loop per helper: V8 compiles a hot loop on-stack (OSR), and code after it that has not run yet
    // would then deoptimize on every later call of the same function.
    countItems(item, count, nNodes, itemCount, headStart);
    prefixSums(headStart, nLocal);
    fillHeads(item, nNodes, nLocal, headStart, this.remap, this.headNodes);
  }
}

/** Inserts the paths above item j's nodes into child, replaying the cached upward walk backward. */
function insertCachedPaths(tree: FpTree, j: number, child: FpTree): void {
  const h0 = tree.headStart[j];
  const h1 = tree.headStart[j + 1];
  const { remap, walk, walkEnd, path, count, headNodes } = tree;
  let from = 0;
  for (let h = h0; h < h1; h++) {
    const to = walkEnd[h - h0];
    let len = 0;
    for (let i = to - 1; i >= from; i--) {
      const r = remap[walk[i]];
      if (r >= 0) path[len++] = r;
    }
    from = to;
    if (len > 0) child.insert(path, len, count[headNodes[h]]);
  }
}

/** Same as insertCachedPaths, walking the tree again (when the walk was too long to cache). */
function insertWalkedPaths(tree: FpTree, j: number, child: FpTree): void {
  const h0 = tree.headStart[j];
  const h1 = tree.headStart[j + 1];
  const { remap, path, count, headNodes, parent, item } = tree;
  for (let h = h0; h < h1; h++) {
    const n = headNodes[h];
    let len = 0;
    for (let p = parent[n]; p > 0; p = parent[p]) {
      const r = remap[item[p]];
      if (r >= 0) path[len++] = r;
    }
    for (let a = 0, b = len - 1; a < b; a++, b--) {
      const t = path[a];
      path[a] = path[b];
      path[b] = t;
    }
    if (len > 0) child.insert(path, len, count[n]);
  }
}

function countItems(item: Int32Array, count: Int32Array, nNodes: number, itemCount: Int32Array, headStart: Int32Array): void {
  for (let n = 1; n < nNodes; n++) {
    itemCount[item[n]] += count[n];
    headStart[item[n] + 1]++;
  }
}

function prefixSums(a: Int32Array, n: number): void {
  for (let k = 0; k < n; k++) a[k + 1] += a[k];
}

function fillHeads(item: Int32Array, nNodes: number, nLocal: number, headStart: Int32Array, cursor: Int32Array, headNodes: Int32Array): void {
  for (let k = 0; k < nLocal; k++) cursor[k] = headStart[k];
  fillNodes(item, nNodes, cursor, headNodes);
}

function fillNodes(item: Int32Array, nNodes: number, cursor: Int32Array, headNodes: Int32Array): void {
  for (let n = 1; n < nNodes; n++) headNodes[cursor[item[n]]++] = n;
}

/** True when the tree is one path root → node 1 → … → node nLocal (holding local items 0 … nLocal − 1). */
function isChain(tree: FpTree): boolean {
  if (tree.nNodes - 1 !== tree.nLocal) return false;
  const { parent } = tree;
  for (let n = 1; n < tree.nNodes; n++) if (parent[n] !== n - 1) return false;
  return true;
}

function hash2(a: number, b: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b + 0x7f4a7c15, 0x85ebca77);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 13;
  return h;
}

function growTo(a: Int32Array, cap: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(cap);
  b.set(a.subarray(0, Math.min(a.length, cap)));
  return b;
}

class StopMining extends Error {}

/** Largest ancestor walk (in items) kept in memory per tree before falling back to walking twice. */
const WALK_CACHE_LIMIT = 1 << 22;

/**
 * Mines all itemsets with count >= minSupport × N (1e-9 relative tolerance) and size <= maxSize by
 * FP-growth. Stops early (truncated: true, with limit, reason and suggestion) when more than maxItemsets
 * itemsets exist, the time budget runs out, or the progress callback returns false.
 */
export function fpGrowth(tx: Transactions, options: FpGrowthOptions): FrequentItemsets {
  const t0 = nowMs();
  checkMiningOptions(options);
  validateTransactions(tx);
  const N = transactionCount(tx);
  const nItems = tx.nItems;
  const minCount = minSupportCount(options.minSupport, N);
  const maxItemsets = options.maxItemsets ?? DEFAULT_MAX_ITEMSETS;
  const deadlineAt = options.deadlineMs === undefined ? Infinity : (options.startMs ?? t0) + options.deadlineMs;
  const onProgress = options.onProgress;

  // Output buffers.
  let outItems = new Int32Array(1024);
  let outOffsets = new Int32Array(257);
  let outCounts = new Int32Array(256);
  let nOut = 0;
  let nOutItems = 0;
  const bySize: number[] = [0];
  let limit: TruncationLimit | undefined;

  const stop = (why: TruncationLimit): never => {
    limit = why;
    throw new StopMining(why);
  };
  let nextCheck = 0;
  let work = 0;
  const checkTime = (): void => {
    if (nowMs() > deadlineAt) stop('deadline');
  };
  const report = (phase: MiningProgress['phase'], fraction: number): void => {
    if (onProgress && onProgress({ phase, fraction, itemsets: nOut, elapsedMs: nowMs() - t0 }) === false) stop('cancelled');
  };

  // 1. Item counts and the frequent, allowed items, ordered by count desc (then id).
  const itemCounts = new Int32Array(nItems);
  const { offsets, items, labels } = tx;
  for (let i = 0; i < items.length; i++) itemCounts[items[i]]++;
  const allowed: number[] = [];
  for (let id = 0; id < nItems; id++) {
    if (itemCounts[id] >= minCount && (!options.itemFilter || options.itemFilter(id, labels[id]))) allowed.push(id);
  }
  allowed.sort((a, b) => itemCounts[b] - itemCounts[a] || a - b);
  const F = allowed.length;
  const maxSize = Math.min(options.maxSize ?? DEFAULT_MAX_SIZE, Math.max(F, 1));
  const rank = new Int32Array(nItems).fill(-1);
  for (let r = 0; r < F; r++) rank[allowed[r]] = r;

  const prefix = new Int32Array(maxSize);
  const sortBuf = new Int32Array(maxSize);

  const emit = (len: number, count: number): void => {
    if (nOut >= maxItemsets) stop('maxItemsets');
    if ((nOut & 65535) === 65535) checkTime();
    if (nOut + 2 > outOffsets.length) outOffsets = growTo(outOffsets, outOffsets.length * 2);
    if (nOut + 1 > outCounts.length) outCounts = growTo(outCounts, outCounts.length * 2);
    if (nOutItems + len > outItems.length) outItems = growTo(outItems, Math.max(outItems.length * 2, nOutItems + len));
    // Insertion sort of the (short) prefix into ascending item ids.
    for (let i = 0; i < len; i++) {
      const v = prefix[i];
      let j = i - 1;
      while (j >= 0 && sortBuf[j] > v) {
        sortBuf[j + 1] = sortBuf[j];
        j--;
      }
      sortBuf[j + 1] = v;
    }
    for (let i = 0; i < len; i++) outItems[nOutItems + i] = sortBuf[i];
    nOutItems += len;
    outCounts[nOut] = count;
    nOut++;
    outOffsets[nOut] = nOutItems;
    while (bySize.length <= len) bySize.push(0);
    bySize[len]++;
  };

  const arenas: FpTree[] = [];
  const arena = (depth: number): FpTree => {
    while (arenas.length <= depth) arenas.push(new FpTree());
    return arenas[depth];
  };

  const mine = (depth: number, tree: FpTree, top: boolean): void => {
    const { headStart, itemCount, toGlobal } = tree;
    let nodesTotal = 0;
    let nodesDone = 0;
    if (top) nodesTotal = tree.nNodes - 1;
    for (let j = tree.nLocal - 1; j >= 0; j--) {
      prefix[depth] = toGlobal[j];
      emit(depth + 1, itemCount[j]);
      const h0 = headStart[j];
      const h1 = headStart[j + 1];
      if (depth + 1 < maxSize && j > 0) {
        work += tree.conditionalBase(j);
        const child = arena(depth + 1);
        if (tree.project(j, minCount, child) > 0) {
          if (work >= nextCheck) {
            nextCheck = work + 65536;
            checkTime();
          }
          if (isChain(child)) minePath(depth + 1, child);
          else mine(depth + 1, child, false);
        }
      }
      if (top) {
        nodesDone += h1 - h0;
        checkTime();
        report('mine', nodesTotal > 0 ? nodesDone / nodesTotal : 1);
      }
    }
  };

  // A tree that is a single path: every combination of its items is frequent, with the count of its
  // deepest item (counts do not increase down a path).
  const minePath = (depth: number, tree: FpTree): void => {
    const L = tree.nLocal;
    const { count, toGlobal } = tree;
    const rec = (d: number, first: number): void => {
      for (let n = first; n <= L; n++) {
        prefix[d] = toGlobal[n - 1];
        emit(d + 1, count[n]);
        if (d + 1 < maxSize) rec(d + 1, n + 1);
      }
    };
    rec(depth, 1);
  };

  try {
    report('prepare', 0);
    // 2. Base FP-tree: each transaction's allowed frequent items, by rank.
    const base = arena(0);
    base.reset(F);
    for (let r = 0; r < F; r++) base.toGlobal[r] = allowed[r];
    // The tree has at most one node per kept item occurrence: reserve once instead of growing.
    let kept = 0;
    for (let i = 0; i < items.length; i++) if (rank[items[i]] >= 0) kept++;
    base.reserve(kept);
    const buf = new Int32Array(Math.max(1, F));
    const N1 = offsets.length - 1;
    for (let t = 0; t < N1; t++) {
      let len = 0;
      for (let i = offsets[t]; i < offsets[t + 1]; i++) {
        const r = rank[items[i]];
        if (r < 0) continue;
        // Insertion sort by rank (baskets are short).
        let j = len - 1;
        while (j >= 0 && buf[j] > r) {
          buf[j + 1] = buf[j];
          j--;
        }
        buf[j + 1] = r;
        len++;
      }
      if (len === 0) continue;
      base.insert(buf, len, 1);
      if ((t & 16383) === 16383) checkTime();
    }
    base.finish();
    report('prepare', 1);
    if (F > 0) {
      if (isChain(base)) minePath(0, base);
      else mine(0, base, true);
    }
  } catch (e) {
    if (!(e instanceof StopMining)) throw e;
  }
  if (limit === undefined) onProgress?.({ phase: 'mine', fraction: 1, itemsets: nOut, elapsedMs: nowMs() - t0 });

  const result: FrequentItemsets = {
    nTransactions: N,
    nItems,
    minCount,
    maxSize: options.maxSize ?? DEFAULT_MAX_SIZE,
    length: nOut,
    offsets: outOffsets.slice(0, nOut + 1),
    items: outItems.slice(0, nOutItems),
    counts: outCounts.slice(0, nOut),
    bySize,
    truncated: limit !== undefined,
    elapsedMs: nowMs() - t0,
  };
  if (limit !== undefined) {
    result.limit = limit;
    Object.assign(result, truncationAdvice(limit, options, nOut, bySize));
  }
  return result;
}

/** Human-readable reason and a suggested setting change for a truncated run. */
export function truncationAdvice(
  limit: TruncationLimit,
  options: { minSupport: number; minConfidence?: number; maxSize?: number; maxItemsets?: number; maxRules?: number; deadlineMs?: number },
  found: number,
  bySize: readonly number[],
): { reason: string; suggestion: TruncationSuggestion } {
  const maxSize = options.maxSize ?? DEFAULT_MAX_SIZE;
  if (limit === 'maxRules') {
    return {
      reason: `More than ${options.maxRules} rules; raise min confidence (now ${options.minConfidence}) or min support (now ${options.minSupport}).`,
      suggestion: 'raise-min-confidence',
    };
  }
  // When most itemsets found so far are long (size >= 4), limiting the size helps most; else raise support.
  let long = 0;
  for (let k = 4; k < bySize.length; k++) long += bySize[k];
  const suggestion: TruncationSuggestion = maxSize > 3 && long * 2 > found ? 'lower-max-size' : 'raise-min-support';
  const advice =
    suggestion === 'lower-max-size'
      ? `lower the max itemset size (now ${maxSize}) to 3, or raise min support (now ${options.minSupport})`
      : `raise min support (now ${options.minSupport})`;
  if (limit === 'maxItemsets') {
    const cap = options.maxItemsets ?? DEFAULT_MAX_ITEMSETS;
    return { reason: `More than ${cap} frequent itemsets; ${advice}.`, suggestion };
  }
  if (limit === 'deadline') {
    return { reason: `Time limit of ${options.deadlineMs} ms reached (${found} itemsets so far); ${advice}.`, suggestion };
  }
  return { reason: `Cancelled after ${found} itemsets.`, suggestion };
}
