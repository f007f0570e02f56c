/** The Pareto/ABC cell's charts: the Lorenz curve with the class bands and the 80/20 point, and how customers and revenue split over A, B and C. */
import * as Plot from '@observablehq/plot';
import type { Lang } from '../i18n/lang.ts';
import { ABC_CLASSES, type AbcClass, type AbcClassRow, type AbcSummary } from '../models/abc.ts';
import { ABC_COLORS } from './palette.ts';

/** Two stacked bars: how customers and revenue split over A, B and C. */
export function abcMix(classes: AbcClassRow[], width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const rows = classes.flatMap((c) => [
    { bar: t('abc.mix.customers'), class: c.class, value: c.share },
    { bar: t('abc.mix.revenue'), class: c.class, value: c.revenue_share },
  ]);
  const order = ABC_CLASSES as AbcClass[];
  return {
    width,
    height: 110,
    marginLeft: lang.locale === 'zh' ? 48 : 70,
    marginRight: 22,
    x: { domain: [0, 1], tickFormat: (v: number) => lang.pct(v, 0), label: null },
    y: { label: null, domain: [t('abc.mix.customers'), t('abc.mix.revenue')] },
    color: { domain: [...ABC_CLASSES], range: ABC_CLASSES.map((c) => ABC_COLORS[c]) },
    style: { fontSize: '12px' },
    marks: [
      Plot.barX(rows, Plot.stackX({ x: 'value', y: 'bar', fill: 'class', order, inset: 0.5, tip: { format: { x: (v: number) => lang.pct(v) } } })),
      Plot.text(
        rows.filter((r) => r.value >= 0.08),
        Plot.stackX({
          x: 'value',
          y: 'bar',
          z: 'class',
          order,
          text: (d: { class: string; value: number }) => `${d.class} ${lang.pct(d.value, 0)}`,
          fill: (d: { class: AbcClass }) => (d.class === 'C' ? 'var(--ink)' : 'white'),
        }),
      ),
    ],
  };
}

/** Class bands along the customer axis: where each class starts and ends. */
function bands(classes: AbcClassRow[]) {
  let from = 0;
  return classes.map((c) => {
    const band = { class: c.class, x1: from, x2: from + c.share };
    from += c.share;
    return band;
  });
}

/** The Lorenz (Pareto) curve: share of revenue by share of customers, best first, over the class bands, with the 80/20 point. */
export function abcCurve(summary: AbcSummary, width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const p = summary.top20_point;
  const size = Math.min(width, 520);
  const classBands = bands(summary.classes);
  return {
    width: size,
    height: Math.round(size * 0.82),
    marginLeft: 52,
    marginBottom: 44,
    marginRight: 16,
    x: { domain: [0, 1], label: t('abc.curve.x'), labelAnchor: 'center', tickFormat: (v: number) => lang.pct(v, 0), grid: true },
    y: { domain: [0, 1], label: t('abc.curve.y'), labelAnchor: 'center', tickFormat: (v: number) => lang.pct(v, 0), grid: true },
    style: { fontSize: '12px' },
    marks: [
      Plot.rectX(classBands, { x1: 'x1', x2: 'x2', y1: 0, y2: 1, fill: (d: { class: AbcClass }) => ABC_COLORS[d.class], fillOpacity: 0.12 }),
      Plot.text(classBands.filter((b) => b.x2 - b.x1 > 0.04), {
        x: (d: { x1: number; x2: number }) => (d.x1 + d.x2) / 2,
        y: 0.04,
        text: 'class',
        fill: (d: { class: AbcClass }) => ABC_COLORS[d.class],
        fontWeight: 700,
        fontSize: 14,
      }),
      Plot.line([[0, 0], [1, 1]], { stroke: '#9aa5b1', strokeDasharray: '5 4' }),
      Plot.text([[0.86, 0.8]], { text: [t('abc.curve.equality')], fill: 'var(--muted)', rotate: -Math.atan(0.82) * (180 / Math.PI), fontSize: 11 }),
      Plot.areaY(summary.lorenz, { x: 'customer_share', y1: 'customer_share', y2: 'revenue_share', fill: 'var(--accent)', fillOpacity: 0.08 }),
      Plot.line(summary.lorenz, { x: 'customer_share', y: 'revenue_share', stroke: 'var(--accent)', strokeWidth: 2.5 }),
      Plot.ruleX([p.customer_share], { y1: 0, y2: p.revenue_share, stroke: '#e0892b', strokeDasharray: '3 3' }),
      Plot.ruleY([p.revenue_share], { x1: 0, x2: p.customer_share, stroke: '#e0892b', strokeDasharray: '3 3' }),
      Plot.dot([p], { x: 'customer_share', y: 'revenue_share', r: 5, fill: '#e0892b', stroke: 'white', strokeWidth: 1.5 }),
      Plot.text([p], {
        x: 'customer_share',
        y: 'revenue_share',
        text: () => t('abc.curve.point', { customers: lang.pct(p.customer_share, 0), revenue: lang.pct(p.revenue_share) }),
        dx: 10,
        dy: 14,
        textAnchor: 'start',
        fill: '#b0631a',
        fontWeight: 600,
      }),
      Plot.tip(
        summary.lorenz,
        Plot.pointerX({
          x: 'customer_share',
          y: 'revenue_share',
          format: { x: (v: number) => lang.pct(v), y: (v: number) => lang.pct(v) },
        }),
      ),
    ],
  };
}
