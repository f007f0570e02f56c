import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { betaGeoLogLikelihood } from '../../src/models/clv/betageo.ts';
import {
  bgnbdConditionalExpectedPurchases,
  bgnbdExpectedPurchases,
  bgnbdLogLikelihood,
  bgnbdPmf,
  bgnbdProbabilityAlive,
  fitBgNbd,
} from '../../src/models/clv/bgnbd.ts';
import { numericalGradient } from '../../src/models/clv/optimize.ts';
import { ClvInputError, collapseSummary, type CustomerSummary } from '../../src/models/clv/summary.ts';

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

const mle = reference.bgnbd.recomputed_mle;
const lifetimesTests = reference.bgnbd.lifetimes_tests;
const examples = reference.bgnbd.recomputed_examples_at_mle;
const fit = fitBgNbd(cdnow);

describe('BG/NBD on the CDNOW 2,357-customer sample', () => {
  it('reads the sample as reference_values.json describes it', () => {
    const setup = reference.cdnow_setup;
    expect(rows.length).toBe(setup.n_customers);
    expect(rows.filter((r) => r[1] === 0).length).toBe(setup.n_x_eq_0);
    expect(rows.reduce((s, r) => s + r[1], 0)).toBe(setup.sum_x);
  });

  it('fits the MLE within 1% with the log-likelihood within 0.01', () => {
    console.log(`BG/NBD CDNOW fit: ${fit.iterations} iterations, ${fit.evaluations} evaluations; ${fit.message}`);
    expect(fit.converged).toBe(true);
    for (const name of ['r', 'alpha', 'a', 'b'] as const) {
      expect(Math.abs(fit.params[name] / mle[name] - 1)).toBeLessThan(0.01);
    }
    expect(Math.abs(fit.logLikelihood - mle.loglik)).toBeLessThan(0.01);
    expect(fit.bic).toBeCloseTo(4 * Math.log(2357) - 2 * fit.logLikelihood, 9);
  });

  it('agrees with the published parameters to 2 decimals, as lifetimes tests it', () => {
    const [r, alpha, a, b] = lifetimesTests.params_close_to_paper.expected;
    expect(fit.params.r).toBeCloseTo(r, 2);
    expect(fit.params.alpha).toBeCloseTo(alpha, 2);
    expect(fit.params.a).toBeCloseTo(a, 2);
    expect(fit.params.b).toBeCloseTo(b, 2);
  });

  it('gives the reference log-likelihood at the published parameters', () => {
    const published = reference.bgnbd.published_FHL2005_sec7;
    expect(bgnbdLogLikelihood(published, cdnow)).toBeCloseTo(reference.bgnbd.recomputed_loglik_at_published_params, 3);
  });

  it('predicts 1.226 purchases in 39 weeks for x=2, t_x=30.43, T=38.86', () => {
    const c = lifetimesTests.conditional_expected_purchases;
    expect(Math.abs(bgnbdConditionalExpectedPurchases(fit.params, c.t, c.x, c.t_x, c.T) - c.expected)).toBeLessThan(c.abs_tol);
    expect(bgnbdConditionalExpectedPurchases(fit.params, 39, 2, 30.43, 38.86)).toBeCloseTo(examples['E[Y(39)|2,30.43,38.86]'], 4);
  });

  it('matches the unconditional E[X(t)] list', () => {
    const u = lifetimesTests.unconditional_expected_purchases;
    u.t.forEach((t: number, i: number) => {
      // The list is printed to 4 decimals at lifetimes' own fit; 5e-4 covers that rounding
      // (mpmath gives 1.85797 at our MLE for t = 78 where the list says 1.8576).
      expect(Math.abs(bgnbdExpectedPurchases(fit.params, t) - u.expected[i])).toBeLessThan(5e-4);
    });
    expect(bgnbdExpectedPurchases(fit.params, 0)).toBe(0);
  });

  it('matches the pmf at the BTYD parameters', () => {
    const pmf = lifetimesTests.pmf_at_fixed_params_BTYD;
    const p = pmf.params;
    expect(bgnbdPmf(p, 2, 10) / pmf['P(X(2)=10)'] - 1).toBeCloseTo(0, 5);
    expect(bgnbdPmf(p, 39, 0)).toBeCloseTo(pmf['P(X(39)=0)'], 7);
    pmf['P(X(30)=n), n=11..20'].forEach((expected: number, i: number) => {
      // Printed to 10 decimals.
      expect(Math.abs(bgnbdPmf(p, 30, 11 + i) - expected)).toBeLessThan(1e-9);
    });
  });

  it('has a pmf that sums to 1 and whose mean is E[X(t)]', () => {
    let total = 0;
    let mean = 0;
    for (let n = 0; n < 400; n++) {
      const p = bgnbdPmf(fit.params, 30, n);
      total += p;
      mean += n * p;
    }
    expect(total).toBeCloseTo(1, 12);
    expect(mean).toBeCloseTo(bgnbdExpectedPurchases(fit.params, 30), 9);
  });

  it('reproduces the P(alive) examples and population summaries', () => {
    expect(bgnbdProbabilityAlive(fit.params, 2, 30.43, 38.86)).toBeCloseTo(examples['P_alive(x=2,t_x=30.43,T=38.86)'], 4);
    expect(bgnbdProbabilityAlive(fit.params, 7, 29.43, 38.86)).toBeCloseTo(examples['P_alive(x=7,t_x=29.43,T=38.86)'], 4);
    expect(bgnbdProbabilityAlive(fit.params, 0, 1, 1)).toBe(lifetimesTests['conditional_probability_alive(0,1,1)']);
    let sumAlive = 0;
    let belowHalf = 0;
    let sumExpected = 0;
    for (let i = 0; i < rows.length; i++) {
      const alive = bgnbdProbabilityAlive(fit.params, cdnow.x[i], cdnow.tx[i], cdnow.T[i]);
      sumAlive += alive;
      if (alive < 0.5) belowHalf++;
      sumExpected += bgnbdConditionalExpectedPurchases(fit.params, 39, cdnow.x[i], cdnow.tx[i], cdnow.T[i]);
    }
    expect(sumAlive / rows.length).toBeCloseTo(examples.mean_P_alive_all_2357, 4);
    expect(belowHalf).toBe(examples['n_P_alive_lt_0.5']);
    expect(sumExpected).toBeCloseTo(examples['sum_E[Y(39)]_all_2357'], 1);
  });

  it('has an analytic gradient equal to central differences', () => {
    const logParams = Float64Array.of(Math.log(0.3), Math.log(5), Math.log(0.6), Math.log(2));
    const analytic = new Float64Array(4);
    const numeric = new Float64Array(4);
    const ll = (lp: Float64Array) => betaGeoLogLikelihood('bg', ...(Array.from(lp, Math.exp) as [number, number, number, number]), cdnow);
    betaGeoLogLikelihood('bg', 0.3, 5, 0.6, 2, cdnow, analytic);
    numericalGradient(ll, logParams, numeric);
    for (let i = 0; i < 4; i++) expect(Math.abs(analytic[i] - numeric[i])).toBeLessThan(1e-5 * Math.max(1, Math.abs(numeric[i])));
  });

  it('gives the same likelihood and fit on collapsed rows', () => {
    const collapsed = collapseSummary(cdnow);
    expect(collapsed.x.length).toBeLessThan(rows.length);
    expect(collapsed.weights.reduce((s, w) => s + w, 0)).toBe(rows.length);
    expect(bgnbdLogLikelihood(mle, collapsed)).toBeCloseTo(bgnbdLogLikelihood(mle, cdnow), 8);
    const uncollapsed = fitBgNbd(cdnow, { collapse: false });
    expect(uncollapsed.logLikelihood).toBeCloseTo(fit.logLikelihood, 6);
    expect(uncollapsed.params.b).toBeCloseTo(fit.params.b, 4);
  });

  it('handles a = 1, where the expectation formula has a removable singularity', () => {
    const p = { r: 0.5, alpha: 5, a: 1, b: 2 };
    const near = bgnbdExpectedPurchases({ ...p, a: 1 + 1e-3 }, 20);
    expect(bgnbdExpectedPurchases(p, 20)).toBeCloseTo(near, 3);
    expect(Number.isFinite(bgnbdConditionalExpectedPurchases(p, 10, 3, 8, 20))).toBe(true);
  });
});

