/**
 * Customer lifecycle (MODELS.md §5): each customer's stage at the as-of date D, the personal-cadence
 * "slipping" flag, stage counts month by month, month-over-month transitions between stages and
 * reactivations, and (with a customers or events file) the lead funnel.
 *
 * Definitions chosen where §5 leaves them open:
 * - the stage "at the end of month m" is the stage at E = the first day of month m + 1 (purchases up to
 *   the month's last day count, as the default D is the day after the last purchase); for the month
 *   holding D − 1, E = D, so the last month's counts equal the stage counts at D;
 * - a transition of month m is a customer's stage at the end of month m − 1 → at the end of month m;
 *   customers whose first purchase falls in month m come from "none";
 * - a reactivation is a purchase day whose previous purchase day is ≥ `reactivationDays` earlier
 *   (the recency on the day of return, counted like recency_days), counted once per customer in the
 *   month of the return.
 */
import { round } from '../report/format.ts';
import { isSmall, reportCount, type ReportCount } from '../report/privacy.ts';
import type { Table } from 'apache-arrow';
import { rows, type Db } from '../db/db.ts';
import { dateLit } from './asof.ts';
import { slippingSql, type CadenceSettings } from './cadence.ts';
import { ensureCustomerDays, ensureCustomerSummary, ensureCutTable } from './customer-days.ts';
import { funnel, type EventStage, type FunnelResult, type FunnelSources } from './funnel.ts';
import { periodIndexSql, periodLabelSql, periodStartSql } from './periods.ts';
import { asOfDate, ensureTable, type Prepared } from './prepared.ts';

export const STAGES = ['new', 'active', 'at_risk', 'dormant', 'churned'] as const;
export type Stage = (typeof STAGES)[number];

/** Stage windows in days ("within N days" means D − date ≤ N). */
export interface LifecycleWindows {
  newDays: number;
  activeDays: number;
  atRiskDays: number;
  dormantDays: number;
}

export const DEFAULT_WINDOWS: LifecycleWindows = { newDays: 30, activeDays: 90, atRiskDays: 180, dormantDays: 365 };
/** Largest accepted windows (a year for "new", ten years in all). */
const MAX_NEW_DAYS = 365;
const MAX_WINDOW_DAYS = 3650;

export interface LifecycleSettings extends Partial<LifecycleWindows> {
  asOf?: string | null;
  /** A purchase after at least this many days without one is a reactivation (default 180). */
  reactivationDays?: number;
  /** The slipping flag's parameters (MODELS.md §5, shared with the churn warning). */
  cadence?: CadenceSettings;
  /** Purchases that make a customer loyal in the funnel (default 3). */
  loyalPurchases?: number;
  /** Funnel stage per event name, overriding the keyword defaults. */
  eventStages?: Record<string, EventStage>;
}

export interface StageRow {
  stage: Stage;
  customers: number;
  share: number;
  revenue: number;
  /** Of these customers, how many are flagged slipping. */
  slipping: number;
}

export type MonthStages = { month: string; reactivated: number; acquired: number } & Record<Stage, number>;

export interface Transition {
  /** The month whose end the customer reached `to` (YYYY-MM). */
  month: string;
  from: Stage | 'none';
  to: Stage;
  customers: number;
}

export interface LifecycleResult {
  as_of: string;
  windows: LifecycleWindows;
  reactivation_days: number;
  /** Customers with a purchase before D (the headless output's \`customers\` is their list). */
  total_customers: number;
  slipping: number;
  stages: StageRow[];
  months: MonthStages[];
  transitions: Transition[];
  funnel: FunnelResult | null;
}

export interface LifecycleCustomer {
  customer_id: string;
  stage: Stage;
  slipping: boolean;
  recency_days: number;
  first_day: string;
  last_day: string;
  purchases: number;
  revenue: number;
}

/** The windows in force, checked: whole days, increasing, within the stored caps. */
export function lifecycleWindows(settings: Partial<LifecycleWindows> = {}): LifecycleWindows {
  const w = { ...DEFAULT_WINDOWS };
  for (const k of Object.keys(DEFAULT_WINDOWS) as (keyof LifecycleWindows)[]) {
    const v = settings[k];
    if (v === undefined || v === null) continue;
    if (!Number.isInteger(v) || v < 0) throw new Error(`lifecycle ${k} must be a whole number of days ≥ 0, got ${v}`);
    w[k] = v;
  }
  if (w.newDays > MAX_NEW_DAYS) throw new Error(`lifecycle newDays must be at most ${MAX_NEW_DAYS}`);
  if (!(w.activeDays < w.atRiskDays && w.atRiskDays < w.dormantDays)) throw new Error('lifecycle windows must increase: active < at risk < dormant');
  if (w.dormantDays > MAX_WINDOW_DAYS) throw new Error(`lifecycle dormantDays must be at most ${MAX_WINDOW_DAYS}`);
  return w;
}

