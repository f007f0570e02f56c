/** The cohorts cell in a report: the KPIs, the retention matrix shaded as in the cell (with its legend) and the retention curves. */
import { cohortRamp, cohortRetention, highlightedCohorts } from '../../charts/cohorts.ts';
import type { CohortCell, CohortResult, CohortsShare } from '../../models/cohorts.ts';
import { rampLegend } from '../legend.ts';
import { chart, count, countValue, h, kpis, sub, t, type RenderContext } from '../dom.ts';

export function cohortsReport(d: CohortsShare, r: RenderContext): Node[] {
  const { lang } = r;
  const words = { per: t(r, `cohorts.per.${d.unit}`), after: t(r, `cohorts.after.${d.unit}`) };
  const over = (k: [number, number] | null) => (k ? t(r, 'cohorts.kpi.over', { n: lang.int(k[1]) }) : '');
  // The matrix as the cell's result shape, for the curve spec: retention back from percent, hidden values left out.
  const cohorts = d.rows.map(([cohort, size, ...retention]) => ({ cohort, start: '', size: countValue(size) ?? 0, revenue: 0, periods: retention.length + 1 }));
  const cells: CohortCell[] = d.rows.flatMap(([cohort, size, ...retention]) =>
    retention.map((v, i) => ({
      cohort,
      period: i + 1,
      size: countValue(size) ?? 0,
      active: 0,
      retention: v === null ? (null as unknown as number) : v / 100,
      revenue: 0,
      revenue_retention: null,
      cumulative_revenue_per_customer: 0,
    })),
  );
  const result = { as_of: d.as_of, unit: d.unit, cohorts, cells, average: [] } as CohortResult;
  const ramp = cohortRamp(cells.filter((c) => c.retention !== null).map((c) => c.retention));
  const width = Math.max(0, ...cohorts.map((c) => c.periods));
  const periods = Array.from({ length: width }, (_, k) => k);
  const hidden = t(r, 'report.hidden');
  const pctText = (v: number) => lang.pct(v / 100, v < 10 && v > 0 ? 1 : 0);
  const matrix = h(
    r,
    'div',
    { class: 'table-box' },
    h(
      r,
      'table',
      { class: periods.length > 18 ? 'matrix dense' : 'matrix' },
      h(r, 'thead', {}, h(r, 'tr', {}, h(r, 'th', {}, t(r, 'cohorts.cohort')), h(r, 'th', { class: 'num' }, t(r, 'cohorts.size')), periods.map((k) => h(r, 'th', { class: 'num' }, String(k))))),
      h(
        r,
        'tbody',
        {},
        d.rows.map(([cohort, size, ...retention]) =>
          h(
            r,
            'tr',
            {},
            h(r, 'th', { class: 'mono' }, cohort),
            h(r, 'td', { class: 'num size' }, count(r, size)),
            periods.map((k) => {
              if (k > retention.length) return h(r, 'td', {});
              if (k === 0) return h(r, 'td', { class: 'num first' }, countValue(size) === null ? hidden : pctText(100));
              const v = retention[k - 1];
              if (v === null) return h(r, 'td', { class: 'num' }, hidden);
              const style = `background:${ramp.color(v / 100)}${ramp.dark(v / 100) ? ';color:#fff' : ''}`;
              return h(r, 'td', { class: 'num heat', style }, pctText(v));
            }),
          ),
        ),
      ),
    ),
  );
  const nodes: Node[] = [
    h(r, 'p', { class: 'sub' }, t(r, 'cohorts.sub', { ...words, asof: lang.day(d.as_of) })),
    kpis(r, [
      [t(r, 'cohorts.kpi.cohorts'), lang.int(d.cohorts)],
      [t(r, 'cohorts.kpi.customers'), count(r, d.customers)],
      [t(r, 'cohorts.kpi.p1', words), d.p1 ? lang.pct(d.p1[0]) : hidden, over(d.p1)],
      [t(r, 'cohorts.kpi.p3', words), d.p3 ? lang.pct(d.p3[0]) : hidden, over(d.p3)],
      [t(r, 'cohorts.kpi.ltv', words), d.cumulative3 ? lang.money(d.cumulative3[0]) : hidden, over(d.cumulative3)],
    ]),
    sub(r, t(r, 'cohorts.matrix')),
    h(
      r,
      'p',
      { class: 'sub' },
      t(r, 'cohorts.matrix.note.customers'),
      d.cohorts > d.rows.length ? ' ' + t(r, 'cohorts.report.limited', { n: lang.int(d.rows.length), total: lang.int(d.cohorts) }) : null,
    ),
    matrix,
    rampLegend(r, { title: t(r, 'cohorts.curves.y.customers'), from: 0, to: ramp.max, color: ramp.color, ticks: [0, ramp.max / 2, ramp.max], format: (v) => lang.pct(v, 0) }),
  ];
  if (cells.some((c) => c.retention !== null)) {
    nodes.push(
      h(r, 'p', { class: 'sub' }, t(r, 'cohorts.curves.note', { n: highlightedCohorts(result).length })),
      chart(r, cohortRetention(result, 'customers', r.width, lang), t(r, 'cohorts.curves')),
    );
  }
  return nodes;
}
