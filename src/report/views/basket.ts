/**
 * The basket analysis in a report: the run's counts, the rules the cell shows first (table and the support ×
 * confidence chart), the co-occurrence heat map of the top items, and the cross-sell list of the first rule only
 * when it was opted in. Both charts colour by lift on a continuous scale: their legends are drawn as SVG here.
 */
import { basketHeatmap, basketScatter } from '../../charts/basket.ts';
import type { BasketShare } from '../../models/basket/share.ts';
import { cooccurrenceOf, ruleOf } from '../../models/basket/share.ts';
import { count, h, sub, t, table, value, type RenderContext } from '../dom.ts';
import { rampChart } from './legend.ts';

const COLUMNS = ['antecedent', 'consequent', 'support', 'confidence', 'lift', 'leverage', 'conviction', 'count'] as const;

export function basketReport(d: BasketShare, r: RenderContext): Node[] {
  const { lang } = r;
  const [minSupport, minConfidence, minLift, maxSize] = d.settings;
  const out: Node[] = [
    h(
      r,
      'p',
      { class: 'sub' },
      [
        t(r, 'basket.stat.transactions', { n: lang.int(d.transactions) }),
        t(r, d.basketBy === 'category' ? 'basket.stat.categories' : 'basket.stat.products', { n: lang.int(d.items) }),
        ...(d.truncated ? [] : [t(r, 'basket.stat.itemsets', { n: lang.int(d.itemsets) }), t(r, d.rule_count === 1 ? 'basket.stat.rules_one' : 'basket.stat.rules', { n: lang.int(d.rule_count) })]),
      ].join(' · '),
    ),
    h(
      r,
      'p',
      { class: 'sub' },
      [
        `${t(r, 'basket.min_support')} ${lang.pct(minSupport, 2)}`,
        `${t(r, 'basket.min_confidence')} ${lang.pct(minConfidence, 0)}`,
        `${t(r, 'basket.min_lift')} ${minLift === null ? t(r, 'basket.lift_none') : lang.num(minLift, 2)}`,
        `${t(r, 'basket.max_size')} ${maxSize}`,
        ...(d.exclude ? [`${t(r, 'basket.exclude')}: ${d.exclude.join(lang.locale === 'zh' ? '、' : ', ')}`] : []),
      ].join(' · '),
    ),
  ];
  if (d.truncated) {
    const cause =
      d.limit === 'maxItemsets'
        ? t(r, 'basket.truncated.maxItemsets', { cap: lang.int(2_000_000) })
        : d.limit === 'maxRules'
          ? t(r, 'basket.truncated.maxRules', { cap: lang.int(2_000_000) })
          : d.limit === 'deadline'
            ? t(r, 'basket.truncated.deadline', { seconds: 15, itemsets: lang.int(d.itemsets) })
            : t(r, 'basket.truncated.cancelled');
    const advice = d.suggestion ? t(r, `basket.suggest.${d.suggestion}`, { support: String(minSupport), confidence: String(minConfidence) }) : '';
    out.push(h(r, 'p', { class: 'error' }, `${t(r, 'basket.truncated.title')}: ${cause} ${advice}`));
  } else if (d.rule_count === 0) out.push(h(r, 'p', { class: 'sub' }, t(r, 'basket.none')));

  const rules = d.rules.map(ruleOf);
  if (rules.length) {
    out.push(rampChart(r, basketScatter(rules, null, r.width, lang), t(r, 'basket.scatter')));
  }
  if (d.co.items.length > 1) {
    const co = cooccurrenceOf(d);
    const what = t(r, d.basketBy === 'category' ? 'basket.heatmap.categories' : 'basket.heatmap.items');
    out.push(rampChart(r, basketHeatmap(co, r.width, lang), t(r, 'basket.heatmap', { what })));
  }
  if (rules.length) {
    out.push(sub(r, t(r, 'basket.rules')));
    const items = (xs: string[]) => xs.join(lang.locale === 'zh' ? '、' : ', ');
    out.push(
      table(
        r,
        [t(r, 'basket.col.rank'), ...COLUMNS.map((k) => t(r, `basket.col.${k}`))],
        rules.map((x, i) => [
          lang.int(i + 1),
          items(x.antecedent),
          items(x.consequent),
          lang.pct(x.support, 2),
          lang.pct(x.confidence, 1),
          lang.num(x.lift, 2),
          lang.num(x.leverage, 4),
          Number.isFinite(x.conviction) ? lang.num(x.conviction, 2) : t(r, 'basket.infinity'),
          lang.int(x.count),
        ]),
        [true, false, false, true, true, true, true, true, true],
      ),
      h(r, 'p', { class: 'sub' }, t(r, 'basket.showing', { n: lang.int(rules.length), total: lang.int(d.rule_count) })),
      h(r, 'p', { class: 'sub' }, t(r, 'basket.measures')),
    );
  }
  if (d.cross_sell && rules[0]) {
    const list = d.cross_sell;
    const quoted = (xs: string[]) => xs.map((x) => `“${x}”`).join(lang.locale === 'zh' ? '、' : ' + ');
    const x = quoted(rules[0].antecedent);
    const y = quoted(rules[0].consequent);
    out.push(
      sub(r, t(r, 'basket.cross.title', { x, y })),
      h(r, 'p', { class: 'sub' }, t(r, 'basket.cross.summary', { base: count(r, list.antecedent_customers), x, n: count(r, list.total), y, revenue: value(r, list.revenue, (v) => lang.money(v, true)) })),
      table(
        r,
        [t(r, 'basket.cross.customer_id'), t(r, 'basket.cross.revenue'), t(r, 'basket.cross.purchases'), t(r, 'basket.cross.last_purchase')],
        list.customers.map(([id, revenue, purchases, last]) => [id, lang.money(revenue), lang.int(purchases), lang.day(last)]),
        [false, true, true, false],
      ),
    );
  }
  return out;
}
