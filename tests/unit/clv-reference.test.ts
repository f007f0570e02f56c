// The CDNOW reference checks of MODELS.md §6, starting from the raw transaction files through the real ingest.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import {
  bgnbdConditionalExpectedPurchases,
  bgnbdExpectedPurchases,
  bgnbdProbabilityAlive,
  gammaGammaConditionalExpectedSpend,
  paretoNbdConditionalExpectedPurchases,
  paretoNbdExpectedPurchases,
  paretoNbdProbabilityAlive,
  type BgNbdParams,
  type ParetoNbdParams,
} from '../../src/models/clv/index.ts';
import { clv, type ClvCustomer, type ClvResult } from '../../src/models/clv/model.ts';
import { clvSummarySql } from '../../src/models/clv/sql.ts';

const shared = (name: string) => new URL(`../../../shared/data/${name}`, import.meta.url);
const reference = JSON.parse(readFileSync(shared('reference_values.json'), 'utf8'));
const csv = (name: string) =>
  readFileSync(shared(name), 'utf8')
    .trim()
    .split(/\r?\n/)
    .slice(1)
    .map((line) => line.split(',').map(Number));

/** Load a raw file as the headless command does: guessed mapping, default cleaning rules. */
async function ingest(db: Db, file: string): Promise<void> {
  const loaded = await loadFile(db, file, readFileSync(shared(file)), 'raw_orders');
  await applyMapping(db, loaded, loaded.mapping);
}

const within = (got: number, want: number, relative: number) => expect(Math.abs(got / want - 1)).toBeLessThan(relative);

