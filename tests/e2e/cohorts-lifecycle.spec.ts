import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../src/cli/analyze.ts';
import type { CohortResult } from '../../src/models/cohorts.ts';
import { STAGES, type LifecycleResult, type Stage } from '../../src/models/lifecycle.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));

// Every cell of the notebook computes on the sample data in the one worker: allow for a busy machine.
test.describe.configure({ timeout: 240_000 });

type Headless = {
  cohorts: CohortResult;
  lifecycle: LifecycleResult & { customers: { customer_id: string; stage: Stage; slipping: boolean }[] };
};

async function headless(files: { customers?: boolean; events?: boolean }, settings = {}): Promise<Headless> {
  return (await analyze({
    orders: sample('orders.csv'),
    customers: files.customers ? sample('customers.csv') : undefined,
    events: files.events ? sample('events.csv') : undefined,
    models: ['cohorts', 'lifecycle'],
    settings,
  })) as Headless;
}

async function numberAt(page: Page, testid: string): Promise<number> {
  return Number(await page.getByTestId(testid).getAttribute('data-value'));
}

/** The funnel table as [stage, reached, furthest] rows. */
async function funnelRows(page: Page): Promise<[string, number, number][]> {
  const rows = page.getByTestId('lifecycle-funnel-table').locator('tbody tr');
  const out: [string, number, number][] = [];
  for (const row of await rows.all()) {
    out.push([
      (await row.getAttribute('data-stage'))!,
      Number(await row.getByTestId('funnel-reached').getAttribute('data-value')),
      Number(await row.getByTestId('funnel-furthest').getAttribute('data-value')),
    ]);
  }
  return out;
}

test('cohorts and lifecycle on the sample data equal the headless command, the funnel too once events are dropped', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  const expected = await headless({ customers: true });

  // Cohorts: every cohort's size and every cell's active customers, and the headline retention.
  const matrix = page.getByTestId('cohorts-matrix');
  await expect(matrix.locator('tbody tr')).toHaveCount(expected.cohorts.cohorts.length);
  expect(await numberAt(page, 'cohorts-count')).toBe(24);
  const sizes = await matrix.getByTestId('cohort-size').evaluateAll((cells) => cells.map((c) => Number(c.getAttribute('data-value'))));
  expect(sizes).toEqual(expected.cohorts.cohorts.map((c) => c.size));
  const shown = await matrix.locator('td[data-period]').evaluateAll((cells) =>
    cells.map((c) => [c.closest('tr')!.getAttribute('data-cohort'), Number(c.getAttribute('data-period')), Number(c.getAttribute('data-active'))]),
  );
  expect(shown).toEqual(expected.cohorts.cells.map((c) => [c.cohort, c.period, c.active]));
  expect(await numberAt(page, 'cohorts-p1')).toBeCloseTo(expected.cohorts.average[1].retention, 12);
  // A cell's tooltip is written when the pointer reaches it: the cohort, the period and its customers.
  const int = (n: number) => new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 }).format(n);
  const jan1 = expected.cohorts.cells.find((c) => c.cohort === '2024-01' && c.period === 1)!;
  const jan1Cell = matrix.locator('tr[data-cohort="2024-01"] td[data-period="1"]');
  await jan1Cell.hover();
  await expect(jan1Cell).toHaveAttribute('title', new RegExp(`^2024-01 · 第 1 期：${int(jan1.active)} / ${int(jan1.size)} 位客户再次购买`));

  // The matrix export holds every cohort's row of the measure shown.
  const download = page.waitForEvent('download');
  await page.getByTestId('cohorts-export').click();
  const csv = readFileSync(await (await download).path(), 'utf8').replace(/^\uFEFF/, '').trim().split('\n');
  expect(csv[0].split(',').slice(0, 4)).toEqual(['cohort', 'start', 'size', 'period_0']);
  expect(csv.length).toBe(25);
  const jan = expected.cohorts.cells.filter((c) => c.cohort === '2024-01');
  expect(csv[1].split(',').slice(3).map(Number)).toEqual(jan.map((c) => Math.round(c.retention * 1e6) / 1e6));

  // Lifecycle: stage counts and slipping equal the headless customer list.
  const byStage = Object.fromEntries(STAGES.map((s) => [s, expected.lifecycle.customers.filter((c) => c.stage === s).length]));
  for (const s of STAGES) await expect(page.getByTestId(`lifecycle-stage-${s}`)).toHaveAttribute('data-value', String(byStage[s]));
  expect(await numberAt(page, 'lifecycle-slipping')).toBe(expected.lifecycle.customers.filter((c) => c.slipping).length);
  expect(await numberAt(page, 'lifecycle-reactivated')).toBe(expected.lifecycle.months.reduce((s, m) => s + m.reactivated, 0));

  // The latest month's transition matrix equals the headless transitions.
  const lastMonth = expected.lifecycle.months[expected.lifecycle.months.length - 1].month;
  const flow = await page.getByTestId('lifecycle-flow-matrix').locator('td[data-from]').evaluateAll((cells) =>
    cells.map((c) => [c.getAttribute('data-from'), c.getAttribute('data-to'), Number(c.getAttribute('data-value'))]).filter((c) => c[2]),
  );
  expect(flow.sort()).toEqual(
    expected.lifecycle.transitions.filter((t) => t.month === lastMonth).map((t) => [t.from, t.to, t.customers]).sort(),
  );

  // A stage's list, and a customer id opens the customer 360 panel.
  await page.locator('.stage[data-stage="at_risk"]').click();
  await expect(page.getByTestId('lifecycle-list').locator('h3')).toContainText('风险');
  await expect(page.getByTestId('lifecycle-list').locator('tbody tr').first()).toContainText('风险');
  const first = page.getByTestId('lifecycle-customer').first();
  const id = (await first.textContent())!.trim();
  expect(expected.lifecycle.customers.find((c) => c.customer_id === id)?.stage).toBe('at_risk');
  const listCsv = page.waitForEvent('download');
  await page.getByTestId('lifecycle-export').click();
  const lines = readFileSync(await (await listCsv).path(), 'utf8').trim().split('\n');
  expect(lines.length).toBe(byStage.at_risk + 1);
  await first.click();
  await expect(page.getByTestId('customer-id')).toContainText(id);
  await page.getByTestId('customer-close').click();

  // The customers file alone gives lead → customer → loyal (once the cell has its result with the customers file,
  // which the sample applies after the orders).
  await expect.poll(() => funnelRows(page), { timeout: 60_000 }).toEqual(expected.lifecycle.funnel!.stages.map((s) => [s.stage, s.reached, s.furthest]));

  // Dropping the events file adds engaged and intent, with the keyword mapping shown.
  await page.getByTestId('file-input').setInputFiles(sample('events.csv'));
  await expect(page.getByTestId('lifecycle-mapping')).toBeVisible();
  const withEvents = await headless({ customers: true, events: true });
  await expect(page.getByTestId('lifecycle-funnel-table').locator('tbody tr')).toHaveCount(5);
  expect(await funnelRows(page)).toEqual(withEvents.lifecycle.funnel!.stages.map((s) => [s.stage, s.reached, s.furthest]));
  await expect(page.locator('[data-testid="lifecycle-map"][data-event="咨询"]')).toHaveValue('intent');

  // Mapping 咨询 to engaged gives the headless numbers under the same setting.
  await page.locator('[data-testid="lifecycle-map"][data-event="咨询"]').selectOption('engaged');
  const remapped = await headless({ customers: true, events: true }, { lifecycle: { eventStages: { 咨询: 'engaged' } } });
  const want = remapped.lifecycle.funnel!.stages.map((s) => [s.stage, s.reached, s.furthest]);
  await expect.poll(() => funnelRows(page)).toEqual(want);
});

