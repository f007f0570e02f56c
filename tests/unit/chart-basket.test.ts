// The basket cell's chart specs drawn in Node from a small hand-made result, in both languages, against their stored SVG.
import { describe, expect, it } from 'vitest';
import { basketHeatmap, basketScatter, itemLabels } from '../../src/charts/basket.ts';
import type { BasketRule } from '../../src/models/basket/index.ts';
import type { Cooccurrence } from '../../src/models/basket/model.ts';
import { snapshotTests } from './chart-snapshot.ts';

const rule = (antecedent: string[], consequent: string, support: number, confidence: number, lift: number, count: number): BasketRule => ({
  antecedent, consequent: [consequent], support, confidence, lift, leverage: 0.01, conviction: 1.5, count,
});
const rules = [rule(['牛奶'], '面包', 0.12, 0.6, 1.8, 120), rule(['面包', '鸡蛋'], '牛奶', 0.05, 0.45, 2.6, 50), rule(['Tea'], 'Biscuits', 0.02, 0.3, 0.9, 20)];
const co: Cooccurrence = {
  transactions: 1000,
  items: [{ item: '牛奶', count: 300 }, { item: '面包', count: 250 }, { item: 'A very long product name indeed', count: 90 }],
  pairs: [
    { a: '牛奶', b: '面包', count: 120, support: 0.12, lift: 1.6 }, { a: '面包', b: '牛奶', count: 120, support: 0.12, lift: 1.6 },
    { a: '牛奶', b: 'A very long product name indeed', count: 5, support: 0.005, lift: 0.19 },
    { a: 'A very long product name indeed', b: '牛奶', count: 5, support: 0.005, lift: 0.19 },
    { a: '面包', b: 'A very long product name indeed', count: 0, support: 0, lift: 0 },
    { a: 'A very long product name indeed', b: '面包', count: 0, support: 0, lift: 0 },
  ],
};

snapshotTests({
  'basket-scatter': (w, l) => basketScatter(rules, rules[1], w, l),
  'basket-heatmap': (w, l) => basketHeatmap(co, w, l),
});

describe('heat-map item labels', () => {
  it('cuts long names in the middle and keeps every label distinct (the end cut gave "PLASTERS IN T…" three times)', () => {
    const names = ['PLASTERS IN TIN CIRCUS PARADE', 'PLASTERS IN TIN SKULLS', 'PLASTERS IN TIN WOODLAND ANIMALS', 'PLASTERS IN TIN SPACEBOY', '牛奶'];
    const labels = itemLabels(names);
    expect([...labels.values()]).toEqual(['PLASTER…PARADE', 'PLASTER…SKULLS', 'PLASTER…NIMALS', 'PLASTER…ACEBOY', '牛奶']);
    expect(new Set(labels.values()).size).toBe(names.length);
    for (const l of labels.values()) expect([...l].length).toBeLessThanOrEqual(14);
  });

  it('lengthens only the labels that would still read the same', () => {
    const labels = itemLabels(['SET OF 3 CAKE TINS RED', 'SET OF 3 CAKE TINS RED RETROSPOT', 'SET OF 3 CAKE RETROSPOT', 'TEA']);
    expect(new Set(labels.values()).size).toBe(4);
    expect(labels.get('TEA')).toBe('TEA');
    expect(labels.get('SET OF 3 CAKE TINS RED')).toBe('SET OF …NS RED');
  });
});
