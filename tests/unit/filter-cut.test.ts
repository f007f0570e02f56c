// The engine's filtered data (MODELS.md §9) are cut out of tables made once per data instead of rebuilt from the kept
// lines: the order totals out of per-order tables, and for a filter on customers only the customer days out of the
// unfiltered ones. Here they are checked against the rebuild from the kept lines (the headless path) table by table,
// and the five SQL-only models against a file holding only the kept rows, on the sample store and on reference data
// (real DuckDB; kept rows written out by DuckDB itself or line by line).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.ts';
import { openNativeDb } from '../../src/db/native.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { ensureCustomerDays } from '../../src/models/customer-days.ts';
import { openFiltered, type Filter } from '../../src/models/filter.ts';
import type { Prepared } from '../../src/models/prepared.ts';
import { lifecycle } from '../../src/models/lifecycle.ts';
import { MODELS, type ModelName, type Registry } from '../../src/models/registry.ts';
import { Engine } from '../../workers/engine.ts';
import { runContext } from './run-context.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const shared = (f: string) => fileURLToPath(new URL(`../../../shared/data/${f}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'filter-cut-'));
const fileOf = (path: string, name = path.split('/').pop()!) => {
  const data = readFileSync(path);
  return { name, size: data.length, data };
};

async function engineOn(files: { name: string; size: number; data: Uint8Array }[]): Promise<{ engine: Engine; db: Db }> {
  const db = await openNodeDb();
  const engine = new Engine(db);
  for (const f of files) {
    const view = await engine.load(f);
    await engine.apply(view.id, view.mapping);
  }
  return { engine, db };
}

/** A table's rows as they are stored (no ORDER BY unless `order` says), as JSON. */
async function tableRows(db: Db, table: string, order = ''): Promise<string> {
  const t = await db.query(`SELECT * FROM ${table}${order ? ` ORDER BY ${order}` : ''}`);
  return JSON.stringify(
    t.toArray().map((r) => r.toJSON()),
    (_, v) => (typeof v === 'bigint' ? String(v) : v),
  );
}

const segments = (m: string) => (MODELS as Registry)[m]?.segments;
const SQL_MODELS: ModelName[] = ['overview', 'rfm', 'abc', 'cohorts', 'lifecycle'];
const same = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'ms' || k === 'timings' ? undefined : v)));

/**
 * Open `filter` both ways on `db` and compare: the order totals, and the customer keys and days (those the filter made,
 * as they are stored, against those a build from the kept purchases writes). Returns how the filter made the customer
 * days: 'cut' out of the unfiltered ones, grouped by the kept orders' integer 'fid', or left to the models ('built').
 */
async function expectSameTables(db: Db, prepared: Prepared, filter: Filter): Promise<'cut' | 'fid' | 'built'> {
  const cut = await openFiltered(db, filter, segments, { prepared });
  const rebuilt = await openFiltered(db, filter, segments);
  try {
    expect(await tableRows(cut.db, 'order_totals', 'order_key'), JSON.stringify(filter)).toBe(await tableRows(rebuilt.db, 'order_totals', 'order_key'));
    expect(cut.lines).toBe(rebuilt.lines);
    await ensureCustomerDays(rebuilt.db);
    const made = cut.prepared.get('customer_days') !== undefined;
    const [{ n }] = (await cut.db.query(`SELECT count(*)::DOUBLE AS n FROM duckdb_tables() WHERE database_name = current_database() AND table_name = 'customer_cut'`)).toArray();
    if (!made) await ensureCustomerDays(cut.db, cut.prepared);
    for (const t of ['customer_keys', 'customer_days']) expect(await tableRows(cut.db, t), `${t} ${JSON.stringify(filter)}`).toBe(await tableRows(rebuilt.db, t));
    return !made ? 'built' : n > 0 ? 'cut' : 'fid';
  } finally {
    await cut.close();
    await rebuilt.close();
  }
}

async function expectSameModels(full: Engine, filter: Filter, kept: Engine, asOf: string | null = null) {
  for (const m of SQL_MODELS) expect(same(await full.run(m, { asOf: null, filter })), `${m} ${JSON.stringify(filter)}`).toEqual(same(await kept.run(m, { asOf })));
}

