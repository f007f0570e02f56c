/**
 * A chart with a continuous colour scale in a report. Plot paints the ramp of such a legend on a <canvas> and
 * embeds it as an image, which a DOM without canvas (linkedom, for the headless command) cannot paint, and which a
 * report file would hold only as a picture. Here the chart is drawn without Plot's legend and the ramp is drawn as
 * plain SVG (one rect per step, ticks as text), so the file read with scripts off shows it.
 */
import * as Plot from '@observablehq/plot';
import { h, type RenderContext } from '../dom.ts';

const SVG = 'http://www.w3.org/2000/svg';
const STEPS = 48;

function svg(r: RenderContext, tag: string, attrs: Record<string, string | number>, text?: string): Element {
  const el = r.doc.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.appendChild(r.doc.createTextNode(text));
  return el;
}

/** Where value v sits on [lo, hi]: on a log axis for log scales, else linear. */
function position(v: number, lo: number, hi: number, log: boolean): number {
  return log ? (Math.log(v) - Math.log(lo)) / (Math.log(hi) - Math.log(lo)) : (v - lo) / (hi - lo);
}

/** The ramp of a continuous colour scale as SVG: `label`, a bar of colour steps, and tick labels. */
export function colorRamp(r: RenderContext, scale: Plot.Scale, options: { label?: string | null; ticks?: number[] | number; tickFormat?: (v: number) => string }): Element {
  const width = 260;
  const left = 10;
  const bar = width - 2 * left;
  const domain = (scale.domain as number[]).filter((v) => Number.isFinite(v));
  const lo = Math.min(...domain);
  const hi = Math.max(...domain);
  const log = /log/.test(String(scale.type));
  const at = (f: number) => (log ? lo * (hi / lo) ** f : lo + (hi - lo) * f);
  const root = svg(r, 'svg', { width, height: 48, viewBox: `0 0 ${width} 48`, class: 'legend-ramp', role: 'img', 'aria-label': options.label ?? '' });
  if (options.label) root.appendChild(svg(r, 'text', { x: left, y: 11, 'font-size': 11, 'font-weight': 600, fill: 'currentColor' }, options.label));
  const format = options.tickFormat ?? ((v: number) => String(Math.round(v * 100) / 100));
  if (!(hi > lo)) {
    // One value only (a single rule): one swatch with its value.
    if (!domain.length) return root;
    root.appendChild(svg(r, 'rect', { x: left, y: 16, width: 24, height: 10, fill: String(scale.apply!(lo)) }));
    root.appendChild(svg(r, 'text', { x: left + 30, y: 25, 'font-size': 10, fill: 'currentColor' }, format(lo)));
    return root;
  }
  for (let i = 0; i < STEPS; i++) {
    const color = String(scale.apply!(at((i + 0.5) / STEPS)));
    root.appendChild(svg(r, 'rect', { x: (left + (bar * i) / STEPS).toFixed(2), y: 16, width: (bar / STEPS + 0.4).toFixed(2), height: 10, fill: color }));
  }
  const ticks = Array.isArray(options.ticks) ? options.ticks.filter((v) => v >= lo && v <= hi) : [lo, ...(log && lo < 1 && hi > 1 ? [1] : []), hi];
  for (const v of ticks) {
    const x = left + bar * position(v, lo, hi, log);
    root.appendChild(svg(r, 'line', { x1: x.toFixed(2), x2: x.toFixed(2), y1: 16, y2: 30, stroke: 'currentColor', 'stroke-width': 0.8 }));
    root.appendChild(svg(r, 'text', { x: x.toFixed(2), y: 42, 'font-size': 10, 'text-anchor': 'middle', fill: 'currentColor' }, format(v)));
  }
  return root;
}

/**
 * A chart of src/charts whose colour scale is continuous, drawn on the report's document with its legend as an
 * SVG ramp (see above), in a <figure> with its caption, as `chart` of dom.ts draws the others.
 */
export function rampChart(r: RenderContext, options: Plot.PlotOptions, caption: string): HTMLElement {
  const color = (options.color ?? {}) as Plot.ScaleOptions & { label?: string | null; ticks?: number[] | number; tickFormat?: (v: number) => string };
  const plot = Plot.plot({ ...options, color: { ...color, legend: false }, document: r.doc });
  const scale = plot.scale('color');
  const legend = scale ? colorRamp(r, Plot.scale({ color: scale }) as Plot.Scale, { label: color.label, ticks: color.ticks, tickFormat: color.tickFormat }) : null;
  return h(r, 'figure', { class: 'chart', role: 'img', 'aria-label': caption }, h(r, 'figcaption', {}, caption), legend as Node | null, plot);
}
