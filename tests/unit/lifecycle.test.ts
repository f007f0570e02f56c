// Lifecycle (MODELS.md §5): stages at D with inclusive windows, month-end stages and transitions,
// reactivations and the funnel on hand-made fixtures; the sample store and CDNOW against a plain JS count.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze.ts';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import { buildCadence } from '../../src/models/cadence.ts';
import { defaultEventStage } from '../../src/models/funnel.ts';
import { lifecycle, lifecycleCustomers, lifecycleWindows, STAGES, type LifecycleColumns, type LifecycleResult, type Stage } from '../../src/models/lifecycle.ts';
import type { Prepared } from '../../src/models/prepared.ts';

const here = dirname(fileURLToPath(import.meta.url));
const shared = (f: string) => join(here, '../../../shared/data', f);
const sample = (f: string) => join(here, '../../sample-data', f);

/** Purchases (customer, day) as the shared views expose them. */
async function purchasesDb(list: [string, string][]): Promise<Db> {
  const db = await openNodeDb();
  await db.query(`CREATE TABLE p(customer_id VARCHAR, order_day DATE, net DOUBLE);
    INSERT INTO p VALUES ${list.map(([c, d]) => `('${c}', '${d}', 10)`).join(', ')};
    CREATE VIEW purchases AS SELECT customer_id, order_day, order_day::TIMESTAMP AS order_ts, net FROM p;
    CREATE VIEW customer_purchases AS SELECT * FROM purchases WHERE customer_id IS NOT NULL`);
  return db;
}

async function load(db: Db, file: string, role?: 'customers' | 'events'): Promise<void> {
  const loaded = await loadFile(db, file.split('/').pop()!, readFileSync(file), `raw_${role ?? 'orders'}`, role ? { role } : {});
  await applyMapping(db, loaded, loaded.mapping);
}

const stageOf = (r: LifecycleResult) => Object.fromEntries(r.stages.map((s) => [s.stage, s.customers]));

