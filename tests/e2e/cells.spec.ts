// Cells the consultant controls: notes in Markdown shown safely, a duplicated model cell with settings of its own,
// moving, removing (and undoing), collapsing and hiding cells, the contents strip following them, and the whole
// layout coming back after a reload.
import { expect as baseExpect, test, type Locator, type Page } from '@playwright/test';
import { analyze } from '../../src/cli/analyze.ts';
import { fileURLToPath } from 'node:url';

// The sample data runs every model (the CLV fits too) while the tests click: slow when the machine is busy.
const expect = baseExpect.configure({ timeout: 180_000 });
test.describe.configure({ timeout: 600_000 });

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const cell = (page: Page, id: string) => page.locator(`[data-cell-id="${id}"]`);
const ids = (page: Page) => page.locator('main [data-cell-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-cell-id')));
const navIds = (page: Page) => page.getByTestId('cell-nav').locator('a').evaluateAll((els) => els.map((e) => e.getAttribute('data-cell-id')));

async function loadSample(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('rfm-segments').locator('tbody tr').first()).toBeVisible();
  // The cells are mounted one per task after the data arrive: wait for all of them (the contents strip lists every cell).
  await expect.poll(async () => (await ids(page)).join()).toBe((await navIds(page)).join());
}

/** Segment → customers of an RFM cell's table. */
async function segmentCounts(rfm: Locator): Promise<Record<string, number>> {
  const rows = rfm.getByTestId('rfm-segments').locator('tbody tr');
  await expect(rows.first()).toBeVisible();
  return rows.evaluateAll((trs) =>
    Object.fromEntries(trs.map((tr) => [tr.getAttribute('data-segment'), Number(tr.querySelector('[data-testid="segment-customers"]')!.getAttribute('data-value'))])),
  );
}

