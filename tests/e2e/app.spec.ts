import { expect, test, type Page } from '@playwright/test';
import { read, utils } from '@e965/xlsx';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../src/cli/analyze.ts';
import { CSP } from '../../src/csp.ts';
import { contexts, egressFrom, expectBlocked, otherOrigin, plainHost } from './egress.ts';

const shared = (f: string) => fileURLToPath(new URL(`../../../shared/data/${f}`, import.meta.url));
const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/e2e/${f}`, import.meta.url));

async function rfmSegmentCounts(page: Page): Promise<Record<string, number>> {
  const rows = page.getByTestId('rfm-segments').locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  const out: Record<string, number> = {};
  for (const row of await rows.all()) {
    const segment = (await row.getAttribute('data-segment'))!;
    out[segment] = Number(await row.getByTestId('segment-customers').getAttribute('data-value'));
  }
  return out;
}

function countBy<T>(items: T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const it of items) out[key(it)] = (out[key(it)] ?? 0) + 1;
  return out;
}

async function kpi(page: Page, id: string): Promise<number> {
  return Number(await page.getByTestId(`kpi-${id}`).getAttribute('data-value'));
}

test('the sample data loads in one click, with the cleaning report and RFM equal to the headless command', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  const report = page.getByTestId('cleaning-report').first();
  await expect(report.getByTestId('report-rows_read')).toHaveText('38,764');
  await expect(report.getByTestId('report-rows_loaded')).toHaveText('38,719');
  await expect(report.getByTestId('report-duplicates_removed')).toHaveText('30');
  await expect(report.getByTestId('report-bad_date')).toHaveText('10');
  await expect(report.getByTestId('report-bad_amount')).toHaveText('5');
  await expect(report.getByTestId('cleaning-identity')).toContainText('38,764');

  const headless = (await analyze({ orders: sample('orders.csv'), models: ['overview', 'rfm'] })) as {
    overview: { customers: number; purchases: number; revenue: number; repeat_rate: number };
    rfm: { customers: { segment_cn: string; segment_en: string }[] };
  };
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', String(headless.overview.customers));
  expect(await kpi(page, 'purchases')).toBe(headless.overview.purchases);
  expect(await kpi(page, 'revenue')).toBeCloseTo(headless.overview.revenue, 6);
  expect(await kpi(page, 'repeat')).toBeCloseTo(headless.overview.repeat_rate, 12);
  expect(await rfmSegmentCounts(page)).toEqual(countBy(headless.rfm.customers, (c) => c.segment_cn));
});

test('the contents strip brings each cell to the top, also one far down whose neighbours have not been drawn yet', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  await expect(page.locator('[data-testid="clusters-cell"][aria-busy="false"]')).toHaveCount(1, { timeout: 120_000 });
  const nav = page.getByTestId('cell-nav');
  const top = (kind: string) => page.evaluate((k) => Math.round(document.getElementById(`cell-${k}`)!.getBoundingClientRect().top), kind);
  for (const kind of ['clv', 'rfm', 'clusters', 'basket']) {
    await nav.locator(`a[href="#cell-${kind}"]`).click();
    // Under the sticky header: the cell's scroll margin.
    await expect.poll(() => top(kind), { timeout: 5000 }).toBe(120);
    await page.waitForTimeout(500);
    expect(await top(kind)).toBe(120);
  }
});

test('each cell\'s settings are a form of the cell\'s own, which submits nothing', async ({ page }) => {
  // A field outside any form makes the browser's autofill look at every field of the page when it changes (laying out
  // the cells kept off screen); a form of the cell's own keeps that to the cell's settings.
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  await expect(page.locator('[data-testid="clusters-cell"][aria-busy="false"]')).toHaveCount(1, { timeout: 120_000 });
  const fields = (await page.evaluate(`[...document.querySelectorAll('section.cell form.settings, section.cell .head')]
    .flatMap((box) => [...box.querySelectorAll('input, select, textarea')])
    .map((el) => ({ id: el.dataset.testid || el.tagName, kind: el.closest('section.cell').dataset.kind,
      form: el.form ? el.form.closest('section.cell') === el.closest('section.cell') && el.form.classList.contains('settings') : false }))`)) as { id: string; kind: string; form: boolean }[];
  for (const id of ['rfm-monetary', 'abc-cut-a', 'cohorts-unit', 'lifecycle-window-activeDays', 'clusters-k']) expect(fields.map((f) => f.id)).toContain(id);
  expect(fields.filter((f) => !f.form)).toEqual([]);
  await page.evaluate(`window.__submits = 0; document.addEventListener('submit', (e) => { window.__submits++; if (!e.defaultPrevented) window.__sent = true; })`);
  await page.getByTestId('abc-cut-a').press('Enter');
  await page.getByTestId('lifecycle-window-activeDays').press('Enter');
  await page.getByTestId('cohorts-measure-revenue').click();
  await page.getByTestId('cohorts-measure-customers').click();
  expect(await page.evaluate('[window.__submits, window.__sent === true]')).toEqual([0, false]);
  await expect(page.getByTestId('rfm-segments').locator('tbody tr').first()).toBeVisible();
});

test('a dropped file from the reference data gives the same RFM segments as the headless command, in English too', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(shared('online_retail_france.csv'));
  await expect(page.getByTestId('report-rows_read')).toHaveText('8,557');
  const headless = (await analyze({ orders: shared('online_retail_france.csv'), models: ['rfm'] })) as {
    rfm: { customers: { segment_cn: string; segment_en: string }[] };
  };
  expect(await rfmSegmentCounts(page)).toEqual(countBy(headless.rfm.customers, (c) => c.segment_cn));

  // Switching the language keeps the notebook's scheme (MODELS.md §2): the same groups, named in English.
  await page.getByTestId('lang').click();
  await expect(page.getByRole('heading', { name: 'RFM segments' })).toBeVisible();
  await expect(page.getByTestId('rfm-scheme')).toHaveValue('cn');
  expect(await rfmSegmentCounts(page)).toEqual(countBy(headless.rfm.customers, (c) => c.segment_cn));
  await page.getByTestId('rfm-scheme').selectOption('en');
  expect(await rfmSegmentCounts(page)).toEqual(countBy(headless.rfm.customers, (c) => c.segment_en));
  await expect(page.getByTestId('report-rows_read')).toHaveText('8,557');
});

test('a mapping the guess could not make is completed by the user', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(fixture('excel-serial-dates.csv'));
  await expect(page.getByTestId('mapping-missing')).toBeVisible();
  await expect(page.getByTestId('apply-mapping')).toBeDisabled();
  await page.getByTestId('map-order_ts').selectOption('serial');
  await page.getByTestId('map-quantity').selectOption('');
  await page.getByTestId('apply-mapping').click();
  await expect(page.getByTestId('report-rows_loaded')).toHaveText('6');
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '3');
  // Excel serial 45355 is 2024-03-04: the as-of date is the day after, whatever the time zone.
  await expect(page.getByTestId('overview-cell')).toContainText('2024年3月5日');
});

test('a wrong guess is corrected in the mapping panel and the results follow', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(fixture('two-dates.csv'));
  await expect(page.getByTestId('overview-cell')).toContainText('2024年3月5日');
  await page.getByTestId('source').getByTestId('mapping-toggle').click();
  await page.getByTestId('map-order_ts').selectOption('shipped');
  await page.getByTestId('apply-mapping').click();
  await expect(page.getByTestId('overview-cell')).toContainText('2024年7月1日');
});

test('a segment list exports as CSV with a BOM, one line per customer of the segment', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(shared('online_retail_france.csv'));
  const first = page.getByTestId('rfm-segments').locator('tbody tr').first();
  const expected = Number(await first.getByTestId('segment-customers').getAttribute('data-value'));
  await first.click();
  await expect(page.getByTestId('rfm-list')).toContainText(String(expected));
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('rfm-export').click()]);
  const bytes = readFileSync((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const lines = bytes.toString('utf8').slice(1).trim().split('\n');
  // Headers in the page's language; the file does not say its currency, so the amount's header names none.
  expect(lines[0]).toBe('客户ID,最近购买天数,购买次数,消费金额,R 分（近度 1–5）,F 分（频次 1–5）,M 分（金额 1–5）,RFM 八类分群（R/F/M 高低）,R×F 十类分群（R×F 网格）');
  expect(lines.length - 1).toBe(expected);
});

test('"Export all segments (Excel)" downloads one workbook with a sheet per segment of the table, in the page\'s language', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  for (const lang of ['zh', 'en'] as const) {
    if (lang === 'en') {
      await page.getByTestId('lang').click();
      await expect(page.getByTestId('rfm-export-segments')).toHaveText('Export all segments (Excel)');
    } else await expect(page.getByTestId('rfm-export-segments')).toHaveText('导出全部分群 (Excel)');
    // The segments as the table shows them: the name on the row and its customers.
    const rows = page.getByTestId('rfm-segments').locator('tbody tr');
    await expect(rows.first()).toBeVisible();
    const shown: Record<string, number> = {};
    for (const row of await rows.all()) shown[(await row.locator('td.name button.link').first().textContent())!.trim()] = Number(await row.getByTestId('segment-customers').getAttribute('data-value'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('rfm-export-segments').click()]);
    expect(download.suggestedFilename()).toBe(lang === 'zh' ? 'RFM全部分群.xlsx' : 'rfm-all-segments.xlsx');
    const book = read(readFileSync((await download.path())!), { type: 'buffer' });
    expect([...book.SheetNames].sort()).toEqual(Object.keys(shown).sort());
    for (const name of book.SheetNames) {
      const sheet = utils.sheet_to_json<unknown[]>(book.Sheets[name], { header: 1 });
      // Headers in the language, the sample's currency on the amount, amounts as numbers.
      expect(sheet[0].slice(0, 4)).toEqual(lang === 'zh' ? ['客户ID', '最近购买天数', '购买次数', '消费金额 (¥)'] : ['Customer ID', 'Days since last purchase', 'Purchases', 'Total spend (¥)']);
      expect(sheet.length - 1, name).toBe(shown[name]);
      expect(sheet.slice(1).every((r) => typeof r[3] === 'number')).toBe(true);
    }
  }
});

test('a customer list export keeps hostile ids as text: formula cells get a leading \', numbers stay numbers', async ({ page }) => {
  const hostile = ['=HYPERLINK("http://evil.example/x")', '+1', '-2 text', '@x', '\tTAB', '\rCR'];
  const quote = (v: string) => '"' + v.replaceAll('"', '""') + '"';
  const lines = ['order_id,customer_id,order_ts,amount'];
  hostile.forEach((id, i) => [1, 2].forEach((m) => lines.push(`o${i}-${m},${quote(id)},2024-0${m}-1${i} 10:00:00,${10 + i}.50`)));
  lines.push(`o9,c9,2024-03-01 10:00:00,99.00`, `o9r,c9,2024-03-02 10:00:00,-5.00`);
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles({ name: 'hostile.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n') + '\n') });
  await expect(page.getByTestId('report-rows_read')).toHaveText('14');
  // The page shows the id as text.
  await expect(page.getByTestId('rfm-list')).toContainText(hostile[0]);
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('rfm-export').click()]);
  const bytes = readFileSync((await download.path())!);
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  const text = bytes.subarray(3).toString('utf8');
  const rows = text.split(/\n(?=(?:[^"]*"[^"]*")*[^"]*$)/).filter(Boolean);
  expect(rows[0]).toBe('客户ID,最近购买天数,购买次数,消费金额,R 分（近度 1–5）,F 分（频次 1–5）,M 分（金额 1–5）,RFM 八类分群（R/F/M 高低）,R×F 十类分群（R×F 网格）');
  const ids = rows.slice(1).map((r) => {
    const m = /^("(?:[^"]|"")*"|[^,]*),/.exec(r)!;
    return m[1].startsWith('"') ? m[1].slice(1, -1).replaceAll('""', '"') : m[1];
  });
  expect(ids.sort()).toEqual([...hostile.map((id) => `'${id}`), 'c9'].sort());
  // c9 spent 99.00 in one purchase (the credit note is an order of its own): a plain number, no prefix.
  expect(rows.find((r) => r.startsWith('c9,'))!.split(',').slice(2, 4)).toEqual(['1', '99.0']);
  expect(rows.find((r) => r.startsWith("'-2 text,"))!.split(',').slice(2, 4)).toEqual(['2', '25.0']);
});