describe('stages at the as-of date', () => {
  let db: Db;
  beforeAll(async () => {
    // D = 2024-07-01 (set). Each customer sits on a window boundary ("within N days" is D − date ≤ N).
    db = await purchasesDb([
      ['n1', '2024-06-01'], // first purchase 30 days before D → new
      ['n2', '2024-05-31'], // 31 days, one purchase → active
      ['a1', '2024-01-01'], ['a1', '2024-03-01'], ['a1', '2024-04-02'], ['a1', '2024-07-05'], // last before D 90 days → active
      ['r1', '2023-10-03'], ['r1', '2024-04-01'], // 91 → at risk; returned after 181 days (2024-04)
      ['r2', '2023-07-07'], ['r2', '2024-01-03'], // 180 → at risk; returned after exactly 180 days (2024-01)
      ['d1', '2023-07-07'], ['d1', '2024-01-02'], // 181 → dormant; gap 179: not a reactivation
      ['d2', '2023-07-02'], // 365 (2024 is a leap year) → dormant
      ['c1', '2023-07-01'], // 366 → churned
      ['s1', '2024-05-01'], ['s1', '2024-05-11'], ['s1', '2024-05-21'], // active and slipping: 41 > 1.5 × 10
      ['p1', '2024-07-01'], // first purchase on D: not yet a customer
    ]);
  });

  it('puts each customer in the first stage whose window holds, windows inclusive', async () => {
    const r = await lifecycle(db, { asOf: '2024-07-01' });
    expect(r.total_customers).toBe(9);
    expect(stageOf(r)).toEqual({ new: 1, active: 3, at_risk: 2, dormant: 2, churned: 1 });
    const list = await lifecycleCustomers(db, { order: 'id' });
    expect(list.map((c) => [c.customer_id, c.stage, c.recency_days])).toEqual([
      ['a1', 'active', 90],
      ['c1', 'churned', 366],
      ['d1', 'dormant', 181],
      ['d2', 'dormant', 365],
      ['n1', 'new', 30],
      ['n2', 'active', 31],
      ['r1', 'at_risk', 91],
      ['r2', 'at_risk', 180],
      ['s1', 'active', 41],
    ]);
    expect(list.find((c) => c.customer_id === 'a1')).toMatchObject({ first_day: '2024-01-01', last_day: '2024-04-02', purchases: 3, revenue: 30 });
  });

  it('flags slipping customers with the shared cadence definition', async () => {
    const r = await lifecycle(db, { asOf: '2024-07-01' });
    // a1: gaps 60 and 32, median 46, recency 90 > 69; s1: 41 > 15. Both are active.
    const slipping = await lifecycleCustomers(db, { slipping: true, order: 'id' });
    expect(slipping.map((c) => c.customer_id)).toEqual(['a1', 's1']);
    expect(r.slipping).toBe(2);
    expect(r.stages.find((s) => s.stage === 'active')!.slipping).toBe(2);
    await buildCadence(db, '2024-07-01');
    const cadence = await rows<{ customer_id: string }>(db, 'SELECT customer_id FROM cadence WHERE slipping ORDER BY 1');
    expect(cadence.map((c) => c.customer_id)).toEqual(['a1', 's1']);
  });

  it('counts a return after ≥ 180 days without a purchase as a reactivation in the month of return', async () => {
    const r = await lifecycle(db, { asOf: '2024-07-01' });
    const reactivated = r.months.filter((m) => m.reactivated > 0).map((m) => [m.month, m.reactivated]);
    expect(reactivated).toEqual([['2024-01', 1], ['2024-04', 1]]);
    const longer = await lifecycle(db, { asOf: '2024-07-01', reactivationDays: 181 });
    expect(longer.months.filter((m) => m.reactivated > 0).map((m) => m.month)).toEqual(['2024-04']);
  });

  it('follows other windows, and refuses windows that do not increase', async () => {
    const r = await lifecycle(db, { asOf: '2024-07-01', newDays: 0, activeDays: 31, atRiskDays: 90, dormantDays: 180 });
    // n1 (30) and n2 (31) active; a1 (90) at risk; s1 (41) at risk; r1 (91), r2 (180) dormant; d1, d2, c1 churned.
    expect(stageOf(r)).toEqual({ new: 0, active: 2, at_risk: 2, dormant: 2, churned: 3 });
    expect(() => lifecycleWindows({ activeDays: 200 })).toThrow(/increase/);
    expect(() => lifecycleWindows({ newDays: 400 })).toThrow(/at most 365/);
    expect(() => lifecycleWindows({ atRiskDays: 1.5 })).toThrow(/whole number/);
  });
});

