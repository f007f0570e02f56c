/** RFM: recency, frequency and monetary per customer, 1–5 scores with shared ties, and both segment schemes. */
import { makeVector, Table, tableToIPC } from 'apache-arrow';
import { lit, rows, textValues, type Db } from '../db/db.ts';
import { round } from '../report/format.ts';
import { isSmall, reportCount, type ReportCount } from '../report/privacy.ts';
import { ensureCustomerSummary } from './customer-days.ts';
import { asOfDate, ensureTable, type Prepared } from './prepared.ts';
import { schemeAIndex, schemeBIndex, SEGMENTS_A, SEGMENTS_B } from './segments.ts';

export interface RfmSettings {
  asOf?: string | null;
  /** Monetary as the sum of purchases (default) or their average. */
  monetary?: 'sum' | 'mean';
  /** Quintile scores (default) or the user's own cut points. */
  scoring?: 'quintile' | 'fixed';
  /** Fixed cut points, four ascending values each: a value above the k-th cut scores k+2 (recency: below). */
  thresholds?: { recency: number[]; frequency: number[]; monetary: number[] };
  /** Scheme A: a dimension is high when its score ≥ the mean score (default) or its raw value beats the mean. */
  highRule?: 'score' | 'value';
  /**
   * Which scheme a report of the cell shows (the notebook's `scheme`, a page-side choice): a display setting only,
   * as every run scores both schemes, so it is no part of the result's key (registry.ts). A report request's RFM
   * cell carries it as `settings.scheme`; without it the report follows its language (A for zh, B for en).
   */
  scheme?: RfmScheme;
}

/** The two segment schemes of MODELS.md §2: A, the 8 Chinese value groups ('cn'); B, the 10-group R × F grid ('en'). */
export type RfmScheme = 'cn' | 'en';

export interface RfmCustomer {
  customer_id: string;
  recency_days: number;
  frequency: number;
  monetary: number;
  r: number;
  f: number;
  m: number;
  segment_cn: string;
  segment_en: string;
}

export interface SegmentRow {
  segment: string;
  customers: number;
  share: number;
  revenue: number;
  revenue_share: number;
  recency_days: number;
  frequency: number;
  monetary: number;
}

export interface RfmSummary {
  as_of: string;
  customers: number;
  means: { r: number; f: number; m: number; recency_days: number; frequency: number; monetary: number };
  segments_cn: SegmentRow[];
  segments_en: SegmentRow[];
  /** Customers per R score × F score cell, with their mean monetary. */
  grid: { r: number; f: number; customers: number; monetary: number }[];
  /**
   * Why F scores hold no customer under quintile scores (the heat map's empty columns): one entry per tie that
   * skips scores. The page explains them under the heat map; the headless output leaves them out.
   */
  f_gaps?: FrequencyGap[];
}

/**
 * An F score gap: all customers who bought `frequency` times (`share` of the scored customers) share score `score`,
 * so the scores in `empty` hold nobody; the next purchase count present, `next.frequency`, has `next.fewer` of the
 * customers buying fewer times and scores `next.score` (null when no customer bought more often).
 */
export interface FrequencyGap {
  empty: number[];
  frequency: number;
  share: number;
  score: number;
  next: { frequency: number; fewer: number; score: number } | null;
}

/** The customers as scored: one array element per customer, in customer_id order. */
interface Scored {
  n: number;
  cid: Int32Array;
  recency: Int32Array;
  frequency: Int32Array;
  monetary: Float64Array;
  revenue: Float64Array;
  r: Int32Array;
  f: Int32Array;
  m: Int32Array;
  /** Index in SEGMENTS_A / SEGMENTS_B. */
  segmentA: Int32Array;
  segmentB: Int32Array;
}

/**
 * Quintile scores with shared ties (MODELS.md §2): 1 + floor(5 × (number of customers whose value is worse)
 * / N), worse = smaller, or larger when `smallerIsBetter` (recency).
 */
function quintileScores(values: Int32Array | Float64Array, smallerIsBetter: boolean): Int32Array {
  const n = values.length;
  const out = new Int32Array(n);
  const { below, upTo } = tieRanks(values);
  for (let i = 0; i < n; i++) out[i] = 1 + Math.floor((5 * (smallerIsBetter ? n - upTo[i] : below[i])) / n);
  return out;
}

