import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect, test, type Page } from '@playwright/test';

// An accessibility check with axe-core (a maintained rule engine, not checks of our own): every cell of the sample
// data drawn, in Chinese and in English, at 1360 px and on a phone (390 px). A "critical" violation fails the test;
// "serious" ones are listed in the output. axe-core's own file is injected (no network); the page's CSP would refuse
// an inline script, so the test's context bypasses it.
test.describe.configure({ timeout: 600_000 });
test.use({ bypassCSP: true });

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[]; failureSummary?: string }[];
}

async function everyCell(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('rfm-segments').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('basket-rule').first()).toBeVisible();
  await expect(page.getByTestId('clusters-profiles')).toBeVisible();
  await expect(page.getByTestId('table-report')).toBeVisible();
  await expect(page.getByTestId('clv-status')).toHaveAttribute('data-converged', 'true');
  await expect(page.getByTestId('churn-cell').locator('tbody tr').first()).toBeVisible();
  await page.waitForTimeout(1500);
}

/** axe-core's violations on the whole page as it is now. */
async function axe(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  return page.evaluate(async () => {
    const w = window as unknown as { axe: { run(ctx: Document, opts: object): Promise<{ violations: Violation[] }> } };
    const r = await w.axe.run(document, { resultTypes: ['violations'] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary })) }));
  });
}

/** A violation for the test output: its rule, how many elements, and the kinds of element (by their last selector). */
function describe(v: Violation): string {
  const kinds = new Map<string, number>();
  for (const n of v.nodes) {
    const last = n.target[n.target.length - 1].split(' > ').pop()!.replace(/\.svelte-[a-z0-9]+/g, '');
    kinds.set(last, (kinds.get(last) ?? 0) + 1);
  }
  const where = [...kinds].slice(0, 12).map(([k, n]) => `    ${n} × ${k}`);
  const why = v.nodes[0]?.failureSummary?.split('\n').slice(0, 2).join(' ');
  return [`  [${v.impact}] ${v.id}: ${v.help} (${v.nodes.length} elements)`, ...where, ...(why ? [`    e.g. ${why}`] : [])].join('\n');
}

async function check(page: Page, what: string): Promise<void> {
  const violations = await axe(page);
  const serious = violations.filter((v) => v.impact === 'serious');
  const critical = violations.filter((v) => v.impact === 'critical');
  console.log(`axe (${what}): ${critical.length} critical, ${serious.length} serious, ${violations.length - critical.length - serious.length} other`);
  for (const v of [...critical, ...serious]) console.log(describe(v));
  expect(critical.map(describe), `critical accessibility violations (${what})`).toEqual([]);
}

for (const width of [1360, 390]) {
  test(`axe-core at ${width} px, in Chinese and English, with the customer 360 panel open: no critical violation`, async ({ page }) => {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 900 });
    await everyCell(page);
    await check(page, `zh, ${width} px`);
    await page.getByTestId('lang').click();
    await expect(page.getByTestId('rfm-cell').getByRole('heading').first()).toBeVisible();
    await page.waitForTimeout(1000);
    await check(page, `en, ${width} px`);
    // The 360 panel, as a customer opened from the RFM list shows it.
    await page.getByTestId('rfm-customer').first().click();
    await expect(page.getByTestId('customer-360').getByTestId('customer-orders')).toBeVisible();
    await page.waitForTimeout(500);
    await check(page, `en, ${width} px, customer 360`);
  });
}
