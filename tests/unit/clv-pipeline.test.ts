// Fit-and-score pipeline: per-history scoring, spend fallbacks, model choice, the synthetic workload.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { collapseSummary, fitPurchaseModel, lifetimeValues, purchaseModel, type PurchaseModelKind } from '../../src/models/clv/index.ts';
import { scoreCustomers, scoreHistories, type ClvInput, type FitStore } from '../../src/models/clv/pipeline.ts';
import { fitAndScoreSynthetic, syntheticCustomers } from '../../src/models/clv/synthetic.ts';

const rows = readFileSync(new URL('../../../shared/data/cdnow_customers_summary_with_transactions.csv', import.meta.url), 'utf8')
  .trim()
  .split(/\r?\n/)
  .slice(1)
  .map((line) => line.split(',').map(Number));
const cdnow: ClvInput = {
  x: Float64Array.from(rows, (r) => r[1]),
  tx: Float64Array.from(rows, (r) => r[2]),
  T: Float64Array.from(rows, (r) => r[3]),
  monetary: Float64Array.from(rows, (r) => r[4]),
  dayValue: Float64Array.from(rows, (r) => r[4] || 20),
};
const options = { model: 'bgnbd' as const, timeUnit: 'week' as const, horizonMonths: 12, monthlyDiscount: 0.01, marginRate: 1, holdoutLength: 0 };

describe('scoring distinct histories', () => {
  it.each(['bgnbd', 'mbgnbd', 'paretonbd'] as PurchaseModelKind[])('equals the direct computation for %s', (kind) => {
    const rowOf = new Int32Array(cdnow.x.length);
    const unique = collapseSummary(cdnow, rowOf);
    expect(unique.x.length).toBeLessThan(cdnow.x.length);
    const model = purchaseModel(kind, fitPurchaseModel(kind, unique).params);
    const clvOptions = { timeUnit: 'week' as const, horizonMonths: 12, monthlyDiscountRate: 0.01 };
    const got = scoreHistories(model, unique, [39, 52], clvOptions);
    const direct = lifetimeValues(model.conditionalExpectedPurchases, unique, new Float64Array(unique.x.length).fill(1), clvOptions);
    for (let u = 0; u < unique.x.length; u++) {
      const [x, tx, T] = [unique.x[u], unique.tx[u], unique.T[u]];
      expect(got.alive[u]).toBe(model.probabilityAlive(x, tx, T));
      expect(got.expected[0][u]).toBeCloseTo(model.conditionalExpectedPurchases(39, x, tx, T), 12);
      expect(got.expected[1][u]).toBeCloseTo(model.conditionalExpectedPurchases(52, x, tx, T), 12);
      expect(got.discounted[u]).toBeCloseTo(direct[u], 12);
    }
    // Every customer maps to the merged row of its own history.
    for (let i = 0; i < cdnow.x.length; i += 97) {
      expect([unique.x[rowOf[i]], unique.tx[rowOf[i]], unique.T[rowOf[i]]]).toEqual([cdnow.x[i], cdnow.tx[i], cdnow.T[i]]);
    }
  });
});

