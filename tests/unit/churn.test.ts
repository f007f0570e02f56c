// Churn warning: who is flagged and why, value at risk, the engine's reuse of the CLV fit, and the exports.
import { read, utils } from '@e965/xlsx';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import { buildCadence } from '../../src/models/cadence.ts';
import { buildChurn, churnCustomers, churnExportSql } from '../../src/models/churn.ts';
import { fitClv } from '../../src/models/clv/model.ts';
import { runChurn, runClv } from '../../src/models/clv/runs.ts';
import { exportChurnList } from '../../src/models/model-exports.ts';
import { runContext } from './run-context.ts';

const cdnow = new URL('../../../shared/data/CDNOW_sample.txt', import.meta.url);
const AS_OF = '1998-07-01';

async function open(): Promise<Db> {
  const db = await openNodeDb();
  const loaded = await loadFile(db, 'CDNOW_sample.txt', readFileSync(cdnow), 'raw_orders');
  await applyMapping(db, loaded, loaded.mapping);
  return db;
}

describe('churn list on the CDNOW sample', () => {
  let db: Db;
  beforeAll(async () => {
    db = await open();
    await fitClv(db, { compare: false });
    await buildCadence(db, AS_OF);
  });

  it('flags P(alive) < 0.5 or slipping, ranked by CLV had they stayed active', async () => {
    const summary = await buildChurn(db, { asOf: AS_OF, scores: 'clv_customers' });
    const low = await rows<{ customer_id: string }>(db, 'SELECT customer_id FROM clv_customers WHERE p_alive < 0.5');
    const slipping = await rows<{ customer_id: string }>(db, 'SELECT customer_id FROM cadence WHERE slipping');
    const union = new Set([...low, ...slipping].map((r) => r.customer_id));
    expect(summary.customers).toBe(2357);
    expect(summary.low_p_alive).toBe(low.length);
    expect(summary.slipping).toBe(slipping.length);
    expect(summary.flagged).toBe(union.size);
    expect(summary.both).toBe(low.length + slipping.length - union.size);
    expect(slipping.length).toBeGreaterThan(0);

    const list = await churnCustomers(db);
    expect(new Set(list.map((r) => r.customer_id))).toEqual(union);
    expect(list.map((r) => r.rank)).toEqual(list.map((_, i) => i + 1));
    const scores = new Map((await rows<{ customer_id: string; p_alive: number; clv: number }>(db, 'SELECT customer_id, p_alive, clv FROM clv_customers')).map((r) => [r.customer_id, r]));
    for (const row of list) {
      const s = scores.get(row.customer_id)!;
      expect(row.value_basis).toBe('predicted');
      expect(row.value_at_risk).toBeCloseTo(s.clv / s.p_alive, 8);
      expect(row.low_p_alive).toBe(s.p_alive < 0.5);
    }
    for (let i = 1; i < list.length; i++) expect(list[i].value_at_risk).toBeLessThanOrEqual(list[i - 1].value_at_risk);
    expect(summary.value_at_risk).toBeCloseTo(list.reduce((s, r) => s + r.value_at_risk, 0), 6);
  });

  it('follows the threshold and the slipping switch', async () => {
    const strict = await buildChurn(db, { asOf: AS_OF, scores: 'clv_customers', settings: { pAliveBelow: 0.2, slipping: false } });
    const [{ n }] = await rows<{ n: number }>(db, 'SELECT count(*)::DOUBLE AS n FROM clv_customers WHERE p_alive < 0.2');
    expect(strict.flagged).toBe(n);
    expect(strict.low_p_alive).toBe(n);
    expect((await churnCustomers(db)).every((r) => r.low_p_alive)).toBe(true);
    await expect(buildChurn(db, { asOf: AS_OF, scores: 'clv_customers', settings: { pAliveBelow: 0 } })).rejects.toThrow(/threshold/);
  });

  it('without a model, lists slipping customers by historical spend and says why', async () => {
    const summary = await buildChurn(db, { asOf: AS_OF, scores: null, modelError: 'no repeat buyers' });
    expect(summary.model_error).toBe('no repeat buyers');
    expect(summary.low_p_alive).toBe(0);
    const list = await churnCustomers(db);
    expect(list.length).toBe(summary.slipping);
    for (const row of list) {
      expect(row.value_basis).toBe('historical');
      expect(row.value_at_risk).toBe(row.monetary);
      expect(row.p_alive).toBeNull();
    }
  });

  it('exports the reason codes and values by rank', async () => {
    await buildChurn(db, { asOf: AS_OF, scores: 'clv_customers' });
    const csv = new TextDecoder().decode(await db.exportCsv(churnExportSql())).trim().split('\n');
    expect(csv[0]).toBe('rank,customer_id,name,phone,reason,p_alive,last_day,recency_days,median_gap_days,monetary,clv,value_at_risk,value_basis');
    const reasons = new Set(csv.slice(1).map((l) => l.split(',')[4]));
    expect([...reasons].sort()).toEqual(['low_p_alive', 'low_p_alive+slipping', 'slipping']);
  });
});

