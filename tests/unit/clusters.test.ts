// Clusters (MODELS.md §8): k-means++ with a fixed seed on hand-made groups, determinism, the elbow, naming rules, and the
// headless command giving the model's clusters.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze.ts';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { activityOf, clusterCustomers, clusterElbow, clusterName, clusters, clusterSample } from '../../src/models/clusters.ts';
import { kmeans, mulberry32 } from '../../src/models/kmeans.ts';
import { ingest, utf8 } from './ingest-helpers.ts';

const shared = (f: string) => fileURLToPath(new URL(`../../../shared/data/${f}`, import.meta.url));
const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));

describe('k-means', () => {
  // Three tight blobs of 3-D points around (0,0,0), (10,0,0) and (0,10,10), 5 + 4 + 3 points.
  const centers = [[0, 0, 0], [10, 0, 0], [0, 10, 10]];
  const sizes = [5, 4, 3];
  const offsets = [[0, 0, 0], [0.1, 0, 0], [0, 0.1, 0], [0, 0, 0.1], [-0.1, 0, 0]];
  const truth: number[] = [];
  const coords: number[] = [];
  centers.forEach((c, g) => {
    for (let i = 0; i < sizes[g]; i++) {
      coords.push(c[0] + offsets[i][0], c[1] + offsets[i][1], c[2] + offsets[i][2]);
      truth.push(g);
    }
  });
  const points = Float64Array.from(coords);

  it('finds obvious groups, with their means as centers and the right inertia', () => {
    const fit = kmeans(points, 3, 3);
    const groupOf = new Map<number, number>();
    fit.labels.forEach((label, i) => {
      if (!groupOf.has(label)) groupOf.set(label, truth[i]);
      expect(groupOf.get(label)).toBe(truth[i]);
    });
    expect(groupOf.size).toBe(3);
    const ss = (pts: number[][]) => {
      const m = [0, 1, 2].map((j) => pts.reduce((a, p) => a + p[j], 0) / pts.length);
      return pts.reduce((a, p) => a + (p[0] - m[0]) ** 2 + (p[1] - m[1]) ** 2 + (p[2] - m[2]) ** 2, 0);
    };
    // Blob 1's offsets sum to (0, 0.1, 0.1) over 5 points: its center is (0, 0.02, 0.02).
    const first = fit.labels[0];
    expect([...fit.centers.subarray(first * 3, first * 3 + 3)].map((v) => +v.toFixed(12))).toEqual([0, 0.02, 0.02]);
    const blobs = [0, 1, 2].map((g) => truth.flatMap((t, i) => (t === g ? [[coords[i * 3], coords[i * 3 + 1], coords[i * 3 + 2]]] : [])));
    expect(fit.inertia).toBeCloseTo(blobs.reduce((a, b) => a + ss(b), 0), 12);
  });

  it('gives the same answer for the same points, k and seed', () => {
    const r = mulberry32(7);
    const cloud = Float64Array.from({ length: 3 * 500 }, () => r());
    const a = kmeans(cloud, 3, 5);
    const b = kmeans(cloud, 3, 5);
    expect([...a.labels]).toEqual([...b.labels]);
    expect(a.inertia).toBe(b.inertia);
    expect([...a.centers]).toEqual([...b.centers]);
  });

  it('refuses a k it cannot fit', () => {
    expect(() => kmeans(points, 3, 13)).toThrow(/exceeds the number of points/);
    expect(() => kmeans(points, 3, 0)).toThrow(/positive whole number/);
  });
});

/**
 * Three kinds of customer as order lines, as-of 2024-12-31: 6 heavy recent buyers (20 orders of 500 in 2024, the last
 * in late December), 6 one-time buyers of 20 in January 2023, and 4 in between (5 orders of 100, the last in July 2024).
 */
function fixture(): string {
  const lines = ['order_id,customer_id,order_ts,amount'];
  let n = 0;
  const order = (customer: string, day: string, amount: number) => lines.push(`o${++n},${customer},${day} 12:00:00,${amount.toFixed(2)}`);
  for (let c = 1; c <= 6; c++) for (let i = 0; i < 20; i++) order(`heavy${c}`, `2024-${String(1 + Math.floor(i / 2)).padStart(2, '0')}-${String(10 + c).padStart(2, '0')}`, 500 + c);
  for (let c = 1; c <= 6; c++) order(`heavy${c}`, `2024-12-${String(20 + c).padStart(2, '0')}`, 500);
  for (let c = 1; c <= 6; c++) order(`once${c}`, `2023-01-${String(10 + c).padStart(2, '0')}`, 20 + c);
  for (let c = 1; c <= 4; c++) for (let i = 0; i < 5; i++) order(`mid${c}`, `2024-0${3 + i}-${String(10 + c).padStart(2, '0')}`, 100 + c);
  return lines.join('\n') + '\n';
}

