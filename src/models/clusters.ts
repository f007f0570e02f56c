/**
 * Customer clusters (MODELS.md §8): k-means on standardized log(1 + recency_days), log(1 + frequency),
 * log(1 + monetary), k-means++ seeding with a fixed seed, clusters numbered 1..k by descending size.
 *
 * Definitions chosen where §8 is open:
 * - recency_days, frequency and monetary (sum) are those of RFM (§2) at the as-of date;
 * - standardizing uses the mean and the population standard deviation over all customers (a feature
 *   whose deviation is 0 becomes 0 for everyone);
 * - customers are read in customer_id order; seeding draws from mulberry32 with seed 20240618, four
 *   k-means++ starts, the lowest inertia wins; so the same data and k always give the same clusters;
 * - ties in size are numbered by higher revenue first;
 * - levels: a cluster's mean standardized feature ≥ 1.5 is top, ≥ 0.5 high, ≤ −0.5 low, else mid, with
 *   recency turned round so that "high R" means recent; activity uses days, not levels: the typical
 *   recency (geometric center) within 90 days is active, 180 cooling, 365 dormant, beyond lapsed; the
 *   name is built from the F and M levels and the activity (`clusterName`); a name that an earlier
 *   (larger) cluster already has gets " 2", " 3";
 * - the elbow is the inertia (sum of squared distances in standardized units) for k = 2..10, each fitted
 *   exactly as the chosen k is; above 10,000 customers it is fitted on a seeded sample of 10,000.
 */
import { makeVector, Table, tableToIPC } from 'apache-arrow';
import { lit, rows, type Db } from '../db/db.ts';
import { ensureCustomerSummary } from './customer-days.ts';
import { DEFAULT_SEED, kmeans, mulberry32, type KMeansFit } from './kmeans.ts';
import { asOfDate, type Prepared } from './prepared.ts';
import { ModelDataError } from './data-error.ts';
import { reportCount, type ReportCount } from '../report/privacy.ts';
import { clusterName, numberedName, type Activity, type Level } from './cluster-names.ts';

export { clusterName, numberedName, type Activity, type Level };

export type ClusterFeature = 'recency' | 'frequency' | 'monetary';
export const CLUSTER_FEATURES: readonly ClusterFeature[] = ['recency', 'frequency', 'monetary'];

export interface ClusterSettings {
  asOf?: string | null;
  /** Number of clusters, 2–10 (default 6). */
  k?: number;
  /** Axes of the cell's scatter (display only; default recency × monetary). */
  x?: ClusterFeature;
  y?: ClusterFeature;
}

export interface ClusterProfile {
  cluster: number;
  size: number;
  share: number;
  revenue: number;
  revenue_share: number;
  /** Mean raw values. */
  recency_days: number;
  frequency: number;
  monetary: number;
  /** Mean standardized features (z of log(1 + x); for recency, higher = longer ago). */
  z: { recency: number; frequency: number; monetary: number };
  /** Typical values: the cluster's center turned back into units, expm1(mean of log(1 + x)). */
  typical: { recency_days: number; frequency: number; monetary: number };
  /** R/F/M levels; R high = recent. */
  levels: { r: Level; f: Level; m: Level };
  activity: Activity;
  /** Every member bought exactly once. */
  one_time: boolean;
  name_zh: string;
  name_en: string;
}

export interface ClustersResult {
  as_of: string;
  k: number;
  customers: number;
  inertia: number;
  iterations: number;
  seed: number;
  /** Mean and standard deviation of each log feature, the standardization used. */
  scaling: Record<ClusterFeature, { mean: number; sd: number }>;
  profiles: ClusterProfile[];
}

export interface ElbowResult {
  as_of: string;
  /** Customers the elbow was fitted on (all, or the seeded sample). */
  fitted_on: number;
  customers: number;
  points: { k: number; inertia: number }[];
}

/** A customer with their cluster and R/F/M, as the scatter draws them. */
export interface ClusterPoint {
  customer_id: string;
  cluster: number;
  recency_days: number;
  frequency: number;
  monetary: number;
}