describe('CLV on the raw CDNOW sample, calibration end 1997-09-30, weeks', () => {
  let db: Db;
  let result: ClvResult & { customers: ClvCustomer[] };
  // sample_id (1 … 2357, the ID of the published summaries) → the master customer id the ingest keys customers by.
  const masterOf = new Map<number, string>();

  beforeAll(async () => {
    db = await openNodeDb();
    await ingest(db, 'CDNOW_sample.txt');
    for (const line of readFileSync(shared('CDNOW_sample.txt'), 'utf8').trim().split(/\r?\n/)) {
      const [master, sample] = line.trim().split(/\s+/);
      masterOf.set(Number(sample), master);
    }
    result = await clv(db, { calibrationEnd: '1997-09-30', compare: true });
  });

  it('builds the published customer summary (x, t_x, T, mean repeat spend) from the transactions', async () => {
    const summary = new Map(
      (await rows<{ customer_id: string; x: number; t_x: number; T: number; monetary: number }>(db, clvSummarySql('1998-07-01', '1997-09-30', 'week'))).map((r) => [r.customer_id, r]),
    );
    const published = csv('cdnow_customers_summary_with_transactions.csv');
    expect(summary.size).toBe(published.length);
    for (const [id, x, tx, T, zbar] of published) {
      const got = summary.get(masterOf.get(id)!)!;
      expect(got.x).toBe(x);
      // The published file rounds to 2 decimals.
      expect(Math.abs(got.t_x - tx)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(got.T - T)).toBeLessThanOrEqual(0.005 + 1e-9);
      expect(Math.abs(got.monetary - zbar)).toBeLessThanOrEqual(0.005 + 1e-9);
    }
    const setup = reference.cdnow_setup;
    expect(result.n_customers).toBe(setup.n_customers);
    expect(result.repeaters).toBe(setup.n_x_gt_0);
    expect(result.customers.reduce((s, c) => s + c.x, 0)).toBe(setup.sum_x);
    expect(result.holdout_length).toBe(39);
  });

  it('fits the BG/NBD within 1% of the published parameters, log-likelihood within 0.01 of the MLE', () => {
    const published = reference.bgnbd.published_FHL2005_sec7;
    const mle = reference.bgnbd.recomputed_mle;
    for (const k of ['r', 'alpha', 'a', 'b'] as const) {
      within(result.bgnbd[k], published[k], 0.01);
      within(result.bgnbd[k], mle[k], 0.01);
    }
    expect(Math.abs(result.bgnbd.log_likelihood - mle.loglik)).toBeLessThan(0.01);
    expect(result.status.converged).toBe(true);
    expect(result.status.advice).toEqual([]);
  });

  it('fits the Gamma-Gamma on the 946 repeat buyers within 1%', () => {
    const gg = result.gamma_gamma!;
    expect(gg.customers).toBe(946);
    for (const k of ['p', 'q', 'v'] as const) {
      within(gg[k], reference.gamma_gamma.published[k], 0.01);
      within(gg[k], reference.gamma_gamma.recomputed_mle[k], 0.01);
    }
    expect(Math.abs(gg.log_likelihood - reference.gamma_gamma.recomputed_mle.loglik)).toBeLessThan(0.05);
    expect(result.spend_basis).toBe('gamma_gamma');
    expect(result.spend_frequency_correlation!).toBeCloseTo(reference.gamma_gamma.corr_frequency_monetary, 3);
  });

  it('fits MBG/NBD and Pareto/NBD within 1%, and compares the three by BIC and holdout error', () => {
    const byModel = Object.fromEntries(result.models.map((m) => [m.model, m]));
    const mbg = reference.modified_bgnbd.lifetimes_test_expected_BTYDplus;
    for (const k of ['r', 'alpha', 'a', 'b'] as const) within(byModel.mbgnbd.params[k], mbg[k], 0.01);
    const pareto = reference.pareto_nbd.published_FHL2005;
    for (const k of ['r', 'alpha', 's', 'beta'] as const) within(byModel.paretonbd.params[k], pareto[k], 0.01);
    expect(Math.abs(byModel.paretonbd.log_likelihood - reference.pareto_nbd.recomputed_mle.loglik)).toBeLessThan(0.01);
    expect(result.models.every((m) => m.converged)).toBe(true);
    // BIC ranks MBG/NBD, BG/NBD, then Pareto/NBD (same parameter count: the log-likelihood order).
    expect(result.models.map((m) => m.model)).toEqual(['mbgnbd', 'bgnbd', 'paretonbd']);
    expect(result.models[0].delta_bic).toBe(0);
    // Holdout (weeks 40–78): 1,882 repeat purchase days; the BG/NBD predicts the published Σ E[Y(39)] = 1653.4.
    for (const m of result.models) expect(m.holdout!.actual).toBe(1882);
    expect(byModel.bgnbd.holdout!.predicted).toBeCloseTo(reference.bgnbd.recomputed_examples_at_mle['sum_E[Y(39)]_all_2357'], 1);
  });

  it('gives the listed conditional expectations and P(alive) values at the fitted parameters', () => {
    const p = result.bgnbd as BgNbdParams;
    const ex = reference.bgnbd.recomputed_examples_at_mle;
    expect(Math.abs(bgnbdProbabilityAlive(p, 2, 30.43, 38.86) - ex['P_alive(x=2,t_x=30.43,T=38.86)'])).toBeLessThan(1e-3);
    expect(Math.abs(bgnbdProbabilityAlive(p, 7, 29.43, 38.86) - ex['P_alive(x=7,t_x=29.43,T=38.86)'])).toBeLessThan(1e-3);
    expect(Math.abs(bgnbdConditionalExpectedPurchases(p, 39, 2, 30.43, 38.86) - ex['E[Y(39)|2,30.43,38.86]'])).toBeLessThan(1e-3);
    const lt = reference.bgnbd.lifetimes_tests;
    expect(Math.abs(bgnbdConditionalExpectedPurchases(p, 39, 2, 30.43, 38.86) - lt.conditional_expected_purchases.expected)).toBeLessThan(1e-3);
    lt.unconditional_expected_purchases.t.forEach((t: number, i: number) => {
      expect(Math.abs(bgnbdExpectedPurchases(p, t) - lt.unconditional_expected_purchases.expected[i])).toBeLessThan(1e-3);
    });
    expect(bgnbdProbabilityAlive(p, 0, 1, 1)).toBe(lt['conditional_probability_alive(0,1,1)']);
    // Over all 2,357 customers, from the table the cells and the customer view read.
    const alive = result.customers.map((c) => c.p_alive!);
    expect(Math.abs(alive.reduce((s, v) => s + v, 0) / alive.length - ex.mean_P_alive_all_2357)).toBeLessThan(1e-3);
    expect(alive.filter((v) => v < 0.5).length).toBe(ex['n_P_alive_lt_0.5']);
    expect(result.totals.p_alive_below_half).toBe(ex['n_P_alive_lt_0.5']);

    const pareto = result.models.find((m) => m.model === 'paretonbd')!.params as unknown as ParetoNbdParams;
    const plt = reference.pareto_nbd.lifetimes_tests;
    expect(Math.abs(paretoNbdProbabilityAlive(pareto, 26, 30.86, 31) - plt['P_alive(x=26,t_x=30.86,T=31) at BTYD params'])).toBeLessThan(1e-3);
    // Published to 2 decimals.
    expect(Math.abs(paretoNbdConditionalExpectedPurchases(pareto, 52, 26, 30.86, 31) - plt['E[Y(52)|x=26,t_x=30.86,T=31]'])).toBeLessThan(0.005);
    // The E[X(t)] list is lifetimes' value at rounded parameters (0.55, 10.56, 0.61, 11.64): at the MLE it agrees to lifetimes' own 0.01.
    plt['E[X(t)] t=0..9'].forEach((want: number, t: number) => expect(Math.abs(paretoNbdExpectedPurchases(pareto, t) - want)).toBeLessThan(0.01));
  });

  it('gives the listed expected average spend per customer, from its own summary', () => {
    const gg = result.gamma_gamma!;
    const byId = new Map(result.customers.map((c) => [c.customer_id, c]));
    const want = reference.gamma_gamma.lifetimes_docs_conditional_expected_average_profit_first10 as number[];
    want.forEach((value, i) => {
      const c = byId.get(masterOf.get(i + 1)!)!;
      // lifetimes fitted on zbar rounded to cents: relative 1e-3.
      expect(Math.abs(c.expected_spend! / value - 1)).toBeLessThan(1e-3);
    });
    const mean = result.customers.reduce((s, c) => s + c.expected_spend!, 0) / result.customers.length;
    expect(Math.abs(mean / reference.gamma_gamma.lifetimes_docs_mean_conditional_expected_average_profit_all_2357 - 1)).toBeLessThan(1e-3);
    // x = 0: the population mean p v / (q − 1).
    const oneTimer = result.customers.find((c) => c.x === 0)!;
    expect(oneTimer.expected_spend).toBeCloseTo((gg.p * gg.v) / (gg.q - 1), 10);
    expect(gammaGammaConditionalExpectedSpend(gg, 0, 0)).toBeCloseTo(oneTimer.expected_spend!, 10);
  });

  it('values CLV over 12 months of 365.25/12 days in weeks, discounted 1% a month', () => {
    const p = result.bgnbd as BgNbdParams;
    const c = result.customers.find((k) => k.x === 2 && k.p_alive! < 0.9)!;
    const month = 365.25 / 12 / 7;
    let value = 0;
    for (let i = 1; i <= 12; i++) {
      const step = bgnbdConditionalExpectedPurchases(p, i * month, c.x, c.t_x, c.T) - bgnbdConditionalExpectedPurchases(p, (i - 1) * month, c.x, c.t_x, c.T);
      value += step / 1.01 ** i;
    }
    expect(c.clv).toBeCloseTo(value * c.expected_spend!, 9);
    expect(c.expected_purchases).toBeCloseTo(bgnbdConditionalExpectedPurchases(p, 12 * month, c.x, c.t_x, c.T), 12);
    expect(result.totals.clv).toBeCloseTo(result.customers.reduce((s, k) => s + k.clv!, 0), 6);
  });
});

