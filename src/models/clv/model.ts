// Predictive CLV on the notebook's data: SQL summary → fits and scores → table `clv_customers` and what the cells show.

import { ident, one, rows, type Db } from '../../db/db.ts';
import { dateLit } from '../asof.ts';
import { asOfDate, ensureTable, type Prepared } from '../prepared.ts';
import type { TimeUnit } from './clv.ts';
import type { ModelFit } from './fitting.ts';
import type { PurchaseModelKind, PurchaseModelParams } from './index.ts';
import {
  BUCKETS,
  compareRuns,
  comparisonOf,
  scoreCustomers,
  type ClvScores,
  type CompareRunner,
  type ComparisonRuns,
  type FitStore,
  type HoldoutError,
  type ModelRun,
  type ScoreOptions,
  type ScoreRunner,
  type SpendBasis,
  type SpendIssue,
} from './pipeline.ts';
import { daysPerUnit, loadClvInput, sent, tableNames, writeClvCustomers } from './sql.ts';
import { ClvInputError } from './summary.ts';

/** CLV settings as the notebook stores them (`analyze --settings` takes the same under `clv`). */
export interface ClvSettings {
  /** Purchase model used for P(alive), expected purchases and CLV (default bgnbd). */
  model?: PurchaseModelKind;
  /** Last day of the calibration period (YYYY-MM-DD); default the last purchase day, D − 1. Later days are the holdout. */
  calibrationEnd?: string | null;
  /** Model time unit (default week: days ÷ 7 as real numbers). */
  timeUnit?: TimeUnit;
  /** CLV horizon in whole months (default 12). */
  horizonMonths?: number;
  /** Monthly discount rate (default 0.01). */
  monthlyDiscount?: number;
  /** Gross margin share applied to CLV (default 1: CLV in revenue). */
  marginRate?: number;
  /**
   * Fit the other purchase models for the comparison: true all three, false only BG/NBD and the chosen one.
   * Default (unset): BG/NBD and MBG/NBD; Pareto/NBD (numeric gradient, slow on some data) when chosen.
   */
  compare?: boolean;
}

/** Settings with every default filled in and the dates resolved. */
export interface ResolvedClvSettings {
  asOf: string;
  model: PurchaseModelKind;
  calibrationEnd: string;
  timeUnit: TimeUnit;
  horizonMonths: number;
  monthlyDiscount: number;
  marginRate: number;
  compare: boolean | null;
}

/** One customer's scores: the contract's fields (MODELS.md §6). */
export interface ClvCustomer {
  customer_id: string;
  x: number;
  t_x: number;
  T: number;
  p_alive: number | null;
  expected_purchases: number | null;
  expected_spend: number | null;
  clv: number | null;
}

/** A purchase model in the comparison. */
export interface ModelComparison {
  model: PurchaseModelKind;
  params: Record<string, number>;
  log_likelihood: number;
  bic: number;
  delta_bic: number;
  converged: boolean;
  iterations: number;
  message: string;
  holdout: HoldoutError | null;
}

/** Advice shown when a fit is doubtful; codes the cell translates. */
export type ClvAdvice =
  | 'not_converged'
  | 'unidentified'
  | 'few_repeaters'
  | 'short_calibration'
  | 'try_other_model'
  | 'use_converged_model'
  | 'spend_fallback'
  | 'spend_correlated'
  | 'short_holdout';