/** A member of a cluster, as listed and exported. */
export interface ClusterMember extends ClusterPoint {
  name_zh: string;
  name_en: string;
}

export const K_MIN = 2;
export const K_MAX = 10;
export const K_DEFAULT = 6;
const ELBOW_SAMPLE = 10_000;
const HIGH = 0.5;
const TOP = 1.5;

interface Features {
  n: number;
  recency: Float64Array;
  frequency: Float64Array;
  monetary: Float64Array;
  /** Standardized log features, packed three per customer. */
  points: Float64Array;
  scaling: ClustersResult['scaling'];
}

/** Per customer with a purchase before D, in customer_id order: the three raw features (as RFM defines them). */
async function featureSql(db: Db, asOf: string, prepared: Prepared): Promise<string> {
  await ensureCustomerSummary(db, asOf, prepared);
  return `SELECT (row_number() OVER (ORDER BY cid) - 1)::INTEGER AS idx, customer_id,
      recency_days::DOUBLE AS recency_days, purchases::DOUBLE AS frequency, revenue AS monetary
    FROM customer_summary`;
}

/** Standardized features from a query with idx, recency_days, frequency, monetary (ids stay in SQL: no strings cross into JS). */
async function readFeatures(db: Db, from: string): Promise<Features> {
  const t = await db.query(`SELECT recency_days, frequency, monetary FROM (${from}) ORDER BY idx`);
  const n = t.numRows;
  const column = (name: string) => Float64Array.from(t.getChild(name)!.toArray() as ArrayLike<number>);
  const raw = { recency: column('recency_days'), frequency: column('frequency'), monetary: column('monetary') };
  const points = new Float64Array(n * 3);
  const scaling = {} as Features['scaling'];
  CLUSTER_FEATURES.forEach((f, j) => {
    const logs = raw[f].map((v) => Math.log1p(v));
    let mean = 0;
    for (const v of logs) mean += v;
    mean /= n || 1;
    let ss = 0;
    for (const v of logs) ss += (v - mean) ** 2;
    const sd = Math.sqrt(ss / (n || 1));
    for (let i = 0; i < n; i++) points[i * 3 + j] = sd > 0 ? (logs[i] - mean) / sd : 0;
    scaling[f] = { mean, sd };
  });
  return { n, ...raw, points, scaling };
}

/** Number of distinct feature vectors, counted up to K_MAX (k cannot exceed it; more never matter). */
function distinctPoints(points: Float64Array): number {
  const seen = new Set<string>();
  for (let i = 0; i < points.length && seen.size < K_MAX; i += 3) seen.add(`${points[i]},${points[i + 1]},${points[i + 2]}`);
  return seen.size;
}

function checkK(k: number): number {
  if (!Number.isInteger(k) || k < K_MIN || k > K_MAX) throw new Error(`the number of clusters must be a whole number from ${K_MIN} to ${K_MAX}, got ${k}`);
  return k;
}

function level(v: number): Level {
  return v >= TOP ? 'top' : v >= HIGH ? 'high' : v <= -HIGH ? 'low' : 'mid';
}

/** Activity from typical days since the last purchase, with the lifecycle windows of MODELS.md §5. */
export function activityOf(recencyDays: number): Activity {
  return recencyDays <= 90 ? 'active' : recencyDays <= 180 ? 'cooling' : recencyDays <= 365 ? 'dormant' : 'lapsed';
}

/** Renumber a fit so that cluster 1 is the largest (ties: more revenue first); returns labels 1..k. */
function renumber(fit: KMeansFit, monetary: Float64Array): Int32Array {
  const size = new Float64Array(fit.k);
  const revenue = new Float64Array(fit.k);
  fit.labels.forEach((c, i) => {
    size[c]++;
    revenue[c] += monetary[i];
  });
  const order = Array.from({ length: fit.k }, (_, c) => c).sort((a, b) => size[b] - size[a] || revenue[b] - revenue[a] || a - b);
  const number = new Int32Array(fit.k);
  order.forEach((c, i) => (number[c] = i + 1));
  return fit.labels.map((c) => number[c]);
}

