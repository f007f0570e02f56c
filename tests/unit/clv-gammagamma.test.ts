import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  fitGammaGamma,
  gammaGammaConditionalExpectedSpend,
  gammaGammaLogLikelihood,
} from '../../src/models/clv/gammagamma.ts';
import { ClvInputError } from '../../src/models/clv/summary.ts';

const dataUrl = (name: string) => new URL(`../../../shared/data/${name}`, import.meta.url);
const reference = JSON.parse(readFileSync(dataUrl('reference_values.json'), 'utf8'));
const rows = readFileSync(dataUrl('cdnow_customers_summary_with_transactions.csv'), 'utf8')
  .trim()
  .split(/\r?\n/)
  .slice(1)
  .map((line) => line.split(',').map(Number));
const spend = { x: Float64Array.from(rows, (r) => r[1]), monetary: Float64Array.from(rows, (r) => r[4]) };
const gg = reference.gamma_gamma;

describe('Gamma-Gamma on the CDNOW repeat buyers', () => {
  const fit = fitGammaGamma(spend);

  it('uses the 946 customers with x > 0 and says how many it left out', () => {
    expect(rows.length).toBe(2357);
    expect(fit.customers).toBe(946);
    expect(fit.withoutRepeat).toBe(1411);
    expect(fit.excludedNonPositiveSpend).toBe(0);
  });

  it('fits p 6.2488, q 3.744588, v 15.447749 within 1% and LL −4055.9232', () => {
    console.log(`Gamma-Gamma CDNOW fit: ${fit.iterations} iterations; ${fit.message}`);
    expect(fit.converged).toBe(true);
    for (const name of ['p', 'q', 'v'] as const) {
      expect(Math.abs(fit.params[name] / gg.recomputed_mle[name] - 1)).toBeLessThan(0.01);
    }
    expect(fit.logLikelihood).toBeCloseTo(gg.recomputed_mle.loglik, 3);
    expect(gammaGammaLogLikelihood(gg.recomputed_mle, spend)).toBeCloseTo(gg.recomputed_mle.loglik, 3);
  });

  it('reproduces lifetimes’ conditional expected average profit (first 10 and the mean over 2,357)', () => {
    const expected = Array.from(spend.x, (x, i) => gammaGammaConditionalExpectedSpend(fit.params, x, spend.monetary[i]));
    gg.lifetimes_docs_conditional_expected_average_profit_first10.forEach((value: number, i: number) => {
      expect(expected[i]).toBeCloseTo(value, 3);
    });
    const mean = expected.reduce((s, v) => s + v, 0) / expected.length;
    expect(mean).toBeCloseTo(gg.lifetimes_docs_mean_conditional_expected_average_profit_all_2357, 4);
  });

  it('gives customers without repeat purchases the population mean p v / (q − 1)', () => {
    const { p, q, v } = fit.params;
    expect(gammaGammaConditionalExpectedSpend(fit.params, 0, 0)).toBeCloseTo((p * v) / (q - 1), 12);
    expect(gammaGammaConditionalExpectedSpend(fit.params, 0, 999)).toBeCloseTo((p * v) / (q - 1), 12);
  });

  it('returns NaN where q ≤ 1 leaves the population mean undefined', () => {
    expect(gammaGammaConditionalExpectedSpend({ p: 2, q: 0.8, v: 10 }, 0, 0)).toBeNaN();
  });

  it('counts repeat buyers with non-positive spend instead of dropping them silently', () => {
    const withZero = { x: [2, 1, 3, 0, 1], monetary: [10, 0, 20, 0, 15] };
    const result = fitGammaGamma(withZero);
    expect(result.excludedNonPositiveSpend).toBe(1);
    expect(result.withoutRepeat).toBe(1);
    expect(result.customers).toBe(3);
  });

  it('refuses data without a usable repeat buyer', () => {
    expect(() => fitGammaGamma({ x: [0, 0, 0], monetary: [0, 0, 0] })).toThrow(ClvInputError);
  });
});
