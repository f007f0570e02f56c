// Market basket rules on groceries.csv against the arules reference values (MODELS.md §7).

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildTransactions, fpGrowth, mineRules, type BasketRule, type MineRulesResult } from '../../src/models/basket/index.ts';

interface RefRule {
  lhs: string[];
  rhs: string;
  support: number;
  confidence: number;
  lift: number;
  count: number;
}

const DATA = new URL('../../../shared/data/groceries.csv', import.meta.url);
const REF = JSON.parse(readFileSync(new URL('../../../shared/data/reference_values.json', import.meta.url), 'utf8')).apriori_groceries;

/** Basket-per-line file: one transaction per line, items split on ',' (no quoting in this file). */
function readBaskets(): string[][] {
  const lines = readFileSync(DATA, 'utf8').split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.map((line) => line.replace(/\r$/, '').split(','));
}

const tx = buildTransactions(readBaskets());

function byLength(res: MineRulesResult): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of res.rules) out[r.antecedent.length + 1] = (out[r.antecedent.length + 1] ?? 0) + 1;
  return out;
}

function expectRule(got: BasketRule, ref: RefRule): void {
  expect(got.antecedent).toEqual(ref.lhs);
  expect(got.consequent).toEqual([ref.rhs]);
  expect(got.count).toBe(ref.count);
  expect(Math.abs(got.support - ref.support)).toBeLessThanOrEqual(1e-6);
  expect(Math.abs(got.confidence - ref.confidence)).toBeLessThanOrEqual(1e-6);
  expect(Math.abs(got.lift - ref.lift)).toBeLessThanOrEqual(1e-6);
}

describe('groceries.csv', () => {
  it('has 9835 transactions and 169 items, labels kept exactly', () => {
    expect(tx.offsets.length - 1).toBe(9835);
    expect(REF.n_transactions).toBe(9835);
    expect(tx.nItems).toBe(169);
    expect(REF.n_items).toBe(169);
    expect(tx.items.length).toBe(43367);
    expect(tx.labels.filter((l) => l.endsWith(' ')).sort()).toEqual(['cream cheese ', 'roll products ']);
  });

  it('supp 0.006, conf 0.25, max size 10: 463 rules, 747 itemsets, top 5 by lift', () => {
    const ref = REF['supp0.006_conf0.25_minlen2'];
    const res = mineRules(tx, { minSupport: 0.006, minConfidence: 0.25, maxSize: 10 });
    expect(res.truncated).toBe(false);
    expect(res.transactions).toBe(9835);
    expect(res.minCount).toBe(60);
    expect(res.rules).toHaveLength(463);
    expect(res.rules.length).toBe(ref.n_rules);
    expect(byLength(res)).toEqual({ 2: 150, 3: 297, 4: 16 });
    expect(byLength(res)).toEqual(ref.rules_by_length);
    expect(res.itemsets.bySize).toEqual({ 1: 109, 2: 478, 3: 156, 4: 4 });
    expect(res.itemsets.bySize).toEqual(ref.itemsets_by_size);
    expect(res.itemsets.total).toBe(747);
    expect(ref.top5_by_lift).toHaveLength(5);
    (ref.top5_by_lift as RefRule[]).forEach((r, i) => expectRule(res.rules[i], r));
    // Every rule meets the thresholds; lift = confidence / support(rhs).
    for (const r of res.rules) {
      expect(r.support).toBeGreaterThanOrEqual(0.006 * (1 - 1e-9));
      expect(r.confidence).toBeGreaterThanOrEqual(0.25 * (1 - 1e-9));
      expect([...r.antecedent].sort()).toEqual(r.antecedent);
    }
  });

  it('supp 0.006, conf 0.25, max size 3: 447 rules', () => {
    const res = mineRules(tx, { minSupport: 0.006, minConfidence: 0.25, maxSize: 3 });
    expect(res.rules).toHaveLength(447);
    expect(byLength(res)).toEqual({ 2: 150, 3: 297 });
  });

  it('supp 0.001, conf 0.8: 410 rules, 13,492 itemsets, top rule liquor + red/blush wine => bottled beer', () => {
    const ref = REF['supp0.001_conf0.8'];
    const res = mineRules(tx, { minSupport: 0.001, minConfidence: 0.8, maxSize: 10 });
    expect(res.truncated).toBe(false);
    expect(res.rules).toHaveLength(410);
    expect(res.rules.length).toBe(ref.n_rules);
    expect(res.itemsets.total).toBe(13492);
    expect(res.itemsets.total).toBe(ref.n_frequent_itemsets);
    expect(res.rules[0].antecedent).toEqual(['liquor', 'red/blush wine']);
    expect(res.rules[0].consequent).toEqual(['bottled beer']);
    expect(res.rules[0].lift).toBeCloseTo(11.235269, 6);
    (ref.top3_by_lift as RefRule[]).forEach((r, i) => expectRule(res.rules[i], r));
  });

  it('supp 0.005, conf 0.5: 120 rules; supp 0.01, conf 0.5: 15 rules', () => {
    expect(mineRules(tx, { minSupport: 0.005, minConfidence: 0.5, maxSize: 10 }).rules).toHaveLength(REF['supp0.005_conf0.5_minlen2'].n_rules);
    expect(mineRules(tx, { minSupport: 0.005, minConfidence: 0.5, maxSize: 10 }).rules).toHaveLength(120);
    expect(mineRules(tx, { minSupport: 0.01, minConfidence: 0.5, maxSize: 10 }).rules).toHaveLength(REF['supp0.01_conf0.5'].n_rules);
    expect(mineRules(tx, { minSupport: 0.01, minConfidence: 0.5, maxSize: 10 }).rules).toHaveLength(15);
  });

  it('reports the top item counts of the data README', () => {
    const sets = fpGrowth(tx, { minSupport: 0.1, maxSize: 1 });
    const counts = new Map<string, number>();
    for (let s = 0; s < sets.length; s++) counts.set(tx.labels[sets.items[sets.offsets[s]]], sets.counts[s]);
    expect(counts.get('whole milk')).toBe(2513);
    expect(counts.get('other vegetables')).toBe(1903);
    expect(counts.get('rolls/buns')).toBe(1809);
    expect(counts.get('soda')).toBe(1715);
    expect(counts.get('yogurt')).toBe(1372);
  });

  it('truncates with a reason when maxItemsets is tiny', () => {
    const res = mineRules(tx, { minSupport: 0.001, minConfidence: 0.8, maxSize: 10, maxItemsets: 1000 });
    expect(res.truncated).toBe(true);
    expect(res.limit).toBe('maxItemsets');
    expect(res.reason).toMatch(/min support/);
    expect(res.rules).toEqual([]);
  });
});
