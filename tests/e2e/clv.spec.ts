import { expect, test, type Page } from '@playwright/test';
import { read, utils } from '@e965/xlsx';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../src/cli/analyze.ts';
import type { ClvCustomer, ClvResult } from '../../src/models/clv/model.ts';

const shared = (f: string) => fileURLToPath(new URL(`../../../shared/data/${f}`, import.meta.url));
const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));

type Headless = ClvResult & { customers: ClvCustomer[] };

async function value(page: Page, testid: string): Promise<number> {
  return Number(await page.getByTestId(testid).getAttribute('data-value'));
}

/**
 * The displayed parameters equal the headless command's far below display precision. Not to the last bit: Node's
 * and Chromium's V8 may round a transcendental function differently in the last place, and an optimizer stopped
 * at its tolerance carries that into the 12th digit.
 */
async function expectSameFit(page: Page, headless: Headless): Promise<void> {
  const cell = page.getByTestId('clv-cell');
  await expect(cell.getByTestId('clv-param-r')).toHaveAttribute('data-value', /\d/);
  for (const k of ['r', 'alpha', 'a', 'b'] as const) expect(Math.abs((await value(page, `clv-param-${k}`)) / headless.bgnbd[k] - 1)).toBeLessThan(1e-9);
  expect(Math.abs((await value(page, 'clv-param-ll')) / headless.bgnbd.log_likelihood - 1)).toBeLessThan(1e-12);
  for (const k of ['p', 'q', 'v'] as const) expect(Math.abs((await value(page, `clv-gg-${k}`)) / headless.gamma_gamma![k] - 1)).toBeLessThan(1e-9);
  const total = headless.customers.reduce((s, c) => s + (c.clv ?? 0), 0);
  expect(Math.abs((await value(page, 'clv-total')) / total - 1)).toBeLessThan(1e-9);
  expect(await value(page, 'clv-at-risk')).toBe(headless.customers.filter((c) => c.p_alive !== null && c.p_alive < 0.5).length);
}

test('the CLV cell on the sample data shows the headless fit, and the churn list exports as CSV and Excel', async ({ page }) => {
  test.setTimeout(300_000);
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  const headless = (await analyze({ orders: sample('orders.csv'), models: ['clv'] })).clv as Headless;
  await expectSameFit(page, headless);
  await expect(page.getByTestId('clv-status')).toHaveAttribute('data-converged', 'true');
  await expect(page.getByTestId('clv-cell').getByRole('heading', { name: '预测客户价值（CLV）' })).toBeVisible();
  // The sample's customers file gives region and channel.
  await expect(page.getByTestId('clv-by-region')).toBeVisible();
  await expect(page.getByTestId('clv-by-channel')).toBeVisible();

  // Churn: P(alive) < 50% at the last day is the same set as the headless command's.
  const churn = page.getByTestId('churn-cell');
  await expect(churn.getByTestId('churn-row').first()).toBeVisible();
  const low = headless.customers.filter((c) => c.p_alive! < 0.5).length;
  expect(await value(page, 'churn-low')).toBe(low);
  const flagged = await value(page, 'churn-flagged');
  expect(flagged).toBeGreaterThanOrEqual(low);
  const [csv] = await Promise.all([page.waitForEvent('download'), churn.getByTestId('churn-export-csv').click()]);
  expect(csv.suggestedFilename()).toBe('流失预警名单.csv');
  const bytes = readFileSync((await csv.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.toString('utf8').slice(1).trim().split('\n');
  // Headers in the page's language, the sample's currency (¥) on every amount.
  expect(lines[0]).toBe('排名,客户ID,姓名,电话,预警原因,活跃概率,最近购买日期,最近购买天数,平常购买间隔（天）,消费金额 (¥),预测价值 (¥),风险价值 (¥),风险价值依据');
  expect(lines.length - 1).toBe(flagged);
  // Ranked by value at risk, highest first.
  const risk = lines.slice(1).map((l) => Number(l.split(',').at(-2)));
  expect(risk.every((v, i) => i === 0 || v <= risk[i - 1])).toBe(true);
  expect(lines.slice(1).filter((l) => l.includes(',活跃概率低')).length).toBe(low);

  const [xlsx] = await Promise.all([page.waitForEvent('download'), churn.getByTestId('churn-export-xlsx').click()]);
  expect(xlsx.suggestedFilename()).toBe('流失预警名单.xlsx');
  const book = read(readFileSync((await xlsx.path())!), { type: 'buffer' });
  const sheet = utils.sheet_to_json<unknown[]>(book.Sheets[book.SheetNames[0]], { header: 1 });
  expect(book.SheetNames[0]).toBe('流失预警');
  expect(sheet[0]).toContain('风险价值 (¥)');
  expect(sheet.length - 1).toBe(flagged);
});

test('in English, and with a holdout on CDNOW_master, the cells follow the headless command', async ({ page }) => {
  test.setTimeout(400_000);
  await page.goto('/');
  await page.getByTestId('lang').click();
  await page.getByTestId('file-input').setInputFiles(shared('CDNOW_master.txt'));
  await expect(page.getByTestId('clv-cell').getByRole('heading', { name: 'Predicted customer value (CLV)' })).toBeVisible();
  await expect(page.getByTestId('churn-cell').getByRole('heading', { name: 'Churn warning' })).toBeVisible();
  const full = (await analyze({ orders: shared('CDNOW_master.txt'), models: ['clv'] })).clv as Headless;
  await expectSameFit(page, full);

  await page.getByTestId('clv-calibration-end').fill('1997-09-30');
  await expect(page.getByTestId('clv-holdout-tracking')).toBeVisible();
  await expect(page.getByTestId('clv-holdout-buckets')).toBeVisible();
  const calibrated = (await analyze({ orders: shared('CDNOW_master.txt'), models: ['clv'], calibrationEnd: '1997-09-30' })).clv as Headless;
  await expectSameFit(page, calibrated);
  await expect(page.getByTestId('clv-compare')).toContainText(`${calibrated.models[0].holdout!.actual.toLocaleString('en-US')}`);
  // The comparison is filled in after the chosen model's result: in the end every model of the headless output, none pending.
  const compare = page.getByTestId('clv-compare');
  await expect(compare).toHaveAttribute('data-pending', '');
  await expect(compare.locator('tbody tr')).toHaveCount(calibrated.models.length);
  for (const m of calibrated.models) {
    const ll = Number(await compare.locator(`tr[data-model="${m.model}"] td[data-value]`).getAttribute('data-value'));
    expect(Math.abs(ll / m.log_likelihood - 1)).toBeLessThan(1e-12);
  }
  await expect(page.getByTestId('clv-compare-pending')).toHaveCount(0);

  // The churn list stays at the last day whatever the CLV cell's calibration end.
  expect(await value(page, 'churn-low')).toBe(full.customers.filter((c) => c.p_alive! < 0.5).length);
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('churn-export-csv').click()]);
  expect(csv.suggestedFilename()).toBe('churn-warning.csv');
  const lines = readFileSync((await csv.path())!).toString('utf8').slice(1).trim().split('\n');
  expect(lines.length - 1).toBe(await value(page, 'churn-flagged'));
});
