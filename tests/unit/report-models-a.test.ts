// The report parts of RFM, ABC, cohorts and lifecycle (issue 11, point 1): built through the engine from the same
// results the cells show (real DuckDB, the sample data and CDNOW), equal to them at the cells' precision, small
// groups masked, customer ids only in opted-in lists, drawn with at least one SVG chart per cell, text kept as text.
import { parseHTML } from 'linkedom';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { COHORTS_SHOWN } from '../../src/charts/cohorts.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { lang } from '../../src/i18n/lang.ts';
import { segmentName } from '../../src/i18n/segments.ts';
import type { AbcShare, AbcSummary } from '../../src/models/abc.ts';
import { retentionPct, SHARE_COHORTS, type CohortResult, type CohortsShare } from '../../src/models/cohorts.ts';
import type { LifecycleResult, LifecycleShare } from '../../src/models/lifecycle.ts';
import { MODELS, resultKey } from '../../src/models/registry.ts';
import { rfmSchemeOf, type RfmShare, type RfmSummary } from '../../src/models/rfm.ts';
import { reportDataOf } from '../../src/report/document.ts';
import { reportFile } from '../../src/report/file.ts';
import { asReport, round, type Report, type ReportRequest } from '../../src/report/format.ts';
import { Engine } from '../../workers/engine.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const shared = (f: string) => fileURLToPath(new URL(`../../../shared/data/${f}`, import.meta.url));
const fileAt = (path: string, name: string) => {
  const data = readFileSync(path);
  return { name, size: data.length, data };
};
const doc = () => parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Document;
const KINDS = ['rfm', 'abc', 'cohorts', 'lifecycle'] as const;
const request = (extra: Partial<ReportRequest> = {}, cells: ReportRequest['cells'] = KINDS.map((kind) => ({ kind }))): ReportRequest => ({
  title: 'Models',
  sources: [{ file: 'orders.csv', role: 'orders', rows: 38764 }],
  cells,
  ...extra,
});
const part = <T>(report: Report, kind: string) => report.cells.find((c) => c.kind === kind)!.data as T;

async function engineOn(files: [path: string, name: string][]): Promise<Engine> {
  const engine = new Engine(await openNodeDb());
  for (const [path, name] of files) {
    const view = await engine.load(fileAt(path, name));
    await engine.apply(view.id, view.mapping);
  }
  return engine;
}

interface Results {
  rfm: RfmSummary;
  abc: AbcSummary;
  cohorts: CohortResult;
  lifecycle: LifecycleResult;
}

async function results(engine: Engine): Promise<Results> {
  const settings = { asOf: null };
  return {
    rfm: (await engine.run('rfm', settings)) as RfmSummary,
    abc: (await engine.run('abc', settings)) as AbcSummary,
    cohorts: (await engine.run('cohorts', settings)) as CohortResult,
    lifecycle: (await engine.run('lifecycle', settings)) as LifecycleResult,
  };
}

