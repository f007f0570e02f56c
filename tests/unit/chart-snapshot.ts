/**
 * Chart snapshots, the way Observable Plot tests itself: a spec is drawn in Node with a small DOM (linkedom)
 * and compared with the stored SVG in tests/unit/snapshots/; on a mismatch the new drawing is written beside
 * it as NAME-changed.svg (compare, then move it over the stored file if the change is meant). A missing
 * snapshot is written and the test passes, so a new chart gets its file on the first run.
 */
import * as Plot from '@observablehq/plot';
import { parseHTML } from 'linkedom';
import { existsSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lang, type Lang, type Locale } from '../../src/i18n/lang.ts';

const DIR = fileURLToPath(new URL('./snapshots/', import.meta.url));

/**
 * A document for Plot. Its canvas (Plot draws a continuous colour legend's ramp on one) records the colours
 * painted and returns them as its "image", so the snapshot shows the ramp's colours without an image library.
 */
function chartDocument(): Document {
  const { document } = parseHTML('<!DOCTYPE html><html><head></head><body></body></html>');
  const createElement = document.createElement.bind(document);
  document.createElement = ((name: string) => {
    const el = createElement(name);
    if (name.toLowerCase() !== 'canvas') return el;
    const painted: string[] = [];
    const context = { fillStyle: '', fillRect: () => painted.push(String(context.fillStyle)) };
    Object.assign(el, { getContext: () => context, toDataURL: () => `data:text/plain,${encodeURIComponent(painted.join(' '))}` });
    return el;
  }) as typeof document.createElement;
  return document as unknown as Document;
}

/** Ids that Plot numbers from a global counter (clip paths, markers), renumbered in order of appearance. */
function renumber(svg: string): string {
  const seen = new Map<string, string>();
  return svg.replace(/plot-(clip|marker|pattern)-\d+/g, (id, kind: string) => {
    if (!seen.has(id)) seen.set(id, `plot-${kind}-${[...seen.keys()].filter((k) => k.startsWith(`plot-${kind}-`)).length + 1}`);
    return seen.get(id)!;
  });
}

/** The chart of `options` as markup (an <svg>, or a <figure> when it has a legend). */
export function render(options: Plot.PlotOptions): string {
  const document = chartDocument();
  const chart = Plot.plot({ ...options, document });
  return renumber(chart.outerHTML).replace(/></g, '>\n<') + '\n';
}

/** Compare the drawing of `options` with snapshots/NAME.svg; returns what differs, or '' when equal. */
export function snapshot(name: string, options: Plot.PlotOptions): string {
  const actual = render(options);
  const file = `${DIR}${name}.svg`;
  const changed = `${DIR}${name}-changed.svg`;
  if (!existsSync(file)) {
    writeFileSync(file, actual);
    return '';
  }
  if (readFileSync(file, 'utf8') === actual) {
    if (existsSync(changed)) unlinkSync(changed);
    return '';
  }
  writeFileSync(changed, actual);
  return `${name}.svg differs from the drawing; the new one is in ${name}-changed.svg`;
}

/** One snapshot test per chart and language: NAME-zh.svg and NAME-en.svg. */
export function snapshotTests(specs: Record<string, (width: number, lang: Lang) => Plot.PlotOptions>, width = 640): void {
  describe('chart specs draw as their stored SVG', () => {
    for (const [name, spec] of Object.entries(specs)) {
      for (const locale of ['zh', 'en'] as Locale[]) {
        it(`${name} (${locale})`, () => {
          expect(snapshot(`${name}-${locale}`, spec(width, lang(locale)))).toBe('');
        });
      }
    }
  });
}
