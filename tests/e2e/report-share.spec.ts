// Reports that leave the browser (issue 11): a share link made in the page opens in another browser with nothing but
// the app's own files (no engine, no DuckDB), in the reader's language, on a phone too; a sealed link asks for its
// password; the report file downloaded from the page opens from disk with no request at all; hostile text stays text.
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { en } from '../../src/i18n/en.ts';
import { zh } from '../../src/i18n/zh.ts';
import { decodeFragment, encodeFragment } from '../../src/notebook/share-codec.ts';
import type { Report } from '../../src/report/format.ts';

const KPIS = ['customers', 'purchases', 'revenue', 'aov', 'repeat', 'top20'];
const PASSWORD = 'kiwi-42 猕猴桃';
const HOSTILE = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script> 报告 & "Q4"';

test.describe.configure({ mode: 'serial', timeout: 240_000 });

/** What the notebook showed and what its report panel made, shared by the tests below. */
const made: { kpis: Record<'zh' | 'en', string[]>; link: string; sealed: string; lengthText: string; file: string; fileName: string; origin: string } = {
  kpis: { zh: [], en: [] },
  link: '',
  sealed: '',
  lengthText: '',
  file: '',
  fileName: '',
  origin: '',
};
const dir = mkdtempSync(join(tmpdir(), 'crm-report-'));

async function notebookKpis(page: Page): Promise<string[]> {
  return Promise.all(KPIS.map((k) => page.getByTestId(`kpi-${k}`).innerText()));
}

async function createLink(page: Page, password = ''): Promise<string> {
  await page.getByTestId('share-password').fill(password);
  await page.getByTestId('share-create').click();
  const url = page.getByTestId('share-link-url');
  await expect(url).toBeVisible();
  return url.inputValue();
}

test.beforeAll(async ({ browser }, testInfo) => {
  const baseURL = testInfo.project.use.baseURL!;
  made.origin = new URL(baseURL).origin;
  const context = await browser.newContext({ locale: 'zh-CN', serviceWorkers: 'block', acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(baseURL);
  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', /\d+/);
  made.kpis.zh = await notebookKpis(page);
  await page.getByTestId('lang').click();
  await expect(page.getByTestId('lang')).toHaveText('中文');
  made.kpis.en = await notebookKpis(page);
  await page.getByTestId('lang').click();

  await page.getByTestId('share-open').click();
  const panel = page.getByTestId('share-panel');
  await expect(panel).toBeVisible();
  // The default title: the orders file's name and the as-of date.
  await expect(page.getByTestId('share-title')).toHaveValue(/^订单示例 · 截至 \d{4}年\d{1,2}月\d{1,2}日$/);
  await expect(panel.locator('[data-testid="share-cell"][data-kind="overview"] input[type="checkbox"]').first()).toBeChecked();
  made.link = await createLink(page);
  made.lengthText = await page.getByTestId('share-link-length').innerText();
  made.sealed = await createLink(page, PASSWORD);

  await page.getByTestId('share-title').fill(HOSTILE);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('share-download').click()]);
  made.fileName = download.suggestedFilename();
  made.file = join(dir, 'report.html');
  await download.saveAs(made.file);

  // Esc closes the panel.
  await page.keyboard.press('Escape');
  await expect(panel).toBeHidden();
  await context.close();
});

test.afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A new browser context (no storage, no cache) that notes every request and every worker started. */
async function fresh(browser: Browser, opts: { locale?: string; width?: number } = {}): Promise<{ context: BrowserContext; page: Page; requests: string[] }> {
  const context = await browser.newContext({
    locale: opts.locale ?? 'zh-CN',
    serviceWorkers: 'block',
    viewport: { width: opts.width ?? 1360, height: 900 },
  });
  const requests: string[] = [];
  context.on('request', (r) => requests.push(r.url()));
  const page = await context.newPage();
  return { context, page, requests };
}

test('a link made in the page opens in a fresh browser with only the origin\'s files, no engine, and the notebook\'s KPIs in both languages', async ({ browser }) => {
  expect(made.link.startsWith(`${made.origin}/#r=1.`)).toBe(true);
  expect(made.lengthText).toBe(`${made.link.length.toLocaleString('en-US')} 个字符`);
  const { context, page, requests } = await fresh(browser);
  const started = Date.now();
  await page.goto(made.link);
  const values = page.locator('[data-testid="link-report"] .cell[data-kind="overview"] .kpi .value');
  await expect(values).toHaveCount(KPIS.length);
  const onScreen = Date.now() - started;
  expect(await values.allInnerTexts()).toEqual(made.kpis.zh);
  await expect(page.locator('[data-testid="link-report"] .cell[data-kind="overview"] figure.chart svg').first()).toBeVisible();
  await expect(page.locator('[data-testid="link-report"] h1')).toHaveText(/^订单示例 · 截至/);
  test.info().annotations.push({ type: 'link → report on screen', description: `${onScreen} ms` });

  await page.getByTestId('lang').click();
  await expect(values.first()).toHaveText(made.kpis.en[0]);
  expect(await values.allInnerTexts()).toEqual(made.kpis.en);
  await expect(page.getByTestId('open-own')).toHaveText(en['link.open_own']);

  // Nothing but the app's own files, and neither the engine's worker nor DuckDB (the notebook's script may be
  // preloaded by index.html, but it never runs: no worker starts).
  await page.waitForTimeout(1500);
  expect(page.workers()).toHaveLength(0);
  expect(requests.filter((u) => !u.startsWith(made.origin + '/'))).toEqual([]);
  expect(requests.filter((u) => /duckdb|\.worker|\.wasm|parquet/.test(u))).toEqual([]);
  expect(await page.evaluate(() => performance.getEntriesByType('mark').map((m) => m.name))).toContain('report-link:drawn');

  // "Open my own data": the empty notebook, the fragment gone.
  await page.getByTestId('open-own').click();
  await expect(page.getByTestId('dropzone')).toBeVisible();
  expect(new URL(page.url()).hash).toBe('');
  await context.close();
});

