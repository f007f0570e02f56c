import { expect, test, type Page } from '@playwright/test';

// Every clickable row has a keyboard path: a basket rule is reached by Tab and its cross-sell list opens with Enter
// (and closes with Space); an RFM segment's list likewise.
test.describe.configure({ timeout: 300_000 });

const focused = (page: Page) => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid ?? document.activeElement?.tagName);

async function tabTo(page: Page, testid: string, most = 40): Promise<number> {
  for (let n = 1; n <= most; n++) {
    await page.keyboard.press('Tab');
    if ((await focused(page)) === testid) return n;
  }
  throw new Error(`${testid} not reached in ${most} presses of Tab (at ${await focused(page)})`);
}

test('a basket rule is reached by Tab and opens its cross-sell list with Enter', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  const rules = page.getByTestId('basket-rule');
  await expect(rules.first()).toBeVisible();
  await expect(page.getByTestId('basket-cross-summary')).toHaveCount(0);

  // From the rule search, on through the filters and the sortable headings, to the first rule.
  await page.getByTestId('basket-search').focus();
  const presses = await tabTo(page, 'basket-rule-open');
  // The where-filter, (the length filter,) nine sortable headings: the rule comes after them, in the page's order.
  expect(presses).toBeGreaterThanOrEqual(10);
  const first = rules.first();
  await expect(first.getByTestId('basket-rule-open')).toBeFocused();
  const antecedent = JSON.parse((await first.getAttribute('data-antecedent'))!) as string[];
  const consequent = JSON.parse((await first.getAttribute('data-consequent'))!) as string[];

  await page.keyboard.press('Enter');
  await expect(first).toHaveClass(/selected/);
  await expect(first.getByTestId('basket-rule-open')).toHaveAttribute('aria-pressed', 'true');
  const cross = page.getByTestId('basket-cross');
  for (const item of [...antecedent, ...consequent]) await expect(cross.locator('h3')).toContainText(item);
  const total = Number(await page.getByTestId('basket-cross-summary').getAttribute('data-total'));
  expect(total).toBeGreaterThan(0);
  await expect(page.getByTestId('basket-cross-list').locator('tbody tr').first()).toBeVisible();
  // The keyboard stays on the rule it opened.
  await expect(first.getByTestId('basket-rule-open')).toBeFocused();

  // On to the list's buttons, back to the rule, and Space closes it.
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('basket-export-xlsx')).toBeFocused();
  await page.keyboard.press('Shift+Tab');
  await expect(first.getByTestId('basket-rule-open')).toBeFocused();
  await page.keyboard.press(' ');
  await expect(first).not.toHaveClass(/selected/);
  await expect(first.getByTestId('basket-rule-open')).toHaveAttribute('aria-pressed', 'false');
  await expect(page.getByTestId('basket-cross-summary')).toHaveCount(0);
});

test('an RFM segment opens its customer list by keyboard and says it is chosen', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  const row = page.getByTestId('rfm-segments').locator('tbody tr').first();
  await expect(row).toBeVisible();
  const button = row.locator('td.name button.link');
  await button.focus();
  await expect(button).toHaveAttribute('aria-pressed', 'false');
  await page.keyboard.press('Enter');
  await expect(button).toHaveAttribute('aria-pressed', 'true');
  await expect(row).toHaveClass(/selected/);
  // The list is that segment's: its heading names it, and it counts the segment's customers.
  const name = (await button.textContent())!.trim();
  const customers = await row.getByTestId('segment-customers').getAttribute('data-value');
  const list = page.getByTestId('rfm-list');
  await expect(list.locator('h3').first()).toContainText(name);
  await expect(list).toContainText(new RegExp(`/ ?${Number(customers).toLocaleString('en-US')}`));
});
