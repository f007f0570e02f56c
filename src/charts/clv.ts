/** The CLV cell's charts: P(alive) and CLV distributions, the holdout check (by purchase count and week by week) and CLV by group. */
import * as Plot from '@observablehq/plot';
import type { Lang } from '../i18n/lang.ts';
import type { PurchaseModelKind } from '../models/clv/index.ts';
import type { ClvGroup, ClvResult } from '../models/clv/model.ts';
import { CLV_MODEL_COLORS } from './palette.ts';
import { timeTick } from './time.ts';

export const CLV_MODELS: PurchaseModelKind[] = ['bgnbd', 'mbgnbd', 'paretonbd'];
export const CLV_MODEL_NAMES: Record<PurchaseModelKind, string> = { bgnbd: 'BG/NBD', mbgnbd: 'MBG/NBD', paretonbd: 'Pareto/NBD' };

const binLabel = (bin: number) => `${bin * 10}–${bin * 10 + 10}%`;

/** Customers by P(alive) decile bin, one-time buyers and repeat buyers side by side. */
export function clvAlive(bins: ClvResult['p_alive_bins'], width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const groups = [t('clv.chart.one_time'), t('clv.chart.repeat')];
  const data = bins.flatMap((b) => [
    { bin: binLabel(b.bin), group: groups[0], n: b.one_time },
    { bin: binLabel(b.bin), group: groups[1], n: b.repeat },
  ]);
  return {
    width,
    height: 250,
    marginLeft: 56,
    marginBottom: 44,
    x: { label: t('clv.chart.alive.x'), labelAnchor: 'center', domain: Array.from({ length: 10 }, (_, i) => binLabel(i)), tickFormat: (d: string, i: number) => (i % 2 === 0 ? d : '') },
    y: { label: t('clv.chart.alive.y'), grid: true, tickFormat: (v: number) => lang.compact(v) },
    // No label of its own in the tip: the group's name says what it is.
    color: { legend: true, domain: groups, range: ['#b9cde0', 'var(--accent)'], label: '' },
    style: { fontSize: '12px' },
    marks: [Plot.barY(data, { x: 'bin', y: 'n', fill: 'group', inset: 1, tip: { format: { y: (v: number) => lang.int(v) } } }), Plot.ruleY([0])],
  };
}

/** Each CLV decile's share of the total CLV, the top decile highlighted. */
export function clvDeciles(deciles: ClvResult['clv_deciles'], width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  return {
    width,
    height: 250,
    marginLeft: 56,
    marginBottom: 44,
    marginTop: 24,
    x: { label: t('clv.chart.deciles.x'), labelAnchor: 'center', type: 'band' },
    y: { label: t('clv.chart.deciles.y'), grid: true, domain: [0, Math.max(0.05, ...deciles.map((d) => d.share)) * 1.15], tickFormat: (v: number) => lang.pct(v, 0) },
    style: { fontSize: '12px' },
    marks: [
      Plot.barY(deciles, {
        x: 'decile',
        y: 'share',
        fill: (d: { decile: number }) => (d.decile === 1 ? 'var(--accent)' : '#9bb7d4'),
        inset: 2,
        tip: { format: { y: (v: number) => lang.pct(v) } },
      }),
      Plot.text(deciles, { x: 'decile', y: 'share', text: (d: { share: number }) => lang.pct(d.share, 0), dy: -8, fontSize: 11, fill: 'var(--muted)' }),
      Plot.ruleY([0]),
    ],
  };
}

const bucketLabel = (b: number) => (b === 7 ? '7+' : String(b));

/** Holdout purchases per customer by calibration purchase count: actual, and predicted by each fitted model. */
export function clvBuckets(result: { holdout: Pick<NonNullable<ClvResult['holdout']>, 'buckets'> | null; models: { model: PurchaseModelKind }[] }, width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const buckets = result.holdout?.buckets ?? [];
  const fitted = CLV_MODELS.filter((m) => result.models.some((r) => r.model === m));
  const actual = t('clv.chart.actual');
  const data = buckets.flatMap((b) => [
    { bucket: bucketLabel(b.bucket), series: actual, value: b.actual, customers: b.customers },
    ...fitted.map((m) => ({ bucket: bucketLabel(b.bucket), series: CLV_MODEL_NAMES[m], value: b.predicted[m] ?? NaN, customers: b.customers })),
  ]);
  const domain = [actual, ...fitted.map((m) => CLV_MODEL_NAMES[m])];
  return {
    width,
    height: 260,
    marginLeft: 56,
    marginBottom: 44,
    x: { label: t('clv.chart.buckets.x'), labelAnchor: 'center', type: 'point', domain: buckets.map((b) => bucketLabel(b.bucket)), padding: 0.3 },
    y: { label: t('clv.chart.buckets.y'), grid: true },
    color: { legend: true, domain, range: ['#1c2430', ...fitted.map((m) => CLV_MODEL_COLORS[m])] },
    style: { fontSize: '12px' },
    marks: [
      Plot.line(data.filter((d) => d.series !== actual), { x: 'bucket', y: 'value', stroke: 'series', strokeWidth: 1.6, strokeDasharray: '5 3' }),
      Plot.line(data.filter((d) => d.series === actual), { x: 'bucket', y: 'value', stroke: 'series', strokeWidth: 2.5 }),
      Plot.dot(data, {
        x: 'bucket',
        y: 'value',
        fill: 'series',
        r: 3,
        tip: { format: { y: (v: number) => lang.num(v, 2), fill: true, x: true } },
      }),
      Plot.ruleY([0]),
    ],
  };
}

