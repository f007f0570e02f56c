// Likelihood kernel shared by BG/NBD and MBG/NBD: one pass over (x, t_x, T) giving the log-likelihood and its gradient.

import { hyp2f1, lgamma, logBeta, logHyp2f1 } from './special.ts';
import type { CustomerSummary } from './summary.ts';

/**
 * `bg`: a customer may drop out only after a repeat purchase (Fader, Hardie & Lee 2005);
 * `mbg`: also right after the first purchase (Batislam et al. 2007).
 */
export type BetaGeoVariant = 'bg' | 'mbg';

/** Total weighted log-likelihood of validated (x, t_x, T) rows; `gradient` receives ∂LL/∂(ln r, ln α, ln a, ln b). */
export function betaGeoLogLikelihood(
  variant: BetaGeoVariant,
  r: number,
  alpha: number,
  a: number,
  b: number,
  summary: CustomerSummary,
  gradient?: Float64Array,
): number {
  const k = variant === 'mbg' ? 1 : 0;
  let maxX = 0;
  for (let i = 0; i < summary.x.length; i++) if (summary.x[i] > maxX) maxX = summary.x[i];
  const size = maxX + 2;
  // Because x is a whole number, ln Γ(r+x) − ln Γ(r) = Σ_{j<x} ln(r+j): tables indexed by x replace
  // three log-gammas and three digammas per customer with lookups.
  const lgR = new Float64Array(size);
  const dgR = new Float64Array(size);
  const lgB = new Float64Array(size);
  const dgBa = new Float64Array(size);
  const dgBb = new Float64Array(size);
  // ln P(dropped at the m-th opportunity) share: ln a − ln(b + m − 1), and ∂/∂b of it.
  const lnDrop = new Float64Array(size);
  const dDropB = new Float64Array(size);
  const lnA = Math.log(a);
  for (let j = 0; j + 1 < size; j++) {
    lgR[j + 1] = lgR[j] + Math.log(r + j);
    dgR[j + 1] = dgR[j] + 1 / (r + j);
    lgB[j + 1] = lgB[j] + Math.log(b + j) - Math.log(a + b + j);
    dgBa[j + 1] = dgBa[j] - 1 / (a + b + j);
    dgBb[j + 1] = dgBb[j] + 1 / (b + j) - 1 / (a + b + j);
    lnDrop[j + 1] = lnA - Math.log(b + j);
    dDropB[j + 1] = -1 / (b + j);
  }
  const { x, tx, T, weights } = summary;
  const rows = x.length;
  const wantGradient = gradient !== undefined;
  // ln(α + T) and ln(α + t_x) for each distinct T and t_x (a few hundred days among thousands of customers): the
  // same logarithms, taken once per value instead of once per row.
  const lv = levels(summary);
  const lnAlphaT = lv ? logsOf(alpha, lv.T) : null;
  const lnAlphaTx = lv ? logsOf(alpha, lv.tx) : null;

  // Neumaier-compensated sum: over 1M customers plain summation would blur the last digits the optimizer needs.
  let sum = 0;
  let comp = 0;
  let totalWeight = 0;
  let gR = 0;
  let gAlpha = 0;
  let gA = 0;
  let gB = 0;
  for (let i = 0; i < rows; i++) {
    const w = weights === undefined ? 1 : weights[i];
    if (w === 0) continue;
    const xi = x[i];
    const rx = r + xi;
    const lnAT = lnAlphaT ? lnAlphaT[lv!.TAt[i]] : Math.log(alpha + T[i]);
    const alive = -rx * lnAT;
    let lse = alive;
    let dropShare = 0;
    let lnAtx = 0;
    const m = xi + k;
    if (m > 0) {
      lnAtx = lnAlphaTx ? lnAlphaTx[lv!.txAt[i]] : Math.log(alpha + tx[i]);
      const dropped = lnDrop[m] - rx * lnAtx;
      const diff = dropped - alive;
      if (diff > 0) {
        const e = Math.exp(-diff);
        lse = dropped + Math.log1p(e);
        dropShare = 1 / (1 + e);
      } else {
        const e = Math.exp(diff);
        lse = alive + Math.log1p(e);
        dropShare = e / (1 + e);
      }
    }
    const term = w * (lgR[xi] + lgB[m] + lse);
    const t = sum + term;
    comp += Math.abs(sum) >= Math.abs(term) ? sum - t + term : term - t + sum;
    sum = t;
    totalWeight += w;
    if (wantGradient) {
      const aliveShare = 1 - dropShare;
      gR += w * (dgR[xi] - aliveShare * lnAT - dropShare * lnAtx);
      gAlpha -= w * rx * (aliveShare / (alpha + T[i]) + (m > 0 ? dropShare / (alpha + tx[i]) : 0));
      if (m > 0) {
        gA += w * (dgBa[m] + dropShare / a);
        gB += w * (dgBb[m] + dropShare * dDropB[m]);
      }
    }
  }
  const lnAlpha = Math.log(alpha);
  if (gradient) {
    gradient[0] = r * (gR + totalWeight * lnAlpha);
    gradient[1] = alpha * (gAlpha + (totalWeight * r) / alpha);
    gradient[2] = a * gA;
    gradient[3] = b * gB;
  }
  return sum + comp + totalWeight * r * lnAlpha;
}

/** The distinct values of T and t_x of a summary, and each row's index among them. */
interface Levels {
  T: Float64Array;
  TAt: Int32Array;
  tx: Float64Array;
  txAt: Int32Array;
}

