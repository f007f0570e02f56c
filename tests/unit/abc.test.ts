// Pareto and ABC (MODELS.md §3): a hand-computed fixture, and the reference files recomputed independently from their raw text.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { abc, abcCustomers, abcExportSql } from '../../src/models/abc.ts';
import type { Prepared } from '../../src/models/prepared.ts';
import { ingest, parseCsv, utf8 } from './ingest-helpers.ts';

const shared = (f: string) => fileURLToPath(new URL(`../../../shared/data/${f}`, import.meta.url));

// a 0.30 + 0.12 = 0.42, b 0.14, c 0.08, d 0.06 (+ a fully refunded order), e buys only after D.
// Total 0.70; after b the cumulative revenue is 0.56 = exactly 80 % (in floating point 0.42 + 0.14 over 0.70
// comes out a hair above 0.8, so only an exact comparison keeps b in class A).
const FIXTURE = `order_id,customer_id,order_ts,amount
o1,a,2024-01-01 10:00:00,0.30
o2,a,2024-01-05 10:00:00,0.12
o3,b,2024-01-02 10:00:00,0.14
o4,c,2024-01-03 10:00:00,0.08
o5,d,2024-01-04 10:00:00,0.06
o6,d,2024-01-04 11:00:00,5.00
o6,d,2024-01-04 11:00:00,-5.00
o7,e,2024-02-01 10:00:00,9.00
`;

describe('ABC on a hand-computed fixture', () => {
  let db: Db;
  beforeAll(async () => {
    db = await openNodeDb();
    await ingest(db, 'abc.csv', utf8(FIXTURE));
  });

  it('classifies by exact cumulative share, with top-20 % share, Gini and the curve', async () => {
    const s = await abc(db, { asOf: '2024-01-10' });
    expect(s.customers).toBe(4);
    expect(s.revenue).toBeCloseTo(0.7, 12);
    expect(s.top20_share).toBeCloseTo(0.42 / 0.7, 12); // ceil(0.2 × 4) = 1 customer
    expect(s.top20_point.customer_share).toBe(0.25);
    expect(s.share_for_80).toBe(0.5);
    // x ascending 0.06, 0.08, 0.14, 0.42; Σ (2i − 5) x_i = −0.18 − 0.08 + 0.14 + 1.26 = 1.14; G = 1.14 / (4 × 0.70)
    expect(s.gini).toBeCloseTo(1.14 / 2.8, 12);
    const list = await abcCustomers(db);
    expect(list.map((c) => [c.customer_id, c.rank, c.class])).toEqual([
      ['a', 1, 'A'],
      ['b', 2, 'A'],
      ['c', 3, 'B'],
      ['d', 4, 'C'],
    ]);
    expect(s.classes.map((c) => [c.class, c.customers])).toEqual([['A', 2], ['B', 1], ['C', 1]]);
    expect(s.classes[0].revenue).toBeCloseTo(0.56, 12);
    expect(s.classes[0].revenue_share).toBeCloseTo(0.8, 12);
    expect(s.classes[2].monetary).toBeCloseTo(0.06, 12);
    const expected = [[0, 0], [0.25, 0.6], [0.5, 0.8], [0.75, 0.64 / 0.7], [1, 1]];
    expect(s.lorenz).toHaveLength(expected.length);
    s.lorenz.forEach((p, i) => {
      expect(p.customer_share).toBeCloseTo(expected[i][0], 12);
      expect(p.revenue_share).toBeCloseTo(expected[i][1], 12);
    });
  });

  it('takes its cut-offs from the settings, keeps empty classes and rejects impossible ones', async () => {
    const s = await abc(db, { asOf: '2024-01-10', cutA: 0.6, cutB: 0.9 });
    expect((await abcCustomers(db)).map((c) => c.class)).toEqual(['A', 'B', 'C', 'C']);
    expect(s.classes.map((c) => c.customers)).toEqual([1, 1, 2]);
    const all = await abc(db, { asOf: '2024-01-10', cutA: 1, cutB: 1 });
    expect(all.classes.map((c) => [c.class, c.customers])).toEqual([['A', 4], ['B', 0], ['C', 0]]);
    await expect(abc(db, { cutA: 0.9, cutB: 0.8 })).rejects.toThrow(/must not be below/);
    await expect(abc(db, { cutA: 0 })).rejects.toThrow(/share in \(0, 1\]/);
  });

  it('ranks once per customer summary: a cut-off change only classes again, with the answers from scratch', async () => {
    const prepared: Prepared = new Map();
    const ranked: string[] = [];
    const watched: Db = { ...db, query: (sql) => (/CREATE OR REPLACE TABLE abc_ranked/.test(sql) && ranked.push(sql), db.query(sql)) };
    const runs = [{}, { cutA: 0.6, cutB: 0.9 }, { cutA: 1, cutB: 1 }, { asOf: '2024-01-04' }, { asOf: '2024-01-04', cutA: 0.5 }];
    const built: number[] = [];
    for (const settings of runs) {
      const s = { asOf: '2024-01-10', ...settings };
      const kept = await abc(watched, s, prepared);
      const keptList = await abcCustomers(db);
      expect(kept).toEqual(await abc(db, s));
      expect(keptList).toEqual(await abcCustomers(db));
      built.push(ranked.length);
    }
    // A new as-of date is a new customer summary: ranked again once.
    expect(built).toEqual([1, 1, 1, 2, 2]);
  });

  it('pages a class list and exports it with the class, rank and cumulative share', async () => {
    await abc(db, { asOf: '2024-01-10' });
    expect((await abcCustomers(db, { class: 'A', limit: 1, offset: 1 })).map((c) => c.customer_id)).toEqual(['b']);
    const csv = new TextDecoder().decode(await db.exportCsv(abcExportSql('C')));
    expect(csv.trim().split('\n')).toEqual(['customer_id,class,rank,monetary,cum_share', 'd,C,4,0.06,1.0']);
  });
});

