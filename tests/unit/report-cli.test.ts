// `analyze --report FILE.html --report-link BASE_URL` as a user runs it: the report file equals the one the page's
// engine draws from the same results (same files, same default cells and privacy), the link in the JSON decodes to
// the same report, and neither holds a customer id, name or phone number of the sample data.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseHTML } from 'linkedom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/db/node.ts';
import { lang } from '../../src/i18n/lang.ts';
import { MODELS } from '../../src/models/registry.ts';
import { decodeFragment } from '../../src/notebook/share-codec.ts';
import { reportDataOf } from '../../src/report/document.ts';
import { reportFile } from '../../src/report/file.ts';
import { asReport, type Report, type ReportSource } from '../../src/report/format.ts';
import { defaultTitle, reportRequest, reportSource, shareKinds } from '../../src/report/request.ts';
import { Engine } from '../../workers/engine.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'crm-report-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const doc = () => parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Document;
const BASE = 'https://example.org/crm/';

function analyze(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The report the page's engine makes of the same files with the panel's defaults (cells: those the command ran). */
async function engineReport(kinds: string[], locale: 'zh' | 'en'): Promise<Report> {
  const engine = new Engine(await openNodeDb());
  const sources: ReportSource[] = [];
  for (const name of ['orders.csv', 'customers.csv']) {
    const data = readFileSync(sample(name));
    const view = await engine.load({ name, size: data.length, data });
    const applied = await engine.apply(view.id, view.mapping);
    const counts = applied.report ?? applied.table;
    sources.push(reportSource(view.file, view.role, counts?.rows_read ?? view.rows, counts?.rows_loaded));
  }
  const settings = { asOf: null, clv: {} };
  const asOf = (await engine.run('overview', settings)).as_of;
  // The page's report holds what its CLV cell shows once the model comparison is done (the command waits for it).
  if (kinds.includes('clv')) {
    await engine.run('clv', settings);
    await engine.clvCompare(settings);
  }
  const cells = kinds.map((kind) => ({ id: kind, kind }));
  const req = reportRequest({ title: defaultTitle('orders.csv', asOf, lang(locale)), sources, cells, kinds: shareKinds(MODELS) });
  return engine.report({ ...req, lang: locale }, settings);
}

describe('analyze --report and --report-link', { timeout: 400_000 }, () => {
  let out: Record<string, unknown>;
  let html: string;
  let ran: string[];

  beforeAll(() => {
    const r = analyze('--orders', sample('orders.csv'), '--customers', sample('customers.csv'), '--report', join(dir, 'report.html'), '--report-link', BASE, '--out', join(dir, 'out.json'));
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    out = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8'));
    html = readFileSync(join(dir, 'report.html'), 'utf8');
    ran = Object.keys(MODELS).filter((m) => m in out);
  }, 400_000);

  it('writes the report file the engine draws from the same results, with every model section the command ran that a report holds', async () => {
    const report = await engineReport(ran, 'en');
    const written = asReport(reportDataOf(html));
    expect(written.cells.map((c) => c.kind)).toEqual(ran.filter((k) => MODELS[k as keyof typeof MODELS].share));
    expect(written.cells.length).toBeGreaterThan(0);
    expect(written.title).toBe(`orders · as of ${lang('en').day(report.asOf!)}`);
    expect(written.sources).toEqual([
      { file: 'orders.csv', role: 'orders', rows: 38764, loaded: 38719 },
      { file: 'customers.csv', role: 'customers', rows: 5800, loaded: 5800 },
    ]);
    expect(written.minGroup).toBe(5);
    expect(written).toEqual(report);
    expect(html).toBe(reportFile(report, lang('en'), doc()));
    // Charts as inline SVG: at least one per model cell.
    const { document } = parseHTML(html);
    for (const cell of document.querySelectorAll('.cell')) expect(cell.querySelectorAll('figure.chart svg').length).toBeGreaterThan(0);
  });

  it('adds report_link: the base address and a fragment that decodes to the same report', async () => {
    const link = out.report_link as string;
    expect(link.startsWith(`${BASE}#r=1.`)).toBe(true);
    const decoded = asReport(await decodeFragment(link.slice(BASE.length)));
    expect(decoded).toEqual(asReport(reportDataOf(html)));
  });

  it('holds no customer id, name or phone number of the sample data, in the link or in the file', async () => {
    const link = JSON.stringify(await decodeFragment(String(out.report_link).slice(BASE.length)));
    const text = parseHTML(html).document.body.textContent ?? '';
    const rows = readFileSync(sample('customers.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(','));
    expect(rows.length).toBe(5800);
    for (const [id, name, phone] of rows) {
      for (const value of [id, phone, ...(name.length >= 3 ? [name] : [])]) {
        expect(link.includes(value)).toBe(false);
        expect(text.includes(value)).toBe(false);
        expect(html.includes(`"${value}"`)).toBe(false);
      }
    }
  });

  it('draws the report in Chinese with --lang zh, and refuses another language or a link base that is not an address', () => {
    const zhFile = join(dir, 'zh.html');
    const r = analyze('--orders', sample('orders.csv'), '--models', 'overview', '--report', zhFile, '--lang', 'zh', '--out', join(dir, 'zh.json'));
    expect(r.status).toBe(0);
    const zhHtml = readFileSync(zhFile, 'utf8');
    expect(zhHtml).toContain('<html lang="zh-CN">');
    const report = asReport(reportDataOf(zhHtml));
    expect(report.title).toMatch(/^orders · 截至 \d{4}年\d{1,2}月\d{1,2}日$/);
    expect(report.cells.map((c) => c.kind)).toEqual(['overview']);
    expect(JSON.parse(readFileSync(join(dir, 'zh.json'), 'utf8')).report_link).toBeUndefined();
    expect(analyze('--orders', sample('orders.csv'), '--lang', 'fr').stderr).toBe('analyze: --lang is en or zh\n');
    expect(analyze('--orders', sample('orders.csv'), '--report-link', 'crm').stderr).toMatch(/^analyze: --report-link takes the app's address/);
  });
});