test('bad input gets a message naming the file, and what was loaded stays', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(shared('CDNOW_sample.txt'));
  await expect(page.getByTestId('report-rows_read')).toHaveText('6,919');
  await page.getByTestId('file-input').setInputFiles({ name: 'empty.csv', mimeType: 'text/csv', buffer: Buffer.alloc(0) });
  await expect(page.getByTestId('error')).toContainText('empty.csv');
  const junk = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256));
  await page.getByTestId('file-input').setInputFiles({ name: 'junk.bin', mimeType: 'application/octet-stream', buffer: junk });
  await expect(page.getByTestId('error').nth(1)).toContainText('junk.bin');
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '2357');
});

test('no request leaves the page origin during a whole session, and the CSP blocks every try from the page and from each worker', async ({ page, context, baseURL }) => {
  test.setTimeout(300_000);
  // A request the browser let through would reach this other origin and be counted.
  const other = await otherOrigin();
  const outside: string[] = [];
  const isOutside = (url: string) => !url.startsWith(baseURL!) && !url.startsWith('blob:') && !url.startsWith('data:');
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith(other.url)) return route.continue();
    if (isOutside(url)) {
      outside.push(url);
      return route.abort();
    }
    return route.continue();
  });
  context.on('request', (r) => {
    if (isOutside(r.url()) && !r.url().startsWith(other.url)) outside.push(r.url());
  });
  // vite preview (the server of these tests) sends the policy as a header on every file, and the page carries it as a <meta> tag.
  const response = await page.goto('/');
  expect(response!.headers()['content-security-policy']).toBe(CSP);
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute('content', CSP);
  const script = await page.locator('script[type="module"]').first().getAttribute('src');
  expect((await page.request.get(script!)).headers()['content-security-policy']).toBe(CSP);

  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('rfm-segments')).toBeVisible({ timeout: 180_000 });
  await page.getByTestId('lang').click();
  await page.getByTestId('rfm-segments').locator('tbody tr').first().click();
  // The engine's worker and the CLV fit worker (started by the first fit) run from blob: URLs.
  const ctx = await contexts(page);
  for (const w of ctx.workers.values()) expect(w.url()).toMatch(/^blob:/);
  expectBlocked(await egressFrom(ctx, other.url), other.url);
  expect(other.hits).toEqual([]);
  expect(outside).toEqual([]);
  other.close();
});

