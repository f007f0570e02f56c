/** The overview in a report: headline numbers and the monthly charts of the cell. */
import { overviewCounts, overviewRevenue } from '../../charts/overview.ts';
import type { MonthRow, OverviewShare } from '../../models/overview.ts';
import { chart, count, countValue, h, kpis, t, value, type RenderContext } from '../dom.ts';

export function overviewReport(d: OverviewShare, r: RenderContext): Node[] {
  const { lang } = r;
  // Hidden values are left out of the charts (null), as the privacy rule hides them.
  const months = d.months.map(([month, purchases, revenue, customers, fresh]) => ({
    month,
    purchases,
    revenue: revenue as number,
    customers: countValue(customers) as number,
    new_customers: countValue(fresh) as number,
  })) satisfies MonthRow[];
  return [
    h(r, 'p', { class: 'sub' }, t(r, 'overview.period', { from: lang.day(d.first_day), to: lang.day(d.last_day), asof: lang.day(d.as_of) })),
    kpis(r, [
      [t(r, 'overview.customers'), count(r, d.customers)],
      [t(r, 'overview.purchases'), lang.int(d.purchases), d.guest_purchases ? t(r, 'overview.guests', { n: lang.int(d.guest_purchases), value: lang.money(d.guest_revenue, true) }) : ''],
      [t(r, 'overview.revenue'), value(r, d.revenue, (v) => lang.money(v, true)), d.refunds && d.net_revenue !== null ? t(r, 'overview.net_revenue', { value: lang.money(d.net_revenue, true) }) : ''],
      [t(r, 'overview.aov'), value(r, d.average_order_value, (v) => lang.money(v))],
      [t(r, 'overview.repeat'), value(r, d.repeat_rate, (v) => lang.pct(v))],
      [t(r, 'overview.top20'), value(r, d.top20_share, (v) => lang.pct(v))],
    ]),
    chart(r, overviewRevenue(months, r.width, lang), t(r, 'overview.by_month')),
    chart(r, overviewCounts(months, r.width, lang), t(r, 'overview.count')),
  ];
}
