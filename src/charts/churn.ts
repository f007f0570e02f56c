/** The churn warning's chart: value at risk by reason (P(alive) low only, slipping only, both), with the customers of each. */
import * as Plot from '@observablehq/plot';
import type { Lang } from '../i18n/lang.ts';
import type { ChurnReason } from '../models/churn.ts';

const REASON_KEY = { low_only: 'churn.report.low_only', slipping_only: 'churn.report.slipping_only', both: 'churn.report.both' } as const;
const REASON_COLOR: Record<ChurnReason, string> = { low_only: '#c8553d', slipping_only: '#e0a030', both: '#8c2f1b' };

/** Bars of value at risk per reason, labelled with the value and the customers; groups without a value are left out. */
export function churnReasons(groups: { reason: ChurnReason; customers: number; value_at_risk: number }[], width: number, lang: Lang): Plot.PlotOptions {
  const { t } = lang;
  const data = groups.map((g) => ({ ...g, name: t(REASON_KEY[g.reason]) }));
  const marginLeft = Math.min(170, 16 + Math.max(4, ...data.map((d) => d.name.length)) * (lang.locale === 'zh' ? 13 : 7));
  const marginRight = 140;
  return {
    width: Math.max(width, marginLeft + marginRight + 160),
    height: 40 + Math.max(1, data.length) * 34,
    marginLeft,
    marginRight,
    x: { label: t('churn.report.chart.x'), grid: true, tickFormat: (v: number) => lang.compact(v) },
    y: { label: null, domain: data.map((d) => d.name) },
    style: { fontSize: '12px' },
    marks: [
      Plot.barX(data, { x: 'value_at_risk', y: 'name', fill: (d: { reason: ChurnReason }) => REASON_COLOR[d.reason], tip: { format: { x: (v: number) => lang.money(v) } } }),
      Plot.text(data, {
        x: 'value_at_risk',
        y: 'name',
        text: (d: { value_at_risk: number; customers: number }) => t('churn.report.chart.label', { value: lang.money(d.value_at_risk, true), n: lang.int(d.customers) }),
        textAnchor: 'start',
        dx: 5,
        fontSize: 11,
        fill: 'var(--muted)',
      }),
      Plot.ruleX([0]),
    ],
  };
}
