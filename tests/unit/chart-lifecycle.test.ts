// The lifecycle cell's chart specs drawn in Node from a small hand-made result, in both languages, against their stored SVG.
import { lifecycleFlow, lifecycleFunnel, lifecycleReactivation, lifecycleTrend } from '../../src/charts/lifecycle.ts';
import type { FunnelResult } from '../../src/models/funnel.ts';
import type { MonthStages, Transition } from '../../src/models/lifecycle.ts';
import { snapshotTests } from './chart-snapshot.ts';

const stages = (month: string, n: number[], reactivated: number): MonthStages => ({
  month, reactivated, acquired: n[0], new: n[0], active: n[1], at_risk: n[2], dormant: n[3], churned: n[4],
});
const lifecycleMonths = [stages('2025-01', [10, 20, 5, 3, 1], 0), stages('2025-02', [8, 24, 7, 4, 2], 2), stages('2025-03', [5, 22, 9, 6, 4], 3)];
const funnel: FunnelResult = {
  sources: { customers: true, events: true }, loyal_purchases: 3, people: 200,
  stages: [
    { stage: 'lead', furthest: 80, reached: 200, conversion: null, median_days: null, timed: 0 },
    { stage: 'engaged', furthest: 40, reached: 120, conversion: 0.6, median_days: 3, timed: 100 },
    { stage: 'intent', furthest: 20, reached: 80, conversion: 0.667, median_days: 5.5, timed: 70 },
    { stage: 'customer', furthest: 45, reached: 60, conversion: 0.75, median_days: 9, timed: 60 },
    { stage: 'loyal', furthest: 15, reached: 15, conversion: 0.25, median_days: 40, timed: 15 },
  ],
  events: [],
};
const flows: Transition[] = [
  { month: '2025-03', from: 'none', to: 'new', customers: 5 },
  { month: '2025-03', from: 'new', to: 'active', customers: 6 },
  { month: '2025-03', from: 'active', to: 'active', customers: 18 },
  { month: '2025-03', from: 'active', to: 'at_risk', customers: 4 },
  { month: '2025-03', from: 'at_risk', to: 'dormant', customers: 3 },
];

snapshotTests({
  'lifecycle-trend': (w, l) => lifecycleTrend(lifecycleMonths, w, l),
  'lifecycle-reactivation': (w, l) => lifecycleReactivation(lifecycleMonths, w, l),
  'lifecycle-funnel': (w, l) => lifecycleFunnel(funnel, w, l),
  'lifecycle-flow': (w, l) => lifecycleFlow(flows, w, l),
});
