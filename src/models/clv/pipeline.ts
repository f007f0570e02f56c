// Fit and score in one pass, without a database: what the notebook, the headless command and the benchmark share.

import { lifetimeValues, unitsPerMonth, type ClvOptions, type TimeUnit } from './clv.ts';
import { FitTimeoutError, type ModelFit } from './fitting.ts';
import { fitGammaGamma, gammaGammaConditionalExpectedSpend, type GammaGammaFit } from './gammagamma.ts';
import { compareModels, fitPurchaseModel, purchaseModel, type PurchaseModel, type PurchaseModelKind, type PurchaseModelParams } from './index.ts';
import { ClvInputError, collapseSummary, validateSummary, type CollapsedSummary, type SummaryStats } from './summary.ts';

/** Per-customer inputs, one array element per customer, times in the model's unit. */
export interface ClvInput {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  /** Mean value of the customer's repeat purchase days in the calibration period (0 when x = 0). */
  monetary: Float64Array;
  /** Mean value of all the customer's calibration purchase days, first included: the spend used when the spend model fails. */
  dayValue: Float64Array;
  /** Purchase days in the holdout period (present only when there is a holdout). */
  holdoutX?: Float64Array;
}

/** What to fit and how to value it. */
export interface ScoreOptions {
  model: PurchaseModelKind;
  timeUnit: TimeUnit;
  horizonMonths: number;
  monthlyDiscount: number;
  /** Gross margin share applied to CLV (1: CLV in revenue). */
  marginRate: number;
  /** Length of the holdout in model units; 0 when there is none. */
  holdoutLength: number;
  /**
   * Which other purchase models to fit for the comparison: true all, false none; unset: MBG/NBD (fast, with an
   * analytic gradient) but not Pareto/NBD (numeric gradient; slow on some data), which is fitted when chosen
   * or asked for. BG/NBD, the reference model, is always fitted.
   */
  compare?: boolean;
  /**
   * Fits already made on exactly this input (same customers, calibration end and time unit), reused as they
   * are; fits made here are added. Changing the horizon, discount or margin then costs only the scoring.
   */
  fits?: FitStore;
  /** Purchase models whose fit on this input already ran out of time: not tried again (those timing out here are added). */
  timedOut?: Set<PurchaseModelKind>;
  /** Time limit of each purchase model fit (default FIT_TIME_LIMIT_MS). */
  fitTimeLimitMs?: number;
  /**
   * Fit only BG/NBD (the reference, always reported) and the chosen model here, and list the other models of
   * the comparison in `pending`, for compareRuns to fit once the chosen model's scores are out (default false:
   * every model of the comparison is fitted here).
   */
  deferComparison?: boolean;
  onProgress?: (phase: string, fraction: number) => void;
}

/** Fits of the purchase models and of the spend model ('spend') on one input. */
export type FitStore = Map<PurchaseModelKind | 'spend', ModelFit<object>>;

/** Holdout check of one purchase model: predicted against actual purchases in the holdout. */
export interface HoldoutError {
  predicted: number;
  actual: number;
  /** Mean absolute error per customer. */
  mae: number;
  /** Root mean squared error per customer. */
  rmse: number;
}

/** One fitted purchase model with its holdout error and mean predicted holdout purchases per frequency bucket. */
export interface ModelRun {
  kind: PurchaseModelKind;
  fit: ModelFit<PurchaseModelParams[PurchaseModelKind]>;
  holdout: HoldoutError | null;
  bucketPredicted: number[] | null;
}

/** Why the Gamma-Gamma model could not be used: no fit, a fit that did not converge, or q ≤ 1 (mean spend undefined). */
export type SpendIssue = 'no_repeat_spend' | 'not_converged' | 'heavy_tail';

/** Where expected spend per purchase comes from: the Gamma-Gamma model, or the customer's own history when it cannot be used. */
export type SpendBasis = 'gamma_gamma' | 'historical';

