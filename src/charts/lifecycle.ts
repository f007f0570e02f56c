/** The lifecycle cell's charts: stages month by month, reactivations by month, the lead funnel and the month's stage transitions. */
import * as Plot from '@observablehq/plot';
import type { Lang } from '../i18n/lang.ts';
import type { FunnelResult, FunnelStageRow } from '../models/funnel.ts';
import { STAGES, type MonthStages, type Stage, type Transition } from '../models/lifecycle.ts';
import { STAGE_COLORS } from './palette.ts';

const monthDate = (m: string) => new Date(m + '-01T00:00:00Z');
/** Month labels on a band axis: every month for a year or so, quarters up to three years, else Januaries. */
const monthTick = (lang: Lang, n: number) => (d: Date) =>
  n <= 14 || d.getUTCMonth() % (n <= 40 ? 3 : 12) === 0 ? lang.month(d.toISOString().slice(0, 7)) : '';

/** Customers in each stage at each month end, stacked. */
export function lifecycleTrend(months: MonthStages[], width: number, lang: Lang): Plot.PlotOptions {
  const stageName = (s: Stage) => lang.t(`lifecycle.stage.${s}`);
  const names = STAGES.map(stageName);
  const data = months.flatMap((m) => STAGES.map((s) => ({ date: monthDate(m.month), stage: stageName(s), customers: m[s] })));
  return {
    width: Math.max(width, 360),
    height: 280,
    marginLeft: 64,
    x: { label: null, type: 'band', tickFormat: monthTick(lang, months.length), padding: 0.12 },
    y: { label: lang.t('lifecycle.customers'), grid: true, tickFormat: (v: number) => lang.compact(v) },
    color: { legend: true, domain: names, range: STAGES.map((s) => STAGE_COLORS[s]) },
    marks: [
      Plot.barY(data, {
        x: 'date',
        y: 'customers',
        fill: 'stage',
        order: names,
        title: (d: { date: Date; stage: string; customers: number }) => `${lang.month(d.date.toISOString().slice(0, 7))} · ${d.stage}: ${lang.int(d.customers)}`,
        tip: true,
      }),
      Plot.ruleY([0]),
    ],
  };
}

/** Customers who came back after a long gap, by month. */
export function lifecycleReactivation(rows: MonthStages[], width: number, lang: Lang): Plot.PlotOptions {
  const months = rows.map((m) => ({ date: monthDate(m.month), reactivated: m.reactivated }));
  return {
    width: Math.max(width, 360),
    height: 200,
    marginLeft: 64,
    x: { label: null, type: 'band', tickFormat: monthTick(lang, months.length) },
    // Whole customers only: few ticks when the counts are small.
    y: { label: lang.t('lifecycle.reactivated.y'), grid: true, ticks: Math.min(5, Math.max(1, ...months.map((m) => m.reactivated))), tickFormat: (v: number) => lang.compact(v) },
    marks: [
      Plot.barY(months, {
        x: 'date',
        y: 'reactivated',
        fill: STAGE_COLORS.active,
        // The tip in words (a title), not under the data's field names.
        title: (d: (typeof months)[number]) => `${lang.month(d.date.toISOString().slice(0, 7))} · ${lang.t('lifecycle.reactivated.y')}: ${lang.int(d.reactivated)}`,
        tip: true,
      }),
      Plot.ruleY([0]),
    ],
  };
}

const FUNNEL_COLORS = ['#b9cde0', '#8fb0cf', '#5f8fbb', '#1f5f8b', '#174a6d'];

/** The lead funnel: one centred bar per stage, as wide as the people who reached it. */
export function lifecycleFunnel(funnel: FunnelResult, width: number, lang: Lang): Plot.PlotOptions {
  const name = (s: FunnelStageRow['stage']) => lang.t(`lifecycle.fstage.${s}`);
  const max = Math.max(1, ...funnel.stages.map((s) => s.reached));
  const names = funnel.stages.map((s) => name(s.stage));
  return {
    width: Math.max(width, 240),
    height: 50 + funnel.stages.length * 46,
    marginLeft: 8,
    marginRight: 8,
    x: { axis: null, domain: [-max / 2, max / 2] },
    y: { axis: null, domain: names, padding: 0.18 },
    color: { domain: names, range: FUNNEL_COLORS.slice(5 - funnel.stages.length) },
    marks: [
      Plot.barX(funnel.stages, {
        x1: (s: FunnelStageRow) => -s.reached / 2,
        x2: (s: FunnelStageRow) => s.reached / 2,
        y: (s: FunnelStageRow) => name(s.stage),
        fill: (s: FunnelStageRow) => name(s.stage),
        rx: 3,
        title: (s: FunnelStageRow) => `${name(s.stage)}: ${lang.int(s.reached)}`,
      }),
      Plot.text(funnel.stages, {
        x: 0,
        y: (s: FunnelStageRow) => name(s.stage),
        text: (s: FunnelStageRow) => `${name(s.stage)}  ${lang.int(s.reached)}`,
        fill: (s: FunnelStageRow) => (s.reached > max * 0.25 && funnel.stages.indexOf(s) >= funnel.stages.length - 3 ? 'white' : 'var(--ink)'),
        fontSize: 13,
        fontWeight: 600,
      }),
    ],
  };
}

