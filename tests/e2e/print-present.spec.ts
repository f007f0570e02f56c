import { expect, test, type Page } from '@playwright/test';
import { writeFileSync } from 'node:fs';

/** Load the sample data and wait until every cell has its result, without scrolling (cells below stay out of view). */
async function sampleLoaded(page: Page): Promise<number> {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  await expect(page.getByTestId('cell-nav').locator('a').first()).toBeAttached({ timeout: 90_000 });
  const kinds = await page.getByTestId('cell-nav').locator('a').count();
  expect(kinds).toBeGreaterThanOrEqual(8);
  await page.waitForFunction(
    (n) => {
      const cells = [...document.querySelectorAll('main .cell-anchor > .cell')];
      return cells.length === n && cells.every((c) => c.getAttribute('aria-busy') !== 'true' && !/加载中…|Loading…/.test(c.textContent ?? ''));
    },
    kinds,
    { timeout: 110_000 },
  );
  return kinds;
}

/** Hide a cell from present mode and print with its toolbar's toggle (the toolbar shows on hover and focus). */
async function hideCell(page: Page, kind: string): Promise<void> {
  const anchor = page.locator(`.cell-anchor[data-kind="${kind}"]`).first();
  await anchor.scrollIntoViewIfNeeded();
  await anchor.hover();
  await anchor.getByTestId('cell-hide').click();
  await expect(anchor.getByTestId('cell-hidden-mark')).toBeVisible();
}

type PrintedChart = { cell: string; width: number; svg: number | null };
type Printed = { charts: PrintedChart[]; toolbar: number; nav: number; hidden: number; cells: string[]; pageWidth: number };

/** Record what the print layout holds when the page is laid out for print (a listener added after the page's own). */
async function recordPrint(page: Page, hidden: string): Promise<void> {
  await page.evaluate((hidden) => {
    const w = window as unknown as { printed?: Printed };
    matchMedia('print').addEventListener('change', (e) => {
      if (!e.matches || w.printed) return;
      const size = (el: Element | null) => (el ? Math.round(el.getBoundingClientRect().width) : 0);
      const charts = [...document.querySelectorAll('main .cell-anchor .chart')]
        .filter((c) => c.getBoundingClientRect().width > 0)
        .map((c) => {
          // Plot's figure: legends (small swatch pictures) come first, the chart's own picture last.
          const svgs = [...c.querySelectorAll('svg')];
          const own = svgs[svgs.length - 1];
          return { cell: c.closest('.cell-anchor')!.id, width: size(c), svg: own ? Number(own.getAttribute('width')) : null };
        });
      w.printed = {
        charts,
        toolbar: size(document.querySelector('header.top .tools')),
        nav: size(document.querySelector('[data-testid="cell-nav"]')),
        hidden: document.getElementById(`cell-${hidden}`)!.getBoundingClientRect().height,
        cells: [...document.querySelectorAll('main .cell-anchor')].filter((a) => a.getBoundingClientRect().height > 0).map((a) => a.id),
        pageWidth: document.documentElement.clientWidth,
      };
    });
  }, hidden);
}

/** Pages and their size, read from the PDF's page objects. */
function pdfPages(pdf: Buffer): { count: number; boxes: string[] } {
  const text = pdf.toString('latin1');
  const pages = [...text.matchAll(/\/Type\s*\/Page(?![a-zA-Z])[\s\S]*?\/MediaBox\s*\[([^\]]*)\]/g)];
  return { count: pages.length, boxes: [...new Set(pages.map((m) => m[1].trim().split(/\s+/).map((n) => Math.round(Number(n))).join(' ')))] };
}

