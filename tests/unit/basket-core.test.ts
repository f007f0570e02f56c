// Market basket core on hand-made fixtures: supports, confidences, thresholds, labels, ordering, truncation.

import { describe, expect, it } from 'vitest';
import {
  buildTransactions,
  fpGrowth,
  mineRules,
  minSupportCount,
  SOLID_RULE_BASKETS,
  validateTransactions,
  type BasketRule,
  type Transactions,
} from '../../src/models/basket/index.ts';

// The classic 5-basket example (Tan, Steinbach & Kumar).
const SHOP = [
  ['bread', 'milk'],
  ['bread', 'diapers', 'beer', 'eggs'],
  ['milk', 'diapers', 'beer', 'cola'],
  ['bread', 'milk', 'diapers', 'beer'],
  ['bread', 'milk', 'diapers', 'cola'],
];

const fmt = (r: BasketRule): string => `{${r.antecedent.join(',')}} => {${r.consequent.join(',')}}`;
const find = (rules: BasketRule[], ante: string[], cons: string): BasketRule | undefined =>
  rules.find((r) => r.consequent[0] === cons && r.antecedent.join('|') === ante.join('|'));

describe('buildTransactions', () => {
  it('builds CSR with ids by first appearance, dedupes within a basket, keeps empty baskets', () => {
    const tx = buildTransactions([['b', 'a', 'b'], [], ['a', 'c', ''], ['a']]);
    expect(tx.nItems).toBe(3);
    expect(tx.labels).toEqual(['b', 'a', 'c']);
    expect(Array.from(tx.offsets)).toEqual([0, 2, 2, 4, 5]);
    expect(Array.from(tx.items)).toEqual([0, 1, 1, 2, 1]);
    expect(() => validateTransactions(tx)).not.toThrow();
  });

  it('keeps labels exactly, trailing spaces included', () => {
    const tx = buildTransactions([['cream cheese ', 'cream cheese'], ['roll products ']]);
    expect(tx.labels).toEqual(['cream cheese ', 'cream cheese', 'roll products ']);
  });

  it('rejects malformed CSR input', () => {
    const ok: Transactions = { nItems: 2, labels: ['a', 'b'], offsets: Int32Array.of(0, 2), items: Int32Array.of(0, 1) };
    expect(() => validateTransactions(ok)).not.toThrow();
    expect(() => validateTransactions({ ...ok, items: Int32Array.of(0, 0) })).toThrow(/repeated/);
    expect(() => validateTransactions({ ...ok, items: Int32Array.of(0, 2) })).toThrow(/out of range/);
    expect(() => validateTransactions({ ...ok, offsets: Int32Array.of(0, 1) })).toThrow(/offsets end/);
    expect(() => validateTransactions({ ...ok, labels: ['a'] })).toThrow(/labels/);
    expect(() => fpGrowth({ ...ok, items: Int32Array.of(1, 1) }, { minSupport: 0.1 })).toThrow(RangeError);
  });
});

