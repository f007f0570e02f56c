// Public API of predictive CLV: model fits, per-customer predictions, discounted CLV and model comparison.

import {
  bgnbdConditionalExpectedPurchases,
  bgnbdExpectedPurchases,
  bgnbdProbabilityAlive,
  fitBgNbd,
  type BetaGeoFitOptions,
  type BgNbdParams,
} from './bgnbd.ts';
import { lifetimeValues, type ClvOptions, type ConditionalExpectation } from './clv.ts';
import type { ModelFit } from './fitting.ts';
import { gammaGammaConditionalExpectedSpend, type GammaGammaParams, type SpendSummary } from './gammagamma.ts';
import {
  fitMbgNbd,
  mbgnbdConditionalExpectedPurchases,
  mbgnbdExpectedPurchases,
  mbgnbdProbabilityAlive,
  type MbgNbdParams,
} from './mbgnbd.ts';
import {
  fitParetoNbd,
  paretoNbdConditionalExpectedPurchases,
  paretoNbdExpectedPurchases,
  paretoNbdProbabilityAlive,
  type ParetoNbdFitOptions,
  type ParetoNbdParams,
} from './paretonbd.ts';
import type { CustomerSummary } from './summary.ts';

export * from './bgnbd.ts';
export * from './mbgnbd.ts';
export * from './paretonbd.ts';
export * from './gammagamma.ts';
export * from './clv.ts';
export { bic, type FitOptions, type ModelFit } from './fitting.ts';
export { ClvInputError, collapseSummary, validateSummary, type CollapsedSummary, type CustomerSummary, type SummaryStats } from './summary.ts';

/** The purchase (transaction-count) models on offer. */
export type PurchaseModelKind = 'bgnbd' | 'mbgnbd' | 'paretonbd';

/** Parameter type of each purchase model. */
export interface PurchaseModelParams {
  bgnbd: BgNbdParams;
  mbgnbd: MbgNbdParams;
  paretonbd: ParetoNbdParams;
}

/** A purchase model with fixed parameters, reduced to the predictions CLV needs. */
export interface PurchaseModel {
  kind: PurchaseModelKind;
  probabilityAlive: (x: number, tx: number, T: number) => number;
  conditionalExpectedPurchases: ConditionalExpectation;
  expectedPurchases: (t: number) => number;
}

/** Binds a purchase model's prediction functions to its parameters. */
export function purchaseModel<K extends PurchaseModelKind>(kind: K, params: PurchaseModelParams[K]): PurchaseModel {
  switch (kind) {
    case 'bgnbd': {
      const p = params as BgNbdParams;
      return {
        kind,
        probabilityAlive: (x, tx, T) => bgnbdProbabilityAlive(p, x, tx, T),
        conditionalExpectedPurchases: (t, x, tx, T) => bgnbdConditionalExpectedPurchases(p, t, x, tx, T),
        expectedPurchases: (t) => bgnbdExpectedPurchases(p, t),
      };
    }
    case 'mbgnbd': {
      const p = params as MbgNbdParams;
      return {
        kind,
        probabilityAlive: (x, tx, T) => mbgnbdProbabilityAlive(p, x, tx, T),
        conditionalExpectedPurchases: (t, x, tx, T) => mbgnbdConditionalExpectedPurchases(p, t, x, tx, T),
        expectedPurchases: (t) => mbgnbdExpectedPurchases(p, t),
      };
    }
    case 'paretonbd': {
      const p = params as ParetoNbdParams;
      return {
        kind,
        probabilityAlive: (x, tx, T) => paretoNbdProbabilityAlive(p, x, tx, T),
        conditionalExpectedPurchases: (t, x, tx, T) => paretoNbdConditionalExpectedPurchases(p, t, x, tx, T),
        expectedPurchases: (t) => paretoNbdExpectedPurchases(p, t),
      };
    }
    default:
      throw new RangeError(`unknown purchase model ${String(kind)}`);
  }
}

/** Fits the named purchase model by maximum likelihood. */
export function fitPurchaseModel<K extends PurchaseModelKind>(
  kind: K,
  summary: CustomerSummary,
  options: BetaGeoFitOptions | ParetoNbdFitOptions = {},
): ModelFit<PurchaseModelParams[K]> {
  const { start, ...rest } = options;
  const fit =
    kind === 'bgnbd'
      ? fitBgNbd(summary, { ...rest, start: start as Partial<BgNbdParams> | undefined })
      : kind === 'mbgnbd'
        ? fitMbgNbd(summary, { ...rest, start: start as Partial<MbgNbdParams> | undefined })
        : fitParetoNbd(summary, { ...rest, start: start as Partial<ParetoNbdParams> | undefined });
  return fit as ModelFit<PurchaseModelParams[K]>;
}

/** Per-customer P(alive) and expected purchases in the next t units. */
export interface CustomerPredictions {
  probabilityAlive: Float64Array;
  expectedPurchases: Float64Array;
}

/** P(alive) and E[purchases in the next t units] for every row of a summary. */
export function predictCustomers(model: PurchaseModel, summary: CustomerSummary, t: number): CustomerPredictions {
  const { x, tx, T } = summary;
  const probabilityAlive = new Float64Array(x.length);
  const expectedPurchases = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    probabilityAlive[i] = model.probabilityAlive(x[i], tx[i], T[i]);
    expectedPurchases[i] = model.conditionalExpectedPurchases(t, x[i], tx[i], T[i]);
  }
  return { probabilityAlive, expectedPurchases };
}

/** Gamma-Gamma expected average spend for every row (population mean for x = 0). */
export function expectedSpend(params: GammaGammaParams, spend: SpendSummary): Float64Array {
  const out = new Float64Array(spend.x.length);
  for (let i = 0; i < out.length; i++) out[i] = gammaGammaConditionalExpectedSpend(params, spend.x[i], spend.monetary[i]);
  return out;
}

/** Discounted CLV over the horizon for every row, from a purchase model and per-customer expected spend. */
export function predictLifetimeValues(
  model: PurchaseModel,
  summary: CustomerSummary,
  spendPerPurchase: ArrayLike<number>,
  options: ClvOptions,
): Float64Array {
  return lifetimeValues(model.conditionalExpectedPurchases, summary, spendPerPurchase, options);
}

/** One line of a model comparison table. */
export interface ModelComparisonRow {
  model: string;
  logLikelihood: number;
  parameterCount: number;
  customers: number;
  bic: number;
  /** BIC minus the best (lowest) BIC among the compared fits. */
  deltaBic: number;
  converged: boolean;
}

/** Ranks fits on the same customers by BIC (lowest first); unconverged fits are listed but ranked last. */
export function compareModels(fits: Record<string, ModelFit<object>>): ModelComparisonRow[] {
  const names = Object.keys(fits);
  const customers = new Set(names.map((n) => fits[n].customers));
  if (customers.size > 1) throw new RangeError('compareModels needs fits on the same customers');
  const rows = names.map((model) => {
    const f = fits[model];
    return { model, logLikelihood: f.logLikelihood, parameterCount: f.parameterCount, customers: f.customers, bic: f.bic, deltaBic: 0, converged: f.converged };
  });
  rows.sort((p, q) => Number(q.converged) - Number(p.converged) || p.bic - q.bic);
  const best = rows.find((r) => r.converged)?.bic ?? rows[0]?.bic ?? 0;
  for (const row of rows) row.deltaBic = row.bic - best;
  return rows;
}