describe('month-end stages and transitions', () => {
  let db: Db;
  beforeAll(async () => {
    db = await purchasesDb([
      ['z', '2023-06-01'], ['z', '2024-02-10'], // back after 254 days
      ['u', '2024-01-10'], ['u', '2024-03-31'],
      ['v', '2024-01-20'],
      ['w', '2024-02-15'],
    ]);
  });

  it('counts the stage of everyone at each month end, the last at D', async () => {
    const r = await lifecycle(db);
    expect(r.as_of).toBe('2024-04-01');
    const counts = r.months.map((m) => [m.month, ...STAGES.map((s) => m[s]), m.acquired, m.reactivated]);
    // month, new, active, at_risk, dormant, churned, acquired, reactivated
    expect(counts).toEqual([
      ['2023-06', 1, 0, 0, 0, 0, 1, 0], // z is 30 days old on 07-01: still new
      ['2023-07', 0, 1, 0, 0, 0, 0, 0], // 61 days
      ['2023-08', 0, 0, 1, 0, 0, 0, 0], // 92 days on 09-01
      ['2023-09', 0, 0, 1, 0, 0, 0, 0],
      ['2023-10', 0, 0, 1, 0, 0, 0, 0], // 153
      ['2023-11', 0, 0, 0, 1, 0, 0, 0], // 183 on 12-01
      ['2023-12', 0, 0, 0, 1, 0, 0, 0],
      ['2024-01', 2, 0, 0, 1, 0, 2, 0], // u (22 days), v (12)
      ['2024-02', 1, 3, 0, 0, 0, 1, 1], // z back (19), u 51, v 41, w new (15)
      ['2024-03', 0, 4, 0, 0, 0, 0, 0], // at D: u 1, v 72, w 46, z 51
    ]);
    expect(stageOf(r)).toEqual({ new: 0, active: 4, at_risk: 0, dormant: 0, churned: 0 });
  });

  it('records month-over-month transitions, arrivals coming from none', async () => {
    const r = await lifecycle(db);
    const of = (month: string) =>
      r.transitions
        .filter((t) => t.month === month)
        .map((t) => `${t.from}>${t.to}:${t.customers}`)
        .sort();
    expect(of('2023-06')).toEqual([]);
    expect(of('2023-08')).toEqual(['active>at_risk:1']);
    expect(of('2023-11')).toEqual(['at_risk>dormant:1']);
    expect(of('2024-01')).toEqual(['dormant>dormant:1', 'none>new:2']);
    expect(of('2024-02')).toEqual(['dormant>active:1', 'new>active:2', 'none>new:1']);
    expect(of('2024-03')).toEqual(['active>active:3', 'new>active:1']);
  });

  it('recomputes months and transitions for other windows from the same prepared tables', async () => {
    const prepared: Prepared = new Map();
    await lifecycle(db, {}, { prepared });
    const spans = prepared.get('life_spans');
    const r = await lifecycle(db, { activeDays: 45 }, { prepared });
    expect(spans).toBeDefined();
    expect(prepared.get('life_spans')).toBe(spans);
    const feb = r.months.find((m) => m.month === '2024-02')!;
    const mar = r.months.find((m) => m.month === '2024-03')!;
    expect([feb.new, feb.active, feb.at_risk]).toEqual([1, 2, 1]); // u at 51 days is at risk
    expect([mar.active, mar.at_risk]).toEqual([1, 3]);
    const of = (month: string) =>
      r.transitions
        .filter((t) => t.month === month)
        .map((t) => `${t.from}>${t.to}:${t.customers}`)
        .sort();
    expect(of('2024-02')).toEqual(['dormant>active:1', 'new>active:1', 'new>at_risk:1', 'none>new:1']);
    // z (19 → 51 days) and v (41 → 72) slide to at risk; u comes back.
    expect(of('2024-03')).toEqual(['active>at_risk:2', 'at_risk>active:1', 'new>at_risk:1']);
  });

  it('gives the same answers from the engine’s prepared tables as from scratch, in any order of settings', async () => {
    const prepared: Prepared = new Map();
    const runs = [{}, { asOf: '2024-03-20' }, { newDays: 10, dormantDays: 200 }, { activeDays: 45, reactivationDays: 200 }, { asOf: '2024-03-20', atRiskDays: 100 }, {}];
    for (const settings of runs) expect(await lifecycle(db, settings, { prepared })).toEqual(await lifecycle(db, settings));
  });

  it('counts a window change from the spans it kept, without reading them again, with the same answers as from scratch', async () => {
    const prepared: Prepared = new Map();
    const kept: LifecycleColumns = {};
    const reads: string[] = [];
    const watched: Db = { ...db, query: (sql) => (/^SELECT cid, .* FROM life_(spans|customers)$/s.test(sql.trim()) && reads.push(sql), db.query(sql)) };
    await lifecycle(watched, {}, { prepared, kept });
    expect(reads).toHaveLength(2);
    const runs = [{ activeDays: 45 }, { newDays: 10, dormantDays: 200 }, { asOf: '2024-03-20' }, { asOf: '2024-03-20', atRiskDays: 100 }, {}];
    const readsAfter: number[] = [];
    for (const settings of runs) {
      expect(await lifecycle(watched, settings, { prepared, kept })).toEqual(await lifecycle(db, settings));
      readsAfter.push(reads.length);
    }
    // Windows alone: nothing read again; a new as-of date rebuilds the tables and reads them once.
    expect(readsAfter).toEqual([2, 2, 4, 4, 6]);
  });

  it('stops at a mid-month as-of date, ignoring later purchases of that month', async () => {
    const r = await lifecycle(db, { asOf: '2024-03-20' });
    const last = r.months[r.months.length - 1];
    // At 03-20: u 70 days since 01-10 (03-31 not yet), v 60, w 34, z 39.
    expect(last.month).toBe('2024-03');
    expect(STAGES.map((s) => last[s])).toEqual([0, 4, 0, 0, 0]);
    expect((await lifecycleCustomers(db, { order: 'id' })).map((c) => c.recency_days)).toEqual([70, 60, 34, 39]);
  });
});