test('printing to PDF right after the sample data loads has every chart of every cell drawn at its printed width, no toolbar, no hidden cell', async ({ page }) => {
  const kinds = await sampleLoaded(page);
  // Only the first cells were ever in view: the others' charts have not been drawn on screen.
  const drawnOnScreen = await page.locator('main .chart:has(svg)').count();
  await hideCell(page, 'abc');
  await recordPrint(page, 'abc');

  const pdf = await page.pdf({ format: 'A4' });
  writeFileSync(test.info().outputPath('notebook.pdf'), pdf);
  const printed = (await page.evaluate(() => (window as unknown as { printed?: Printed }).printed))!;
  expect(printed).toBeTruthy();

  // Every chart drawn, at the width it has on the page, in every cell that has charts.
  expect(printed.charts.length).toBeGreaterThanOrEqual(15);
  expect(printed.charts.length).toBeGreaterThan(drawnOnScreen);
  expect(printed.charts.filter((c) => c.svg === null).map((c) => c.cell), 'charts without a figure').toEqual([]);
  for (const c of printed.charts) expect(c.svg!, `${c.cell}: drawn for the screen, not the page`).toBeLessThanOrEqual(c.width);
  const cellsWithCharts = new Set(printed.charts.map((c) => c.cell));
  for (const kind of ['overview', 'rfm', 'cohorts', 'lifecycle', 'clv', 'basket', 'clusters']) expect(cellsWithCharts).toContain(`cell-${kind}`);
  // The page is laid out at the paper's width (A4 less the margins: about 700 CSS pixels), not widened and shrunk.
  expect(printed.pageWidth).toBeGreaterThan(650);
  expect(printed.pageWidth).toBeLessThan(760);
  // One column on paper: every chart as wide as the printed cell.
  expect(new Set(printed.charts.map((c) => c.width)).size).toBe(1);
  expect(printed.charts[0].width).toBeLessThan(printed.pageWidth);
  // Every cell but the hidden one.
  expect(printed.cells).toHaveLength(kinds - 1);
  expect(printed.cells).not.toContain('cell-abc');
  expect(printed.hidden).toBe(0);
  // No toolbar, no contents strip.
  expect(printed.toolbar).toBe(0);
  expect(printed.nav).toBe(0);

  // A real A4 document of a sensible length.
  expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  const pages = pdfPages(pdf);
  expect(pages.boxes).toEqual(['0 0 596 843']);
  expect(pages.count).toBeGreaterThanOrEqual(8);
  expect(pages.count).toBeLessThanOrEqual(40);

  // After printing, the charts draw again at their width on screen.
  await expect
    .poll(() =>
      page.evaluate(() =>
        [...document.querySelectorAll('main .cell-anchor .chart')]
          .filter((c) => c.getBoundingClientRect().width > 0 && c.querySelector('svg'))
          .every((c) => {
            const svgs = c.querySelectorAll('svg');
            return Number(svgs[svgs.length - 1].getAttribute('width')) === Math.floor(c.getBoundingClientRect().width);
          }),
      ),
    )
    .toBe(true);
});

test('under print media every chart is drawn and the screen-only parts are gone; back on screen the charts fit the screen again', async ({ page }) => {
  await sampleLoaded(page);
  await page.getByTestId('rfm-customer').first().click();
  await expect(page.getByTestId('customer-360')).toBeVisible();

  await page.emulateMedia({ media: 'print' });
  const charts = page.locator('main .cell-anchor .chart');
  await expect.poll(async () => (await charts.count()) > 15 && (await page.locator('main .cell-anchor .chart:not(:has(svg))').count()) === 0).toBe(true);
  await expect(page.locator('header.top .tools')).toBeHidden();
  await expect(page.getByTestId('cell-nav')).toBeHidden();
  await expect(page.getByTestId('customer-360')).toBeHidden();
  await expect(page.getByTestId('chart-export').first()).toBeHidden();
  await expect(page.getByTestId('start-over')).toBeHidden();
  // Settings read as their values: a select without its box.
  expect(await page.getByTestId('rfm-scheme').evaluate((el) => getComputedStyle(el).borderTopWidth)).toBe('0px');
  expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe('rgb(255, 255, 255)');
  await page.screenshot({ path: test.info().outputPath('print-media.png'), fullPage: true });

  await page.emulateMedia({ media: 'screen' });
  await expect(page.locator('header.top .tools')).toBeVisible();
  await expect(page.getByTestId('customer-360')).toBeVisible();
});

/** The cell shown in present mode, and what the bar says. */
async function shown(page: Page): Promise<{ id: string | null; position: string }> {
  return {
    id: await page.locator('.cell-anchor.presented').getAttribute('data-cell-id'),
    position: (await page.getByTestId('present-position').textContent()) ?? '',
  };
}

