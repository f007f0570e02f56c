// The basket model on real ingest: groceries.csv against arules, the headless command, the sample data, and a
// hand-made orders fixture for transactions (refunds, duplicates, categories) and cross-sell lists.

import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze.ts';
import { withBasketFlags } from '../../src/cli/basket-flags.ts';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import { crossSell } from '../../src/models/basket/crosssell.ts';
import { hasBasketData, loadTransactions, type BasketData } from '../../src/models/basket/data.ts';
import { basket, cooccurrence, type BasketResult } from '../../src/models/basket/model.ts';
import type { BasketRule } from '../../src/models/basket/index.ts';

const shared = (f: string) => new URL(`../../../shared/data/${f}`, import.meta.url).pathname;
const GROCERIES = shared('groceries.csv');
const SAMPLE = new URL('../../sample-data/orders.csv', import.meta.url).pathname;
const FIXTURE = new URL('../fixtures/basket/orders.csv', import.meta.url).pathname;
const REF = JSON.parse(readFileSync(shared('reference_values.json'), 'utf8')).apriori_groceries;

interface RefRule {
  lhs: string[];
  rhs: string;
  support: number;
  confidence: number;
  lift: number;
  count: number;
}

/** Loads a file through the real ingest with the role it is detected as, and applies the guessed mapping. */
async function ingest(file: string): Promise<{ db: Db; role: string }> {
  const db = await openNodeDb();
  const loaded = await loadFile(db, file.split('/').pop()!, readFileSync(file), 'raw_test');
  await applyMapping(db, loaded, loaded.mapping);
  return { db, role: loaded.role };
}

function byLength(rules: BasketRule[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const r of rules) out[r.antecedent.length + 1] = (out[r.antecedent.length + 1] ?? 0) + 1;
  return out;
}

function expectRule(got: BasketRule, ref: RefRule): void {
  expect(got.antecedent).toEqual(ref.lhs);
  expect(got.consequent).toEqual([ref.rhs]);
  expect(got.count).toBe(ref.count);
  expect(Math.abs(got.support - ref.support)).toBeLessThanOrEqual(1e-6);
  expect(Math.abs(got.confidence - ref.confidence)).toBeLessThanOrEqual(1e-6);
  expect(Math.abs(got.lift - ref.lift)).toBeLessThanOrEqual(1e-6);
}

/** Baskets in a fixed order (each one's items are sorted already), to compare transactions as a multiset. */
const sorted = (list: string[][]) => [...list].sort((a, b) => a.join('\u0001').localeCompare(b.join('\u0001')));

/** Each transaction's item labels (sorted), in transaction order. */
function baskets(data: BasketData): string[][] {
  const { offsets, items, labels } = data.transactions;
  const out: string[][] = [];
  for (let t = 0; t + 1 < offsets.length; t++) out.push(Array.from(items.subarray(offsets[t], offsets[t + 1]), (id) => labels[id]).sort());
  return out;
}

