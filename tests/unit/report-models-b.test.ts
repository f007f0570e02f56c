// Report parts of the CLV, churn, basket and clusters cells: the numbers equal the cells' results (real DuckDB,
// the sample data, CDNOW_master.txt and groceries.csv), small groups are masked, customer ids appear only in
// opted-in lists, the report file draws at least one SVG chart per cell with a legend readable without canvas,
// and product names holding markup stay text.
import { parseHTML } from 'linkedom';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/db/node.ts';
import { lang } from '../../src/i18n/lang.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import type { BasketView } from '../../src/models/basket/runs.ts';
import { cooccurrenceOf, type BasketShare } from '../../src/models/basket/share.ts';
import type { ChurnRow, ChurnShare } from '../../src/models/churn.ts';
import type { ClustersShare } from '../../src/models/clusters.ts';
import type { ClvView } from '../../src/models/clv/runs.ts';
import { paramValue, type ClvShare } from '../../src/models/clv/share.ts';
import { MODELS, type ModelResult } from '../../src/models/registry.ts';
import { buildReport } from '../../src/report/build.ts';
import { reportDataOf } from '../../src/report/document.ts';
import { reportFile } from '../../src/report/file.ts';
import { round, type Report, type ReportRequest } from '../../src/report/format.ts';
import { Engine } from '../../workers/engine.ts';
import { runContext } from './run-context.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const shared = (f: string) => fileURLToPath(new URL(`../../../shared/data/${f}`, import.meta.url));
const bytes = (name: string, data: Buffer) => ({ name, size: data.length, data });
const doc = () => parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Document;

const KINDS = ['clv', 'churn', 'basket', 'clusters'] as const;
const request = (extra: Partial<ReportRequest> = {}, lists: Record<string, string[]> = {}): ReportRequest => ({
  title: 'Report',
  sources: [],
  cells: KINDS.map((kind) => ({ kind, ...(lists[kind] ? { lists: lists[kind] } : {}) })),
  ...extra,
});
const cell = <T>(report: Report, kind: string) => report.cells.find((c) => c.kind === kind)!.data as T;
/** The customer ids of the sample data. */
const sampleIds = readFileSync(sample('customers.csv'), 'utf8')
  .split('\n')
  .slice(1)
  .map((l) => l.split(',')[0])
  .filter(Boolean);
/** Sections of a drawn report file by cell kind. */
function sections(html: string) {
  const { document } = parseHTML(html);
  return Object.fromEntries([...document.querySelectorAll('section.cell')].map((s) => [s.getAttribute('data-kind')!, s]));
}