describe('the engine runs', () => {
  it('says why when no model can be fitted, and still builds the list from cadence', async () => {
    const db = await openNodeDb();
    const csv = ['customer_id,order_ts,amount', ...Array.from({ length: 40 }, (_, i) => `c${i},2024-0${1 + (i % 9)}-1${i % 10},${10 + i}`)].join('\n');
    const loaded = await loadFile(db, 'once.csv', new TextEncoder().encode(csv), 'raw_orders');
    await applyMapping(db, loaded, loaded.mapping);
    const ctx = runContext();
    await expect(runClv(db, { asOf: null }, ctx)).rejects.toThrow(/no customer has a repeat purchase/);
    const churn = await runChurn(db, { asOf: null }, ctx);
    expect(churn.model_error).toMatch(/no customer has a repeat purchase/);
    expect(churn.customers).toBe(40);
    expect(churn.flagged).toBe(0);
  });

  it('reuses the CLV cell fit when it is calibrated to the last day, and fits its own otherwise', async () => {
    const db = await open();
    const ctx = runContext();
    const tables = async () => new Set((await rows<{ t: string }>(db, `SELECT table_name AS t FROM duckdb_tables()`)).map((r) => r.t));

    const current = await runClv(db, { asOf: null, clv: {} }, ctx);
    const first = await runChurn(db, { asOf: null, clv: {} }, ctx);
    expect((await tables()).has('churn_scores')).toBe(false);
    expect(first.low_p_alive).toBe(current.totals.p_alive_below_half);

    const calibrated = await runClv(db, { asOf: null, clv: { calibrationEnd: '1997-09-30' } }, ctx);
    expect(calibrated.holdout).not.toBeNull();
    const again = await runChurn(db, { asOf: null, clv: { calibrationEnd: '1997-09-30' } }, ctx);
    expect((await tables()).has('churn_scores')).toBe(true);
    expect(again.flagged).toBe(first.flagged);
    expect(again.value_at_risk).toBeCloseTo(first.value_at_risk, 6);

    // A new horizon only rescores: the same fitted parameters.
    const longer = await runClv(db, { asOf: null, clv: { calibrationEnd: '1997-09-30', horizonMonths: 24 } }, ctx);
    expect(longer.bgnbd).toEqual(calibrated.bgnbd);
    expect(longer.totals.clv).toBeGreaterThan(calibrated.totals.clv);

    const book = read(await exportChurnList(db, { format: 'xlsx', lang: 'en' }), { type: 'array' });
    const sheet = utils.sheet_to_json<unknown[]>(book.Sheets['Churn warning'], { header: 1 });
    expect(sheet[0]).toEqual(['Rank', 'Customer ID', 'Name', 'Phone', 'Reason', 'P(alive)', 'Last purchase', 'Days since last purchase', 'Usual gap between purchases (days)', 'Total spend', 'Predicted value', 'Value at risk', 'Value basis']);
    expect(sheet.length - 1).toBe(again.flagged);
    expect(sheet.slice(1).some((r) => r[4] === 'low P(alive); slipping')).toBe(true);
  });
});