/** Everything the CLV cell shows, and the headless command's `clv` (with `customers` added). */
export interface ClvResult {
  as_of: string;
  calibration_start: string;
  calibration_end: string;
  /** Last day of the holdout (D − 1), or null when the calibration runs to the end of the data. */
  holdout_end: string | null;
  /** Holdout length in model units (0 without a holdout). */
  holdout_length: number;
  time_unit: TimeUnit;
  horizon_months: number;
  monthly_discount: number;
  margin_rate: number;
  model: PurchaseModelKind;
  n_customers: number;
  repeaters: number;
  bgnbd: { r: number; alpha: number; a: number; b: number; log_likelihood: number };
  /** Parameters of the chosen model. */
  params: Record<string, number>;
  gamma_gamma: { p: number; q: number; v: number; log_likelihood: number; customers: number; converged: boolean; message: string } | null;
  spend_basis: SpendBasis;
  spend_problem: string;
  spend_issue: SpendIssue | null;
  spend_frequency_correlation: number | null;
  models: ModelComparison[];
  /** Comparison models whose fit did not finish in time. */
  unfinished: PurchaseModelKind[];
  /**
   * Comparison models still being fitted: the chosen model's result comes out first, and the page fills the
   * comparison in when these are done (`models`, `unfinished`, `status` and the holdout buckets then change).
   * Always empty in the headless output, which waits for the whole comparison.
   */
  pending: PurchaseModelKind[];
  status: { converged: boolean; message: string; advice: ClvAdvice[]; better_model: PurchaseModelKind | null };
  /** E[repeat purchases over the horizon] of a new customer. */
  new_customer_expected: number;
  totals: { clv: number; expected_purchases: number; mean_p_alive: number; p_alive_below_half: number; historical_revenue: number };
  p_alive_bins: { bin: number; one_time: number; repeat: number }[];
  clv_deciles: { decile: number; customers: number; clv: number; mean: number; share: number }[];
  by_channel: ClvGroup[] | null;
  by_region: ClvGroup[] | null;
  holdout: {
    buckets: { bucket: number; customers: number; actual: number; predicted: Partial<Record<PurchaseModelKind, number>> }[];
    /** Cumulative repeat purchases (distinct days) of the calibration customers by week, actual and predicted. */
    tracking: { week: number; start: string; actual: number; predicted: number }[];
  } | null;
  top: ClvCustomer[];
}

/** CLV by a customer attribute. */
export interface ClvGroup {
  group: string | null;
  customers: number;
  clv: number;
  mean: number;
  mean_p_alive: number;
}

const TOP = 20;
const DAY_MS = 86_400_000;

/** Resolves defaults and checks the settings; throws on values a fit cannot use. */
export async function resolveClvSettings(db: Db, settings: ClvSettings & { asOf?: string | null }, prepared?: Prepared): Promise<ResolvedClvSettings> {
  const asOf = await asOfDate(db, settings.asOf, prepared);
  const lastDay = shiftDay(asOf, -1);
  const calibrationEnd = settings.calibrationEnd || lastDay;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(calibrationEnd) || Number.isNaN(Date.parse(calibrationEnd + 'T00:00:00Z'))) {
    throw new Error(`calibration end must be YYYY-MM-DD, got "${calibrationEnd}"`);
  }
  if (calibrationEnd > lastDay) throw new Error(`the calibration end ${calibrationEnd} is after the last day analysed (${lastDay}, the day before the as-of date)`);
  const model = settings.model ?? 'bgnbd';
  if (!['bgnbd', 'mbgnbd', 'paretonbd'].includes(model)) throw new Error(`unknown CLV model "${model}" (bgnbd, mbgnbd, paretonbd)`);
  const timeUnit = settings.timeUnit ?? 'week';
  if (timeUnit !== 'week' && timeUnit !== 'day') throw new Error(`time unit must be week or day, got "${timeUnit}"`);
  const horizonMonths = settings.horizonMonths ?? 12;
  if (!Number.isInteger(horizonMonths) || horizonMonths < 1 || horizonMonths > 120) throw new Error(`the CLV horizon must be 1–120 whole months, got ${horizonMonths}`);
  const monthlyDiscount = settings.monthlyDiscount ?? 0.01;
  if (!(monthlyDiscount >= 0 && monthlyDiscount < 1)) throw new Error(`the monthly discount rate must be in [0, 1), got ${monthlyDiscount}`);
  const marginRate = settings.marginRate ?? 1;
  if (!(marginRate > 0 && marginRate <= 1)) throw new Error(`the margin rate must be in (0, 1], got ${marginRate}`);
  return { asOf, model, calibrationEnd, timeUnit, horizonMonths, monthlyDiscount, marginRate, compare: settings.compare ?? null };
}

/** The day `days` after `iso` (YYYY-MM-DD), in UTC arithmetic so the local time zone never shifts it. */
export function shiftDay(iso: string, days: number): string {
  return new Date(Date.parse(iso + 'T00:00:00Z') + days * DAY_MS).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(to + 'T00:00:00Z') - Date.parse(from + 'T00:00:00Z')) / DAY_MS);
}