/** Every part equals the result at the cell's precision, with groups under `minGroup` masked. */
function expectParts(report: Report, res: Results, minGroup: number) {
  const below = { below: minGroup };
  const small = (n: number) => n > 0 && n < minGroup;

  const rfm = part<RfmShare>(report, 'rfm');
  const segments = rfm.scheme === 'cn' ? res.rfm.segments_cn : res.rfm.segments_en;
  expect(rfm.segments.map((s) => s[0])).toEqual(segments.map((s) => s.segment));
  for (const [i, s] of segments.entries()) {
    expect(rfm.segments[i]).toEqual(
      small(s.customers)
        ? [s.segment, below, null, null, null, null, null]
        : [s.segment, s.customers, round(s.share, 3), round(s.revenue_share, 3), round(s.recency_days, 0), round(s.frequency, 1), round(s.monetary, 2)],
    );
  }
  for (const g of res.rfm.grid) expect(rfm.grid[g.r - 1][g.f - 1]).toEqual(small(g.customers) ? below : g.customers);
  expect(rfm.grid.flat().filter((c) => c !== 0).length).toBe(res.rfm.grid.length);
  expect(rfm.customers).toBe(res.rfm.customers);
  if (rfm.scheme === 'cn') expect(rfm.means).toEqual([round(res.rfm.means.r, 2), round(res.rfm.means.f, 2), round(res.rfm.means.m, 2)]);
  else expect(rfm.means).toBeNull();

  const abc = part<AbcShare>(report, 'abc');
  expect(abc.customers).toBe(res.abc.customers);
  expect([abc.top20_share, abc.share_for_80, abc.gini]).toEqual([round(res.abc.top20_share, 3), round(res.abc.share_for_80, 3), round(res.abc.gini, 3)]);
  expect([abc.cut_a, abc.cut_b]).toEqual([res.abc.cut_a, res.abc.cut_b]);
  for (const [i, c] of res.abc.classes.entries()) {
    expect(abc.classes[i]).toEqual(
      small(c.customers)
        ? [c.class, below, null, null, null, null]
        : [c.class, c.customers, round(c.share, 3), round(c.revenue, 2), round(c.revenue_share, 3), round(c.monetary, 2)],
    );
  }
  // The curve: points of the result, from (0, 0) to (1, 1), through the 80/20 point, kept points at least minGroup customers apart.
  const curve = abc.curve!;
  expect(curve[0]).toEqual([0, 0]);
  expect(curve.at(-1)).toEqual([1, 1]);
  expect(abc.top20_point).toEqual([round(res.abc.top20_point.customer_share, 3), round(res.abc.top20_point.revenue_share, 3)]);
  const points = new Set(res.abc.lorenz.map((p) => `${round(p.customer_share, 3)},${round(p.revenue_share, 3)}`));
  for (const p of curve) expect(points.has(`${p[0]},${p[1]}`)).toBe(true);
  const ranks = curve.map(([x]) => Math.round(x * res.abc.customers));
  for (let i = 1; i < ranks.length - 1; i++) expect(ranks[i] - ranks[i - 1]).toBeGreaterThanOrEqual(minGroup - 1);
  expect(curve.length).toBeLessThanOrEqual(21);

  const co = part<CohortsShare>(report, 'cohorts');
  const shown = res.cohorts.cohorts.slice(-SHARE_COHORTS);
  expect(co.cohorts).toBe(res.cohorts.cohorts.length);
  expect(co.rows.map((r) => r[0])).toEqual(shown.map((c) => c.cohort));
  for (const [i, c] of shown.entries()) {
    const cells = res.cohorts.cells.filter((x) => x.cohort === c.cohort && x.period > 0).sort((a, b) => a.period - b.period);
    expect(co.rows[i]).toEqual([c.cohort, small(c.size) ? below : c.size, ...cells.map((x) => (small(c.size) ? null : retentionPct(x.retention)))]);
  }
  // The KPIs as the cell computes them.
  const avg = res.cohorts.average;
  const third = res.cohorts.cells.filter((c) => c.period === 3);
  const size3 = third.reduce((s, c) => s + c.size, 0);
  expect(co.customers).toBe(res.cohorts.cohorts.reduce((s, c) => s + c.size, 0));
  expect(co.p1).toEqual([round(avg[1].retention, 3), avg[1].cohorts]);
  expect(co.p3).toEqual([round(avg[3].retention, 3), avg[3].cohorts]);
  expect(co.cumulative3).toEqual([round(third.reduce((s, c) => s + c.cumulative_revenue_per_customer * c.size, 0) / size3, 2), third.length]);

  const life = part<LifecycleShare>(report, 'lifecycle');
  const l = res.lifecycle;
  const n = (v: number) => (small(v) ? below : v);
  const revenue = l.stages.reduce((s, r) => s + r.revenue, 0);
  expect(life.customers).toBe(l.total_customers);
  expect(life.slipping).toEqual(n(l.slipping));
  expect(life.windows).toEqual(l.windows);
  expect(life.stages).toEqual(l.stages.map((s) => (small(s.customers) ? [s.stage, below, null, null] : [s.stage, s.customers, round(s.share, 3), round(s.revenue / revenue, 3)])));
  expect(life.months).toEqual(l.months.map((m) => [m.month, n(m.new), n(m.active), n(m.at_risk), n(m.dormant), n(m.churned), n(m.reactivated)]));
  expect(life.reactivated).toBe(l.months.reduce((s, m) => s + m.reactivated, 0));
  const lastMonth = l.transitions.at(-1)!.month;
  expect(life.flow!.month).toBe(lastMonth);
  expect(life.flow!.flows).toEqual(l.transitions.filter((f) => f.month === lastMonth).map((f) => [f.from, f.to, n(f.customers)]));
  if (l.funnel) {
    expect(life.funnel!.stages).toEqual(
      l.funnel.stages.map((s) => [
        s.stage,
        n(s.reached),
        n(s.furthest),
        small(s.reached) || s.conversion === null ? null : round(s.conversion, 3),
        small(s.timed) || s.median_days === null ? null : round(s.median_days, 1),
        n(s.timed),
      ]),
    );
  } else expect(life.funnel).toBeNull();
}