/** SQL for the stage from the days since the last purchase (`recency`) and since the first (`age`). */
export function stageSql(w: LifecycleWindows, recency: string, age: string): string {
  return `CASE WHEN ${age} <= ${w.newDays} THEN 'new' WHEN ${recency} <= ${w.activeDays} THEN 'active'
    WHEN ${recency} <= ${w.atRiskDays} THEN 'at_risk' WHEN ${recency} <= ${w.dormantDays} THEN 'dormant' ELSE 'churned' END`;
}

/**
 * Stage every customer with a purchase before D into `lifecycle` (a view: customer_id, stage, slipping,
 * recency_days, first_day, last_day, purchases, revenue) and return the summary. `sources` says whether
 * a customers or events file is loaded (default: whether their tables exist).
 */
export async function lifecycle(
  db: Db,
  settings: LifecycleSettings = {},
  opts: { prepared?: Prepared; sources?: FunnelSources; kept?: LifecycleColumns } = {},
): Promise<LifecycleResult> {
  const prepared = opts.prepared ?? new Map();
  const w = lifecycleWindows(settings);
  const reactivationDays = wholeDays(settings.reactivationDays ?? 180, 'reactivationDays');
  const asOf = await asOfDate(db, settings.asOf, prepared);
  const D = dateLit(asOf);
  const summary = await ensureCustomerSummary(db, asOf, prepared);
  await ensureTable(db, prepared, 'life_customers', `${summary}|${slippingSql(settings.cadence)}`, () =>
    `SELECT customer_id, cid, first_day, last_day, recency_days, (${D} - first_day)::INTEGER AS age_days, purchases, revenue,
       ${slippingSql(settings.cadence)} AS slipping
     FROM customer_summary`,
  );
  const days = await ensureCustomerDays(db, prepared);
  // A customer's spans are their own days' (and D's): under a filter keeping whole customers, cut out of the unfiltered
  // ones when those are for the same D. Their order does not matter (monthFlows counts them).
  await ensureCutTable(db, prepared, 'life_spans', `${days}|${asOf}`, () => spansSql(D), (t) => `SELECT s.* REPLACE (n.cid AS cid) FROM ${t} s JOIN customer_cut n ON s.cid = n.was`);
  // Without `prepared` the tables were built just now, for this call alone: nothing kept can match them.
  const builtFrom = opts.prepared ? `${prepared.get('life_spans')}#${prepared.get('life_customers')}` : null;
  await ensureTable(db, prepared, 'life_returns', `${days}|${asOf}|${reactivationDays}`, () =>
    `SELECT ${periodIndexSql('month', 'order_day')} AS j, count(DISTINCT cid)::DOUBLE AS customers FROM customer_days
     WHERE order_day < ${D} AND order_day - prev_day >= ${reactivationDays} GROUP BY j`,
  );

  // A view: a window change re-stages every customer without copying them.
  await db.query(`CREATE OR REPLACE VIEW lifecycle AS
    SELECT customer_id, ${stageSql(w, 'recency_days', 'age_days')} AS stage, slipping, recency_days, first_day, last_day, purchases, revenue
    FROM life_customers`);
  // With columns kept for these tables (the engine's runs), the stage counts, the month flows and the reactivations are
  // counted from them in the worker, without a query; else (a run of its own, the headless command) by SQL.
  const kept = builtFrom === null ? undefined : opts.kept;
  let byStage: Omit<StageRow, 'share'>[];
  if (kept) {
    await readColumns(db, builtFrom!, kept);
    byStage = stageCounts(kept.read!.people, w);
  } else {
    byStage = await rows<Omit<StageRow, 'share'>>(
      db,
      `SELECT stage, count(*)::DOUBLE AS customers, coalesce(sum(revenue), 0) AS revenue, count(*) FILTER (WHERE slipping)::DOUBLE AS slipping
       FROM lifecycle GROUP BY stage`,
    );
  }
  const customers = byStage.reduce((s, r) => s + r.customers, 0);
  const stages = STAGES.map((stage) => {
    const r = byStage.find((x) => x.stage === stage);
    return { stage, customers: r?.customers ?? 0, share: customers ? (r?.customers ?? 0) / customers : 0, revenue: r?.revenue ?? 0, slipping: r?.slipping ?? 0 };
  });

  const codes = kept ? monthFlows(asOf, w, kept.read!) : monthFlows(asOf, w, await readColumns(db, '', {}));
  const flows = codes.map((f) => ({ ...f, from: f.from === 0 ? null : STAGES[f.from - 1], to: STAGES[f.to - 1] }));
  const returnsKey = prepared.get('life_returns')!;
  let reactivated = kept?.returns && kept.returns.key === returnsKey ? kept.returns.rows : undefined;
  if (!reactivated) {
    reactivated = await rows<{ month: string; customers: number }>(db, `SELECT ${periodLabelSql('month', 'j')} AS month, customers FROM life_returns`);
    if (kept) kept.returns = { key: returnsKey, rows: reactivated };
  }
  if (kept) kept.view = { key: builtFrom!, windows: w };
  const months = monthly(flows, reactivated);
  const transitions: Transition[] = flows
    .filter((f) => f.customers > 0 && months[0] && f.month !== months[0].month)
    .map((f) => ({ month: f.month, from: f.from ?? 'none', to: f.to, customers: f.customers }));

  return {
    as_of: asOf,
    windows: w,
    reactivation_days: reactivationDays,
    total_customers: customers,
    slipping: stages.reduce((s, r) => s + r.slipping, 0),
    stages,
    months,
    transitions,
    funnel: await funnel(db, asOf, { loyalPurchases: settings.loyalPurchases, eventStages: settings.eventStages }, { prepared, sources: opts.sources }),
  };
}