/** Options of fitClv and startClv. */
export interface FitClvOptions {
  /** Table of the scores (default `clv_customers`). */
  table?: string;
  onProgress?: (phase: string, fraction: number) => void;
  fits?: FitCache;
  /** Keeps the customer days between calls. */
  prepared?: Prepared;
  /** Runs the chosen model's fit and the scoring (default: in this thread). */
  score?: ScoreRunner;
  /** Runs the rest of the comparison (default: in this thread). */
  compare?: CompareRunner;
  /** Also give every customer's scores in customer_id order (ClvRun.customers), as the table has them. */
  listCustomers?: boolean;
  /**
   * Fit the comparison's pending models in this thread while DuckDB builds the scores table, instead of in
   * complete() (only without a `compare` runner): for a caller that waits for the whole comparison anyway (the
   * headless command). The result still lists them in `pending` until complete().
   */
  compareEarly?: boolean;
}

/** A CLV run whose scores are out: its result, and the way to the result with the whole model comparison. */
export interface ClvRun {
  /** The chosen model's result; `pending` lists the comparison models not fitted yet. */
  result: ClvResult;
  /** Fits the pending models (if any) and gives the result with the whole comparison; no database work. */
  complete(): Promise<ClvResult>;
  /**
   * With FitClvOptions.listCustomers: every row of the scores table in customer_id order, made from the arrays
   * written to it (the same numbers clvCustomers reads back, without reading them back).
   */
  customers: ClvCustomer[] | null;
}

/**
 * Fits and scores predictive CLV (MODELS.md §6) with the whole model comparison: startClv, then its complete().
 * Writes `table` (default `clv_customers`: customer_id, x, t_x, T, p_alive, expected_purchases over the horizon,
 * expected_spend, clv). Expected spend is the Gamma-Gamma conditional mean (the customer's mean purchase-day
 * value when that model cannot be used, said in `spend_basis`); CLV is in revenue × marginRate. Throws
 * ClvInputError when no model can be fitted.
 */
export async function fitClv(db: Db, settings: ClvSettings & { asOf?: string | null }, opts: FitClvOptions = {}): Promise<ClvResult> {
  return (await startClv(db, settings, opts)).complete();
}

/**
 * Fits BG/NBD and the chosen model only, scores every customer, writes `table` and builds the result; the other
 * models of the comparison are fitted by the run's complete(), after the result is out, so that they never hold
 * it back (the page shows the result and fills the comparison in later; the headless command waits for both).
 */