/** Everything computed for a set of customers. */
export interface ClvScores {
  customers: number;
  repeaters: number;
  runs: ModelRun[];
  /** Comparison models whose fit hit the time limit (left out of `runs`). */
  unfinished: PurchaseModelKind[];
  /** Comparison models not fitted yet (with `deferComparison`): compareRuns fits them. */
  pending: PurchaseModelKind[];
  chosen: ModelRun;
  model: PurchaseModel;
  gammaGamma: GammaGammaFit | null;
  /** Why the spend model was not used (empty when it was), and the same as a code. */
  spendProblem: string;
  spendIssue: SpendIssue | null;
  spendBasis: SpendBasis;
  /** Pearson correlation of x and mean repeat spend among repeat buyers (Gamma-Gamma assumes none). */
  spendFrequencyCorrelation: number;
  /** E[purchases over the horizon] of a brand-new customer under the chosen model. */
  newCustomerExpected: number;
  pAlive: Float64Array;
  expectedPurchases: Float64Array;
  expectedSpend: Float64Array;
  clv: Float64Array;
  /** Holdout frequency buckets (x = 0 … 7+): customers and mean actual holdout purchases. */
  bucketCustomers: number[] | null;
  bucketActual: number[] | null;
}

/**
 * Runs `scoreCustomers` on an input, in this thread or elsewhere: the browser's engine hands the fits to a
 * worker of their own, so that a long fit leaves its worker free for the other cells.
 */
export type ScoreRunner = (input: ClvInput, options: ScoreOptions) => Promise<ClvScores>;

/** The comparison's fits after the chosen model's scores: every run (those given and the new ones) and the models that ran out of time. */
export interface ComparisonRuns {
  runs: ModelRun[];
  unfinished: PurchaseModelKind[];
}

/** Runs `compareRuns`, in this thread or elsewhere (the browser gives the comparison a fit worker of its own). */
export type CompareRunner = (input: ClvInput, options: ScoreOptions, done: ModelRun[]) => Promise<ComparisonRuns>;

/** Scores without the chosen model's prediction functions: what can be posted between workers. */
export type DetachedScores = Omit<ClvScores, 'model'>;

/** Scores with the chosen model's prediction functions bound again to its fitted parameters. */
export function attachScores(scores: DetachedScores): ClvScores {
  return { ...scores, model: purchaseModel(scores.chosen.kind, scores.chosen.fit.params) };
}

/** Frequency buckets of the holdout check: x = 0, 1, …, 6 and 7 or more. */
export const BUCKETS = 8;

const ORDER: PurchaseModelKind[] = ['bgnbd', 'mbgnbd', 'paretonbd'];

// The spend fit's gradient tolerance (relative to its mean log-likelihood per repeat buyer): looser than the
// purchase models' 1e-9, which moves the estimates by far less than their standard errors (CDNOW: < 1e-6 relative).
const SPEND_GRADIENT_TOLERANCE = 1e-7;
// Pareto/NBD's likelihood needs a 2F1 series that slows to ~10^5 terms per customer where a fit pushes dropout
// towards zero (small or young customer bases): such a fit can run for minutes, so it stops after this and says so.
export const FIT_TIME_LIMIT_MS = 60_000;
const NAMES: Record<PurchaseModelKind, string> = { bgnbd: 'BG/NBD', mbgnbd: 'MBG/NBD', paretonbd: 'Pareto/NBD' };

/**
 * Fits the chosen purchase model (and, for the comparison, the others; with `deferComparison` only BG/NBD
 * besides it, compareRuns fitting the rest afterwards), the Gamma-Gamma spend model, and scores every customer: P(alive), expected purchases over the horizon, expected spend, CLV × margin.
 * Predictions are computed once per distinct (x, t_x, T) and spread back, so a million customers cost
 * what their distinct histories cost. Throws ClvInputError when the chosen model cannot be fitted at all.
 */
