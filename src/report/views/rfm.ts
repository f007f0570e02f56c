/** The RFM cell in a report: the rule, the segment table, the R × F heat map and the segment chart of the cell. */
import * as Plot from '@observablehq/plot';
import { rfmHeatmap, rfmSegments } from '../../charts/rfm.ts';
import { segmentAction, segmentName } from '../../i18n/segments.ts';
import type { RfmShare, RfmSummary, SegmentRow } from '../../models/rfm.ts';
import { chart, count, countValue, h, sub, t, table, value, type RenderContext } from '../dom.ts';

export function rfmReport(d: RfmShare, r: RenderContext): Node[] {
  const { lang } = r;
  const name = (s: string) => segmentName(s, lang.locale);
  const rule =
    d.scheme === 'en'
      ? t(r, 'rfm.rule.grid')
      : d.means === null
        ? ''
        : d.high === 'value'
          ? t(r, 'rfm.rule.value', { r: lang.num(d.means[0]), f: lang.num(d.means[1], 2), m: lang.money(d.means[2]) })
          : t(r, 'rfm.rule.score', { r: lang.num(d.means[0], 2), f: lang.num(d.means[1], 2), m: lang.num(d.means[2], 2) });
  // The chart specs take the cell's rows; a hidden segment keeps its row in the chart, without bars.
  const rows = d.segments.map(([segment, customers, share, revenue_share, recency_days, frequency, monetary]) => ({
    segment,
    customers: countValue(customers),
    share,
    revenue_share,
    recency_days,
    frequency,
    monetary,
    revenue: null,
  })) as unknown as SegmentRow[];
  const grid: RfmSummary['grid'] = [];
  const hidden: { r: number; f: number }[] = [];
  d.grid.forEach((row, i) =>
    row.forEach((c, j) => {
      const n = countValue(c);
      if (n === null) hidden.push({ r: i + 1, f: j + 1 });
      else if (n > 0) grid.push({ r: i + 1, f: j + 1, customers: n, monetary: 0 });
    }),
  );
  const heatmap = rfmHeatmap(grid, r.width, lang);
  // A cell under the threshold reads "< n" where the cell writes its count.
  if (hidden.length) heatmap.marks = [...(heatmap.marks ?? []), Plot.text(hidden, { x: 'f', y: 'r', text: () => t(r, 'report.below', { n: lang.int(r.report.minGroup) }), fontSize: 11, fill: 'var(--muted)' })];
  const pct = (v: number | null) => value(r, v, (x) => lang.pct(x));
  const segmentTable = table(
    r,
    [t(r, 'rfm.segment'), t(r, 'rfm.customers'), t(r, 'rfm.share'), t(r, 'rfm.revenue_share'), t(r, 'rfm.recency'), t(r, 'rfm.frequency'), t(r, 'rfm.monetary_col'), t(r, 'rfm.action')],
    d.segments.map(([segment, customers, share, revenueShare, recency, frequency, monetary]) => [
      name(segment),
      count(r, customers),
      pct(share),
      pct(revenueShare),
      value(r, recency, (v) => lang.num(v, 0)),
      value(r, frequency, (v) => lang.num(v, 1)),
      value(r, monetary, (v) => lang.money(v)),
      segmentAction(segment, lang.locale),
    ]),
    [false, true, true, true, true, true, true, false],
  );
  // Segment names stay on one line, as in the cell.
  segmentTable.querySelectorAll('tbody tr td:first-child').forEach((td) => td.setAttribute('class', 'name'));
  const nodes: Node[] = [
    h(r, 'p', { class: 'sub' }, `${t(r, 'rfm.scheme')}: ${t(r, d.scheme === 'cn' ? 'rfm.scheme.cn' : 'rfm.scheme.en')} · ${t(r, 'rfm.report.customers', { n: count(r, d.customers) })}`),
    rule ? h(r, 'p', { class: 'sub' }, rule) : null,
    segmentTable,
    chart(r, heatmap, t(r, 'rfm.heatmap')),
    chart(r, rfmSegments(rows, r.width, lang), t(r, 'rfm.chart')),
  ].filter((n): n is HTMLElement => n !== null);
  if (d.list) {
    nodes.push(
      sub(r, t(r, 'rfm.report.list')),
      table(r, [t(r, 'rfm.customer_id'), t(r, 'rfm.segment')], d.list.map(([id, segment]) => [id, name(segment)])),
    );
  }
  return nodes;
}
