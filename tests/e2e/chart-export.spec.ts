import { expect, test, type Download } from '@playwright/test';
import { readFileSync } from 'node:fs';

const read = async (d: Download) => readFileSync((await d.path())!);

test('a chart exports as SVG and as PNG at twice its size, with its title and legend and no page variables', async ({ page }) => {
  await page.goto('/');
  await page.getByTestId('try-sample').click();
  await page.getByTestId('cell-nav').locator('a[href="#cell-rfm"]').click();
  const chart = page.locator('.frame').filter({ has: page.locator('[aria-label="各分层的客户占比与销售额占比"]') });
  await expect(chart.locator('svg').first()).toBeVisible({ timeout: 90_000 });
  await chart.scrollIntoViewIfNeeded();
  await chart.hover();

  const [svgDownload] = await Promise.all([page.waitForEvent('download'), chart.getByRole('button', { name: 'SVG' }).click()]);
  expect(svgDownload.suggestedFilename()).toBe('各分层的客户占比与销售额占比.svg');
  const svg = (await read(svgDownload)).toString('utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('各分层的客户占比与销售额占比'); // the title
  expect(svg).toContain('>销售额占比<'); // the legend's swatch label, written as SVG text
  expect(svg).not.toMatch(/var\(--/);
  expect(svg).toContain('fill="white"');
  const width = Number(/<svg[^>]* width="(\d+)"/.exec(svg)![1]);
  const height = Number(/<svg[^>]* height="(\d+)"/.exec(svg)![1]);

  const [pngDownload] = await Promise.all([page.waitForEvent('download'), chart.getByRole('button', { name: 'PNG' }).click()]);
  expect(pngDownload.suggestedFilename()).toBe('各分层的客户占比与销售额占比.png');
  const png = await read(pngDownload);
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(png.readUInt32BE(16)).toBe(width * 2);
  expect(png.readUInt32BE(20)).toBe(height * 2);
  // A white corner: the background is painted, not transparent.
  const shot = await page.evaluate(async (bytes) => {
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([new Uint8Array(bytes)], { type: 'image/png' }));
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    return Array.from(ctx.getImageData(1, 1, 1, 1).data);
  }, Array.from(png));
  expect(shot).toEqual([255, 255, 255, 255]);
});
