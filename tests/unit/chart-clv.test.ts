// The CLV cell's chart specs drawn in Node from a small hand-made result, in both languages, against their stored SVG.
import { clvAlive, clvBuckets, clvDeciles, clvGroups, clvTracking } from '../../src/charts/clv.ts';
import type { ClvResult } from '../../src/models/clv/model.ts';
import { snapshotTests } from './chart-snapshot.ts';

const clv: Pick<ClvResult, 'p_alive_bins' | 'clv_deciles' | 'holdout' | 'models' | 'model' | 'calibration_end' | 'by_channel'> = {
  p_alive_bins: Array.from({ length: 10 }, (_, bin) => ({ bin, one_time: bin < 3 ? 40 - bin * 10 : 2, repeat: bin * 6 })),
  clv_deciles: Array.from({ length: 10 }, (_, i) => ({ decile: i + 1, customers: 10, clv: 1000 / (i + 1), mean: 100 / (i + 1), share: [0.41, 0.18, 0.11, 0.08, 0.06, 0.05, 0.04, 0.03, 0.02, 0.02][i] })),
  holdout: {
    buckets: [0, 1, 2, 7].map((bucket) => ({ bucket, customers: 50 - bucket * 5, actual: bucket * 0.3, predicted: { bgnbd: bucket * 0.28 + 0.02, paretonbd: bucket * 0.31 } })),
    tracking: ['2025-01-06', '2025-01-13', '2025-01-20', '2025-01-27', '2025-02-03'].map((start, week) => ({ week, start, actual: week * 12, predicted: week * 11 + 2 })),
  },
  models: (['bgnbd', 'paretonbd'] as const).map((model) => ({ model, params: {}, log_likelihood: -1000, bic: 2000, delta_bic: 0, converged: true, iterations: 30, message: '', holdout: null })),
  model: 'bgnbd',
  calibration_end: '2025-01-20',
  by_channel: [
    { group: '抖音', customers: 120, clv: 36_000, mean: 300, mean_p_alive: 0.6 },
    { group: 'Stores', customers: 80, clv: 40_000, mean: 500, mean_p_alive: 0.7 },
    { group: null, customers: 10, clv: 900, mean: 90, mean_p_alive: 0.3 },
  ],
};

snapshotTests({
  'clv-alive': (w, l) => clvAlive(clv.p_alive_bins, w, l),
  'clv-deciles': (w, l) => clvDeciles(clv.clv_deciles, w, l),
  'clv-buckets': (w, l) => clvBuckets(clv, w, l),
  'clv-tracking': (w, l) => clvTracking(clv, w, l),
  'clv-groups': (w, l) => clvGroups(clv.by_channel!, w, l),
});