describe('scoreCustomers', () => {
  it('scores CDNOW with the Gamma-Gamma spend and the margin rate', () => {
    const full = scoreCustomers(cdnow, { ...options, compare: true });
    const margin = scoreCustomers(cdnow, { ...options, marginRate: 0.25, compare: false });
    expect(full.spendBasis).toBe('gamma_gamma');
    expect(full.runs.map((r) => r.kind)).toEqual(['bgnbd', 'mbgnbd', 'paretonbd']);
    expect(margin.runs.map((r) => r.kind)).toEqual(['bgnbd']);
    // By default Pareto/NBD is left to be asked for; chosen, it is fitted beside BG/NBD.
    expect(scoreCustomers(cdnow, options).runs.map((r) => r.kind)).toEqual(['bgnbd', 'mbgnbd']);
    expect(scoreCustomers(cdnow, { ...options, model: 'paretonbd', compare: false }).runs.map((r) => r.kind)).toEqual(['bgnbd', 'paretonbd']);
    for (let i = 0; i < cdnow.x.length; i += 50) expect(margin.clv[i]).toBeCloseTo(full.clv[i] * 0.25, 10);
    expect(full.gammaGamma!.params.p).toBeCloseTo(6.2488, 2);
  });

  it('falls back to historical spend, and says why, when no repeat purchase has a positive value', () => {
    const free = { ...cdnow, monetary: new Float64Array(cdnow.x.length) };
    const scores = scoreCustomers(free, { ...options, compare: false });
    expect(scores.spendBasis).toBe('historical');
    expect(scores.spendProblem).toMatch(/no customer has a repeat purchase with positive spend/);
    expect(scores.gammaGamma).toBeNull();
    expect(Array.from(scores.expectedSpend)).toEqual(Array.from(free.dayValue));
    const i = cdnow.x.findIndex((x) => x > 3);
    expect(scores.clv[i]).toBeGreaterThan(0);
  });

  it('compares the models on the holdout per frequency bucket', () => {
    const holdoutX = Float64Array.from(cdnow.x, (x) => Math.min(x, 3));
    const scores = scoreCustomers({ ...cdnow, holdoutX }, { ...options, holdoutLength: 39, compare: true });
    expect(scores.bucketCustomers!.reduce((s, n) => s + n, 0)).toBe(2357);
    expect(scores.bucketCustomers![0]).toBe(1411);
    expect(scores.bucketActual![3]).toBe(3);
    const bg = scores.runs.find((r) => r.kind === 'bgnbd')!;
    expect(bg.holdout!.actual).toBe(holdoutX.reduce((s, v) => s + v, 0));
    // Σ E[Y(39)] over all customers at the (rounded-summary) MLE.
    expect(bg.holdout!.predicted).toBeCloseTo(1653.4, 0);
    const weighted = bg.bucketPredicted!.reduce((s, m, b) => s + m * scores.bucketCustomers![b], 0);
    expect(weighted).toBeCloseTo(bg.holdout!.predicted, 6);
  });

  it('reuses the fits of a store, so a new horizon only rescores', () => {
    const fits: FitStore = new Map();
    const first = scoreCustomers(cdnow, { ...options, compare: true, fits });
    expect([...fits.keys()].sort()).toEqual(['bgnbd', 'mbgnbd', 'paretonbd', 'spend']);
    const again = scoreCustomers(cdnow, { ...options, compare: true, horizonMonths: 24, fits });
    for (const run of again.runs) expect(run.fit).toBe(fits.get(run.kind));
    expect(again.gammaGamma).toBe(first.gammaGamma);
    const i = cdnow.x.findIndex((x) => x > 2);
    expect(again.clv[i]).toBeGreaterThan(first.clv[i]);
    expect(again.clv[i]).toBeCloseTo(scoreCustomers(cdnow, { ...options, horizonMonths: 24 }).clv[i], 6);
  });

  it('stops a fit at its time limit: a comparison model is left out, the chosen one is an error that says what to do', () => {
    const fits: FitStore = new Map();
    scoreCustomers(cdnow, { ...options, fits });
    // BG/NBD and MBG/NBD come from the store; only Pareto/NBD is fitted, and it has 1 ms.
    const scores = scoreCustomers(cdnow, { ...options, compare: true, fits, fitTimeLimitMs: 1 });
    expect(scores.runs.map((r) => r.kind)).toEqual(['bgnbd', 'mbgnbd']);
    expect(scores.unfinished).toEqual(['paretonbd']);
    expect(() => scoreCustomers(cdnow, { ...options, model: 'paretonbd', compare: false, fits, fitTimeLimitMs: 1 })).toThrow(
      /the Pareto\/NBD fit did not finish within 0.001 s on these data: use BG\/NBD or MBG\/NBD/,
    );
  });

  it('refuses data without a single repeat purchase', () => {
    const none = { ...cdnow, x: new Float64Array(cdnow.x.length), tx: new Float64Array(cdnow.x.length) };
    expect(() => scoreCustomers(none, options)).toThrow(/no customer has a repeat purchase/);
  });
});

describe('synthetic customers', () => {
  it('are reproducible from the seed and recover the generating parameters', () => {
    const a = syntheticCustomers(1000, { seed: 42 });
    const b = syntheticCustomers(1000, { seed: 42 });
    expect(Array.from(a.x)).toEqual(Array.from(b.x));
    expect(Array.from(a.monetary)).toEqual(Array.from(b.monetary));
    expect(Array.from(syntheticCustomers(1000, { seed: 43 }).x)).not.toEqual(Array.from(a.x));
    const run = fitAndScoreSynthetic(50_000, { seed: 3 });
    expect(run.scores.chosen.fit.converged).toBe(true);
    const truth = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
    for (const k of ['r', 'alpha', 'a', 'b'] as const) expect(Math.abs((run.scores.chosen.fit.params as typeof truth)[k] / truth[k] - 1)).toBeLessThan(0.15);
    const gg = run.scores.gammaGamma!;
    expect(gg.converged).toBe(true);
    // Mean spend per purchase p v / (q − 1) = 6 × 15 / 3 = 30.
    expect((gg.params.p * gg.params.v) / (gg.params.q - 1)).toBeGreaterThan(27);
    expect((gg.params.p * gg.params.v) / (gg.params.q - 1)).toBeLessThan(33);
    expect(run.scores.clv.length).toBe(50_000);
  });
});
