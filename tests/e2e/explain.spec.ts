import { readFileSync } from 'node:fs';
import { expect, test, type Page } from '@playwright/test';

// What looks wrong but is right, explained where it shows, in both languages: the R × F heat map's empty F column,
// the cleaning report's customers against the overview's, the customer 360 headline, and the basket rule order on
// small data. Numbers from the sample data (tests/unit/explain.test.ts checks them against DuckDB).
test.describe.configure({ timeout: 600_000 });

const SHOTS = process.env.E2E_SHOTS;
const shared = (f: string) => new URL(`../../../shared/data/${f}`, import.meta.url).pathname;

async function sampleLoaded(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('rfm-segments').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('table-report')).toBeVisible();
  await expect(page.getByTestId('clv-status')).toHaveAttribute('data-converged', 'true');
  await expect(page.getByTestId('clusters-profiles')).toBeVisible();
}

/** Opens the 360 panel of `id`; returns the RFM segment its RFM row names (in the scheme and language shown). */
async function openCustomer(page: Page, id: string): Promise<string> {
  await page.getByTestId('customer-search').fill(id);
  await page.getByTestId('customer-search-results').getByRole('option').first().click();
  const panel = page.getByTestId('customer-360');
  await expect(panel.getByTestId('customer-id')).toContainText(id);
  await expect(panel.getByTestId('customer-rfm')).toContainText(' · ');
  return (await panel.getByTestId('customer-rfm').textContent())!.split(' · ')[1].trim();
}

const TEXT = {
  zh: {
    gap: '为什么 F 2 这一列是空的：55.3% 的客户只买过 1 次，购买次数相同的客户评分相同，所以他们都是 F 1。F 按购买次数比自己少的客户占比打分（F = 1 + ⌊5 × 该占比⌋）：对买过 2 次的客户来说，有 55.3% 的客户买得比他们少，所以他们是 F 3。',
    notBuying: '数据清洗报告中有订单的客户共 5,000 位，其中 63 位没有有效购买（订单全部退款）。各模型只计至少有一次有效购买的客户，所以这里是 4,937 位。',
    risk: ['流失预警', '仍活跃概率 10.0%，低于 50%', '购买节奏放缓', '已 320 天未购买'],
    riskSegment: 'RFM 分层：{segment}',
    fine: 'RFM 分层{segment}',
    cluster: '（该组的整体特征）',
  },
  en: {
    gap: 'Why the F 2 column is empty: 55.3% of customers bought once, and customers who bought equally often share one score, so all of them have F 1. F counts the customers who bought fewer times (F = 1 + ⌊5 × their share⌋): for those who bought twice, 55.3% bought fewer, so they have F 3.',
    notBuying: 'The cleaning report counts 5,000 customers with orders; 63 of them have no purchase (all their orders were refunded). The models count customers with at least one purchase: 4,937.',
    risk: ['At risk of churning', 'P(alive) 10.0%, below 50%', 'slipping from their usual rhythm', '320 days since the last purchase'],
    riskSegment: 'RFM segment: {segment}',
    fine: 'RFM segment{segment}',
    cluster: '(what the group is like)',
  },
};

for (const lang of ['zh', 'en'] as const) {
  test(`sample data (${lang}): the empty F column, customers without a purchase and the 360 headline are explained`, async ({ page }) => {
    await sampleLoaded(page);
    if (lang === 'en') await page.getByTestId('lang').click();
    const text = TEXT[lang];

    // The heat map's empty F column, under the heat map.
    const gap = page.getByTestId('rfm-f-gap');
    await expect(gap).toHaveCount(1);
    await expect(gap).toHaveAttribute('data-empty', '2');
    await expect(gap).toHaveText(text.gap);
    if (SHOTS) {
      await gap.scrollIntoViewIfNeeded();
      await gap.locator('..').screenshot({ path: `${SHOTS}/explain-rfm-${lang}.png` });
    }

    // The overview: 4,937 buying customers against the cleaning report's 5,000.
    await expect(page.getByTestId('report-customers')).toHaveText('5,000');
    await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '4937');
    await expect(page.getByTestId('overview-not-buying')).toHaveText(text.notBuying);
    if (SHOTS) await page.getByTestId('overview-cell').screenshot({ path: `${SHOTS}/explain-overview-${lang}.png` });

    // C00161: 重要价值客户 by RFM, but P(alive) 10.0 % after 320 days and slipping: the headline says at risk.
    const risky = await openCustomer(page, 'C00161');
    // Scheme A, the 8 Chinese groups (the notebook was made in Chinese): 重要价值客户.
    if (lang === 'zh') expect(risky).toBe('重要价值客户');
    const panel = page.getByTestId('customer-360');
    const headline = panel.getByTestId('customer-headline');
    await expect(headline).toHaveAttribute('data-kind', 'at_risk');
    for (const part of text.risk) await expect(headline).toContainText(part);
    await expect(headline.getByTestId('customer-headline-segment')).toHaveText(text.riskSegment.replace('{segment}', risky));
    await expect(panel.getByTestId('customer-cluster')).toContainText(text.cluster);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/explain-360-risk-${lang}.png` });
    await panel.getByTestId('customer-close').click();

    // C00025: likely alive (P(alive) 96 %), not slipping: the headline is the RFM segment.
    const fine = await openCustomer(page, 'C00025');
    await expect(headline).toHaveAttribute('data-kind', 'segment');
    await expect(headline).toHaveText(text.fine.replace('{segment}', fine));
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/explain-360-fine-${lang}.png` });
    await panel.getByTestId('customer-close').click();
  });
}