describe('funnel', () => {
  let db: Db;
  beforeAll(async () => {
    db = await purchasesDb([
      ['C1', '2024-01-10'],
      ['Y1', '2024-01-02'], ['Y1', '2024-01-12'], ['Y1', '2024-02-01'],
    ]);
    await db.query(`CREATE TABLE customers AS SELECT * FROM (VALUES
        ('L1', TIMESTAMP '2024-01-01 09:00'), ('E1', TIMESTAMP '2024-01-01 09:00'), ('I1', TIMESTAMP '2024-01-01 09:00'),
        ('C1', TIMESTAMP '2024-01-01 09:00'), ('Y1', TIMESTAMP '2024-01-01 09:00'), ('late', TIMESTAMP '2024-03-01 09:00')
      ) t(customer_id, first_seen);
      CREATE TABLE events AS SELECT * FROM (VALUES
        ('E1', TIMESTAMP '2024-01-03 10:00', 'visit'),
        ('I1', TIMESTAMP '2024-01-02 10:00', 'visit'), ('I1', TIMESTAMP '2024-01-05 10:00', 'inquiry'),
        ('C1', TIMESTAMP '2024-01-04 10:00', 'visit'), ('C1', TIMESTAMP '2024-01-06 10:00', 'quote'),
        ('X1', TIMESTAMP '2024-01-08 10:00', '试用'),
        ('Z1', TIMESTAMP '2024-01-08 10:00', 'order_paid'),
        ('W1', TIMESTAMP '2024-01-09 10:00', 'webinar'), ('W1', TIMESTAMP '2024-03-01 10:00', 'inquiry')
      ) t(customer_id, event_ts, event)`);
  });

  it('maps event names to stages by keyword', () => {
    expect(['visit', '浏览', 'inquiry', '咨询', 'quote', '报价', 'trial', '试用', 'order_paid', 'webinar', '注册'].map(defaultEventStage)).toEqual([
      'engaged', 'engaged', 'intent', 'intent', 'intent', 'intent', 'intent', 'intent', 'ignore', 'engaged', 'lead',
    ]);
  });

  it('counts people by the furthest stage reached, with conversion and median days between stages', async () => {
    const r = await lifecycle(db);
    expect(r.as_of).toBe('2024-02-02');
    const f = r.funnel!;
    expect(f.sources).toEqual({ customers: true, events: true });
    expect(f.people).toBe(8); // 'late' signed up after D; W1's inquiry is after D
    expect(f.stages.map((s) => [s.stage, s.reached, s.furthest])).toEqual([
      ['lead', 8, 2], // L1, Z1 (an ignored event only)
      ['engaged', 6, 2], // E1, W1
      ['intent', 4, 2], // I1, X1
      ['customer', 2, 1], // C1
      ['loyal', 1, 1], // Y1
    ]);
    expect(f.stages.map((s) => s.conversion)).toEqual([null, 6 / 8, 4 / 6, 2 / 4, 1 / 2]);
    // lead → engaged: E1 2, I1 1, C1 3 days; engaged → intent: I1 3, C1 2; intent → customer: C1 4; customer → loyal: Y1 30.
    expect(f.stages.map((s) => [s.median_days, s.timed])).toEqual([[null, 0], [2, 3], [2.5, 2], [4, 1], [30, 1]]);
    // Event names as the file holds them (W1's inquiry after D included), most frequent first.
    expect(f.events.map((e) => [e.event, e.events, e.customers, e.stage])).toEqual([
      ['visit', 3, 3, 'engaged'],
      ['inquiry', 2, 2, 'intent'],
      ['order_paid', 1, 1, 'ignore'],
      ['quote', 1, 1, 'intent'],
      ['webinar', 1, 1, 'engaged'],
      ['试用', 1, 1, 'intent'],
    ]);
  });

  it('follows the user’s event mapping and loyalty threshold', async () => {
    const r = await lifecycle(db, { eventStages: { webinar: 'intent', visit: 'ignore' }, loyalPurchases: 2 });
    const f = r.funnel!;
    // E1 now has only an ignored visit → lead; W1 → intent; Y1 is loyal at its 2nd purchase (10 days).
    expect(f.stages.map((s) => [s.stage, s.reached, s.furthest])).toEqual([
      ['lead', 8, 3],
      ['engaged', 5, 0],
      ['intent', 5, 3],
      ['customer', 2, 1],
      ['loyal', 1, 1],
    ]);
    expect(f.stages[4].median_days).toBe(10);
    expect(f.events.find((e) => e.event === 'webinar')).toMatchObject({ stage: 'intent', suggested: 'engaged' });
  });

  it('with a customers file only: lead → customer → loyal, timed from signup', async () => {
    const r = await lifecycle(db, {}, { sources: { customers: true, events: false } });
    const f = r.funnel!;
    expect(f.people).toBe(5);
    expect(f.stages.map((s) => [s.stage, s.reached, s.furthest, s.conversion])).toEqual([
      ['lead', 5, 3, null],
      ['customer', 2, 1, 2 / 5],
      ['loyal', 1, 1, 1 / 2],
    ]);
    expect(f.stages[1].median_days).toBe(5); // C1 9 days, Y1 1 day
    expect((await lifecycle(db, {}, { sources: { customers: false, events: false } })).funnel).toBeNull();
  });
});

