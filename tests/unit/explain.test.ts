// What looks wrong but is right, explained from the data (real DuckDB, the sample data and groceries): the R × F heat
// map's empty F columns, customers with orders vs buying customers, the customer 360 headline, and the basket rule
// order that lists rules from very few baskets last.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { one, rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import { basket } from '../../src/models/basket/model.ts';
import { SOLID_RULE_BASKETS } from '../../src/models/basket/rules.ts';
import { customer360, customerHeadline } from '../../src/models/customer360.ts';
import { notBuying, overview } from '../../src/models/overview.ts';
import { customerSections, MODELS } from '../../src/models/registry.ts';
import { runContext } from './run-context.ts';
import { frequencyGaps, rfm } from '../../src/models/rfm.ts';

const sample = (f: string) => new URL(`../../sample-data/${f}`, import.meta.url).pathname;
const shared = (f: string) => new URL(`../../../shared/data/${f}`, import.meta.url).pathname;

let db: Db;
let customersInOrders: number;

beforeAll(async () => {
  db = await openNodeDb();
  const loaded = await loadFile(db, 'orders.csv', readFileSync(sample('orders.csv')), 'raw_orders');
  customersInOrders = (await applyMapping(db, loaded, loaded.mapping)).report!.customers;
}, 120_000);

describe('the R × F heat map: F scores no customer has', { timeout: 120_000 }, () => {
  it('names the empty F score and the tie behind it, from the data', async () => {
    const summary = await rfm(db);
    const usedF = new Set(summary.grid.map((g) => g.f));
    const scored = await one<{ n: number; once: number; twice_min_f: number; twice_max_f: number }>(
      db,
      `SELECT count(*)::DOUBLE AS n, count(*) FILTER (WHERE frequency = 1)::DOUBLE AS once,
        min(f) FILTER (WHERE frequency = 2)::DOUBLE AS twice_min_f, max(f) FILTER (WHERE frequency = 2)::DOUBLE AS twice_max_f FROM rfm`,
    );
    // On the sample, 2,728 of 4,937 customers (55.3 %) bought once: all F 1; those who bought twice have 55.3 % below
    // them, 1 + floor(5 × 0.553) = 3. F 2 holds nobody.
    expect(scored).toEqual({ n: 4937, once: 2728, twice_min_f: 3, twice_max_f: 3 });
    expect([...usedF].sort()).toEqual([1, 3, 4, 5]);
    expect(summary.f_gaps).toEqual([{ empty: [2], frequency: 1, share: 2728 / 4937, score: 1, next: { frequency: 2, fewer: 2728 / 4937, score: 3 } }]);
  });

  it('finds every gap and none where every score is used; the headless document keeps its fields', async () => {
    // 10 customers: 6 bought once (F 1), 3 twice (6/10 below: F 4), 1 five times (9/10 below: F 5): F 2–3 empty.
    const f = Int32Array.from([1, 1, 1, 1, 1, 1, 2, 2, 2, 5]);
    const score = Int32Array.from(f, (v) => (v === 1 ? 1 : v === 2 ? 4 : 5));
    expect(frequencyGaps(f, score)).toEqual([{ empty: [2, 3], frequency: 1, share: 0.6, score: 1, next: { frequency: 2, fewer: 0.6, score: 4 } }]);
    // Everybody bought once: F 2–5 are empty and nobody scores past them.
    expect(frequencyGaps(Int32Array.from([1, 1, 1]), Int32Array.from([1, 1, 1]))).toEqual([{ empty: [2, 3, 4, 5], frequency: 1, share: 1, score: 1, next: null }]);
    expect(frequencyGaps(Int32Array.from([1, 2, 3, 4, 5]), Int32Array.from([1, 2, 3, 4, 5]))).toEqual([]);
    const headless = (await MODELS.rfm.report(db, { asOf: null }, runContext())) as Record<string, unknown>;
    expect(headless).not.toHaveProperty('f_gaps');
    expect(headless).toHaveProperty('grid');
  });
});

