/** The cohorts cell's curves: retention (of customers or revenue) and cumulative revenue per customer, by periods since the first purchase. */
import * as Plot from '@observablehq/plot';
import type { Lang } from '../i18n/lang.ts';
import type { CohortCell, CohortResult } from '../models/cohorts.ts';

/** The matrix and the curves show at most this many (most recent) cohorts; the export has all. */
export const COHORTS_SHOWN = 36;
/** Recent cohorts drawn in colour in the curves. */
const HIGHLIGHT = 4;
const PALETTE = ['#1f5f8b', '#e0892b', '#2c7a4b', '#8e44ad'];

export type CohortMeasure = 'customers' | 'revenue';

/** The measure a cell shows: retention of customers, or of first-period revenue. */
export const cohortValue = (measure: CohortMeasure) => (c: CohortCell) => (measure === 'customers' ? c.retention : c.revenue_retention);

/** The cohorts of the matrix: the latest ones. */
export const shownCohorts = (result: CohortResult) => result.cohorts.slice(-COHORTS_SHOWN);

/** The latest cohorts that have at least one period after the first: the curves' coloured lines. */
export function highlightedCohorts(result: CohortResult): string[] {
  return result.cohorts
    .filter((c) => c.periods > 1)
    .slice(-HIGHLIGHT)
    .map((c) => c.cohort);
}

/**
 * Size-weighted mean of a per-cell measure by period, over the cohorts that reached the period; drawn
 * only where at least three cohorts (or all, when there are fewer) contribute, as one old cohort alone
 * is not an average.
 */
function averageCurve(result: CohortResult, y: (c: CohortCell) => number | null, fromPeriod: number) {
  const sums = new Map<number, { w: number; v: number; n: number }>();
  for (const c of result.cells) {
    const v = y(c);
    if (c.period < fromPeriod || v === null) continue;
    const s = sums.get(c.period) ?? { w: 0, v: 0, n: 0 };
    s.n++;
    s.w += c.size;
    s.v += v * c.size;
    sums.set(c.period, s);
  }
  const enough = Math.min(3, result.cohorts.length);
  return [...sums].filter(([, s]) => s.n >= enough).map(([period, s]) => ({ period, value: s.v / s.w }));
}

function curves(result: CohortResult, width: number, lang: Lang, y: (c: CohortCell) => number | null, yLabel: string, fromPeriod: number, format: (v: number) => string): Plot.PlotOptions {
  const { t } = lang;
  const shown = shownCohorts(result);
  const periods = Math.max(0, ...shown.map((c) => c.periods));
  const highlighted = highlightedCohorts(result);
  // The cohorts of the matrix (the latest ones): older lines would only add noise.
  const inMatrix = new Set(shown.map((c) => c.cohort));
  const cells = result.cells.filter((c) => c.period >= fromPeriod && y(c) !== null && inMatrix.has(c.cohort));
  const avgLabel = t('cohorts.average');
  const olderLabel = t('cohorts.older');
  const recent = new Set(highlighted);
  const older = cells.filter((c) => !recent.has(c.cohort));
  const hot = cells.filter((c) => recent.has(c.cohort));
  const average = averageCurve(result, y, fromPeriod);
  const domain = [...highlighted, avgLabel, ...(older.length ? [olderLabel] : [])];
  const range = [...PALETTE.slice(0, highlighted.length), '#1c2430', ...(older.length ? ['#c5ced8'] : [])];
  return {
    width: Math.max(width, 360),
    height: 280,
    marginLeft: 64,
    marginBottom: 40,
    x: { label: t('cohorts.curves.x', { per: t(`cohorts.per.${result.unit}`), after: t(`cohorts.after.${result.unit}`) }), tickFormat: 'd', ticks: Math.min(12, periods), labelAnchor: 'center', labelArrow: 'none' },
    y: { label: yLabel, grid: true, tickFormat: format, zero: true },
    color: { legend: true, domain, range },
    marks: [
      Plot.ruleY([0]),
      Plot.lineY(older, { x: 'period', y: (c: CohortCell) => y(c), z: 'cohort', stroke: () => olderLabel, strokeWidth: 1, strokeOpacity: inMatrix.size > 16 ? 0.35 : 0.6 }),
      Plot.lineY(hot, { x: 'period', y: (c: CohortCell) => y(c), z: 'cohort', stroke: 'cohort', strokeWidth: 2.2, marker: hot.length < 60 ? 'dot' : undefined }),
      Plot.lineY(average, { x: 'period', y: 'value', stroke: () => avgLabel, strokeWidth: 2, strokeDasharray: '5 3' }),
      Plot.tip(
        cells,
        Plot.pointer({
          x: 'period',
          y: (c: CohortCell) => y(c),
          title: (c: CohortCell) => `${c.cohort} · ${t('cohorts.period', { k: c.period })}\n${format(y(c) ?? 0)}`,
        }),
      ),
    ],
  };
}

/** Retention curves of the recent cohorts in colour, older ones in grey, and the weighted average dashed. */
export function cohortRetention(result: CohortResult, measure: CohortMeasure, width: number, lang: Lang): Plot.PlotOptions {
  const label = lang.t(measure === 'customers' ? 'cohorts.curves.y.customers' : 'cohorts.curves.y.revenue');
  return curves(result, width, lang, cohortValue(measure), label, 1, (v) => lang.pct(v, 0));
}

/** Cumulative revenue per cohort customer, from the first period on. */
export function cohortCumulative(result: CohortResult, width: number, lang: Lang): Plot.PlotOptions {
  return curves(result, width, lang, (c) => c.cumulative_revenue_per_customer, lang.t('cohorts.cumulative.y'), 0, (v) => lang.compact(v));
}

const RAMP_LOW = [0xf4, 0xf8, 0xfb];
const RAMP_HIGH = [0x1f, 0x5f, 0x8b];

/**
 * The retention matrix's shading (the cell's CohortMatrix.svelte draws the same ramp): period 0 is neutral; later
 * periods go from near white to blue, up to a high quantile (98 %) of their values, blended in RGB.
 */
export function cohortRamp(later: number[]): { max: number; color: (v: number) => string; dark: (v: number) => boolean } {
  const sorted = later.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  const top = sorted.length ? sorted[Math.floor(0.98 * (sorted.length - 1))] : 1;
  const max = top > 0 ? top : 1;
  const color = (v: number) => {
    const u = Math.min(1, Math.max(0, v / max));
    const [r, g, b] = RAMP_LOW.map((lo, i) => Math.round(lo + (RAMP_HIGH[i] - lo) * u));
    return `rgb(${r}, ${g}, ${b})`;
  };
  return { max, color, dark: (v: number) => v > max * 0.55 };
}
