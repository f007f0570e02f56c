// Filters in the page (MODELS.md §9): the notebook's filter set in the filter bar, a segment clicked in a cell, and a
// cell's own filter on top; every cell follows and says which filter it shows, with the headless command's numbers.
import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../src/cli/analyze.ts';
import type { Filter } from '../../src/models/filter.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));

async function rfmSegmentCounts(page: Page): Promise<Record<string, number>> {
  const rows = page.getByTestId('rfm-segments').first().locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  const out: Record<string, number> = {};
  for (const row of await rows.all()) out[(await row.getAttribute('data-segment'))!] = Number(await row.getByTestId('segment-customers').getAttribute('data-value'));
  return out;
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) out[key(it)] = (out[key(it)] ?? 0) + 1;
  return out;
}

const headless = (filter: Filter) =>
  analyze({ orders: sample('orders.csv'), customers: sample('customers.csv'), models: ['overview', 'rfm'], filter }) as Promise<{
    overview: { customers: number; revenue: number };
    rfm: { customers: { segment_cn: string }[] };
  }>;

test('a filter set in the bar changes every cell as the headless command under that filter, and each cell names it', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  const customers = page.getByTestId('kpi-customers');
  await expect(customers).toHaveAttribute('data-value', /\d+/);
  const all = Number(await customers.getAttribute('data-value'));

  // The CLV cell's fit is done before the filter changes: it keeps its result, marked as updating, until the refit.
  const clv = page.getByTestId('clv-cell');
  await clv.scrollIntoViewIfNeeded();
  await expect(clv).toHaveAttribute('aria-busy', 'false', { timeout: 120_000 });
  // Every change of a cell's busy state and dimming from here on, with its time (see the end of the filter change).
  await page.evaluate(() => {
    const log: { cell: string; at: number; busy: boolean; stale: boolean }[] = [];
    (window as unknown as { __cellLog: typeof log }).__cellLog = log;
    for (const el of document.querySelectorAll<HTMLElement>('section.cell[data-kind]')) {
      const note = () => log.push({ cell: el.dataset.kind!, at: performance.now(), busy: el.getAttribute('aria-busy') === 'true', stale: el.classList.contains('stale') });
      new MutationObserver(note).observe(el, { attributes: true, attributeFilter: ['aria-busy', 'class'] });
    }
  });
  await page.getByTestId('filter-open').click();
  const editor = page.getByTestId('filter-editor');
  await editor.getByTestId('filter-order_channel').getByLabel('抖音').check();
  await editor.getByTestId('filter-region').getByLabel('华东').check();
  await editor.getByTestId('filter-apply').click();
  await expect(page.getByTestId('filter-chip-order_channel')).toContainText('下单渠道：抖音');
  await expect(clv.getByTestId('cell-updating')).toBeVisible();
  await expect(clv.getByTestId('clv-error')).toHaveCount(0);
  await expect(clv.getByTestId('cell-updating')).toHaveCount(0, { timeout: 120_000 });

  // A kept result is dimmed only once its update has taken a moment (400 ms): never in an update's first 300 ms, always
  // in one that took over 700 ms, and no longer once the new result is there.
  await expect(page.locator('section.cell.stale')).toHaveCount(0);
  const log = await page.evaluate(() => (window as unknown as { __cellLog: { cell: string; at: number; busy: boolean; stale: boolean }[] }).__cellLog);
  const updates: { cell: string; start: number; end: number; dimmedAt: number | null }[] = [];
  const open = new Map<string, (typeof updates)[number]>();
  for (const e of log) {
    let u = open.get(e.cell);
    if (e.busy && !u) open.set(e.cell, (u = { cell: e.cell, start: e.at, end: Infinity, dimmedAt: null }));
    if (u && e.stale && u.dimmedAt === null) u.dimmedAt = e.at;
    if (u && !e.busy) {
      u.end = e.at;
      updates.push(u);
      open.delete(e.cell);
    }
  }
  expect(updates.map((u) => u.cell)).toContain('clv');
  for (const u of updates) {
    if (u.dimmedAt !== null) expect(u.dimmedAt - u.start, `${u.cell} dimmed too soon`).toBeGreaterThanOrEqual(300);
    if (u.end - u.start > 700) expect(u.dimmedAt, `${u.cell} took ${Math.round(u.end - u.start)} ms without being dimmed`).not.toBeNull();
  }

  const expected = await headless({ order_channel: ['抖音'], region: ['华东'] });
  await expect(customers).toHaveAttribute('data-value', String(expected.overview.customers));
  expect(expected.overview.customers).toBeLessThan(all);
  await expect(page.getByTestId('rfm-cell').getByTestId('cell-filter')).toContainText('筛选：地区：华东；下单渠道：抖音');
  await expect.poll(() => rfmSegmentCounts(page)).toEqual(countBy(expected.rfm.customers, (c) => c.segment_cn));

  // Removing the chips brings all the data back.
  await page.getByTestId('filter-clear').click();
  await expect(customers).toHaveAttribute('data-value', String(all));
  await expect(page.getByTestId('rfm-cell').getByTestId('cell-filter')).toHaveCount(0);
});

test('clicking a segment shows only its customers everywhere; a second RFM cell with its own channel filter', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  const customers = page.getByTestId('kpi-customers');
  await expect(customers).toHaveAttribute('data-value', /\d+/);
  const counts = await rfmSegmentCounts(page);
  const [segment, n] = Object.entries(counts).sort((a, b) => b[1] - a[1])[0];
  await page.locator(`[data-segment="${segment}"]`).getByTestId('segment-filter').click();
  await expect(page.getByTestId('filter-chip-segment')).toContainText(segment);
  await expect(customers).toHaveAttribute('data-value', String(n));
  await page.getByTestId('filter-chip-segment').getByRole('button').click();
  await expect(customers).not.toHaveAttribute('data-value', String(n));

  // A duplicate of the RFM cell filtered to one channel; the original keeps all the data.
  const rfm = page.locator('.cell-anchor[data-kind="rfm"]').first();
  await rfm.hover();
  await rfm.getByTestId('cell-duplicate').click();
  const copy = page.locator('.cell-anchor[data-kind="rfm"]').nth(1);
  await copy.hover();
  await copy.getByTestId('cell-filter-edit').click();
  await copy.getByTestId('filter-order_channel').getByLabel('门店').check();
  await copy.getByTestId('filter-apply').click();
  await expect(copy.getByTestId('cell-filter')).toContainText('下单渠道：门店');
  const expected = await headless({ order_channel: ['门店'] });
  const store = countBy(expected.rfm.customers, (c) => c.segment_cn);
  await expect
    .poll(async () => {
      const out: Record<string, number> = {};
      for (const row of await copy.getByTestId('rfm-segments').locator('tbody tr').all()) out[(await row.getAttribute('data-segment'))!] = Number(await row.getByTestId('segment-customers').getAttribute('data-value'));
      return out;
    })
    .toEqual(store);
  expect(await rfmSegmentCounts(page)).toEqual(counts);
});
