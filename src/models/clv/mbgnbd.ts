// MBG/NBD purchase model (Batislam, Denizel & Filiztekin 2007; lifetimes' ModifiedBetaGeoFitter).

import {
  betaGeoConditionalExpected,
  betaGeoLogLikelihood,
  betaGeoPmf,
  betaGeoProbabilityAlive,
} from './betageo.ts';
import { fitBetaGeo, type BetaGeoFitOptions, type BgNbdParams } from './bgnbd.ts';
import type { ModelFit } from './fitting.ts';
import { validateSummary, type CustomerSummary } from './summary.ts';

/** MBG/NBD parameters: the same four as the BG/NBD, with dropout also possible at the first purchase. */
export type MbgNbdParams = BgNbdParams;

/** Total (weighted) MBG/NBD log-likelihood of a customer summary. */
export function mbgnbdLogLikelihood(params: MbgNbdParams, summary: CustomerSummary): number {
  validateSummary(summary);
  return betaGeoLogLikelihood('mbg', params.r, params.alpha, params.a, params.b, summary);
}

/** Maximum-likelihood MBG/NBD fit on log-parameters (analytic gradient); throws ClvInputError on unusable data. */
export function fitMbgNbd(summary: CustomerSummary, options: BetaGeoFitOptions = {}): ModelFit<MbgNbdParams> {
  return fitBetaGeo('mbg', summary, options);
}

/** P(alive at T | x, t_x, T) under the MBG/NBD (below 1 even for one-time buyers). */
export function mbgnbdProbabilityAlive(params: MbgNbdParams, x: number, tx: number, T: number): number {
  return betaGeoProbabilityAlive('mbg', params.r, params.alpha, params.a, params.b, x, tx, T);
}

/** E[purchases in (T, T + t] | x, t_x, T] under the MBG/NBD. */
export function mbgnbdConditionalExpectedPurchases(params: MbgNbdParams, t: number, x: number, tx: number, T: number): number {
  return betaGeoConditionalExpected('mbg', params.r, params.alpha, params.a, params.b, t, x, tx, T);
}

/** E[X(t)]: expected repeat purchases of a new customer in (0, t] under the MBG/NBD. */
export function mbgnbdExpectedPurchases(params: MbgNbdParams, t: number): number {
  return betaGeoConditionalExpected('mbg', params.r, params.alpha, params.a, params.b, t, 0, 0, 0);
}

/** P(X(t) = n) for a new customer under the MBG/NBD. */
export function mbgnbdPmf(params: MbgNbdParams, t: number, n: number): number {
  return betaGeoPmf('mbg', params.r, params.alpha, params.a, params.b, t, n);
}
