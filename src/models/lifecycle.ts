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
import { rows, type Db } from '../db/db.ts';
import { dateLit } from './asof.ts';
import { cadenceSql, type CadenceSettings } from './cadence.ts';
import { ensureCustomerDays } from './customer-days.ts';
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

/** The same rule as a number, 1 + the index in STAGES (integers group faster than text). */
function stageCodeSql(w: LifecycleWindows, recency: string, age: string): string {
  return `CASE WHEN ${age} <= ${w.newDays} THEN 1 WHEN ${recency} <= ${w.activeDays} THEN 2
    WHEN ${recency} <= ${w.atRiskDays} THEN 3 WHEN ${recency} <= ${w.dormantDays} THEN 4 ELSE 5 END`;
}

/**
 * Stage every customer with a purchase before D into `lifecycle` (a view: customer_id, stage, slipping,
 * recency_days, first_day, last_day, purchases, revenue) and return the summary. `sources` says whether
 * a customers or events file is loaded (default: whether their tables exist).
 */
export async function lifecycle(
  db: Db,
  settings: LifecycleSettings = {},
  opts: { prepared?: Prepared; sources?: FunnelSources } = {},
): Promise<LifecycleResult> {
  const { prepared } = opts;
  const w = lifecycleWindows(settings);
  const reactivationDays = wholeDays(settings.reactivationDays ?? 180, 'reactivationDays');
  const asOf = await asOfDate(db, settings.asOf, opts.prepared);
  const D = dateLit(asOf);
  const factor = Number(settings.cadence?.factor ?? 1.5);
  const minDays = Math.floor(Number(settings.cadence?.minDays ?? 3));
  const days = await ensureCustomerDays(db, prepared);
  await ensureTable(db, prepared, 'life_customers', `${days}|${asOf}|${factor}|${minDays}`, () =>
    `SELECT k.customer_id, c.cid, c.first_day, c.last_day, (${D} - c.last_day)::INTEGER AS recency_days,
       (${D} - c.first_day)::INTEGER AS age_days, c.purchases, c.revenue, coalesce(cad.slipping, false) AS slipping
     FROM (SELECT cid, any_value(first_day) AS first_day, max(order_day) AS last_day, sum(purchases)::INTEGER AS purchases,
             sum(revenue) AS revenue FROM customer_days WHERE order_day < ${D} GROUP BY cid) c
     JOIN customer_keys k USING (cid)
     LEFT JOIN (${cadenceSql(asOf, { factor, minDays })}) cad ON cad.customer_id = k.customer_id`,
  );
  // Ages are capped just above the new window and recencies above the dormant one, which keeps the
  // grid small; changing the other windows then re-reads it without rebuilding.
  await ensureTable(db, prepared, 'life_grid', `${days}|${asOf}|${w.newDays}|${w.dormantDays}`, () => monthGridSql(D, w.newDays + 1, w.dormantDays + 1));
  await ensureTable(db, prepared, 'life_returns', `${days}|${asOf}|${reactivationDays}`, () =>
    `SELECT ${periodIndexSql('month', 'order_day')} AS j, count(DISTINCT cid)::DOUBLE AS customers FROM customer_days
     WHERE order_day < ${D} AND order_day - prev_day >= ${reactivationDays} GROUP BY j`,
  );

  // A view: a window change re-stages every customer without copying them.
  await db.query(`CREATE OR REPLACE VIEW lifecycle AS
    SELECT customer_id, ${stageSql(w, 'recency_days', 'age_days')} AS stage, slipping, recency_days, first_day, last_day, purchases, revenue
    FROM life_customers`);
  const byStage = await rows<Omit<StageRow, 'share'>>(
    db,
    `SELECT stage, count(*)::DOUBLE AS customers, coalesce(sum(revenue), 0) AS revenue, count(*) FILTER (WHERE slipping)::DOUBLE AS slipping
     FROM lifecycle GROUP BY stage`,
  );
  const customers = byStage.reduce((s, r) => s + r.customers, 0);
  const stages = STAGES.map((stage) => {
    const r = byStage.find((x) => x.stage === stage);
    return { stage, customers: r?.customers ?? 0, share: customers ? (r?.customers ?? 0) / customers : 0, revenue: r?.revenue ?? 0, slipping: r?.slipping ?? 0 };
  });

  const codes = await rows<{ j: number; month: string; from: number; to: number; customers: number }>(
    db,
    `SELECT j, ${periodLabelSql('month', 'j')} AS month, "from", "to", customers FROM (
       SELECT j, CASE WHEN ap IS NULL THEN 0 ELSE ${stageCodeSql(w, 'rp', 'ap')} END AS "from", ${stageCodeSql(w, 'rn', 'an')} AS "to",
         sum(n)::DOUBLE AS customers
       FROM life_grid GROUP BY ALL)
     ORDER BY j, "from", "to"`,
  );
  const flows = codes.map((f) => ({ ...f, from: f.from === 0 ? null : STAGES[f.from - 1], to: STAGES[f.to - 1] }));
  const reactivated = await rows<{ month: string; customers: number }>(db, `SELECT ${periodLabelSql('month', 'j')} AS month, customers FROM life_returns`);
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
 * Customers per month and per (age, recency) at that month's end and at the previous month's end, ages
 * capped at `ageCap` and recencies at `recencyCap` (values beyond fall in the same stage), so that
 * counts for the windows come from one small GROUP BY. Built by spreading each customer-month with a
 * purchase over the months until the next one. prev_day and next_day grow with order_day, so the
 * month's earliest prev_day and latest next_day are its min and max (NULL: first or last purchase ever).
 */
function monthGridSql(D: string, ageCap: number, recencyCap: number): string {
  const month = (d: string) => periodIndexSql('month', d);
  const start = (j: string) => periodStartSql('month', j);
  const last = month(`(${D} - 1)`);
  const capAge = (v: string) => `least(${v}, ${ageCap})::SMALLINT`;
  const capRecency = (v: string) => `least(${v}, ${recencyCap})::SMALLINT`;
  return `WITH a AS (
      SELECT cid, any_value(first_day) AS first_day, ${month('order_day')} AS mi, max(order_day) AS last_in,
        CASE WHEN bool_or(prev_day IS NULL) THEN NULL ELSE min(prev_day) END AS prev_last,
        CASE WHEN bool_or(next_day IS NULL) THEN NULL ELSE max(next_day) END AS next_day
      FROM customer_days WHERE order_day < ${D} GROUP BY cid, mi),
    spans AS (
      SELECT first_day, mi, last_in, prev_last,
        unnest(range(mi, CASE WHEN next_day IS NULL OR next_day >= ${D} THEN ${last} + 1 ELSE ${month('next_day')} END)) AS j
      FROM a),
    ends AS (SELECT *, least(${start('j + 1')}, ${D}) AS e_now, ${start('j')} AS e_prev FROM spans)
    SELECT j::INTEGER AS j, ${capRecency('e_now - last_in')} AS rn, ${capAge('e_now - first_day')} AS an,
      CASE WHEN first_day < e_prev THEN ${capRecency(`e_prev - CASE WHEN j = mi THEN prev_last ELSE last_in END`)} END AS rp,
      CASE WHEN first_day < e_prev THEN ${capAge('e_prev - first_day')} END AS ap,
      count(*)::INTEGER AS n
    FROM ends GROUP BY ALL`;
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

/** SQL for the staged customers (one stage, the slipping ones, or all), most valuable first or by id. */
export function lifecycleListSql(opts: { stage?: Stage; slipping?: boolean; order?: 'id' | 'value' } = {}): string {
  const where = [opts.stage ? `stage = '${opts.stage}'` : '', opts.slipping ? 'slipping' : ''].filter(Boolean);
  if (opts.stage && !STAGES.includes(opts.stage)) throw new Error(`unknown lifecycle stage "${opts.stage}"`);
  return `SELECT customer_id, stage, slipping, recency_days, strftime(first_day, '%Y-%m-%d') AS first_day,
      strftime(last_day, '%Y-%m-%d') AS last_day, purchases, round(revenue, 2) AS revenue
    FROM lifecycle ${where.length ? 'WHERE ' + where.join(' AND ') : ''}
    ORDER BY ${opts.order === 'id' ? 'customer_id' : 'revenue DESC, customer_id'}`;
}

/** Staged customers from table `lifecycle` (run `lifecycle` first). */
export async function lifecycleCustomers(
  db: Db,
  opts: { stage?: Stage; slipping?: boolean; order?: 'id' | 'value'; limit?: number; offset?: number } = {},
): Promise<LifecycleCustomer[]> {
  const page = opts.limit !== undefined ? ` LIMIT ${Math.floor(opts.limit)} OFFSET ${Math.floor(opts.offset ?? 0)}` : '';
  return rows<LifecycleCustomer>(db, lifecycleListSql(opts) + page);
}