test('settings change the numbers as in the headless command: week cohorts, revenue retention, stage windows', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('cohorts-matrix')).toBeVisible();

  await page.getByTestId('lifecycle-window-activeDays').fill('60');
  await page.getByTestId('lifecycle-window-activeDays').press('Enter');
  await page.getByTestId('cohorts-unit').selectOption('week');
  const expected = await headless({ customers: true }, { cohorts: { unit: 'week' }, lifecycle: { activeDays: 60 } });

  await expect(page.getByTestId('cohorts-count')).toHaveAttribute('data-value', String(expected.cohorts.cohorts.length));
  // The matrix shows the latest 36 cohorts; check their sizes and, in revenue mode, their cells.
  const latest = expected.cohorts.cohorts.slice(-36);
  const matrix = page.getByTestId('cohorts-matrix');
  await expect(matrix.locator('tbody tr')).toHaveCount(36);
  await expect(matrix.locator('tbody tr').first()).toHaveAttribute('data-cohort', latest[0].cohort);
  await page.getByTestId('cohorts-measure-revenue').click();
  const shownRevenue = await matrix.locator(`tr[data-cohort="${latest[0].cohort}"] td[data-period]`).evaluateAll((cells) =>
    cells.map((c) => Number(c.getAttribute('data-value'))),
  );
  const cells = expected.cohorts.cells.filter((c) => c.cohort === latest[0].cohort);
  expect(shownRevenue.length).toBe(cells.length);
  shownRevenue.forEach((v, k) => expect(v).toBeCloseTo(cells[k].revenue_retention ?? 0, 9));

  for (const s of STAGES) {
    await expect(page.getByTestId(`lifecycle-stage-${s}`)).toHaveAttribute('data-value', String(expected.lifecycle.customers.filter((c) => c.stage === s).length));
  }
});
