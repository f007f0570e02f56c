import { expect, test, type Page } from '@playwright/test';

// A phone (390 px): the page never scrolls sideways, in either language; wide tables scroll in their own box; the
// customer 360 panel fills the screen and its close button can be reached.
test.describe.configure({ timeout: 600_000 });
test.use({ viewport: { width: 390, height: 844 } });

const SHOTS = process.env.E2E_SHOTS;

/** The page's width beyond the viewport, and the elements that reach past its right edge (to name them when it fails). */
async function overflow(page: Page): Promise<{ extra: number; wide: string[] }> {
  return page.evaluate(() => {
    const extra = document.scrollingElement!.scrollWidth - window.innerWidth;
    const wide: string[] = [];
    for (const el of document.querySelectorAll<HTMLElement>('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.right <= window.innerWidth + 1) continue;
      // Named once, at the outermost element that reaches past the edge.
      if (el.parentElement && el.parentElement !== document.body && el.parentElement.getBoundingClientRect().right > window.innerWidth + 1) continue;
      // Inside a box that scrolls or clips sideways: not the page's width.
      let p = el.parentElement;
      let clipped = false;
      while (p && p !== document.body) {
        const o = getComputedStyle(p).overflowX;
        if (o !== 'visible') {
          clipped = true;
          break;
        }
        p = p.parentElement;
      }
      const where = el.closest<HTMLElement>('[data-testid]')?.dataset.testid ?? el.closest<HTMLElement>('[data-cell-id]')?.dataset.cellId;
      if (!clipped) wide.push(`${el.tagName.toLowerCase()}.${el.className} in ${where} → ${Math.round(r.right)}`);
    }
    return { extra, wide: wide.slice(0, 40) };
  });
}

async function everyCell(page: Page): Promise<void> {
  // Every cell mounted and drawn (the last ones mount one per task).
  await expect(page.getByTestId('rfm-segments').locator('tbody tr').first()).toBeVisible();
  await expect(page.getByTestId('basket-rule').first()).toBeVisible();
  await expect(page.getByTestId('clusters-profiles')).toBeVisible();
  await expect(page.getByTestId('table-report')).toBeVisible();
  await page.waitForTimeout(1500);
}

for (const lang of ['zh', 'en'] as const) {
  test(`390 px (${lang}): no sideways scroll of the page, the toolbar wraps, tables scroll in their box, the 360 panel fills the screen`, async ({ page }) => {
    await page.goto('/');
    if (lang === 'en') await page.getByTestId('lang').click();
    await expect(page.getByTestId('try-sample')).toBeInViewport();
    expect((await overflow(page)).extra).toBeLessThanOrEqual(0);
    await page.getByTestId('try-sample').click();
    await everyCell(page);
    if (SHOTS) {
      await page.screenshot({ path: `${SHOTS}/narrow-top-${lang}.png` });
      for (const id of ['sources-cell', 'basket-cell', 'clusters-cell', 'lifecycle-cell', 'churn-cell', 'rfm-cell']) {
        await page.getByTestId(id).first().scrollIntoViewIfNeeded();
        await page.screenshot({ path: `${SHOTS}/narrow-${id}-${lang}.png` });
      }
      await page.evaluate(() => window.scrollTo(0, 0));
    }

    const o = await overflow(page);
    expect(o.wide).toEqual([]);
    expect(o.extra).toBeLessThanOrEqual(0);

    // The toolbar's controls are all on screen (wrapped, not pushed off the right edge).
    for (const id of ['start-over', 'lang']) {
      const box = (await page.getByTestId(id).boundingBox())!;
      expect(box.x).toBeGreaterThanOrEqual(0);
      expect(box.x + box.width).toBeLessThanOrEqual(390);
    }
    // The as-of field's label stays on one line (it wrapped one character per line).
    const asofLabel = page.getByTestId('asof-label');
    const lineHeight = await asofLabel.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight) || 20);
    expect((await asofLabel.boundingBox())!.height).toBeLessThan(lineHeight * 1.6);

    // A wide table scrolls inside its own box: the basket rules are wider than the phone, their box is not.
    const rules = page.getByTestId('basket-rules');
    const [tableWidth, boxWidth] = await rules.evaluate((t) => [t.scrollWidth, t.parentElement!.clientWidth]);
    expect(tableWidth).toBeGreaterThan(boxWidth);
    expect(boxWidth).toBeLessThanOrEqual(390);

    // The customer 360 panel: full screen, its close button on screen and working.
    const link = page.getByTestId('rfm-customer').first();
    const id = (await link.textContent())!.trim();
    await link.click();
    const panel = page.getByTestId('customer-360');
    await expect(panel.getByTestId('customer-id')).toContainText(id);
    const p = (await panel.boundingBox())!;
    expect(p.x).toBeLessThanOrEqual(0.5);
    expect(Math.round(p.width)).toBeLessThanOrEqual(390);
    expect(Math.round(p.width)).toBeGreaterThanOrEqual(389);
    if (SHOTS) await page.screenshot({ path: `${SHOTS}/narrow-360-${lang}.png` });
    const close = page.getByTestId('customer-close');
    await expect(close).toBeInViewport({ ratio: 1 });
    await close.click();
    await expect(panel).toHaveCount(0);
    expect((await overflow(page)).extra).toBeLessThanOrEqual(0);
  });
}