describe('the sample data', { timeout: 240_000 }, () => {
  let engine: Engine;
  let clv: ClvView;
  let churn: ModelResult<'churn'>;
  let basket: BasketView;
  let clusters: ModelResult<'clusters'>;
  let report: Report;
  let masked: Report;
  let listed: Report;
  const settings = { asOf: null };

  beforeAll(async () => {
    engine = new Engine(await openNodeDb());
    for (const name of ['orders.csv', 'customers.csv']) {
      const view = await engine.load(bytes(name, readFileSync(sample(name))));
      await engine.apply(view.id, view.mapping);
    }
    clv = await engine.run('clv', settings);
    churn = await engine.run('churn', settings);
    basket = await engine.run('basket', settings);
    clusters = await engine.run('clusters', settings);
    report = await engine.report(request(), settings);
    masked = await engine.report(request({ minGroup: 1000 }), settings);
    listed = await engine.report(request({}, { clv: ['top'], churn: ['warning'], basket: ['cross_sell'], clusters: ['members'] }), settings);
  });

  it('CLV: parameters, comparison, KPIs and chart data equal the cell result at its precision', () => {
    const d = cell<ClvShare>(report, 'clv');
    expect(d.model).toBe(clv.model);
    expect(d.n_customers).toBe(clv.n_customers);
    expect(d.repeaters).toBe(clv.repeaters);
    for (const [k, v] of Object.entries(clv.params)) expect(d.params[k]).toBe(paramValue(v));
    expect(d.params.r).toBeCloseTo(clv.params.r, 4);
    expect(d.ll).toBe(round(clv.models.find((m) => m.model === clv.model)!.log_likelihood, 2));
    expect(d.gamma_gamma!.slice(0, 3)).toEqual([paramValue(clv.gamma_gamma!.p), paramValue(clv.gamma_gamma!.q), paramValue(clv.gamma_gamma!.v)]);
    expect(d.models.map((m) => m[0])).toEqual(clv.models.map((m) => m.model));
    expect(d.models[0][2]).toBe(round(clv.models[0].bic, 1));
    // What the cell showed when the report was made: the comparison still being fitted is named.
    expect(d.pending ?? []).toEqual(clv.pending);
    expect(d.totals!.clv).toBe(round(clv.totals.clv, 2));
    expect(d.totals!.purchases).toBe(Math.round(clv.totals.expected_purchases));
    expect(d.totals!.below_half).toBe(clv.totals.p_alive_below_half);
    expect(d.totals!.mean_p_alive).toBe(round(clv.totals.mean_p_alive, 3));
    expect(d.alive).toEqual(clv.p_alive_bins.map((b) => [b.one_time, b.repeat]));
    expect(d.deciles).toEqual(clv.clv_deciles.map((x) => round(x.share, 3)));
    expect(d.by_channel).toEqual(clv.by_channel!.map((g) => [g.group, g.customers, round(g.mean, 2)]));
    expect(d.by_region!.length).toBe(clv.by_region!.length);
    expect(d.top).toBeUndefined();
  });

  it('churn: counts and value at risk by reason equal the cell result and its warning list', async () => {
    const d = cell<ChurnShare>(report, 'churn');
    expect([d.customers, d.flagged, d.low_p_alive, d.slipping, d.both]).toEqual([churn.customers, churn.flagged, churn.low_p_alive, churn.slipping, churn.both]);
    expect(d.value_at_risk).toBe(round(churn.value_at_risk, 2));
    expect(d.model).toBe(churn.model);
    // By reason, checked against the whole warning list the cell pages through.
    const list = (await engine.list('churn', {})) as ChurnRow[];
    expect(list.length).toBe(churn.flagged);
    const groups = [
      list.filter((c) => c.low_p_alive && !c.slipping),
      list.filter((c) => c.slipping && !c.low_p_alive),
      list.filter((c) => c.low_p_alive && c.slipping),
    ];
    expect(d.reasons.map(([n]) => n)).toEqual(groups.map((g) => g.length));
    d.reasons.forEach(([, v], i) => expect(v).toBeCloseTo(groups[i].reduce((s, c) => s + c.value_at_risk, 0), 1));
    expect(groups.reduce((s, g) => s + g.length, 0)).toBe(churn.flagged);
    expect(d.list).toBeUndefined();
  });

  it('basket: counts, the first page of rules and the co-occurrence equal the cell result', () => {
    const d = cell<BasketShare>(report, 'basket');
    expect([d.transactions, d.items, d.rule_count, d.itemsets]).toEqual([basket.transactions, basket.items, basket.ruleCount, basket.itemsets.total]);
    expect(d.rules.length).toBe(Math.min(25, basket.rules.length));
    const [a, c, support, confidence, lift, leverage, , count] = d.rules[0];
    const r0 = basket.rules[0];
    expect([a, [c], count]).toEqual([r0.antecedent, r0.consequent, r0.count]);
    expect([support, confidence, lift, leverage]).toEqual([round(r0.support, 4), round(r0.confidence, 3), round(r0.lift, 2), round(r0.leverage, 4)]);
    // The heat map's lift follows from the counts the report holds, as the cell computes it.
    const co = cooccurrenceOf(d);
    expect(co.items).toEqual(basket.cooccurrence.items);
    expect(co.pairs.length).toBe(basket.cooccurrence.pairs.length);
    for (const p of basket.cooccurrence.pairs) {
      const q = co.pairs.find((x) => x.a === p.a && x.b === p.b)!;
      expect(q.count).toBe(p.count);
      expect(q.lift).toBeCloseTo(p.lift, 9);
    }
    expect(d.cross_sell).toBeUndefined();
  });

  it('clusters: profiles and elbow equal the cell result, with no customer point', () => {
    const d = cell<ClustersShare>(report, 'clusters');
    expect(d.k).toBe(clusters.k);
    expect(d.customers).toBe(clusters.customers);
    expect(d.profiles.map((p) => p[2])).toEqual(clusters.profiles.map((p) => p.size));
    clusters.profiles.forEach((p, i) => {
      const [, label, , share, revenueShare, recency, frequency, monetary] = d.profiles[i];
      expect([share, revenueShare, recency, frequency, monetary]).toEqual([round(p.share, 3), round(p.revenue_share, 3), round(p.recency_days, 0), round(p.frequency, 1), round(p.monetary, 2)]);
      expect(label).toEqual([p.levels.f, p.levels.m, p.activity, p.one_time]);
    });
    // The names the report draws are the cell's.
    for (const locale of ['zh', 'en'] as const) {
      const rows = [...sections(reportFile(report, lang(locale), doc())).clusters.querySelectorAll('tbody tr')].map((tr) => tr.querySelectorAll('td')[1].textContent);
      expect(rows).toEqual(clusters.profiles.map((p) => (locale === 'zh' ? p.name_zh : p.name_en)));
    }
    expect(d.elbow!.inertia).toEqual(clusters.elbow.points.map((p) => round(p.inertia, 1)));
    expect(d.elbow!.from).toBe(clusters.elbow.points[0].k);
    expect(clusters.sample.length).toBeGreaterThan(100);
    expect(d.members).toBeUndefined();
  });

  it('masks groups under the threshold: counts as "< n", sums and means hidden; rule measures stay', () => {
    const clvM = cell<ClvShare>(masked, 'clv');
    const small = clv.by_channel!.filter((g) => g.customers < 1000);
    expect(small.length).toBeGreaterThan(0);
    for (const g of small) expect(clvM.by_channel!.find((x) => x[0] === g.group)).toEqual([g.group, { below: 1000 }, null]);
    for (const g of clv.by_channel!.filter((x) => x.customers >= 1000)) expect(clvM.by_channel!.find((x) => x[0] === g.group)![2]).toBe(round(g.mean, 2));
    // Every decile holds about 494 customers: all hidden.
    expect(clvM.deciles.every((s) => s === null)).toBe(true);
    expect(clvM.totals!.clv).toBe(round(clv.totals.clv, 2));

    const churnM = cell<ChurnShare>(masked, 'churn');
    churn.by_reason.forEach((g, i) =>
      expect(churnM.reasons[i]).toEqual(g.customers < 1000 ? [{ below: 1000 }, null] : [g.customers, round(g.value_at_risk, 2)]),
    );
    expect(churnM.reasons.some(([n]) => typeof n === 'object')).toBe(true);

    const clustersM = cell<ClustersShare>(masked, 'clusters');
    clusters.profiles.forEach((p, i) => {
      const row = clustersM.profiles[i];
      if (p.size < 1000) expect(row.slice(2)).toEqual([{ below: 1000 }, null, null, null, null, null]);
      else expect(row[2]).toBe(p.size);
    });
    expect(clusters.profiles.some((p) => p.size < 1000)).toBe(true);

    // A rule's support, confidence and lift are shares of transactions: they stay.
    expect(cell<BasketShare>(masked, 'basket').rules).toEqual(cell<BasketShare>(report, 'basket').rules);

    // Drawn: "< 1,000" in the tables, never the hidden value.
    const html = reportFile(masked, lang('en'), doc());
    const s = sections(html);
    expect(s.clusters.textContent).toContain('< 1,000');
    expect(s.churn.textContent).toContain('< 1,000');
    const hidden = clusters.profiles.find((p) => p.size < 1000)!;
    expect(s.clusters.textContent).not.toContain(lang('en').money(round(hidden.monetary, 2)));
  });

  it('holds no customer id unless a list is opted in, and then it does', async () => {
    const json = JSON.stringify(report);
    expect(sampleIds.length).toBeGreaterThan(4000);
    for (const id of sampleIds) expect(json.includes(`"${id}"`)).toBe(false);

    const clvL = cell<ClvShare>(listed, 'clv');
    expect(clvL.top!.map((r) => r[0])).toEqual(clv.top.map((c) => c.customer_id));
    expect(clvL.top![0][5]).toBe(round(clv.top[0].clv!, 2));
    const churnL = cell<ChurnShare>(listed, 'churn');
    const firstPage = (await engine.list('churn', { limit: 50 })) as ChurnRow[];
    expect(churnL.list!.map((r) => r[1])).toEqual(firstPage.map((c) => c.customer_id));
    expect(churnL.list![0][11]).toBe(round(firstPage[0].value_at_risk, 2));
    const basketL = cell<BasketShare>(listed, 'basket');
    const rule = { antecedent: basket.rules[0].antecedent, consequent: basket.rules[0].consequent };
    const cross = await engine.list('basket', { settings, rule, page: { limit: 20 } });
    expect(basketL.cross_sell!.total).toBe(cross.total);
    expect(basketL.cross_sell!.customers.map((c) => c[0])).toEqual(cross.customers.map((c) => c.customer_id));
    const clustersL = cell<ClustersShare>(listed, 'clusters');
    expect(clustersL.members!.length).toBe(clusters.profiles.reduce((s, p) => s + Math.min(20, p.size), 0));
    const first = await engine.list('clusters', { cluster: 1, limit: 20 });
    expect(clustersL.members!.filter((m) => m[1] === 1).map((m) => m[0])).toEqual(first.map((m) => m.customer_id));
    expect(listed.cells.map((c) => c.lists)).toEqual([['top'], ['warning'], ['cross_sell'], ['members']]);

    // The file shows them, and says which lists it holds.
    for (const locale of ['zh', 'en'] as const) {
      const html = reportFile(listed, lang(locale), doc());
      const s = sections(html);
      expect(s.clv.textContent).toContain(clv.top[0].customer_id);
      expect(s.churn.textContent).toContain(firstPage[0].customer_id);
      expect(s.basket.textContent).toContain(cross.customers[0].customer_id);
      expect(s.clusters.textContent).toContain(first[0].customer_id);
    }
  });

  it('draws every cell with at least one SVG chart in both languages, the lift legend as SVG', () => {
    for (const locale of ['zh', 'en'] as const) {
      const l = lang(locale);
      const html = reportFile(report, l, doc());
      expect(html).not.toContain('<canvas');
      expect(html).not.toContain('<image');
      const s = sections(html);
      for (const kind of KINDS) {
        const charts = s[kind].querySelectorAll('figure.chart');
        expect(charts.length, kind).toBeGreaterThanOrEqual(1);
        for (const f of charts) expect(f.querySelector('svg'), `${kind} chart`).toBeTruthy();
      }
      // Both basket charts colour by lift: each has its ramp, readable without script or canvas.
      const ramps = s.basket.querySelectorAll('svg.legend-ramp');
      expect(ramps.length).toBe(2);
      for (const ramp of ramps) {
        expect(ramp.textContent).toContain(l.t('basket.col.lift'));
        expect(ramp.querySelectorAll('rect').length).toBeGreaterThanOrEqual(1);
      }
      // The heat map's ramp: steps of colour from red (lift 1/8) to blue (8), with its ticks.
      const heat = ramps[1];
      expect(heat.querySelectorAll('rect').length).toBe(48);
      expect([...heat.querySelectorAll('text')].map((t) => t.textContent)).toEqual([l.t('basket.col.lift'), '1/8', '1/4', '1/2', '1', '2', '4', '8']);
      // Texts of the cells, in the reader's language.
      expect(s.clv.textContent).toContain(l.t('clv.cmp.title'));
      expect(s.clusters.textContent).toContain(l.t('clusters.elbow'));
      expect(s.churn.textContent).toContain(l.t('churn.report.by_reason'));
      if (clv.pending.length) expect(s.clv.querySelector('[data-pending]')!.textContent).toContain('MBG/NBD');
    }
  });

  it('keeps each part compact', () => {
    const sizes = Object.fromEntries(report.cells.map((c) => [c.kind, [JSON.stringify(c).length, deflateRawSync(JSON.stringify(c), { level: 9 }).length]]));
    console.log('report part sizes [JSON characters, deflated bytes]:', JSON.stringify(sizes));
    for (const kind of KINDS) expect(sizes[kind][1], kind).toBeLessThan(1000);
  });
});