describe('customers with orders and buying customers', { timeout: 120_000 }, () => {
  it('counts the cleaning report customers without a purchase, and the overview says so only in the page', async () => {
    const page = (await MODELS.overview.run(db, { asOf: null }, runContext())) as Awaited<ReturnType<typeof overview>>;
    expect(customersInOrders).toBe(5000);
    expect(page.customers).toBe(4937);
    expect(page.not_buying).toEqual({ with_orders: 5000, no_purchase: 63, after_as_of: 0 });
    // The 63: customers whose every order is fully refunded (no purchase at all).
    const refundedOnly = await one<{ n: number }>(
      db,
      `SELECT count(*)::DOUBLE AS n FROM (SELECT customer_id FROM order_totals WHERE customer_id IS NOT NULL GROUP BY 1
         HAVING NOT bool_or(net > 0 OR (net = 0 AND NOT has_refund)))`,
    );
    expect(refundedOnly.n).toBe(63);
    const headless = (await MODELS.overview.report(db, { asOf: null }, runContext())) as Record<string, unknown>;
    expect(headless).not.toHaveProperty('not_buying');
    expect(headless.customers).toBe(4937);
  });

  it('at an earlier as-of date also counts the customers who bought only on or after it', async () => {
    const asOf = '2025-07-01';
    const nb = await notBuying(db, asOf);
    const o = await overview(db, { asOf });
    const later = await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM (SELECT customer_id FROM customer_purchases GROUP BY 1 HAVING min(order_day) >= DATE '${asOf}')`);
    expect(later.n).toBeGreaterThan(0);
    expect(nb).toEqual({ with_orders: 5000, no_purchase: 63, after_as_of: later.n });
    expect(nb.with_orders - nb.no_purchase - nb.after_as_of).toBe(o.customers);
  });
});

describe('the customer 360 headline', { timeout: 300_000 }, () => {
  it('says at risk when P(alive) is below the churn threshold or the customer is slipping, else the RFM segment', async () => {
    const ctx = runContext();
    const settings = { asOf: null };
    await MODELS.rfm.run(db, settings, ctx);
    await MODELS.lifecycle.run(db, settings, ctx);
    await MODELS.clv.run(db, settings, ctx);
    const sections = customerSections(MODELS);
    // A customer in the top RFM group of scheme A whom the purchase model thinks is probably gone.
    const [risky] = await rows<{ customer_id: string; p_alive: number; recency_days: number }>(
      db,
      `SELECT customer_id, c.p_alive, r.recency_days FROM rfm r JOIN clv_customers c USING (customer_id)
       WHERE r.segment_cn = '重要价值客户' AND c.p_alive < 0.5 ORDER BY c.p_alive, customer_id LIMIT 1`,
    );
    expect(risky).toBeDefined();
    const c = await customer360(db, risky.customer_id, sections);
    const h = customerHeadline(c);
    expect(h).toMatchObject({ kind: 'at_risk', p_alive: risky.p_alive, threshold: 0.5, recency_days: risky.recency_days, segment: { cn: '重要价值客户' } });
    expect(h?.kind === 'at_risk' && h.reasons[0]).toBe('low_p_alive');
    // The churn threshold is the notebook's: below a lower one, the same customer heads with the segment.
    expect(customerHeadline(c, { pAliveBelow: risky.p_alive / 2 })).toEqual(
      c.lifecycle?.slipping ? expect.objectContaining({ kind: 'at_risk', reasons: ['slipping'] }) : { kind: 'segment', segment: { cn: c.rfm!.segment_cn, en: c.rfm!.segment_en } },
    );

    // Slipping alone makes the headline at risk, unless the churn warning leaves slipping out.
    const [slipping] = await rows<{ customer_id: string }>(
      db,
      `SELECT customer_id FROM lifecycle l JOIN clv_customers c USING (customer_id) WHERE l.slipping AND c.p_alive >= 0.5 ORDER BY customer_id LIMIT 1`,
    );
    const s = await customer360(db, slipping.customer_id, sections);
    expect(customerHeadline(s)).toMatchObject({ kind: 'at_risk', reasons: ['slipping'] });
    expect(customerHeadline(s, { slipping: false })).toEqual({ kind: 'segment', segment: { cn: s.rfm!.segment_cn, en: s.rfm!.segment_en } });

    // A customer likely alive and not slipping: the RFM segment.
    const [fine] = await rows<{ customer_id: string }>(
      db,
      `SELECT customer_id FROM lifecycle l JOIN clv_customers c USING (customer_id) WHERE NOT coalesce(l.slipping, false) AND c.p_alive >= 0.9 ORDER BY customer_id LIMIT 1`,
    );
    const f = await customer360(db, fine.customer_id, sections);
    expect(customerHeadline(f)).toEqual({ kind: 'segment', segment: { cn: f.rfm!.segment_cn, en: f.rfm!.segment_en } });
    // Not scored by any model: no headline.
    expect(customerHeadline({ ...f, rfm: undefined, clv: undefined, lifecycle: undefined })).toBeNull();
  });
});

describe('basket rule order', { timeout: 120_000 }, () => {
  it('lists rules seen in fewer than 10 baskets after the others, each part by lift', async () => {
    // The first 400 baskets of groceries: at 1 % support an itemset needs 4 baskets, and such rules top the lift order.
    const dir = mkdtempSync(join(tmpdir(), 'basket-order-'));
    const file = join(dir, 'groceries-400.csv');
    writeFileSync(file, readFileSync(shared('groceries.csv'), 'utf8').split('\n').slice(0, 400).join('\n') + '\n');
    const small = await openNodeDb();
    const loaded = await loadFile(small, 'groceries-400.csv', readFileSync(file), 'raw_orders');
    await applyMapping(small, loaded, loaded.mapping);
    const result = await basket(small, { minSupport: 0.01, minConfidence: 0.2, maxSize: 3 });
    expect(result.transactions).toBe(400);
    const { rules } = result;
    const solid = rules.filter((r) => r.count >= SOLID_RULE_BASKETS);
    const thin = rules.filter((r) => r.count < SOLID_RULE_BASKETS);
    expect(solid.length).toBeGreaterThan(0);
    expect(thin.length).toBeGreaterThan(0);
    // Without the rule, a rule from fewer baskets would come first: the highest lift of all is a thin rule's.
    expect(Math.max(...thin.map((r) => r.lift))).toBeGreaterThan(solid[0].lift);
    expect(rules.slice(0, solid.length)).toEqual(solid);
    for (const part of [solid, thin]) for (let i = 1; i < part.length; i++) expect(part[i].lift).toBeLessThanOrEqual(part[i - 1].lift);
    expect(SOLID_RULE_BASKETS).toBe(10);
  });
});