export async function startClv(db: Db, settings: ClvSettings & { asOf?: string | null }, opts: FitClvOptions = {}): Promise<ClvRun> {
  const prepared = opts.prepared ?? new Map();
  const s = await resolveClvSettings(db, settings, prepared);
  const table = opts.table ?? 'clv_customers';
  const summary = `${table}__input`;
  const progress = opts.onProgress ?? (() => {});
  progress('summary', 0);
  const { ids, ...input } = await loadClvInput(db, summary, s.asOf, s.calibrationEnd, s.timeUnit, prepared, opts.listCustomers);
  if (input.x.length === 0) throw new ClvInputError(`no customer made a first purchase on or before the calibration end ${s.calibrationEnd}`);
  const unit = daysPerUnit(s.timeUnit);
  const holdoutEnd = s.calibrationEnd < shiftDay(s.asOf, -1) ? shiftDay(s.asOf, -1) : null;
  const holdoutLength = holdoutEnd ? daysBetween(s.calibrationEnd, holdoutEnd) / unit : 0;
  const scoreOptions: ScoreOptions = {
    model: s.model,
    timeUnit: s.timeUnit,
    horizonMonths: s.horizonMonths,
    monthlyDiscount: s.monthlyDiscount,
    marginRate: s.marginRate,
    holdoutLength,
    compare: s.compare ?? undefined,
    deferComparison: true,
    // Without a cache the comparison still reuses the fits made here.
    fits: opts.fits?.on(s.asOf, s.calibrationEnd, s.timeUnit) ?? new Map(),
    timedOut: opts.fits?.timedOutOn(s.asOf, s.calibrationEnd, s.timeUnit) ?? new Set(),
  };
  // The queries that do not need the scores run while the chosen model is fitted: a fit in a worker of its own
  // leaves this thread free for them; a fit in this thread starts once they are sent, and native DuckDB runs them in
  // threads of its own meanwhile (the larger one first). Failures are taken up below, when each is awaited.
  const tables = await tableNames(db);
  const independent = (async () => {
    await ensureFirstChannels(db, tables, prepared);
    return (await one<{ d: string }>(db, `SELECT strftime(min(first_day), '%Y-%m-%d') AS d FROM ${ident(summary)}`)).d;
  })();
  independent.catch(() => undefined);
  const fitOptions = { ...scoreOptions, onProgress: (phase: string, f: number) => progress(phase, f) };
  const scoring = opts.score ? opts.score(input, fitOptions) : sent(independent).then(() => scoreHere(input, fitOptions));
  scoring.catch(() => undefined);
  const calibrationStart = await independent;
  const scores = await scoring;
  progress('write', 0);
  // With compareEarly and the comparison in this thread, its fits run while DuckDB builds the scores table.
  let early: ComparisonRuns | null = null;
  let earlyError: unknown = null;
  const fitEarly = opts.compareEarly && !opts.compare && scores.pending.length > 0;
  await writeClvCustomers(
    db,
    summary,
    table,
    { p_alive: scores.pAlive, expected_purchases: scores.expectedPurchases, expected_spend: scores.expectedSpend, clv: scores.clv },
    fitEarly
      ? () => {
          try {
            early = compareRuns(input, scoreOptions, scores.runs);
          } catch (e) {
            earlyError = e;
          }
        }
      : undefined,
  );

  const chosen = scores.chosen.fit;
  const bg = scores.runs.find((r) => r.kind === 'bgnbd')!.fit as ModelFit<PurchaseModelParams['bgnbd']>;
  const models = modelsOf(scores.runs);
  const calibrationDays = daysBetween(calibrationStart, s.calibrationEnd);
  const status = statusOf(scores, models, s, calibrationDays, holdoutLength * unit);
  const gg = scores.gammaGamma;
  progress('charts', 0);
  const result: ClvResult = {
    as_of: s.asOf,
    calibration_start: calibrationStart,
    calibration_end: s.calibrationEnd,
    holdout_end: holdoutEnd,
    holdout_length: holdoutLength,
    time_unit: s.timeUnit,
    horizon_months: s.horizonMonths,
    monthly_discount: s.monthlyDiscount,
    margin_rate: s.marginRate,
    model: s.model,
    n_customers: scores.customers,
    repeaters: scores.repeaters,
    bgnbd: { ...bg.params, log_likelihood: bg.logLikelihood },
    params: { ...(chosen.params as unknown as Record<string, number>) },
    gamma_gamma: gg
      ? { ...gg.params, log_likelihood: gg.logLikelihood, customers: gg.customers, converged: gg.converged, message: gg.message }
      : null,
    spend_basis: scores.spendBasis,
    spend_problem: scores.spendProblem,
    spend_issue: scores.spendIssue,
    spend_frequency_correlation: Number.isFinite(scores.spendFrequencyCorrelation) ? scores.spendFrequencyCorrelation : null,
    models,
    unfinished: scores.unfinished,
    pending: scores.pending,
    status,
    new_customer_expected: scores.newCustomerExpected,
    totals: await one(
      db,
      `SELECT coalesce(sum(clv), 0)::DOUBLE AS clv, coalesce(sum(expected_purchases), 0)::DOUBLE AS expected_purchases,
        coalesce(avg(p_alive), 0)::DOUBLE AS mean_p_alive, count(*) FILTER (WHERE p_alive < 0.5)::DOUBLE AS p_alive_below_half,
        (SELECT coalesce(sum(net), 0) FROM customer_days WHERE order_day <= ${dateLit(s.calibrationEnd)})::DOUBLE AS historical_revenue
      FROM ${ident(table)}`,
    ),
    p_alive_bins: await pAliveBins(db, table),
    clv_deciles: await rows(
      db,
      `WITH r AS (SELECT clv, ntile(10) OVER (ORDER BY clv DESC, customer_id) AS decile FROM ${ident(table)} WHERE clv IS NOT NULL)
      SELECT decile::INTEGER AS decile, count(*)::DOUBLE AS customers, sum(clv)::DOUBLE AS clv, avg(clv)::DOUBLE AS mean,
        coalesce(sum(clv) / nullif(sum(sum(clv)) OVER (), 0), 0)::DOUBLE AS share
      FROM r GROUP BY decile ORDER BY decile`,
    ),
    by_channel: await groupBy(db, table, 'channel', tables, prepared),
    by_region: await groupBy(db, table, 'region', tables, prepared),
    holdout: holdoutEnd ? { buckets: bucketsOf(scores), tracking: await tracking(db, summary, scores.model.expectedPurchases, s, calibrationStart, holdoutEnd) } : null,
    top: await clvCustomers(db, { table, order: 'clv', limit: TOP }),
  };
  // The summary's idx follows customer_id, as the scores table's order does.
  const customers = ids ? customerList(ids, input, scores) : null;
  await db.query(`DROP TABLE IF EXISTS ${ident(summary)}`);
  progress('charts', 1);
  // What the comparison needs besides the input: not the per-customer score arrays.
  const kept: Omit<StatusInput, 'runs'> = {
    chosen: scores.chosen,
    customers: scores.customers,
    repeaters: scores.repeaters,
    spendBasis: scores.spendBasis,
    spendFrequencyCorrelation: scores.spendFrequencyCorrelation,
    bucketCustomers: scores.bucketCustomers,
    bucketActual: scores.bucketActual,
  };
  let completed: Promise<ClvResult> | null = null;
  const complete = () =>
    (completed ??= (async () => {
      if (result.pending.length === 0) return result;
      if (earlyError) throw earlyError;
      const compared = early ?? (await (opts.compare ?? compareHere)(input, scoreOptions, scores.runs));
      const runs = compared.runs;
      const all = modelsOf(runs);
      const withRuns = { ...kept, runs };
      return {
        ...result,
        models: all,
        unfinished: [...result.unfinished, ...compared.unfinished],
        pending: [],
        status: statusOf(withRuns, all, s, calibrationDays, holdoutLength * unit),
        holdout: result.holdout ? { ...result.holdout, buckets: bucketsOf(withRuns) } : null,
      };
    })());
  return { result, complete, customers };
}

