/** A SQL cell in a report: the statement, the first rows of its result and its chart, drawn from those rows. */
import { chartFits, columnRole, numberText, sqlChart } from '../../charts/sql.ts';
import { chart, h, t, table, type RenderContext } from '../dom.ts';
import type { SqlShare } from '../sql.ts';

export function sqlReport(d: SqlShare, r: RenderContext): Node[] {
  const columns = d.columns.map(([name, type]) => ({ name, type }));
  const numeric = columns.map((c) => columnRole(c.type) === 'number');
  const body = d.rows.map((row) => row.map((v) => (v === null ? t(r, 'sql.null') : typeof v === 'number' ? numberText(r.lang, v) : String(v))));
  const out: Node[] = [
    h(r, 'pre', { class: 'sql' }, d.sql),
    h(r, 'p', { class: 'sub' }, t(r, 'sql.report.rows', { n: r.lang.int(d.rows.length), shown: r.lang.int(d.shown), more: d.truncated ? t(r, 'sql.report.more') : '' })),
    table(r, columns.map((c) => c.name), body, numeric),
  ];
  if (d.chart && chartFits(columns, d.chart) && d.rows.length) {
    out.push(chart(r, sqlChart({ columns, rows: d.rows }, d.chart, r.width, r.lang), t(r, 'sql.chart.caption', { x: d.chart.x, y: d.chart.y })));
  }
  return out;
}
