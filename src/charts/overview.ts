/** The overview's monthly charts: revenue by month, and purchases, active and new customers by month. */
import * as Plot from '@observablehq/plot';
import type { Lang } from '../i18n/lang.ts';
import type { MonthRow } from '../models/overview.ts';

/** Months with the first day (bars) and the middle (points) as dates. */
function datedMonths(months: MonthRow[]) {
  return months.map((m) => {
    const [y, mo] = m.month.split('-').map(Number);
    return { ...m, date: new Date(Date.UTC(y, mo - 1, 1)), mid: new Date(Date.UTC(y, mo - 1, 15)) };
  });
}

// Both charts share one monthly time axis and the same margins, so their months line up.
function frame(months: ReturnType<typeof datedMonths>, width: number, height: number, label: string, lang: Lang) {
  const last = months.length ? months[months.length - 1].date : null;
  const domain = last ? [months[0].date, new Date(Date.UTC(last.getUTCFullYear(), last.getUTCMonth() + 1, 1))] : undefined;
  return {
    width,
    height,
    marginLeft: 64,
    marginRight: 16,
    x: { label: null, type: 'utc' as const, domain, tickFormat: lang.monthTick },
    y: { grid: true, label, tickFormat: (d: number) => lang.compact(d) },
  };
}

const monthLabel = (lang: Lang) => (d: Date) => lang.month(d.toISOString().slice(0, 7));

/** Revenue by month as bars, with the purchases in the tip. */
export function overviewRevenue(rows: MonthRow[], width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const months = datedMonths(rows);
  return {
    ...frame(months, width, 230, t('overview.revenue'), lang),
    marks: [
      Plot.rectY(months, {
        x: 'date',
        interval: 'month',
        y: 'revenue',
        fill: 'var(--accent)',
        insetLeft: 1.5,
        insetRight: 1.5,
        // The bar spans its month (x1–x2); the tip names that one month under its own label instead of a two-month range.
        channels: {
          month: { value: (d: { month: string }) => lang.month(d.month), label: t('overview.month') },
          purchases: { value: 'purchases', label: t('overview.purchases') },
        },
        tip: { format: { month: true, x: false, y: (v: number) => lang.money(v), purchases: (v: number) => lang.int(v) } },
      }),
      Plot.ruleY([0]),
    ],
  };
}

/** Purchases, active customers and new customers by month as lines. */
export function overviewCounts(rows: MonthRow[], width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const months = datedMonths(rows);
  const series = [
    { key: 'purchases', label: t('overview.purchases'), color: '#7a8fa6' },
    { key: 'customers', label: t('overview.active_customers'), color: 'var(--accent)' },
    { key: 'new_customers', label: t('overview.new_customers'), color: '#e0892b' },
  ] as const;
  const long = series.flatMap((s) => months.map((m) => ({ mid: m.mid, value: m[s.key], series: s.label })));
  return {
    ...frame(months, width, 210, t('overview.count'), lang),
    color: { legend: true, domain: series.map((s) => s.label), range: series.map((s) => s.color) },
    marks: [
      Plot.lineY(long, { x: 'mid', y: 'value', stroke: 'series', strokeWidth: 2, curve: 'monotone-x' }),
      Plot.dot(long, { x: 'mid', y: 'value', fill: 'series', r: 2.5 }),
      // The tip in words (a title), not under the data's field names.
      Plot.tip(long, Plot.pointerX({ x: 'mid', y: 'value', stroke: 'series', title: (d: (typeof long)[number]) => `${monthLabel(lang)(d.mid)} · ${d.series}: ${lang.int(d.value)}` })),
      Plot.ruleY([0]),
    ],
  };
}