describe('the sample store', () => {
  /** The sample's orders (and customers) holding only the rows `where` keeps, written by DuckDB as CSV. */
  async function keptFiles(name: string, orderWhere: string, customerWhere = 'true') {
    const db = await openNativeDb();
    const orders = join(dir, `${name}-orders.csv`);
    const customers = join(dir, `${name}-customers.csv`);
    await db.query(`COPY (SELECT * FROM read_csv('${sample('orders.csv')}', all_varchar = true) WHERE ${orderWhere}) TO '${orders}' (HEADER, DELIMITER ',')`);
    await db.query(`COPY (SELECT * FROM read_csv('${sample('customers.csv')}', all_varchar = true) WHERE ${customerWhere}) TO '${customers}' (HEADER, DELIMITER ',')`);
    return [fileOf(orders, 'orders.csv'), fileOf(customers, 'customers.csv')];
  }
  const ofCustomers = (where: string) => `trim(客户编号) IN (SELECT trim(客户编号) FROM read_csv('${sample('customers.csv')}', all_varchar = true) WHERE ${where})`;

  it('cuts the same order totals and customer days as a rebuild from the kept lines, for every kind of filter', async () => {
    const { engine, db } = await engineOn([fileOf(sample('orders.csv')), fileOf(sample('customers.csv'))]);
    await engine.run('rfm', { asOf: null });
    const prepared: Prepared = new Map();
    const cases: [Filter, 'cut' | 'fid'][] = [
      [{ region: ['华东'] }, 'cut'],
      [{ acquisition_channel: ['抖音', '天猫'] }, 'cut'],
      [{ segment: { model: 'rfm', values: ['重要价值客户', 'At Risk'] } }, 'cut'],
      [{ order_channel: ['门店'] }, 'fid'],
      [{ category: ['咖啡豆', '茶叶'] }, 'fid'],
      [{ from: '2024-03-15', to: '2024-09-14' }, 'fid'],
      [{ from: '2024-06-01' }, 'fid'],
      [{ region: ['华南'], order_channel: ['小程序'], from: '2024-02-01', to: '2024-12-31' }, 'fid'],
      [{ category: ['nothing such'] }, 'fid'],
    ];
    for (const [filter, cut] of cases) expect(await expectSameTables(db, prepared, filter), JSON.stringify(filter)).toBe(cut);
    // The per-order tables were made once and used.
    const [{ n }] = (await engine.query('SELECT count(*)::DOUBLE AS n FROM filter_orders')) as { n: number }[];
    const [{ orders }] = (await engine.query('SELECT count(*)::DOUBLE AS orders FROM order_totals')) as { orders: number }[];
    expect(n).toBe(orders);
  }, 240_000);

  it('acquisition channel, a whole segment and filters together give what a file of the kept rows gives', async () => {
    const { engine: full } = await engineOn([fileOf(sample('orders.csv')), fileOf(sample('customers.csv'))]);
    await expectSameModels(full, { acquisition_channel: ['门店'] }, (await engineOn(await keptFiles('store', ofCustomers(`trim(注册渠道) = '门店'`), `trim(注册渠道) = '门店'`))).engine);

    await full.run('rfm', { asOf: null });
    const ids = ((await full.query(`SELECT customer_id FROM rfm WHERE segment_cn = '重要保持客户'`)) as { customer_id: string }[]).map((r) => `'${r.customer_id}'`);
    expect(ids.length).toBeGreaterThan(50);
    const inSegment = `trim(客户编号) IN (${ids.join(', ')})`;
    await expectSameModels(full, { segment: { model: 'rfm', values: ['重要保持客户'] } }, (await engineOn(await keptFiles('keep', inSegment, inSegment))).engine);

    const filter: Filter = { region: ['华北', '西南'], order_channel: ['天猫'], from: '2024-04-01', to: '2025-03-31' };
    const where = `${ofCustomers(`trim(地区) IN ('华北', '西南')`)} AND 渠道 = '天猫'
      AND TRY_CAST(下单时间 AS TIMESTAMP) >= DATE '2024-04-01' AND TRY_CAST(下单时间 AS TIMESTAMP) < DATE '2025-04-01'`;
    await expectSameModels(full, filter, (await engineOn(await keptFiles('mix', where, `trim(地区) IN ('华北', '西南')`))).engine, '2025-04-01');
  }, 240_000);

  it('cuts the customer summary, the lifecycle spans and the loyal days of whole customers out of the unfiltered ones, the same as built', async () => {
    const { engine, db } = await engineOn([fileOf(sample('orders.csv')), fileOf(sample('customers.csv'))]);
    await engine.run('rfm', { asOf: null });
    const asOf = '2024-11-01';
    const sources = { customers: true, events: false };
    const prepared: Prepared = new Map();
    // The unfiltered tables at D (as the notebook's cells leave them before a filter is set).
    await lifecycle(db, { asOf }, { prepared, sources });
    const filters: Filter[] = [{ region: ['华东'] }, { acquisition_channel: ['抖音', '天猫'] }, { segment: { model: 'rfm', values: ['重要价值客户', 'At Risk'] } }];
    for (const filter of filters) {
      const cut = await openFiltered(db, filter, segments, { prepared });
      const rebuilt = await openFiltered(db, filter, segments);
      try {
        const statements: string[] = [];
        const watched: Db = { ...cut.db, query: (sql) => (statements.push(sql), cut.db.query(sql)) };
        const name = JSON.stringify(filter);
        expect(same(await lifecycle(watched, { asOf }, { prepared: cut.prepared, sources })), name).toEqual(same(await lifecycle(rebuilt.db, { asOf }, { sources })));
        for (const t of ['customer_summary', 'life_spans', 'life_loyal']) {
          expect(statements.some((q) => q.startsWith(`CREATE OR REPLACE TABLE ${t} AS SELECT`) && q.includes('JOIN customer_cut')), `${t} cut ${name}`).toBe(true);
        }
        // The summary as stored (lifecycle sums its revenue in that order); the others in any order.
        expect(await tableRows(cut.db, 'customer_summary'), name).toBe(await tableRows(rebuilt.db, 'customer_summary'));
        expect(await tableRows(cut.db, 'life_spans', 'cid, mi'), name).toBe(await tableRows(rebuilt.db, 'life_spans', 'cid, mi'));
        expect(await tableRows(cut.db, 'life_loyal', 'cid'), name).toBe(await tableRows(rebuilt.db, 'life_loyal', 'cid'));
        const loyal = await tableRows(cut.db, 'life_loyal');
        expect(JSON.parse(loyal).length, name).toBeGreaterThan(10);
        // The other models read the cut summary as they read a built one.
        for (const m of ['overview', 'rfm', 'abc', 'cohorts'] as const) {
          const model = (MODELS as Registry)[m];
          const ctx = (p?: Prepared) => ({ ...runContext(), prepared: p ?? new Map(), sources });
          expect(same(await model.run(cut.db, { asOf }, ctx(cut.prepared))), `${m} ${name}`).toEqual(same(await model.run(rebuilt.db, { asOf }, ctx())));
        }
      } finally {
        await cut.close();
        await rebuilt.close();
      }
    }
  }, 240_000);
});