/**
 * The customers' purchase months before the month M that holds D − 1, as spans: one row per customer and
 * month with a purchase (mi), with the first purchase day f, the month's last purchase day l, the last
 * purchase day before the month p (NULL: the month of the first purchase) and b, the next month with a
 * purchase (at most M). Between mi and b the customer's stage at each month end depends on l and f alone.
 * prev_day and next_day grow with order_day, so the month's earliest prev_day and latest next_day are its
 * min and max (NULL: first or last purchase ever). The spans do not depend on the windows: a window change
 * re-reads them.
 */
function spansSql(D: string): string {
  const month = (d: string) => periodIndexSql('month', d);
  const last = month(`(${D} - 1)`);
  const lastStart = periodStartSql('month', last);
  return `SELECT cid, any_value(first_day) AS f, ${month('order_day')} AS mi, max(order_day) AS l,
      CASE WHEN bool_or(prev_day IS NULL) THEN NULL ELSE min(prev_day) END AS p,
      CASE WHEN bool_or(next_day IS NULL) OR max(next_day) >= ${lastStart} THEN ${last} ELSE ${month('max(next_day)')} END AS b
    FROM customer_days WHERE order_day < ${lastStart} GROUP BY cid, mi`;
}

/**
 * The spans and customers the month flows count, as read into the worker: the engine keeps one for the current data,
 * so that a window change counts again without reading them (they do not depend on the windows).
 */
export interface LifecycleColumns {
  read?: KeptColumns;
  /** life_returns' months, for the table's key in `prepared`. */
  returns?: { key: string; rows: { month: string; customers: number }[] };
  /** What the view `lifecycle` stages now: the tables' key and the windows (set by `lifecycle` with these columns). */
  view?: { key: string; windows: LifecycleWindows };
}

export interface KeptColumns {
  /** What the tables were built from (their keys in `prepared`). */
  key: string;
  spans: Record<'cid' | 'f' | 'mi' | 'l' | 'p' | 'b', Int32Array>;
  /**
   * life_customers in its stored order (the order DuckDB's one-thread `sum(revenue)` over the view adds them in):
   * slipping as 0/1, revenue as stored (NULL as 0, which adds nothing).
   */
  people: Record<'pid' | 'pf' | 'recency' | 'age' | 'slipping', Int32Array> & { revenue: Float64Array };
  /**
   * The customer list's columns for the first rows of its value order (most valuable first, which does not depend on the
   * windows), formatted as the list's SQL formats them; read when a run first asks for a list. `complete`: every customer.
   */
  byValue?: { table: Table; recency: Int32Array; age: Int32Array; slipping: Int32Array; complete: boolean };
  /** The month flows' calendar and what they need of the columns apart from the windows (`flowCalendar`). */
  flows?: {
    table: Int32Array;
    from: number;
    first: number;
    last: number;
    spanStart: Int32Array;
    lastBefore: Int32Array;
    lastStart: number;
  };
}

/** Read the spans and customers of the tables built from `key` into `kept` (unless it holds them already). */
async function readColumns(db: Db, key: string, kept: LifecycleColumns): Promise<KeptColumns> {
  if (kept.read?.key === key) return kept.read;
  const spans = await db.query(`SELECT cid, ${dayNumber('f')} AS f, mi, ${dayNumber('l')} AS l, ${dayNumber('p')} AS p, b FROM life_spans`);
  const people = await db.query(
    `SELECT cid, ${dayNumber('first_day')} AS f, recency_days, age_days, slipping::INTEGER AS slipping, coalesce(revenue, 0)::DOUBLE AS revenue FROM life_customers`,
  );
  const [cid, f, mi, l, p, b] = ['cid', 'f', 'mi', 'l', 'p', 'b'].map((c) => ints(spans, c));
  const [pid, pf, recency, age, slipping] = ['cid', 'f', 'recency_days', 'age_days', 'slipping'].map((c) => ints(people, c));
  const revenue = Float64Array.from(people.getChild('revenue')!.toArray() as ArrayLike<number>);
  // Every field from the start (one object shape for the loops that read it).
  kept.read = { key, spans: { cid, f, mi, l, p, b }, people: { pid, pf, recency, age, slipping, revenue }, byValue: undefined, flows: undefined };
  return kept.read;
}