describe('groceries.csv through the real ingest', () => {
  let db: Db;
  beforeAll(async () => {
    const r = await ingest(GROCERIES);
    expect(r.role).toBe('baskets');
    db = r.db;
  });

  it('supp 0.006, conf 0.25, max size 10: the 463 rules of arules, 150/297/16 by length, top 5 by lift', async () => {
    const ref = REF['supp0.006_conf0.25_minlen2'];
    const res = await basket(db, { minSupport: 0.006, minConfidence: 0.25, maxSize: 10 });
    expect(res.source).toBe('baskets');
    expect(res.transactions).toBe(9835);
    expect(res.items).toBe(169);
    expect(res.truncated).toBe(false);
    expect(res.rules).toHaveLength(463);
    expect(res.rules.length).toBe(ref.n_rules);
    expect(byLength(res.rules)).toEqual({ 2: 150, 3: 297, 4: 16 });
    expect(res.itemsets.total).toBe(747);
    (ref.top5_by_lift as RefRule[]).forEach((r, i) => expectRule(res.rules[i], r));
    const measured = res.rules[0];
    expect(measured.leverage).toBeCloseTo(0.00701576 - (160 / 9835) * (1072 / 9835), 9);
    expect(measured.conviction).toBeCloseTo((1 - 1072 / 9835) / (1 - 0.43125), 9);
  });

  it('max size 3 gives 447 rules; supp 0.001, conf 0.8 gives 410 with {liquor, red/blush wine} → {bottled beer} first', async () => {
    expect((await basket(db, { minSupport: 0.006, minConfidence: 0.25, maxSize: 3 })).rules).toHaveLength(447);
    const ref = REF['supp0.001_conf0.8'];
    const res = await basket(db, { minSupport: 0.001, minConfidence: 0.8, maxSize: 10 });
    expect(res.rules).toHaveLength(410);
    expect(res.itemsets.total).toBe(13492);
    expect(res.rules[0].antecedent).toEqual(['liquor', 'red/blush wine']);
    expect(res.rules[0].consequent).toEqual(['bottled beer']);
    expect(res.rules[0].lift).toBeCloseTo(11.235269, 6);
    (ref.top3_by_lift as RefRule[]).forEach((r, i) => expectRule(res.rules[i], r));
  });

  it('keeps the two labels that end in a space, and identical lines as distinct baskets', async () => {
    const data = await loadTransactions(db);
    expect(data.transactions.labels.filter((l) => l.endsWith(' ')).sort()).toEqual(['cream cheese ', 'roll products ']);
    expect(data.transactions.items.length).toBe(43367);
    const lines = readFileSync(GROCERIES, 'utf8').trimEnd().split('\n');
    const repeated = lines.length - new Set(lines).size;
    expect(repeated).toBeGreaterThan(0);
    expect(data.transactions.offsets.length - 1).toBe(lines.length);
    expect(data.itemCounts[0]).toBe(2513);
    expect(data.transactions.labels[0]).toBe('whole milk');
  });

  it('stops early with what to raise when the thresholds would give too much', async () => {
    const res = await basket(db, { minSupport: 0.001, minConfidence: 0.8, maxSize: 10 }, { maxItemsets: 1000 });
    expect(res.truncated).toBe(true);
    expect(res.limit).toBe('maxItemsets');
    expect(res.suggestion).toBe('raise-min-support');
    expect(res.reason).toMatch(/raise min support \(now 0.001\)/);
    expect(res.rules).toEqual([]);
    const top = await basket(db, { minSupport: 0.006, minConfidence: 0.25, maxSize: 10 }, { top: 10 });
    expect(top.ruleCount).toBe(463);
    expect(top.rules).toHaveLength(10);
    expect(top.rules[0]).toMatchObject({ antecedent: ['herbs'], consequent: ['root vegetables'] });
  });

  it('refuses category baskets and cross-sell lists for a basket-per-line file', async () => {
    await expect(basket(db, { basketBy: 'category' })).rejects.toThrow(/no categories/);
    await expect(crossSell(db, { antecedent: ['herbs'], consequent: ['root vegetables'] })).rejects.toThrow(/no customers/);
  });
});

describe('the headless command', () => {
  it('gives the model function’s rules on groceries.csv, with flags over settings', async () => {
    const db = (await ingest(GROCERIES)).db;
    const model = await basket(db, { minSupport: 0.006, minConfidence: 0.25, maxSize: 10 });
    const settings = withBasketFlags({ basket: { minSupport: 0.5, maxSize: 2 } }, { 'min-support': '0.006', 'min-confidence': '0.25', 'max-size': '10' });
    expect(settings?.basket).toEqual({ minSupport: 0.006, minConfidence: 0.25, maxSize: 10 });
    const out = (await analyze({ orders: GROCERIES, models: ['basket'], settings })) as { basket: BasketResult };
    expect(out.basket.rules).toHaveLength(463);
    expect(out.basket.rules).toEqual(model.rules);
    expect(out.basket.transactions).toBe(9835);
    const shaped = (await analyze({ orders: GROCERIES, shape: 'baskets', settings: { basket: { minSupport: 0.001, minConfidence: 0.8, maxSize: 10 } } })) as { basket: BasketResult };
    expect(shaped.basket.rules).toHaveLength(410);
    expect(Object.keys(shaped).sort()).toEqual(['basket', 'mapping', 'source']);
  });

  it('checks its flags', () => {
    expect(() => withBasketFlags(undefined, { 'min-support': 'often' })).toThrow(/--min-support takes a number/);
    expect(() => withBasketFlags(undefined, { 'basket-by': 'brand' })).toThrow(/product or category/);
    expect(withBasketFlags({ asOf: '2024-01-01' }, {})).toEqual({ asOf: '2024-01-01' });
    expect(withBasketFlags(undefined, { 'basket-by': 'category' })).toEqual({ basket: { basketBy: 'category' } });
  });

  it('says why there is no basket when the orders have no products (CDNOW); by default the command leaves it out', async () => {
    const out = await analyze({ orders: shared('CDNOW_sample.txt'), models: ['overview', 'basket'] }).catch((e: Error) => e);
    expect(out).toBeInstanceOf(Error);
    expect((out as Error).message).toMatch(/no product column/);
    const db = (await ingest(shared('CDNOW_sample.txt'))).db;
    expect(await hasBasketData(db, 'orders')).toBe(false);
    expect(await hasBasketData(db, 'baskets')).toBe(false);
  });
});

