/** The Pareto/ABC cell in a report: the headline numbers, the Lorenz curve, the class table and the class mix. */
import { abcCurve, abcMix } from '../../charts/abc.ts';
import { ABC_COLORS } from '../../charts/palette.ts';
import type { AbcClass, AbcClassRow, AbcShare, AbcSummary } from '../../models/abc.ts';
import { chart, count, h, kpis, sub, t, table, value, type RenderContext } from '../dom.ts';

export function abcReport(d: AbcShare, r: RenderContext): Node[] {
  const { lang } = r;
  const className = (c: AbcClass) => t(r, `abc.class.${c}`);
  // The chart specs take the cell's rows; a hidden class keeps its place without bars.
  const classes = d.classes.map(([cls, customers, share, revenue, revenue_share, monetary]) => ({
    class: cls,
    customers: typeof customers === 'number' ? customers : null,
    share,
    revenue,
    revenue_share,
    monetary,
  })) as unknown as AbcClassRow[];
  const pct = (v: number | null) => value(r, v, (x) => lang.pct(x));
  const nodes: Node[] = [
    h(r, 'p', { class: 'sub' }, t(r, 'abc.sub', { a: lang.pct(d.cut_a, 0), b: lang.pct(d.cut_b, 0) })),
    kpis(r, [
      [t(r, 'abc.top20'), pct(d.top20_share)],
      [t(r, 'abc.share_for_80'), pct(d.share_for_80)],
      [t(r, 'abc.gini'), value(r, d.gini, (v) => lang.num(v, 3)), t(r, 'abc.gini.note')],
      [t(r, 'abc.customers'), count(r, d.customers)],
    ]),
  ];
  if (d.curve && d.top20_point) {
    const [x, y] = d.top20_point;
    const summary = {
      top20_point: { customer_share: x, revenue_share: y },
      // The class bands stand on the classes' shares of customers: left out when one of them is hidden.
      classes: classes.some((c) => c.share === null) ? [] : classes,
      lorenz: d.curve.map(([customer_share, revenue_share]) => ({ customer_share, revenue_share })),
    } as unknown as AbcSummary;
    nodes.push(chart(r, abcCurve(summary, r.width, lang), t(r, 'abc.curve')));
  }
  nodes.push(
    table(
      r,
      [t(r, 'abc.class'), t(r, 'abc.customers'), t(r, 'abc.share'), t(r, 'abc.revenue'), t(r, 'abc.revenue_share'), t(r, 'abc.monetary')],
      d.classes.map(([cls, customers, share, revenue, revenueShare, monetary]) => [
        className(cls),
        count(r, customers),
        pct(share),
        value(r, revenue, (v) => lang.money(v, true)),
        pct(revenueShare),
        value(r, monetary, (v) => lang.money(v)),
      ]),
      [false, true, true, true, true, true],
    ),
    chart(r, abcMix(classes.filter((c) => c.share !== null), r.width, lang), t(r, 'abc.mix')),
  );
  // The class column carries its swatch, as in the cell.
  const cells = (nodes[nodes.length - 2] as HTMLElement).querySelectorAll('tbody tr td:first-child');
  cells.forEach((td, i) => td.insertBefore(h(r, 'span', { class: 'swatch', style: `background:${ABC_COLORS[d.classes[i][0]]}` }), td.firstChild));
  if (d.list) nodes.push(sub(r, t(r, 'abc.report.list')), table(r, [t(r, 'abc.customer_id'), t(r, 'abc.class')], d.list.map(([id, cls]) => [id, cls])));
  return nodes;
}
