/** The basket cell's charts: the rules by support × confidence coloured by lift, and the lift of each pair of top items. */
import * as Plot from '@observablehq/plot';
import type { Lang } from '../i18n/lang.ts';
import type { BasketRule } from '../models/basket/index.ts';
import type { Cooccurrence } from '../models/basket/model.ts';

/** A rule as one line of text: {a, b} → {c}. */
export const ruleText = (r: BasketRule) => `{${r.antecedent.join(', ')}} → {${r.consequent[0]}}`;

/** `s` cut in the middle to `n` characters: the start and the end stay, where product variants usually differ. */
const cutMiddle = (s: string, n: number) => {
  const chars = [...s];
  if (chars.length <= n) return s;
  const head = Math.ceil((n - 1) / 2);
  return chars.slice(0, head).join('') + '…' + chars.slice(chars.length - (n - 1 - head)).join('');
};

/**
 * Axis labels for the heat map's items, each at most `n` characters, cut in the middle and lengthened until no two
 * labels read the same ("PLASTERS IN T…" three times said nothing). The full name is in the tip.
 */
export function itemLabels(names: string[], n = 14): Map<string, string> {
  const labels = new Map(names.map((name) => [name, cutMiddle(name, n)]));
  for (let width = n + 2; width <= 80; width += 2) {
    const seen = new Map<string, number>();
    for (const l of labels.values()) seen.set(l, (seen.get(l) ?? 0) + 1);
    const clash = names.filter((name) => (seen.get(labels.get(name)!) ?? 0) > 1);
    if (!clash.length) break;
    for (const name of clash) labels.set(name, cutMiddle(name, width));
  }
  return labels;
}

/** Rules (the first 5,000 given) as dots by support and confidence, coloured by lift on a log scale; the selected rule ringed. */
export function basketScatter(rules: BasketRule[], selected: BasketRule | null, width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const drawn = rules.slice(0, 5000);
  const lifts = drawn.map((r) => r.lift);
  const [lo, hi] = [Math.min(...lifts), Math.max(...lifts)];
  const ticks = [0.5, 1, 2, 3, 5, 10, 20, 50, 100].filter((v) => v >= lo && v <= hi);
  return {
    width,
    height: 320,
    marginLeft: 52,
    marginBottom: 40,
    x: { label: t('basket.col.support') + ' →', tickFormat: (v: number) => lang.pct(v, 1), grid: true, nice: true },
    y: { label: '↑ ' + t('basket.col.confidence'), tickFormat: (v: number) => lang.pct(v, 0), grid: true, nice: true },
    color: { type: 'log', scheme: 'viridis', legend: true, label: t('basket.col.lift'), ticks: ticks.length >= 2 ? ticks : 3, tickFormat: (v: number) => lang.num(v, v < 1 ? 1 : 0) },
    marks: [
      Plot.dot(drawn, {
        x: 'support',
        y: 'confidence',
        fill: 'lift',
        r: drawn.length > 300 ? 2.5 : 4,
        fillOpacity: drawn.length > 300 ? 0.7 : 0.85,
        channels: { rule: { value: ruleText, label: '' }, count: { value: 'count', label: t('basket.col.count') } },
        tip: { format: { x: (v: number) => lang.pct(v, 2), y: (v: number) => lang.pct(v, 1), fill: (v: number) => lang.num(v, 2), count: (v: number) => lang.int(v), rule: true } },
      }),
      selected ? Plot.dot([selected], { x: 'support', y: 'confidence', r: 8, stroke: 'var(--bad)', strokeWidth: 2 }) : null,
    ],
  };
}

/** The top items against each other, each pair coloured by lift around 1 (bought together as often as by chance). */
export function basketHeatmap(co: Cooccurrence, width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const names = co.items.map((i) => i.item);
  const labels = itemLabels(names);
  const size = Math.max(1, names.length);
  const marginLeft = 120;
  const cell = Math.max(18, Math.min(40, (Math.min(width, 560) - marginLeft - 10) / size));
  const together = co.pairs.filter((p) => p.count > 0);
  return {
    width: marginLeft + cell * size + 10,
    height: 110 + cell * size,
    marginLeft,
    marginBottom: 100,
    marginTop: 10,
    x: { domain: names, label: null, tickRotate: -45, tickFormat: (d: string) => labels.get(d) ?? d },
    y: { domain: names, label: null, tickFormat: (d: string) => labels.get(d) ?? d },
    // Lift on a log scale around 1, clamped at 1/8 and 8.
    color: {
      type: 'diverging-log',
      pivot: 1,
      domain: [1 / 8, 8],
      clamp: true,
      scheme: 'rdbu',
      legend: true,
      label: t('basket.col.lift'),
      ticks: [1 / 8, 1 / 4, 1 / 2, 1, 2, 4, 8],
      tickFormat: (v: number) => (v < 1 ? `1/${Math.round(1 / v)}` : String(v)),
    },
    marks: [
      Plot.cell(co.pairs, { x: 'a', y: 'b', fill: '#f1f4f7', inset: 0.5 }),
      Plot.cell(names.map((n) => ({ n })), { x: 'n', y: 'n', fill: '#dfe5eb', inset: 0.5 }),
      Plot.cell(together, {
        x: { value: 'a', label: t('basket.heat.a') },
        y: { value: 'b', label: t('basket.heat.b') },
        fill: 'lift',
        inset: 0.5,
        channels: { count: { value: 'count', label: t('basket.col.count') }, support: { value: 'support', label: t('basket.col.support') } },
        tip: { format: { fill: (v: number) => lang.num(v, 2), count: (v: number) => lang.int(v), support: (v: number) => lang.pct(v, 2), x: true, y: true } },
      }),
      cell >= 30
        ? Plot.text(together, { x: 'a', y: 'b', text: (d: { count: number }) => lang.compact(d.count), fontSize: 9, fill: (d: { lift: number }) => (d.lift > 4 || d.lift < 0.25 ? 'white' : 'black') })
        : null,
    ],
  };
}