describe('sample data', () => {
  let db: Db;
  let res: BasketResult;
  beforeAll(async () => {
    db = (await ingest(SAMPLE)).db;
    res = await basket(db, { minSupport: 0.005 });
  });

  it('gives one rule at the defaults of MODELS.md §7', async () => {
    const d = await basket(db);
    expect(d.settings).toMatchObject({ minSupport: 0.01, minConfidence: 0.2, maxSize: 3 });
    expect(d.transactions).toBe(25815);
    expect(d.rules).toHaveLength(1);
  });

  it('gives 12 rules at support 0.005, counted on the 25,815 purchases', async () => {
    expect(res.source).toBe('orders');
    expect(res.settings).toMatchObject({ minSupport: 0.005, minConfidence: 0.2, maxSize: 3 });
    expect(res.transactions).toBe(25815);
    expect(res.items).toBe(79);
    expect(res.rules).toHaveLength(12);
    const cushion = res.rules.find((r) => r.antecedent.join() === '亚麻抱枕套' && r.consequent[0] === '羽丝绒抱枕芯');
    expect(cushion?.count).toBe(234);
    expect(res.rules.every((r) => r.lift > 3)).toBe(true);
  });

  it('agrees with counts taken in plain SQL from the order lines (kept quantity > 0 per purchase and product)', async () => {
    const kept = `SELECT order_key, product FROM orders WHERE order_key IN (SELECT order_key FROM purchases) GROUP BY ALL HAVING sum(quantity) > 0`;
    const holding = async (items: string[]) =>
      (
        await rows<{ n: number }>(
          db,
          `SELECT count(*)::DOUBLE AS n FROM (SELECT order_key FROM (${kept}) WHERE product IN (${items.map((i) => `'${i}'`).join(', ')})
           GROUP BY order_key HAVING count(*) = ${items.length})`,
        )
      )[0].n;
    for (const r of res.rules) {
      const both = await holding([...r.antecedent, ...r.consequent]);
      expect(r.count).toBe(both);
      expect(r.confidence).toBeCloseTo(both / (await holding(r.antecedent)), 12);
      expect(r.lift).toBeCloseTo((both * 25815) / ((await holding(r.antecedent)) * (await holding(r.consequent))), 9);
    }
  });

  it('gives category rules and the co-occurrence of the top items', async () => {
    const byCategory = await basket(db, { basketBy: 'category' });
    expect(byCategory.items).toBe(8);
    expect(byCategory.rules[0]).toMatchObject({ antecedent: ['咖啡器具'], consequent: ['咖啡豆'] });
    const data = await loadTransactions(db);
    const co = cooccurrence(data, {}, 5);
    expect(co.items.map((i) => i.count)).toEqual([2505, 1772, 1665, 1632, 1509]);
    expect(co.pairs).toHaveLength(20);
    const excluded = cooccurrence(data, { exclude: [co.items[0].item] }, 5);
    expect(excluded.items[0]).toEqual(co.items[1]);
  });
});