test('400 baskets: rules from fewer than 10 transactions come after the others, the count beside lift, in both languages', async ({ page }) => {
  const lines = readFileSync(shared('groceries.csv'), 'utf8').split('\n').slice(0, 400).join('\n') + '\n';
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles({ name: 'groceries-400.csv', mimeType: 'text/csv', buffer: Buffer.from(lines) });
  const cell = page.getByTestId('basket-cell');
  await expect(cell.getByTestId('basket-rule').first()).toBeVisible();
  const table = cell.getByTestId('basket-rules');
  // Lift, then the transactions column.
  const heads = (await table.locator('thead th').allTextContents()).map((h) => h.replace(/[▼▲]/g, '').trim());
  expect(heads.indexOf(heads.find((h) => h === '交易数')!)).toBe(heads.indexOf('提升度') + 1);
  const note = cell.getByTestId('basket-order-note');
  await expect(note).toContainText('不到 10 笔交易');
  const thin = Number((await note.textContent())!.match(/（(\d+) 条）/)![1]);
  const total = Number((await cell.getByTestId('basket-rule-count').getAttribute('data-value'))!);
  expect(thin).toBeGreaterThan(0);
  expect(thin).toBeLessThan(total);
  if (SHOTS) {
    await table.locator('thead').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/explain-basket-zh.png` });
  }
  // Show every rule: the first total − thin have 10 or more transactions, the rest fewer.
  while ((await cell.getByTestId('basket-rule').count()) < total) await cell.getByRole('button', { name: '显示更多' }).click();
  const counts = (await cell.getByTestId('basket-rule-baskets').allTextContents()).map((c) => Number(c.replace(/,/g, '')));
  expect(counts).toHaveLength(total);
  expect(counts.slice(0, total - thin).every((c) => c >= 10)).toBe(true);
  expect(counts.slice(total - thin).every((c) => c < 10)).toBe(true);

  await page.getByTestId('lang').click();
  await expect(cell.getByTestId('basket-order-note')).toContainText(`Rules are ordered by lift, but the ${thin} rules seen in fewer than 10 transactions come after the others`);
  const enHeads = (await table.locator('thead th').allTextContents()).map((h) => h.replace(/[▼▲]/g, '').trim());
  expect(enHeads.indexOf('Transactions')).toBe(enHeads.indexOf('Lift') + 1);
  if (SHOTS) {
    await cell.getByTestId('basket-order-note').screenshot({ path: `${SHOTS}/explain-basket-note-en.png` });
    await table.locator('thead').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/explain-basket-en.png` });
  }

  // Ordered by lift alone (the Lift header), the note goes away and a rule from fewer baskets leads.
  await cell.getByTestId('basket-sort-lift').click();
  await expect(note).toHaveCount(0);
  expect(Number((await cell.getByTestId('basket-rule-baskets').first().textContent())!.replace(/,/g, ''))).toBeLessThan(10);

});

test('390 px: the heat map line and the 360 headline fit the phone width', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await sampleLoaded(page);
  const gap = page.getByTestId('rfm-f-gap');
  await gap.scrollIntoViewIfNeeded();
  const box = (await gap.boundingBox())!;
  expect(box.x).toBeGreaterThanOrEqual(0);
  expect(box.x + box.width).toBeLessThanOrEqual(390);
  // A score never wraps away from its letter: "F 1" is joined by a no-break space.
  const text = (await gap.textContent())!;
  expect(text).toMatch(/F\u00a02/);
  expect(text).not.toMatch(/F [0-9]/);
  if (SHOTS) await gap.screenshot({ path: `${SHOTS}/explain-rfm-390-zh.png` });
  const note = page.getByTestId('overview-not-buying');
  await note.scrollIntoViewIfNeeded();
  const noteBox = (await note.boundingBox())!;
  expect(noteBox.x + noteBox.width).toBeLessThanOrEqual(390);
  await openCustomer(page, 'C00161');
  const headline = page.getByTestId('customer-360').getByTestId('customer-headline');
  await expect(headline).toHaveAttribute('data-kind', 'at_risk');
  const h = (await headline.boundingBox())!;
  expect(h.x).toBeGreaterThanOrEqual(0);
  expect(h.x + h.width).toBeLessThanOrEqual(390);
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/explain-360-390-zh.png` });
});