const ints = (t: Table, name: string) => Int32Array.from(t.getChild(name)!.toArray() as ArrayLike<number>);

/** The stage code (1 + the index in STAGES) from the days since the last purchase and since the first: `stageSql`. */
const stageCode = (w: LifecycleWindows, recencyDays: number, ageDays: number) =>
  codeOf(w.newDays, w.activeDays, w.atRiskDays, w.dormantDays, recencyDays, ageDays);

/**
 * `stageCode` with the windows as numbers: the loops below read the windows once and call this one function on every
 * run (a closure per run, or a windows object whose fields change, would throw away their compiled code each time).
 */
function codeOf(newDays: number, activeDays: number, atRiskDays: number, dormantDays: number, recencyDays: number, ageDays: number): number {
  return ageDays <= newDays ? 1 : recencyDays <= activeDays ? 2 : recencyDays <= atRiskDays ? 3 : recencyDays <= dormantDays ? 4 : 5;
}

/**
 * Customers, revenue and slipping customers per stage, as the SQL over the view counts them: revenue added in the
 * table's stored order, one customer after the other from 0, as DuckDB's `sum` does in one thread (the same bits).
 */
function stageCounts(people: KeptColumns['people'], w: LifecycleWindows): Omit<StageRow, 'share'>[] {
  const { recency, age, slipping, revenue } = people;
  const { newDays, activeDays, atRiskDays, dormantDays } = w;
  const customers = new Float64Array(6);
  const sums = new Float64Array(6);
  const slips = new Float64Array(6);
  for (let i = 0; i < recency.length; i++) {
    const c = codeOf(newDays, activeDays, atRiskDays, dormantDays, recency[i], age[i]);
    customers[c]++;
    sums[c] += revenue[i];
    slips[c] += slipping[i];
  }
  return STAGES.flatMap((stage, k) => (customers[k + 1] ? [{ stage, customers: customers[k + 1], revenue: sums[k + 1], slipping: slips[k + 1] }] : []));
}

/** Days since 1970-01-01 of a DATE column, as an integer (NULL as NONE), for reading into the worker. */
const dayNumber = (col: string) => `coalesce((${col} - DATE '1970-01-01')::INTEGER, ${NONE})`;
const NONE = -2147483648;
const DAY_MS = 86_400_000;

/**
 * The month-over-month flows under windows w: (j, month, from, to, customers) with stage codes (0: none,
 * 1 + the index in STAGES), by month, from and to. The stage at the end of month j (E = the first day of
 * j + 1) moves up through the codes as E passes f + newDays and l + the other windows, and E passes a day
 * T from month month(T) on (the end of month(T) is after T); so each span falls into at most five segments
 * of months with one stage. A segment counts a transition from the stage before it (at the end of the month
 * before its first) into its stage in its first month, and stage → same stage in each later month (a running
 * sum over months). The month M holding D − 1 ends at D: its flows are each customer's stage at the end of
 * M − 1 (from lp, the last purchase day before M: the latest l of the customer's spans) → the stage at D.
 * Counted here in the worker from the spans (integer arithmetic, the same counts as grouping every customer
 * and month in SQL, without the rows).
 */
function monthFlows(asOf: string, w: LifecycleWindows, read: KeptColumns): { j: number; month: string; from: number; to: number; customers: number }[] {
  const cal = (read.flows ??= flowCalendar(asOf, read));
  const { first, last } = cal;
  const months = last - first + 1;
  // counts[(j − first) × 64 + from × 8 + to]: customers moving from → to in month j.
  const counts = new Float64Array(months * 64);
  // steps[c × (months + 1) + j − first]: change in the number of customers staying in stage c from month j on.
  const steps = new Int32Array(6 * (months + 1));
  // One loop per function, each compiled whole (a loop compiled on its own, in a function that goes on after it,
  // is thrown away again at its end).
  const { newDays, activeDays, atRiskDays, dormantDays } = w;
  spanFlows(read.spans, cal, counts, steps, newDays, activeDays, atRiskDays, dormantDays);
  stayingFlows(counts, steps, first, last);
  lastMonthFlows(read.people, cal, counts, newDays, activeDays, atRiskDays, dormantDays);
  const flows: { j: number; month: string; from: number; to: number; customers: number }[] = [];
  for (let key = 0; key < counts.length; key++) {
    const n = counts[key];
    if (n === 0) continue;
    const j = first + Math.floor(key / 64);
    flows.push({ j, month: monthLabel(j), from: Math.floor(key / 8) % 8, to: key % 8, customers: n });
  }
  return flows;
}