describe('a hand-made orders fixture', () => {
  let db: Db;
  beforeAll(async () => {
    db = (await ingest(FIXTURE)).db;
  });

  it('builds one transaction per purchase: refund lines, returned items, voided lines and duplicates left out', async () => {
    const data = await loadTransactions(db);
    const keys = await rows<{ order_key: string }>(db, `SELECT order_key FROM purchases ORDER BY order_key`);
    // O4 was fully refunded (not a purchase). O5's cup and one of O6's two filters came back; O11's kettle is
    // voided by its refund status; O1's cup line is exported twice and O2 has coffee on two lines.
    expect(keys.map((k) => k.order_key)).toEqual(['O1', 'O10', 'O11', 'O12', 'O13', 'O2', 'O3', 'O5', 'O6', 'O7', 'O8', 'O9']);
    // Listed by order key; transactions are numbered in table order, so the baskets are compared as a multiset.
    expect(sorted(baskets(data))).toEqual(sorted([
      ['coffee', 'cup'],
      ['cup'],
      ['tea'],
      ['cup'],
      ['coffee'],
      ['coffee'],
      ['coffee', 'cup', 'filter'],
      ['coffee'],
      ['coffee', 'filter'],
      ['coffee', 'cup'],
      ['cup', 'tea'],
      ['coffee', 'filter'],
    ]));
    expect(data.transactions.labels).toEqual(['coffee', 'cup', 'filter', 'tea']);
    expect(Array.from(data.itemCounts)).toEqual([8, 6, 3, 2]);
  });

  it('builds category transactions the same way', async () => {
    const data = await loadTransactions(db, { basketBy: 'category' });
    expect(sorted(baskets(data))).toEqual(sorted([
      ['drinks', 'ware'],
      ['ware'],
      ['drinks'],
      ['ware'],
      ['drinks'],
      ['drinks'],
      ['drinks', 'gear', 'ware'],
      ['drinks'],
      ['drinks', 'gear'],
      ['drinks', 'ware'],
      ['drinks', 'ware'],
      ['drinks', 'gear'],
    ]));
    const res = await basket(db, { basketBy: 'category', minSupport: 0.25, minConfidence: 0.6 });
    // drinks 10, ware 6, gear 3 of 12; drinks∧ware 4, drinks∧gear 3.
    expect(res.rules.map((r) => [r.antecedent[0], r.consequent[0], r.count])).toEqual([
      ['gear', 'drinks', 3],
      ['ware', 'drinks', 4],
    ]);
    expect(res.rules[1].confidence).toBeCloseTo(4 / 6, 12);
    expect(res.rules[1].lift).toBeCloseTo((4 * 12) / (6 * 10), 12);
  });

  it('mines rules with inclusive thresholds on counts and all five measures', async () => {
    // N = 12; coffee 8, cup 6, filter 3; coffee∧cup 3, coffee∧filter 3. min support 0.25 → count ≥ 3 exactly.
    const res = await basket(db, { minSupport: 0.25, minConfidence: 0.5 });
    expect(res.transactions).toBe(12);
    expect(res.minCount).toBe(3);
    expect(res.rules).toHaveLength(2);
    const [filterCoffee, cupCoffee] = res.rules;
    expect(filterCoffee).toMatchObject({ antecedent: ['filter'], consequent: ['coffee'], count: 3, support: 0.25, confidence: 1, lift: 1.5, conviction: Infinity });
    expect(filterCoffee.leverage).toBeCloseTo(0.25 - 0.25 * (8 / 12), 12);
    // cup → coffee: confidence exactly 3/6 = 0.5 is kept (inclusive).
    expect(cupCoffee).toMatchObject({ antecedent: ['cup'], consequent: ['coffee'], count: 3, support: 0.25, confidence: 0.5, lift: 0.75 });
    expect(cupCoffee.leverage).toBeCloseTo(0.25 - 0.5 * (8 / 12), 12);
    expect(cupCoffee.conviction).toBeCloseTo((1 - 8 / 12) / 0.5, 12);
    expect((await basket(db, { minSupport: 0.25, minConfidence: 0.51 })).rules).toHaveLength(1);
    expect((await basket(db, { minSupport: 0.26, minConfidence: 0.5 })).rules).toHaveLength(0);
    expect((await basket(db, { minSupport: 0.25, minConfidence: 0.5, minLift: 1 })).rules).toHaveLength(1);
    expect((await basket(db, { minSupport: 0.25, minConfidence: 0.5, exclude: ['filter'] })).rules.map((r) => r.antecedent[0])).toEqual(['cup']);
  });

  it('lists customers who bought all of X (in any purchase) but never Y, by value', async () => {
    // coffee → filter: C1 (coffee in O1 and O2, 140.00 after the duplicate cup line is removed) and C6 (80.00).
    // C2, C3 and C4 bought a filter; C5 never bought coffee; the guest order O7 has no one to contact.
    const list = await crossSell(db, { antecedent: ['coffee'], consequent: ['filter'] });
    expect(list.antecedentCustomers).toBe(5);
    expect(list.total).toBe(2);
    expect(list.revenue).toBe(220);
    expect(list.customers).toEqual([
      { customer_id: 'C1', revenue: 140, purchases: 2, last_purchase: '2024-02-10' },
      { customer_id: 'C6', revenue: 80, purchases: 2, last_purchase: '2024-03-09' },
    ]);
    // {coffee, cup} → filter: C6 bought the cup and the coffee in different purchases; C3's cup came back.
    const both = await crossSell(db, { antecedent: ['cup', 'coffee'], consequent: ['filter'] });
    expect(both.antecedentCustomers).toBe(4);
    expect(both.customers.map((c) => c.customer_id)).toEqual(['C1', 'C6']);
    // cup → coffee: only C5 (cup in O10; O11's voided kettle does not count, so 20 + 25).
    const cup = await crossSell(db, { antecedent: ['cup'], consequent: ['coffee'] });
    expect(cup.customers).toEqual([{ customer_id: 'C5', revenue: 45, purchases: 2, last_purchase: '2024-01-20' }]);
    // Only purchases before the as-of day count: before 2024-03-01 C6 had bought nothing.
    expect((await crossSell(db, { antecedent: ['coffee'], consequent: ['filter'], asOf: '2024-03-01' })).customers.map((c) => c.customer_id)).toEqual(['C1']);
    const page = await crossSell(db, { antecedent: ['coffee'], consequent: ['filter'] }, { limit: 1, offset: 1 });
    expect(page.total).toBe(2);
    expect(page.customers.map((c) => c.customer_id)).toEqual(['C6']);
  });
});