/** Top-20 % share, Gini and class sizes from monetary values, with exact integer money (units of 1/10,000). */
function concentration(monetary: bigint[]) {
  const desc = [...monetary].sort((x, y) => (x < y ? 1 : x > y ? -1 : 0));
  const n = desc.length;
  const total = desc.reduce((a, b) => a + b, 0n);
  const top = desc.slice(0, Math.ceil(0.2 * n)).reduce((a, b) => a + b, 0n);
  const asc = [...desc].reverse();
  let g = 0;
  asc.forEach((x, i) => (g += (2 * (i + 1) - n - 1) * Number(x)));
  const counts = { A: 0, B: 0, C: 0 };
  let cum = 0n;
  desc.forEach((x, i) => {
    cum += x;
    // cum ≤ 0.8 × total  ⇔  5 × cum ≤ 4 × total; cum ≤ 0.95 × total ⇔ 20 × cum ≤ 19 × total
    if (i === 0 || 5n * cum <= 4n * total) counts.A++;
    else if (20n * cum <= 19n * total) counts.B++;
    else counts.C++;
  });
  return { n, top20: Number(top) / Number(total), gini: g / (n * Number(total)), counts };
}

/** Exact money in units of 1/10,000 from a decimal string such as "-12.5" or "3.75". */
function money(text: string): bigint {
  const m = /^(-?)(\d*)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`not a number: ${text}`);
  const frac = (m[3] ?? '').padEnd(4, '0');
  if (frac.length > 4) throw new Error(`more than 4 decimals: ${text}`);
  const v = BigInt(m[2] || '0') * 10000n + BigInt(frac);
  return m[1] ? -v : v;
}

/** Purchases per customer by MODELS.md §1 from orders given as (order key, customer, line amount, is refund line). */
function monetaryByCustomer(lines: { order: string; customer: string; amount: bigint; refund: boolean }[]): bigint[] {
  const orders = new Map<string, { customer: string; net: bigint; refund: boolean }>();
  for (const l of lines) {
    const o = orders.get(l.order) ?? { customer: l.customer, net: 0n, refund: false };
    o.net += l.amount;
    o.refund ||= l.refund;
    orders.set(l.order, o);
  }
  const byCustomer = new Map<string, bigint>();
  for (const o of orders.values()) {
    if (!(o.net > 0n || (o.net === 0n && !o.refund))) continue;
    byCustomer.set(o.customer, (byCustomer.get(o.customer) ?? 0n) + o.net);
  }
  return [...byCustomer.values()];
}

describe('ABC on the reference data, against an independent computation from the raw files', { timeout: 180_000 }, () => {
  it('online_retail_france.csv', async () => {
    const records = parseCsv(readFileSync(shared('online_retail_france.csv'), 'utf8')).slice(1);
    // Exact duplicate rows (the leading pandas index aside) are removed: the data has invoice numbers.
    const seen = new Set<string>();
    const lines = [];
    for (const r of records) {
      const key = r.slice(1).join('\u0001');
      if (seen.has(key)) continue;
      seen.add(key);
      const [, invoice, , , qty, , price, customer] = r;
      if (customer.trim() === '') continue;
      const amount = (money(qty) * money(price)) / 10000n;
      lines.push({ order: invoice, customer: customer.replace(/\.0$/, ''), amount, refund: amount < 0n || Number(qty) < 0 });
    }
    const want = concentration(monetaryByCustomer(lines));
    const db = await openNodeDb();
    await ingest(db, 'online_retail_france.csv', readFileSync(shared('online_retail_france.csv')));
    const got = await abc(db);
    expect(got.customers).toBe(want.n);
    expect(want.n).toBe(87);
    expect(got.top20_share).toBeCloseTo(want.top20, 12);
    expect(got.gini).toBeCloseTo(want.gini, 12);
    expect(Object.fromEntries(got.classes.map((c) => [c.class, c.customers]))).toEqual(want.counts);
  });

  it('CDNOW_master.txt', async () => {
    const text = readFileSync(shared('CDNOW_master.txt'), 'utf8');
    const lines = text
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.trim().split(/\s+/))
      // No order id: an order is all lines of one customer on one timestamp (here: one day).
      .map(([customer, date, , dollars]) => ({ order: `${customer}|${date}`, customer, amount: money(dollars), refund: false }));
    const want = concentration(monetaryByCustomer(lines));
    const db = await openNodeDb();
    await ingest(db, 'CDNOW_master.txt', readFileSync(shared('CDNOW_master.txt')));
    const got = await abc(db);
    expect(got.customers).toBe(23_570);
    expect(got.customers).toBe(want.n);
    expect(got.top20_share).toBeCloseTo(want.top20, 12);
    expect(got.gini).toBeCloseTo(want.gini, 10);
    expect(Object.fromEntries(got.classes.map((c) => [c.class, c.customers]))).toEqual(want.counts);
    const [table] = await rows<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM abc`);
    expect(table.n).toBe(23_570);
  });
});