type FlowCalendar = NonNullable<KeptColumns['flows']>;

/**
 * The spans' part of the month flows: a span's months [mi, b) fall into the segments [mi, m1), [m1, m2), [m2, m3),
 * [m3, m4), [m4, b) of stages 1..5 (empty ones skipped), which follow one another; a segment after the span's first
 * month comes from the stage of the one before it (the stage at the end of the month before its first), the first from
 * the stage at the end of the month before the span (p: the purchase day before it), or from none.
 */
function spanFlows(
  spans: KeptColumns['spans'], cal: FlowCalendar, counts: Float64Array, steps: Int32Array,
  newDays: number, activeDays: number, atRiskDays: number, dormantDays: number,
): void {
  const { f, mi, l, p, b } = spans;
  const { table, from: day0, first, spanStart } = cal;
  const width = cal.last - first + 2;
  // The month of day T is table[T − day0]; the window ends of a span, as offsets into the table.
  const nd = newDays - day0;
  const ad = activeDays - day0;
  const rd = atRiskDays - day0;
  const dd = dormantDays - day0;
  for (let i = 0; i < mi.length; i++) {
    const mb = b[i];
    const li = l[i];
    const m1 = table[f[i] + nd];
    const m2 = Math.max(m1, table[li + ad]);
    const m3 = Math.max(m1, table[li + rd]);
    const m4 = Math.max(m1, table[li + dd]);
    let prev = 0;
    if (p[i] !== NONE) prev = codeOf(newDays, activeDays, atRiskDays, dormantDays, spanStart[i] - p[i], spanStart[i] - f[i]);
    let sa = mi[i];
    for (let c = 1; c <= 5; c++) {
      const end = c === 1 ? m1 : c === 2 ? m2 : c === 3 ? m3 : c === 4 ? m4 : mb;
      const sb = end < mb ? end : mb;
      if (sa >= sb) continue;
      counts[(sa - first) * 64 + prev * 8 + c] += 1;
      if (sb > sa + 1) {
        steps[c * width + sa + 1 - first]++;
        steps[c * width + sb - first]--;
      }
      prev = c;
      sa = sb;
    }
  }
}

/** Stage → same stage in the later months of each segment: the running sums of `steps`. */
function stayingFlows(counts: Float64Array, steps: Int32Array, first: number, last: number): void {
  const width = last - first + 2;
  for (let c = 1; c <= 5; c++) {
    let staying = 0;
    for (let j = first; j < last; j++) {
      staying += steps[c * width + j - first];
      if (staying > 0) counts[(j - first) * 64 + c * 8 + c] += staying;
    }
  }
}

/** The month holding D − 1 ends at D: each customer's stage at the end of the month before it → the stage at D. */
function lastMonthFlows(
  people: KeptColumns['people'], cal: FlowCalendar, counts: Float64Array,
  newDays: number, activeDays: number, atRiskDays: number, dormantDays: number,
): void {
  const { pf, recency, age } = people;
  const { lastBefore, lastStart: e } = cal;
  const row = (cal.last - cal.first) * 64;
  for (let k = 0; k < pf.length; k++) {
    const from = pf[k] < e ? codeOf(newDays, activeDays, atRiskDays, dormantDays, e - lastBefore[k], e - pf[k]) : 0;
    counts[row + from * 8 + codeOf(newDays, activeDays, atRiskDays, dormantDays, recency[k], age[k])] += 1;
  }
}

/**
 * What the month flows need of the spans and customers that does not depend on the windows, worked out once per data
 * and D: the calendar (the month of each day from the earliest first purchase to D plus the longest window, as a
 * table), the months counted (`first` to `last`, the month holding D − 1), each span's month's first day, and each
 * customer's latest purchase day before the last month (the latest l of their spans; NONE without one).
 */
function flowCalendar(asOf: string, read: KeptColumns): NonNullable<KeptColumns['flows']> {
  const { cid, mi, l } = read.spans;
  const { pid, pf } = read.people;
  const D = Date.parse(asOf + 'T00:00:00Z') / DAY_MS;
  const calendar = monthCalendar(Math.min(D - 1, ...minOf(pf)), D + MAX_WINDOW_DAYS + 1);
  const last = calendar.month(D - 1);
  const first = Math.min(last, ...minOf(mi));
  const byCid = new Int32Array(Math.max(0, ...maxOf(cid), ...maxOf(pid)) + 1).fill(NONE);
  const spanStart = new Int32Array(mi.length);
  for (let i = 0; i < mi.length; i++) {
    if (l[i] > byCid[cid[i]]) byCid[cid[i]] = l[i];
    spanStart[i] = calendar.start(mi[i]);
  }
  const lastBefore = new Int32Array(pid.length);
  for (let k = 0; k < pid.length; k++) lastBefore[k] = byCid[pid[k]];
  return { table: calendar.table, from: calendar.from, first, last, spanStart, lastBefore, lastStart: calendar.start(last) };
}