function profilesOf(f: Features, labels: Int32Array, k: number): ClusterProfile[] {
  const acc = Array.from({ length: k }, () => ({ size: 0, revenue: 0, r: 0, fr: 0, m: 0, zr: 0, zf: 0, zm: 0, maxF: 0 }));
  let total = 0;
  for (let i = 0; i < f.n; i++) {
    const a = acc[labels[i] - 1];
    a.size++;
    a.revenue += f.monetary[i];
    a.r += f.recency[i];
    a.fr += f.frequency[i];
    a.m += f.monetary[i];
    a.zr += f.points[i * 3];
    a.zf += f.points[i * 3 + 1];
    a.zm += f.points[i * 3 + 2];
    a.maxF = Math.max(a.maxF, f.frequency[i]);
    total += f.monetary[i];
  }
  const seen = new Map<string, number>();
  return acc.map((a, c) => {
    const z = { recency: a.zr / a.size, frequency: a.zf / a.size, monetary: a.zm / a.size };
    const back = (feature: ClusterFeature, zMean: number) => Math.expm1(zMean * f.scaling[feature].sd + f.scaling[feature].mean);
    const typical = { recency_days: back('recency', z.recency), frequency: back('frequency', z.frequency), monetary: back('monetary', z.monetary) };
    const levels = { r: level(-z.recency), f: level(z.frequency), m: level(z.monetary) };
    const activity = activityOf(typical.recency_days);
    const oneTime = a.maxF === 1;
    const name = numberedName(seen, clusterName(levels.f, levels.m, activity, oneTime));
    return {
      cluster: c + 1,
      size: a.size,
      share: a.size / f.n,
      revenue: a.revenue,
      revenue_share: total > 0 ? a.revenue / total : 0,
      recency_days: a.r / a.size,
      frequency: a.fr / a.size,
      monetary: a.m / a.size,
      z,
      typical,
      levels,
      activity,
      one_time: oneTime,
      name_zh: name.zh,
      name_en: name.en,
    };
  });
}

/**
 * Write table `clusters` (customer_id, cluster) by joining the labels to `cluster_features` on idx, and
 * `cluster_profiles` (cluster, name_zh, name_en, size).
 */
async function writeTables(db: Db, labels: Int32Array, profiles: ClusterProfile[]): Promise<void> {
  const idx = Int32Array.from({ length: labels.length }, (_, i) => i);
  const ipc = tableToIPC(new Table({ idx: makeVector(idx), cluster: makeVector(labels) }), 'stream');
  await db.query('DROP TABLE IF EXISTS cluster_labels');
  await db.insertArrow('cluster_labels', ipc, true);
  await db.query(`CREATE OR REPLACE TABLE clusters AS
      SELECT f.customer_id, l.cluster FROM cluster_features f JOIN cluster_labels l USING (idx) ORDER BY f.idx;
    DROP TABLE cluster_labels;
    CREATE OR REPLACE TABLE cluster_profiles AS SELECT * FROM (VALUES ${profiles
      .map((p) => `(${p.cluster}, ${lit(p.name_zh)}, ${lit(p.name_en)}, ${p.size})`)
      .join(', ')}) AS t(cluster, name_zh, name_en, size)`);
}

/**
 * Cluster every customer into k groups; writes `cluster_features` (idx, customer_id, recency_days, frequency,
 * monetary: what was clustered, for the lists), `clusters` and `cluster_profiles`; returns the profiles.
 */
