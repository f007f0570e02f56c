import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  fitParetoNbd,
  paretoNbdConditionalExpectedPurchases,
  paretoNbdExpectedPurchases,
  paretoNbdLogLikelihood,
  paretoNbdProbabilityAlive,
} from '../../src/models/clv/paretonbd.ts';
import { ClvInputError, type CustomerSummary } from '../../src/models/clv/summary.ts';

const dataUrl = (name: string) => new URL(`../../../shared/data/${name}`, import.meta.url);
const reference = JSON.parse(readFileSync(dataUrl('reference_values.json'), 'utf8'));
const rows = readFileSync(dataUrl('cdnow_customers_summary.csv'), 'utf8')
  .trim()
  .split(/\r?\n/)
  .slice(1)
  .map((line) => line.split(',').map(Number));
const cdnow: CustomerSummary = {
  x: Float64Array.from(rows, (r) => r[1]),
  tx: Float64Array.from(rows, (r) => r[2]),
  T: Float64Array.from(rows, (r) => r[3]),
};
const pnbd = reference.pareto_nbd;

describe('Pareto/NBD on the CDNOW sample', () => {
  const started = performance.now();
  const fit = fitParetoNbd(cdnow);
  const elapsed = performance.now() - started;

  it('fits the MLE within 1% with the log-likelihood within 0.01', () => {
    console.log(`Pareto/NBD CDNOW fit: ${elapsed.toFixed(0)} ms, ${fit.iterations} iterations, ${fit.evaluations} evaluations; ${fit.message}`);
    const mle = pnbd.recomputed_mle;
    expect(fit.converged).toBe(true);
    for (const name of ['r', 'alpha', 's', 'beta'] as const) {
      expect(Math.abs(fit.params[name] / mle[name] - 1)).toBeLessThan(0.01);
    }
    expect(Math.abs(fit.logLikelihood - mle.loglik)).toBeLessThan(0.01);
  });

  it('gives the reference log-likelihood at the reference MLE', () => {
    expect(paretoNbdLogLikelihood(pnbd.recomputed_mle, cdnow)).toBeCloseTo(pnbd.recomputed_mle.loglik, 3);
  });

  it('agrees with the published parameters to 2 decimals, as lifetimes tests it', () => {
    const [r, alpha, s, beta] = pnbd.lifetimes_tests.params_close_to_paper.expected;
    expect(fit.params.r).toBeCloseTo(r, 2);
    expect(fit.params.alpha).toBeCloseTo(alpha, 2);
    expect(fit.params.s).toBeCloseTo(s, 2);
    expect(fit.params.beta).toBeCloseTo(beta, 2);
  });

  it('reproduces the E[X(t)] list, t = 0..9', () => {
    const list: number[] = pnbd.lifetimes_tests['E[X(t)] t=0..9'];
    // The 8-decimal list is exactly E[X(t)] at the rounded parameters (0.55, 10.56, 0.61, 11.64), not at the MLE.
    const rounded = { r: 0.55, alpha: 10.56, s: 0.61, beta: 11.64 };
    list.forEach((expected, t) => expect(paretoNbdExpectedPurchases(rounded, t)).toBeCloseTo(expected, 7));
    // At the MLE it agrees to lifetimes' own tolerance (atol 0.01).
    list.forEach((expected, t) => expect(Math.abs(paretoNbdExpectedPurchases(fit.params, t) - expected)).toBeLessThan(0.01));
  });

  it('gives P(alive) 0.9979 and E[Y(52)] ≈ 25.46 for x=26, t_x=30.86, T=31', () => {
    const btyd = pnbd.BTYD_walkthrough_params;
    const tests = pnbd.lifetimes_tests;
    expect(paretoNbdProbabilityAlive(btyd, 26, 30.86, 31)).toBeCloseTo(tests['P_alive(x=26,t_x=30.86,T=31) at BTYD params'], 4);
    // 25.46 comes from Hardie's spreadsheet; lifetimes checks it to 0.01 at its own fit.
    const expected = tests['E[Y(52)|x=26,t_x=30.86,T=31]'];
    expect(Math.abs(paretoNbdConditionalExpectedPurchases(fit.params, 52, 26, 30.86, 31) - expected)).toBeLessThan(0.01);
    expect(Math.abs(paretoNbdConditionalExpectedPurchases(btyd, 52, 26, 30.86, 31) - expected)).toBeLessThan(0.01);
  });

  it('keeps the likelihood continuous where α and β cross (the 2F1 branch switch)', () => {
    const p = { r: 0.55, alpha: 11, s: 0.6, beta: 11 };
    const below = paretoNbdLogLikelihood({ ...p, alpha: 11 - 1e-9 }, cdnow);
    const at = paretoNbdLogLikelihood(p, cdnow);
    const above = paretoNbdLogLikelihood({ ...p, alpha: 11 + 1e-9 }, cdnow);
    expect(at).toBeCloseTo(below, 5);
    expect(at).toBeCloseTo(above, 5);
  });

  it('is continuous in s through s = 1 in its expectations', () => {
    const p = { r: 0.5, alpha: 10, s: 1, beta: 12 };
    expect(paretoNbdExpectedPurchases(p, 20)).toBeCloseTo(paretoNbdExpectedPurchases({ ...p, s: 1 + 1e-7 }, 20), 6);
    expect(paretoNbdExpectedPurchases(p, 20)).toBeCloseTo((0.5 * 12) / 10 * Math.log(32 / 12), 12);
  });

  it('gives P(alive) = 1 to a customer who bought at the very end', () => {
    expect(paretoNbdProbabilityAlive(fit.params, 3, 20, 20)).toBe(1);
  });

  it('refuses data without any repeat purchase', () => {
    expect(() => fitParetoNbd({ x: [0, 0], tx: [0, 0], T: [5, 9] })).toThrow(ClvInputError);
  });
});