/** Days since 1970-01-01 of the first day of a month (0-based; 12 is January of the next year), for any year. */
function firstOfMonth(year: number, month: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, 1);
  return d.getTime() / DAY_MS;
}

/** The smallest value, as a one-element list (none for an empty array). */
function minOf(values: Int32Array): number[] {
  if (values.length === 0) return [];
  let min = values[0];
  for (let i = 1; i < values.length; i++) if (values[i] < min) min = values[i];
  return [min];
}

/** The largest value, as a one-element list (none for an empty array). */
function maxOf(values: Int32Array): number[] {
  if (values.length === 0) return [];
  let max = values[0];
  for (let i = 1; i < values.length; i++) if (values[i] > max) max = values[i];
  return [max];
}

/**
 * Calendar months (year × 12 + month − 1, as `periodIndexSql`) of the days numbered from..to (days since
 * 1970-01-01), looked up in a table, with each month's first day and label.
 */
function monthCalendar(from: number, to: number) {
  const table = new Int32Array(Math.max(0, to - from + 1));
  const start0 = new Date(from * DAY_MS);
  let year = start0.getUTCFullYear();
  let month = start0.getUTCMonth();
  let next = firstOfMonth(year, month + 1);
  // The first day of each month of the range (the month flows ask for one per span and stage: looked up, not made
  // with a Date each time).
  const j0 = year * 12 + month;
  const starts = [firstOfMonth(year, month)];
  for (let d = from; d <= to; d++) {
    if (d >= next) {
      month++;
      if (month === 12) {
        month = 0;
        year++;
      }
      starts.push(next);
      next = firstOfMonth(year, month + 1);
    }
    table[d - from] = year * 12 + month;
  }
  starts.push(next);
  const startOf = Int32Array.from(starts);
  return {
    table,
    from,
    month: (day: number) => table[day - from],
    start: (j: number) => (j >= j0 && j - j0 < startOf.length ? startOf[j - j0] : firstOfMonth(Math.floor(j / 12), j % 12)),
    label: monthLabel,
  };
}

/** A calendar month (year × 12 + month − 1) as YYYY-MM. */
function monthLabel(j: number): string {
  return `${String(Math.floor(j / 12)).padStart(4, '0')}-${String((j % 12) + 1).padStart(2, '0')}`;
}

function monthly(flows: { month: string; to: Stage; from: Stage | null; customers: number }[], reactivated: { month: string; customers: number }[]): MonthStages[] {
  const byMonth = new Map<string, MonthStages>();
  for (const f of flows) {
    let m = byMonth.get(f.month);
    if (!m) byMonth.set(f.month, (m = { month: f.month, new: 0, active: 0, at_risk: 0, dormant: 0, churned: 0, reactivated: 0, acquired: 0 }));
    m[f.to] += f.customers;
    if (f.from === null) m.acquired += f.customers;
  }
  for (const r of reactivated) {
    const m = byMonth.get(r.month);
    if (m) m.reactivated = r.customers;
  }
  return [...byMonth.values()];
}

function wholeDays(v: number, name: string): number {
  if (!Number.isInteger(v) || v < 1) throw new Error(`lifecycle ${name} must be a whole number of days ≥ 1, got ${v}`);
  return v;
}

/**
 * SQL for the staged customers (one stage, the slipping ones, or all), most valuable first (revenue in cents,
 * then id) or by id; `page` (LIMIT … OFFSET …) picks rows before they are formatted.
 */
export function lifecycleListSql(opts: { stage?: Stage; slipping?: boolean; order?: 'id' | 'value' } = {}, page = ''): string {
  const where = [opts.stage ? `stage = '${opts.stage}'` : '', opts.slipping ? 'slipping' : ''].filter(Boolean);
  if (opts.stage && !STAGES.includes(opts.stage)) throw new Error(`unknown lifecycle stage "${opts.stage}"`);
  const order = opts.order === 'id' ? 'customer_id' : 'round(revenue, 2) DESC, customer_id';
  return `SELECT customer_id, stage, slipping, recency_days, strftime(first_day, '%Y-%m-%d') AS first_day,
      strftime(last_day, '%Y-%m-%d') AS last_day, purchases, round(revenue, 2) AS revenue
    FROM (SELECT * FROM lifecycle ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY ${order} ${page})
    ORDER BY ${order}`;
}