/** The rows of the scores table (writeClvCustomers: values that are not finite become null) from the arrays written to it. */
function customerList(id: string[], input: { x: Float64Array; tx: Float64Array; T: Float64Array }, scores: ClvScores): ClvCustomer[] {
  const finite = (v: number) => (Number.isFinite(v) ? v : null);
  return Array.from(id, (customer_id, i) => ({
    customer_id,
    x: input.x[i],
    t_x: input.tx[i],
    T: input.T[i],
    p_alive: finite(scores.pAlive[i]),
    expected_purchases: finite(scores.expectedPurchases[i]),
    expected_spend: finite(scores.expectedSpend[i]),
    clv: finite(scores.clv[i]),
  }));
}

/** Scores in this thread. */
const scoreHere: ScoreRunner = async (input, options) => scoreCustomers(input, options);

/** The rest of the comparison in this thread. */
const compareHere: CompareRunner = async (input, options, done) => compareRuns(input, options, done);

/** What the status and the holdout buckets are computed from. */
type StatusInput = Pick<ClvScores, 'chosen' | 'customers' | 'repeaters' | 'spendBasis' | 'spendFrequencyCorrelation' | 'bucketCustomers' | 'bucketActual' | 'runs'>;

/** The comparison table of fitted runs (BIC order). */
function modelsOf(runs: ModelRun[]): ModelComparison[] {
  return comparisonOf(runs).map((row) => ({
    model: row.model,
    params: { ...(row.run.fit.params as unknown as Record<string, number>) },
    log_likelihood: row.logLikelihood,
    bic: row.bic,
    delta_bic: row.deltaBic,
    converged: row.converged,
    iterations: row.run.fit.iterations,
    message: row.run.fit.message,
    holdout: row.run.holdout,
  }));
}

/**
 * Fits kept between runs on the same data (the caller clears it when the data change): keyed by as-of date,
 * calibration end and time unit, which fix the customer summary a fit is made on.
 */
export class FitCache {
  #stores = new Map<string, FitStore>();
  #timedOut = new Map<string, Set<PurchaseModelKind>>();

  /** The fits made on the summary of (asOf, calibrationEnd, timeUnit). */
  on(asOf: string, calibrationEnd: string, timeUnit: TimeUnit): FitStore {
    const key = `${asOf}|${calibrationEnd}|${timeUnit}`;
    let store = this.#stores.get(key);
    if (!store) this.#stores.set(key, (store = new Map()));
    return store;
  }

