// Shared plumbing for maximum-likelihood fits on log-parameters: options, result shape, boundary checks, BIC.

import { bfgs, minimize, type MinimizeOptions, type MinimizeResult } from './optimize.ts';

/** Options common to every model fit. */
export interface FitOptions<P> {
  /** Starting parameter values (positive); missing ones use the model's data-based defaults. */
  start?: Partial<P>;
  maxIterations?: number;
  /**
   * Gradient tolerance in log-parameters, relative to the mean negative log-likelihood per customer (see
   * MinimizeOptions.gradientTolerance; default 1e-9 with an analytic gradient, 1e-8 with a numeric one).
   */
  gradientTolerance?: number;
  /** Give up with a FitTimeoutError after this many milliseconds (default: no limit). */
  timeLimitMs?: number;
}

/** A fit stopped by its time limit (FitOptions.timeLimitMs) before it converged. */
export class FitTimeoutError extends Error {
  override name = 'FitTimeoutError';
}

/** Result of a maximum-likelihood fit; `converged: false` comes with the reason in `message`. */
export interface ModelFit<P> {
  params: P;
  logLikelihood: number;
  converged: boolean;
  iterations: number;
  evaluations: number;
  message: string;
  /** Number of customers the likelihood covers (Σ weights). */
  customers: number;
  /** Number of free parameters. */
  parameterCount: number;
  /** Bayesian information criterion k ln n − 2 LL. */
  bic: number;
}

// exp(±15) ≈ 3e6 / 3e-7: beyond this a rate, shape or scale in weeks or days means the data do not pin it down.
const LOG_PARAM_LIMIT = 15;

/** BIC = k ln n − 2 LL for a fit with k free parameters on n customers. */
export function bic(logLikelihood: number, parameterCount: number, customers: number): number {
  return parameterCount * Math.log(customers) - 2 * logLikelihood;
}

/** Minimizes a mean negative log-likelihood over log-parameters; parameters running off to 0 or ∞ make the fit unconverged. */
export function fitLogParams<P extends object>(
  names: readonly (keyof P & string)[],
  start: readonly number[],
  customers: number,
  meanNegLogLik: (logParams: Float64Array, gradient?: Float64Array) => number,
  options: FitOptions<P>,
  analyticGradient: boolean,
): ModelFit<P> {
  const x0 = Float64Array.from(start, (v) => Math.log(v));
  const stopAt = options.timeLimitMs === undefined ? Infinity : performance.now() + options.timeLimitMs;
  const timed = (x: Float64Array, g?: Float64Array) => {
    if (performance.now() > stopAt) throw new FitTimeoutError(`the fit did not finish within ${Math.round(options.timeLimitMs! / 1000)} s`);
    return meanNegLogLik(x, g);
  };
  const minimizeOptions: MinimizeOptions = {
    maxIterations: options.maxIterations,
    gradientTolerance: options.gradientTolerance ?? (analyticGradient ? 1e-9 : 1e-8),
    gradient: analyticGradient ? (x, g) => timed(x, g) : undefined,
  };
  const objective = (x: Float64Array) => timed(x);
  const atEdge = (x: Float64Array) => names.some((_, i) => !(Math.abs(x[i]) <= LOG_PARAM_LIMIT));
  let result: MinimizeResult = bfgs(objective, x0, minimizeOptions);
  // A parameter already running off to 0 or ∞ will not come back: skip the slow fallback and say so below.
  if (!result.converged && !atEdge(result.x)) {
    const retry = minimize(objective, Number.isFinite(result.fx) ? result.x : x0, minimizeOptions);
    result = {
      ...retry,
      iterations: result.iterations + retry.iterations,
      evaluations: result.evaluations + retry.evaluations,
      message: `first BFGS: ${result.message}; then ${retry.message}`,
    };
  }
  const final = result;
  const params = {} as Record<string, number>;
  names.forEach((name, i) => (params[name] = Math.exp(final.x[i])));
  const logLikelihood = -final.fx * customers;
  let converged = final.converged && Number.isFinite(logLikelihood);
  let message = final.message;
  const runaway = names.filter((_, i) => !(Math.abs(final.x[i]) <= LOG_PARAM_LIMIT));
  if (runaway.length > 0) {
    converged = false;
    message =
      `parameter ${runaway.map((n) => `${n}=${params[n].toPrecision(3)}`).join(', ')} ran off to the edge of its range: ` +
      `the data do not identify the model (${message})`;
  }
  return {
    params: params as P,
    logLikelihood,
    converged,
    iterations: final.iterations,
    evaluations: final.evaluations,
    message,
    customers,
    parameterCount: names.length,
    bic: bic(logLikelihood, names.length, customers),
  };
}

/** Positive starting values: the caller's where given, else the defaults. */
export function startValues<P extends object>(names: readonly (keyof P & string)[], defaults: P, given?: Partial<P>): number[] {
  return names.map((name) => {
    const v = given?.[name] ?? defaults[name];
    if (typeof v !== 'number' || !(v > 0) || !Number.isFinite(v)) {
      throw new RangeError(`start value for ${name} must be a positive number (got ${String(v)})`);
    }
    return v;
  });
}