/** Staged customers from table `lifecycle` (run `lifecycle` first). */
export async function lifecycleCustomers(
  db: Db,
  opts: { stage?: Stage; slipping?: boolean; order?: 'id' | 'value'; limit?: number; offset?: number } = {},
): Promise<LifecycleCustomer[]> {
  const page = opts.limit !== undefined ? `LIMIT ${Math.floor(opts.limit)} OFFSET ${Math.floor(opts.offset ?? 0)}` : '';
  return rows<LifecycleCustomer>(db, lifecycleListSql(opts, page));
}

/**
 * The same list as `lifecycleCustomers`, from the columns `lifecycle` kept when the view is theirs under these windows
 * and the list is a page by value: the value order is read once per data (most valuable first, formatted by the list's
 * SQL) and each window change only stages and picks its rows. Else by SQL.
 */
export async function lifecycleCustomersKept(
  db: Db,
  windows: LifecycleWindows,
  opts: Parameters<typeof lifecycleCustomers>[1] = {},
  kept: LifecycleColumns = {},
): Promise<LifecycleCustomer[]> {
  const read = kept.read;
  const current = read && kept.view?.key === read.key && sameWindows(kept.view.windows, windows);
  if (!current || opts.order === 'id' || opts.limit === undefined || opts.limit < 0 || (opts.offset ?? 0) < 0) return lifecycleCustomers(db, opts);
  if (opts.stage && !STAGES.includes(opts.stage)) throw new Error(`unknown lifecycle stage "${opts.stage}"`);
  const limit = Math.floor(opts.limit);
  const offset = Math.floor(opts.offset ?? 0);
  let byValue = read.byValue;
  if (!byValue || (byValue.table.numRows < offset + limit && !byValue.complete)) {
    // The first rows of the value order (a top-N as cheap as the list's own; a full sort formatted would cost several
    // times that on the first run), at least VALUE_ROWS, so that a page of one stage is usually among them.
    const rowsWanted = Math.max(VALUE_ROWS, offset + limit, 4 * (byValue?.table.numRows ?? 0));
    const table = await db.query(`SELECT customer_id, slipping::INTEGER AS slipping, recency_days, age_days, strftime(first_day, '%Y-%m-%d') AS first_day,
        strftime(last_day, '%Y-%m-%d') AS last_day, purchases, round(revenue, 2) AS revenue
      FROM (SELECT * FROM life_customers ORDER BY round(revenue, 2) DESC, customer_id LIMIT ${rowsWanted})
      ORDER BY round(revenue, 2) DESC, customer_id`);
    // Another run may have replaced the columns meanwhile: keep the rows with the ones they were read for.
    if (kept.read !== read) return lifecycleCustomers(db, opts);
    byValue = read.byValue = {
      table, recency: ints(table, 'recency_days'), age: ints(table, 'age_days'), slipping: ints(table, 'slipping'), complete: table.numRows < rowsWanted,
    };
  }
  const { table, recency, age, slipping } = byValue;
  const want = opts.stage ? STAGES.indexOf(opts.stage) + 1 : 0;
  const { newDays, activeDays, atRiskDays, dormantDays } = windows;
  let skip = offset;
  const picked: number[] = [];
  for (let i = 0; i < recency.length && picked.length < limit; i++) {
    if (opts.slipping && !slipping[i]) continue;
    if (want && codeOf(newDays, activeDays, atRiskDays, dormantDays, recency[i], age[i]) !== want) continue;
    if (skip > 0) skip--;
    else picked.push(i);
  }
  // The rows read did not hold the page (a small stage): by SQL.
  if (picked.length < limit && !byValue.complete) return lifecycleCustomers(db, opts);
  const col = (name: string) => table.getChild(name)!;
  const [id, first, last, purchases, revenue] = ['customer_id', 'first_day', 'last_day', 'purchases', 'revenue'].map(col);
  return picked.map((i) => ({
    customer_id: id.get(i) as string,
    stage: STAGES[stageCode(windows, recency[i], age[i]) - 1],
    slipping: slipping[i] === 1,
    recency_days: recency[i],
    first_day: first.get(i) as string,
    last_day: last.get(i) as string,
    purchases: plain(purchases.get(i)) as number,
    revenue: revenue.get(i) as number,
  }));
}

/** A value as `rows` gives it (BIGINT as a number). */
const plain = (v: unknown) => (typeof v === 'bigint' ? Number(v) : v);

/** Rows of the value order read at least (a page of 25 of a stage holding 1/40 of the customers). */
const VALUE_ROWS = 1000;

const sameWindows = (a: LifecycleWindows, b: LifecycleWindows) =>
  a.newDays === b.newDays && a.activeDays === b.activeDays && a.atRiskDays === b.atRiskDays && a.dormantDays === b.dormantDays;

/** A stage in a report: stage, customers, share of customers and of revenue (3 decimals); a small stage "< n" and null shares. */
export type LifecycleShareStage = [stage: Stage, customers: ReportCount, share: number | null, revenue_share: number | null];

