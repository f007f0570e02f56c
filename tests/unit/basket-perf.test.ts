// Market basket timings (printed, not asserted): groceries.csv and a synthetic ~1M-line data set.

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTransactions, mineRules, type Transactions } from '../../src/models/basket/index.ts';

const DATA = new URL('../../../shared/data/groceries.csv', import.meta.url);

function time<T>(f: () => T): [T, number] {
  const t = performance.now();
  const out = f();
  return [out, performance.now() - t];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1];
}

/** Seeded PRNG (mulberry32). */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** nTx baskets over nItems products: Zipf(1.1) popularity, geometric basket sizes (mean ~3.6), plus co-bought bundles. */
function synthetic(nTx: number, nItems: number, seed = 42): Transactions {
  const rnd = mulberry32(seed);
  const cdf = new Float64Array(nItems);
  let acc = 0;
  for (let i = 0; i < nItems; i++) cdf[i] = acc += 1 / Math.pow(i + 1, 1.1);
  for (let i = 0; i < nItems; i++) cdf[i] /= acc;
  const draw = (): number => {
    const u = rnd();
    let lo = 0;
    let hi = nItems - 1;
    while (lo < hi) {
      const m = (lo + hi) >> 1;
      if (cdf[m] < u) lo = m + 1;
      else hi = m;
    }
    return lo;
  };
  const bundles = Array.from({ length: 200 }, () => Array.from({ length: 2 + Math.floor(rnd() * 3) }, draw));
  const offsets = new Int32Array(nTx + 1);
  let items = new Int32Array(nTx * 6);
  let n = 0;
  const seen = new Int32Array(nItems).fill(-1);
  const push = (t: number, id: number): void => {
    if (seen[id] === t) return;
    seen[id] = t;
    if (n === items.length) {
      const b = new Int32Array(items.length * 2);
      b.set(items);
      items = b;
    }
    items[n++] = id;
  };
  for (let t = 0; t < nTx; t++) {
    let k = 1;
    while (rnd() < 0.72) k++;
    for (let j = 0; j < k; j++) push(t, draw());
    if (rnd() < 0.25) for (const id of bundles[Math.floor(rnd() * rnd() * bundles.length)]) push(t, id);
    offsets[t + 1] = n;
  }
  return { nItems, labels: Array.from({ length: nItems }, (_, i) => `product ${i}`), offsets, items: items.slice(0, n) };
}

describe('basket timings', () => {
  it('groceries.csv', () => {
    const [tx, parseMs] = time(() => {
      const lines = readFileSync(DATA, 'utf8').split('\n');
      if (lines[lines.length - 1] === '') lines.pop();
      return buildTransactions(lines.map((l) => l.replace(/\r$/, '').split(',')));
    });
    console.log(`groceries: read + build ${parseMs.toFixed(1)} ms (${tx.offsets.length - 1} transactions)`);
    for (const [minSupport, minConfidence] of [
      [0.006, 0.25],
      [0.001, 0.8],
    ]) {
      const runs: number[] = [];
      let rules = 0;
      for (let i = 0; i < 5; i++) {
        const [res, ms] = time(() => mineRules(tx, { minSupport, minConfidence, maxSize: 10 }));
        runs.push(ms);
        rules = res.rules.length;
      }
      console.log(
        `groceries supp ${minSupport} conf ${minConfidence}: first ${runs[0].toFixed(1)} ms, median of 5 ${median(runs).toFixed(1)} ms, ${rules} rules`,
      );
      expect(rules).toBeGreaterThan(0);
    }
  });

  it('synthetic: 300k transactions over 2,000 items', () => {
    const [tx, genMs] = time(() => synthetic(300_000, 2000));
    console.log(`synthetic: generated ${tx.offsets.length - 1} transactions, ${tx.items.length} item occurrences in ${genMs.toFixed(0)} ms`);
    for (const minSupport of [0.01, 0.001, 0.0002]) {
      const [res, ms] = time(() => mineRules(tx, { minSupport, minConfidence: 0.3, maxSize: 10, deadlineMs: 30_000 }));
      console.log(
        `synthetic supp ${minSupport} conf 0.3: ${ms.toFixed(0)} ms, ${res.itemsets.total} itemsets, ${res.ruleCount} rules${res.truncated ? ` (truncated: ${res.reason})` : ''}`,
      );
      expect(res.transactions).toBe(300_000);
    }
    const [res, ms] = time(() => mineRules(tx, { minSupport: 0.00001, minConfidence: 0.3, maxSize: 10, deadlineMs: 500 }));
    console.log(`synthetic supp 0.00001 with a 500 ms budget: stopped after ${ms.toFixed(0)} ms, truncated=${res.truncated} (${res.reason})`);
    expect(res.truncated).toBe(true);
  });
});
