// The Pareto/ABC cell's chart specs drawn in Node from a small hand-made result, in both languages, against their stored SVG.
import { abcCurve, abcMix } from '../../src/charts/abc.ts';
import type { AbcSummary } from '../../src/models/abc.ts';
import { snapshotTests } from './chart-snapshot.ts';

const abc: AbcSummary = {
  as_of: '2025-03-01', cut_a: 0.8, cut_b: 0.95, customers: 100, revenue: 100_000, top20_share: 0.72,
  top20_point: { customer_share: 0.2, revenue_share: 0.72 }, share_for_80: 0.27, gini: 0.64,
  classes: [
    { class: 'A', customers: 27, share: 0.27, revenue: 80_000, revenue_share: 0.8, monetary: 2962.96 },
    { class: 'B', customers: 23, share: 0.23, revenue: 15_000, revenue_share: 0.15, monetary: 652.17 },
    { class: 'C', customers: 50, share: 0.5, revenue: 5_000, revenue_share: 0.05, monetary: 100 },
  ],
  lorenz: [
    { customer_share: 0, revenue_share: 0 }, { customer_share: 0.1, revenue_share: 0.5 }, { customer_share: 0.2, revenue_share: 0.72 },
    { customer_share: 0.5, revenue_share: 0.95 }, { customer_share: 1, revenue_share: 1 },
  ],
};

snapshotTests({
  'abc-curve': (w, l) => abcCurve(abc, w, l),
  'abc-mix': (w, l) => abcMix(abc.classes, w, l),
});
