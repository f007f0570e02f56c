/**
 * A continuous colour legend drawn as SVG rectangles: Plot draws its ramp legends on a canvas, which a report file
 * (and linkedom in the headless command) cannot paint, so a report draws the ramp itself.
 */
import { h, type RenderContext } from './dom.ts';

const SVG = 'http://www.w3.org/2000/svg';

function svg(r: RenderContext, tag: string, attrs: Record<string, string | number>, text?: string): Element {
  const el = r.doc.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.appendChild(r.doc.createTextNode(text));
  return el;
}

/**
 * A ramp from `from` to `to` (the domain), coloured by `color`, with a label at each of `ticks`, and a title.
 * `steps` bands make the ramp (no gradient: no ids that two legends on one page could share).
 */
export function rampLegend(r: RenderContext, opts: { title: string; from: number; to: number; color: (v: number) => string; ticks: number[]; format: (v: number) => string; steps?: number }): HTMLElement {
  const width = 240;
  const bar = 10;
  const steps = opts.steps ?? 48;
  const root = svg(r, 'svg', { width: width + 20, height: 44, viewBox: `0 0 ${width + 20} 44`, role: 'img', 'aria-label': opts.title, 'font-size': 10, 'font-family': 'sans-serif' });
  root.appendChild(svg(r, 'text', { x: 10, y: 10, fill: 'currentColor' }, opts.title));
  const span = opts.to - opts.from || 1;
  for (let i = 0; i < steps; i++) {
    const v = opts.from + (span * (i + 0.5)) / steps;
    root.appendChild(svg(r, 'rect', { x: 10 + (width * i) / steps, y: 16, width: width / steps + 0.5, height: bar, fill: opts.color(v) }));
  }
  for (const tick of opts.ticks) {
    const x = 10 + (width * (tick - opts.from)) / span;
    root.appendChild(svg(r, 'line', { x1: x, x2: x, y1: 16, y2: 16 + bar + 3, stroke: 'currentColor' }));
    root.appendChild(svg(r, 'text', { x, y: 16 + bar + 13, 'text-anchor': 'middle', fill: 'currentColor' }, opts.format(tick)));
  }
  return h(r, 'div', { class: 'legend' }, root as unknown as Node);
}