describe('fpGrowth on the 5-basket shop', () => {
  const tx = buildTransactions(SHOP);

  it('finds the hand-counted frequent itemsets at min support 0.4 (count >= 2)', () => {
    const sets = fpGrowth(tx, { minSupport: 0.4 });
    expect(sets.minCount).toBe(2);
    const got = new Map<string, number>();
    for (let s = 0; s < sets.length; s++) {
      const names = Array.from(sets.items.subarray(sets.offsets[s], sets.offsets[s + 1]), (id) => tx.labels[id]).sort();
      got.set(names.join(','), sets.counts[s]);
    }
    expect(Object.fromEntries([...got].sort())).toEqual({
      beer: 3,
      bread: 4,
      cola: 2,
      diapers: 4,
      milk: 4,
      'beer,bread': 2,
      'beer,diapers': 3,
      'beer,milk': 2,
      'bread,diapers': 3,
      'bread,milk': 3,
      'cola,diapers': 2,
      'cola,milk': 2,
      'diapers,milk': 3,
      'beer,bread,diapers': 2,
      'beer,diapers,milk': 2,
      'bread,diapers,milk': 2,
      'cola,diapers,milk': 2,
    });
    expect(sets.bySize).toEqual([0, 5, 8, 4]);
    expect(sets.truncated).toBe(false);
  });

  it('enumerates a single-path tree (identical baskets) with sizes capped', () => {
    const same = buildTransactions(Array.from({ length: 5 }, () => ['a', 'b', 'c', 'd']));
    const all = fpGrowth(same, { minSupport: 0.5 });
    expect(all.bySize).toEqual([0, 4, 6, 4, 1]);
    expect(Array.from(all.counts).every((c) => c === 5)).toBe(true);
    expect(fpGrowth(same, { minSupport: 0.5, maxSize: 2 }).bySize).toEqual([0, 4, 6]);
    const cut = fpGrowth(same, { minSupport: 0.5, maxItemsets: 7 });
    expect(cut.truncated).toBe(true);
    expect(cut.length).toBe(7);
    // A chain below a branching point: {a,b,c} in 3 baskets, plus noise.
    const mixed = buildTransactions([['a', 'b', 'c'], ['a', 'b', 'c'], ['a', 'b', 'c', 'x'], ['x', 'y'], ['y']]);
    const sets = fpGrowth(mixed, { minSupport: 0.4 });
    expect(sets.bySize).toEqual([0, 5, 3, 1]); // a b c x y (x, y: 2 each); ab ac bc; abc ({x,y} only once)
  });

  it('respects maxSize and the item filter', () => {
    expect(fpGrowth(tx, { minSupport: 0.4, maxSize: 2 }).bySize).toEqual([0, 5, 8]);
    expect(fpGrowth(tx, { minSupport: 0.4, maxSize: 1 }).length).toBe(5);
    const noBeer = fpGrowth(tx, { minSupport: 0.4, itemFilter: (_id, label) => label !== 'beer' });
    expect(noBeer.bySize).toEqual([0, 4, 5, 2]);
  });
});