export function scoreCustomers(input: ClvInput, options: ScoreOptions): ClvScores {
  const progress = options.onProgress ?? (() => {});
  const { stats, rowOf, unique } = collapsedInput(input);
  const n = input.x.length;
  const wanted = comparedModels(options);
  const first = options.deferComparison ? wanted.filter((k) => k === 'bgnbd' || k === options.model) : wanted;
  const pending = wanted.filter((k) => !first.includes(k));
  const hasHoldout = options.holdoutLength > 0 && input.holdoutX !== undefined;
  const bucketOf = (x: number) => Math.min(x, BUCKETS - 1);

  const { runs, unfinished } = fitRuns(first, input, unique, rowOf, options, (k) => progress('fit', k / (first.length + 1)));
  const chosen = runs.find((r) => r.kind === options.model)!;
  const model = purchaseModel(options.model, chosen.fit.params);

  progress('spend', first.length / (first.length + 1));
  let gammaGamma: GammaGammaFit | null = null;
  let spendProblem = '';
  let spendIssue: SpendIssue | null = null;
  try {
    gammaGamma =
      (options.fits?.get('spend') as GammaGammaFit | undefined) ??
      fitGammaGamma({ x: input.x, monetary: input.monetary }, { gradientTolerance: SPEND_GRADIENT_TOLERANCE });
    options.fits?.set('spend', gammaGamma);
    if (!gammaGamma.converged) {
      spendIssue = 'not_converged';
      spendProblem = `the spend model did not converge (${gammaGamma.message})`;
    } else if (!(gammaGamma.params.q > 1)) {
      spendIssue = 'heavy_tail';
      spendProblem = `the spend model has q = ${gammaGamma.params.q.toPrecision(3)} ≤ 1: mean spend is not defined (a few very large orders dominate)`;
    }
  } catch (e) {
    if (!(e instanceof ClvInputError)) throw e;
    spendIssue = 'no_repeat_spend';
    spendProblem = e.message;
  }
  const spendBasis: SpendBasis = spendProblem ? 'historical' : 'gamma_gamma';

  progress('score', (first.length + 0.5) / (first.length + 1));
  const clvOptions: ClvOptions = { timeUnit: options.timeUnit, horizonMonths: options.horizonMonths, monthlyDiscountRate: options.monthlyDiscount };
  const horizon = options.horizonMonths * unitsPerMonth(options.timeUnit);
  const scored = scoreHistories(model, unique, [horizon], clvOptions);
  const [rowAlive, rowExpected, discounted] = [scored.alive, scored.expected[0], scored.discounted];
  const pAlive = new Float64Array(n);
  const expectedPurchases = new Float64Array(n);
  const expectedSpend = new Float64Array(n);
  const clv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const u = rowOf[i];
    pAlive[i] = rowAlive[u];
    expectedPurchases[i] = rowExpected[u];
    expectedSpend[i] = gammaGamma && spendBasis === 'gamma_gamma' ? gammaGammaConditionalExpectedSpend(gammaGamma.params, input.x[i], input.monetary[i]) : input.dayValue[i];
    clv[i] = discounted[u] * expectedSpend[i] * options.marginRate;
  }

  let bucketCustomers: number[] | null = null;
  let bucketActual: number[] | null = null;
  if (hasHoldout) {
    bucketCustomers = new Array<number>(BUCKETS).fill(0);
    const sums = new Array<number>(BUCKETS).fill(0);
    for (let i = 0; i < n; i++) {
      const b = bucketOf(input.x[i]);
      bucketCustomers[b]++;
      sums[b] += input.holdoutX![i];
    }
    bucketActual = sums.map((s, b) => (bucketCustomers![b] ? s / bucketCustomers![b] : NaN));
  }
  progress('score', 1);
  return {
    customers: stats.customers,
    repeaters: stats.repeaters,
    runs,
    unfinished,
    pending,
    chosen,
    model,
    gammaGamma,
    spendProblem,
    spendIssue,
    spendBasis,
    spendFrequencyCorrelation: correlation(input.x, input.monetary),
    newCustomerExpected: model.expectedPurchases(horizon),
    pAlive,
    expectedPurchases,
    expectedSpend,
    clv,
    bucketCustomers,
    bucketActual,
  };
}

/** An input's checks and distinct histories, kept while the input lives: compareRuns after scoreCustomers on the same input reuses them. */
const collapsedInputs = new WeakMap<ClvInput, { stats: SummaryStats; rowOf: Int32Array; unique: CollapsedSummary }>();

// Inputs are read, never written, once made: the same object has the same histories.
function collapsedInput(input: ClvInput): { stats: SummaryStats; rowOf: Int32Array; unique: CollapsedSummary } {
  let got = collapsedInputs.get(input);
  if (!got) {
    const stats = validateSummary(input);
    const rowOf = new Int32Array(input.x.length);
    got = { stats, rowOf, unique: collapseSummary(input, rowOf) };
    collapsedInputs.set(input, got);
  }
  return got;
}

