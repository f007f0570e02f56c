// A report is built from the same results the cells show (the engine's runs on the sample data), holds aggregates
// only, and draws as a self-contained HTML file with inline SVG charts (linkedom as the DOM, as the headless command).
import { parseHTML } from 'linkedom';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/db/node.ts';
import { lang } from '../../src/i18n/lang.ts';
import type { OverviewResult, OverviewShare } from '../../src/models/overview.ts';
import { reportDataOf } from '../../src/report/document.ts';
import { reportFile } from '../../src/report/file.ts';
import { asReport, ReportFormatError, type Report } from '../../src/report/format.ts';
import { Engine } from '../../workers/engine.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const file = (name: string) => {
  const data = readFileSync(sample(name));
  return { name, size: data.length, data };
};
const doc = () => parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Document;

let engine: Engine;
let report: Report;
let overview: OverviewResult;

beforeAll(async () => {
  engine = new Engine(await openNodeDb());
  for (const name of ['orders.csv', 'customers.csv']) {
    const view = await engine.load(file(name));
    await engine.apply(view.id, view.mapping);
  }
  overview = (await engine.run('overview', { asOf: null })) as OverviewResult;
  report = await engine.report(
    { title: 'Client <b>A</b>', sources: [{ file: 'orders.csv', role: 'orders', rows: 38764 }], cells: [{ kind: 'overview', note: 'Look at <script>alert(1)</script> March' }, { kind: 'note', note: '# Summary\n\n**bold** <img src=x onerror=alert(1)>' }] },
    { asOf: null },
  );
}, 120_000);

describe('report', () => {
  it('holds the overview the cell shows, at the cell precision', () => {
    const d = report.cells[0].data as OverviewShare;
    expect(report.asOf).toBe(overview.as_of);
    expect(d.customers).toBe(overview.customers);
    expect(d.purchases).toBe(overview.purchases);
    expect(d.revenue).toBeCloseTo(overview.revenue, 2);
    expect(d.repeat_rate).toBeCloseTo(overview.repeat_rate, 4);
    expect(d.months.length).toBe(overview.months.length);
    expect(d.months[0]).toEqual([overview.months[0].month, overview.months[0].purchases, Math.round(overview.months[0].revenue * 100) / 100, overview.months[0].customers, overview.months[0].new_customers]);
  });

  it('holds no customer id from the data', () => {
    const json = JSON.stringify(report);
    const ids = readFileSync(sample('customers.csv'), 'utf8').split('\n').slice(1, 200).map((l) => l.split(',')[0]).filter(Boolean);
    expect(ids.length).toBeGreaterThan(100);
    for (const id of ids) expect(json.includes(`"${id}"`)).toBe(false);
  });

  it('draws as a file with inline SVG charts, its data readable back, and every text as text', () => {
    for (const locale of ['zh', 'en'] as const) {
      const html = reportFile(report, lang(locale), doc());
      expect((html.match(/<svg/g) ?? []).length).toBeGreaterThanOrEqual(2);
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('<img src=x');
      expect(html).not.toContain('<b>A</b>');
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(asReport(reportDataOf(html))).toEqual(report);
      const { document } = parseHTML(html);
      const kpi = [...document.querySelectorAll('.kpi .value')].map((e) => e.textContent);
      expect(kpi[0]).toBe(lang(locale).int(overview.customers));
    }
  });

  it('refuses another version or shape', () => {
    expect(() => asReport({ ...report, version: 2 })).toThrow(ReportFormatError);
    expect(() => asReport({ version: 1 })).toThrow(ReportFormatError);
  });
});