test('present mode shows the cells not hidden one at a time, full window, moved through with the keyboard; Esc returns to the notebook', async ({ page }) => {
  await sampleLoaded(page);
  const order = await page.locator('main .cell-anchor').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.cellId!));
  await hideCell(page, 'abc');
  const expected = order.filter((id) => id !== 'abc');
  const n = expected.length;
  // The notebook stays mounted underneath: the same elements before and after presenting.
  await page.locator('#cell-overview .cell').evaluate((el) => el.setAttribute('data-mark', 'kept'));
  const overviewWidth = await page.locator('#cell-overview .chart svg').last().getAttribute('width');

  await page.getByTestId('present').click();
  await expect(page.getByTestId('present-bar')).toBeVisible();
  const keys = ['ArrowRight', 'PageDown', ' '];
  for (let i = 0; i < n; i++) {
    await expect.poll(() => shown(page)).toEqual({ id: expected[i], position: `${i + 1} / ${n}` });
    const box = (await page.locator('.cell-anchor.presented').boundingBox())!;
    expect(box.width).toBeGreaterThanOrEqual(1340); // the window, less the page's scroll bar
    expect(box.y).toBe(0);
    await expect(page.locator('.cell-anchor.presented .cell')).toBeInViewport();
    if (i < n - 1) await page.keyboard.press(keys[i % keys.length]);
  }
  // The first cell's chart drew again at the larger width (read after the walk: it has had time).
  await page.keyboard.press('Home');
  await expect.poll(() => shown(page)).toEqual({ id: expected[0], position: `1 / ${n}` });
  await expect.poll(async () => Number(await page.locator('.cell-anchor.presented .chart svg').last().getAttribute('width'))).toBeGreaterThan(Number(overviewWidth));
  await page.keyboard.press('End');
  await expect.poll(() => shown(page)).toEqual({ id: expected[n - 1], position: `${n} / ${n}` });
  await page.keyboard.press('ArrowRight');
  await expect.poll(() => shown(page)).toEqual({ id: expected[n - 1], position: `${n} / ${n}` });
  await page.keyboard.press('ArrowLeft');
  await expect.poll(() => shown(page)).toEqual({ id: expected[n - 2], position: `${n - 1} / ${n}` });
  await page.keyboard.press('PageUp');
  await expect.poll(() => shown(page)).toEqual({ id: expected[n - 3], position: `${n - 2} / ${n}` });
  // The on-screen buttons.
  await page.getByTestId('present-prev').click();
  await expect.poll(() => shown(page)).toEqual({ id: expected[n - 4], position: `${n - 3} / ${n}` });
  await page.getByTestId('present-next').click();
  await expect.poll(() => shown(page)).toEqual({ id: expected[n - 3], position: `${n - 2} / ${n}` });
  await expect(page.getByTestId('present-name')).toHaveText(await page.getByTestId('cell-nav').locator(`a[href="#cell-${expected[n - 3]}"]`).textContent() ?? '');

  await page.keyboard.press('Escape');
  await expect(page.getByTestId('present-bar')).toBeHidden();
  await expect(page.locator('.cell-anchor.presented')).toHaveCount(0);
  await expect(page.locator('header.top')).toBeVisible();
  // Back at the cell last shown, with the same (not re-created) cells.
  await expect(page.locator(`#cell-${expected[n - 3]} h2`).first()).toBeInViewport();
  await expect(page.locator('#cell-overview .cell[data-mark="kept"]')).toHaveCount(1);
  await expect(page.getByTestId('present')).toBeFocused();
});

test('present mode in English and on a phone: the bar fits, the cell fills the screen, Esc from the customer panel closes only the panel', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await sampleLoaded(page);
  await page.getByTestId('lang').click();
  await expect(page.getByTestId('present')).toHaveText('Present');
  await page.getByTestId('present').click();
  const n = await page.locator('main .cell-anchor').count();
  await expect(page.getByTestId('present-position')).toHaveText(`1 / ${n}`);
  await expect(page.getByTestId('present-name')).toHaveText('Overview');
  await expect(page.getByTestId('present-exit')).toHaveText('Leave');
  for (const id of ['present-prev', 'present-next', 'present-exit']) {
    const b = (await page.getByTestId(id).boundingBox())!;
    expect(b.x).toBeGreaterThanOrEqual(0);
    expect(b.x + b.width).toBeLessThanOrEqual(390);
    expect(b.height).toBeGreaterThanOrEqual(40);
  }
  const cell = (await page.locator('.cell-anchor.presented').boundingBox())!;
  expect(cell.width).toBeGreaterThanOrEqual(370); // the screen, less a desktop browser's scroll bar
  await page.screenshot({ path: test.info().outputPath('present-phone-en.png') });
  await page.getByTestId('present-next').click();
  await expect(page.getByTestId('present-position')).toHaveText(`2 / ${n}`);
  await expect(page.getByTestId('present-name')).toHaveText('RFM segments');
  // A customer opened from the cell shown: Esc closes the panel, the presentation stays.
  await page.locator('.cell-anchor.presented').getByTestId('rfm-customer').first().click();
  await expect(page.getByTestId('customer-360')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('customer-360')).toBeHidden();
  await expect(page.getByTestId('present-position')).toHaveText(`2 / ${n}`);
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('present-bar')).toBeHidden();
});
