// Every order or transaction file in ../shared/data through the real ingest on DuckDB-WASM: format, role, mapping and
// cleaning counts, checked against reference_values.json and the data README, and recomputed here from the raw text.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { one, rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile, type CleaningReport, type LoadedSource } from '../../src/ingest/index.ts';
import { expectIdentity, parseCsv } from './ingest-helpers.ts';

const shared = (f: string) => fileURLToPath(new URL(`../../../shared/data/${f}`, import.meta.url));
const reference = JSON.parse(readFileSync(shared('reference_values.json'), 'utf8')) as {
  cdnow_setup: { n_customers: number };
  apriori_groceries: { n_transactions: number; n_items: number };
};

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});

/** Load and apply one shared file; returns the source and its report (orders files). */
async function load(file: string): Promise<{ src: LoadedSource; report?: CleaningReport; rows: number }> {
  const src = await loadFile(db, file, readFileSync(shared(file)), 'raw_shared');
  const applied = await applyMapping(db, src, src.mapping);
  return { src, report: applied.report, rows: applied.rows };
}

/** Thousandths of a currency unit, exactly, from a decimal text such as `-2.55` or `18.0`. */
function milli(text: string): bigint {
  const [whole, frac = ''] = text.trim().replace(/^-/, '').split('.');
  const v = BigInt(whole) * 1000n + BigInt((frac + '000').slice(0, 3));
  return text.trim().startsWith('-') ? -v : v;
}
const money = (m: bigint) => `${m < 0n ? '-' : ''}${(m < 0n ? -m : m) / 1000n}.${String((m < 0n ? -m : m) % 1000n).padStart(3, '0')}0`;

