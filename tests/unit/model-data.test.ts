// Data a model cannot run on: an as-of date with no purchase before it gets one message from every model (the
// engine's every cell, the headless command's every section), and a one-customer file still gets every other model.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import { checkAsOf } from '../../src/models/asof.ts';
import { clusters } from '../../src/models/clusters.ts';
import { modelDataErrorData } from '../../src/models/data-error.ts';
import { Engine } from '../../workers/engine.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/asof/${f}`, import.meta.url));
const file = (name: string) => {
  const data = readFileSync(fixture(name));
  return { name, size: data.length, data };
};

const BEFORE = 'there are no purchases before the as-of date 2022-06-01: the first purchase is on 2023-01-03; choose a later as-of date';
const MODELS = ['overview', 'rfm', 'abc', 'cohorts', 'lifecycle', 'clusters', 'clv', 'churn', 'basket'] as const;

describe('checkAsOf', () => {
  const span = { first: '2023-01-03', next: '2024-02-01' };
  it('takes the day after the last purchase by default and a date after the first purchase as given', () => {
    expect(checkAsOf(null, span)).toBe('2024-02-01');
    expect(checkAsOf('2023-01-04', span)).toBe('2023-01-04');
    expect(checkAsOf('2030-01-01', span)).toBe('2030-01-01');
  });

  it('refuses a date on or before the first purchase with its code and dates', () => {
    for (const asOf of ['2022-06-01', '2023-01-03', '0202-06-01']) {
      let thrown: unknown;
      try {
        checkAsOf(asOf, span);
      } catch (e) {
        thrown = e;
      }
      expect(modelDataErrorData(thrown)).toEqual({ code: 'as_of_before_data', params: { as_of: asOf, first_day: '2023-01-03' } });
    }
  });

  it('refuses a malformed date and data without purchases', () => {
    expect(() => checkAsOf('2022-6-1', span)).toThrow(/must be YYYY-MM-DD/);
    expect(() => checkAsOf(null, { first: null, next: null })).toThrow(/no purchases to analyse/);
    expect(() => checkAsOf('2024-01-01', { first: null, next: null })).toThrow(/no purchases to analyse/);
  });
});

describe('an as-of date before the first purchase', { timeout: 180_000 }, () => {
  it('gives the same message from every model the page asks for, and the models run again at a later date', async () => {
    const engine = new Engine(await openNodeDb());
    const orders = await engine.load(file('from-2023.csv'));
    const applied = await engine.apply(orders.id, orders.mapping);
    expect(applied.defaultAsOf).toBe('2024-02-01');
    const settings = { asOf: '2022-06-01' };
    const asked: [string, () => Promise<unknown>][] = [
      ['overview', () => engine.run('overview', settings)],
      ['rfm', () => engine.run('rfm', settings)],
      ['abc', () => engine.run('abc', settings)],
      ['cohorts', () => engine.run('cohorts', settings)],
      ['lifecycle', () => engine.run('lifecycle', settings)],
      ['clusters', () => engine.run('clusters', settings)],
      ['clv', () => engine.run('clv', settings)],
      ['churn', () => engine.run('churn', settings)],
      ['basket', () => engine.run('basket', settings)],
      ['customer360', () => engine.customer360('K01', settings.asOf)],
    ];
    for (const [name, run] of asked) {
      const error = await run().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect({ name, data: modelDataErrorData(error), message: (error as Error | undefined)?.message }).toEqual({
        name,
        data: { code: 'as_of_before_data', params: { as_of: '2022-06-01', first_day: '2023-01-03' } },
        message: BEFORE,
      });
    }
    // The day after the first purchase has one purchase before it (K01's 57.00 on 2023-01-03).
    const after = await engine.run('overview', { asOf: '2023-01-04' });
    expect(after).toMatchObject({ customers: 1, purchases: 1, revenue: 57, first_day: '2023-01-03' });
    expect((await engine.customer360('K01', '2023-01-04')).summary.purchases).toBeGreaterThan(0);
  });

  it('is noted in every section of the headless command, which exits 1 with the message per model on stderr', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', '--orders', fixture('from-2023.csv'), '--as-of', '2022-06-01'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    for (const m of MODELS) expect({ m, section: out[m] }).toEqual({ m, section: { error: BEFORE } });
    expect(r.stderr.trim().split('\n')).toEqual(MODELS.map((m) => `analyze: ${m}: ${BEFORE}`).sort(byModelOrder));
  });
});

/** stderr lists the models in the order the document holds them (the registry's order). */
function byModelOrder(a: string, b: string): number {
  const order = ['overview', 'rfm', 'abc', 'cohorts', 'lifecycle', 'clv', 'churn', 'basket', 'clusters'];
  const at = (line: string) => order.indexOf(line.split(':')[1].trim());
  return at(a) - at(b);
}

describe('a one-customer file', { timeout: 180_000 }, () => {
  it('runs every model by default; clusters says it needs two customers and the command exits 0', async () => {
    const out = (await analyze({ orders: fixture('one-customer.csv') })) as Record<string, Record<string, unknown>>;
    expect(out.clusters).toEqual({ error: 'clustering needs at least 2 customers who differ in recency, frequency or monetary; these data have 1 customer' });
    expect(out.overview).toMatchObject({ customers: 1, purchases: 3, revenue: 60, as_of: '2023-03-06' });
    expect(out.rfm.customers).toHaveLength(1);
    expect(out.abc.customers).toEqual([{ customer_id: 'C1', class: 'A' }]);
    expect(out.lifecycle.total_customers).toBe(1);
    expect(out.basket).toMatchObject({ transactions: 3 });
    for (const m of ['overview', 'rfm', 'abc', 'cohorts', 'lifecycle', 'clv', 'basket']) expect(out[m]).not.toHaveProperty('error');

    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', '--orders', fixture('one-customer.csv')], { cwd: root, encoding: 'utf8', timeout: 180_000 });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('analyze: clusters: clustering needs at least 2 customers who differ in recency, frequency or monetary; these data have 1 customer\n');
    expect(JSON.parse(r.stdout).rfm.customers).toHaveLength(1);
  });

  it('clusters: too few customers and more clusters than distinct customers each have their code', async () => {
    const db = await openNodeDb();
    const loaded = await loadFile(db, 'one-customer.csv', readFileSync(fixture('one-customer.csv')), 'raw_orders');
    await applyMapping(db, loaded, loaded.mapping);
    const few = await clusters(db, {}).catch((e: unknown) => e);
    expect(modelDataErrorData(few)).toEqual({ code: 'clusters_too_few', params: { customers: 1, distinct: 1 } });

    const three = await openNodeDb();
    const csv = 'customer_id,order_ts,amount\na,2024-01-01,10\nb,2024-01-01,10\nc,2024-01-02,30\n';
    const tiny = await loadFile(three, 'tiny.csv', new TextEncoder().encode(csv), 'raw_orders');
    await applyMapping(three, tiny, tiny.mapping);
    const many = await clusters(three, { k: 3 }).catch((e: unknown) => e);
    expect(modelDataErrorData(many)).toEqual({ code: 'clusters_too_many', params: { k: 3, distinct: 2 } });
    expect((many as Error).message).toBe('only 2 customers differ in recency, frequency and monetary: choose at most 2 clusters');
    expect((await clusters(three, { k: 2 })).customers).toBe(3);
  });
});
