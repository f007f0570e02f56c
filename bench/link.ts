/**
 * The share link of the sample data's default report (issue 11): its length, plain and sealed, and the time from
 * opening it in a fresh browser to the report on screen.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import config from '../playwright.config.ts';
import { openNodeDb } from '../src/db/node.ts';
import { lang } from '../src/i18n/lang.ts';
import { MODELS } from '../src/models/registry.ts';
import { encodeFragment } from '../src/notebook/share-codec.ts';
import type { ReportSource } from '../src/report/format.ts';
import { defaultTitle, reportRequest, reportSource, shareKinds } from '../src/report/request.ts';
import { Engine } from '../workers/engine.ts';
import { CHROMIUM } from './browser.ts';

const SAMPLE = fileURLToPath(new URL('../sample-data/', import.meta.url));
const ARGS = (config.use?.launchOptions?.args ?? []) as string[];
const RUNS = 7;

export interface LinkBench {
  /** The report's cells (the panel's default: every model cell with a report part). */
  cells: string[];
  /** The report's JSON, in bytes (UTF-8). */
  jsonBytes: number;
  /** The link's length in characters, as the page makes it (origin + path + `#r=1.…`), here on the preview's address. */
  length: number;
  /** The part after `#`: the length a link has beyond the address the app is served at. */
  fragmentLength: number;
  /** The same report sealed with a password. */
  sealedLength: number;
  /** Navigation start → the frame after the report's article is in the page, each fresh run (ms). */
  openMs: number[];
  /** Median of `openMs`. */
  medianMs: number;
  /** Bytes the page fetched (its scripts, stylesheet and icon), first run. */
  transferBytes: number;
  /** Medians of the link view's marks (ms after navigation start): its script running, the fragment opened, the report drawn. */
  marks: { script: number; opened: number; drawn: number };
}

// Notes when the report's article first exists and the frame after it (a MutationObserver installed before the app's
// scripts run; Playwright's init scripts are not subject to the page's policy).
const INIT_SCRIPT = `(() => {
  const o = new MutationObserver(() => {
    if (!document.querySelector('article.report')) return;
    o.disconnect();
    const at = performance.now();
    requestAnimationFrame(() => setTimeout(() => (window.__reportShown = { at, painted: performance.now() })));
  });
  o.observe(document, { childList: true, subtree: true });
})();`;

/** The default report of the sample data as the page makes it in Chinese (the sample's file names, the panel's defaults). */
async function sampleReport() {
  const engine = new Engine(await openNodeDb());
  const sources: ReportSource[] = [];
  for (const [file, name] of [['orders.csv', '订单示例.csv'], ['customers.csv', '客户示例.csv']]) {
    const data = readFileSync(SAMPLE + file);
    const view = await engine.load({ name, size: data.length, data });
    const applied = await engine.apply(view.id, view.mapping);
    const counts = applied.report ?? applied.table;
    sources.push(reportSource(view.file, view.role, counts?.rows_read ?? view.rows, counts?.rows_loaded));
  }
  const settings = { asOf: null };
  const asOf = (await engine.run('overview', settings)).as_of;
  const cells = Object.keys(MODELS).map((kind) => ({ id: kind, kind }));
  const request = reportRequest({ title: defaultTitle('订单示例.csv', asOf, lang('zh')), sources, cells, kinds: shareKinds(MODELS) });
  return engine.report(request, settings);
}

/** The link's length, and the time to open it at `appUrl` (the built app under `vite preview`). */
export async function linkBench(appUrl: string, log: (msg: string) => void): Promise<LinkBench> {
  const report = await sampleReport();
  const base = new URL('/', appUrl).href;
  const link = `${base}#${await encodeFragment(report)}`;
  const sealed = `${base}#${await encodeFragment(report, 'a password of 24 chars..')}`;
  log(`  report of ${report.cells.map((c) => c.kind).join(', ')}: link ${link.length} characters (sealed ${sealed.length})`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  const openMs: number[] = [];
  const marks: Record<string, number[]> = { script: [], opened: [], drawn: [] };
  let transferBytes = 0;
  try {
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1360, height: 900 }, serviceWorkers: 'block' });
      const page = await context.newPage();
      await page.addInitScript(INIT_SCRIPT);
      await page.goto(link);
      const shown = (await (await page.waitForFunction(() => (window as unknown as { __reportShown?: { painted: number } }).__reportShown, null, { timeout: 60_000 })).jsonValue()) as { painted: number };
      openMs.push(Math.round(shown.painted));
      const seen = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name.replace('report-link:', ''), m.startTime])));
      for (const k of Object.keys(marks)) marks[k].push(Math.round(seen[k] ?? NaN));
      if (i === 0) transferBytes = await page.evaluate(() => performance.getEntriesByType('resource').reduce((n, e) => n + (e as PerformanceResourceTiming).transferSize, 0) + (performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming).transferSize);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  return {
    cells: report.cells.map((c) => c.kind),
    jsonBytes: new TextEncoder().encode(JSON.stringify(report)).length,
    length: link.length,
    fragmentLength: link.length - base.length - 1,
    sealedLength: sealed.length,
    openMs,
    medianMs: median(openMs),
    transferBytes,
    marks: { script: median(marks.script), opened: median(marks.opened), drawn: median(marks.drawn) },
  };
}
