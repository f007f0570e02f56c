import { expect, test } from '@playwright/test';

test.use({ serviceWorkers: 'allow' });

test('after one visit the app reloads and analyses the sample data with the network off', async ({ page, context }) => {
  await page.goto('/');
  await expect(page.getByTestId('offline-ready')).toBeVisible({ timeout: 90_000 });
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const urls: string[] = [];
    for (const name of names) for (const r of await (await caches.open(name)).keys()) urls.push(new URL(r.url).pathname);
    return urls;
  });
  expect(cached.some((u) => /duckdb-eh.*\.wasm$/.test(u))).toBe(true);
  expect(cached.some((u) => /engine\.worker.*\.js$/.test(u))).toBe(true);
  expect(cached.some((u) => /orders.*\.csv$/.test(u))).toBe(true);

  await context.setOffline(true);
  const failed: string[] = [];
  page.on('requestfailed', (r) => failed.push(r.url()));
  await page.reload();
  await expect(page.getByTestId('engine-status')).toContainText(/毫秒|ms/, { timeout: 90_000 });
  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('cleaning-report').first().getByTestId('report-rows_read')).toHaveText('38,764');
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', /^\d+$/);
  expect(Number(await page.getByTestId('kpi-customers').getAttribute('data-value'))).toBeGreaterThan(4000);
  expect(failed).toEqual([]);
  await context.setOffline(false);
});