/** The purchase models a run compares, in table order: BG/NBD, the chosen one, and those `compare` asks for. */
export function comparedModels(options: Pick<ScoreOptions, 'model' | 'compare'>): PurchaseModelKind[] {
  const wanted = new Set<PurchaseModelKind>(['bgnbd', options.model]);
  if (options.compare !== false) wanted.add('mbgnbd');
  if (options.compare === true) wanted.add('paretonbd');
  return ORDER.filter((k) => wanted.has(k));
}

/**
 * Fits the models of the comparison that `done` lacks (reusing `options.fits`), each with its holdout check:
 * what runs after the chosen model's scores are out. Returns every run in table order. A model that runs out
 * of time is listed in `unfinished` (the chosen one and BG/NBD are in `done` already).
 */
export function compareRuns(input: ClvInput, options: ScoreOptions, done: ModelRun[]): ComparisonRuns {
  const { rowOf, unique } = collapsedInput(input);
  const missing = comparedModels(options).filter((k) => !done.some((r) => r.kind === k));
  const fitted = fitRuns(missing, input, unique, rowOf, options, (k) => options.onProgress?.('compare', k / Math.max(missing.length, 1)));
  const all = [...done, ...fitted.runs];
  return { runs: ORDER.flatMap((k) => all.filter((r) => r.kind === k)), unfinished: fitted.unfinished };
}

// Fits `kinds` (or takes them from options.fits) with their holdout checks. A comparison model that runs out of time
// goes to `unfinished`; BG/NBD or the chosen model running out of time is an error.
function fitRuns(
  kinds: PurchaseModelKind[],
  input: ClvInput,
  unique: CollapsedSummary,
  rowOf: Int32Array,
  options: ScoreOptions,
  onFit: (index: number) => void,
): ComparisonRuns {
  const n = input.x.length;
  const limit = options.fitTimeLimitMs ?? FIT_TIME_LIMIT_MS;
  const hasHoldout = options.holdoutLength > 0 && input.holdoutX !== undefined;
  const bucketOf = (x: number) => Math.min(x, BUCKETS - 1);
  const runs: ModelRun[] = [];
  const unfinished: PurchaseModelKind[] = [];
  kinds.forEach((kind, k) => {
    onFit(k);
    let fit: ModelFit<PurchaseModelParams[PurchaseModelKind]>;
    try {
      if (options.timedOut?.has(kind)) throw new FitTimeoutError(`the ${NAMES[kind]} fit ran out of time on this input before`);
      fit =
        (options.fits?.get(kind) as ModelFit<PurchaseModelParams[PurchaseModelKind]> | undefined) ??
        fitPurchaseModel(kind, unique, { timeLimitMs: limit });
      options.fits?.set(kind, fit);
    } catch (e) {
      if (e instanceof FitTimeoutError) options.timedOut?.add(kind);
      if (e instanceof FitTimeoutError && kind !== options.model && kind !== 'bgnbd') {
        unfinished.push(kind);
        return;
      }
      if (e instanceof FitTimeoutError) {
        throw new ClvInputError(`the ${NAMES[kind]} fit did not finish within ${limit / 1000} s on these data: use BG/NBD or MBG/NBD`);
      }
      throw e;
    }
    let holdout: HoldoutError | null = null;
    let bucketPredicted: number[] | null = null;
    if (hasHoldout) {
      const perRow = scoreHistories(purchaseModel(kind, fit.params), unique, [options.holdoutLength]).expected[0];
      const actual = input.holdoutX!;
      let predicted = 0;
      let observed = 0;
      let absolute = 0;
      let squared = 0;
      const sums = new Array<number>(BUCKETS).fill(0);
      const counts = new Array<number>(BUCKETS).fill(0);
      for (let i = 0; i < n; i++) {
        const p = perRow[rowOf[i]];
        const d = p - actual[i];
        predicted += p;
        observed += actual[i];
        absolute += Math.abs(d);
        squared += d * d;
        const b = bucketOf(input.x[i]);
        sums[b] += p;
        counts[b]++;
      }
      holdout = { predicted, actual: observed, mae: absolute / n, rmse: Math.sqrt(squared / n) };
      bucketPredicted = sums.map((s, b) => (counts[b] ? s / counts[b] : NaN));
    }
    runs.push({ kind, fit, holdout, bucketPredicted });
  });
  return { runs, unfinished };
}

/** Per distinct history: P(alive), E[purchases in the next t units] for each requested t, and discounted purchases. */
export interface HistoryScores {
  alive: Float64Array;
  expected: Float64Array[];
  /** Discounted expected purchases over the CLV horizon per unit of spend (empty without CLV options). */
  discounted: Float64Array;
}