export const FLOW_SOURCES = ['none', ...STAGES] as const;
export type FlowSource = (typeof FLOW_SOURCES)[number];
/** Plot-area height in pixels; the y scale maps pixels to pixels. */
const HEIGHT = 300;
const GAP = 10;
const NODE = 0.018;

interface FlowNode {
  stage: FlowSource;
  side: 'from' | 'to';
  value: number;
  y0: number;
  y1: number;
}

/** Customers moving from one stage (or none) to another in one month's flows; null for any. */
export const flowCount = (flows: Transition[], from: FlowSource | null, to: Stage | null) =>
  flows.filter((f) => (from === null || f.from === from) && (to === null || f.to === to)).reduce((s, f) => s + f.customers, 0);

/** Node and band positions in pixels: both columns hold the same customers, stacked with gaps. */
function flowLayout(flows: Transition[], label: (s: FlowSource) => string, lang: Lang) {
  const count = (from: FlowSource | null, to: Stage | null) => flowCount(flows, from, to);
  const total = flows.reduce((s, f) => s + f.customers, 0);
  const left = FLOW_SOURCES.map((s) => ({ stage: s, value: count(s, null) })).filter((n) => n.value > 0);
  const right = STAGES.map((s) => ({ stage: s as FlowSource, value: count(null, s) })).filter((n) => n.value > 0);
  const k = total ? (HEIGHT - GAP * (Math.max(left.length, right.length) - 1)) / total : 0;
  const place = (list: { stage: FlowSource; value: number }[], side: 'from' | 'to'): FlowNode[] => {
    let y = 0;
    return list.map((n) => {
      const node = { ...n, side, y0: y, y1: y + n.value * k };
      y = node.y1 + GAP;
      return node;
    });
  };
  const from = place(left, 'from');
  const to = place(right, 'to');
  const outAt = new Map(from.map((n) => [n.stage, n.y0]));
  const inAt = new Map(to.map((n) => [n.stage, n.y0]));
  const points: { id: string; from: FlowSource; x: number; top: number; bottom: number }[] = [];
  const mids: { x: number; y: number; text: string }[] = [];
  for (const src of FLOW_SOURCES) {
    for (const dst of STAGES) {
      const n = count(src, dst);
      if (!n) continue;
      const a = outAt.get(src)!;
      const b = inAt.get(dst)!;
      const w = n * k;
      outAt.set(src, a + w);
      inAt.set(dst, b + w);
      for (let i = 0; i <= 24; i++) {
        const u = i / 24;
        const s = u * u * (3 - 2 * u);
        points.push({ id: `${src}>${dst}`, from: src, x: NODE + u * (1 - 2 * NODE), top: a + (b - a) * s, bottom: a + w + (b - a) * s });
      }
      mids.push({ x: 0.5, y: (a + b + w) / 2, text: `${label(src)} → ${label(dst)}: ${lang.int(n)}` });
    }
  }
  return { nodes: [...from, ...to], points, mids };
}

/** A Sankey-like flow of one month's transitions: stages at the previous month end on the left, at this one on the right. */
export function lifecycleFlow(flows: Transition[], width: number, lang: Lang): Plot.PlotOptions {
  const label = (s: FlowSource) => (s === 'none' ? lang.t('lifecycle.flow.none') : lang.t(`lifecycle.stage.${s}`));
  const layout = flowLayout(flows, label, lang);
  const nodes = layout.nodes;
  const text = (n: FlowNode) => `${label(n.stage)} ${lang.int(n.value)}`;
  return {
    width: Math.max(width, 480),
    height: HEIGHT + 40,
    marginTop: 20,
    marginBottom: 20,
    marginLeft: lang.locale === 'zh' ? 96 : 132,
    marginRight: lang.locale === 'zh' ? 96 : 132,
    x: { axis: null, domain: [0, 1] },
    y: { axis: null, domain: [0, HEIGHT], range: [20, 20 + HEIGHT] },
    marks: [
      Plot.areaY(layout.points, { x: 'x', y1: 'top', y2: 'bottom', z: 'id', fill: (d: { from: FlowSource }) => STAGE_COLORS[d.from], fillOpacity: 0.38, curve: 'linear' }),
      Plot.rect(nodes, {
        x1: (n: FlowNode) => (n.side === 'from' ? 0 : 1 - NODE),
        x2: (n: FlowNode) => (n.side === 'from' ? NODE : 1),
        y1: 'y0',
        y2: 'y1',
        fill: (n: FlowNode) => STAGE_COLORS[n.stage],
      }),
      Plot.text(
        nodes.filter((n) => n.side === 'from'),
        { x: 0, y: (n: FlowNode) => (n.y0 + n.y1) / 2, text, textAnchor: 'end', dx: -6, fontSize: 12 },
      ),
      Plot.text(
        nodes.filter((n) => n.side === 'to'),
        { x: 1, y: (n: FlowNode) => (n.y0 + n.y1) / 2, text, textAnchor: 'start', dx: 6, fontSize: 12 },
      ),
      Plot.tip(layout.mids, Plot.pointer({ x: 'x', y: 'y', title: 'text', maxRadius: 60 })),
    ],
  };
}