/**
 * For each value, how many values are smaller (`below`) and how many are at most as large (`upTo`): by
 * counting for whole numbers in a range not much wider than their count, else along a sorted order.
 */
function tieRanks(values: Int32Array | Float64Array): { below: Int32Array; upTo: Int32Array } {
  const n = values.length;
  const below = new Int32Array(n);
  const upTo = new Int32Array(n);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    if (values[i] < min) min = values[i];
    if (values[i] > max) max = values[i];
  }
  if (values instanceof Int32Array && max - min <= 4 * n + 1024) {
    const cumulative = new Int32Array(max - min + 2);
    for (let i = 0; i < n; i++) cumulative[values[i] - min + 1]++;
    for (let k = 1; k < cumulative.length; k++) cumulative[k] += cumulative[k - 1];
    for (let i = 0; i < n; i++) {
      below[i] = cumulative[values[i] - min];
      upTo[i] = cumulative[values[i] - min + 1];
    }
    return { below, upTo };
  }
  const order = sortedOrder(Float64Array.from(values));
  for (let a = 0; a < n; ) {
    let b = a + 1;
    while (b < n && values[order[b]] === values[order[a]]) b++;
    for (let k = a; k < b; k++) {
      below[order[k]] = a;
      upTo[order[k]] = b;
    }
    a = b;
  }
  return { below, upTo };
}

/**
 * The indexes of `values` in ascending order of value: a least-significant-digit radix sort on the IEEE bits
 * (16 bits a pass), turned so that unsigned order is numeric order. Linear in n, unlike a comparison sort
 * of indexes in JavaScript.
 */
function sortedOrder(values: Float64Array): Uint32Array {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    // Little-endian: word 2i is the low half. Negative numbers flip every bit, others only the sign bit.
    const negative = words[2 * i + 1] >>> 31 === 1;
    lo[i] = negative ? ~words[2 * i] >>> 0 : words[2 * i];
    hi[i] = negative ? ~words[2 * i + 1] >>> 0 : (words[2 * i + 1] | 0x80000000) >>> 0;
  }
  let order = Uint32Array.from({ length: n }, (_, i) => i);
  let next = new Uint32Array(n);
  const counts = new Int32Array(65537);
  for (const [key, shift] of [[lo, 0], [lo, 16], [hi, 0], [hi, 16]] as const) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((key[order[i]] >>> shift) & 0xffff) + 1]++;
    for (let d = 1; d <= 65536; d++) counts[d] += counts[d - 1];
    for (let i = 0; i < n; i++) next[counts[(key[order[i]] >>> shift) & 0xffff]++] = order[i];
    [order, next] = [next, order];
  }
  return order;
}

/** Scores from the user's four ascending cut points: a value above the k-th cut scores k + 2 (recency: 4 − k). */
function fixedScores(values: Int32Array | Float64Array, cuts: number[], smallerIsBetter: boolean): Int32Array {
  if (cuts.length !== 4 || cuts.some((c, i) => i > 0 && c < cuts[i - 1])) throw new Error('fixed RFM thresholds need four ascending values per dimension');
  const limits = cuts.map(Number);
  return Int32Array.from(values, (v) => {
    let passed = 0;
    for (const c of limits) if (v > c) passed++;
    return smallerIsBetter ? 5 - passed : 1 + passed;
  });
}

/** The mean; null without values, as SQL's avg (the summary's means of no customers). */
function mean(values: ArrayLike<number>): number {
  if (values.length === 0) return null as unknown as number;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}

/** Scores and segments of every customer under the settings. */
function score(
  columns: Omit<Scored, 'r' | 'f' | 'm' | 'segmentA' | 'segmentB'>,
  settings: RfmSettings,
  quintile: typeof quintileScores = quintileScores,
): Scored {
  const { n, recency, frequency, monetary } = columns;
  const t = settings.thresholds;
  const fixed = settings.scoring === 'fixed';
  if (fixed && !t) throw new Error('fixed RFM scoring needs thresholds');
  const r = fixed ? fixedScores(recency, t!.recency, true) : quintile(recency, true);
  const f = fixed ? fixedScores(frequency, t!.frequency, false) : quintile(frequency, false);
  const m = fixed ? fixedScores(monetary, t!.monetary, false) : quintile(monetary, false);
  // Scheme A compares each customer with the mean over all scored customers: of the scores, or of the raw values.
  const byValue = settings.highRule === 'value';
  const [rMean, fMean, mMean] = byValue ? [mean(recency), mean(frequency), mean(monetary)] : [mean(r), mean(f), mean(m)];
  const segmentA = new Int32Array(n);
  const segmentB = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    segmentA[i] = byValue
      ? schemeAIndex(recency[i] <= rMean, frequency[i] >= fMean, monetary[i] >= mMean)
      : schemeAIndex(r[i] >= rMean, f[i] >= fMean, m[i] >= mMean);
    segmentB[i] = schemeBIndex(r[i], f[i]);
  }
  return { ...columns, r, f, m, segmentA, segmentB };
}