describe('online_retail_france.csv', () => {
  let src: LoadedSource;
  let report: CleaningReport;
  // Recomputed from the text: data rows, and what the rules of MODELS.md §1 make of them.
  const text = readFileSync(shared('online_retail_france.csv'), 'utf8');
  const [head, ...data] = parseCsv(text);
  const seen = new Set<string>();
  const kept: { line: number; f: string[] }[] = [];
  const lineOf = text.split('\n').slice(1).map((_, i) => i + 2); // no value spans lines in this file
  data.forEach((f, i) => {
    const key = f.slice(1).join('\u001f'); // the leading row index is not data
    if (!seen.has(key)) kept.push({ line: lineOf[i], f });
    seen.add(key);
  });
  const col = (name: string) => head.indexOf(name);
  const net = new Map<string, bigint>();
  const refunded = new Set<string>();
  for (const { f } of kept) {
    const amount = BigInt(f[col('Quantity')]) * milli(f[col('UnitPrice')]);
    net.set(f[col('InvoiceNo')], (net.get(f[col('InvoiceNo')]) ?? 0n) + amount);
    if (amount < 0n || Number(f[col('Quantity')]) < 0) refunded.add(f[col('InvoiceNo')]);
  }

  beforeAll(async () => {
    ({ src, report } = (await load('online_retail_france.csv')) as { src: LoadedSource; report: CleaningReport });
  });

  it('is read as comma-separated UTF-8 with a header, as orders, the row-index column left out of the mapping', () => {
    expect(src.raw).toMatchObject({ format: 'csv', encoding: 'utf-8', header: true, rows: 8557 });
    expect(src.raw.columns).toEqual(['column0', 'InvoiceNo', 'StockCode', 'Description', 'Quantity', 'InvoiceDate', 'UnitPrice', 'CustomerID', 'Country']);
    expect(src.profiles[0].rowIndex).toBe(true);
    expect(src.role).toBe('orders');
    expect(src.mapping).toEqual({
      customer_id: 'CustomerID', order_ts: 'InvoiceDate', order_id: 'InvoiceNo', product: 'Description', quantity: 'Quantity', unit_price: 'UnitPrice',
    });
    expect(src.missing).toEqual([]);
  });

  it('cleans to the verified counts, which the raw text gives as well', () => {
    expect(data.length).toBe(8557);
    expect(report).toMatchObject({
      rows_read: 8557, rows_loaded: 8541, duplicates_removed: 16, blank_customer: 66, bad_date: 0, bad_amount: 0,
      orders: 461, purchases: 392, customers: 87, refund_orders: 69, dedupe: true, date_order: 'mdy', date_order_evidence: 'data',
    });
    expectIdentity(report);
    expect(report.duplicates_removed).toBe(data.length - kept.length);
    expect(report.blank_customer).toBe(kept.filter(({ f }) => f[col('CustomerID')].trim() === '').length);
    expect(report.orders).toBe(net.size);
    expect(report.refund_orders).toBe([...net.keys()].filter((k) => k.startsWith('C')).length);
    expect(report.purchases).toBe([...net].filter(([k, v]) => v > 0n || (v === 0n && !refunded.has(k))).length);
    expect(report.customers).toBe(new Set(kept.map(({ f }) => f[col('CustomerID')].replace(/\.0$/, '')).filter(Boolean)).size);
  });

  it('names the first source lines of each rule', () => {
    const blank = kept.filter(({ f }) => f[col('CustomerID')] === '').slice(0, 5).map((r) => r.line);
    expect(report.examples.blank_customer?.map((e) => e.line)).toEqual(blank);
    expect(report.examples.blank_customer?.[0]).toMatchObject({ line: 3469, column: 'CustomerID' });
    const lines = text.split('\n');
    for (const ex of report.examples.duplicate ?? []) {
      const row = lines[ex.line - 1].split(',').slice(1).join(',');
      expect(lines.slice(1, ex.line - 1).some((l) => l.split(',').slice(1).join(',') === row)).toBe(true);
    }
  });

  it('keeps ids, labels and money exact, and dates as written', async () => {
    const sums = await one<{ lines: string; ids: number; first: string; last: string; frame: number }>(
      db,
      `SELECT sum(amount)::VARCHAR AS lines, count(*) FILTER (WHERE customer_id LIKE '%.%')::DOUBLE AS ids,
        strftime(min(order_ts), '%Y-%m-%d %H:%M') AS first, strftime(max(order_ts), '%Y-%m-%d %H:%M') AS last,
        count(*) FILTER (WHERE product = 'RECORD FRAME 7" SINGLE SIZE ')::DOUBLE AS frame FROM orders`,
    );
    const all = data.reduce((s, f) => s + BigInt(f[col('Quantity')]) * milli(f[col('UnitPrice')]), 0n);
    expect(money(all)).toBe('197403.9000'); // the data README's net Σ qty × price over all 8,557 rows
    expect(sums.lines).toBe(money(kept.reduce((s, { f }) => s + BigInt(f[col('Quantity')]) * milli(f[col('UnitPrice')]), 0n)));
    expect(sums.ids).toBe(0);
    expect([sums.first, sums.last]).toEqual(['2010-12-01 08:45', '2011-12-09 12:50']);
    expect(sums.frame).toBe(kept.filter(({ f }) => f[col('Description')] === 'RECORD FRAME 7" SINGLE SIZE ').length);
    expect(sums.frame).toBeGreaterThan(0);
    const credit = await rows<{ n: number; neg: number }>(db, `SELECT count(*)::DOUBLE AS n, count(*) FILTER (WHERE net < 0)::DOUBLE AS neg FROM order_totals WHERE order_key LIKE 'C%'`);
    expect(credit).toEqual([{ n: 69, neg: 69 }]);
  });
});

describe('CDNOW_master.txt', () => {
  let src: LoadedSource;
  let report: CleaningReport;
  const lines = readFileSync(shared('CDNOW_master.txt'), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/));
  const body = lines.slice(1);

  beforeAll(async () => {
    ({ src, report } = (await load('CDNOW_master.txt')) as { src: LoadedSource; report: CleaningReport });
  });

  it('is read as whitespace-separated with a header line, and mapped from its names', () => {
    expect(src.raw).toMatchObject({ format: 'whitespace', header: true, rows: 69659, columns: ['customer_id', 'date', 'number_of_cds', 'dollar_value'] });
    expect(src.role).toBe('orders');
    expect(src.mapping).toEqual({ customer_id: 'customer_id', order_ts: 'date', quantity: 'number_of_cds', amount: 'dollar_value' });
  });

  it('cleans to 69,659 rows, 67,591 orders and 23,570 customers, as the text gives', async () => {
    expect(body.length).toBe(69659);
    expect(report).toMatchObject({ rows_read: 69659, rows_loaded: 69659, duplicates_removed: 0, bad_date: 0, bad_amount: 0, orders: 67591, purchases: 67591, customers: 23570, dedupe: false });
    expectIdentity(report);
    expect(report.orders).toBe(new Set(body.map((f) => `${f[0]} ${f[1]}`)).size);
    expect(report.customers).toBe(new Set(body.map((f) => f[0])).size);
    const s = await one<{ total: string; first: string; last: string; ids: string }>(
      db,
      `SELECT (SELECT sum(amount)::VARCHAR FROM orders) AS total, strftime(min(order_day), '%Y-%m-%d') AS first,
        strftime(max(order_day), '%Y-%m-%d') AS last, min(customer_id) AS ids FROM order_totals`,
    );
    expect(s).toEqual({ total: '2500315.6300', first: '1997-01-01', last: '1998-06-30', ids: '00001' });
  });
});

