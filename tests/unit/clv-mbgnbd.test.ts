import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { betaGeoLogLikelihood } from '../../src/models/clv/betageo.ts';
import { bgnbdProbabilityAlive } from '../../src/models/clv/bgnbd.ts';
import {
  fitMbgNbd,
  mbgnbdConditionalExpectedPurchases,
  mbgnbdExpectedPurchases,
  mbgnbdLogLikelihood,
  mbgnbdPmf,
  mbgnbdProbabilityAlive,
} from '../../src/models/clv/mbgnbd.ts';
import { numericalGradient } from '../../src/models/clv/optimize.ts';
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

describe('MBG/NBD on the CDNOW sample', () => {
  const fit = fitMbgNbd(cdnow);

  it('fits r 0.525, alpha 6.183, a 0.891, b 1.614 within 1%', () => {
    console.log(`MBG/NBD CDNOW fit: LL ${fit.logLikelihood.toFixed(4)}, ${fit.iterations} iterations; ${fit.message}`);
    const expected = reference.modified_bgnbd.lifetimes_test_expected_BTYDplus;
    expect(fit.converged).toBe(true);
    for (const name of ['r', 'alpha', 'a', 'b'] as const) {
      expect(Math.abs(fit.params[name] / expected[name] - 1)).toBeLessThan(0.01);
    }
    expect(fit.logLikelihood).toBeCloseTo(mbgnbdLogLikelihood(fit.params, cdnow), 6);
  });

  it('does not give one-time buyers P(alive) = 1, unlike the BG/NBD', () => {
    const alive = mbgnbdProbabilityAlive(fit.params, 0, 0, 38.86);
    expect(alive).toBeLessThan(1);
    expect(alive).toBeGreaterThan(0);
    expect(bgnbdProbabilityAlive(fit.params, 0, 0, 38.86)).toBe(1);
    const { a, b, r, alpha } = fit.params;
    expect(alive).toBeCloseTo(1 / (1 + (a / b) * ((alpha + 38.86) / alpha) ** r), 14);
  });

  it('has a pmf summing to 1 with mean E[X(t)], and E[X(t)] equal to the conditional expectation of a newcomer', () => {
    let total = 0;
    let mean = 0;
    for (let n = 0; n < 400; n++) {
      const p = mbgnbdPmf(fit.params, 39, n);
      total += p;
      mean += n * p;
    }
    expect(total).toBeCloseTo(1, 12);
    expect(mean).toBeCloseTo(mbgnbdExpectedPurchases(fit.params, 39), 9);
    expect(mbgnbdConditionalExpectedPurchases(fit.params, 39, 0, 0, 0)).toBe(mbgnbdExpectedPurchases(fit.params, 39));
  });

  it('predicts a sensible conditional expectation for an active repeat buyer', () => {
    const expected = mbgnbdConditionalExpectedPurchases(fit.params, 39, 2, 30.43, 38.86);
    expect(expected).toBeGreaterThan(0.5);
    expect(expected).toBeLessThan(2);
    expect(mbgnbdConditionalExpectedPurchases(fit.params, 78, 2, 30.43, 38.86)).toBeGreaterThan(expected);
  });

  it('has an analytic gradient equal to central differences', () => {
    const logParams = Float64Array.of(Math.log(0.4), Math.log(6), Math.log(1.2), Math.log(1.5));
    const analytic = new Float64Array(4);
    const numeric = new Float64Array(4);
    betaGeoLogLikelihood('mbg', 0.4, 6, 1.2, 1.5, cdnow, analytic);
    numericalGradient((lp) => betaGeoLogLikelihood('mbg', ...(Array.from(lp, Math.exp) as [number, number, number, number]), cdnow), logParams, numeric);
    for (let i = 0; i < 4; i++) expect(Math.abs(analytic[i] - numeric[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(numeric[i])));
  });

  it('refuses data without any repeat purchase', () => {
    expect(() => fitMbgNbd({ x: [0, 0], tx: [0, 0], T: [5, 9] })).toThrow(ClvInputError);
  });
});