/** Per segment of a scheme, or per R × F cell: customers and sums of revenue, recency, frequency and monetary. */
interface Groups {
  customers: Float64Array;
  revenue: Float64Array;
  recency: Float64Array;
  frequency: Float64Array;
  monetary: Float64Array;
}

const groups = (k: number): Groups => ({
  customers: new Float64Array(k),
  revenue: new Float64Array(k),
  recency: new Float64Array(k),
  frequency: new Float64Array(k),
  monetary: new Float64Array(k),
});

/**
 * The summary's means, both schemes' segments and the R × F grid, in one pass over the customers (each sum adds its
 * values in customer order, as a pass of its own would).
 */
function summarize(s: Scored): Pick<RfmSummary, 'means' | 'segments_cn' | 'segments_en' | 'grid'> {
  const { n, revenue, recency, frequency, monetary, r, f, m, segmentA, segmentB } = s;
  const a = groups(SEGMENTS_A.length);
  const b = groups(SEGMENTS_B.length);
  const cells = groups(25);
  let total = 0;
  let rSum = 0;
  let fSum = 0;
  let mSum = 0;
  let recencySum = 0;
  let frequencySum = 0;
  let monetarySum = 0;
  for (let i = 0; i < n; i++) {
    const rev = revenue[i];
    const rec = recency[i];
    const fr = frequency[i];
    const mon = monetary[i];
    const ri = r[i];
    const fi = f[i];
    rSum += ri;
    fSum += fi;
    mSum += m[i];
    recencySum += rec;
    frequencySum += fr;
    monetarySum += mon;
    total += rev;
    const ga = segmentA[i];
    a.customers[ga]++;
    a.revenue[ga] += rev;
    a.recency[ga] += rec;
    a.frequency[ga] += fr;
    a.monetary[ga] += mon;
    const gb = segmentB[i];
    b.customers[gb]++;
    b.revenue[gb] += rev;
    b.recency[gb] += rec;
    b.frequency[gb] += fr;
    b.monetary[gb] += mon;
    const cell = (ri - 1) * 5 + (fi - 1);
    cells.customers[cell]++;
    cells.monetary[cell] += mon;
  }
  // The mean of no values is null, as SQL's avg.
  const mean = (sum: number) => (n === 0 ? null : sum / n) as number;
  const grid: RfmSummary['grid'] = [];
  for (let cell = 0; cell < 25; cell++) {
    const customers = cells.customers[cell];
    if (customers > 0) grid.push({ r: Math.floor(cell / 5) + 1, f: (cell % 5) + 1, customers, monetary: cells.monetary[cell] / customers });
  }
  return {
    means: { r: mean(rSum), f: mean(fSum), m: mean(mSum), recency_days: mean(recencySum), frequency: mean(frequencySum), monetary: mean(monetarySum) },
    segments_cn: segmentRows(n, total, SEGMENTS_A, a),
    segments_en: segmentRows(n, total, SEGMENTS_B, b),
    grid,
  };
}

/** Customers, share, revenue and mean R/F/M per segment of one scheme, most revenue first. */
function segmentRows(n: number, total: number, names: string[], g: Groups): SegmentRow[] {
  return names
    .map((name, k) => ({
      segment: name,
      customers: g.customers[k],
      share: g.customers[k] / n,
      revenue: g.revenue[k],
      revenue_share: (total === 0 ? null : g.revenue[k] / total) as number,
      recency_days: g.recency[k] / g.customers[k],
      frequency: g.frequency[k] / g.customers[k],
      monetary: g.monetary[k] / g.customers[k],
    }))
    .filter((row) => row.customers > 0)
    .sort((x, y) => y.revenue - x.revenue);
}

