import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as XLSX from '@e965/xlsx';

const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/ingest/${f}`, import.meta.url));

/** A workbook with two sheets of orders: 2023 (2 orders, 2 customers) and 2024 (5 rows, one of them without an amount). */
function workbook(): Buffer {
  const head = ['订单号', '会员ID', '下单时间', '商品名称', '实付金额'];
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(
    wb,
    XLSX.utils.aoa_to_sheet([head, ['A1', 'M01', '2023-05-01 10:00', '保温杯', 128], ['A2', 'M02', '2023-06-01 11:00', '茶叶', 99]]),
    '2023年',
  );
  XLSX.utils.book_append_sheet(
    wb,
    XLSX.utils.aoa_to_sheet([
      ['2024 年订单明细'],
      head,
      ['B1', 'M01', '2024-01-05 09:00', '保温杯', '￥1,288.00'],
      ['B2', 'M02', '2024-02-05 09:00', '茶叶', 199],
      ['B3', 'M03', '2024-03-05 09:00', '咖啡豆', 35.5],
      ['B4', 'M01', '2024-04-05 09:00', '马克杯', '待定'],
      ['B5', 'M04', '2024-05-05 09:00', '礼品卡', 50],
    ]),
    '2024年',
  );
  return Buffer.from(XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Uint8Array);
}

async function drop(page: Page, name: string, buffer: Buffer, mimeType = 'application/octet-stream') {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType, buffer });
}

test('a GBK export, a workbook with a sheet chosen, and a junk file: messages in Chinese, loaded data kept', async ({ page }) => {
  await page.goto('/');

  // GBK bytes, Chinese headers, ￥ amounts.
  await drop(page, '订单导出.csv', readFileSync(fixture('gbk.csv')), 'text/csv');
  const source = page.getByTestId('source');
  await expect(source).toHaveCount(1);
  await expect(source).toContainText('GB18030');
  await expect(page.getByTestId('report-rows_read')).toHaveText('6');
  await expect(page.getByTestId('report-rows_loaded')).toHaveText('4');
  await expect(page.getByTestId('report-bad_date')).toHaveText('1');
  await expect(page.getByTestId('report-bad_amount')).toHaveText('1');
  await expect(page.getByTestId('cleaning-report')).toContainText('2024/2/30 10:00:00');
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '2');

  // A workbook: the first sheet is read, both are offered, and choosing the second replaces the orders.
  await drop(page, '订单.xlsx', workbook(), 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  await expect(page.locator('[data-testid="source"][data-file="订单.xlsx"]')).toBeVisible();
  await expect(source).toHaveCount(1);
  const sheet = page.getByTestId('sheet');
  await expect(sheet).toHaveValue('2023年');
  expect(await sheet.locator('option').allTextContents()).toEqual(['2023年', '2024年']);
  await expect(page.getByTestId('report-rows_read')).toHaveText('2');
  await sheet.selectOption('2024年');
  await expect(page.getByTestId('sheet')).toHaveValue('2024年');
  await expect(source).toHaveCount(1);
  await expect(page.getByTestId('report-rows_read')).toHaveText('5');
  await expect(source).toContainText('已跳过表头上方 1 行标题');
  await expect(page.getByTestId('report-bad_amount')).toHaveText('1');
  // The title row above the header is skipped: the faulty amount is on sheet row 6.
  await expect(page.getByTestId('cleaning-report')).toContainText('6 (“待定”)');
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '4');

  // Junk: a toast that names the file, in Chinese; nothing loaded is lost.
  const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 256));
  await drop(page, '数据.bin', junk);
  const toast = page.getByTestId('error');
  await expect(toast).toHaveText(/数据\.bin：这不像是数据文件（内容是二进制）/);
  await expect(source).toHaveCount(1);
  await expect(page.getByTestId('report-rows_read')).toHaveText('5');
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '4');

  // A file cut off mid-row: the line is named.
  await drop(page, '截断.csv', Buffer.from('订单号,客户编号,下单时间,实付金额\nA1,c1,2024-01-02,10\nA2,c2,2024-0'), 'text/csv');
  await expect(toast.nth(1)).toHaveText(/截断\.csv，第 3 行：最后一行不完整/);

  // The same messages follow the language switch.
  await page.getByTestId('lang').click();
  await expect(toast.first()).toHaveText(/数据\.bin: this does not look like a data file \(binary content\)/);
  await expect(toast.nth(1)).toHaveText(/截断\.csv, line 3: the last row ends early \(3 of 4 values\)/);
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '4');
});

test('a file whose mapping cannot be applied says why on the source, in the user’s language', async ({ page }) => {
  await page.goto('/');
  await drop(page, 'totals.csv', Buffer.from('customer_id,amount\nc1,10\nc2,20\n'), 'text/csv');
  await expect(page.getByTestId('mapping-missing')).toContainText('下单时间');
  await drop(page, 'notes.csv', Buffer.from('foo,bar\nx,y\n'), 'text/csv');
  await expect(page.getByTestId('error')).toHaveText(/notes\.csv：找不到像客户编号、日期或金额的列（文件的列：“foo”、“bar”）/);
});

test('rows a file’s dialect cannot read are counted in the reports with their line and text, in both languages', async ({ page }) => {
  await page.goto('/');
  await drop(page, 'stray-quote.csv', readFileSync(fixture('dialects/stray-quote.csv')), 'text/csv');
  const report = page.getByTestId('cleaning-report');
  await expect(page.getByTestId('report-rows_read')).toHaveText('6');
  await expect(page.getByTestId('report-rows_loaded')).toHaveText('5');
  await expect(page.getByTestId('report-unreadable_row')).toHaveText('1');
  await expect(report).toContainText('4 (“A1003,C03,2024-03-03,"12" pan",1,59.00”)');
  await expect(page.getByTestId('cleaning-identity')).toContainText('无法读取 1');
  await page.getByTestId('cleaning-report').screenshot({ path: test.info().outputPath('unreadable-zh.png') });

  // A customers file with an extra separator in one row: the load report counts it the same way.
  await drop(page, 'customers.csv', Buffer.from('会员编号,姓名,注册时间\nC01,Wang,2023-05-01\nC02,Zhao, Min,2023-05-02\nC03,Li,2023-05-03\n'), 'text/csv');
  const table = page.getByTestId('table-report');
  await expect(page.getByTestId('table-rows_read')).toHaveText('3');
  await expect(page.getByTestId('table-unreadable_row')).toHaveText('1');
  await expect(table).toContainText('3 (“C02,Zhao, Min,2023-05-02”)');

  await page.getByTestId('lang').click();
  await expect(page.getByTestId('cleaning-identity')).toContainText('unreadable rows 1');
  await expect(report).toContainText('Unreadable rows');
  await expect(table).toContainText('e.g. line 3 (“C02,Zhao, Min,2023-05-02”)');
  await report.screenshot({ path: test.info().outputPath('unreadable-en.png') });
  await table.screenshot({ path: test.info().outputPath('table-en.png') });
});