/** The sections of a report file, by cell kind, with their SVG counts. */
function svgsByKind(html: string): Record<string, number> {
  const { document } = parseHTML(html);
  return Object.fromEntries([...document.querySelectorAll('section.cell')].map((s) => [s.getAttribute('data-kind')!, s.querySelectorAll('svg').length]));
}

describe('report parts of rfm, abc, cohorts and lifecycle on the sample data', () => {
  let engine: Engine;
  let res: Results;
  let report: Report;
  let ids: string[];

  beforeAll(async () => {
    engine = await engineOn(['orders.csv', 'customers.csv', 'events.csv'].map((f) => [sample(f), f]));
    res = await results(engine);
    report = await engine.report(request(), { asOf: null });
    const rfmIds = (await engine.list('rfm', { order: 'id' })).map((c) => c.customer_id);
    ids = rfmIds;
  }, 180_000);

  it('equals the cells at their precision', () => {
    expect(report.cells.map((c) => c.kind)).toEqual([...KINDS]);
    expect(report.cells.every((c) => !c.error && !c.lists)).toBe(true);
    expectParts(report, res, 5);
    // The sample data has months with fewer than 5 customers in a stage: masked, not dropped.
    expect(part<LifecycleShare>(report, 'lifecycle').months.flat().some((v) => typeof v === 'object')).toBe(true);
  });

  it('masks groups under a larger threshold, in the data and in the drawn file', async () => {
    const big = await engine.report(request({ minGroup: 200 }), { asOf: null });
    expect(big.minGroup).toBe(200);
    expectParts(big, res, 200);
    const rfm = part<RfmShare>(big, 'rfm');
    const hiddenSegment = rfm.segments.find((s) => typeof s[1] === 'object')!;
    expect(hiddenSegment.slice(2)).toEqual([null, null, null, null, null]);
    const co = part<CohortsShare>(big, 'cohorts');
    const hiddenCohort = co.rows.find((r) => typeof r[1] === 'object')!;
    expect(hiddenCohort.slice(2).every((v) => v === null)).toBe(true);
    expect(co.rows.some((r) => typeof r[1] === 'number')).toBe(true);
    const abc = part<AbcShare>(await engine.report(request({ minGroup: 1200 }, [{ kind: 'abc' }]), { asOf: null }), 'abc');
    expect(abc.classes[0]).toEqual(['A', { below: 1200 }, null, null, null, null]);
    // A hidden segment reads "< 200" with dashes in its row; a hidden cohort's row has no percentages.
    const html = reportFile(big, lang('en'), doc());
    const { document } = parseHTML(html);
    const rfmRows = [...document.querySelectorAll('section[data-kind="rfm"] tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));
    const hiddenRow = rfmRows.find((cells) => cells[0] === segmentName(hiddenSegment[0], 'en'))!;
    expect(hiddenRow.slice(1, 7)).toEqual(['< 200', '—', '—', '—', '—', '—']);
    const cohortRow = [...document.querySelectorAll('section[data-kind="cohorts"] table.matrix tbody tr')].find((tr) => tr.querySelector('th')!.textContent === hiddenCohort[0])!;
    expect(cohortRow.textContent).not.toContain('%');
    expect(cohortRow.textContent).toContain('< 200');
  }, 120_000);

  it('shows the RFM scheme the notebook shows: the cell setting, else the report language, without a new run', async () => {
    expect(part<RfmShare>(report, 'rfm').scheme).toBe('cn');
    const en = await engine.report(request({ lang: 'en' }, [{ kind: 'rfm' }]), { asOf: null });
    expect(part<RfmShare>(en, 'rfm').scheme).toBe('en');
    const chosen = await engine.report(request({ lang: 'en' }, [{ kind: 'rfm', settings: { scheme: 'cn' } }]), { asOf: null });
    expect(part<RfmShare>(chosen, 'rfm').scheme).toBe('cn');
    expect(part<RfmShare>(chosen, 'rfm').segments.map((s) => s[0])).toEqual(res.rfm.segments_cn.map((s) => s.segment));
    const b = await engine.report(request({}, [{ kind: 'rfm', settings: { scheme: 'en' } }]), { asOf: null });
    expect(part<RfmShare>(b, 'rfm').segments.map((s) => s[0])).toEqual(res.rfm.segments_en.map((s) => s.segment));
    expect(rfmSchemeOf(undefined, 'zh')).toBe('cn');
    // The scheme is a display setting: the result the cell has answers (same key, the very same object).
    expect(JSON.stringify(resultKey(MODELS.rfm, { asOf: null, rfm: { scheme: 'en' } }))).toBe(JSON.stringify(resultKey(MODELS.rfm, { asOf: null, rfm: {} })));
    expect(await engine.run('rfm', { asOf: null, rfm: { scheme: 'en' } })).toBe(res.rfm);
    // The value rule's means.
    const value = await engine.report(request({}, [{ kind: 'rfm', settings: { highRule: 'value' } }]), { asOf: null });
    const m = ((await engine.run('rfm', { asOf: null, rfm: { highRule: 'value' } })) as RfmSummary).means;
    expect(part<RfmShare>(value, 'rfm').means).toEqual([round(m.recency_days, 1), round(m.frequency, 2), round(m.monetary, 2)]);
    await engine.run('rfm', { asOf: null });
  }, 120_000);

  it('holds no customer id unless a list is opted in, and then every one', async () => {
    expect(ids.length).toBe(res.rfm.customers);
    const json = JSON.stringify(report);
    for (const id of ids) expect(json.includes(`"${id}"`)).toBe(false);
    const html = reportFile(report, lang('zh'), doc());
    expect(ids.filter((id) => html.includes(`>${id}<`))).toEqual([]);

    const withLists = await engine.report(
      request({}, [
        { kind: 'rfm', lists: ['segments', 'unknown'] },
        { kind: 'abc', lists: ['classes'] },
        { kind: 'cohorts', lists: ['segments'] },
        { kind: 'lifecycle', lists: ['stages'] },
      ]),
      { asOf: null },
    );
    expect(withLists.cells.map((c) => c.lists)).toEqual([['segments'], ['classes'], undefined, ['stages']]);
    const rfm = part<RfmShare>(withLists, 'rfm');
    expect(rfm.list!.map(([id]) => id)).toEqual(ids);
    const segmentOf = new Map((await engine.list('rfm', { order: 'id' })).map((c) => [c.customer_id, c.segment_cn]));
    expect(rfm.list!.every(([id, s]) => segmentOf.get(id) === s)).toBe(true);
    const abc = part<AbcShare>(withLists, 'abc');
    expect(abc.list!.length).toBe(res.abc.customers);
    expect(new Set(abc.list!.map(([id]) => id))).toEqual(new Set(ids));
    expect(abc.list!.filter(([, c]) => c === 'A').length).toBe(res.abc.classes[0].customers);
    const life = part<LifecycleShare>(withLists, 'lifecycle');
    expect(life.list!.length).toBe(res.lifecycle.total_customers);
    expect(life.list!.filter(([, s]) => s === 'churned').length).toBe(res.lifecycle.stages.find((s) => s.stage === 'churned')!.customers);
    expect(life.list!.filter(([, , slip]) => slip === 1).length).toBe(res.lifecycle.slipping);
    expect(part<CohortsShare>(withLists, 'cohorts')).toEqual(part<CohortsShare>(report, 'cohorts'));
    // The aggregates are the same with or without the lists.
    const { list: _r, ...rfmRest } = rfm;
    expect(rfmRest).toEqual(part<RfmShare>(report, 'rfm'));
    const listed = reportFile(withLists, lang('en'), doc());
    expect(listed).toContain(`>${ids[0]}<`);
    expect(listed).toContain(`>${ids.at(-1)}<`);
  }, 120_000);

  it('draws as a file with at least one SVG chart per cell in both languages, readable back', () => {
    for (const locale of ['zh', 'en'] as const) {
      const html = reportFile(report, lang(locale), doc());
      const svgs = svgsByKind(html);
      for (const kind of KINDS) expect(svgs[kind], `${kind} ${locale}`).toBeGreaterThanOrEqual(1);
      expect(svgs.rfm).toBeGreaterThanOrEqual(2);
      expect(svgs.abc).toBeGreaterThanOrEqual(2);
      expect(svgs.lifecycle).toBeGreaterThanOrEqual(4);
      expect(asReport(reportDataOf(html))).toEqual(report);
      const { document } = parseHTML(html);
      // The cells' numbers as the cells write them.
      const l = lang(locale);
      const rfmFirst = document.querySelector('section[data-kind="rfm"] tbody tr')!;
      const s = res.rfm.segments_cn[0];
      expect([...rfmFirst.querySelectorAll('td')].slice(0, 7).map((td) => td.textContent)).toEqual([
        segmentName(s.segment, locale),
        l.int(s.customers),
        l.pct(s.share),
        l.pct(s.revenue_share),
        l.num(s.recency_days, 0),
        l.num(s.frequency, 1),
        l.money(s.monetary),
      ]);
      const abcKpis = [...document.querySelectorAll('section[data-kind="abc"] .kpi .value')].map((e) => e.textContent);
      expect(abcKpis).toEqual([l.pct(res.abc.top20_share), l.pct(res.abc.share_for_80), l.num(res.abc.gini, 3), l.int(res.abc.customers)]);
      const first = res.cohorts.cells.find((c) => c.cohort === res.cohorts.cohorts[0].cohort && c.period === 1)!;
      const cohortRow = document.querySelector('section[data-kind="cohorts"] table.matrix tbody tr')!;
      expect(cohortRow.querySelectorAll('td')[2].textContent).toBe(l.pct(first.retention, first.retention < 0.1 ? 1 : 0));
      // The matrix's colour legend is SVG drawn by the report, with its ends labelled.
      expect(document.querySelector('section[data-kind="cohorts"] .legend svg rect')).not.toBeNull();
      const stageCells = [...document.querySelectorAll('section[data-kind="lifecycle"] tbody tr')][1].querySelectorAll('td');
      expect(stageCells[1].textContent).toBe(l.int(res.lifecycle.stages[1].customers));
      expect(stageCells[2].textContent).toBe(l.pct(res.lifecycle.stages[1].share));
    }
  });

  it('keeps every part compact', () => {
    const sizes = Object.fromEntries(report.cells.map((c) => [c.kind, [JSON.stringify(c.data).length, deflateRawSync(JSON.stringify(c.data)).length]]));
    // Measured on the sample data (JSON characters, deflated bytes): rfm ~530/370, abc ~520/280, cohorts ~1460/590, lifecycle ~1850/780.
    expect(sizes.rfm[1]).toBeLessThan(450);
    expect(sizes.abc[1]).toBeLessThan(350);
    expect(sizes.cohorts[1]).toBeLessThan(700);
    expect(sizes.lifecycle[1]).toBeLessThan(900);
    expect(SHARE_COHORTS).toBe(COHORTS_SHOWN);
  });

  it('draws hostile text from the data as text', () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const crafted = structuredClone(report);
    part<RfmShare>(crafted, 'rfm').segments[0][0] = hostile;
    part<CohortsShare>(crafted, 'cohorts').rows[0][0] = `<b>${hostile}</b>`;
    crafted.cells[2].note = `<script>alert(1)</script>`;
    crafted.cells[3].title = `<i>life</i>`;
    for (const locale of ['zh', 'en'] as const) {
      const html = reportFile(asReport(crafted), lang(locale), doc());
      expect(html).not.toContain('<img src=x');
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<b><img');
      expect(html).not.toContain('<i>life</i>');
      expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
      const { document } = parseHTML(html);
      expect(document.querySelector('section[data-kind="rfm"] tbody td')!.textContent).toBe(hostile);
      expect(document.querySelectorAll('img').length).toBe(0);
    }
  });
});

describe('report parts on CDNOW (a file of ../shared/data)', () => {
  it('equal the cells, and draw in both languages', async () => {
    const engine = await engineOn([[shared('CDNOW_master.txt'), 'CDNOW_master.txt']]);
    const res = await results(engine);
    expect(res.abc.customers).toBe(23_570);
    const report = await engine.report(request({ lang: 'en' }), { asOf: null });
    expect(part<RfmShare>(report, 'rfm').scheme).toBe('en');
    expectParts(report, res, 5);
    expect(part<LifecycleShare>(report, 'lifecycle').funnel).toBeNull();
    const ids = (await engine.list('rfm', { order: 'id' })).map((c) => c.customer_id);
    const json = JSON.stringify(report);
    expect(ids.filter((id) => json.includes(`"${id}"`))).toEqual([]);
    for (const locale of ['zh', 'en'] as const) {
      const svgs = svgsByKind(reportFile(report, lang(locale), doc()));
      for (const kind of KINDS) expect(svgs[kind], `${kind} ${locale}`).toBeGreaterThanOrEqual(1);
    }
  }, 240_000);
});