describe('clusters on a hand-made fixture', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openNodeDb();
    await ingest(db, 'groups.csv', utf8(fixture()));
  });

  it('puts each kind of customer in its own cluster, numbered by size (ties: revenue), with profiles and names', async () => {
    const r = await clusters(db, { asOf: '2024-12-31', k: 3 });
    expect(r.customers).toBe(16);
    expect(r.profiles.map((p) => p.size)).toEqual([6, 6, 4]);
    const members = await rows<{ customer_id: string; cluster: number }>(db, 'SELECT customer_id, cluster FROM clusters ORDER BY customer_id');
    const clusterOf = (prefix: string) => [...new Set(members.filter((m) => m.customer_id.startsWith(prefix)).map((m) => m.cluster))];
    expect(clusterOf('heavy')).toEqual([1]); // 6 customers with more revenue than the 6 one-time buyers
    expect(clusterOf('once')).toEqual([2]);
    expect(clusterOf('mid')).toEqual([3]);
    const [heavy, once, mid] = r.profiles;
    expect(heavy.frequency).toBe(21);
    expect(heavy.recency_days).toBeCloseTo((10 + 9 + 8 + 7 + 6 + 5) / 6, 12); // last orders Dec 21..26
    expect(heavy.monetary).toBeCloseTo((20 * 500 + 20 * 3.5 + 500), 12);
    expect(heavy.levels).toMatchObject({ f: 'high', m: 'high' });
    expect(heavy.activity).toBe('active');
    expect(heavy.name_en).toBe('high-value active');
    expect(heavy.name_zh).toBe('高价值活跃');
    expect(once.one_time).toBe(true);
    expect(once.activity).toBe('lapsed');
    expect([once.name_en, once.name_zh]).toEqual(['one-time lapsed', '一次购买流失']);
    expect(mid.levels.f).toBe('mid');
    expect(mid.activity).toBe('cooling'); // typical recency = 5 months, July 11–14 to Dec 31
    const total = 6 * (20 * 500 + 20 * 3.5 + 500) + 6 * 23.5 + 4 * 5 * 102.5;
    expect(heavy.revenue_share).toBeCloseTo(heavy.revenue / total, 12);
    expect(r.profiles.reduce((a, p) => a + p.share, 0)).toBeCloseTo(1, 12);
    expect(r.profiles.reduce((a, p) => a + p.revenue_share, 0)).toBeCloseTo(1, 12);
    // Standardized means of all customers are 0 for each feature.
    const weighted = (f: 'recency' | 'frequency' | 'monetary') => r.profiles.reduce((a, p) => a + p.z[f] * p.size, 0);
    expect(Math.abs(weighted('recency')) + Math.abs(weighted('frequency')) + Math.abs(weighted('monetary'))).toBeLessThan(1e-9);
    const names = await rows<{ cluster: number; name_en: string }>(db, 'SELECT cluster, name_en FROM cluster_profiles ORDER BY cluster');
    expect(names.map((n) => n.name_en)).toEqual(r.profiles.map((p) => p.name_en));
  });

  it('lists a cluster by spend and samples every member of small clusters', async () => {
    await clusters(db, { asOf: '2024-12-31', k: 3 });
    const mids = await clusterCustomers(db, { cluster: 3 });
    expect(mids.map((m) => m.customer_id)).toEqual(['mid4', 'mid3', 'mid2', 'mid1']);
    expect(mids[0]).toMatchObject({ cluster: 3, frequency: 5, monetary: 520, recency_days: 31 + 30 + 31 + 30 + 31 + 14 + 3 });
    expect((await clusterSample(db)).length).toBe(16);
  });

  it('has a decreasing elbow whose point at k equals the fit at k', async () => {
    const e = await clusterElbow(db, { asOf: '2024-12-31' });
    expect(e.points.map((p) => p.k)).toEqual([2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (let i = 1; i < e.points.length; i++) expect(e.points[i].inertia).toBeLessThanOrEqual(e.points[i - 1].inertia);
    expect(e.points[1].inertia).toBe((await clusters(db, { asOf: '2024-12-31', k: 3 })).inertia);
  });

  it('refuses k outside 2–10 and more clusters than distinct customers', async () => {
    await expect(clusters(db, { k: 11 })).rejects.toThrow(/from 2 to 10/);
    await expect(clusters(db, { k: 1.5 })).rejects.toThrow(/from 2 to 10/);
    const tiny = await openNodeDb();
    await ingest(tiny, 'tiny.csv', utf8('customer_id,order_ts,amount\na,2024-01-01,10\nb,2024-01-01,10\nc,2024-01-02,30\n'));
    await expect(clusters(tiny, { k: 3 })).rejects.toThrow(/only 2 customers differ/);
  });
});