describe('mineRules on the 5-basket shop', () => {
  const tx = buildTransactions(SHOP);

  it('computes support, confidence, lift, leverage, conviction and count by hand', () => {
    const res = mineRules(tx, { minSupport: 0.4, minConfidence: 0.6, maxSize: 10 });
    expect(res.transactions).toBe(5);
    expect(res.items).toBe(6);
    expect(res.itemsets).toEqual({ total: 17, bySize: { 1: 5, 2: 8, 3: 4 } });
    expect(res.ruleCount).toBe(24);
    expect(res.rules).toHaveLength(24);

    const r1 = find(res.rules, ['diapers'], 'beer')!;
    expect(r1.count).toBe(3);
    expect(r1.support).toBeCloseTo(0.6, 12);
    expect(r1.confidence).toBeCloseTo(0.75, 12);
    expect(r1.lift).toBeCloseTo(1.25, 12);
    expect(r1.leverage).toBeCloseTo(0.6 - 0.8 * 0.6, 12);
    expect(r1.conviction).toBeCloseTo((1 - 0.6) / (1 - 0.75), 12);

    const r2 = find(res.rules, ['diapers', 'milk'], 'beer')!;
    expect(r2.count).toBe(2);
    expect(r2.support).toBeCloseTo(0.4, 12);
    expect(r2.confidence).toBeCloseTo(2 / 3, 12);
    expect(r2.lift).toBeCloseTo(2 / 3 / 0.6, 12);

    const r3 = find(res.rules, ['beer'], 'diapers')!;
    expect(r3.confidence).toBe(1);
    expect(r3.conviction).toBe(Infinity);

    // Below the confidence threshold: bread => beer has 2/4 = 0.5.
    expect(find(res.rules, ['bread'], 'beer')).toBeUndefined();
    // Antecedents are never empty and consequents are single items.
    for (const r of res.rules) {
      expect(r.antecedent.length).toBeGreaterThan(0);
      expect(r.consequent).toHaveLength(1);
    }
  });

  it('orders by lift, confidence, support, then labels', () => {
    const res = mineRules(tx, { minSupport: 0.4, minConfidence: 0.6, maxSize: 10 });
    expect(res.rules.slice(0, 9).map(fmt)).toEqual([
      '{diapers,milk} => {cola}', // lift 5/3
      '{beer} => {diapers}', // lift 1.25, confidence 1, support 0.6
      '{beer,bread} => {diapers}', // lift 1.25, confidence 1, support 0.4: by labels
      '{beer,milk} => {diapers}',
      '{cola} => {diapers}',
      '{cola} => {milk}',
      '{cola,diapers} => {milk}',
      '{cola,milk} => {diapers}',
      '{diapers} => {beer}', // lift 1.25, confidence 0.75
    ]);
    // Same result whatever the input order of baskets and of items within baskets.
    const shuffled = buildTransactions([...SHOP].reverse().map((b) => [...b].reverse()));
    const again = mineRules(shuffled, { minSupport: 0.4, minConfidence: 0.6, maxSize: 10 });
    expect(again.rules.map(fmt)).toEqual(res.rules.map(fmt));
  });

  it('applies min confidence, min lift and max size', () => {
    expect(mineRules(tx, { minSupport: 0.4, minConfidence: 0.7, maxSize: 10 }).ruleCount).toBe(14);
    expect(mineRules(tx, { minSupport: 0.4, minConfidence: 0.6, maxSize: 2 }).ruleCount).toBe(12);
    const lifted = mineRules(tx, { minSupport: 0.4, minConfidence: 0.6, maxSize: 10, minLift: 1.25 });
    expect(lifted.rules.map(fmt)).toEqual(
      mineRules(tx, { minSupport: 0.4, minConfidence: 0.6, maxSize: 10 })
        .rules.filter((r) => r.lift >= 1.25 - 1e-12)
        .map(fmt),
    );
    expect(lifted.ruleCount).toBe(9); // lift 5/3 once and 1.25 (inclusive) eight times
    const noBeer = mineRules(tx, { minSupport: 0.4, minConfidence: 0.6, maxSize: 10, itemFilter: (l) => l !== 'beer' });
    expect(noBeer.transactions).toBe(5);
    expect(noBeer.rules.length).toBeGreaterThan(0);
    for (const r of noBeer.rules) expect([...r.antecedent, ...r.consequent]).not.toContain('beer');
  });

  it('accepts arrays of string arrays and returns only `top` rules when asked', () => {
    const res = mineRules(SHOP, { minSupport: 0.4, minConfidence: 0.6, maxSize: 10, top: 3 });
    expect(res.ruleCount).toBe(24);
    expect(res.rules.map(fmt)).toEqual(['{diapers,milk} => {cola}', '{beer} => {diapers}', '{beer,bread} => {diapers}']);
  });

  it('validates options', () => {
    expect(() => mineRules(tx, { minSupport: 1.5, minConfidence: 0.5, maxSize: 3 })).toThrow(RangeError);
    expect(() => mineRules(tx, { minSupport: 0.1, minConfidence: -1, maxSize: 3 })).toThrow(RangeError);
    expect(() => mineRules(tx, { minSupport: 0.1, minConfidence: 0.5, maxSize: 0 })).toThrow(RangeError);
  });
});

