/** The clusters cell's charts: customers on two chosen R/F/M axes coloured by cluster, and the elbow of inertia by k. */
import * as Plot from '@observablehq/plot';
import type { Lang } from '../i18n/lang.ts';
import type { ClusterFeature, ClusterPoint, ClusterProfile, ElbowResult } from '../models/clusters.ts';
import { CLUSTER_COLORS } from './palette.ts';

const FIELD: Record<ClusterFeature, keyof ClusterPoint> = { recency: 'recency_days', frequency: 'frequency', monetary: 'monetary' };

/** A cluster's name in the language of `lang`. */
export const clusterName = (p: { name_zh: string; name_en: string }, lang: Lang) => (lang.locale === 'zh' ? p.name_zh : p.name_en);

/** A cluster's label in the legend and the lists: its number and its name. */
export const clusterLabel = (p: ClusterProfile, lang: Lang) => `${p.cluster} · ${clusterName(p, lang)}`;

/** A small stable offset (±6 % on a log axis) so customers with the same whole-number value do not hide each other. */
function jitter(id: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 16777619);
  return Math.exp((((h >>> 0) % 1000) / 1000 - 0.5) * 0.12);
}

/** Ticks at 1, 2, 5 × 10ⁿ inside [lo, hi], or only at powers of ten when that would crowd the axis. */
function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0 && Number.isFinite(hi))) return [];
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) for (const m of [1, 2, 5]) out.push(m * 10 ** e);
  const inside = out.filter((v) => v >= lo && v <= hi);
  return inside.length > 9 ? inside.filter((v) => Number.isInteger(Math.log10(v))) : inside;
}

/** The sampled customers on two of R, F and M (log axes), coloured by cluster. */
export function clusterScatter(
  fit: { profiles: ClusterProfile[]; sample: ClusterPoint[] },
  axes: { x: ClusterFeature; y: ClusterFeature },
  width: number,
  lang: Lang,
): Plot.PlotOptions {
  const { t } = lang;
  const labels = fit.profiles.map((p) => clusterLabel(p, lang));
  const xf = FIELD[axes.x];
  const yf = FIELD[axes.y];
  const integer = (a: ClusterFeature) => a !== 'monetary';
  // Positions are log10 of the values on linear scales (Plot's log scale hides some tick labels).
  const points = fit.sample
    .filter((p) => (p[xf] as number) > 0 && (p[yf] as number) > 0)
    .map((p) => ({
      ...p,
      label: labels[p.cluster - 1],
      px: Math.log10((p[xf] as number) * (integer(axes.x) ? jitter(p.customer_id, 1) : 1)),
      py: Math.log10((p[yf] as number) * (integer(axes.y) ? jitter(p.customer_id, 2) : 1)),
    }));
  const fmt = (a: ClusterFeature) => (v: number) => (a === 'monetary' ? lang.compact(10 ** v) : lang.int(10 ** v));
  const ticks = (key: 'px' | 'py') => logTicks(10 ** Math.min(...points.map((p) => p[key])), 10 ** Math.max(...points.map((p) => p[key]))).map(Math.log10);
  return {
    width,
    height: 380,
    marginLeft: 60,
    marginBottom: 44,
    x: { label: t(`clusters.feature.${axes.x}`), labelAnchor: 'center', tickFormat: fmt(axes.x), ticks: ticks('px'), grid: true },
    y: { label: t(`clusters.feature.${axes.y}`), labelAnchor: 'center', tickFormat: fmt(axes.y), ticks: ticks('py'), grid: true },
    color: { domain: labels, range: CLUSTER_COLORS, legend: true, label: t('clusters.cluster') },
    style: { fontSize: '12px' },
    marks: [
      Plot.dot(points, {
        x: 'px',
        y: 'py',
        fill: 'label',
        r: 2.4,
        fillOpacity: 0.55,
        channels: {
          [t('clusters.customer_id')]: 'customer_id',
          [t('clusters.feature.recency')]: 'recency_days',
          [t('clusters.feature.frequency')]: 'frequency',
          [t('clusters.feature.monetary')]: 'monetary',
        },
        // Money is formatted only for the point under the pointer, not for every point drawn.
        tip: {
          format: {
            x: false,
            y: false,
            fill: true,
            [t('clusters.customer_id')]: true,
            [t('clusters.feature.recency')]: true,
            [t('clusters.feature.frequency')]: true,
            [t('clusters.feature.monetary')]: (v: number) => lang.money(v),
          },
        },
      }),
    ],
  };
}

