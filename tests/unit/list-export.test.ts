// Customer-list exports a client can use as they are (issue 15, point 6), on the sample data through the engine the
// worker runs: headers in the user's language, the currency in the money headers, numbers plain, a hostile customer id
// kept as text, the RFM workbook with a sheet per segment (row counts = the RFM result's), and the cross-sell list
// naming the product to recommend. CSV files are parsed, workbooks read back with SheetJS.
import { readFileSync } from 'node:fs';
import { read, utils, type WorkBook, type WorkSheet } from '@e965/xlsx';
import { beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/db/node.ts';
import { SEGMENT_TEXT } from '../../src/i18n/segments.ts';
import { sheetName } from '../../src/models/list-export.ts';
import { SEGMENTS_A, SEGMENTS_B } from '../../src/models/segments.ts';
import type { ModelSettings } from '../../src/models/settings.ts';
import { currencyOf } from '../../src/notebook/currency.ts';
import { Engine } from '../../workers/engine.ts';
import { parseCsv } from './ingest-helpers.ts';

const sample = (name: string) => new URL(`../../sample-data/${name}`, import.meta.url);
const HOSTILE = '=HYPERLINK("http://evil.example/x","点我")';
const quote = (s: string) => '"' + s.replaceAll('"', '""') + '"';

/** The sample orders with one more customer whose id is a formula: two purchases in December 2025. */
function ordersWithHostile(): Uint8Array {
  const text = readFileSync(sample('orders.csv'), 'utf8').trimEnd();
  const extra = [
    `X0001,${quote(HOSTILE)},2025-12-01 10:00:00,香薰蜡烛,香薰,1,69.00,69.00,小程序,已完成`,
    `X0002,${quote(HOSTILE)},2025-12-20 10:00:00,香薰蜡烛,香薰,2,69.00,138.00,小程序,已完成`,
  ];
  return new TextEncoder().encode(`${text}\n${extra.join('\n')}\n`);
}

const file = (name: string, data: Uint8Array) => ({ name, size: data.length, data });

function readCsv(bytes: Uint8Array): string[][] {
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parseCsv(new TextDecoder().decode(bytes.slice(3)));
}

function column(table: string[][], header: string): string[] {
  const at = table[0].indexOf(header);
  expect(at, `column ${header} in ${table[0].join(' | ')}`).toBeGreaterThanOrEqual(0);
  return table.slice(1).map((r) => r[at]);
}

/** A plain number as a spreadsheet reads one: no currency sign, no thousands separator. */
const PLAIN = /^-?\d+(\.\d+)?$/;

const book = (bytes: Uint8Array): WorkBook => read(bytes, { type: 'array', cellFormula: true });
const grid = (sheet: WorkSheet) => utils.sheet_to_json<unknown[]>(sheet, { header: 1 });
type Cell = { t: string; v: unknown; f?: string };
const cells = (sheet: WorkSheet): Cell[] => Object.entries(sheet).filter(([k]) => !k.startsWith('!')).map(([, c]) => c as Cell);

const HEADERS_ZH = ['客户ID', '最近购买天数', '购买次数', '消费金额 (¥)', 'R 分（近度 1–5）', 'F 分（频次 1–5）', 'M 分（金额 1–5）', 'RFM 八类分群（R/F/M 高低）', 'R×F 十类分群（R×F 网格）'];
const HEADERS_EN = [
  'Customer ID', 'Days since last purchase', 'Purchases', 'Total spend (¥)', 'R score (recency 1–5)', 'F score (frequency 1–5)', 'M score (monetary 1–5)',
  'RFM 8 segments (high/low R, F, M)', 'R×F 10 segments (R×F grid)',
];

describe('list exports on the sample data', { timeout: 300_000 }, () => {
  let engine: Engine;
  beforeAll(async () => {
    engine = new Engine(await openNodeDb());
    const orders = await engine.load(file('orders.csv', ordersWithHostile()));
    await engine.apply(orders.id, orders.mapping);
    const customers = readFileSync(sample('customers.csv'));
    const loaded = await engine.load(file('customers.csv', customers), { role: 'customers' });
    await engine.apply(loaded.id, loaded.mapping, undefined, 'customers');
  }, 300_000);

  it('RFM list as CSV: headers in Chinese and English, ¥ in the money header, plain numbers, the formula id as text', async () => {
    const summary = await engine.run('rfm', {});
    const zh = readCsv(await engine.export('rfm', { scheme: 'cn', segment: null, lang: 'zh', currency: '¥' }));
    expect(zh[0]).toEqual(HEADERS_ZH);
    expect(zh.length - 1).toBe(summary.customers);
    for (const h of ['最近购买天数', '购买次数', '消费金额 (¥)', 'R 分（近度 1–5）']) expect(column(zh, h).every((v) => PLAIN.test(v)), h).toBe(true);
    // The hostile id gets the leading ' (the spreadsheet keeps it as text); its numbers stay numbers.
    const hostile = zh.find((r) => r[0] === `'${HOSTILE}`)!;
    expect(hostile.slice(1, 4)).toEqual(['12', '2', '207.0']);
    expect(zh.filter((r) => r[0].startsWith('=')).length).toBe(0);
    // The two schemes in the user's words: scheme A's names, scheme B's translated names.
    expect(new Set(column(zh, 'RFM 八类分群（R/F/M 高低）'))).toEqual(new Set(summary.segments_cn.map((s) => s.segment)));
    expect(new Set(column(zh, 'R×F 十类分群（R×F 网格）'))).toEqual(new Set(summary.segments_en.map((s) => SEGMENT_TEXT[s.segment].zh)));

    const en = readCsv(await engine.export('rfm', { scheme: 'en', segment: 'Champions', lang: 'en', currency: '¥' }));
    expect(en[0]).toEqual(HEADERS_EN);
    expect(en.length - 1).toBe(summary.segments_en.find((s) => s.segment === 'Champions')!.customers);
    expect(new Set(column(en, 'R×F 10 segments (R×F grid)'))).toEqual(new Set(['Champions']));
    expect(column(en, 'RFM 8 segments (high/low R, F, M)').every((v) => SEGMENTS_A.some((a) => SEGMENT_TEXT[a].en === v))).toBe(true);
    // The money column holds the model's numbers.
    const list = await engine.list('rfm', { scheme: 'en', segment: 'Champions', limit: 100_000 });
    expect(column(en, 'Total spend (¥)').map(Number)).toEqual(list.map((c) => Math.round(c.monetary * 100) / 100));

    // Without a known currency the header says none; with the mean per purchase it says so.
    const plain = readCsv(await engine.export('rfm', { scheme: 'cn', segment: null, lang: 'zh', monetary: 'mean' }));
    expect(plain[0][3]).toBe('平均每次消费金额');
  });

  it('RFM list as Excel: headers, numbers as number cells, the formula id as a text cell', async () => {
    const summary = await engine.run('rfm', {});
    const wb = book(await engine.export('rfm', { scheme: 'en', segment: null, lang: 'en', currency: '¥', format: 'xlsx' }));
    expect(wb.SheetNames).toEqual(['RFM customers']);
    const sheet = wb.Sheets['RFM customers'];
    const rows = grid(sheet);
    expect(rows[0]).toEqual(HEADERS_EN);
    expect(rows.length - 1).toBe(summary.customers);
    expect(rows.slice(1).every((r) => typeof r[3] === 'number' && typeof r[1] === 'number' && typeof r[4] === 'number')).toBe(true);
    expect(cells(sheet).filter((c) => c.f !== undefined)).toEqual([]);
    expect(cells(sheet).filter((c) => c.v === HOSTILE).map((c) => c.t)).toEqual(['s']);
  });

  it('every segment in one workbook, a sheet each, with the RFM result\'s counts, in both schemes and languages', async () => {
    const summary = await engine.run('rfm', {});
    for (const [scheme, lang, segments, order] of [
      ['cn', 'zh', summary.segments_cn, SEGMENTS_A],
      ['en', 'en', summary.segments_en, SEGMENTS_B],
      ['en', 'zh', summary.segments_en, SEGMENTS_B],
    ] as const) {
      const wb = book(await engine.export('rfm', { scheme, segment: null, lang, currency: '¥', bySegment: true }));
      const expected = order.filter((s) => segments.some((x) => x.segment === s));
      expect(wb.SheetNames, `${scheme} ${lang}`).toEqual(expected.map((s) => SEGMENT_TEXT[s][lang]));
      expect(wb.SheetNames.length).toBe(segments.length);
      for (const [i, s] of expected.entries()) {
        const rows = grid(wb.Sheets[wb.SheetNames[i]]);
        expect(rows[0]).toEqual(lang === 'zh' ? HEADERS_ZH : HEADERS_EN);
        expect(rows.length - 1, s).toBe(segments.find((x) => x.segment === s)!.customers);
        // Each sheet holds its segment only.
        const at = scheme === 'cn' ? 7 : 8;
        expect(new Set(rows.slice(1).map((r) => r[at]))).toEqual(new Set([SEGMENT_TEXT[s][lang]]));
      }
      const all = wb.SheetNames.reduce((n, name) => n + grid(wb.Sheets[name]).length - 1, 0);
      expect(all).toBe(summary.customers);
    }
  });

  it('the workbook of every segment follows the cell\'s filter, as the other exports do', async () => {
    const filtered: ModelSettings = { asOf: null, filter: { from: '2025-07-01' } };
    const summary = await engine.run('rfm', filtered);
    const whole = await engine.run('rfm', {});
    expect(summary.customers).toBeLessThan(whole.customers);
    const wb = book(await engine.export('rfm', { scheme: 'cn', segment: null, lang: 'zh', bySegment: true }, filtered));
    expect(wb.SheetNames.length).toBe(summary.segments_cn.length);
    for (const s of summary.segments_cn) expect(grid(wb.Sheets[s.segment]).length - 1, s.segment).toBe(s.customers);
  });

  it('the cross-sell list names the product to recommend to each customer, in both languages and formats', async () => {
    const basket = await engine.run('basket', {});
    const rule = basket.rules.find((r) => r.consequent.length === 1)!;
    expect(rule).toBeDefined();
    const ref = { antecedent: [...rule.antecedent], consequent: [...rule.consequent] };
    const list = await engine.list('basket', { settings: {}, rule: ref, page: {} });
    expect(list.total).toBeGreaterThan(0);

    const wb = book(await engine.export('basket', { settings: {}, rule: ref, format: 'xlsx', lang: 'zh', currency: '¥' }));
    expect(wb.SheetNames).toEqual(['交叉销售名单']);
    const rows = utils.sheet_to_json<Record<string, unknown>>(wb.Sheets['交叉销售名单']);
    // The sample's customers have no email: the column is there, empty.
    expect(grid(wb.Sheets['交叉销售名单'])[0]).toEqual(['客户ID', '姓名', '推荐商品', '已购商品', '消费金额 (¥)', '购买次数', '最近购买日期', '电话', '邮箱', '地区']);
    expect(rows).toHaveLength(list.total);
    expect(new Set(rows.map((r) => r['推荐商品']))).toEqual(new Set([rule.consequent[0]]));
    expect(new Set(rows.map((r) => r['已购商品']))).toEqual(new Set([rule.antecedent.join(' + ')]));
    expect(rows.map((r) => r['客户ID'])).toEqual(list.customers.map((c) => c.customer_id));
    expect(rows.map((r) => r['消费金额 (¥)'])).toEqual(list.customers.map((c) => Math.round(c.revenue * 100) / 100));

    const csv = readCsv(await engine.export('basket', { settings: {}, rule: ref, format: 'csv', lang: 'en', currency: '¥' }));
    expect(csv[0]).toEqual(['Customer ID', 'Name', 'Product to recommend', 'Bought', 'Total spend (¥)', 'Purchases', 'Last purchase', 'Phone', 'Email', 'Region']);
    expect(new Set(column(csv, 'Product to recommend'))).toEqual(new Set([rule.consequent[0]]));
    expect(column(csv, 'Total spend (¥)').every((v) => PLAIN.test(v))).toBe(true);
  });

  it('ABC, lifecycle, clusters and churn lists: headers in both languages, ¥ on every amount, words for codes', async () => {
    await engine.run('abc', {});
    const abcZh = readCsv(await engine.export('abc', { cls: null, lang: 'zh', currency: '¥' }));
    expect(abcZh[0]).toEqual(['客户ID', 'ABC 级别', '排名', '消费金额 (¥)', '累计销售额占比']);
    expect(new Set(column(abcZh, 'ABC 级别'))).toEqual(new Set(['A 级（核心）', 'B 级（重要）', 'C 级（一般）']));
    expect(column(abcZh, '客户ID')).toContain(`'${HOSTILE}`);
    const abcEn = book(await engine.export('abc', { cls: 'A', lang: 'en', format: 'xlsx' }));
    expect(grid(abcEn.Sheets['ABC customers'])[0]).toEqual(['Customer ID', 'ABC class', 'Rank', 'Total spend', 'Cumulative share of revenue']);

    await engine.run('lifecycle', {});
    const life = readCsv(await engine.export('lifecycle', { lang: 'en', currency: '¥' }));
    expect(life[0]).toEqual(['Customer ID', 'Lifecycle stage', 'Slipping', 'Days since last purchase', 'First purchase', 'Last purchase', 'Purchases', 'Total spend (¥)']);
    expect(new Set(column(life, 'Slipping'))).toEqual(new Set(['yes', 'no']));
    expect(column(life, 'Lifecycle stage').every((s) => ['New', 'Active', 'At risk', 'Dormant', 'Churned'].includes(s))).toBe(true);
    expect(column(life, 'Total spend (¥)').every((v) => PLAIN.test(v))).toBe(true);

    await engine.run('clusters', {});
    const clusters = readCsv(await engine.export('clusters', { cluster: null, lang: 'zh', currency: '¥' }));
    expect(clusters[0]).toEqual(['客户ID', '聚类编号', '聚类名称', '最近购买天数', '购买次数', '消费金额 (¥)']);
    expect(column(clusters, '聚类名称').every((n) => /[\u4e00-\u9fff]/.test(n))).toBe(true);

    const churn = await engine.run('churn', {});
    const warn = book(await engine.export('churn', { lang: 'zh', currency: '¥', format: 'xlsx' }));
    const rows = grid(warn.Sheets['流失预警']);
    expect(rows[0]).toEqual(['排名', '客户ID', '姓名', '电话', '预警原因', '活跃概率', '最近购买日期', '最近购买天数', '平常购买间隔（天）', '消费金额 (¥)', '预测价值 (¥)', '风险价值 (¥)', '风险价值依据']);
    expect(rows.length - 1).toBe(churn.flagged);
    expect(rows.slice(1).every((r) => typeof r[11] === 'number')).toBe(true);
    expect(new Set(rows.slice(1).map((r) => r[4]))).toEqual(new Set(['活跃概率低', '购买节奏放缓', '活跃概率低；购买节奏放缓']));
  });

  it('the CLV list: every scored customer, the horizon in the header, ¥ on the amounts', async () => {
    const clv = await engine.run('clv', { clv: { horizonMonths: 6 } });
    const csv = readCsv(await engine.export('clv', { horizonMonths: 6, lang: 'en', currency: '¥' }, { clv: { horizonMonths: 6 } }));
    expect(csv[0]).toEqual(['Customer ID', 'Repeat purchases', 'P(alive)', 'Expected purchases (next 6 months)', 'Expected spend per purchase (¥)', 'Predicted value (¥)']);
    expect(csv.length - 1).toBe(clv.n_customers);
    expect(column(csv, 'Predicted value (¥)').filter((v) => v !== '').every((v) => PLAIN.test(v))).toBe(true);
    const top = column(csv, 'Customer ID').slice(0, clv.top.length);
    expect(top).toEqual(clv.top.map((c) => c.customer_id));
    const wb = book(await engine.export('clv', { horizonMonths: 6, lang: 'zh', format: 'xlsx' }, { clv: { horizonMonths: 6 } }));
    expect(grid(wb.Sheets['预测客户价值'])[0]).toEqual(['客户ID', '复购次数', '活跃概率', '预计购买次数（未来 6 个月）', '预计客单价', '预测价值']);
  });
});

describe('sheet names Excel accepts', () => {
  it('drops the characters Excel refuses, keeps to 31 characters and makes names unique', () => {
    const used = new Set<string>();
    expect(sheetName('a/b\\c:d*e?f[g]h', used)).toBe('a-b-c-d-e-f-g-h');
    const long = 'x'.repeat(40);
    expect(sheetName(long, used)).toBe('x'.repeat(31));
    expect(sheetName(long, used)).toBe('x'.repeat(27) + ' (2)');
    expect(sheetName('Champions', used)).toBe('Champions');
    expect(sheetName('CHAMPIONS', used)).toBe('CHAMPIONS (2)');
    expect(sheetName("'", used)).toBe('Sheet');
    for (const name of used) expect([...name].length).toBeLessThanOrEqual(31);
  });
});

describe('the currency of the amounts', () => {
  it('is read from the amount column\'s header or values, and unknown when they say none or several', () => {
    expect(currencyOf('实付金额', ['39.00', '69.00'])).toBeNull();
    expect(currencyOf('金额(元)', ['39.00'])).toBe('¥');
    expect(currencyOf('amount', ['¥39.00', '￥12'])).toBe('¥');
    expect(currencyOf('Amount (USD)', ['12.50'])).toBe('$');
    expect(currencyOf('amount_eur', ['12,50'])).toBe('€');
    expect(currencyOf('Price', ['£3.20'])).toBe('£');
    expect(currencyOf('revenue', ['$1', '€2'])).toBeNull();
    expect(currencyOf('europe_sales', ['1'])).toBeNull();
  });
});