describe('hostile product names', { timeout: 120_000 }, () => {
  it('stay text in the rules, the heat map and the file', async () => {
    const evil = '<img src=x onerror=alert(1)>滤纸';
    const orders = readFileSync(sample('orders.csv'), 'utf8').replaceAll('锥形滤纸 100张', evil);
    const engine = new Engine(await openNodeDb());
    const view = await engine.load(bytes('orders.csv', Buffer.from(orders)));
    await engine.apply(view.id, view.mapping);
    const report = await engine.report({ title: 'x', sources: [], cells: [{ kind: 'basket' }] }, { asOf: null });
    const d = report.cells[0].data as BasketShare;
    expect(d.rules[0][0]).toEqual([evil]);
    for (const locale of ['zh', 'en'] as const) {
      const html = reportFile(report, lang(locale), doc());
      expect(html).not.toContain('<img');
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;滤纸');
      expect(reportDataOf(html)).toEqual(report);
      const s = sections(html);
      expect(s.basket.querySelector('table')!.textContent).toContain(evil);
      expect(s.basket.querySelectorAll('img').length).toBe(0);
    }
  });
});

describe('CDNOW_master.txt: CLV with a holdout, and the comparison filled in', { timeout: 600_000 }, () => {
  it('holds the holdout check and says the comparison was still running; complete() waits for it', async () => {
    const db = await openNodeDb();
    const raw = await loadFile(db, 'CDNOW_master.txt', readFileSync(shared('CDNOW_master.txt')), 'raw_orders');
    await applyMapping(db, raw, raw.mapping);
    const ctx = runContext();
    const settings = { asOf: null, clv: { calibrationEnd: '1997-09-30' } };
    const req: ReportRequest = { title: 'CDNOW', sources: [], cells: [{ kind: 'clv' }] };
    const base = { db, models: MODELS, settings, asOf: '1998-07-01', today: '2026-01-01' };
    const first = (await MODELS.clv.run(db, settings, ctx)) as ClvView;
    expect(first.pending).toEqual(['mbgnbd']);
    // As the page makes it: what the cell shows now.
    const now = await buildReport(req, { ...base, run: (kind, s) => MODELS[kind as 'clv'].run(db, s, ctx) });
    const d = now.cells[0].data as ClvShare;
    expect(d.pending).toEqual(['mbgnbd']);
    expect(d.models.map((m) => m[0])).toEqual(['bgnbd']);
    expect(d.n_customers).toBe(23570);
    expect(d.params.r).toBe(paramValue(first.params.r));
    expect(d.params.r).toBeCloseTo(first.params.r, 4);
    expect(d.tracking!.length).toBe(78);
    expect(first.holdout!.tracking.length).toBe(78);
    expect(d.tracking!.at(-1)).toEqual([Math.round(first.holdout!.tracking.at(-1)!.actual), Math.round(first.holdout!.tracking.at(-1)!.predicted)]);
    expect(d.buckets!.map((b) => b[0])).toEqual(first.holdout!.buckets.map((b) => b.bucket));
    expect(d.buckets![0][2]).toBe(round(first.holdout!.buckets[0].actual, 3));
    expect(d.buckets![0][3]).toEqual({ bgnbd: round(first.holdout!.buckets[0].predicted.bgnbd!, 3) });
    for (const locale of ['zh', 'en'] as const) {
      const l = lang(locale);
      const s = sections(reportFile(now, l, doc()));
      expect(s.clv.querySelector('[data-pending]')!.textContent).toContain(l.t('clv.report.pending', { models: 'MBG/NBD' }));
      // Settings, KPI, parameters, comparison, P(alive), deciles, buckets and tracking charts.
      expect(s.clv.querySelectorAll('figure.chart svg').length).toBeGreaterThanOrEqual(4);
    }

    // As the headless command makes it: the whole comparison.
    const whole = await buildReport(req, { ...base, run: (kind, s) => (MODELS[kind as 'clv'].complete ?? MODELS[kind as 'clv'].run)(db, s, ctx) });
    const w = whole.cells[0].data as ClvShare;
    expect(w.pending).toBeUndefined();
    expect(w.models.map((m) => m[0]).sort()).toEqual(['bgnbd', 'mbgnbd']);
    expect(w.params).toEqual(d.params);
    expect(w.buckets![0][3]).toEqual({ bgnbd: expect.any(Number), mbgnbd: expect.any(Number) });
    const s = sections(reportFile(whole, lang('en'), doc()));
    expect(s.clv.querySelector('[data-pending]')).toBeNull();
    expect(s.clv.textContent).toContain('MBG/NBD');
  });
});