  /**
   * The purchase models whose fit ran out of time on that summary: asking again (the churn list after the CLV
   * cell, or the same settings once more) says so at once instead of spending the time limit again.
   */
  timedOutOn(asOf: string, calibrationEnd: string, timeUnit: TimeUnit): Set<PurchaseModelKind> {
    const key = `${asOf}|${calibrationEnd}|${timeUnit}`;
    let set = this.#timedOut.get(key);
    if (!set) this.#timedOut.set(key, (set = new Set()));
    return set;
  }

  clear(): void {
    this.#stores.clear();
    this.#timedOut.clear();
  }
}

/** fitClv plus every customer's scores ordered by customer_id: the headless command's `clv` document. */
export async function clv(db: Db, settings: ClvSettings & { asOf?: string | null } = {}, prepared?: Prepared): Promise<ClvResult & { customers: ClvCustomer[] }> {
  const run = await startClv(db, settings, { prepared, listCustomers: true });
  return { ...(await run.complete()), customers: run.customers! };
}

/** Scored customers from `clv_customers` (or `table`): by customer_id, or highest CLV first. */
export async function clvCustomers(
  db: Db,
  opts: { table?: string; order?: 'id' | 'clv'; limit?: number; offset?: number } = {},
): Promise<ClvCustomer[]> {
  const page = opts.limit !== undefined ? `LIMIT ${Math.floor(opts.limit)} OFFSET ${Math.floor(opts.offset ?? 0)}` : '';
  return rows<ClvCustomer>(
    db,
    `SELECT customer_id, x, t_x, "T", p_alive, expected_purchases, expected_spend, clv FROM ${ident(opts.table ?? 'clv_customers')}
     ORDER BY ${opts.order === 'clv' ? 'clv DESC NULLS LAST, customer_id' : 'customer_id'} ${page}`,
  );
}

function statusOf(
  scores: StatusInput,
  models: ModelComparison[],
  s: ResolvedClvSettings,
  calibrationDays: number,
  holdoutDays: number,
): ClvResult['status'] {
  const fit = scores.chosen.fit;
  const advice: ClvAdvice[] = [];
  if (!fit.converged) {
    advice.push(fit.message.includes('ran off') ? 'unidentified' : 'not_converged');
    if (scores.repeaters < 30 || scores.repeaters < 0.02 * scores.customers) advice.push('few_repeaters');
    if (calibrationDays < 90) advice.push('short_calibration');
  }
  const alternatives = models.filter((m) => m.converged && m.model !== s.model);
  // A difference in BIC above 10 is "very strong" evidence (Kass & Raftery 1995).
  const chosenBic = models.find((m) => m.model === s.model)!.bic;
  const better = alternatives.find((m) => !fit.converged || m.bic < chosenBic - 10) ?? null;
  if (better) advice.push(fit.converged ? 'try_other_model' : 'use_converged_model');
  if (scores.spendBasis === 'historical') advice.push('spend_fallback');
  if (Math.abs(scores.spendFrequencyCorrelation) > 0.3) advice.push('spend_correlated');
  if (holdoutDays > 0 && holdoutDays < 28) advice.push('short_holdout');
  return { converged: fit.converged, message: fit.message, advice, better_model: better?.model ?? null };
}

async function pAliveBins(db: Db, table: string): Promise<ClvResult['p_alive_bins']> {
  const got = await rows<{ bin: number; one_time: number; repeat: number }>(
    db,
    `SELECT least(floor(p_alive * 10), 9)::INTEGER AS bin, count(*) FILTER (WHERE x = 0)::DOUBLE AS one_time,
      count(*) FILTER (WHERE x > 0)::DOUBLE AS repeat
    FROM ${ident(table)} WHERE p_alive IS NOT NULL GROUP BY 1 ORDER BY 1`,
  );
  return Array.from({ length: 10 }, (_, bin) => got.find((g) => g.bin === bin) ?? { bin, one_time: 0, repeat: 0 });
}

/**
 * Table `clv_first_channel` (customer_id, g: the channel of the customer's first order) when there are order
 * lines. It reads every line, so it is kept for the data version: it does not depend on any setting.
 */
