import { expect, test } from '@playwright/test';

// Two rows dated out of range (2099 and 1960) and an order id used by two customers: the cleaning report counts both,
// in Chinese and English, and the earliest plausible date is a setting in the report that applies again.
const ORDERS = [
  'order_id,customer_id,order_date,product,amount',
  'O1,C1,2024-01-05 10:00,Tea,20', // 2
  'O1,C3,2024-01-05 10:00,Cup,30', // 3 the same order id, another customer
  'O2,C2,2024-02-10,Tea,12', // 4
  'O3,C1,2024-03-01,Pot,40', // 5
  'O4,C2,2099-01-01,Tea,999', // 6 after today
  'O5,C4,1960-05-01,Cup,5', // 7 before 1970-01-01
  'O6,C4,2024-03-15,Cup,15', // 8
].join('\n') + '\n';

test('dates out of range and a shared order id in the cleaning report; the floor setting applies again', async ({ page }) => {
  test.setTimeout(300_000); // several files applied, each again when the floor changes
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles({ name: 'orders.csv', mimeType: 'text/csv', buffer: Buffer.from(ORDERS) });
  const report = page.getByTestId('cleaning-report');
  await expect(page.getByTestId('report-rows_read')).toHaveText('7');
  await expect(page.getByTestId('report-rows_loaded')).toHaveText('5');
  await expect(page.getByTestId('report-out_of_range_date')).toHaveText('2');
  await expect(page.getByTestId('report-shared_order_ids')).toHaveText('1');
  await expect(report).toContainText('超出合理范围的日期（早于 1970年1月1日 或晚于今天');
  await expect(report).toContainText('6 (“2099-01-01”), 7 (“1960-05-01”)');
  await expect(report).toContainText('例：“O1”：C1、C3（第 2 行）');
  await expect(page.getByTestId('cleaning-identity')).toContainText('读取 7 行 = 载入 5 + 重复 0 + 日期错误 0 + 日期超出范围 2 + 金额错误 0');
  // The as-of date is the day after the last real purchase, not 2099-01-02.
  await expect(page.getByTestId('asof')).toHaveValue('2024-03-16');
  await expect(page.getByTestId('date-floor')).toHaveValue('1970-01-01');
  await report.screenshot({ path: 'test-results/cleaning-range-zh.png' });

  await page.getByTestId('lang').click();
  await expect(report).toContainText('Dates out of range (before Jan 1, 1970 or after today');
  await expect(report).toContainText('e.g. "O1": C1, C3 (line 2)');
  await expect(page.getByTestId('cleaning-identity')).toContainText('+ dates out of range 2 +');
  await report.screenshot({ path: 'test-results/cleaning-range-en.png' });

  // A year being typed (0202) is not applied; a complete later floor is, and leaves out O1's January lines too.
  await page.getByTestId('date-floor').fill('0202-02-01');
  await expect(page.getByTestId('date-floor-invalid')).toBeVisible();
  await expect(page.getByTestId('report-out_of_range_date')).toHaveText('2');
  await page.getByTestId('date-floor').fill('2024-02-01');
  await expect(page.getByTestId('report-out_of_range_date')).toHaveText('4');
  await expect(page.getByTestId('report-rows_loaded')).toHaveText('3');
  await expect(page.getByTestId('report-shared_order_ids')).toHaveCount(0);
  await expect(page.getByTestId('date-floor')).toHaveValue('2024-02-01');
  await expect(page.getByTestId('date-floor-invalid')).toHaveCount(0);
  await report.screenshot({ path: 'test-results/cleaning-range-floor-en.png' });
  await page.getByTestId('date-floor-reset').click();
  await expect(page.getByTestId('report-out_of_range_date')).toHaveText('2');
  await expect(page.getByTestId('date-floor')).toHaveValue('1970-01-01');

  // An events file: a time in 2099 is left out and counted in its own report.
  const events = 'customer_id,event_ts,event\nC1,2024-01-02 09:00,visit\nC2,2099-01-01 09:00,visit\nC4,2024-03-01 10:00,inquiry\n';
  await page.getByTestId('file-input').setInputFiles({ name: 'events.csv', mimeType: 'text/csv', buffer: Buffer.from(events) });
  const table = page.getByTestId('table-report');
  await expect(page.getByTestId('table-out_of_range_date')).toHaveText('1');
  await expect(page.getByTestId('table-rows_loaded')).toHaveText('2');
  await expect(table).toContainText('Times out of range (before Jan 1, 1970 or after today');
  await expect(page.getByTestId('table-identity')).toContainText('3 rows read = 2 loaded + 1 left out');
  await table.screenshot({ path: 'test-results/cleaning-range-events-en.png' });
  await page.getByTestId('lang').click();
  await expect(table).toContainText('超出合理范围的时间（早于 1970年1月1日 或晚于今天');
  await table.screenshot({ path: 'test-results/cleaning-range-events-zh.png' });
});