describe('CLV on the raw CDNOW master file (23,570 customers)', () => {
  it('fits and converges, with the holdout tracked week by week', async () => {
    const db = await openNodeDb();
    await ingest(db, 'CDNOW_master.txt');
    const result = await clv(db, { calibrationEnd: '1997-09-30', compare: true });
    expect(result.n_customers).toBe(23570);
    expect(result.customers.length).toBe(23570);
    expect(result.status.converged).toBe(true);
    expect(result.models.map((m) => m.model).sort()).toEqual(['bgnbd', 'mbgnbd', 'paretonbd']);
    for (const m of result.models) {
      expect(m.converged).toBe(true);
      for (const v of Object.values(m.params)) expect(v > 1e-4 && v < 1e4).toBe(true);
    }
    expect(result.gamma_gamma!.converged).toBe(true);
    // The 10× larger cohort gives estimates of the same order as the 1/10 sample's.
    within(result.bgnbd.r, 0.2426, 0.25);
    within(result.bgnbd.alpha, 4.414, 0.25);
    const tracking = result.holdout!.tracking;
    expect(tracking.length).toBe(78);
    const last = tracking[tracking.length - 1];
    // The model explains cumulative repeat purchases to within 15% after 39 holdout weeks.
    expect(Math.abs(last.predicted / last.actual - 1)).toBeLessThan(0.15);
    expect(result.customers.every((c) => c.clv !== null && c.clv >= 0 && c.p_alive! > 0 && c.p_alive! <= 1)).toBe(true);
  });
});
