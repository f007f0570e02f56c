/**
 * Printing the notebook ("Print", "Save as PDF"): every cell mounted and every chart drawn before the page is laid
 * out for print, not only the charts that have been scrolled into view.
 *
 * Charts draw when an observer reports their width, in tasks of their own (schedule.ts), and cells out of view are
 * not laid out at all (content-visibility in App.svelte); printing is synchronous, so none of that would happen in
 * time. Chromium (its print to PDF included, as the browser test checks) first dispatches `beforeprint`, then lays
 * the page out for print and, while doing so, reports the print media query as matching: the layout is then the
 * printed one, and what changes in the page then is printed. So:
 * - `beforeprint`: cells not yet mounted mount now (App.svelte reads `printing.active`), content-visibility is
 *   lifted (the `printing` class on <html>), tables too wide for a printed page are scaled down (a page wider than
 *   the paper is laid out wider and shrunk as a whole), and every chart not drawn yet draws at its width on screen,
 *   at most `PRINT_WIDTH` (what a browser that prints the page as it was after `beforeprint` gets);
 * - the print media query matching: every chart draws again at its printed width;
 * - `afterprint` (or the media query no longer matching after it matched): tables get their size back, and charts
 *   drawn at another width draw again at their width on screen, each in a task of its own.
 * The media query alone (a browser without `beforeprint`, or print media emulated) does both steps.
 */
import { flushSync } from 'svelte';

/** A printed A4 or Letter page's column is about 700 CSS pixels wide (page width less margins). */
export const PRINT_WIDTH = 700;

/** A chart as printing sees it (Chart.svelte). */
export interface PrintableChart {
  /** The chart's container width in the current layout (0 when it is not laid out, e.g. in a hidden cell). */
  measure(): number;
  /** True when the chart shows no figure yet, or a newer one is waiting for its task. */
  pending(): boolean;
  /** Draw now, synchronously, at this width (unless it shows a figure of this width already). */
  draw(width: number): void;
  /** Printing is over: draw again at the width on screen if the figure shown was drawn at another. */
  restore(): void;
}

const charts = new Set<PrintableChart>();

/** True from `beforeprint` (or the print media query matching) until printing is over. */
export const printing = $state({ active: false });

export function registerChart(chart: PrintableChart): () => void {
  charts.add(chart);
  return () => charts.delete(chart);
}

/** Measure every chart first, then draw: each drawing changes the page, and measuring after it would lay it out again. */
function drawCharts(which: (chart: PrintableChart) => boolean, width: (measured: number) => number): void {
  const chosen = [...charts].filter(which);
  const widths = chosen.map((c) => c.measure());
  chosen.forEach((c, i) => {
    if (widths[i] > 0) c.draw(width(widths[i]));
  });
}

/** Room for a table on a printed A4 or Letter page, inside a cell (a little less than its column). */
const TABLE_ROOM = 640;

/** Tables scaled to fit the printed page, with the zoom they had before. */
const fitted = new Map<HTMLElement, string>();

/**
 * Scale down every cell's table whose narrowest layout (its text wrapped wherever it may) is wider than a printed
 * page has room for: a cohort matrix of many periods, a list of long rules. Done before the print layout exists,
 * because Chromium lays out a page whose content is wider than the paper at a larger width and shrinks all of it.
 */
function fitTables(): void {
  const tables = [...document.querySelectorAll<HTMLElement>('main .cell table')].filter((t) => !fitted.has(t));
  const before = tables.map((t) => [t.style.width, t.style.minWidth] as const);
  for (const t of tables) {
    t.style.width = 'min-content';
    t.style.minWidth = '0';
  }
  const narrowest = tables.map((t) => t.getBoundingClientRect().width);
  tables.forEach((t, i) => {
    [t.style.width, t.style.minWidth] = before[i];
    if (narrowest[i] > TABLE_ROOM) {
      fitted.set(t, t.style.zoom);
      t.style.zoom = String(Math.floor((TABLE_ROOM / narrowest[i]) * 1000) / 1000);
    }
  });
}

function unfitTables(): void {
  for (const [table, zoom] of fitted) table.style.zoom = zoom;
  fitted.clear();
}

/** Everything mounted and drawn, as well as it can be before the print layout exists. */
function begin(): void {
  if (printing.active) return;
  printing.active = true;
  document.documentElement.classList.add('printing');
  // Cells not yet mounted mount now, and their charts register (still empty while their model runs).
  flushSync();
  fitTables();
  drawCharts(
    (c) => c.pending(),
    (w) => Math.min(w, PRINT_WIDTH),
  );
}

/** The print layout is in place: every chart at its printed width. */
function laidOutForPrint(): void {
  begin();
  drawCharts(
    () => true,
    (w) => w,
  );
}

function end(): void {
  if (!printing.active) return;
  printing.active = false;
  document.documentElement.classList.remove('printing');
  unfitTables();
  for (const c of charts) c.restore();
}

let installed = false;

/** Listen for printing (once, when the notebook mounts). */
export function preparePrinting(): void {
  if (installed || typeof window === 'undefined') return;
  installed = true;
  addEventListener('beforeprint', begin);
  addEventListener('afterprint', end);
  // Chromium may also report the query as not matching right after `beforeprint` (a change left over from before):
  // only the end of a match it reported ends printing.
  let matched = false;
  matchMedia('print').addEventListener('change', (e) => {
    if (e.matches) {
      matched = true;
      laidOutForPrint();
    } else if (matched) {
      matched = false;
      end();
    }
  });
}