describe('inclusive thresholds', () => {
  // 100 baskets: x in all, y in 7, z in 6. 0.07 * 100 = 7.000000000000001 in floating point.
  const baskets = Array.from({ length: 100 }, (_, i) => ['x', ...(i < 7 ? ['y'] : []), ...(i >= 50 && i < 56 ? ['z'] : [])]);
  const tx = buildTransactions(baskets);

  it('keeps an itemset whose count equals min_support × N exactly', () => {
    expect(0.07 * 100).toBeGreaterThan(7);
    expect(minSupportCount(0.07, 100)).toBe(7);
    const sets = fpGrowth(tx, { minSupport: 0.07 });
    expect(sets.bySize).toEqual([0, 2, 1]); // x, y, {x, y}; z (6) is out
    expect(fpGrowth(tx, { minSupport: 0.0700001 }).bySize).toEqual([0, 1]);
  });

  it('keeps a rule whose count(X ∪ Y) equals min_confidence × count(X) exactly', () => {
    const res = mineRules(tx, { minSupport: 0.06, minConfidence: 0.07, maxSize: 3 });
    const xy = find(res.rules, ['x'], 'y')!;
    expect(xy.confidence).toBeCloseTo(0.07, 15);
    expect(xy.count).toBe(7);
    expect(find(res.rules, ['x'], 'z')).toBeUndefined(); // 6 / 100 < 0.07
    expect(find(mineRules(tx, { minSupport: 0.06, minConfidence: 0.0700001, maxSize: 3 }).rules, ['x'], 'y')).toBeUndefined();
  });

  it('treats min support 0 as "occurs at least once"', () => {
    expect(minSupportCount(0, 100)).toBe(1);
    expect(fpGrowth(tx, { minSupport: 0 }).length).toBe(3 + 2); // x, y, z, {x,y}, {x,z}
  });
});

describe('labels with trailing spaces', () => {
  it('keeps "cream cheese " and "cream cheese" apart in rules', () => {
    const tx = buildTransactions([
      ['cream cheese ', 'roll products '],
      ['cream cheese ', 'roll products '],
      ['cream cheese', 'milk'],
      ['cream cheese', 'milk'],
      ['cream cheese ', 'milk'],
    ]);
    const res = mineRules(tx, { minSupport: 0.4, minConfidence: 0.9, maxSize: 2 });
    expect(res.rules.map(fmt).sort()).toEqual([
      '{cream cheese} => {milk}',
      '{roll products } => {cream cheese }',
    ]);
    expect(find(res.rules, ['roll products '], 'cream cheese ')!.confidence).toBe(1);
  });
});

describe('truncation', () => {
  const many = Array.from({ length: 50 }, (_, i) => Array.from({ length: 12 }, (_, k) => `i${(i + k) % 14}`));

  it('stops at maxItemsets with a reason and a suggestion', () => {
    const res = mineRules(many, { minSupport: 0.01, minConfidence: 0.1, maxSize: 10, maxItemsets: 20 });
    expect(res.truncated).toBe(true);
    expect(res.limit).toBe('maxItemsets');
    expect(res.reason).toMatch(/More than 20 frequent itemsets/);
    expect(res.reason).toMatch(/min support/);
    expect(['raise-min-support', 'lower-max-size']).toContain(res.suggestion);
    expect(res.rules).toEqual([]);
    expect(res.itemsets.total).toBe(20);
    const sets = fpGrowth(buildTransactions(many), { minSupport: 0.01, maxItemsets: 20 });
    expect(sets.truncated).toBe(true);
    expect(sets.length).toBe(20);
  });

  it('is not truncated when the itemset count equals maxItemsets', () => {
    const tx = buildTransactions(SHOP);
    expect(fpGrowth(tx, { minSupport: 0.4, maxItemsets: 17 }).truncated).toBe(false);
    expect(fpGrowth(tx, { minSupport: 0.4, maxItemsets: 16 }).truncated).toBe(true);
  });

  it('stops at maxRules', () => {
    const res = mineRules(SHOP, { minSupport: 0.4, minConfidence: 0.6, maxSize: 10, maxRules: 5 });
    expect(res.truncated).toBe(true);
    expect(res.limit).toBe('maxRules');
    expect(res.suggestion).toBe('raise-min-confidence');
  });

  it('stops at the deadline and when the progress callback cancels', () => {
    const res = mineRules(many, { minSupport: 0.01, minConfidence: 0.1, maxSize: 10, deadlineMs: 0 });
    expect(res.truncated).toBe(true);
    expect(res.limit).toBe('deadline');
    expect(res.reason).toMatch(/Time limit of 0 ms/);
    let calls = 0;
    const cancelled = mineRules(many, { minSupport: 0.01, minConfidence: 0.1, maxSize: 10, onProgress: () => ++calls < 3 });
    expect(cancelled.truncated).toBe(true);
    expect(cancelled.limit).toBe('cancelled');
  });

  it('reports progress with fractions in [0, 1]', () => {
    const seen: number[] = [];
    const res = mineRules(SHOP, { minSupport: 0.4, minConfidence: 0.6, maxSize: 10, onProgress: (p) => void seen.push(p.fraction) });
    expect(res.truncated).toBe(false);
    expect(seen.length).toBeGreaterThan(2);
    for (const f of seen) expect(f >= 0 && f <= 1).toBe(true);
    expect(seen[seen.length - 1]).toBe(1);
  });
});

