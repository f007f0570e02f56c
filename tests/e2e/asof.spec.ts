// The as-of field applies a date only once it is whole and plausible, and a date with no purchase before it gets one
// clear message in every cell (and the customer panel), in both languages, with no cell left busy.
import { expect, test, type Page } from '@playwright/test';
import { fileURLToPath } from 'node:url';

const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/asof/${f}`, import.meta.url));
const CELLS = ['overview', 'rfm', 'abc', 'cohorts', 'lifecycle', 'clv', 'churn', 'basket', 'clusters'];

/** Record every engine call the page makes (comlink's messages to the worker: the method and its arguments). */
async function recordEngineCalls(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const calls: { method: string; args: string }[] = [];
    Object.assign(window, { __engineCalls: calls });
    const post = Worker.prototype.postMessage;
    Worker.prototype.postMessage = function (this: Worker, message: unknown, ...rest: unknown[]) {
      const m = message as { type?: string; path?: string[]; argumentList?: { value?: unknown }[] };
      if (m && m.type === 'APPLY' && Array.isArray(m.path)) calls.push({ method: m.path.join('.'), args: JSON.stringify((m.argumentList ?? []).map((a) => a.value ?? null)) });
      return (post as (...a: unknown[]) => void).call(this, message, ...rest);
    } as typeof Worker.prototype.postMessage;
  });
}

/** The overview cell's requests (engine.run('overview', settings)): the arguments after the model's name. */
const overviewCalls = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { __engineCalls: { method: string; args: string }[] }).__engineCalls
      .filter((c) => c.method === 'run')
      .map((c) => JSON.parse(c.args) as unknown[])
      .filter((args) => args[0] === 'overview')
      .map((args) => JSON.stringify(args.slice(1))),
  );

async function load(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(fixture('from-2023.csv'));
  for (const cell of CELLS) await expect(page.locator(`[data-testid="${cell}-cell"][aria-busy="false"]`)).toHaveCount(1, { timeout: 120_000 });
  await expect(page.getByTestId('asof')).toHaveValue('2024-02-01');
}

test('typing a year digit by digit recomputes once, with the finished date; a half-typed date is put back', async ({ page }) => {
  await recordEngineCalls(page);
  await load(page);
  const before = (await overviewCalls(page)).length;
  // Chromium lays the field out in its own locale's order (mm/dd/yyyy here): two steps right reach the year. Typed
  // 2023, the field holds 0002-, 0020-, 0202- and 2023-02-01 in turn; only the last is a plausible date, and it
  // applies once typing pauses.
  const field = page.getByTestId('asof');
  const toYear = async () => {
    await field.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
  };
  await toYear();
  await page.keyboard.type('2023', { delay: 150 });
  await expect(field).toHaveValue('2023-02-01');
  await expect(page.getByTestId('overview-cell')).toContainText('2023年2月1日');
  await expect(page.locator('[data-testid="overview-cell"][aria-busy="false"]')).toHaveCount(1);
  await page.waitForTimeout(1000);
  expect((await overviewCalls(page)).slice(before)).toEqual([JSON.stringify([{ asOf: '2023-02-01' }])]);

  // A year left half-typed is not applied: leaving the field puts back the date in use and says what it takes.
  await toYear();
  await page.keyboard.type('20', { delay: 150 });
  await page.waitForTimeout(1000);
  await page.getByTestId('overview-cell').click();
  await expect(field).toHaveValue('2023-02-01');
  await expect(page.getByTestId('asof-invalid')).toContainText('1900年1月1日');
  await page.screenshot({ path: test.info().outputPath('asof-invalid-zh.png'), clip: { x: 0, y: 0, width: 1360, height: 160 } });
  expect((await overviewCalls(page)).slice(before)).toEqual([JSON.stringify([{ asOf: '2023-02-01' }])]);
});

test('a date before the first purchase gives one message in every cell and the customer panel, in both languages', async ({ page }) => {
  await load(page);
  const field = page.getByTestId('asof');
  await field.fill('2022-06-01');
  await field.press('Enter');
  const zh = '分析基准日 2022年6月1日 之前没有任何购买：第一笔购买在 2023年1月3日。请选择更晚的基准日，或恢复默认日期。';
  for (const cell of CELLS) {
    const section = page.getByTestId(`${cell}-cell`);
    await expect(section.locator('p.error')).toHaveText(zh);
    await expect(section).toHaveAttribute('aria-busy', 'false');
  }
  await page.getByTestId('customer-search').fill('K01');
  await page.getByTestId('customer-search-results').getByRole('option').first().click();
  const panel = page.getByTestId('customer-360');
  await expect(panel.locator('p.error')).toHaveText(zh);
  await expect(panel).toHaveAttribute('aria-busy', 'false');
  await page.screenshot({ path: test.info().outputPath('before-first-purchase-360-zh.png') });
  await page.getByTestId('customer-close').click();
  await page.screenshot({ path: test.info().outputPath('before-first-purchase-zh.png'), fullPage: true });

  await page.getByTestId('lang').click();
  const en = 'There are no purchases before the as-of date Jun 1, 2022: the first purchase is on Jan 3, 2023. Choose a later as-of date, or go back to the default date.';
  for (const cell of CELLS) await expect(page.getByTestId(`${cell}-cell`).locator('p.error')).toHaveText(en);
  await page.screenshot({ path: test.info().outputPath('before-first-purchase-en.png'), fullPage: true });

  // The default date brings every cell back.
  await page.getByTestId('asof-reset').click();
  await expect(field).toHaveValue('2024-02-01');
  for (const cell of CELLS) {
    await expect(page.locator(`[data-testid="${cell}-cell"][aria-busy="false"]`)).toHaveCount(1, { timeout: 120_000 });
    await expect(page.getByTestId(`${cell}-cell`).locator('p.error')).toHaveCount(0);
  }
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '8');
});
