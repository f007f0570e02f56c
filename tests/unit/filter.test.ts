// A filter reads as "the file had held only these rows" (MODELS.md §9): every model under a filter gives what it
// gives on a file holding only the kept rows (real DuckDB; the kept rows written out by DuckDB itself).
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze.ts';
import { openNativeDb } from '../../src/db/native.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { combineFilters, FilterError, parseFilter, type Filter } from '../../src/models/filter.ts';
import type { ModelName } from '../../src/models/registry.ts';
import { Engine } from '../../workers/engine.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'filter-test-'));
const fileOf = (path: string, name = path.split('/').pop()!) => {
  const data = readFileSync(path);
  return { name, size: data.length, data };
};

async function engineOn(files: { name: string; size: number; data: Uint8Array }[]): Promise<Engine> {
  const engine = new Engine(await openNodeDb());
  for (const f of files) {
    const view = await engine.load(f);
    await engine.apply(view.id, view.mapping);
  }
  return engine;
}

/** The sample's orders (and customers) holding only the rows `where` keeps, written by DuckDB as CSV. */
async function keptFiles(name: string, orderWhere: string, customerWhere = 'true') {
  const db = await openNativeDb();
  const orders = join(dir, `${name}-orders.csv`);
  const customers = join(dir, `${name}-customers.csv`);
  const src = `read_csv('${sample('orders.csv')}', all_varchar = true)`;
  const cust = `read_csv('${sample('customers.csv')}', all_varchar = true)`;
  await db.query(`COPY (SELECT * FROM ${src} WHERE ${orderWhere}) TO '${orders}' (HEADER, DELIMITER ',')`);
  await db.query(`COPY (SELECT * FROM ${cust} WHERE ${customerWhere}) TO '${customers}' (HEADER, DELIMITER ',')`);
  return [fileOf(orders, 'orders.csv'), fileOf(customers, 'customers.csv')];
}

let full: Engine;
const SQL_MODELS: ModelName[] = ['overview', 'rfm', 'abc', 'cohorts', 'lifecycle'];

beforeAll(async () => {
  full = await engineOn([fileOf(sample('orders.csv')), fileOf(sample('customers.csv'))]);
}, 120_000);

async function expectSame(filter: Filter, kept: Engine, asOf: string | null = null, models = SQL_MODELS) {
  for (const m of models) {
    const a = await full.run(m, { asOf: null, filter });
    const b = await kept.run(m, { asOf });
    // Timings differ between runs.
    const same = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'ms' || k === 'timings' ? undefined : v)));
    expect(same(a), m).toEqual(same(b));
  }
}

