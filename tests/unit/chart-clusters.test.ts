// The clusters cell's chart specs drawn in Node from a small hand-made result, in both languages, against their stored SVG.
import { clusterElbow, clusterScatter } from '../../src/charts/clusters.ts';
import type { ClusterProfile } from '../../src/models/clusters.ts';
import { snapshotTests } from './chart-snapshot.ts';

const profile = (cluster: number, name_zh: string, name_en: string): ClusterProfile => ({
  cluster, size: 3, share: 0.5, revenue: 1000, revenue_share: 0.5, recency_days: 30, frequency: 2, monetary: 300,
  z: { recency: 0, frequency: 0, monetary: 0 }, typical: { recency_days: 30, frequency: 2, monetary: 300 },
  levels: { r: 'high', f: 'mid', m: 'mid' }, activity: 'active', one_time: false, name_zh, name_en,
});
const fit = {
  profiles: [profile(1, '活跃高价值', 'Active high value'), profile(2, '沉睡低价值', 'Dormant low value')],
  sample: [
    { customer_id: 'C1', cluster: 1, recency_days: 5, frequency: 8, monetary: 2400 },
    { customer_id: 'C2', cluster: 1, recency_days: 12, frequency: 5, monetary: 1300.5 },
    { customer_id: 'C3', cluster: 1, recency_days: 20, frequency: 6, monetary: 900 },
    { customer_id: 'C4', cluster: 2, recency_days: 300, frequency: 1, monetary: 40 },
    { customer_id: 'C5', cluster: 2, recency_days: 410, frequency: 1, monetary: 75 },
    { customer_id: 'C6', cluster: 2, recency_days: 600, frequency: 2, monetary: 120 },
  ],
};
const elbow = [{ k: 2, inertia: 900 }, { k: 3, inertia: 520 }, { k: 4, inertia: 410 }, { k: 5, inertia: 360 }];

snapshotTests({
  'clusters-scatter': (w, l) => clusterScatter(fit, { x: 'recency', y: 'monetary' }, w, l),
  'clusters-elbow': (w, l) => clusterElbow(elbow, 3, w, l),
});
