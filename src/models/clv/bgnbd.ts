// BG/NBD purchase model (Fader, Hardie & Lee 2005): likelihood, fit, P(alive) and expected purchases.

import {
  betaGeoConditionalExpected,
  betaGeoLogLikelihood,
  betaGeoPmf,
  betaGeoProbabilityAlive,
} from './betageo.ts';
import { fitLogParams, startValues, type FitOptions, type ModelFit } from './fitting.ts';
import { ClvInputError, collapseSummary, validateSummary, type CustomerSummary } from './summary.ts';

/** BG/NBD parameters: purchase rate λ ~ Gamma(r, α), dropout probability p ~ Beta(a, b). */
export interface BgNbdParams {
  r: number;
  alpha: number;
  a: number;
  b: number;
}

/** Options of the BG/NBD and MBG/NBD fits. */
export interface BetaGeoFitOptions extends FitOptions<BgNbdParams> {
  /** Merge identical (x, t_x, T) rows before fitting (default true; the likelihood is the same). */
  collapse?: boolean;
}

const NAMES = ['r', 'alpha', 'a', 'b'] as const;

/** Total (weighted) BG/NBD log-likelihood of a customer summary. */
export function bgnbdLogLikelihood(params: BgNbdParams, summary: CustomerSummary): number {
  validateSummary(summary);
  return betaGeoLogLikelihood('bg', params.r, params.alpha, params.a, params.b, summary);
}

/** Maximum-likelihood BG/NBD fit on log-parameters (analytic gradient); throws ClvInputError on unusable data. */
export function fitBgNbd(summary: CustomerSummary, options: BetaGeoFitOptions = {}): ModelFit<BgNbdParams> {
  return fitBetaGeo('bg', summary, options);
}

/** Shared BG/NBD and MBG/NBD fitting (the two differ only in the kernel variant). */
export function fitBetaGeo(variant: 'bg' | 'mbg', summary: CustomerSummary, options: BetaGeoFitOptions): ModelFit<BgNbdParams> {
  const stats = validateSummary(summary);
  if (stats.repeaters === 0) {
    throw new ClvInputError('no customer has a repeat purchase (all x = 0): purchase rates and dropout cannot be estimated');
  }
  const data = options.collapse === false ? summary : collapseSummary(summary);
  const meanX = stats.sumX / stats.customers;
  // Match the mean purchase rate r/α to the observed repeat rate, with a mid-range dropout prior.
  const defaults: BgNbdParams = { r: 1, alpha: Math.max(stats.meanT / Math.max(meanX, 1e-3), 1e-3), a: 1, b: 3 };
  const start = startValues(NAMES, defaults, options.start);
  const n = stats.customers;
  const gradient = new Float64Array(4);
  return fitLogParams<BgNbdParams>(
    NAMES,
    start,
    n,
    (logParams, grad) => {
      const [r, alpha, a, b] = Array.from(logParams, Math.exp);
      const ll = betaGeoLogLikelihood(variant, r, alpha, a, b, data, grad ? gradient : undefined);
      if (grad) for (let i = 0; i < 4; i++) grad[i] = -gradient[i] / n;
      return -ll / n;
    },
    options,
    true,
  );
}

/** P(alive at T | x, t_x, T) under the BG/NBD; 1 for customers without repeat purchases. */
export function bgnbdProbabilityAlive(params: BgNbdParams, x: number, tx: number, T: number): number {
  return betaGeoProbabilityAlive('bg', params.r, params.alpha, params.a, params.b, x, tx, T);
}

/** E[purchases in (T, T + t] | x, t_x, T] under the BG/NBD. */
export function bgnbdConditionalExpectedPurchases(params: BgNbdParams, t: number, x: number, tx: number, T: number): number {
  return betaGeoConditionalExpected('bg', params.r, params.alpha, params.a, params.b, t, x, tx, T);
}

/** E[X(t)]: expected repeat purchases of a new customer in (0, t] under the BG/NBD. */
export function bgnbdExpectedPurchases(params: BgNbdParams, t: number): number {
  return betaGeoConditionalExpected('bg', params.r, params.alpha, params.a, params.b, t, 0, 0, 0);
}

/** P(X(t) = n) for a new customer under the BG/NBD. */
export function bgnbdPmf(params: BgNbdParams, t: number, n: number): number {
  return betaGeoPmf('bg', params.r, params.alpha, params.a, params.b, t, n);
}