describe('filters read as a file holding only the kept rows', () => {
  it('order channel', async () => {
    await expectSame({ order_channel: ['抖音'] }, await engineOn(await keptFiles('douyin', `渠道 = '抖音'`)));
  }, 120_000);

  it('region (customers file): RFM customers are the region buying customers', async () => {
    const kept = await engineOn(await keptFiles('east', `trim(客户编号) IN (SELECT trim(客户编号) FROM read_csv('${sample('customers.csv')}', all_varchar = true) WHERE trim(地区) = '华东')`, `trim(地区) = '华东'`));
    await expectSame({ region: ['华东'] }, kept, null, [...SQL_MODELS, 'churn']);
    const rfm = (await full.run('rfm', { asOf: null, filter: { region: ['华东'] } })) as { customers: number };
    const overview = (await kept.run('overview', { asOf: null })) as { customers: number };
    expect(rfm.customers).toBe(overview.customers);
    expect(rfm.customers).toBeGreaterThan(100);
  }, 120_000);

  it('date range: the as-of date is the day after "to"', async () => {
    const kept = await engineOn(await keptFiles('h1', `TRY_CAST(下单时间 AS TIMESTAMP) >= DATE '2024-03-01' AND TRY_CAST(下单时间 AS TIMESTAMP) < DATE '2024-07-01'`));
    const filter = { from: '2024-03-01', to: '2024-06-30' };
    await expectSame(filter, kept, '2024-07-01');
    expect(((await full.run('overview', { asOf: null, filter })) as { as_of: string }).as_of).toBe('2024-07-01');
  }, 120_000);

  it('category: an order is its lines of that category', async () => {
    await expectSame({ category: ['咖啡豆'] }, await engineOn(await keptFiles('beans', `品类 = '咖啡豆'`)), null, ['overview', 'rfm', 'cohorts']);
  }, 120_000);

  it('a model segment, as computed on all the data, and the segments then scored among themselves', async () => {
    const rfm = (await full.run('rfm', { asOf: null })) as { segments_cn: { segment: string; customers: number }[] };
    const seg = rfm.segments_cn.find((s) => s.customers > 50)!;
    const under = (await full.run('overview', { asOf: null, filter: { segment: { model: 'rfm', values: [seg.segment] } } })) as { customers: number };
    expect(under.customers).toBe(seg.customers);
  }, 120_000);

  it('combines filters with AND and checks what it is given', () => {
    expect(combineFilters({ region: ['华东', '华南'], from: '2024-01-01' }, { region: ['华南'], to: '2024-06-30' })).toEqual({ region: ['华南'], from: '2024-01-01', to: '2024-06-30' });
    expect(() => parseFilter({ from: '2024-13-01' }, 'cell 2')).toThrow(FilterError);
    expect(() => parseFilter({ colour: ['red'] }, 'the notebook')).toThrow(/unknown field "colour"/);
    expect(parseFilter({ order_channel: ['抖音', '抖音'] }, 'x')).toEqual({ order_channel: ['抖音'] });
  });

  it('the unfiltered results stay as they were', async () => {
    const a = await full.run('rfm', { asOf: null });
    const fresh = await engineOn([fileOf(sample('orders.csv')), fileOf(sample('customers.csv'))]);
    expect(JSON.parse(JSON.stringify(a))).toEqual(JSON.parse(JSON.stringify(await fresh.run('rfm', { asOf: null }))));
  }, 120_000);

  it('the headless command gives the page numbers under the same filter', async () => {
    const filter: Filter = { region: ['华东'], order_channel: ['天猫', '小程序'] };
    const out = (await analyze({ orders: sample('orders.csv'), customers: sample('customers.csv'), models: ['overview', 'rfm', 'cohorts'], filter })) as Record<string, Record<string, unknown>>;
    expect(out.filter).toEqual(filter);
    // The page's overview also says why some customers with orders are not buying ones (`not_buying`, the cell's only).
    const { not_buying: _, ...overview } = await full.run('overview', { asOf: null, filter });
    expect(JSON.parse(JSON.stringify(out.overview))).toEqual(JSON.parse(JSON.stringify(overview)));
    expect(JSON.parse(JSON.stringify(out.cohorts))).toEqual(JSON.parse(JSON.stringify(await full.run('cohorts', { asOf: null, filter }))));
    const page = (await full.run('rfm', { asOf: null, filter })) as unknown as Record<string, unknown>;
    // The command's section lists the customers where the cell has their count.
    expect((out.rfm.customers as unknown[]).length).toBe(page.customers);
    for (const k of ['segments_cn', 'segments_en', 'grid']) expect(out.rfm[k]).toEqual(page[k]);
  }, 120_000);

  it('offers the values the data have', async () => {
    const c = await full.filterChoices();
    expect(c.first).toBe('2024-01-01');
    expect(c.order_channel.map((x) => x.value).sort()).toEqual(['天猫', '小程序', '抖音', '门店'].sort());
    expect(c.region.length).toBeGreaterThan(3);
    expect(c.category.find((x) => x.value === '咖啡豆')!.n).toBeGreaterThan(10_000);
  });
});

describe('reports under a filter', () => {
  it('hold the filtered numbers, the as-of date the filter implies, and say which filter they show', async () => {
    const { parseHTML } = await import('linkedom');
    const { reportFile } = await import('../../src/report/file.ts');
    const { lang } = await import('../../src/i18n/lang.ts');
    const filter: Filter = { from: '2024-01-01', to: '2024-12-31', order_channel: ['抖音'] };
    const report = await full.report(
      { title: 't', sources: [], filter, cells: [{ kind: 'overview' }, { kind: 'rfm', filter: { region: ['华南'] } }] },
      { asOf: null },
    );
    const overview = (await full.run('overview', { asOf: null, filter })) as { customers: number; as_of: string };
    expect(report.asOf).toBe('2025-01-01');
    expect(overview.as_of).toBe('2025-01-01');
    expect((report.cells[0].data as { customers: number }).customers).toBe(overview.customers);
    const rfm = (await full.run('rfm', { asOf: null, filter: { ...filter, region: ['华南'] } })) as { customers: number };
    expect(report.cells[1].filter).toEqual({ region: ['华南'] });
    expect((report.cells[1].data as { customers: number }).customers).toBe(rfm.customers);
    const html = reportFile(report, lang('zh'), parseHTML('<!doctype html><html><body></body></html>').document as unknown as Document);
    expect(html).toContain('筛选：2024年1月1日 至 2024年12月31日；下单渠道：抖音');
    expect(html).toContain('本单元另加筛选：地区：华南');
  }, 120_000);
});
