import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../src/cli/analyze.ts';
import { one } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';

// Every cell of the notebook computes in the one worker before a later request is answered: on a busy machine that takes minutes.
test.describe.configure({ timeout: 300_000 });

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));

interface Headless {
  abc: { top20_share: number; gini: number; share_for_80: number; customers: { customer_id: string; class: string }[] };
  clusters: { k: number; profiles: { cluster: number; size: number; name_zh: string; name_en: string }[]; customers: { customer_id: string; cluster: number }[] };
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) out[key(it)] = (out[key(it)] ?? 0) + 1;
  return out;
}

async function value(page: Page, testid: string): Promise<number> {
  return Number(await page.getByTestId(testid).getAttribute('data-value'));
}

async function classCounts(page: Page): Promise<Record<string, number>> {
  const rows = page.getByTestId('abc-classes').locator('tbody tr');
  const out: Record<string, number> = {};
  for (const row of await rows.all()) out[(await row.getAttribute('data-class'))!] = Number(await row.getByTestId('abc-class-customers').getAttribute('data-value'));
  return out;
}

async function clusterSizes(page: Page): Promise<number[]> {
  const cells = page.getByTestId('clusters-profiles').getByTestId('cluster-size');
  return Promise.all((await cells.all()).map(async (c) => Number(await c.getAttribute('data-value'))));
}

test('the ABC and cluster cells show the headless command\'s numbers on the sample data, and follow their settings', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('abc-classes')).toBeVisible();
  const headless = (await analyze({ orders: sample('orders.csv'), models: ['abc', 'clusters'] })) as unknown as Headless;

  await expect(page.getByTestId('abc-top20')).toHaveAttribute('data-value', String(headless.abc.top20_share));
  expect(await value(page, 'abc-gini')).toBeCloseTo(headless.abc.gini, 12);
  expect(await value(page, 'abc-share80')).toBeCloseTo(headless.abc.share_for_80, 12);
  expect(await classCounts(page)).toEqual(countBy(headless.abc.customers, (c) => c.class));

  await expect(page.getByTestId('clusters-profiles').locator('tbody tr')).toHaveCount(6);
  expect(await clusterSizes(page)).toEqual(headless.clusters.profiles.map((p) => p.size));
  await expect(page.getByTestId('clusters-profiles').locator('tbody tr').first()).toContainText(headless.clusters.profiles[0].name_zh);

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('abc-classes').locator('tr[data-class="B"]').click().then(() => page.getByTestId('abc-export').click())]);
  const bytes = readFileSync((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.toString('utf8').slice(1).trim().split('\n');
  expect(lines[0]).toBe('客户ID,ABC 级别,排名,消费金额 (¥),累计销售额占比');
  expect(lines.length - 1).toBe(countBy(headless.abc.customers, (c) => c.class).B);

  const settings = { abc: { cutA: 0.7 }, clusters: { k: 4 } };
  const changed = (await analyze({ orders: sample('orders.csv'), models: ['abc', 'clusters'], settings })) as unknown as Headless;
  await page.getByTestId('abc-cut-a').fill('70');
  await page.getByTestId('abc-cut-a').press('Enter');
  await page.getByTestId('abc-cut-a').blur();
  await expect(page.getByTestId('abc-cell')).toContainText('70%');
  await expect.poll(() => classCounts(page)).toEqual(countBy(changed.abc.customers, (c) => c.class));
  await page.getByTestId('clusters-k').selectOption('4');
  await expect(page.getByTestId('clusters-profiles').locator('tbody tr')).toHaveCount(4);
  expect(await clusterSizes(page)).toEqual(changed.clusters.profiles.map((p) => p.size));
});

test('every cell\'s data table is laid out as a table, with its numbers right-aligned', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  for (const id of ['churn-row', 'clusters-profiles', 'basket-rules', 'clv-param-r']) await expect(page.getByTestId(id).first()).toBeAttached({ timeout: 120_000 });
  await expect(page.locator('[data-testid$="-cell"][aria-busy="true"]')).toHaveCount(0, { timeout: 120_000 });
  const tables = await page.locator('table.records').evaluateAll((all) =>
    all.map((t) => ({
      cell: t.closest('[data-testid$="-cell"]')?.getAttribute('data-testid'),
      display: getComputedStyle(t).display,
      numbers: [...t.querySelectorAll('td.num')].map((td) => getComputedStyle(td).textAlign),
    })),
  );
  // The shared style reaches the tables of every cell that has one.
  expect(new Set(tables.map((t) => t.cell))).toEqual(new Set(['rfm-cell', 'abc-cell', 'lifecycle-cell', 'clv-cell', 'churn-cell', 'basket-cell', 'clusters-cell']));
  for (const t of tables) {
    expect(t.display, t.cell!).toBe('table');
    expect(t.numbers.every((a) => a === 'right'), t.cell!).toBe(true);
  }
  expect(tables.some((t) => t.numbers.length > 0)).toBe(true);
});

test('a customer clicked in the RFM list opens the 360 panel with their purchases, class and cluster', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('clusters-profiles')).toBeVisible();
  const link = page.getByTestId('rfm-customer').nth(2);
  const id = (await link.textContent())!.trim();
  await link.click();
  const panel = page.getByTestId('customer-360');
  await expect(panel.getByTestId('customer-id')).toContainText(id);

  const db = await openNodeDb();
  const headless = (await analyze({ orders: sample('orders.csv'), models: ['abc', 'clusters'] }, db)) as unknown as Headless;
  const sql = await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM customer_purchases WHERE customer_id = '${id}'`);
  expect(sql.n).toBeGreaterThan(1);
  await expect(panel.getByTestId('customer-purchases')).toHaveAttribute('data-value', String(sql.n));
  await expect(panel.getByTestId('customer-orders').locator('tbody tr[data-kind="purchase"]')).toHaveCount(sql.n);
  const cls = headless.abc.customers.find((c) => c.customer_id === id)!.class;
  await expect(panel.getByTestId('customer-abc')).toContainText(`${cls} 级`);
  const cluster = headless.clusters.customers.find((c) => c.customer_id === id)!.cluster;
  await expect(panel.getByTestId('customer-cluster')).toContainText(`第 ${cluster} 组 · ${headless.clusters.profiles[cluster - 1].name_zh}`);
  await expect(panel.getByTestId('customer-rfm')).toBeVisible();

  await page.getByTestId('customer-close').click();
  await expect(panel).toHaveCount(0);
});

test('the top-bar search finds a customer by name and opens the panel, in English too', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('clusters-profiles')).toBeVisible();
  // Names come from the sample's customers file, applied after the orders.
  await expect(page.getByTestId('table-report')).toBeVisible();
  await page.getByTestId('lang').click();
  const name = readFileSync(sample('customers.csv'), 'utf8').split('\n').find((l) => l.startsWith('C00148,'))!.split(',')[1];
  await page.getByTestId('customer-search').fill(name);
  await page.getByTestId('customer-search-results').getByRole('option').first().click();
  const panel = page.getByTestId('customer-360');
  await expect(panel.getByTestId('customer-id')).toContainText('C00148');
  await expect(panel).toContainText('Purchase timeline');
  await expect(panel.getByTestId('customer-purchases')).toHaveAttribute('data-value', '13');
  await page.keyboard.press('Escape');
  await expect(panel).toHaveCount(0);
});
