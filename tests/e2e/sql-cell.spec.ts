// SQL cells in the page: a notebook file (template) opened on the sample data brings a SQL cell that runs and shows its
// table and chart, a write is refused with its message in both languages and changes nothing, an edited statement
// runs with Ctrl+Enter, "Save as template" writes the cells back, and a file with a filter is refused naming the cell.
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';

const SHOTS = process.env.E2E_SHOTS;

const template = (cells: unknown[], extra: object = {}) => ({
  name: 'review.json',
  mimeType: 'application/json',
  buffer: Buffer.from(JSON.stringify({ version: 1, cells, ...extra })),
});

async function loadSample(page: Page) {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  await expect(page.locator('[data-testid="overview-cell"][aria-busy="false"]')).toHaveCount(1, { timeout: 120_000 });
}

test('a SQL cell from a template runs, draws its table and chart, and refuses a write', async ({ page }) => {
  await loadSample(page);
  await page.getByTestId('template-input').setInputFiles(
    template([
      { kind: 'overview' },
      { kind: 'sql', title: '各渠道订单行', sql: 'SELECT channel, count(*) AS lines, sum(amount) AS amount FROM orders GROUP BY channel ORDER BY lines DESC', chart: { mark: 'bar', x: 'channel', y: 'lines' } },
      { kind: 'sql', sql: "DELETE FROM orders WHERE channel = '门店'" },
    ]),
  );
  const cells = page.getByTestId('sql-cell');
  await expect(cells).toHaveCount(2);
  const first = cells.nth(0);
  const table = first.getByTestId('sql-table');
  await expect(table.locator('tbody tr')).toHaveCount(4);
  await expect(table.locator('tbody tr').first().locator('td')).toHaveText(['小程序', '17,169', /^\d{1,3}(,\d{3})*(\.\d+)?$/]);
  await expect(first.locator('h2')).toHaveText('各渠道订单行');
  await expect(first.getByTestId('sql-count')).toHaveText('4 行');
  await expect(first.getByTestId('sql-chart').locator('svg rect')).toHaveCount(4, { timeout: 30_000 });
  await expect(first.getByTestId('sql-chart-mark')).toHaveValue('bar');

  const refused = cells.nth(1).getByTestId('sql-error');
  await expect(refused).toHaveText('DELETE 会修改数据：SQL 单元只能读取（SELECT、WITH、FROM、VALUES、TABLE、DESCRIBE、SUMMARIZE、SHOW、EXPLAIN）。未运行任何语句。');
  if (SHOTS) {
    await first.screenshot({ path: `${SHOTS}/sql-zh.png` });
    await cells.nth(1).screenshot({ path: `${SHOTS}/sql-refused-zh.png` });
    await page.locator('header.top').screenshot({ path: `${SHOTS}/toolbar-zh.png` });
  }

  // A write typed into the cell is refused too, and the store lines are all still there.
  const editor = cells.nth(1).getByTestId('sql-editor');
  await editor.fill('UPDATE orders SET amount = 0');
  await editor.press('Control+Enter');
  await expect(refused).toHaveText(/^UPDATE 会修改数据/);
  await editor.fill("SELECT count(*) AS lines, sum(amount) AS amount FROM orders WHERE channel = '门店'");
  await cells.nth(1).getByTestId('sql-run').click();
  await expect(cells.nth(1).getByTestId('sql-table').locator('tbody td').first()).toHaveText('3,942');
  // DuckDB's own error, with the line and position in the statement.
  await editor.fill('SELECT *\nFORM orders');
  await editor.press('Control+Enter');
  await expect(refused).toHaveText('Parser Error: syntax error at or near "orders"\n\nLINE 2: FORM orders\n             ^');
  await editor.fill('DROP TABLE orders');
  await editor.press('Control+Enter');

  // The other language: the refusal and the cell's labels follow.
  await page.getByTestId('lang').click();
  await expect(refused).toHaveText('DROP changes data: a SQL cell only reads (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SUMMARIZE, SHOW, EXPLAIN). Nothing was run.');
  await expect(first.getByTestId('sql-count')).toHaveText('4 rows');
  await first.getByTestId('sql-tables').locator('summary').click();
  await expect(first.getByTestId('sql-tables').locator('li').first()).toContainText('orders');
  if (SHOTS) {
    await first.getByTestId('sql-chart-mark').selectOption('dot');
    await first.screenshot({ path: `${SHOTS}/sql-en.png` });
    await cells.nth(1).screenshot({ path: `${SHOTS}/sql-refused-en.png` });
    await page.locator('header.top').screenshot({ path: `${SHOTS}/toolbar-en.png` });
    await first.getByTestId('sql-chart-mark').selectOption('bar');
  }

  // Saved as a template, the cells come back with the statements as they are now.
  const download = page.waitForEvent('download');
  await page.getByTestId('template-save').click();
  const file = await download;
  expect(file.suggestedFilename()).toBe('notebook-template.json');
  const saved = JSON.parse(readFileSync(await file.path(), 'utf8'));
  expect(saved.version).toBe(1);
  expect(saved.cells.map((c: { kind: string }) => c.kind)).toEqual(['overview', 'sql', 'sql']);
  expect(saved.cells[1]).toEqual({
    kind: 'sql',
    title: '各渠道订单行',
    sql: 'SELECT channel, count(*) AS lines, sum(amount) AS amount FROM orders GROUP BY channel ORDER BY lines DESC',
    chart: { mark: 'bar', x: 'channel', y: 'lines' },
  });
  expect(saved.cells[2]).toEqual({ kind: 'sql', sql: 'DROP TABLE orders' });
});

test('a template with a filter opens with the cell filtered; a filter that cannot be read is refused, naming the cell', async ({ page }) => {
  await loadSample(page);
  await page.getByTestId('template-input').setInputFiles(template([{ kind: 'overview' }, { kind: 'rfm', filter: { colour: ['red'] } }]));
  await expect(page.getByTestId('error')).toContainText('第 2 个单元（rfm）的筛选有误');
  await expect(page.getByTestId('clv-cell')).toHaveCount(1);
  await page.getByTestId('template-input').setInputFiles(template([{ kind: 'overview' }, { kind: 'rfm', filter: { order_channel: ['抖音'] } }]));
  await expect(page.getByTestId('rfm-cell').getByTestId('cell-filter')).toContainText('下单渠道：抖音');
  await expect(page.getByTestId('clv-cell')).toHaveCount(0);
});