test('a note with hostile Markdown is shown as text, its links shown but not followed; the layout comes back after a reload', async ({ page }) => {
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await loadSample(page);
  const defaults = await ids(page);
  expect(defaults.slice(0, 3)).toEqual(['overview', 'rfm', 'abc']);

  // A note cell at the end: its editor opens at once.
  await page.getByTestId('cell-add-end').selectOption('note');
  const note = page.locator('main [data-kind="note"][data-cell-id]').last();
  await expect(note.getByTestId('cell-note-input')).toBeFocused();
  const hostile = [
    '# 本月要点',
    '',
    '**复购**下降，见 [报告](https://example.com/r?q=1) 和 `rfm` 表。',
    '',
    '<script>alert(1)</script>',
    '',
    '<img src=x onerror=alert(2)>',
    '',
    '[x](javascript:alert(3))',
    '',
    '- 一',
    '- 二',
  ].join('\n');
  await note.getByTestId('cell-note-input').fill(hostile);
  await note.getByTestId('cell-save').click();
  const text = note.getByTestId('note-text');
  await expect(text.locator('h3')).toHaveText('本月要点');
  await expect(text.locator('strong')).toHaveText('复购');
  await expect(text.locator('li')).toHaveText(['一', '二']);
  await expect(text).toContainText('<script>alert(1)</script>');
  await expect(text).toContainText('<img src=x onerror=alert(2)>');
  await expect(text).toContainText('[x](javascript:alert(3))');
  expect(await text.locator('script, img, iframe').count()).toBe(0);
  // One link: the https one, with its address beside it, opening in a new tab without referrer; none for javascript:.
  const links = text.locator('a');
  await expect(links).toHaveCount(1);
  await expect(links).toHaveAttribute('href', 'https://example.com/r?q=1');
  await expect(links).toHaveAttribute('rel', 'noopener noreferrer');
  await expect(links).toHaveAttribute('target', '_blank');
  await expect(text).toContainText('报告 (https://example.com/r?q=1)');
  // The contents strip names the note by its first line.
  await expect(page.getByTestId('cell-nav').locator('a').last()).toHaveText('本月要点');

  // A title and a note on the RFM cell: shown in its heading, and the strip follows.
  const rfm = cell(page, 'rfm');
  await rfm.getByTestId('cell-edit').click();
  await rfm.getByTestId('cell-title-input').fill('高价值客户 <b>分层</b>');
  await rfm.getByTestId('cell-note-input').fill('*先看* 重要价值客户');
  await rfm.getByTestId('cell-note-input').press('Control+Enter');
  await expect(rfm.locator('h2').first()).toHaveText('高价值客户 <b>分层</b>');
  await expect(rfm.getByTestId('cell-note').locator('em')).toHaveText('先看');
  await expect(page.getByTestId('cell-nav').locator('a[href="#cell-rfm"]')).toHaveText('高价值客户 <b>分层</b>');

  // Move the overview down one: the order and the strip follow.
  await cell(page, 'overview').getByTestId('cell-down').click();
  await expect.poll(() => ids(page)).toEqual(['rfm', 'overview', ...defaults.slice(2), expect.any(String)]);
  expect(await navIds(page)).toEqual(await ids(page));
  // The moved cell keeps the keyboard's place.
  await expect(cell(page, 'overview').getByTestId('cell-down')).toBeFocused();
  await page.keyboard.press('Enter');
  await expect.poll(() => ids(page)).toEqual(['rfm', 'abc', 'overview', ...defaults.slice(3), expect.any(String)]);

  // Remove a cell and undo: it comes back where it was; remove another and let it go.
  const before = await ids(page);
  await cell(page, 'lifecycle').getByTestId('cell-remove').click();
  await expect(cell(page, 'lifecycle')).toHaveCount(0);
  await expect(page.getByTestId('cell-removed')).toBeVisible();
  await expect(page.getByTestId('cell-undo')).toBeFocused();
  await page.getByTestId('cell-undo').click();
  await expect.poll(() => ids(page)).toEqual(before);
  await cell(page, 'clusters').getByTestId('cell-remove').click();
  await expect(cell(page, 'clusters')).toHaveCount(0);
  await expect(page.getByTestId('cell-removed')).toBeHidden({ timeout: 15_000 });
  await expect(page.getByTestId('cell-nav').locator('a[href="#cell-clusters"]')).toHaveCount(0);

  // Collapse ABC (its model view goes away, its title stays); hide cohorts (marked).
  await cell(page, 'abc').getByTestId('cell-collapse').click();
  await expect(cell(page, 'abc').locator('section table, section svg')).toHaveCount(0);
  await expect(cell(page, 'abc').getByTestId('abc-cell')).toHaveCount(0);
  await expect(cell(page, 'abc').locator('h2')).toBeVisible();
  await cell(page, 'cohorts').getByTestId('cell-hide').click();
  await expect(cell(page, 'cohorts').getByTestId('cell-hidden-mark')).toBeVisible();
  await expect(page.getByTestId('cell-nav').locator('a[href="#cell-cohorts"]')).toHaveClass(/hidden/);

  const layout = await ids(page);
  expect(layout).not.toContain('clusters');
  await page.waitForTimeout(500); // the notebook is written to this browser's storage as it changes
  await page.reload();
  await expect(page.getByTestId('rfm-segments').locator('tbody tr').first()).toBeVisible();
  await expect.poll(() => ids(page)).toEqual(layout);
  expect(await navIds(page)).toEqual(layout);
  await expect(cell(page, 'rfm').locator('h2').first()).toHaveText('高价值客户 <b>分层</b>');
  await expect(cell(page, 'rfm').getByTestId('cell-note').locator('em')).toHaveText('先看');
  await expect(cell(page, 'abc').getByTestId('abc-cell')).toHaveCount(0);
  await expect(cell(page, 'cohorts').getByTestId('cell-hidden-mark')).toBeVisible();
  const restoredNote = page.locator('main [data-kind="note"][data-cell-id]').last().getByTestId('note-text');
  await expect(restoredNote.locator('h3')).toHaveText('本月要点');
  await expect(restoredNote).toContainText('<script>alert(1)</script>');

  // Start over: back to one cell per model, in the registry's order.
  await page.getByTestId('start-over').click();
  await expect(page.getByTestId('dropzone')).toBeVisible();
  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('rfm-segments').locator('tbody tr').first()).toBeVisible();
  await expect.poll(() => ids(page)).toEqual(defaults);
  await expect(cell(page, 'rfm').locator('h2').first()).toHaveText('RFM 客户分层');
  expect(dialogs).toEqual([]);
});