export async function clusters(db: Db, settings: ClusterSettings = {}, prepared: Prepared = new Map()): Promise<ClustersResult> {
  const asOf = await asOfDate(db, settings.asOf, prepared);
  const k = checkK(settings.k ?? K_DEFAULT);
  await db.query(`CREATE OR REPLACE TABLE cluster_features AS ${await featureSql(db, asOf, prepared)} ORDER BY idx`);
  const f = await readFeatures(db, 'SELECT * FROM cluster_features');
  const distinct = distinctPoints(f.points);
  if (distinct < K_MIN) {
    throw new ModelDataError(
      'clusters_too_few',
      { customers: f.n, distinct },
      `clustering needs at least ${K_MIN} customers who differ in recency, frequency or monetary; these data have ${f.n} customer${f.n === 1 ? '' : 's'}${f.n > distinct ? `, ${distinct} distinct` : ''}`,
    );
  }
  if (distinct < k) {
    throw new ModelDataError('clusters_too_many', { k, distinct }, `only ${distinct} customers differ in recency, frequency and monetary: choose at most ${distinct} clusters`);
  }
  const fit = kmeans(f.points, 3, k, { seed: DEFAULT_SEED });
  const labels = renumber(fit, f.monetary);
  const profiles = profilesOf(f, labels, k);
  await writeTables(db, labels, profiles);
  return { as_of: asOf, k, customers: f.n, inertia: fit.inertia, iterations: fit.iterations, seed: DEFAULT_SEED, scaling: f.scaling, profiles };
}

/** Inertia for k = 2..10 (as far as the data has distinct customers), each fitted as `clusters` fits. */
export async function clusterElbow(db: Db, settings: { asOf?: string | null } = {}, prepared: Prepared = new Map()): Promise<ElbowResult> {
  const asOf = await asOfDate(db, settings.asOf, prepared);
  const f = await readFeatures(db, await featureSql(db, asOf, prepared));
  const points = f.n > ELBOW_SAMPLE ? samplePoints(f.points, f.n, ELBOW_SAMPLE) : f.points;
  const distinct = distinctPoints(points);
  const out: ElbowResult['points'] = [];
  for (let k = K_MIN; k <= Math.min(K_MAX, distinct); k++) out.push({ k, inertia: kmeans(points, 3, k, { seed: DEFAULT_SEED }).inertia });
  return { as_of: asOf, fitted_on: points.length / 3, customers: f.n, points: out };
}

/** A seeded sample of m of the n packed points (partial Fisher–Yates), kept in their original order. */
function samplePoints(points: Float64Array, n: number, m: number): Float64Array {
  const rand = mulberry32(DEFAULT_SEED);
  const index = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < m; i++) {
    const j = i + Math.floor(rand() * (n - i));
    [index[i], index[j]] = [index[j], index[i]];
  }
  const chosen = index.subarray(0, m).sort();
  const out = new Float64Array(m * 3);
  chosen.forEach((p, i) => out.set(points.subarray(p * 3, p * 3 + 3), i * 3));
  return out;
}

/**
 * Up to `limit` customers of table `clusters` for a scatter: a share of each cluster proportional to its
 * size but at least 150 (or all its members), picked by a hash of the customer id so the draw is stable.
 */
export async function clusterSample(db: Db, limit = 3000): Promise<ClusterPoint[]> {
  return rows<ClusterPoint>(
    db,
    `WITH c AS (SELECT *, count(*) OVER (PARTITION BY cluster) AS size, count(*) OVER () AS n,
      row_number() OVER (PARTITION BY cluster ORDER BY hash(customer_id), customer_id) AS k FROM clusters
      QUALIFY k <= greatest(150, ceil(${Math.floor(limit)} * size / n)))
    SELECT c.customer_id, c.cluster, f.recency_days, f.frequency, f.monetary
    FROM c JOIN cluster_features f USING (customer_id)
    ORDER BY c.cluster, c.customer_id`,
  );
}

/** Members of a cluster (or all customers) with their R/F/M, by monetary descending. */
export async function clusterCustomers(db: Db, opts: { cluster?: number; limit?: number; offset?: number } = {}): Promise<ClusterMember[]> {
  const page = opts.limit !== undefined ? `LIMIT ${Math.floor(opts.limit)} OFFSET ${Math.floor(opts.offset ?? 0)}` : '';
  return rows<ClusterMember>(db, `${clusterListSql(opts.cluster)} ${page}`);
}

