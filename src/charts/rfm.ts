/** The RFM cell's charts: customers per R × F score cell, and each segment's share of customers and of revenue. */
import * as Plot from '@observablehq/plot';
import type { Lang } from '../i18n/lang.ts';
import { segmentName } from '../i18n/segments.ts';
import type { RfmSummary, SegmentRow } from '../models/rfm.ts';

const ALL_CELLS = [1, 2, 3, 4, 5].flatMap((r) => [1, 2, 3, 4, 5].map((f) => ({ r, f })));

/** Customers per R score (rows, 5 on top) × F score (columns), shaded by count, every count written in its cell. */
export function rfmHeatmap(grid: RfmSummary['grid'], width: number, lang: Lang): Plot.PlotOptions {
  const maxCell = Math.max(1, ...grid.map((g) => g.customers));
  return {
    width: Math.min(width, 460),
    height: 340,
    marginLeft: 56,
    marginBottom: 44,
    padding: 0.04,
    x: { label: lang.t('rfm.f_score'), domain: [1, 2, 3, 4, 5] },
    y: { label: lang.t('rfm.r_score'), domain: [5, 4, 3, 2, 1] },
    color: { scheme: 'blues', legend: false, type: 'sqrt' },
    marks: [
      Plot.cell(ALL_CELLS, { x: 'f', y: 'r', fill: '#f1f4f7', inset: 0.5 }),
      Plot.cell(grid, { x: 'f', y: 'r', fill: { value: 'customers', label: lang.t('rfm.customers') }, inset: 0.5, tip: { format: { fill: (v: number) => lang.int(v) } } }),
      Plot.text(grid, {
        x: 'f',
        y: 'r',
        text: (d: { customers: number }) => lang.int(d.customers),
        fill: (d: { customers: number }) => (d.customers > maxCell * 0.45 ? 'white' : 'black'),
        fontSize: 12,
      }),
    ],
  };
}

/** Per segment, two bars: its share of customers and its share of revenue. */
export function rfmSegments(segments: SegmentRow[], width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const names = segments.map((s) => segmentName(s.segment, lang.locale));
  const measures = [t('rfm.share'), t('rfm.revenue_share')];
  const data = segments.flatMap((s, i) => [
    { segment: names[i], measure: measures[0], value: s.share },
    { segment: names[i], measure: measures[1], value: s.revenue_share },
  ]);
  const marginLeft = lang.locale === 'zh' ? 100 : 136;
  const marginRight = 40;
  return {
    // Never narrower than the margins plus room for the bars: a squeezed container would give bars a negative width.
    width: Math.max(width, marginLeft + marginRight + 160),
    height: 40 + segments.length * 38,
    marginLeft,
    marginRight,
    x: { label: null, tickFormat: (v: number) => lang.pct(v, 0), grid: true },
    y: { axis: null, domain: measures },
    fy: { label: null, domain: names },
    color: { legend: true, domain: measures, range: ['#9bb7d4', 'var(--accent)'] },
    style: { fontSize: '12px' },
    marks: [
      Plot.barX(data, { x: 'value', y: 'measure', fy: 'segment', fill: 'measure', title: (d: (typeof data)[number]) => `${d.segment}\n${d.measure}: ${lang.pct(d.value)}`, tip: true }),
      Plot.text(data, { x: 'value', y: 'measure', fy: 'segment', text: (d: { value: number }) => lang.pct(d.value, 0), textAnchor: 'start', dx: 4, fontSize: 10, fill: 'var(--muted)' }),
      Plot.ruleX([0]),
    ],
  };
}