describe('reference data', () => {
  it('online_retail_france.csv (credit notes, duplicate lines): dates and a segment, as tables and as models', async () => {
    const path = shared('online_retail_france.csv');
    const { engine: full, db } = await engineOn([fileOf(path)]);
    await full.run('rfm', { asOf: null });
    const prepared: Prepared = new Map();
    const dates: Filter = { from: '2011-03-01', to: '2011-08-31' };
    expect(await expectSameTables(db, prepared, dates)).toBe('fid');
    expect(await expectSameTables(db, prepared, { segment: { model: 'rfm', values: ['Champions', 'Loyal Customers'] } })).toBe('cut');

    // The kept rows, written by DuckDB with the file's leading row index numbered again.
    const kept = async (name: string, where: string) => {
      const native = await openNativeDb();
      const out = join(dir, `${name}.csv`);
      await native.query(`COPY (SELECT (row_number() OVER () - 1)::VARCHAR AS idx, * EXCLUDE (column0) FROM read_csv('${path}', all_varchar = true) WHERE ${where})
        TO '${out}' (HEADER, DELIMITER ',')`);
      // The index column has no name in the file.
      writeFileSync(out, readFileSync(out, 'utf8').replace(/^idx,/, ','));
      return (await engineOn([fileOf(out, 'online_retail_france.csv')])).engine;
    };
    const ts = `strptime(InvoiceDate, '%m/%d/%Y %H:%M')`;
    await expectSameModels(full, dates, await kept('retail-dates', `${ts} >= DATE '2011-03-01' AND ${ts} < DATE '2011-09-01'`), '2011-09-01');
    const ids = ((await full.query(`SELECT customer_id FROM rfm WHERE segment_en = 'Champions'`)) as { customer_id: string }[]).map((r) => `'${r.customer_id}'`);
    expect(ids.length).toBeGreaterThan(5);
    await expectSameModels(full, { segment: { model: 'rfm', values: ['Champions'] } }, await kept('retail-champions', `regexp_replace(trim(CustomerID), '\\.0$', '') IN (${ids.join(', ')})`));
  }, 240_000);

  it('CDNOW_master.txt (whitespace-separated, no header): a date range and a segment', async () => {
    const path = shared('CDNOW_master.txt');
    const { engine: full, db } = await engineOn([fileOf(path)]);
    await full.run('rfm', { asOf: null });
    const prepared: Prepared = new Map();
    expect(await expectSameTables(db, prepared, { from: '1997-02-01', to: '1997-09-30' })).toBe('fid');
    expect(await expectSameTables(db, prepared, { segment: { model: 'rfm', values: ['一般挽留客户'] } })).toBe('cut');

    const lines = readFileSync(path, 'utf8').split('\n').filter((l) => l.trim());
    const keptLines = async (name: string, keep: (fields: string[]) => boolean) => {
      const out = join(dir, `${name}.txt`);
      writeFileSync(out, lines.filter((l) => keep(l.trim().split(/\s+/))).join('\n') + '\n');
      return (await engineOn([fileOf(out, 'CDNOW_master.txt')])).engine;
    };
    await expectSameModels(full, { from: '1997-02-01', to: '1997-09-30' }, await keptLines('cdnow-dates', ([, day]) => day >= '19970201' && day <= '19970930'), '1997-10-01');
    const ids = new Set(((await full.query(`SELECT customer_id FROM rfm WHERE segment_cn = '一般挽留客户'`)) as { customer_id: string }[]).map((r) => r.customer_id));
    expect(ids.size).toBeGreaterThan(100);
    await expectSameModels(full, { segment: { model: 'rfm', values: ['一般挽留客户'] } }, await keptLines('cdnow-segment', ([id]) => ids.has(id)));
  }, 240_000);
});
