// Every word in the user's language: the sample data in Chinese, every cell walked once it has answered, and any
// Latin word in a cell's visible text that is neither data (product names, ids, column names from the files), a unit,
// nor a model or format name fails the test, listed by cell.
import { expect as baseExpect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The sample data runs every model (the CLV fits too): slow when the machine is busy.
const expect = baseExpect.configure({ timeout: 240_000 });
test.describe.configure({ timeout: 600_000 });

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));

/** A Latin word: letters, possibly joined with digits, dots, slashes, hyphens or underscores (C00141, BG/NBD, P(alive)). */
const LATIN = /[A-Za-z][A-Za-z0-9]*(?:[./_\-–][A-Za-z0-9]+)*/g;

/** Model, measure, unit and file-format names a Chinese analyst reads as they are. */
const ALLOWED = new Set(
  [
    'RFM', 'R', 'F', 'M', 'ABC', 'A', 'B', 'C', 'CLV', 'BG/NBD', 'MBG/NBD', 'Pareto/NBD', 'Gamma-Gamma', 'NBD', 'P', 'alive',
    'k', 'k-means', 'SQL', 'CSV', 'Excel', 'PNG', 'SVG', 'PDF', 'JSON', 'Parquet', 'UTF-8', 'GBK', 'GB18030', 'UTF-16LE',
    'UTF-16BE', 'HTML', 'ID', 'KPI', 'x', 'y', 'e', 'AOV', 'ARPU', 'Markdown', 'DuckDB', 'Top', 'VIP', 'ln',
  ].map((w) => w.toLowerCase()),
);

/** Every Latin word in the sample files (ids, column names such as customer_id, product names): data, not wording. */
function dataWords(): Set<string> {
  const words = new Set<string>();
  for (const f of ['orders.csv', 'customers.csv', 'events.csv']) {
    for (const w of readFileSync(sample(f), 'utf8').match(LATIN) ?? []) words.add(w.toLowerCase());
  }
  return words;
}

/** Latin words of `text` that are neither allowed nor data. */
function offending(text: string, data: Set<string>): string[] {
  const words = (text.match(LATIN) ?? []).filter((w) => {
    const lower = w.toLowerCase();
    if (ALLOWED.has(lower) || data.has(lower)) return false;
    // A customer or order id cut or joined differently in a label (C00141, DD2401010001) is data too.
    if (/^(c|dd)\d+$/i.test(w)) return false;
    return true;
  });
  return [...new Set(words)];
}

async function cellsSettled(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const cells = [...document.querySelectorAll<HTMLElement>('[data-testid$="-cell"]')];
    if (cells.length < 8) return false;
    if (document.querySelector('[data-testid="clv-progress"]')) return false;
    return cells.every((c) => c.getAttribute('aria-busy') !== 'true' && !c.innerText.includes('加载中'));
  });
}