/**
 * The F scores no customer has, and the tie behind each gap: customers with equal purchase counts share a score
 * (MODELS.md §2), so a count held by many customers (most buy once) spans several quintiles and the next count
 * scores past them. Empty when every score 1–5 is used.
 */
export function frequencyGaps(frequency: Int32Array, f: Int32Array): FrequencyGap[] {
  const n = frequency.length;
  const used = new Uint8Array(6);
  for (let i = 0; i < n; i++) used[f[i]] = 1;
  if (n === 0 || used.slice(1).every(Boolean)) return [];
  const byCount = new Map<number, { customers: number; score: number }>();
  for (let i = 0; i < n; i++) {
    const c = byCount.get(frequency[i]);
    if (c) c.customers++;
    else byCount.set(frequency[i], { customers: 1, score: f[i] });
  }
  const counts = [...byCount.entries()].sort((a, b) => a[0] - b[0]);
  const gaps: FrequencyGap[] = [];
  let upTo = 0;
  counts.forEach(([value, { customers, score }], k) => {
    upTo += customers;
    const following = counts[k + 1];
    const nextScore = following ? following[1].score : 6;
    if (nextScore - score < 2) return;
    gaps.push({
      empty: Array.from({ length: nextScore - score - 1 }, (_, j) => score + 1 + j),
      frequency: value,
      share: customers / n,
      score,
      next: following ? { frequency: following[0], fewer: upTo / n, score: following[1].score } : null,
    });
  });
  return gaps;
}

/**
 * Write table `rfm_scores` (cid and the customer's R, F, M scores and segment indexes packed in one integer:
 * one narrow column is quick to hand to the engine) and the view `rfm` (customer_id, recency_days,
 * frequency, monetary, revenue, r, f, m, segment_cn, segment_en) over it and `rfm_base`: what lists, exports
 * and the customer 360 read. `rfm` reads the view `rfm_ranked` (the same customers with the packed scores), which a
 * page of the list sorts before the segment names are written out for its rows only.
 */
async function writeScores(db: Db, s: Scored, monetary: 'mean' | 'revenue'): Promise<void> {
  const code = new Int32Array(s.n);
  for (let i = 0; i < s.n; i++) code[i] = s.r[i] | (s.f[i] << 3) | (s.m[i] << 6) | (s.segmentA[i] << 9) | (s.segmentB[i] << 13);
  await db.query('DROP VIEW IF EXISTS rfm; DROP VIEW IF EXISTS rfm_ranked; DROP TABLE IF EXISTS rfm_scores');
  await db.insertArrow('rfm_scores', tableToIPC(new Table({ cid: makeVector(s.cid), code: makeVector(code) }), 'stream'), true);
  await db.query(`CREATE VIEW rfm_ranked AS
      SELECT b.customer_id, b.recency_days, b.frequency, b.${monetary} AS monetary, b.revenue, s.code
      FROM rfm_base b JOIN rfm_scores s USING (cid);
    CREATE VIEW rfm AS SELECT customer_id, recency_days, frequency, monetary, revenue, ${unpacked('code')} FROM rfm_ranked`);
}

/** R, F, M and both schemes' segment names out of a packed score column (see writeScores). */
function unpacked(code: string): string {
  const names = (list: string[]) => `[${list.map(lit).join(', ')}]`;
  return `${code} & 7 AS r, (${code} >> 3) & 7 AS f, (${code} >> 6) & 7 AS m,
    ${names(SEGMENTS_A)}[((${code} >> 9) & 15) + 1] AS segment_cn, ${names(SEGMENTS_B)}[((${code} >> 13) & 15) + 1] AS segment_en`;
}

/**
 * The columns RFM scores, read once per customer summary, and their quintile scores once computed (a
 * column's quintiles do not depend on any setting): the engine keeps one for the current data.
 */
export interface RfmColumns {
  read?: { key: string; columns: Omit<Scored, 'r' | 'f' | 'm' | 'segmentA' | 'segmentB' | 'monetary'> & { mean: Float64Array }; quintiles: Map<Int32Array | Float64Array, Int32Array> };
}

/**
 * Score every customer into `rfm` and return the summary the notebook shows. Reads the customer summary at
 * D (built once per data version and D, kept in `prepared`) and scores in the worker; with `kept` (the
 * engine's, for the current data) a setting change costs one read of about one row per customer.
 */
