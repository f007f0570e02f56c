// Customer 360 on the sample data: purchases, orders, profile and events as the files say, model sections only where
// their tables exist, and search by id or name.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { one, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import { abc } from '../../src/models/abc.ts';
import { clusters } from '../../src/models/clusters.ts';
import { customer360 as customer360Of, searchCustomers } from '../../src/models/customer360.ts';
import { customerSections, MODELS } from '../../src/models/registry.ts';
import { rfm } from '../../src/models/rfm.ts';
import { Engine } from '../../workers/engine.ts';
import { ingest, parseCsv } from './ingest-helpers.ts';

/** The view as the engine asks for it: with the registered models' sections. */
const customer360 = (db: Db, id: string) => customer360Of(db, id, customerSections(MODELS));
const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const csv = (f: string) => parseCsv(readFileSync(sample(f), 'utf8'));

let db: Db;

beforeAll(async () => {
  db = await openNodeDb();
  await ingest(db, 'orders.csv', readFileSync(sample('orders.csv')));
}, 120_000);

async function addFile(name: string) {
  const loaded = await loadFile(db, name, readFileSync(sample(name)), `raw_${name.replace('.csv', '')}`);
  await applyMapping(db, loaded, loaded.mapping);
}

describe('customer 360', { timeout: 180_000 }, () => {
  it('reads purchases and orders from the orders alone, and shows no model that has not run', async () => {
    const c = await customer360(db, 'C00148');
    const orderIds = new Set(csv('orders.csv').filter((r) => r[1] === 'C00148').map((r) => r[0]));
    expect(c.found).toBe(true);
    expect(c.summary.orders).toBe(orderIds.size);
    expect(c.summary.purchases).toBe(13);
    expect(c.orders.map((o) => o.order_id).sort()).toEqual([...orderIds].sort());
    expect(c.summary.first_day).toBe('2024-05-11');
    const sql = await one<{ n: number; revenue: number }>(db, `SELECT count(*)::DOUBLE AS n, sum(net)::DOUBLE AS revenue FROM customer_purchases WHERE customer_id = 'C00148'`);
    expect(c.summary.purchases).toBe(sql.n);
    expect(c.summary.revenue).toBeCloseTo(sql.revenue, 9);
    expect(c.orders[0].ts >= c.orders[c.orders.length - 1].ts).toBe(true);
    expect(c.orders.find((o) => o.order_id === 'DD2405110006')).toMatchObject({ day: '2024-05-11', amount: 216, lines: 3, kind: 'purchase' });
    for (const key of ['profile', 'events', 'rfm', 'lifecycle', 'abc', 'cluster', 'clv'] as const) expect(c).not.toHaveProperty(key);
  });

  it('marks fully refunded orders and keeps them out of the purchase count', async () => {
    const refunded = csv('orders.csv').find((r) => r[9] === '已退款' && r[1].trim() !== '')!;
    const id = refunded[1].trim();
    const c = await customer360(db, id);
    expect(c.orders.find((o) => o.order_id === refunded[0])?.kind).toBe('refunded');
    const sql = await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM customer_purchases WHERE customer_id = '${id}'`);
    expect(c.summary.purchases).toBe(sql.n);
    expect(c.orders.filter((o) => o.kind === 'purchase')).toHaveLength(sql.n);
  });

  it('adds the profile, events and each model once its table exists', async () => {
    await addFile('customers.csv');
    await addFile('events.csv');
    await rfm(db);
    await abc(db);
    await clusters(db, { k: 6 });
    await db.query(`CREATE OR REPLACE TABLE lifecycle AS SELECT customer_id, 'active' AS stage, true AS slipping FROM rfm`);
    const c = await customer360(db, 'C00148');
    const profile = csv('customers.csv').find((r) => r[0] === 'C00148')!;
    expect(c.profile).toEqual({ name: profile[1], phone: profile[2], email: null, region: profile[3], channel: profile[4], first_seen: profile[5].slice(0, 16) });
    const events = csv('events.csv').filter((r) => r[0] === 'C00148');
    expect(c.events_total).toBe(events.length);
    const latest = [...events].sort((a, b) => (a[1] < b[1] ? 1 : -1))[0];
    expect(c.events![0]).toEqual({ ts: latest[1].slice(0, 16), event: latest[2] });
    const r = await one<Record<string, unknown>>(db, `SELECT recency_days, frequency, monetary, r, f, m, segment_cn, segment_en FROM rfm WHERE customer_id = 'C00148'`);
    expect(c.rfm).toEqual(r);
    expect(c.rfm!.frequency).toBe(13);
    expect(c.abc).toMatchObject(await one(db, `SELECT class, rank FROM abc WHERE customer_id = 'C00148'`));
    expect(c.cluster).toEqual(await one(db, `SELECT cluster, name_zh, name_en FROM clusters JOIN cluster_profiles USING (cluster) WHERE customer_id = 'C00148'`));
    expect(c.lifecycle).toEqual({ stage: 'active', slipping: true });
    expect(c).not.toHaveProperty('clv');
  });

  it('knows leads from the customers file without purchases, and says when an id is unknown', async () => {
    const buyers = new Set(csv('orders.csv').map((r) => r[1].trim()));
    const lead = csv('customers.csv').slice(1).find((r) => !buyers.has(r[0]))!;
    const c = await customer360(db, lead[0]);
    expect(c.found).toBe(true);
    expect(c.summary.purchases).toBe(0);
    expect(c.orders).toEqual([]);
    expect(c.profile?.name).toBe(lead[1]);
    expect(c.rfm).toBeNull();
    const none = await customer360(db, 'nobody');
    expect(none.found).toBe(false);
  });

  it('finds customers by id or by name, exact id first', async () => {
    const byName = await searchCustomers(db, '廖敏海');
    expect(byName[0]).toMatchObject({ customer_id: 'C00148', name: '廖敏海', purchases: 13 });
    const byId = await searchCustomers(db, 'c00148');
    expect(byId[0].customer_id).toBe('C00148');
    const prefix = await searchCustomers(db, 'C0014', 50);
    expect(prefix.map((m) => m.customer_id).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `C0014${i}`));
    expect(await searchCustomers(db, '   ')).toEqual([]);
  });

  it('is one engine call that works before any model table exists', async () => {
    const fresh = await openNodeDb();
    const engine = new Engine(fresh);
    const view = await engine.load({ name: 'orders.csv', size: 0, data: readFileSync(sample('orders.csv')) });
    await engine.apply(view.id, view.mapping);
    const c = await engine.customer360('C00148');
    expect(c.summary.purchases).toBe(13);
    expect(Object.keys(c).sort()).toEqual(['customer_id', 'found', 'orders', 'summary']);
  });

  it("shows the notebook's own RFM verdict when a second RFM cell with other settings ran last", async () => {
    const fresh = await openNodeDb();
    const engine = new Engine(fresh);
    const view = await engine.load({ name: 'orders.csv', size: 0, data: readFileSync(sample('orders.csv')) });
    await engine.apply(view.id, view.mapping);
    const notebook = { rfm: { highRule: 'score' as const } };
    const second = { rfm: { highRule: 'value' as const } };
    await engine.run('rfm', notebook);
    await fresh.query('CREATE TABLE rfm_by_score AS SELECT * FROM rfm');
    await engine.run('rfm', second);
    // A customer the two rules put in different 8-group segments.
    const { customer_id: id } = await one<{ customer_id: string }>(
      fresh,
      'SELECT customer_id FROM rfm JOIN rfm_by_score s USING (customer_id) WHERE rfm.segment_cn <> s.segment_cn ORDER BY customer_id LIMIT 1',
    );
    const { segment_cn: byScore } = await one<{ segment_cn: string }>(fresh, `SELECT segment_cn FROM rfm_by_score WHERE customer_id = '${id}'`);
    // Without the notebook's settings: the tables as the last run (the second cell's) left them.
    expect((await engine.customer360(id)).rfm?.segment_cn).not.toBe(byScore);
    const again = await engine.customer360(id, undefined, undefined, notebook);
    expect(again.rfm?.segment_cn).toBe(byScore);
  });
});