/** A month end in a report: month, customers in each stage (STAGES' order), reactivated customers. */
export type LifecycleShareMonth = [month: string, new_: ReportCount, active: ReportCount, at_risk: ReportCount, dormant: ReportCount, churned: ReportCount, reactivated: ReportCount];

/** A funnel stage in a report: stage, reached, furthest, conversion (3 decimals), median days (1), people timed. */
export type LifecycleShareFunnelStage = [stage: FunnelResult['stages'][number]['stage'], reached: ReportCount, furthest: ReportCount, conversion: number | null, median_days: number | null, timed: ReportCount];

/** The lifecycle cell in a report (src/report/views/lifecycle.ts draws it). */
export interface LifecycleShare {
  as_of: string;
  windows: LifecycleWindows;
  reactivation_days: number;
  customers: ReportCount;
  slipping: ReportCount;
  stages: LifecycleShareStage[];
  months: LifecycleShareMonth[];
  /** Reactivations over all months (what the cell's note counts). */
  reactivated: number;
  /** The latest month's transitions (the month the cell's flow shows first) and its summary. */
  flow: {
    month: string;
    acquired: ReportCount;
    down: ReportCount;
    up: ReportCount;
    flows: [from: Stage | 'none', to: Stage, customers: ReportCount][];
  } | null;
  funnel: { events: boolean; loyal_purchases: number; people: ReportCount; stages: LifecycleShareFunnelStage[] } | null;
  /** Opted-in list `stages` only: [customer id, stage, slipping (1) or not (0)], by customer id. */
  list?: [customer_id: string, stage: Stage, slipping: 0 | 1][];
}

/** The customer lists a lifecycle report part may hold when opted in. */
export const LIFECYCLE_SHARE_LISTS = ['stages'] as const;

const rank = (s: Stage | 'none') => (s === 'none' ? -1 : STAGES.indexOf(s));

/** The cell's result as a report holds it (MODELS.md §10): a pure function of the result. */
export function shareLifecycle(result: LifecycleResult, minGroup: number): LifecycleShare {
  const n = (v: number) => reportCount(v, minGroup);
  const totalRevenue = result.stages.reduce((s, r) => s + r.revenue, 0);
  const stages = result.stages.map((s): LifecycleShareStage =>
    isSmall(s.customers, minGroup) ? [s.stage, n(s.customers), null, null] : [s.stage, s.customers, round(s.share, 3), round(totalRevenue ? s.revenue / totalRevenue : 0, 3)],
  );
  const months = result.months.map((m): LifecycleShareMonth => [m.month, n(m.new), n(m.active), n(m.at_risk), n(m.dormant), n(m.churned), n(m.reactivated)]);
  const last = result.transitions.at(-1)?.month;
  let flow: LifecycleShare['flow'] = null;
  if (last) {
    const flows = result.transitions.filter((f) => f.month === last);
    const sum = (keep: (f: Transition) => boolean) => flows.filter(keep).reduce((s, f) => s + f.customers, 0);
    flow = {
      month: last,
      acquired: n(sum((f) => f.from === 'none')),
      down: n(sum((f) => f.from !== 'none' && rank(f.to) > Math.max(rank(f.from), 1))),
      up: n(sum((f) => f.to === 'active' && rank(f.from) >= 2)),
      flows: flows.map((f) => [f.from, f.to, n(f.customers)]),
    };
  }
  const f = result.funnel;
  const funnelPart: LifecycleShare['funnel'] = f
    ? {
        events: f.sources.events,
        loyal_purchases: f.loyal_purchases,
        people: n(f.people),
        stages: f.stages.map((s): LifecycleShareFunnelStage => {
          const small = isSmall(s.reached, minGroup);
          return [
            s.stage,
            n(s.reached),
            n(s.furthest),
            small || s.conversion === null ? null : round(s.conversion, 3),
            isSmall(s.timed, minGroup) || s.median_days === null ? null : round(s.median_days, 1),
            n(s.timed),
          ];
        }),
      }
    : null;
  return {
    as_of: result.as_of,
    windows: result.windows,
    reactivation_days: result.reactivation_days,
    customers: n(result.total_customers),
    slipping: n(result.slipping),
    stages,
    months,
    reactivated: result.months.reduce((s, m) => s + m.reactivated, 0),
    flow,
    funnel: funnelPart,
  };
}

/** The opted-in list `stages`: every staged customer of the last run with their stage and slipping flag, by id. */
export async function lifecycleStageList(db: Db): Promise<[string, Stage, 0 | 1][]> {
  const list = await rows<{ customer_id: string; stage: Stage; slipping: boolean }>(db, 'SELECT customer_id, stage, slipping FROM lifecycle ORDER BY customer_id');
  return list.map((c) => [c.customer_id, c.stage, c.slipping ? 1 : 0]);
}