test('the link view fits a 390 px phone without horizontal scrolling', async ({ browser }) => {
  const { context, page } = await fresh(browser, { width: 390 });
  await page.goto(made.link);
  await expect(page.locator('[data-testid="link-report"] figure.chart svg').first()).toBeVisible();
  const { scroll, client, chart } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
    chart: document.querySelector('[data-testid="link-report"] figure.chart svg')!.getBoundingClientRect().right,
  }));
  expect(scroll).toBeLessThanOrEqual(client);
  expect(chart).toBeLessThanOrEqual(client);
  await context.close();
});

test('a sealed link asks for its password, refuses a wrong one with the message and opens with the right one', async ({ browser }) => {
  const { context, page } = await fresh(browser);
  await page.goto(made.sealed);
  const input = page.getByTestId('link-password-input');
  await expect(input).toBeFocused();
  await expect(page.locator('[data-testid="link-report"] .cell')).toHaveCount(0);
  await input.fill('kiwi-41');
  await input.press('Enter');
  await expect(page.getByTestId('link-error')).toHaveText(zh['link.password.wrong']);
  await expect(page.locator('[data-testid="link-report"] .cell')).toHaveCount(0);
  await input.fill(PASSWORD);
  await page.getByRole('button', { name: zh['link.password.open'], exact: true }).click();
  await expect(page.locator('[data-testid="link-report"] .cell[data-kind="overview"] .kpi .value')).toHaveText(made.kpis.zh);
  await expect(page.getByTestId('link-password')).toHaveCount(0);
  await context.close();
});

test('a link that is damaged, of another version or not a report says so in the reader\'s language; another report re-renders in place', async ({ browser }) => {
  const { context, page } = await fresh(browser, { locale: 'en-US' });
  const base = made.origin + '/';
  await page.goto(base + made.link.slice(made.link.indexOf('#'), -40));
  await expect(page.getByTestId('link-error')).toHaveText(en['link.error.malformed']);
  await page.evaluate(() => (location.hash = '#r=7.AAAA'));
  await expect(page.getByTestId('link-error')).toHaveText(en['link.error.version'].replace('{version}', '7'));
  await page.evaluate((h) => (location.hash = h), '#' + (await encodeFragment({ hello: 'world' })));
  await expect(page.getByTestId('link-error')).toHaveText(en['link.error.not_report']);
  const report = await decodeFragment<Report>(made.link.slice(made.link.indexOf('#')));
  await page.evaluate((h) => (location.hash = h), '#' + (await encodeFragment({ ...report, version: 2 })));
  await expect(page.getByTestId('link-error')).toHaveText(en['link.error.version'].replace('{version}', '2'));
  await page.evaluate((h) => (location.hash = h), '#' + (await encodeFragment({ ...report, title: 'Second report' })));
  await expect(page.locator('[data-testid="link-report"] h1')).toHaveText('Second report');
  await expect(page.getByTestId('link-error')).toHaveCount(0);
  await context.close();
});

test('hostile text in a title and a cell note stays text in the link view', async ({ browser }) => {
  const report = await decodeFragment<Report>(made.link.slice(made.link.indexOf('#')));
  const note = 'Watch <script>window.__pwned=3</script> March\n\n<img src=x onerror="window.__pwned=4">';
  const hostile = { ...report, title: HOSTILE, cells: report.cells.map((c) => ({ ...c, note })) };
  const { context, page, requests } = await fresh(browser);
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`${made.origin}/#${await encodeFragment(hostile)}`);
  const host = page.getByTestId('link-report');
  await expect(host.locator('h1')).toHaveText(HOSTILE);
  await expect(host.locator('.cell[data-kind="overview"] .note')).toContainText('Watch <script>window.__pwned=3</script> March');
  await expect(host.locator('.cell[data-kind="overview"] .note')).toContainText('<img src=x onerror="window.__pwned=4">');
  expect(await host.locator('img, script').count()).toBe(0);
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(requests.filter((u) => !u.startsWith(made.origin + '/'))).toEqual([]);
  await context.close();
});

test('the report file downloaded from the page opens from disk with no request, its charts as SVG, its title as text', async ({ browser }) => {
  expect(made.fileName).toBe(`${HOSTILE.replace(/[/\\:*?"<>|]+/g, ' ').replace(/\s+/g, ' ').trim()}.html`);
  const html = readFileSync(made.file, 'utf8');
  expect(html).not.toContain('<img');
  expect(html).not.toContain('<script>window');
  const { context, page, requests } = await fresh(browser);
  const url = pathToFileURL(made.file).href;
  await page.goto(url);
  await expect(page.locator('h1')).toHaveText(HOSTILE);
  await expect(page).toHaveTitle(HOSTILE);
  const cells = page.locator('.report .cell');
  expect(await cells.count()).toBeGreaterThan(0);
  for (const cell of await cells.all()) {
    if ((await cell.getAttribute('data-kind')) === 'note') continue;
    expect(await cell.locator('figure.chart svg').count()).toBeGreaterThan(0);
  }
  expect(await page.locator('.cell[data-kind="overview"] .kpi .value').allInnerTexts()).toEqual(made.kpis.zh);
  expect(await page.locator('img').count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
  await page.waitForTimeout(500);
  expect(requests.filter((u) => u !== url)).toEqual([]);
  await context.close();
});
