import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { read, utils } from '@e965/xlsx';
import { analyze } from '../../src/cli/analyze.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import { crossSell } from '../../src/models/basket/crosssell.ts';
import type { BasketResult } from '../../src/models/basket/model.ts';

const shared = (f: string) => fileURLToPath(new URL(`../../../shared/data/${f}`, import.meta.url));
const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));

/** Sets a threshold input the way a user does: type the value, leave the field. */
async function setInput(page: Page, testid: string, value: string): Promise<void> {
  const input = page.getByTestId(testid);
  await input.fill(value);
  await input.press('Tab');
}

/** A CSV file as rows of fields (RFC 4180 quoting). */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n') {
      row.push(field.replace(/\r$/, ''));
      out.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field || row.length) out.push([...row, field]);
  return out;
}

test('groceries.csv alone: the basket cell gives arules’ 463 rules at support 0.006, confidence 0.25, max size 10, as the headless command', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(shared('groceries.csv'));
  const cell = page.getByTestId('basket-cell');
  await expect(cell).toBeVisible();
  // A basket-per-line file has no customers or dates: the other cells stay hidden.
  await expect(page.getByTestId('overview-cell')).toHaveCount(0);
  await expect(page.getByTestId('rfm-cell')).toHaveCount(0);
  await expect(page.getByTestId('basket-rule-count')).toHaveAttribute('data-value', /\d+/);

  await setInput(page, 'basket-min-support', '0.6');
  await setInput(page, 'basket-min-confidence', '25');
  await page.getByTestId('basket-max-size').selectOption('10');
  await expect(page.getByTestId('basket-rule-count')).toHaveAttribute('data-value', '463');
  await expect(page.getByTestId('basket-min-count')).toContainText('60');
  await expect(page.getByTestId('basket-stats')).toContainText('9,835');

  const headless = (await analyze({
    orders: shared('groceries.csv'),
    models: ['basket'],
    settings: { basket: { minSupport: 0.006, minConfidence: 0.25, maxSize: 10 } },
  })) as { basket: BasketResult };
  expect(headless.basket.rules).toHaveLength(463);
  const top = page.getByTestId('basket-rule').first();
  expect(JSON.parse((await top.getAttribute('data-antecedent'))!)).toEqual(headless.basket.rules[0].antecedent);
  expect(JSON.parse((await top.getAttribute('data-consequent'))!)).toEqual(headless.basket.rules[0].consequent);
  expect(headless.basket.rules[0]).toMatchObject({ antecedent: ['herbs'], consequent: ['root vegetables'], count: 69 });
  expect(Number(await top.locator('td[data-value]').getAttribute('data-value'))).toBe(headless.basket.rules[0].support);

  // Labels are shown exactly: "cream cheese " keeps its trailing space.
  await page.getByTestId('basket-search').fill('cream cheese');
  const withCream = page.getByTestId('basket-rule').first();
  await expect(withCream).toBeVisible();
  const labels = [...JSON.parse((await withCream.getAttribute('data-antecedent'))!), ...JSON.parse((await withCream.getAttribute('data-consequent'))!)];
  expect(labels).toContain('cream cheese ');
  expect(await withCream.locator('.item', { hasText: 'cream cheese' }).first().textContent()).toBe('cream cheese ');

  await withCream.click();
  await expect(page.getByTestId('basket-no-customers')).toBeVisible();
});

test('sample data: the cross-sell list of a rule exports as CSV and Excel with the rows the model computes', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  // The defaults of MODELS.md §7 find one rule in the sample; the cell offers half the support.
  await expect(page.getByTestId('basket-rule-count')).toHaveAttribute('data-value', '1');
  await expect(page.getByTestId('basket-few')).toContainText('在最小支持度 1.0% 下只有 1 条规则');
  await page.getByTestId('lang').click();
  await expect(page.getByTestId('basket-few')).toContainText('Only one rule at a min support of 1.0%');
  await page.getByTestId('lang').click();
  await page.getByTestId('basket-few').getByRole('button').click();
  await expect(page.getByTestId('basket-min-support')).toHaveValue('0.5');
  // Support is typed as a percent (0.5 above is 0.5%): 200 is refused with the bounds in percent, the rules kept.
  await setInput(page, 'basket-min-support', '200');
  await expect(page.getByTestId('basket-invalid')).toContainText('0.01% 到 100% 之间');
  const first = page.getByTestId('basket-rule').first();
  await expect(first).toBeVisible();
  await expect(page.getByTestId('basket-rule-count')).toHaveAttribute('data-value', '12');
  const antecedent = JSON.parse((await first.getAttribute('data-antecedent'))!) as string[];
  const consequent = JSON.parse((await first.getAttribute('data-consequent'))!) as string[];
  await first.click();
  const summary = page.getByTestId('basket-cross-summary');
  await expect(summary).toBeVisible();

  const db = await openNodeDb();
  for (const file of ['orders.csv', 'customers.csv']) {
    const loaded = await loadFile(db, file, readFileSync(sample(file)), `raw_${file.split('.')[0]}`);
    await applyMapping(db, loaded, loaded.mapping);
  }
  const expected = await crossSell(db, { antecedent, consequent });
  expect(expected.total).toBeGreaterThan(10);
  await expect(summary).toHaveAttribute('data-total', String(expected.total));

  // The export writes its CSV without DuckDB-WASM warning about a file it had to buffer (the worker's console counts).
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.text().includes('Buffering missing file')) warnings.push(m.text());
  });
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('basket-export-csv').click()]);
  const bytes = readFileSync((await csv.path())!);
  expect(warnings).toEqual([]);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const [header, ...body] = parseCsv(bytes.subarray(3).toString('utf8'));
  // Headers in the page's language, the sample's currency in the amount's header, the product to recommend on every row.
  expect(header).toEqual(['客户ID', '姓名', '推荐商品', '已购商品', '消费金额 (¥)', '购买次数', '最近购买日期', '电话', '邮箱', '地区']);
  expect(body).toHaveLength(expected.total);
  expect(body.map((r) => [r[0], Number(r[4]), Number(r[5]), r[6], r[1], r[2]])).toEqual(
    expected.customers.map((c) => [c.customer_id, Math.round(c.revenue * 100) / 100, c.purchases, c.last_purchase, c.name, consequent.join(' + ')]),
  );

  const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByTestId('basket-export-xlsx').click()]);
  expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
  const sheet = read(readFileSync((await xlsx.path())!), { type: 'buffer' });
  const table = utils.sheet_to_json<Record<string, unknown>>(sheet.Sheets[sheet.SheetNames[0]]);
  expect(table.map((r) => r['客户ID'])).toEqual(expected.customers.map((c) => c.customer_id));
  expect(table.map((r) => r['消费金额 (¥)'])).toEqual(expected.customers.map((c) => Math.round(c.revenue * 100) / 100));
  expect(new Set(table.map((r) => r['推荐商品']))).toEqual(new Set([consequent.join(' + ')]));
});