/**
 * Scores each distinct history of a collapsed summary. In all three models E[purchases in (T, T+t] | x, t_x, T]
 * = P(alive | x, t_x, T) × E[purchases in (T, T+t] | alive, x, T], and the second factor does not depend on
 * t_x: it is computed once per distinct (x, T) (at t_x = T, where P(alive) is largest) and scaled by each
 * history's P(alive). A million customers have a few thousand distinct (x, T).
 */
export function scoreHistories(model: PurchaseModel, unique: CollapsedSummary, horizons: number[], clvOptions?: ClvOptions): HistoryScores {
  const rows = unique.x.length;
  const pairOf = new Map<string, number>();
  const pairX: number[] = [];
  const pairT: number[] = [];
  const rowPair = new Int32Array(rows);
  for (let u = 0; u < rows; u++) {
    const key = `${unique.x[u]} ${unique.T[u]}`;
    let k = pairOf.get(key);
    if (k === undefined) {
      k = pairX.length;
      pairOf.set(key, k);
      pairX.push(unique.x[u]);
      pairT.push(unique.T[u]);
    }
    rowPair[u] = k;
  }
  const pairs = { x: Float64Array.from(pairX), tx: Float64Array.from(pairX, (x, k) => (x > 0 ? pairT[k] : 0)), T: Float64Array.from(pairT) };
  const pairAlive = Float64Array.from(pairX, (_, k) => model.probabilityAlive(pairs.x[k], pairs.tx[k], pairs.T[k]));
  const pairExpected = horizons.map((t) => Float64Array.from(pairX, (_, k) => model.conditionalExpectedPurchases(t, pairs.x[k], pairs.tx[k], pairs.T[k])));
  const pairDiscounted = clvOptions ? lifetimeValues(model.conditionalExpectedPurchases, pairs, new Float64Array(pairX.length).fill(1), clvOptions) : null;

  const alive = new Float64Array(rows);
  const expected = horizons.map(() => new Float64Array(rows));
  const discounted = new Float64Array(pairDiscounted ? rows : 0);
  for (let u = 0; u < rows; u++) {
    const k = rowPair[u];
    const [x, tx, T] = [unique.x[u], unique.tx[u], unique.T[u]];
    alive[u] = model.probabilityAlive(x, tx, T);
    if (pairAlive[k] > 1e-200) {
      const scale = alive[u] / pairAlive[k];
      for (let j = 0; j < horizons.length; j++) expected[j][u] = pairExpected[j][k] * scale;
      if (pairDiscounted) discounted[u] = pairDiscounted[k] * scale;
    } else {
      // No usable alive-customer reference for this (x, T): score the history directly.
      for (let j = 0; j < horizons.length; j++) expected[j][u] = model.conditionalExpectedPurchases(horizons[j], x, tx, T);
      if (clvOptions) discounted[u] = lifetimeValues(model.conditionalExpectedPurchases, { x: [x], tx: [tx], T: [T] }, [1], clvOptions)[0];
    }
  }
  return { alive, expected, discounted };
}

/** The comparison table rows (BIC order) of the fitted runs. */
export function comparisonOf(runs: ModelRun[]) {
  const rows = compareModels(Object.fromEntries(runs.map((r) => [r.kind, r.fit])));
  return rows.map((row) => ({ ...row, model: row.model as PurchaseModelKind, run: runs.find((r) => r.kind === row.model)! }));
}

// Pearson correlation over customers with x > 0 and positive spend; NaN when undefined.
function correlation(x: Float64Array, m: Float64Array): number {
  let n = 0;
  let sx = 0;
  let sm = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] > 0 && m[i] > 0) {
      n++;
      sx += x[i];
      sm += m[i];
    }
  }
  if (n < 3) return NaN;
  const mx = sx / n;
  const mm = sm / n;
  let cxx = 0;
  let cmm = 0;
  let cxm = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] > 0 && m[i] > 0) {
      const dx = x[i] - mx;
      const dm = m[i] - mm;
      cxx += dx * dx;
      cmm += dm * dm;
      cxm += dx * dm;
    }
  }
  return cxx > 0 && cmm > 0 ? cxm / Math.sqrt(cxx * cmm) : NaN;
}
