/**
 * Customer clusters in a report: the cell's profile table (small clusters masked), the clusters' centres sized by
 * their customers instead of the cell's scatter of customers, the elbow, and the members only when opted in.
 */
import { clusterCentres, clusterElbow, clusterName, type ClusterCentre } from '../../charts/clusters.ts';
import { clusterName as nameOf, numberedName } from '../../models/cluster-names.ts';
import type { ClustersShare } from '../../models/clusters.ts';
import { chart, count, countValue, h, sub, t, table, value, type RenderContext } from '../dom.ts';

export function clustersReport(d: ClustersShare, r: RenderContext): Node[] {
  const { lang } = r;
  // Names as the cell gives them: from the levels, numbered when one repeats.
  const seen = new Map<string, number>();
  const both = new Map(d.profiles.map(([cluster, [f, m, activity, oneTime]]) => [cluster, numberedName(seen, nameOf(f, m, activity, oneTime))]));
  const names = new Map([...both].map(([cluster, n]) => [cluster, clusterName({ name_zh: n.zh, name_en: n.en }, lang)]));
  const out: Node[] = [
    h(r, 'p', { class: 'sub' }, t(r, 'clusters.sub', { n: count(r, d.customers), k: d.k })),
    table(
      r,
      [
        t(r, 'clusters.cluster'),
        t(r, 'clusters.name'),
        t(r, 'clusters.customers'),
        t(r, 'clusters.share'),
        t(r, 'clusters.revenue_share'),
        t(r, 'clusters.recency'),
        t(r, 'clusters.frequency'),
        t(r, 'clusters.monetary'),
        t(r, 'clusters.levels'),
      ],
      d.profiles.map(([cluster, [f, m, activity], customers, share, revenueShare, recency, frequency, monetary]) => [
        String(cluster),
        names.get(cluster)!,
        count(r, customers),
        value(r, share, (v) => lang.pct(v)),
        value(r, revenueShare, (v) => lang.pct(v)),
        value(r, recency, (v) => lang.num(v, 0)),
        value(r, frequency, (v) => lang.num(v, 1)),
        value(r, monetary, (v) => lang.money(v)),
        `R ${t(r, `clusters.activity.${activity}`)} · F ${t(r, `clusters.level.${f}`)} · M ${t(r, `clusters.level.${m}`)}`,
      ]),
      [true, false, true, true, true, true, true, true, false],
    ),
    h(r, 'p', { class: 'sub' }, t(r, 'clusters.levels.note')),
  ];
  const centres: ClusterCentre[] = d.profiles.flatMap(([cluster, , customers, , , recency, frequency, monetary]) => {
    const size = countValue(customers);
    const name = both.get(cluster)!;
    return size !== null && recency !== null && frequency !== null && monetary !== null ? [{ cluster, size, name_zh: name.zh, name_en: name.en, recency_days: recency, frequency, monetary }] : [];
  });
  out.push(
    chart(r, clusterCentres(centres, { x: d.axes[0], y: d.axes[1] }, r.width, lang), t(r, 'clusters.report.centres')),
    h(r, 'p', { class: 'sub' }, t(r, 'clusters.report.centres.note', { n: lang.int(r.report.minGroup) })),
  );
  if (d.elbow) {
    const { from, inertia, fitted_on } = d.elbow;
    const points = inertia.map((v, i) => ({ k: from + i, inertia: v }));
    const all = countValue(d.customers);
    out.push(
      chart(r, clusterElbow(points, d.k, r.width, lang), t(r, 'clusters.elbow')),
      h(r, 'p', { class: 'sub' }, t(r, 'clusters.elbow.note'), all !== null && fitted_on < all ? ' ' + t(r, 'clusters.elbow.sample', { n: lang.int(fitted_on) }) : ''),
    );
  }
  if (d.members) {
    const per = Math.max(0, ...d.profiles.map(([cluster]) => d.members!.filter((m) => m[1] === cluster).length));
    out.push(sub(r, t(r, 'clusters.report.members', { n: lang.int(per) })));
    out.push(
      table(
        r,
        [t(r, 'clusters.customer_id'), t(r, 'clusters.cluster'), t(r, 'clusters.feature.recency'), t(r, 'clusters.feature.frequency'), t(r, 'clusters.feature.monetary')],
        d.members.map(([id, cluster, recency, frequency, monetary]) => [id, `${cluster} · ${names.get(cluster) ?? ''}`, lang.int(recency), lang.int(frequency), lang.money(monetary)]),
        [false, false, true, true, true],
      ),
    );
  }
  return out;
}