describe('CDNOW_sample.txt', () => {
  let src: LoadedSource;
  let report: CleaningReport;
  const body = readFileSync(shared('CDNOW_sample.txt'), 'utf8').split(/\r?\n/).filter((l) => l.trim() !== '').map((l) => l.trim().split(/\s+/));

  beforeAll(async () => {
    ({ src, report } = (await load('CDNOW_sample.txt')) as { src: LoadedSource; report: CleaningReport });
  });

  it('is read as whitespace-separated without a header, and mapped from its values', () => {
    expect(src.raw).toMatchObject({ format: 'whitespace', header: false, rows: 6919, columns: ['column1', 'column2', 'column3', 'column4', 'column5'] });
    expect(src.role).toBe('orders');
    expect(src.mapping).toMatchObject({ order_ts: 'column3', amount: 'column5', quantity: 'column4' });
    expect(['column1', 'column2']).toContain(src.mapping.customer_id);
  });

  it('cleans to 6,919 rows and the 2,357 customers of the reference setup', async () => {
    expect(report).toMatchObject({ rows_read: 6919, rows_loaded: 6919, duplicates_removed: 0, bad_date: 0, bad_amount: 0, customers: 2357 });
    expect(report.customers).toBe(reference.cdnow_setup.n_customers);
    expectIdentity(report);
    expect(report.orders).toBe(new Set(body.map((f) => `${f[0]} ${f[2]}`)).size);
    expect(report.orders).toBe(6696);
  });
});

describe('groceries.csv', () => {
  let src: LoadedSource;
  let baskets: number;
  const lines = readFileSync(shared('groceries.csv'), 'utf8').split(/\r?\n/).filter((l) => l !== '');

  beforeAll(async () => {
    ({ src, rows: baskets } = await load('groceries.csv'));
  });

  it('is read as one basket per line, with no customers or dates', () => {
    expect(src.raw).toMatchObject({ format: 'baskets', header: false, rows: 9835, columns: ['items'] });
    expect(src.role).toBe('baskets');
    expect(src.mapping).toEqual({});
  });

  it('keeps every basket and every item label exactly, trailing spaces included', async () => {
    expect(baskets).toBe(reference.apriori_groceries.n_transactions);
    expect(baskets).toBe(lines.length);
    const s = await one<{ items: number; occurrences: number; milk: number }>(
      db,
      `SELECT count(DISTINCT item)::DOUBLE AS items, count(*)::DOUBLE AS occurrences, count(*) FILTER (WHERE item = 'whole milk')::DOUBLE AS milk FROM baskets`,
    );
    expect(s).toEqual({ items: reference.apriori_groceries.n_items, occurrences: 43367, milk: 2513 });
    expect(s.occurrences).toBe(lines.reduce((n, l) => n + new Set(l.split(',')).size, 0));
    const spaced = await rows<{ item: string; n: number }>(
      db,
      `SELECT item, count(*)::DOUBLE AS n FROM baskets WHERE item IN ('cream cheese ', 'cream cheese', 'roll products ', 'roll products') GROUP BY item ORDER BY item`,
    );
    const count = (label: string) => lines.filter((l) => l.split(',').includes(label)).length;
    expect(spaced).toEqual([
      { item: 'cream cheese ', n: count('cream cheese ') },
      { item: 'roll products ', n: count('roll products ') },
    ]);
    // Identical lines stay distinct baskets: basket ids are line numbers.
    const ids = await one<{ first: number; last: number }>(db, `SELECT min(basket_id)::DOUBLE AS first, max(basket_id)::DOUBLE AS last FROM baskets`);
    expect(ids).toEqual({ first: 1, last: 9835 });
  });
});