export async function rfm(db: Db, settings: RfmSettings = {}, prepared: Prepared = new Map(), kept: RfmColumns = {}): Promise<RfmSummary> {
  const asOf = await asOfDate(db, settings.asOf, prepared);
  const key = await ensureCustomerSummary(db, asOf, prepared);
  // RFM's own copy of what it lists, so that its view stays whole while other models rebuild the summary.
  await ensureTable(db, prepared, 'rfm_base', key, () =>
    `SELECT cid, customer_id, recency_days, purchases AS frequency, revenue, mean FROM customer_summary ORDER BY cid`,
  );
  let cached = kept.read;
  if (cached?.key !== key) {
    const t = await db.query(`SELECT cid, recency_days, frequency, revenue, mean FROM rfm_base ORDER BY cid`);
    const ints = (name: string) => Int32Array.from(t.getChild(name)!.toArray() as ArrayLike<number>);
    const doubles = (name: string) => Float64Array.from(t.getChild(name)!.toArray() as ArrayLike<number>);
    cached = {
      key,
      columns: { n: t.numRows, cid: ints('cid'), recency: ints('recency_days'), frequency: ints('frequency'), revenue: doubles('revenue'), mean: doubles('mean') },
      quintiles: new Map(),
    };
    // Both readings of monetary are ranked now, so that switching between sum and mean only re-scores.
    const { revenue, mean: perPurchase } = cached.columns;
    for (const values of [revenue, perPurchase]) cached.quintiles.set(values, quintileScores(values, false));
    kept.read = cached;
  }
  const { mean: means, ...columns } = cached.columns;
  const monetary = settings.monetary === 'mean' ? 'mean' : 'revenue';
  const { quintiles } = cached;
  const quintile = (values: Int32Array | Float64Array, smallerIsBetter: boolean) => {
    let scores = quintiles.get(values);
    if (!scores) quintiles.set(values, (scores = quintileScores(values, smallerIsBetter)));
    return scores;
  };
  const s = score({ ...columns, monetary: monetary === 'mean' ? means : columns.revenue }, settings, quintile);
  await writeScores(db, s, monetary);
  return {
    as_of: asOf,
    customers: s.n,
    ...summarize(s),
    f_gaps: settings.scoring === 'fixed' ? [] : frequencyGaps(s.frequency, s.f),
  };
}

/** The scored customers (all, or one segment of a scheme), best first. */
export async function rfmCustomers(
  db: Db,
  opts: { scheme?: 'cn' | 'en'; segment?: string; limit?: number; offset?: number; order?: 'id' | 'value' } = {},
): Promise<RfmCustomer[]> {
  const schemeNames = opts.scheme === 'en' ? SEGMENTS_B : SEGMENTS_A;
  const shift = opts.scheme === 'en' ? 13 : 9;
  const index = opts.segment ? schemeNames.indexOf(opts.segment) : -1;
  const where = !opts.segment ? '' : index < 0 ? 'WHERE false' : `WHERE ((code >> ${shift}) & 15) = ${index}`;
  const order = opts.order === 'id' ? 'customer_id' : 'monetary DESC, customer_id';
  const page = opts.limit !== undefined ? `LIMIT ${Math.floor(opts.limit)} OFFSET ${Math.floor(opts.offset ?? 0)}` : '';
  // The packed scores are read and unpacked here, the names taken from the schemes' lists: what the view `rfm` writes
  // out in SQL (unpacked), without making and reading two text values per customer (the whole list: 127k customers).
  const t = await db.query(`SELECT customer_id, recency_days, frequency, monetary, code FROM rfm_ranked ${where} ORDER BY ${order} ${page}`);
  const ids = textValues(t.getChild('customer_id')!);
  const [recency, frequency, monetary, code] = ['recency_days', 'frequency', 'monetary', 'code'].map((c) => t.getChild(c)!);
  const number = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v) as number;
  const out: RfmCustomer[] = new Array(t.numRows);
  for (let i = 0; i < t.numRows; i++) {
    const c = code.get(i) as number;
    out[i] = {
      customer_id: ids[i]!,
      recency_days: number(recency.get(i)),
      frequency: number(frequency.get(i)),
      monetary: number(monetary.get(i)),
      r: c & 7,
      f: (c >> 3) & 7,
      m: (c >> 6) & 7,
      segment_cn: SEGMENTS_A[(c >> 9) & 15] ?? null,
      segment_en: SEGMENTS_B[(c >> 13) & 15] ?? null,
    } as RfmCustomer;
  }
  return out;
}