test('in Chinese, no cell shows a Latin word that is not data, a unit or a model name; the overview tip names its month', async ({ page }) => {
  await page.goto('/');
  await expect(page.locator('html')).toHaveAttribute('lang', /zh/);
  // The privacy line once on the landing page (under the buttons, not again in the footer), and once with data in.
  const privacyCount = () => page.evaluate(() => document.body.innerText.split('数据只在本机').length - 1);
  expect(await privacyCount()).toBe(1);
  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('rfm-segments').locator('tbody tr').first()).toBeVisible();
  expect(await privacyCount()).toBe(1);
  await expect.poll(() => cellsSettled(page), { intervals: [1000] }).toBe(true);

  const data = dataWords();
  // The cells on the page (the report panel's rows, in a closed dialog, are walked below with the panel open).
  const cells = await page.locator('[data-testid$="-cell"]').evaluateAll((els) =>
    els.filter((e) => e.checkVisibility()).map((e) => ({ id: e.getAttribute('data-testid') ?? '', text: (e as HTMLElement).innerText })),
  );
  expect(cells.map((c) => c.id)).toEqual(expect.arrayContaining(['sources-cell', 'overview-cell', 'rfm-cell', 'clusters-cell', 'clv-cell', 'basket-cell']));
  const found = cells.map((c) => ({ cell: c.id, words: offending(c.text, data) })).filter((c) => c.words.length);
  expect(found, `Latin words in the Chinese page: ${found.map((f) => `${f.cell}: ${f.words.join(', ')}`).join('; ')}`).toEqual([]);

  // The overview's revenue bar tip: one month under 月份, no English channel label, no two-month range.
  const bar = page.getByTestId('overview-cell').locator('svg g[aria-label="rect"] rect').nth(3);
  await bar.hover();
  const tip = page.getByTestId('overview-cell').locator('g[aria-label="tip"]').first();
  await expect(tip).toContainText('月份');
  const tipText = (await tip.textContent()) ?? '';
  expect(offending(tipText, data)).toEqual([]);
  expect(tipText).not.toContain('–');

  // Every chart's tip, pointed at one of its marks (or its middle for the charts that follow the pointer along x):
  // labels in Chinese, not the data's field names (value, measure, fy, date…).
  // Charts are drawn as they come into view: bring each cell on screen first.
  await page.evaluate(async () => {
    for (const cell of document.querySelectorAll<HTMLElement>('[data-testid$="-cell"]')) {
      if (!cell.checkVisibility()) continue;
      cell.scrollIntoView();
      await new Promise((done) => setTimeout(done, 400));
    }
  });
  await page.waitForTimeout(1000);
  const charts = page.locator('[data-testid$="-cell"] svg[class^="plot"]');
  const tips: { chart: string; words: string[] }[] = [];
  const shown: string[] = [];
  for (const chart of await charts.all()) {
    if (!(await chart.isVisible())) continue;
    await chart.scrollIntoViewIfNeeded();
    // Each mark layer in turn (a background layer has no tip), then the chart's middle (tips that follow the pointer).
    const layers = chart.locator('g[aria-label]:not([aria-label="tip"]):not([aria-label$="axis"]):not([aria-label$="tick label"]):not([aria-label$="label"])');
    const tip = chart.locator('g[aria-label="tip"]');
    const targets = [];
    for (const layer of await layers.all()) {
      const marks = layer.locator(':scope > :is(rect, circle, path, line)');
      const n = await marks.count();
      if (n) targets.push(marks.nth(Math.floor(n / 2)));
    }
    targets.push(chart);
    for (const target of targets) {
      await target.hover({ force: true }).catch(() => undefined);
      if (await tip.count()) break;
    }
    if (!(await tip.count())) continue;
    // The tip's text is laid out in the frame after it appears.
    await expect.poll(async () => ((await tip.first().textContent()) ?? '').trim().length, { timeout: 5000 }).toBeGreaterThan(0).catch(() => undefined);
    const text = (await tip.first().textContent()) ?? '';
    if (text.trim()) shown.push(text);
    const words = offending(text, data);
    const cell = await chart.evaluate((el) => el.closest('[data-testid$="-cell"]')?.getAttribute('data-testid') ?? '');
    if (words.length) tips.push({ chart: `${cell} ${await chart.evaluate((el) => el.getAttribute('aria-label') ?? el.closest('figure')?.querySelector('figcaption')?.textContent ?? '')}`, words });
  }
  // The walk reached the tips of the charts (overview, RFM, ABC, lifecycle, CLV, basket, clusters…).
  expect(shown.length).toBeGreaterThanOrEqual(12);
  expect(tips, `Latin words in chart tips: ${tips.map((f) => `${f.chart}: ${f.words.join(', ')}`).join('; ')}`).toEqual([]);

  // The customer 360 timeline's tip: the time, order and kind under Chinese words.
  await page.getByTestId('rfm-customer').first().click();
  const panel360 = page.getByTestId('customer-360');
  const dots = panel360.locator('svg[class^="plot"] g[aria-label="dot"] circle');
  await expect(dots.first()).toBeVisible();
  await dots.first().hover({ force: true });
  const timelineTip = panel360.locator('g[aria-label="tip"]').first();
  await expect(timelineTip).toContainText('时间');
  expect(offending((await timelineTip.textContent()) ?? '', data)).toEqual([]);
  await page.keyboard.press('Escape');

  // The report panel: each cell's list named in words, not by its internal name (segments, cross_sell…).
  await page.getByTestId('share-open').click();
  const panel = page.getByTestId('share-panel');
  await expect(panel.getByTestId('share-list').first()).toBeVisible();
  expect(offending(await panel.innerText(), data)).toEqual([]);
});