describe('agreement with brute force on random data', () => {
  function rng(seed: number): () => number {
    let s = seed >>> 0;
    return () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return s / 4294967296;
    };
  }

  it('finds exactly the brute-force itemsets and rules, in order', () => {
    for (let trial = 0; trial < 12; trial++) {
      const rnd = rng(trial + 1);
      const nItems = 6 + (trial % 5);
      const baskets = Array.from({ length: 40 + trial * 7 }, () =>
        Array.from({ length: nItems }, (_, i) => `p${i}`).filter((_, i) => rnd() < 0.15 + 0.5 / (i + 1)),
      );
      const tx = buildTransactions(baskets);
      const N = baskets.length;
      const minSupport = [0.05, 0.1, 0.2][trial % 3];
      const minConfidence = [0.3, 0.5, 0.8][trial % 3];
      const maxSize = [2, 3, 10][(trial >> 1) % 3];
      const minCount = minSupportCount(minSupport, N);
      // Brute force over all subsets of the items.
      const m = tx.nItems;
      const masks = baskets.map((b) => b.reduce((acc, l) => acc | (1 << tx.labels.indexOf(l)), 0));
      const count = (mask: number) => masks.reduce((c, t) => c + ((t & mask) === mask ? 1 : 0), 0);
      const popcount = (x: number) => x.toString(2).replace(/0/g, '').length;
      const frequent = new Map<number, number>();
      for (let mask = 1; mask < 1 << m; mask++) {
        if (popcount(mask) > maxSize) continue;
        const c = count(mask);
        if (c >= minCount) frequent.set(mask, c);
      }
      const sets = fpGrowth(tx, { minSupport, maxSize });
      expect(sets.length).toBe(frequent.size);
      for (let s = 0; s < sets.length; s++) {
        let mask = 0;
        for (let i = sets.offsets[s]; i < sets.offsets[s + 1]; i++) mask |= 1 << sets.items[i];
        expect(frequent.get(mask)).toBe(sets.counts[s]);
      }
      const expected: string[] = [];
      for (const [mask, c] of frequent) {
        if (popcount(mask) < 2) continue;
        for (let y = 0; y < m; y++) {
          if (!(mask & (1 << y))) continue;
          const cx = frequent.get(mask & ~(1 << y))!;
          if (c >= minConfidence * cx * (1 - 1e-9)) {
            const ante = tx.labels.filter((_, i) => i !== y && mask & (1 << i)).sort();
            expected.push(`{${ante.join(',')}} => {${tx.labels[y]}}`);
          }
        }
      }
      const res = mineRules(tx, { minSupport, minConfidence, maxSize });
      expect(res.rules.map(fmt).sort()).toEqual(expected.sort());
      // Rules from at least SOLID_RULE_BASKETS transactions first, then the others; each part by lift, confidence, support.
      for (let i = 1; i < res.rules.length; i++) {
        const a = res.rules[i - 1];
        const b = res.rules[i];
        const solid = (r: typeof a) => r.count >= SOLID_RULE_BASKETS;
        expect(solid(a) || !solid(b)).toBe(true);
        if (solid(a) !== solid(b)) continue;
        expect(a.lift > b.lift || (a.lift === b.lift && (a.confidence > b.confidence || (a.confidence === b.confidence && a.support >= b.support)))).toBe(true);
      }
    }
  });
});