/** Stage of every customer at each month end and at D, by the definitions, in plain JS from purchase days. */
function byHand(days: Map<string, string[]>, asOf: string) {
  const ms = (d: string) => Date.parse(d + 'T00:00:00Z');
  const D = ms(asOf);
  const diff = (a: number, b: number) => Math.round((a - b) / 86400000);
  const stage = (first: number, last: number, at: number): Stage => {
    if (diff(at, first) <= 30) return 'new';
    const r = diff(at, last);
    return r <= 90 ? 'active' : r <= 180 ? 'at_risk' : r <= 365 ? 'dormant' : 'churned';
  };
  const lastBefore = (list: number[], at: number) => {
    let out = NaN;
    for (const d of list) if (d < at) out = d;
    return out;
  };
  const lastMonth = new Date(D - 86400000).toISOString().slice(0, 7);
  const allDays = [...days.values()].flat().filter((d) => ms(d) < D).sort();
  const months: string[] = [];
  for (let m = allDays[0].slice(0, 7); m <= lastMonth; ) {
    months.push(m);
    const [y, mo] = m.split('-').map(Number);
    m = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, '0')}`;
  }
  const endOf = (m: string) => {
    const [y, mo] = m.split('-').map(Number);
    return Math.min(Date.UTC(y, mo, 1), D);
  };
  const atD: Record<string, number> = {};
  const monthly = months.map((m) => ({ month: m, counts: {} as Record<string, number>, reactivated: 0 }));
  const transitions = new Map<string, number>();
  for (const list of days.values()) {
    const ds = [...new Set(list)].map(ms).filter((d) => d < D).sort((a, b) => a - b);
    if (!ds.length) continue;
    const s = stage(ds[0], ds[ds.length - 1], D);
    atD[s] = (atD[s] ?? 0) + 1;
    let prev: Stage | 'none' = 'none';
    months.forEach((m, i) => {
      const end = endOf(m);
      if (ds[0] >= end) return;
      const now = stage(ds[0], lastBefore(ds, end), end);
      monthly[i].counts[now] = (monthly[i].counts[now] ?? 0) + 1;
      if (i > 0) transitions.set(`${m}|${prev}|${now}`, (transitions.get(`${m}|${prev}|${now}`) ?? 0) + 1);
      prev = now;
    });
    for (let k = 1; k < ds.length; k++) {
      if (diff(ds[k], ds[k - 1]) >= 180) monthly[months.indexOf(new Date(ds[k]).toISOString().slice(0, 7))].reactivated++;
    }
  }
  return { atD, monthly, transitions };
}

async function purchaseDays(db: Db): Promise<Map<string, string[]>> {
  const list = await rows<{ customer_id: string; day: string }>(db, `SELECT customer_id, strftime(order_day, '%Y-%m-%d') AS day FROM customer_purchases`);
  const out = new Map<string, string[]>();
  for (const p of list) {
    if (!out.has(p.customer_id)) out.set(p.customer_id, []);
    out.get(p.customer_id)!.push(p.day);
  }
  return out;
}

function checkAgainstHand(r: LifecycleResult, hand: ReturnType<typeof byHand>) {
  expect(stageOf(r)).toEqual(Object.fromEntries(STAGES.map((s) => [s, hand.atD[s] ?? 0])));
  expect(r.months.map((m) => [m.month, ...STAGES.map((s) => m[s]), m.reactivated])).toEqual(
    hand.monthly.map((m) => [m.month, ...STAGES.map((s) => m.counts[s] ?? 0), m.reactivated]),
  );
  const got = new Map(r.transitions.map((t) => [`${t.month}|${t.from}|${t.to}`, t.customers]));
  expect(got).toEqual(hand.transitions);
}

describe('lifecycle on real data against a plain JS count', () => {
  it('sample store: stages at D and at every month end, transitions and reactivations', async () => {
    const db = await openNodeDb();
    await load(db, sample('orders.csv'));
    const r = await lifecycle(db);
    expect(r.total_customers).toBe(4937);
    expect(r.months.length).toBe(24);
    checkAgainstHand(r, byHand(await purchaseDays(db), r.as_of));
    // The same at a mid-month as-of date.
    const mid = await lifecycle(db, { asOf: '2025-06-17' });
    checkAgainstHand(mid, byHand(await purchaseDays(db), '2025-06-17'));
    // Slipping equals the shared cadence table.
    await buildCadence(db, '2025-06-17');
    const [c] = await rows<{ n: number }>(db, 'SELECT count(*) FILTER (WHERE slipping)::DOUBLE AS n FROM cadence');
    expect(mid.slipping).toBe(c.n);
  });

  it('CDNOW: the Q1 1997 cohort of first-time buyers through June 1998', async () => {
    const db = await openNodeDb();
    await load(db, shared('CDNOW_master.txt'));
    const r = await lifecycle(db);
    expect(r.as_of).toBe('1998-07-01');
    expect(r.total_customers).toBe(23570);
    expect(r.stages.find((s) => s.stage === 'new')!.customers).toBe(0);
    checkAgainstHand(r, byHand(await purchaseDays(db), r.as_of));
  });
});

describe('the headless command', () => {
  it('gives the model’s stages, slipping flags and funnel, honouring settings', async () => {
    const settings = { lifecycle: { activeDays: 60, eventStages: { 咨询: 'engaged' as const } } };
    const out = (await analyze({
      orders: sample('orders.csv'),
      customers: sample('customers.csv'),
      events: sample('events.csv'),
      models: ['lifecycle'],
      settings,
    })) as { lifecycle: LifecycleResult & { customers: { customer_id: string; stage: Stage; slipping: boolean }[] } };
    const db = await openNodeDb();
    await load(db, sample('orders.csv'));
    await load(db, sample('customers.csv'), 'customers');
    await load(db, sample('events.csv'), 'events');
    const direct = await lifecycle(db, settings.lifecycle);
    const list = await lifecycleCustomers(db, { order: 'id' });
    const { customers, ...summary } = out.lifecycle;
    expect(summary).toEqual(direct);
    expect(customers).toEqual(list.map(({ customer_id, stage, slipping }) => ({ customer_id, stage, slipping })));
    expect(customers.length).toBe(4937);
    expect(direct.windows.activeDays).toBe(60);
    expect(direct.funnel!.events.find((e) => e.event === '咨询')!.stage).toBe('engaged');
    expect(direct.funnel!.people).toBe(5800);
  });
});
