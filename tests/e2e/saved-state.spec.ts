// The notebook kept in this browser: "Start over" wins over a restore still under way and over another tab's later
// save, and a tab holding an older notebook does not overwrite a newer one (unless the user keeps it on purpose).
import { expect as baseExpect, test, type Page } from '@playwright/test';

// Several pages each start the engine and load the file: slow when the machine is busy.
const expect = baseExpect.configure({ timeout: 240_000 });
import { fileURLToPath } from 'node:url';

const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/asof/${f}`, import.meta.url));

async function loadOrders(page: Page): Promise<void> {
  await page.getByTestId('file-input').setInputFiles(fixture('from-2023.csv'));
  await expect(page.getByTestId('report-rows_read')).toHaveText('47');
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', '8');
}

const engineReady = (page: Page) => expect(page.getByTestId('engine-status')).toContainText(/\d/);

/** The page stays empty: the drop zone, no source, for a while after the engine is up (a late restore would show). */
async function staysEmpty(page: Page): Promise<void> {
  await engineReady(page);
  for (let i = 0; i < 6; i++) {
    await expect(page.getByTestId('dropzone')).toBeVisible();
    await expect(page.getByTestId('sources-cell')).toHaveCount(0);
    await page.waitForTimeout(500);
  }
}

/** What the browser keeps (idb-keyval's store): the revision, and the kept notebook's file and as-of date. */
function kept(page: Page): Promise<{ rev: number; file: string | null; asOf: string | null }> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('keyval-store');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const get = open.result.transaction('keyval').objectStore('keyval').get('crm-notebook.session');
          get.onerror = () => reject(get.error);
          get.onsuccess = () => {
            type Session = { sources: { file: File }[]; doc: { settings: { asOf: string | null } } };
            const v = get.result as { rev: number; session: Session | null } | Session | undefined;
            // A notebook kept as it was before revisions (the session itself) counts too.
            const session = v && 'rev' in v ? v.session : (v ?? null);
            resolve({ rev: v && 'rev' in v ? v.rev : 0, file: session?.sources[0]?.file.name ?? null, asOf: session?.doc.settings.asOf ?? null });
          };
        };
      }),
  );
}

async function setAsOf(page: Page, day: string): Promise<void> {
  await page.getByTestId('asof').fill(day);
  await page.getByTestId('asof').dispatchEvent('change');
  await page.getByTestId('asof').press('Enter');
  await expect(page.getByTestId('overview-cell')).toContainText(/\d/);
  await expect(page.getByTestId('overview-cell')).toHaveAttribute('aria-busy', 'false');
}

test.describe.configure({ timeout: 900_000 });

test('start over during a restore: the restored file does not load afterwards, and a reload stays empty', async ({ page }) => {
  await page.goto('/');
  await loadOrders(page);

  // Reload with the engine's worker script held back: the restore reads the kept file and waits for the engine.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  await page.route('**/engine.worker*.js', async (route) => {
    await gate;
    await route.continue();
  });
  await page.reload();
  await expect(page.getByTestId('progress')).toBeVisible();
  await page.getByTestId('start-over').click();
  await expect(page.getByTestId('dropzone')).toBeVisible();
  release();
  await staysEmpty(page);

  await page.unroute('**/engine.worker*.js');
  await page.reload();
  await staysEmpty(page);
});

test('two tabs: start over in one is not undone by the other saving, and the older tab does not overwrite a newer notebook', async ({ context }) => {
  const a = await context.newPage();
  await a.goto('/');
  await loadOrders(a);
  const b = await context.newPage();
  await b.goto('/');
  await expect(b.getByTestId('report-rows_read')).toHaveText('47');
  await expect(b.getByTestId('kpi-customers')).toHaveAttribute('data-value', '8');

  await a.getByTestId('start-over').click();
  await expect(a.getByTestId('dropzone')).toBeVisible();
  // Tab B still shows its notebook; a change there is not saved over the start over, and B says so.
  await setAsOf(b, '2023-06-01');
  await b.waitForTimeout(1500);
  const cleared = await kept(a);
  expect(cleared).toMatchObject({ file: null, asOf: null });
  // A third tab (a reload) starts empty.
  const c = await context.newPage();
  await c.goto('/');
  await staysEmpty(c);
  await c.close();
  await expect(b.getByTestId('newer-elsewhere')).toBeVisible();

  // Tab A starts a new notebook with its own date; B, older, changes its date again and is again not saved.
  await loadOrders(a);
  await setAsOf(a, '2023-09-01');
  await expect(a.getByTestId('newer-elsewhere')).toHaveCount(0);
  await setAsOf(b, '2023-07-01');
  await expect.poll(() => kept(a)).toMatchObject({ file: 'from-2023.csv', asOf: '2023-09-01' });
  expect((await kept(a)).rev).toBeGreaterThan(cleared.rev);

  // B keeps its own notebook on purpose: now it is the one kept, and A is the older tab.
  await b.getByTestId('newer-keep').click();
  await expect(b.getByTestId('newer-elsewhere')).toHaveCount(0);
  await expect.poll(() => kept(a)).toMatchObject({ file: 'from-2023.csv', asOf: '2023-07-01' });
  const keptByB = await kept(a);
  await setAsOf(a, '2023-10-01');
  await expect(a.getByTestId('newer-elsewhere')).toBeVisible();
  await a.screenshot({ path: test.info().outputPath('newer-elsewhere-zh.png'), clip: { x: 0, y: 0, width: 1360, height: 260 } });
  expect(await kept(a)).toEqual(keptByB);
  // A reload of B brings back the notebook B kept.
  await b.reload();
  await expect(b.getByTestId('asof')).toHaveValue('2023-07-01');
  await expect(b.getByTestId('report-rows_read')).toHaveText('47');
});

test('start over is done at once and offers Undo for a few seconds: the files, settings and cells come back and are kept again; once it lapses, nothing comes back', async ({ page }) => {
  await page.goto('/');
  await loadOrders(page);
  await setAsOf(page, '2023-06-01');
  const customers = await page.getByTestId('kpi-customers').getAttribute('data-value');
  const cellIds = () => page.locator('main [data-cell-id]').evaluateAll((els) => els.map((e) => e.getAttribute('data-cell-id')));
  // A cell moved, so the cells are not the default ones.
  await page.locator('[data-cell-id="rfm"] > .tools [data-testid="cell-up"]').click();
  await expect.poll(cellIds).toContain('rfm');
  // The cells are mounted one per task: wait for all of them (the contents strip lists every cell) before taking their order.
  await expect.poll(async () => (await cellIds()).length).toBe(await page.getByTestId('cell-nav').locator('a').count());
  const cells = await cellIds();
  await expect.poll(async () => (await kept(page)).asOf).toBe('2023-06-01');

  await page.getByTestId('start-over').click();
  await expect(page.getByTestId('dropzone')).toBeVisible();
  await expect(page.getByTestId('start-over-undo')).toBeFocused();
  await expect.poll(async () => (await kept(page)).file).toBeNull();

  await page.getByTestId('start-over-undo').click();
  await expect(page.getByTestId('start-over-done')).toHaveCount(0);
  await expect(page.getByTestId('report-rows_read')).toHaveText('47');
  await expect(page.getByTestId('asof')).toHaveValue('2023-06-01');
  await expect(page.getByTestId('kpi-customers')).toHaveAttribute('data-value', customers!);
  await expect.poll(cellIds).toEqual(cells);
  // Kept again in this browser: a reload brings it back.
  await expect.poll(async () => kept(page)).toMatchObject({ file: 'from-2023.csv', asOf: '2023-06-01' });
  await page.reload();
  await expect(page.getByTestId('report-rows_read')).toHaveText('47');
  await expect(page.getByTestId('asof')).toHaveValue('2023-06-01');

  // Once the offer lapses, it is gone, and so is the notebook.
  await page.getByTestId('start-over').click();
  await expect(page.getByTestId('start-over-done')).toBeVisible();
  await page.waitForTimeout(8500);
  await expect(page.getByTestId('start-over-done')).toHaveCount(0);
  await page.reload();
  await staysEmpty(page);
});