/** Inertia by number of clusters, with the chosen k circled. */
export function clusterElbow(points: ElbowResult['points'], k: number, width: number, lang: Lang): Plot.PlotOptions {
  const chosen = points.filter((p) => p.k === k);
  return {
    width: Math.min(width, 460),
    height: 260,
    marginLeft: 60,
    marginBottom: 44,
    x: { label: lang.t('clusters.elbow.x'), labelAnchor: 'center', ticks: points.map((p) => p.k), tickFormat: (v: number) => String(v) },
    y: { label: lang.t('clusters.elbow.y'), grid: true, zero: true, tickFormat: (v: number) => lang.compact(v) },
    style: { fontSize: '12px' },
    marks: [
      Plot.line(points, { x: 'k', y: 'inertia', stroke: 'var(--accent)', strokeWidth: 2 }),
      Plot.dot(points, { x: 'k', y: 'inertia', fill: 'var(--accent)', r: 3.5, tip: { format: { y: (v: number) => lang.num(v, 1) } } }),
      Plot.dot(chosen, { x: 'k', y: 'inertia', r: 7, fill: 'none', stroke: '#e0892b', strokeWidth: 2.5 }),
      Plot.ruleY([0]),
    ],
  };
}

/** A cluster as the centres chart needs it: its number, names, customers and mean recency, frequency and spend. */
export type ClusterCentre = Pick<ClusterProfile, 'cluster' | 'size' | 'name_zh' | 'name_en' | 'recency_days' | 'frequency' | 'monetary'>;

/**
 * Each cluster's means on two of R, F and M (log axes, as the scatter), sized by its customers: the clusters
 * without a single customer's point, for a report.
 */
export function clusterCentres(centres: ClusterCentre[], axes: { x: ClusterFeature; y: ClusterFeature }, width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const labels = centres.map((p) => clusterLabel(p as ClusterProfile, lang));
  const points = centres
    .map((p, i) => ({ ...p, label: labels[i], vx: p[FIELD[axes.x] as keyof ClusterCentre] as number, vy: p[FIELD[axes.y] as keyof ClusterCentre] as number }))
    .filter((p) => p.vx > 0 && p.vy > 0)
    .map((p) => ({ ...p, px: Math.log10(p.vx), py: Math.log10(p.vy) }));
  const fmt = (a: ClusterFeature) => (v: number) => (a === 'monetary' ? lang.compact(10 ** v) : lang.int(10 ** v));
  // A decade of room around the centres, so the axes read as the scatter's do.
  const span = (key: 'px' | 'py') => [Math.min(...points.map((p) => p[key])) - 0.3, Math.max(...points.map((p) => p[key])) + 0.3];
  const ticks = (key: 'px' | 'py') => (points.length ? logTicks(10 ** span(key)[0], 10 ** span(key)[1]).map(Math.log10) : []);
  return {
    width,
    height: 340,
    marginLeft: 60,
    marginBottom: 44,
    x: { label: t(`clusters.feature.${axes.x}`), labelAnchor: 'center', tickFormat: fmt(axes.x), ticks: ticks('px'), domain: points.length ? span('px') : undefined, grid: true },
    y: { label: t(`clusters.feature.${axes.y}`), labelAnchor: 'center', tickFormat: fmt(axes.y), ticks: ticks('py'), domain: points.length ? span('py') : undefined, grid: true },
    r: { range: [6, 28] },
    color: { domain: labels, range: CLUSTER_COLORS, legend: true, label: t('clusters.cluster') },
    style: { fontSize: '12px' },
    marks: [
      Plot.dot(points, { x: 'px', y: 'py', r: 'size', fill: 'label', fillOpacity: 0.6, stroke: 'label' }),
      Plot.text(points, { x: 'px', y: 'py', text: (p: ClusterCentre) => String(p.cluster), fontSize: 11, fontWeight: 'bold', fill: '#1c2430' }),
    ],
  };
}
