// Pareto/NBD purchase model (Schmittlein, Morrison & Colombo 1987) in the Fader–Hardie form: likelihood, fit, P(alive), expectations.

import { fitLogParams, startValues, type FitOptions, type ModelFit } from './fitting.ts';
import { logAddExp, logHyp2f1, logSubExp } from './special.ts';
import { ClvInputError, collapseSummary, validateSummary, type CustomerSummary } from './summary.ts';

/** Pareto/NBD parameters: purchase rate λ ~ Gamma(r, α), dropout rate μ ~ Gamma(s, β). */
export interface ParetoNbdParams {
  r: number;
  alpha: number;
  s: number;
  beta: number;
}

/** Options of the Pareto/NBD fit. */
export interface ParetoNbdFitOptions extends FitOptions<ParetoNbdParams> {
  /** Merge identical (x, t_x, T) rows before fitting (default true). */
  collapse?: boolean;
}

const NAMES = ['r', 'alpha', 's', 'beta'] as const;

// ln of the "alive throughout (0, T]" and "died in (t_x, T]" parts of one customer's likelihood, without the
// common factor Γ(r+x)/Γ(r) α^r β^s. Fader & Hardie (2005, "A note on deriving the Pareto/NBD model") write
// the second with 2F1 at |α−β|/(max(α,β)+t), branching on which of α, β is larger so that the argument is in [0, 1).
function logParts(p: ParetoNbdParams, x: number, tx: number, T: number, out: Float64Array): void {
  const { r, alpha, s, beta } = p;
  const rsx = r + s + x;
  const alive = -(r + x) * Math.log(alpha + T) - s * Math.log(beta + T);
  const alphaLarger = alpha >= beta;
  const maxAB = alphaLarger ? alpha : beta;
  const absDiff = Math.abs(alpha - beta);
  const second = alphaLarger ? s + 1 : r + x;
  const logF1 = logHyp2f1(rsx, second, rsx + 1, absDiff / (maxAB + tx)) - rsx * Math.log(maxAB + tx);
  const logF2 = logHyp2f1(rsx, second, rsx + 1, absDiff / (maxAB + T)) - rsx * Math.log(maxAB + T);
  // F1 ≥ F2 analytically; at t_x = T they cancel to −∞, which is right: no room to have died after t_x.
  const diff = logF1 >= logF2 ? logSubExp(logF1, logF2) : -Infinity;
  out[0] = alive;
  out[1] = Math.log(s) - Math.log(rsx) + diff;
}

/** Total (weighted) Pareto/NBD log-likelihood of a customer summary. */
export function paretoNbdLogLikelihood(params: ParetoNbdParams, summary: CustomerSummary): number {
  validateSummary(summary);
  return logLikelihoodKernel(params, summary);
}

function logLikelihoodKernel(params: ParetoNbdParams, summary: CustomerSummary): number {
  const { r, alpha, s, beta } = params;
  const { x, tx, T, weights } = summary;
  let maxX = 0;
  for (let i = 0; i < x.length; i++) if (x[i] > maxX) maxX = x[i];
  // ln Γ(r+x) − ln Γ(r) for whole x, as a running sum of ln(r+j).
  const lgR = new Float64Array(maxX + 1);
  for (let j = 0; j < maxX; j++) lgR[j + 1] = lgR[j] + Math.log(r + j);
  const parts = new Float64Array(2);
  let sum = 0;
  let comp = 0;
  let totalWeight = 0;
  for (let i = 0; i < x.length; i++) {
    const w = weights === undefined ? 1 : weights[i];
    if (w === 0) continue;
    logParts(params, x[i], tx[i], T[i], parts);
    const term = w * (lgR[x[i]] + logAddExp(parts[0], parts[1]));
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
    totalWeight += w;
  }
  return sum + comp + totalWeight * (r * Math.log(alpha) + s * Math.log(beta));
}

/** Maximum-likelihood Pareto/NBD fit on log-parameters (numeric gradient); throws ClvInputError on unusable data. */
export function fitParetoNbd(summary: CustomerSummary, options: ParetoNbdFitOptions = {}): ModelFit<ParetoNbdParams> {
  const stats = validateSummary(summary);
  if (stats.repeaters === 0) {
    throw new ClvInputError('no customer has a repeat purchase (all x = 0): purchase and dropout rates cannot be estimated');
  }
  const data = options.collapse === false ? summary : collapseSummary(summary);
  const meanX = stats.sumX / stats.customers;
  // r/α at the observed repeat rate; mean lifetime β/(s−1)-ish of the order of the observation window.
  const defaults: ParetoNbdParams = {
    r: 1,
    alpha: Math.max(stats.meanT / Math.max(meanX, 1e-3), 1e-3),
    s: 1,
    beta: Math.max(stats.meanT, 1e-3),
  };
  const start = startValues(NAMES, defaults, options.start);
  const n = stats.customers;
  return fitLogParams<ParetoNbdParams>(
    NAMES,
    start,
    n,
    (logParams) => {
      const [r, alpha, s, beta] = Array.from(logParams, Math.exp);
      try {
        return -logLikelihoodKernel({ r, alpha, s, beta }, data) / n;
      } catch {
        // A 2F1 series too slow to converge (argument next to 1, far from any sensible optimum): let the search back off.
        return NaN;
      }
    },
    options,
    false,
  );
}

/** P(alive at T | x, t_x, T) under the Pareto/NBD. */
export function paretoNbdProbabilityAlive(params: ParetoNbdParams, x: number, tx: number, T: number): number {
  const parts = new Float64Array(2);
  logParts(params, x, tx, T, parts);
  return 1 / (1 + Math.exp(parts[1] - parts[0]));
}

// (1 − u^(s−1)) / (s − 1) for 0 < u ≤ 1, continuous through s = 1 where it is −ln u.
function powerGap(u: number, s: number): number {
  const logU = Math.log(u);
  const e = s - 1;
  return Math.abs(e * logU) < 1e-12 ? -logU : -Math.expm1(e * logU) / e;
}

/** E[purchases in (T, T + t] | x, t_x, T] under the Pareto/NBD. */
export function paretoNbdConditionalExpectedPurchases(params: ParetoNbdParams, t: number, x: number, tx: number, T: number): number {
  const { r, alpha, s, beta } = params;
  const aliveExpected = (((r + x) * (beta + T)) / (alpha + T)) * powerGap((beta + T) / (beta + T + t), s);
  return aliveExpected * paretoNbdProbabilityAlive(params, x, tx, T);
}

/** E[X(t)]: expected repeat purchases of a new customer in (0, t] under the Pareto/NBD. */
export function paretoNbdExpectedPurchases(params: ParetoNbdParams, t: number): number {
  const { r, alpha, s, beta } = params;
  return ((r * beta) / alpha) * powerGap(beta / (beta + t), s);
}
