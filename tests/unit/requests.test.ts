// The engine's one request manager, on a real DuckDB: a model's result is kept for the same settings and data, a
// change of sources makes everything kept stale, fits wait for each other in their lane while SQL models answer,
// and a failed run is never kept.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { scoreCustomers, type ScoreRunner } from '../../src/models/clv/pipeline.ts';
import { Engine } from '../../workers/engine.ts';
import { RequestManager } from '../../workers/requests.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const bytes = (name: string, text: string) => {
  const data = new TextEncoder().encode(text);
  return { name, size: data.length, data };
};

async function apply(engine: Engine, file: { name: string; size: number; data: Uint8Array }) {
  const view = await engine.load(file);
  await engine.apply(view.id, view.mapping);
  return view.id;
}

const orders = () => {
  const data = readFileSync(sample('orders.csv'));
  return { name: 'orders.csv', size: data.length, data };
};

describe('the request manager', { timeout: 300_000 }, () => {
  it("keeps a model's last result for the same settings and data, and runs it again when its tables hold another", async () => {
    const engine = new Engine(await openNodeDb());
    await apply(engine, orders());
    const first = engine.run('rfm', { rfm: {} });
    expect(engine.run('rfm', { rfm: {} })).toBe(first);
    const sum = await first;
    const mean = await engine.run('rfm', { rfm: { monetary: 'mean' } });
    expect(mean.means.monetary).toBeLessThan(sum.means.monetary);
    // The `rfm` table now holds the mean reading: asking for the sum again runs again, with the same numbers.
    const again = await engine.run('rfm', { rfm: {} });
    expect(again).not.toBe(sum);
    expect(again).toEqual(sum);
    const [top] = await engine.list('rfm', { limit: 1 });
    const [{ revenue }] = await engine.query(`SELECT sum(net)::DOUBLE AS revenue FROM customer_purchases WHERE customer_id = '${top.customer_id}'`);
    expect(top.monetary).toBeCloseTo(revenue as number, 6);
  });

  it('one data version, bumped by every source applied or removed: nothing kept answers for new data', async () => {
    const engine = new Engine(await openNodeDb());
    const version = engine.dataVersion;
    const big = await apply(engine, orders());
    expect(engine.dataVersion).toBe(version + 1);
    const before = await engine.run('overview', {});
    expect(before.customers).toBeGreaterThan(1000);
    const small = await apply(engine, bytes('small.csv', 'order_id,customer_id,order_date,amount\nA1,c1,2024-03-05,10\nA2,c2,2024-03-09,20\nA3,c1,2024-03-20,5\n'));
    expect(engine.dataVersion).toBe(version + 2);
    const after = await engine.run('overview', {});
    expect(after).toMatchObject({ customers: 2, purchases: 3, revenue: 35, as_of: '2024-03-21' });
    await engine.remove(big);
    expect(engine.dataVersion).toBe(version + 3);
    // The same settings on the same tables, but after a change of sources: a new run (equal numbers), not the kept one.
    const same = await engine.run('overview', {});
    expect(same).not.toBe(after);
    expect(same).toEqual(after);
    await engine.remove(small);
    expect(engine.dataVersion).toBe(version + 4);
  });

  it('fits wait for each other in the fit lane while the SQL models answer', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const fitting = new Promise<void>((resolve) => (started = resolve));
    const score: ScoreRunner = async (input, options) => {
      started();
      await gate;
      return scoreCustomers(input, options);
    };
    const engine = new Engine(await openNodeDb(), { scoreClv: score });
    await apply(engine, orders());
    const done: string[] = [];
    const clv = engine.run('clv', {}).then((r) => (done.push('clv'), r));
    await fitting;
    const churn = engine.run('churn', {}).then((r) => (done.push('churn'), r));
    const churnList = engine.list('churn', { limit: 3 }).then((r) => (done.push('churn list'), r));
    const rfm = await engine.run('rfm', {});
    const overview = await engine.run('overview', {});
    done.push('sql');
    expect(rfm.customers).toBe(overview.customers);
    expect(done).toEqual(['sql']);
    release();
    const [fit, warning, list] = await Promise.all([clv, churn, churnList]);
    expect(done).toEqual(['sql', 'clv', 'churn', 'churn list']);
    // The churn list reuses the CLV cell's scores (same model, calibrated to the last day): no second fit table.
    const tables = await engine.query(`SELECT table_name FROM duckdb_tables() WHERE table_name = 'churn_scores'`);
    expect(tables).toEqual([]);
    expect(warning.low_p_alive).toBe(fit.totals.p_alive_below_half);
    expect(list).toHaveLength(3);
    expect(list[0].rank).toBe(1);
  });

  it('runs a lane one request at a time, and SQL requests at once (real queries)', async () => {
    const db: Db = await openNodeDb();
    const manager = new RequestManager();
    const log: string[] = [];
    const task = (name: string) => async () => {
      log.push(`${name}+`);
      await rows(db, 'SELECT sum(i) FROM range(2000000) t(i)');
      log.push(`${name}-`);
    };
    await Promise.all([manager.inLane('tables', task('a')), manager.inLane('tables', task('b')), manager.inLane('fit', task('c'))]);
    expect(log.indexOf('b+')).toBeGreaterThan(log.indexOf('a-'));
    // The fit lane does not wait for the tables lane.
    expect(log.indexOf('c+')).toBeLessThan(log.indexOf('a-'));
    log.length = 0;
    await Promise.all([manager.inLane('sql', task('d')), manager.inLane('sql', task('e'))]);
    expect(log.slice(0, 2)).toEqual(['d+', 'e+']);
  });

  it("replace() keeps a fuller answer only while the earlier one is still the model's last", async () => {
    const requests = new RequestManager();
    const earlier = { pending: ['mbgnbd'] };
    const whole = { pending: [] };
    expect(await requests.result('clv', 'a', 'fit', async () => earlier)).toBe(earlier);
    requests.replace('clv', earlier, whole);
    expect(await requests.result('clv', 'a', 'fit', async () => ({ again: true }))).toBe(whole);
    // Another answer came since: the fuller one of the old settings is not put in its place.
    const other = { pending: ['mbgnbd'], horizon: 24 };
    expect(await requests.result('clv', 'b', 'fit', async () => other)).toBe(other);
    requests.replace('clv', earlier, whole);
    expect(await requests.result('clv', 'b', 'fit', async () => ({ again: true }))).toBe(other);
    // Nor after the data changed.
    requests.bump();
    requests.replace('clv', other, whole);
    const fresh = { fresh: true };
    expect(await requests.result('clv', 'b', 'fit', async () => fresh)).toBe(fresh);
  });

  it('does not keep a failed run, and gives the state of the current data only', async () => {
    const db = await openNodeDb();
    const manager = new RequestManager();
    let runs = 0;
    const failing = () => {
      runs++;
      return db.query('SELECT * FROM no_such_table');
    };
    await expect(manager.result('m', [1], 'sql', failing)).rejects.toThrow(/no_such_table/);
    await expect(manager.result('m', [1], 'sql', failing)).rejects.toThrow(/no_such_table/);
    expect(runs).toBe(2);
    const counted = () => rows<{ n: number }>(db, 'SELECT 42::DOUBLE AS n');
    const kept = manager.result('m', [1], 'sql', counted);
    expect(manager.result('m', [1], 'sql', counted)).toBe(kept);
    expect(await kept).toEqual([{ n: 42 }]);

    const state = manager.state('fits', () => ({ made: 0 }));
    state.made++;
    expect(manager.state('fits', () => ({ made: 0 }))).toBe(state);
    manager.bump();
    expect(manager.state('fits', () => ({ made: 0 }))).toEqual({ made: 0 });
    expect(manager.result('m', [1], 'sql', counted)).not.toBe(kept);
  });

  it('runs a job waiting for idleness only once no request has been under way for a moment, and drops it when the data change', async () => {
    const manager = new RequestManager();
    const order: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = manager.inLane('tables', async () => {
      await gate;
      order.push('request');
    });
    let ran!: () => void;
    const idle = new Promise<void>((resolve) => (ran = resolve));
    manager.whenIdle(async () => {
      order.push('warm-up');
      ran();
    });
    await new Promise((r) => setTimeout(r, 1300));
    expect(order).toEqual([]);
    release();
    await slow;
    await idle;
    expect(order).toEqual(['request', 'warm-up']);

    let dropped = false;
    manager.whenIdle(async () => {
      dropped = true;
    });
    manager.bump();
    await new Promise((r) => setTimeout(r, 1300));
    expect(dropped).toBe(false);
  });

  it('runs a job queued to go last after every other job waiting for idleness, even those queued after it', async () => {
    const manager = new RequestManager();
    const order: string[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => (done = resolve));
    manager.whenIdle(
      async () => {
        order.push('filters');
        done();
      },
      { last: true },
    );
    manager.whenIdle(async () => {
      order.push('warm-up 1');
      // Asked while the warm-ups run: still before the job queued last.
      manager.whenIdle(async () => void order.push('warm-up 3'));
    });
    manager.whenIdle(async () => void order.push('warm-up 2'));
    await finished;
    expect(order).toEqual(['warm-up 1', 'warm-up 2', 'warm-up 3', 'filters']);
  });

  it("the page's engine builds the other cohort units' tables when idle, and a switch to one then gives the numbers of a fresh run", async () => {
    const db = await openNodeDb();
    const engine = new Engine(db, { warmModels: true });
    await apply(engine, orders());
    const tables = async () => (await rows<{ name: string }>(db, "SELECT table_name AS name FROM duckdb_tables() WHERE table_name LIKE 'cohort_cells_%' ORDER BY 1")).map((t) => t.name);
    await engine.run('cohorts', { asOf: null });
    expect(await tables()).toEqual(['cohort_cells_month']);
    for (let i = 0; i < 150 && (await tables()).length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await tables()).toEqual(['cohort_cells_month', 'cohort_cells_quarter', 'cohort_cells_week']);
    const quarter = await engine.run('cohorts', { asOf: null, cohorts: { unit: 'quarter' } });

    // Without warm-ups (the headless command's engine) nothing is built ahead.
    const plainDb = await openNodeDb();
    const plain = new Engine(plainDb);
    await apply(plain, orders());
    await plain.run('cohorts', { asOf: null });
    await new Promise((r) => setTimeout(r, 1500));
    expect((await rows<{ n: number }>(plainDb, "SELECT count(*)::DOUBLE AS n FROM duckdb_tables() WHERE table_name LIKE 'cohort_cells_%'"))[0].n).toBe(1);
    expect(await plain.run('cohorts', { asOf: null, cohorts: { unit: 'quarter' } })).toEqual(quarter);
  });

  it("the page's engine makes the tables filters cut when idle after a load, and the first filter then gives the numbers of a fresh one", async () => {
    const filterTables = async (db: Db) => (await rows<{ name: string }>(db, "SELECT table_name AS name FROM duckdb_tables() WHERE table_name IN ('filter_customers', 'filter_orders', 'filter_parts') ORDER BY 1")).map((t) => t.name);
    const db = await openNodeDb();
    const engine = new Engine(db, { warmModels: true });
    await apply(engine, orders());
    await engine.run('overview', { asOf: null });
    for (let i = 0; i < 150 && (await filterTables(db)).length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    expect(await filterTables(db)).toEqual(['filter_customers', 'filter_orders', 'filter_parts']);
    const filter = { order_channel: ['门店'] };
    const filtered = await engine.run('rfm', { asOf: null, filter });

    // The headless command's engine makes them with the first filter; the same numbers.
    const plainDb = await openNodeDb();
    const plain = new Engine(plainDb);
    await apply(plain, orders());
    await plain.run('overview', { asOf: null });
    await new Promise((r) => setTimeout(r, 1500));
    expect(await filterTables(plainDb)).toEqual([]);
    expect(await plain.run('rfm', { asOf: null, filter })).toEqual(filtered);
    expect(await filterTables(plainDb)).toEqual(['filter_customers', 'filter_orders', 'filter_parts']);
  });
});