describe('groceries.csv: the basket of a basket-per-line file', { timeout: 120_000 }, () => {
  it('holds the arules top rules and draws their charts with SVG legends', async () => {
    const ref = JSON.parse(readFileSync(shared('reference_values.json'), 'utf8')).apriori_groceries['supp0.006_conf0.25_minlen2'];
    const engine = new Engine(await openNodeDb());
    const view = await engine.load(bytes('groceries.csv', readFileSync(shared('groceries.csv'))));
    await engine.apply(view.id, view.mapping);
    const settings = { asOf: null, basket: { minSupport: 0.006, minConfidence: 0.25, maxSize: 10 } };
    const result = await engine.run('basket', settings);
    const report = await engine.report({ title: 'Groceries', sources: [], cells: [{ kind: 'basket', lists: ['cross_sell'] }] }, settings);
    const d = report.cells[0].data as BasketShare;
    expect(d.source).toBe('baskets');
    expect(d.transactions).toBe(9835);
    expect(d.rule_count).toBe(463);
    expect(d.rules.length).toBe(25);
    ref.top5_by_lift.forEach((x: { lhs: string[]; rhs: string; support: number; confidence: number; lift: number; count: number }, i: number) => {
      const [a, c, support, confidence, lift, , , count] = d.rules[i];
      expect([a, c, count]).toEqual([x.lhs, x.rhs, x.count]);
      expect(support).toBeCloseTo(x.support, 4);
      expect(confidence).toBeCloseTo(x.confidence, 3);
      expect(lift).toBeCloseTo(x.lift, 2);
    });
    expect(d.rules.map((r) => r[7])).toEqual(result.rules.slice(0, 25).map((r) => r.count));
    // A basket file has no customers: no cross-sell list even when asked for.
    expect(d.cross_sell).toBeUndefined();
    const html = reportFile(report, lang('en'), doc());
    const ramps = sections(html).basket.querySelectorAll('svg.legend-ramp');
    expect(ramps.length).toBe(2);
    // The scatter's ramp spans the lifts of the rules drawn, on a log scale, with the cell's ticks.
    const scatterTicks = [...ramps[0].querySelectorAll('text')].slice(1).map((t) => t.textContent);
    expect(scatterTicks.length).toBeGreaterThanOrEqual(2);
    expect(ramps[0].querySelectorAll('rect').length).toBe(48);
  });
});