/** The scheme a report shows: the cell's own, else the one the notebook shows in the report's language. */
export function rfmSchemeOf(scheme: RfmScheme | undefined, lang: 'zh' | 'en' = 'zh'): RfmScheme {
  return scheme === 'cn' || scheme === 'en' ? scheme : lang === 'en' ? 'en' : 'cn';
}

/**
 * A segment in a report, at the precision the cell shows: name, customers, share of customers and of revenue
 * (3 decimals: percent with one), mean recency (days, 0 decimals), frequency (1) and monetary (2). A segment of
 * fewer than `minGroup` customers keeps its name, shows "< minGroup" and hides the rest (null).
 */
export type RfmShareSegment = [
  segment: string,
  customers: ReportCount,
  share: number | null,
  revenue_share: number | null,
  recency_days: number | null,
  frequency: number | null,
  monetary: number | null,
];

/** The RFM cell in a report (src/report/views/rfm.ts draws it). */
export interface RfmShare {
  as_of: string;
  customers: ReportCount;
  /** The scheme shown, as in the notebook. */
  scheme: RfmScheme;
  /** Scheme A's rule ('score': scores against the mean score; 'value': raw values against their mean). */
  high: 'score' | 'value';
  /**
   * The means the rule names (scheme A only; null for B or a population under the threshold): mean R, F, M scores
   * (2 decimals), or mean recency days (1), frequency (2) and monetary (2) under the 'value' rule.
   */
  means: [number, number, number] | null;
  /** The segments of the scheme shown, most revenue first. */
  segments: RfmShareSegment[];
  /** Customers per R score (rows: R 1 to 5) × F score (columns: F 1 to 5); a cell under the threshold "< minGroup". */
  grid: ReportCount[][];
  /** Opted-in list `segments` only: [customer id, segment of the scheme shown], by customer id. */
  list?: [customer_id: string, segment: string][];
}

/** The customer lists an RFM report part may hold when opted in. */
export const RFM_SHARE_LISTS = ['segments'] as const;

/** The cell's result as a report holds it (MODELS.md §10): a pure function of the result. */
export function shareRfm(summary: RfmSummary, opts: { minGroup: number; scheme: RfmScheme; high?: 'score' | 'value' }): RfmShare {
  const { minGroup, scheme } = opts;
  const high = opts.high === 'value' ? 'value' : 'score';
  const m = summary.means;
  const few = isSmall(summary.customers, minGroup);
  const means: RfmShare['means'] =
    scheme === 'en' || few || m.r === null
      ? null
      : high === 'value'
        ? [round(m.recency_days, 1), round(m.frequency, 2), round(m.monetary, 2)]
        : [round(m.r, 2), round(m.f, 2), round(m.m, 2)];
  const segments = (scheme === 'cn' ? summary.segments_cn : summary.segments_en).map((s): RfmShareSegment =>
    isSmall(s.customers, minGroup)
      ? [s.segment, reportCount(s.customers, minGroup), null, null, null, null, null]
      : [
          s.segment,
          s.customers,
          round(s.share, 3),
          s.revenue_share === null ? null : round(s.revenue_share, 3),
          round(s.recency_days, 0),
          round(s.frequency, 1),
          round(s.monetary, 2),
        ],
  );
  const grid = [1, 2, 3, 4, 5].map((r) => [1, 2, 3, 4, 5].map((f) => reportCount(summary.grid.find((g) => g.r === r && g.f === f)?.customers ?? 0, minGroup)));
  return { as_of: summary.as_of, customers: reportCount(summary.customers, minGroup), scheme, high, means, segments, grid };
}

/** The opted-in list `segments`: every scored customer of the last run with their segment in `scheme`, by id. */
export async function rfmSegmentList(db: Db, scheme: RfmScheme): Promise<[string, string][]> {
  const list = await rows<{ customer_id: string; segment: string }>(db, `SELECT customer_id, segment_${scheme} AS segment FROM rfm ORDER BY customer_id`);
  return list.map((c) => [c.customer_id, c.segment]);
}