describe('cluster names', () => {
  it('follows the F/M levels and the activity window', () => {
    expect(clusterName('top', 'top', 'active', false)).toEqual({ zh: '顶级价值活跃', en: 'top-value active' });
    expect(clusterName('high', 'top', 'dormant', false)).toEqual({ zh: '高价值沉睡', en: 'high-value dormant' });
    expect(clusterName('mid', 'high', 'cooling', false)).toEqual({ zh: '大额降温', en: 'big-ticket cooling' });
    expect(clusterName('high', 'low', 'active', false)).toEqual({ zh: '高频活跃', en: 'frequent active' });
    expect(clusterName('low', 'low', 'lapsed', false)).toEqual({ zh: '低价值流失', en: 'low-value lapsed' });
    expect(clusterName('low', 'mid', 'lapsed', false)).toEqual({ zh: '中等价值流失', en: 'mid-value lapsed' });
    expect(clusterName('low', 'mid', 'active', true)).toEqual({ zh: '新客户', en: 'new customers' });
    expect(clusterName('low', 'low', 'dormant', true)).toEqual({ zh: '一次购买沉睡', en: 'one-time dormant' });
    expect([90, 91, 180, 181, 365, 366].map(activityOf)).toEqual(['active', 'cooling', 'cooling', 'dormant', 'dormant', 'lapsed']);
  });
});

describe('clusters on the sample data and the reference data', { timeout: 300_000 }, () => {
  it('are the same on every run, and the elbow decreases', async () => {
    const db = await openNodeDb();
    await ingest(db, 'orders.csv', readFileSync(sample('orders.csv')));
    const first = await clusters(db, { k: 6 });
    const firstMembers = await rows(db, 'SELECT customer_id, cluster FROM clusters ORDER BY customer_id');
    const second = await clusters(db, { k: 6 });
    const secondMembers = await rows(db, 'SELECT customer_id, cluster FROM clusters ORDER BY customer_id');
    expect(second).toEqual(first);
    expect(secondMembers).toEqual(firstMembers);
    expect(first.customers).toBe(4937);
    expect(first.profiles.map((p) => p.size).reduce((a, b) => a + b, 0)).toBe(4937);
    const sizes = first.profiles.map((p) => p.size);
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
    const e = await clusterElbow(db);
    expect(e.fitted_on).toBe(4937);
    for (let i = 1; i < e.points.length; i++) expect(e.points[i].inertia).toBeLessThan(e.points[i - 1].inertia);
    expect(e.points.find((p) => p.k === 6)!.inertia).toBe(first.inertia);
  });

  it('the headless command gives the model its clusters, profiles and elbow (online_retail_france.csv)', async () => {
    const settings = { clusters: { k: 4 } };
    const headless = (await analyze({ orders: shared('online_retail_france.csv'), models: ['clusters'], settings })) as {
      clusters: { k: number; customers: { customer_id: string; cluster: number }[]; profiles: unknown[]; elbow: { k: number; inertia: number }[] };
    };
    const db = await openNodeDb();
    await ingest(db, 'online_retail_france.csv', readFileSync(shared('online_retail_france.csv')));
    const model = await clusters(db, { k: 4 });
    expect(headless.clusters.k).toBe(4);
    expect(headless.clusters.profiles).toEqual(model.profiles);
    expect(headless.clusters.customers).toEqual(await rows(db, 'SELECT customer_id, cluster FROM clusters ORDER BY customer_id'));
    expect(headless.clusters.customers).toHaveLength(87);
    expect(headless.clusters.elbow).toEqual((await clusterElbow(db)).points);
  });
});