describe('BG/NBD on unusable data', () => {
  it('refuses data without any repeat purchase', () => {
    const none: CustomerSummary = { x: [0, 0, 0], tx: [0, 0, 0], T: [10, 20, 30] };
    expect(() => fitBgNbd(none)).toThrow(ClvInputError);
    expect(() => fitBgNbd(none)).toThrow(/all x = 0/);
  });

  it('names the row that breaks 0 ≤ t_x ≤ T or has a fractional x', () => {
    expect(() => fitBgNbd({ x: [1, 2], tx: [5, 9], T: [10, 8] })).toThrow(/row 1: need 0 ≤ t_x ≤ T/);
    expect(() => fitBgNbd({ x: [1.5], tx: [5], T: [10] })).toThrow(/row 0: x must be a non-negative whole number/);
    expect(() => fitBgNbd({ x: [0], tx: [5], T: [10] })).toThrow(/t_x must be 0 when x = 0/);
    expect(() => fitBgNbd({ x: [], tx: [], T: [] })).toThrow(/no customers/);
  });

  it('reports non-convergence when nobody ever drops out and everyone buys alike', () => {
    // Every customer bought every week up to today: no dropout (b → ∞) and no rate heterogeneity (r → ∞).
    const n = 200;
    const degenerate: CustomerSummary = {
      x: new Float64Array(n).fill(10),
      tx: new Float64Array(n).fill(10),
      T: new Float64Array(n).fill(10),
    };
    const result = fitBgNbd(degenerate);
    console.log(`degenerate BG/NBD fit: ${result.message}`);
    expect(result.converged).toBe(false);
    expect(result.message).toMatch(/ran off to the edge|not converged/);
  });
});