/** Cumulative repeat purchases week by week, actual and predicted by the chosen model, with the end of calibration marked. */
export function clvTracking(result: Pick<ClvResult, 'holdout' | 'model' | 'calibration_end'>, width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const rows = (result.holdout?.tracking ?? []).map((w) => ({ ...w, date: new Date(w.start + 'T00:00:00Z') }));
  const actual = t('clv.chart.actual');
  const predicted = CLV_MODEL_NAMES[result.model];
  const data = rows.flatMap((w) => [
    { date: w.date, series: actual, value: w.actual },
    { date: w.date, series: predicted, value: w.predicted },
  ]);
  const end = new Date(result.calibration_end + 'T00:00:00Z');
  return {
    width,
    height: 260,
    marginLeft: 64,
    marginBottom: 36,
    // About one tick per 110 px, as months (the year under January and the first): full "2023年1月" labels ran together.
    x: { label: null, type: 'utc', ticks: Math.max(2, Math.floor(width / 110)), tickFormat: timeTick(lang) },
    y: { label: t('clv.chart.tracking.y'), grid: true, tickFormat: (v: number) => lang.compact(v) },
    color: { legend: true, domain: [actual, predicted], range: ['#1c2430', CLV_MODEL_COLORS[result.model]] },
    style: { fontSize: '12px' },
    marks: [
      Plot.ruleX([end], { stroke: '#9aa5b1', strokeDasharray: '4 3' }),
      Plot.text([end], { x: (d: Date) => d, frameAnchor: 'top', text: () => t('clv.chart.calibration_end'), dx: -4, textAnchor: 'end', fill: 'var(--muted)', fontSize: 11 }),
      Plot.line(data.filter((d) => d.series === predicted), { x: 'date', y: 'value', stroke: 'series', strokeWidth: 2, strokeDasharray: '6 3' }),
      Plot.line(data.filter((d) => d.series === actual), { x: 'date', y: 'value', stroke: 'series', strokeWidth: 2 }),
      Plot.tip(
        data,
        Plot.pointerX({ x: 'date', y: 'value', stroke: 'series', format: { x: (d: Date) => lang.day(d.toISOString().slice(0, 10)), y: (v: number) => lang.int(v), stroke: true } }),
      ),
      Plot.ruleY([0]),
    ],
  };
}

/** Mean CLV per group (acquisition channel or region), with the customers of each. */
export function clvGroups(groups: ClvGroup[], width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const data = groups.map((g) => ({ ...g, name: g.group ?? t('clv.group.unknown') }));
  const longest = Math.max(4, ...data.map((d) => d.name.length));
  const marginLeft = Math.min(160, 16 + longest * (lang.locale === 'zh' ? 13 : 7));
  const marginRight = 120;
  return {
    // Never narrower than the margins plus room for the bars: a squeezed container would give bars a negative width.
    width: Math.max(width, marginLeft + marginRight + 160),
    height: 36 + data.length * 30,
    marginLeft,
    marginRight,
    x: { label: t('clv.chart.group.x'), grid: true, tickFormat: (v: number) => lang.compact(v) },
    y: { label: null, domain: data.map((d) => d.name) },
    style: { fontSize: '12px' },
    marks: [
      Plot.barX(data, { x: 'mean', y: 'name', fill: 'var(--accent)', fillOpacity: 0.85, tip: { format: { x: (v: number) => lang.money(v) } } }),
      Plot.text(data, {
        x: 'mean',
        y: 'name',
        text: (d: ClvGroup) => t('clv.chart.group.label', { mean: lang.money(d.mean), n: lang.int(d.customers) }),
        textAnchor: 'start',
        dx: 5,
        fontSize: 11,
        fill: 'var(--muted)',
      }),
      Plot.ruleX([0]),
    ],
  };
}
