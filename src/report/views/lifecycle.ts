/**
 * The lifecycle cell in a report: the stages at the as-of date, the stages month by month, the latest month's
 * transitions, the reactivations and the lead funnel, with the cell's charts.
 */
import { FLOW_SOURCES, lifecycleFlow, lifecycleFunnel, lifecycleReactivation, lifecycleTrend, type FlowSource } from '../../charts/lifecycle.ts';
import { SLIPPING_COLOR, STAGE_COLORS } from '../../charts/palette.ts';
import type { FunnelResult } from '../../models/funnel.ts';
import { STAGES, type LifecycleShare, type MonthStages, type Stage, type Transition } from '../../models/lifecycle.ts';
import { chart, count, countValue, h, sub, t, table, value, type RenderContext } from '../dom.ts';

const prevMonthOf = (month: string) => {
  const [y, m] = month.split('-').map(Number);
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
};

export function lifecycleReport(d: LifecycleShare, r: RenderContext): Node[] {
  const { lang } = r;
  const w = d.windows;
  const stageName = (s: Stage) => t(r, `lifecycle.stage.${s}`);
  const label = (s: FlowSource) => (s === 'none' ? t(r, 'lifecycle.flow.none') : stageName(s));
  const rule = (s: Stage) =>
    s === 'new'
      ? t(r, 'lifecycle.rule.new', { n: w.newDays })
      : s === 'active'
        ? t(r, 'lifecycle.rule.active', { n: w.activeDays })
        : s === 'at_risk'
          ? t(r, 'lifecycle.rule.at_risk', { from: w.activeDays + 1, n: w.atRiskDays })
          : s === 'dormant'
            ? t(r, 'lifecycle.rule.dormant', { from: w.atRiskDays + 1, n: w.dormantDays })
            : t(r, 'lifecycle.rule.churned', { n: w.dormantDays });
  const pct = (v: number | null) => value(r, v, (x) => lang.pct(x));
  const dot = (color: string) => h(r, 'span', { class: 'swatch', style: `background:${color}` });
  const total = countValue(d.customers);
  const slipping = countValue(d.slipping);

  const stageTable = h(
    r,
    'div',
    { class: 'table-box' },
    h(
      r,
      'table',
      {},
      h(r, 'thead', {}, h(r, 'tr', {}, [t(r, 'lifecycle.col.stage'), t(r, 'lifecycle.customers'), t(r, 'lifecycle.report.of_customers'), t(r, 'lifecycle.report.of_revenue'), t(r, 'lifecycle.report.rule')].map((c, i) => h(r, 'th', i > 0 && i < 4 ? { class: 'num' } : {}, c)))),
      h(
        r,
        'tbody',
        {},
        d.stages.map(([stage, customers, share, revenueShare]) =>
          h(r, 'tr', {}, h(r, 'td', { class: 'name' }, dot(STAGE_COLORS[stage]), stageName(stage)), h(r, 'td', { class: 'num' }, count(r, customers)), h(r, 'td', { class: 'num' }, pct(share)), h(r, 'td', { class: 'num' }, pct(revenueShare)), h(r, 'td', {}, rule(stage))),
        ),
        h(
          r,
          'tr',
          {},
          h(r, 'td', { class: 'name' }, dot(SLIPPING_COLOR), t(r, 'lifecycle.slipping')),
          h(r, 'td', { class: 'num' }, count(r, d.slipping)),
          h(r, 'td', { class: 'num' }, pct(total && slipping !== null ? slipping / total : slipping === null ? null : 0)),
          h(r, 'td', { class: 'num' }, t(r, 'report.hidden')),
          h(r, 'td', {}, t(r, 'lifecycle.slipping.rule')),
        ),
      ),
    ),
  );

  // The chart specs take the cell's month rows; hidden counts are left out of the bars (null).
  const months = d.months.map(([month, ...counts]) => {
    const row: Record<string, unknown> = { month, acquired: null, reactivated: countValue(counts[5]) };
    STAGES.forEach((s, i) => (row[s] = countValue(counts[i])));
    return row as unknown as MonthStages;
  });
  const hiddenNote = h(r, 'p', { class: 'sub' }, t(r, 'lifecycle.report.hidden', { n: lang.int(r.report.minGroup) }));
  const nodes: Node[] = [h(r, 'p', { class: 'sub' }, t(r, 'lifecycle.sub', { asof: lang.day(d.as_of) })), stageTable];
  if (months.length) {
    nodes.push(sub(r, t(r, 'lifecycle.trend')), h(r, 'p', { class: 'sub' }, t(r, 'lifecycle.trend.note')), chart(r, lifecycleTrend(months, r.width, lang), t(r, 'lifecycle.trend')));
    if (d.months.some((m) => m.slice(1, 6).some((c) => countValue(c as LifecycleShare['customers']) === null))) nodes.push(hiddenNote);
  }
  if (d.flow) {
    const flow = d.flow;
    const flows: Transition[] = flow.flows.flatMap(([from, to, c]) => (typeof c === 'number' ? [{ month: flow.month, from, to, customers: c }] : []));
    const cellOf = (from: FlowSource, to: Stage) => flow.flows.find((f) => f[0] === from && f[1] === to)?.[2] ?? 0;
    const sources = FLOW_SOURCES.filter((from) => flow.flows.some((f) => f[0] === from));
    nodes.push(
      sub(r, t(r, 'lifecycle.flow')),
      h(r, 'p', { class: 'sub' }, t(r, 'lifecycle.flow.note', { prev: lang.month(prevMonthOf(flow.month)), month: lang.month(flow.month) })),
      h(r, 'p', {}, t(r, 'lifecycle.flow.summary', { acquired: count(r, flow.acquired), down: count(r, flow.down), up: count(r, flow.up) })),
      chart(r, lifecycleFlow(flows, r.width, lang), t(r, 'lifecycle.flow')),
      table(
        r,
        [t(r, 'lifecycle.flow.matrix'), ...STAGES.map(stageName)],
        sources.map((from) => [label(from), ...STAGES.map((to) => {
          const c = cellOf(from, to);
          return c === 0 ? '·' : count(r, c);
        })]),
        [false, ...STAGES.map(() => true)],
      ),
    );
  }
  if (months.length) {
    nodes.push(
      sub(r, t(r, 'lifecycle.reactivated')),
      h(r, 'p', { class: 'sub' }, t(r, 'lifecycle.reactivated.note', { days: lang.int(d.reactivation_days), total: lang.int(d.reactivated) })),
      chart(r, lifecycleReactivation(months, r.width, lang), t(r, 'lifecycle.reactivated')),
    );
    if (d.months.some((m) => countValue(m[6]) === null)) nodes.push(hiddenNote.cloneNode(true));
  }
  if (d.funnel) {
    const f = d.funnel;
    const name = (s: FunnelResult['stages'][number]['stage']) => t(r, `lifecycle.fstage.${s}`);
    const funnel = {
      sources: { customers: true, events: f.events },
      loyal_purchases: f.loyal_purchases,
      people: countValue(f.people) ?? 0,
      // A hidden count draws no bar: reached 0.
      stages: f.stages.map(([stage, reached]) => ({ stage, reached: countValue(reached) ?? 0, furthest: 0, conversion: null, median_days: null, timed: 0 })),
      events: [],
    } satisfies FunnelResult;
    nodes.push(sub(r, t(r, 'lifecycle.funnel')), h(r, 'p', { class: 'sub' }, t(r, 'lifecycle.funnel.note')));
    if (!f.events) nodes.push(h(r, 'p', { class: 'sub' }, t(r, 'lifecycle.funnel.no_events')));
    nodes.push(
      chart(r, lifecycleFunnel(funnel, r.width, lang), t(r, 'lifecycle.funnel')),
      table(
        r,
        [t(r, 'lifecycle.funnel.stage'), t(r, 'lifecycle.funnel.reached'), t(r, 'lifecycle.funnel.furthest'), t(r, 'lifecycle.funnel.conversion'), t(r, 'lifecycle.funnel.median')],
        f.stages.map(([stage, reached, furthest, conversion, median, timed]) => [
          `${name(stage)} — ${t(r, `lifecycle.fdef.${stage}`, { n: f.loyal_purchases })}`,
          count(r, reached),
          count(r, furthest),
          pct(conversion),
          median === null ? t(r, 'report.hidden') : `${t(r, 'lifecycle.funnel.median_days', { n: lang.num(median, median % 1 ? 1 : 0) })} ${t(r, 'lifecycle.funnel.timed', { n: count(r, timed) })}`,
        ]),
        [false, true, true, true, true],
      ),
      h(r, 'p', { class: 'sub' }, t(r, 'lifecycle.funnel.people', { n: count(r, f.people) })),
    );
  } else {
    nodes.push(sub(r, t(r, 'lifecycle.funnel')), h(r, 'p', { class: 'sub' }, t(r, 'lifecycle.funnel.none')));
  }
  if (d.list) {
    nodes.push(
      sub(r, t(r, 'lifecycle.report.list')),
      table(r, [t(r, 'lifecycle.col.customer'), t(r, 'lifecycle.col.stage')], d.list.map(([id, stage, slip]) => [id, slip ? `${stageName(stage)} · ${t(r, 'lifecycle.slipping')}` : stageName(stage)])),
    );
  }
  return nodes;
}
