/**
 * Building blocks of a drawn report, on any `Document` (the page's, or linkedom's in Node): every text goes in as
 * a text node, never as markup, so notes, product names, segment labels and file names stay text.
 */
import * as Plot from '@observablehq/plot';
import type { Lang } from '../i18n/lang.ts';
import type { MessageKey } from '../i18n/zh.ts';
import type { Report } from './format.ts';
import type { ReportCount } from './privacy.ts';

export interface RenderContext {
  doc: Document;
  lang: Lang;
  /** The width charts are drawn at (the report file: a printable page's width). */
  width: number;
  report: Report;
}

export type Child = Node | string | number | null | undefined | false;

/** An element with attributes and children; strings become text nodes. */
export function h(r: RenderContext, tag: string, attrs: Record<string, string | undefined> = {}, ...children: (Child | Child[])[]): HTMLElement {
  const el = r.doc.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined) el.setAttribute(k, v);
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'object' ? c : r.doc.createTextNode(String(c)));
  }
  return el;
}

/** A message of the reader's language. */
export function t(r: RenderContext, key: MessageKey, params?: Record<string, string | number>): string {
  return r.lang.t(key, params);
}

/** A customer count as the report holds it: the number, or "< n" for a group under the threshold. */
export function count(r: RenderContext, c: ReportCount | null | undefined): string {
  if (c === null || c === undefined) return t(r, 'report.hidden');
  return typeof c === 'number' ? r.lang.int(c) : t(r, 'report.below', { n: r.lang.int(c.below) });
}

/** A count for a chart: hidden counts are left out (null), never drawn as a made-up number. */
export function countValue(c: ReportCount | null | undefined): number | null {
  return typeof c === 'number' ? c : null;
}

/** A value hidden by the privacy rule (null) reads as a dash; otherwise `format` it. */
export function value(r: RenderContext, v: number | null | undefined, format: (n: number) => string): string {
  return v === null || v === undefined ? t(r, 'report.hidden') : format(v);
}

/** Headline numbers: label and value, as the cells' KPI tiles. */
export function kpis(r: RenderContext, items: [label: string, value: string, note?: string][]): HTMLElement {
  return h(
    r,
    'div',
    { class: 'kpis' },
    items.map(([label, v, note]) => h(r, 'div', { class: 'kpi' }, h(r, 'div', { class: 'label' }, label), h(r, 'div', { class: 'value' }, v), note ? h(r, 'div', { class: 'knote' }, note) : null)),
  );
}

/** A table; `numeric` marks the columns aligned right. */
export function table(r: RenderContext, head: string[], body: string[][], numeric: boolean[] = []): HTMLElement {
  return h(
    r,
    'div',
    { class: 'table-box' },
    h(
      r,
      'table',
      {},
      h(r, 'thead', {}, h(r, 'tr', {}, head.map((c, i) => h(r, 'th', numeric[i] ? { class: 'num' } : {}, c)))),
      h(r, 'tbody', {}, body.map((row) => h(r, 'tr', {}, row.map((c, i) => h(r, 'td', numeric[i] ? { class: 'num' } : {}, c))))),
    ),
  );
}

/** A chart from a spec of src/charts, drawn on the report's document, with its caption. */
export function chart(r: RenderContext, options: Plot.PlotOptions, caption: string): HTMLElement {
  const figure = Plot.plot({ ...options, document: r.doc });
  return h(r, 'figure', { class: 'chart', role: 'img', 'aria-label': caption }, h(r, 'figcaption', {}, caption), figure);
}

/** A sub-heading inside a cell. */
export function sub(r: RenderContext, text: string): HTMLElement {
  return h(r, 'h3', {}, text);
}