async function ensureFirstChannels(db: Db, tables: Set<string>, prepared: Prepared): Promise<void> {
  if (!tables.has('orders')) return;
  await ensureTable(db, prepared, 'clv_first_channel', 'data', () =>
    `SELECT customer_id, arg_min(channel, order_ts) AS g FROM orders WHERE customer_id IS NOT NULL AND channel IS NOT NULL GROUP BY customer_id`,
  );
}

/**
 * CLV by region or acquisition channel: the customers file's value, and for the channel, when the file has
 * none, the channel of the customer's first order. Null when no customer has a value.
 */
async function groupBy(db: Db, table: string, column: 'channel' | 'region', tables: Set<string>, prepared: Prepared): Promise<ClvGroup[] | null> {
  const sources: string[] = [];
  if (tables.has('customers')) sources.push(`SELECT customer_id, min(${column}) AS g, 1 AS rank FROM customers WHERE ${column} IS NOT NULL GROUP BY customer_id`);
  if (column === 'channel' && tables.has('orders')) {
    await ensureFirstChannels(db, tables, prepared);
    sources.push(`SELECT customer_id, g, 2 AS rank FROM clv_first_channel`);
  }
  if (sources.length === 0) return null;
  const groups = await rows<ClvGroup>(
    db,
    `WITH attr AS (SELECT customer_id, arg_min(g, rank) AS g FROM (${sources.join(' UNION ALL ')}) GROUP BY customer_id)
    SELECT a.g AS "group", count(*)::DOUBLE AS customers, coalesce(sum(c.clv), 0)::DOUBLE AS clv, coalesce(avg(c.clv), 0)::DOUBLE AS mean,
      coalesce(avg(c.p_alive), 0)::DOUBLE AS mean_p_alive
    FROM ${ident(table)} c LEFT JOIN attr a USING (customer_id) GROUP BY a.g ORDER BY a.g IS NULL, clv DESC, a.g`,
  );
  return groups.some((g) => g.group !== null) ? groups : null;
}

function bucketsOf(scores: StatusInput): NonNullable<ClvResult['holdout']>['buckets'] {
  return Array.from({ length: BUCKETS }, (_, b) => ({
    bucket: b,
    customers: scores.bucketCustomers![b],
    actual: scores.bucketActual![b],
    predicted: Object.fromEntries(scores.runs.map((r) => [r.kind, r.bucketPredicted![b]])),
  })).filter((b) => b.customers > 0);
}

/**
 * Cumulative repeat purchase days of the calibration customers, week by week from the first purchase day to
 * the end of the holdout, against the model's expectation Σ_customers E[X(days since first purchase)].
 */
async function tracking(
  db: Db,
  summary: string,
  expected: (t: number) => number,
  s: ResolvedClvSettings,
  start: string,
  end: string,
): Promise<NonNullable<ClvResult['holdout']>['tracking']> {
  const S = dateLit(start);
  const span = daysBetween(start, end);
  const cohorts = await rows<{ day: number; n: number }>(db, `SELECT (first_day - ${S})::INTEGER AS day, count(*)::DOUBLE AS n FROM ${ident(summary)} GROUP BY 1 ORDER BY 1`);
  const weekly = await rows<{ week: number; n: number }>(
    db,
    `SELECT ((d.order_day - ${S}) // 7)::INTEGER AS week, count(*)::DOUBLE AS n
    FROM customer_days d JOIN ${ident(summary)} i USING (cid) WHERE d.order_day <= ${dateLit(end)} AND d.order_day > i.first_day GROUP BY 1 ORDER BY 1`,
  );
  const unit = daysPerUnit(s.timeUnit);
  // E[X(t)] depends on whole days since the first purchase only: one table for every day of the span.
  const byDay = Float64Array.from({ length: span + 1 }, (_, d) => (d === 0 ? 0 : expected(d / unit)));
  const weeks = Math.floor(span / 7) + 1;
  const actualByWeek = new Float64Array(weeks);
  for (const w of weekly) actualByWeek[w.week] = w.n;
  const out: NonNullable<ClvResult['holdout']>['tracking'] = [];
  let actual = 0;
  for (let k = 0; k < weeks; k++) {
    const lastDay = Math.min(7 * k + 6, span);
    let predicted = 0;
    for (const c of cohorts) if (c.day <= lastDay) predicted += c.n * byDay[lastDay - c.day];
    actual += actualByWeek[k];
    out.push({ week: k, start: shiftDay(start, 7 * k), actual, predicted });
  }
  return out;
}