// By summary: a fit evaluates the likelihood on the same summary some forty times (summaries are read, never written).
const levelsOf = new WeakMap<CustomerSummary, Levels | null>();

/** The summary's levels, or null when T or t_x takes too many distinct values for a table to save anything. */
function levels(summary: CustomerSummary): Levels | null {
  let got = levelsOf.get(summary);
  if (got === undefined) {
    const T = distinct(summary.T);
    const tx = T && distinct(summary.tx);
    got = T && tx ? { T: T.values, TAt: T.at, tx: tx.values, txAt: tx.at } : null;
    levelsOf.set(summary, got);
  }
  return got;
}

function distinct(column: ArrayLike<number>): { values: Float64Array; at: Int32Array } | null {
  const rows = column.length;
  if (rows < 256) return null;
  const index = new Map<number, number>();
  const values: number[] = [];
  const at = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = column[i];
    let k = index.get(v);
    if (k === undefined) {
      if (values.length >= rows / 8) return null;
      k = values.length;
      index.set(v, k);
      values.push(v);
    }
    at[i] = k;
  }
  return { values: Float64Array.from(values), at };
}

function logsOf(alpha: number, values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let j = 0; j < values.length; j++) out[j] = Math.log(alpha + values[j]);
  return out;
}

/** P(alive | x, t_x, T) for the BG/NBD or MBG/NBD. */
export function betaGeoProbabilityAlive(
  variant: BetaGeoVariant,
  r: number,
  alpha: number,
  a: number,
  b: number,
  x: number,
  tx: number,
  T: number,
): number {
  const m = x + (variant === 'mbg' ? 1 : 0);
  if (m === 0) return 1;
  // Odds of having dropped out after the last purchase versus being alive, on the log scale.
  const logOdds = Math.log(a) - Math.log(b + m - 1) + (r + x) * (Math.log(alpha + T) - Math.log(alpha + tx));
  return 1 / (1 + Math.exp(logOdds));
}

/** E[purchases in (T, T + t] | x, t_x, T] (BG/NBD or MBG/NBD); at x = t_x = T = 0 it is the unconditional E[X(t)]. */
export function betaGeoConditionalExpected(
  variant: BetaGeoVariant,
  r: number,
  alpha: number,
  a: number,
  b: number,
  t: number,
  x: number,
  tx: number,
  T: number,
): number {
  if (t === 0) return 0;
  // The closed form has a removable singularity at a = 1: average the two sides instead.
  if (Math.abs(a - 1) < 1e-6) {
    const h = 1e-5;
    return (
      0.5 *
      (betaGeoConditionalExpected(variant, r, alpha, 1 - h, b, t, x, tx, T) +
        betaGeoConditionalExpected(variant, r, alpha, 1 + h, b, t, x, tx, T))
    );
  }
  const m = x + (variant === 'mbg' ? 1 : 0);
  // Given alive at T: λ ~ Gamma(r + x, α + T), p ~ Beta(a, b + m); the future is a fresh BG/NBD from T.
  const bPost = b + m;
  const c = a + bPost - 1;
  const z = t / (alpha + T + t);
  const logP = (r + x) * Math.log((alpha + T) / (alpha + T + t));
  const logF = c > 0 ? logHyp2f1(r + x, bPost, c, z) : Math.log(hyp2f1(r + x, bPost, c, z));
  const aliveExpected = (c / (a - 1)) * -Math.expm1(logP + logF);
  return aliveExpected * betaGeoProbabilityAlive(variant, r, alpha, a, b, x, tx, T);
}

/** P(X(t) = n) for a new customer under the BG/NBD or MBG/NBD (FHL 2005 eq. 8). */
export function betaGeoPmf(variant: BetaGeoVariant, r: number, alpha: number, a: number, b: number, t: number, n: number): number {
  if (!(n >= 0) || n !== Math.floor(n)) return 0;
  const k = variant === 'mbg' ? 1 : 0;
  const logB = logBeta(a, b);
  const q = t / (alpha + t);
  // ln of the negative binomial (Poisson–gamma) probability of exactly n purchases by t while alive.
  const logNb = lgamma(r + n) - lgamma(r) - lgamma(n + 1) + r * Math.log(alpha / (alpha + t)) + (n > 0 ? n * Math.log(q) : 0);
  let p = Math.exp(logBeta(a, b + n + k) - logB + logNb);
  if (n + k >= 1) p += Math.exp(logBeta(a + 1, b + n + k - 1) - logB) * negBinUpperTail(r, alpha, t, n);
  return p;
}

// P(N ≥ n) for N ~ NB(r, α/(α+t)); sums whichever side is small so that a tiny tail keeps its digits.
function negBinUpperTail(r: number, alpha: number, t: number, n: number): number {
  if (n <= 0) return 1;
  if (t === 0) return 0;
  const q = t / (alpha + t);
  let term = Math.exp(r * Math.log(alpha / (alpha + t)));
  let head = 0;
  for (let j = 0; j < n; j++) {
    head += term;
    term *= ((r + j) / (j + 1)) * q;
  }
  if (head < 0.5) return 1 - head;
  let tail = 0;
  for (let j = n; j < n + 10_000_000; j++) {
    tail += term;
    const ratio = ((r + j) / (j + 1)) * q;
    term *= ratio;
    const rho = Math.max(ratio, q);
    if (rho < 1 && (term * rho) / (1 - rho) <= 1e-17 * tail) break;
  }
  return tail;
}