test('a duplicated RFM cell keeps settings of its own: the copy changes, the original stays, each lists its own customers', async ({ page }) => {
  await loadSample(page);
  const original = cell(page, 'rfm');
  const counts = await segmentCounts(original);

  await original.getByTestId('cell-duplicate').click();
  const copy = page.locator('main [data-kind="rfm"][data-cell-id]').nth(1);
  await expect(copy.getByTestId('cell-own-settings')).toBeVisible();
  await expect(copy.getByTestId('cell-edit')).toBeFocused();
  // The strip names the copy apart; only the first RFM cell keeps the test id the other tests use.
  await expect(page.getByTestId('cell-nav').locator('a').nth(2)).toHaveText('RFM 分层 (2)');
  await expect(page.getByTestId('rfm-cell')).toHaveCount(1);
  expect(await segmentCounts(copy)).toEqual(counts);

  // Scheme A's "high" by value in the copy: its segments change, the original's do not.
  await copy.getByTestId('rfm-high').selectOption('value');
  await expect.poll(() => segmentCounts(copy)).not.toEqual(counts);
  const copyCounts = await segmentCounts(copy);
  await expect(original.getByTestId('rfm-high')).toHaveValue('score');
  expect(await segmentCounts(original)).toEqual(counts);

  // The same numbers as the headless command with each setting.
  type Headless = { segments_cn: { segment: string; customers: number }[]; customers: { customer_id: string; monetary: number; segment_cn: string }[] };
  const run = async (highRule: 'score' | 'value') => ((await analyze({ orders: sample('orders.csv'), models: ['rfm'], settings: { rfm: { highRule } } })) as { rfm: Headless }).rfm;
  const [byScore, byValue] = [await run('score'), await run('value')];
  const asCounts = (h: Headless) => Object.fromEntries(h.segments_cn.map((r) => [r.segment, r.customers]));
  expect(counts).toEqual(asCounts(byScore));
  expect(copyCounts).toEqual(asCounts(byValue));

  // Each cell's list is its own: the first page (50 by value) of one segment, whose customers differ under the two
  // rules, asked for by the original, the copy, then the original again (the engine reruns RFM in between).
  const firstPage = (h: Headless, segment: string) =>
    h.customers
      .filter((c) => c.segment_cn === segment)
      .sort((a, b) => b.monetary - a.monetary || (a.customer_id < b.customer_id ? -1 : 1))
      .slice(0, 50)
      .map((c) => c.customer_id);
  const segment = Object.keys(counts).find((s) => firstPage(byScore, s).length && firstPage(byValue, s).length && firstPage(byScore, s).join() !== firstPage(byValue, s).join())!;
  expect(segment).toBeTruthy();
  for (const [where, expected] of [
    [original, firstPage(byScore, segment)],
    [copy, firstPage(byValue, segment)],
    [original, firstPage(byScore, segment)],
  ] as const) {
    const row = where.getByTestId('rfm-segments').locator(`tbody tr[data-segment="${segment}"]`);
    if (!(await row.getAttribute('class'))?.includes('selected')) await row.click();
    else {
      // Already chosen in this cell: choose all, then the segment again, so the list is asked for anew.
      await row.click();
      await row.click();
    }
    await expect.poll(() => where.getByTestId('rfm-customer').allTextContents()).toEqual(expected);
  }

  // The copy's own settings survive a reload; the original still follows the notebook's.
  await page.waitForTimeout(500);
  await page.reload();
  const copyAgain = page.locator('main [data-kind="rfm"][data-cell-id]').nth(1);
  await expect(copyAgain.getByTestId('rfm-high')).toHaveValue('value');
  await expect.poll(() => segmentCounts(copyAgain)).toEqual(copyCounts);
  expect(await segmentCounts(cell(page, 'rfm'))).toEqual(counts);
});

test('screenshots of the cell toolbar, a note and a duplicated cell, in both languages', async ({ page }) => {
  await loadSample(page);
  await cell(page, 'overview').getByTestId('cell-edit').click();
  await cell(page, 'overview').getByTestId('cell-title-input').fill('');
  await cell(page, 'overview').getByTestId('cell-note-input').fill('**Q1** 复购率低于去年，详见 [说明](https://example.com/q1)。');
  await cell(page, 'overview').getByTestId('cell-save').click();
  await cell(page, 'overview').getByTestId('cell-add').selectOption('note');
  const note = page.locator('main [data-kind="note"][data-cell-id]').first();
  await note.getByTestId('cell-title-input').fill('给客户的说明');
  await note.getByTestId('cell-note-input').fill('## 结论\n\n- 重要价值客户占收入 *一半* 以上\n- `<b>原样显示</b>` 和 <i>原样</i>\n\n[x](javascript:alert(1))');
  await note.getByTestId('cell-save').click();
  await note.getByTestId('cell-hide').click();
  await cell(page, 'rfm').getByTestId('cell-duplicate').click();
  await cell(page, 'rfm').getByTestId('cell-edit').click();
  await page.mouse.move(10, 10);
  for (const lang of ['zh', 'en']) {
    if (lang === 'en') await page.getByTestId('lang').click();
    await page.evaluate(() => document.getElementById('cell-overview')!.scrollIntoView());
    await page.waitForTimeout(300);
    await page.screenshot({ path: `test-results/cells-${lang}.png` });
    await note.evaluate((el) => el.scrollIntoView());
    await page.waitForTimeout(300);
    await page.screenshot({ path: `test-results/cells-note-${lang}.png` });
    await page.locator('main [data-kind="rfm"][data-cell-id]').nth(1).evaluate((el) => el.scrollIntoView());
    await page.waitForTimeout(300);
    await page.screenshot({ path: `test-results/cells-copy-${lang}.png` });
  }
});