test('on a host that sends no headers, the workers still run under the page\'s policy (blob: workers inherit the <meta> tag)', async ({ page }) => {
  test.setTimeout(300_000);
  const host = await plainHost(process.env.E2E_DIST ?? 'dist');
  const other = await otherOrigin();
  const response = await page.goto(host.url);
  expect(response!.headers()['content-security-policy']).toBeUndefined();
  await expect(page.locator('meta[http-equiv="Content-Security-Policy"]')).toHaveAttribute('content', CSP);
  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('rfm-segments')).toBeVisible({ timeout: 180_000 });
  const ctx = await contexts(page);
  expectBlocked(await egressFrom(ctx, other.url), other.url);
  expect(other.hits).toEqual([]);
  other.close();
  host.close();
});

test('a reload restores the notebook from this browser, and start over forgets it', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('file-input').setInputFiles(shared('online_retail_france.csv'));
  await expect(page.getByTestId('report-rows_read')).toHaveText('8,557');
  // Until one is chosen, the as-of field shows the date the models use: the headless command's default.
  const defaults = (await analyze({ orders: shared('online_retail_france.csv'), models: ['rfm'] })) as { rfm: { as_of: string } };
  expect(defaults.rfm.as_of).toBe('2011-12-10');
  await expect(page.getByTestId('asof')).toHaveValue(defaults.rfm.as_of);
  await expect(page.getByTestId('asof-reset')).toHaveCount(0);
  await page.getByTestId('asof').fill('2011-06-01');
  await page.getByTestId('asof').dispatchEvent('change');
  const customers = page.getByTestId('kpi-customers');
  await expect(customers).not.toHaveAttribute('data-value', '87');
  const before = await customers.getAttribute('data-value');
  const headless = (await analyze({ orders: shared('online_retail_france.csv'), asOf: '2011-06-01', models: ['overview'] })) as {
    overview: { customers: number };
  };
  expect(Number(before)).toBe(headless.overview.customers);

  await page.reload();
  await expect(page.getByTestId('report-rows_read')).toHaveText('8,557');
  await expect(page.getByTestId('asof')).toHaveValue('2011-06-01');
  await expect(customers).toHaveAttribute('data-value', before!);

  // Back to the default date: the field and the numbers follow.
  await page.getByTestId('asof-reset').click();
  await expect(page.getByTestId('asof')).toHaveValue('2011-12-10');
  await expect(customers).toHaveAttribute('data-value', '87');
  await expect(page.getByTestId('asof-reset')).toHaveCount(0);

  await page.getByTestId('start-over').click();
  await expect(page.getByTestId('dropzone')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('dropzone')).toBeVisible();
  await expect(page.getByTestId('engine-status')).toContainText(/\d/);
  await expect(page.getByTestId('source')).toHaveCount(0);
});