/** SQL of a cluster's member list (all clusters when none), as exported. */
export function clusterListSql(cluster?: number): string {
  const where = cluster === undefined ? '' : `WHERE c.cluster = ${Math.floor(cluster)}`;
  return `SELECT c.customer_id, c.cluster, p.name_zh, p.name_en, f.recency_days::INTEGER AS recency_days, f.frequency::INTEGER AS frequency,
      round(f.monetary, 2) AS monetary
    FROM clusters c JOIN cluster_features f USING (customer_id) JOIN cluster_profiles p USING (cluster) ${where}
    ORDER BY f.monetary DESC, c.customer_id`;
}

/** The customer lists a clusters report part may hold when opted in. */
export const CLUSTER_SHARE_LISTS = ['members'] as const;

/** Members per cluster a report holds when the list is opted in: the cell's first page. */
export const CLUSTER_SHARE_MEMBERS = 20;

/**
 * A cluster's profile in a report: number, its F and M levels, activity and whether every member bought once (its
 * name follows from them: cluster-names.ts), customers, then what a small cluster hides (null): share of customers,
 * share of revenue, mean recency, frequency and spend.
 */
export type ClusterShareProfile = [
  cluster: number,
  label: [f: Level, m: Level, activity: Activity, oneTime: boolean],
  customers: ReportCount,
  share: number | null,
  revenueShare: number | null,
  recency: number | null,
  frequency: number | null,
  monetary: number | null,
];

export interface ClustersShare {
  as_of: string;
  k: number;
  customers: ReportCount;
  /** The cell's scatter axes: the report draws each cluster's means on them. */
  axes: [x: ClusterFeature, y: ClusterFeature];
  profiles: ClusterShareProfile[];
  /** Inertia for k = 2, 3, …; fitted on `fitted_on` of the customers. */
  elbow: { fitted_on: number; inertia: number[]; from: number } | null;
  /** Opted-in list `members`: each cluster's first customers by spend [customer, cluster, recency, frequency, spend]. */
  members?: [id: string, cluster: number, recency: number, frequency: number, monetary: number][];
}

const r1 = (v: number, d: number) => Math.round(v * 10 ** d) / 10 ** d;

/**
 * The clusters cell's report part: profiles (small clusters masked; their levels stay, as their names, labels the
 * cell shows, follow from them), the elbow; members only when opted in.
 */
export async function shareClusters(
  db: Db,
  fit: ClustersResult & { elbow?: ElbowResult | null },
  opts: { minGroup: number; lists: readonly string[]; axes: [ClusterFeature, ClusterFeature] },
): Promise<ClustersShare> {
  const { minGroup } = opts;
  const points = fit.elbow?.points ?? [];
  const out: ClustersShare = {
    as_of: fit.as_of,
    k: fit.k,
    customers: reportCount(fit.customers, minGroup),
    axes: opts.axes,
    profiles: fit.profiles.map((p) => {
      const hide = p.size > 0 && p.size < minGroup;
      return [
        p.cluster,
        [p.levels.f, p.levels.m, p.activity, p.one_time],
        reportCount(p.size, minGroup),
        hide ? null : r1(p.share, 3),
        hide ? null : r1(p.revenue_share, 3),
        hide ? null : r1(p.recency_days, 0),
        hide ? null : r1(p.frequency, 1),
        hide ? null : r1(p.monetary, 2),
      ];
    }),
    elbow: points.length
      ? { fitted_on: fit.elbow!.fitted_on, from: points[0].k, inertia: points.map((p) => r1(p.inertia, 1)) }
      : null,
  };
  if (opts.lists.includes('members')) {
    out.members = [];
    for (const p of fit.profiles) {
      const page = await clusterCustomers(db, { cluster: p.cluster, limit: CLUSTER_SHARE_MEMBERS });
      out.members.push(...page.map((m) => [m.customer_id, m.cluster, m.recency_days, m.frequency, m.monetary] as [string, number, number, number, number]));
    }
  }
  return out;
}
