// Gamma-Gamma spend model (Fader & Hardie 2013, note 025): fit on repeat buyers' mean spend, expected average spend.

import { fitLogParams, startValues, type FitOptions, type ModelFit } from './fitting.ts';
import { digamma, lgamma } from './special.ts';
import { ClvInputError } from './summary.ts';

/** Spend per transaction z ~ Gamma(p, ν) with ν ~ Gamma(q, v). */
export interface GammaGammaParams {
  p: number;
  q: number;
  v: number;
}

/** Repeat purchases x and mean spend of those repeat purchases per customer, with optional row weights. */
export interface SpendSummary {
  x: ArrayLike<number>;
  monetary: ArrayLike<number>;
  weights?: ArrayLike<number>;
}

/** Gamma-Gamma fit with an account of the rows it did not use. */
export interface GammaGammaFit extends ModelFit<GammaGammaParams> {
  /** Customers (weighted) with x = 0, who carry no repeat spend and are left out by definition. */
  withoutRepeat: number;
  /** Customers (weighted) with x > 0 but mean spend ≤ 0 or not finite, which the gamma density cannot take. */
  excludedNonPositiveSpend: number;
}

const NAMES = ['p', 'q', 'v'] as const;

interface SpendRows {
  x: Float64Array;
  m: Float64Array;
  w: Float64Array;
  maxX: number;
  customers: number;
  // Σ w(x ln m), Σ w ln m, Σ w x ln x: the parameter-free parts of the likelihood, summed once.
  sumXLogM: number;
  sumLogM: number;
  sumXLogX: number;
  withoutRepeat: number;
  excluded: number;
}

function prepare(data: SpendSummary): SpendRows {
  const { x, monetary, weights } = data;
  if (monetary.length !== x.length || (weights && weights.length !== x.length)) {
    throw new ClvInputError(`spend columns differ in length (x ${x.length}, monetary ${monetary.length})`);
  }
  let used = 0;
  let withoutRepeat = 0;
  let excluded = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const wi = weights ? weights[i] : 1;
    if (!(xi >= 0) || xi !== Math.floor(xi)) throw new ClvInputError(`row ${i}: x must be a non-negative whole number (got ${xi})`);
    if (!(wi >= 0) || !Number.isFinite(wi)) throw new ClvInputError(`row ${i}: weight must be finite and ≥ 0 (got ${wi})`);
    if (xi === 0) withoutRepeat += wi;
    else if (!(monetary[i] > 0) || !Number.isFinite(monetary[i])) excluded += wi;
    else used++;
  }
  const rows: SpendRows = {
    x: new Float64Array(used),
    m: new Float64Array(used),
    w: new Float64Array(used),
    maxX: 0,
    customers: 0,
    sumXLogM: 0,
    sumLogM: 0,
    sumXLogX: 0,
    withoutRepeat,
    excluded,
  };
  let j = 0;
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const mi = monetary[i];
    if (xi === 0 || !(mi > 0) || !Number.isFinite(mi)) continue;
    const wi = weights ? weights[i] : 1;
    rows.x[j] = xi;
    rows.m[j] = mi;
    rows.w[j] = wi;
    rows.maxX = Math.max(rows.maxX, xi);
    rows.customers += wi;
    rows.sumXLogM += wi * xi * Math.log(mi);
    rows.sumLogM += wi * Math.log(mi);
    rows.sumXLogX += wi * xi * Math.log(xi);
    j++;
  }
  return rows;
}

// Σ w ln f(m̄ | x; p, q, v) and, if asked, its gradient in (ln p, ln q, ln v).
function kernel(p: number, q: number, v: number, rows: SpendRows, gradient?: Float64Array): number {
  const { x, m, w, maxX } = rows;
  // x is a whole number, so Γ terms depend on the customer only through x: one table per evaluation.
  const lgTable = new Float64Array(maxX + 1);
  const dgSum = new Float64Array(maxX + 1);
  const dgShape = new Float64Array(maxX + 1);
  for (let k = 1; k <= maxX; k++) {
    lgTable[k] = lgamma(p * k + q) - lgamma(p * k);
    if (gradient) {
      dgSum[k] = digamma(p * k + q);
      dgShape[k] = digamma(p * k);
    }
  }
  const dgQ = gradient ? digamma(q) : 0;
  let sum = 0;
  let comp = 0;
  let gP = 0;
  let gQ = 0;
  let gV = 0;
  const lnV = Math.log(v);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i];
    const wi = w[i];
    const px = p * xi;
    const lnScale = Math.log(xi * m[i] + v);
    const term = wi * (lgTable[xi] - (px + q) * lnScale);
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
    if (gradient) {
      gP += wi * xi * (dgSum[xi] - dgShape[xi] - lnScale);
      gQ += wi * (dgSum[xi] - lnScale);
      gV -= (wi * (px + q)) / (xi * m[i] + v);
    }
  }
  const n = rows.customers;
  const ll = sum + comp + n * (q * lnV - lgamma(q)) + p * rows.sumXLogM - rows.sumLogM + p * rows.sumXLogX;
  if (gradient) {
    gradient[0] = p * (gP + rows.sumXLogM + rows.sumXLogX);
    gradient[1] = q * (gQ + n * (lnV - dgQ));
    gradient[2] = v * (gV + (n * q) / v);
  }
  return ll;
}

/** Total (weighted) Gamma-Gamma log-likelihood over customers with x > 0 and positive mean spend. */
export function gammaGammaLogLikelihood(params: GammaGammaParams, data: SpendSummary): number {
  return kernel(params.p, params.q, params.v, prepare(data));
}

/** Maximum-likelihood Gamma-Gamma fit on customers with x > 0; throws ClvInputError when there are none. */
export function fitGammaGamma(data: SpendSummary, options: FitOptions<GammaGammaParams> = {}): GammaGammaFit {
  const rows = prepare(data);
  if (!(rows.customers > 0)) {
    throw new ClvInputError('no customer has a repeat purchase with positive spend: the spend model cannot be fitted');
  }
  let meanSpend = 0;
  for (let i = 0; i < rows.x.length; i++) meanSpend += (rows.w[i] * rows.m[i]) / rows.customers;
  // p v / (q − 1) is the population mean spend: start there with moderate heterogeneity.
  const start = startValues(NAMES, { p: 1, q: 2, v: meanSpend }, options.start);
  const gradient = new Float64Array(3);
  const n = rows.customers;
  const fit = fitLogParams<GammaGammaParams>(
    NAMES,
    start,
    n,
    (logParams, grad) => {
      const [p, q, v] = Array.from(logParams, Math.exp);
      const ll = kernel(p, q, v, rows, grad ? gradient : undefined);
      if (grad) for (let i = 0; i < 3; i++) grad[i] = -gradient[i] / n;
      return -ll / n;
    },
    options,
    true,
  );
  return { ...fit, withoutRepeat: rows.withoutRepeat, excludedNonPositiveSpend: rows.excluded };
}

/** E[average spend | x, m̄] = p (v + x m̄) / (p x + q − 1); the population mean p v / (q − 1) when x = 0, NaN if undefined. */
export function gammaGammaConditionalExpectedSpend(params: GammaGammaParams, x: number, monetary: number): number {
  const { p, q, v } = params;
  // A credibility-weighted mean of p v / (q − 1) and m̄, as lifetimes computes it for every customer including x = 0.
  const denominator = p * x + q - 1;
  if (!(denominator > 0)) return NaN;
  return (p * (v + x * (x > 0 ? monetary : 0))) / denominator;
}
