/**
 * Predictive CLV in a report: the cell's settings and periods, fit status, headline numbers, fitted parameters,
 * the model comparison as the cell had it (saying which models were still being fitted), and the aggregate charts
 * of the cell through its own chart specs. The top customers only when that list was opted in.
 */
import { clvAlive, clvBuckets, clvDeciles, clvGroups, CLV_MODEL_NAMES, clvTracking } from '../../charts/clv.ts';
import type { MessageKey } from '../../i18n/zh.ts';
import type { ClvGroup } from '../../models/clv/model.ts';
import { FIT_TIME_LIMIT_MS } from '../../models/clv/pipeline.ts';
import type { ClvShare, ClvShareGroup } from '../../models/clv/share.ts';
import { chart, count, countValue, h, kpis, sub, t, table, value, type RenderContext } from '../dom.ts';

const DAY_MS = 86_400_000;
const shift = (iso: string, days: number) => new Date(Date.parse(iso + 'T00:00:00Z') + days * DAY_MS).toISOString().slice(0, 10);

/** Parameters at 4 significant digits as the cell shows them; beyond 10^6 or below 10^-3 in exponent form. */
function param(r: RenderContext, v: number): string {
  const { lang } = r;
  return Math.abs(v) >= 1e6 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(2) : Math.abs(v) >= 100 ? lang.num(v, 1) : Math.abs(v) >= 1 ? lang.num(v, 3) : lang.num(v, 4);
}

/** A table of label and value rows without a heading, as the cell's parameter tables. */
function records(r: RenderContext, rows: [symbol: string, value: string, meaning: string][]): HTMLElement {
  return h(r, 'div', { class: 'table-box' }, h(r, 'table', {}, h(r, 'tbody', {}, rows.map(([k, v, m]) => h(r, 'tr', {}, h(r, 'td', {}, k), h(r, 'td', { class: 'num' }, v), h(r, 'td', { class: 'sub' }, m))))));
}

/** The advice the report keeps: the one that points at the model switch of the cell is left to the comparison table. */
const ADVICE_KEPT = new Set(['not_converged', 'unidentified', 'few_repeaters', 'short_calibration', 'spend_fallback', 'spend_correlated', 'short_holdout']);

function advice(d: ClvShare, r: RenderContext): string[] {
  return (d.advice ?? [])
    .filter((a) => ADVICE_KEPT.has(a))
    .map((code) => {
      switch (code) {
        case 'few_repeaters':
          return t(r, 'clv.advice.few_repeaters', { n: count(r, d.repeaters) });
        case 'spend_fallback':
          return t(r, 'clv.advice.spend_fallback', { reason: d.spend_issue ? t(r, `clv.spend.${d.spend_issue}`) : '' });
        case 'spend_correlated':
          return t(r, 'clv.advice.spend_correlated', { r: r.lang.num(d.spend_correlation ?? 0, 2) });
        default:
          return t(r, `clv.advice.${code}` as MessageKey);
      }
    });
}

/** Groups drawn by the cell's chart: the hidden ones are left out (their mean is not in the report). */
function groupRows(groups: ClvShareGroup[]): ClvGroup[] {
  return groups.flatMap(([group, customers, mean]) => (mean === null || typeof customers !== 'number' ? [] : [{ group, customers, mean, clv: mean * customers, mean_p_alive: 0 }]));
}

export function clvReport(d: ClvShare, r: RenderContext): Node[] {
  const { lang } = r;
  const out: Node[] = [];
  const unit = t(r, d.time_unit === 'day' ? 'clv.unit.day' : 'clv.unit.week');
  out.push(
    h(r, 'p', { class: 'sub' }, t(r, 'clv.sub', { h: d.horizon_months, d: lang.pct(d.monthly_discount, 1), margin: d.margin_rate < 1 ? t(r, 'clv.sub.margin', { m: lang.pct(d.margin_rate, 0) }) : '' })),
    h(
      r,
      'p',
      { class: 'sub' },
      t(r, 'clv.period', { from: lang.day(d.calibration_start), to: lang.day(d.calibration_end), n: count(r, d.n_customers), r: count(r, d.repeaters) }),
      ' ',
      d.holdout_end
        ? t(r, 'clv.period.holdout', {
            from: lang.day(shift(d.calibration_end, 1)),
            to: lang.day(d.holdout_end),
            weeks: lang.num(Math.round((Date.parse(d.holdout_end) - Date.parse(d.calibration_end)) / (7 * DAY_MS)), 0),
          })
        : '',
    ),
  );
  const lines = advice(d, r);
  out.push(
    h(
      r,
      'div',
      { class: d.converged ? 'status' : 'status error' },
      h(r, 'p', {}, d.converged ? t(r, 'clv.report.status.ok', { model: CLV_MODEL_NAMES[d.model] }) : `${t(r, 'clv.status.fail', { model: CLV_MODEL_NAMES[d.model] })} ${t(r, 'clv.status.detail', { message: d.message ?? '' })}`),
      lines.length ? h(r, 'ul', {}, lines.map((l) => h(r, 'li', {}, l))) : null,
    ),
  );
  const tot = d.totals;
  const n = countValue(d.n_customers);
  const mean = tot && n ? tot.clv / n : null;
  out.push(
    kpis(r, [
      [t(r, 'clv.kpi.total', { h: d.horizon_months }), value(r, tot?.clv, (v) => lang.money(v, true)), t(r, 'clv.kpi.total.note', { n: count(r, d.n_customers) })],
      [t(r, 'clv.kpi.mean'), value(r, mean, (v) => lang.money(v)), tot ? t(r, 'clv.kpi.mean.note', { value: lang.money(tot.historical_mean) }) : ''],
      [t(r, 'clv.kpi.purchases'), value(r, tot?.purchases, (v) => lang.int(v)), t(r, 'clv.kpi.purchases.note', { h: d.horizon_months })],
      [t(r, 'clv.kpi.alive'), value(r, tot?.mean_p_alive, (v) => lang.pct(v))],
      [t(r, 'clv.kpi.at_risk'), tot ? count(r, tot.below_half) : t(r, 'report.hidden')],
    ]),
  );

  // Fitted parameters, as the cell's table: symbol, value, meaning.
  const keys = d.model === 'paretonbd' ? ['r', 'alpha', 's', 'beta'] : ['r', 'alpha', 'a', 'b'];
  const symbol = (k: string) => (k === 'alpha' ? 'α' : k === 'beta' ? 'β' : k);
  out.push(sub(r, t(r, 'clv.params.title')));
  out.push(
    h(r, 'p', { class: 'sub' }, `${t(r, 'clv.params.purchase', { model: CLV_MODEL_NAMES[d.model] })} · ${t(r, 'clv.params.ll')} ${d.ll === null ? t(r, 'report.hidden') : lang.num(d.ll, 2)}`),
    records(
      r,
      keys.filter((k) => k in d.params).map((k) => [symbol(k), param(r, d.params[k]), t(r, `clv.param.${k}` as MessageKey, { unit })]),
    ),
  );
  if (d.gamma_gamma) {
    const [p, q, v, customers] = d.gamma_gamma;
    out.push(
      h(r, 'p', { class: 'sub' }, t(r, 'clv.params.spend', { n: count(r, customers) })),
      records(
        r,
        ([['p', p], ['q', q], ['v', v]] as const).map(([k, x]) => [k, param(r, x), t(r, `clv.param.${k}`)]),
      ),
    );
  }

  // The model comparison as far as it was fitted when the report was made.
  const holdout = d.holdout_end !== null;
  out.push(sub(r, t(r, 'clv.cmp.title')));
  out.push(
    table(
      r,
      [t(r, 'clv.cmp.model'), t(r, 'clv.cmp.ll'), t(r, 'clv.cmp.bic'), t(r, 'clv.cmp.dbic'), ...(holdout ? [t(r, 'clv.cmp.holdout'), t(r, 'clv.cmp.mae')] : []), t(r, 'clv.cmp.status')],
      d.models.map(([model, ll, bic, dbic, converged, predicted, actual, mae]) => [
        model === d.model ? `${CLV_MODEL_NAMES[model]} (${t(r, 'clv.cmp.in_use')})` : CLV_MODEL_NAMES[model],
        lang.num(ll, 2),
        lang.num(bic, 1),
        lang.num(dbic, 1),
        ...(holdout ? [predicted === null || actual === null ? '' : `${lang.int(predicted)} / ${lang.int(actual)}`, mae === null ? '' : lang.num(mae, 3)] : []),
        converged ? t(r, 'clv.cmp.converged') : t(r, 'clv.cmp.failed'),
      ]),
      [false, true, true, true, ...(holdout ? [true, true] : []), false],
    ),
  );
  const names = (ms: readonly string[]) => ms.map((m) => CLV_MODEL_NAMES[m as keyof typeof CLV_MODEL_NAMES]).join(lang.locale === 'zh' ? '、' : ', ');
  out.push(
    h(
      r,
      'p',
      { class: 'sub' },
      t(r, 'clv.cmp.note'),
      (d.unfinished ?? []).map((m) => t(r, 'clv.cmp.unfinished', { model: CLV_MODEL_NAMES[m], s: FIT_TIME_LIMIT_MS / 1000 })),
      d.pending?.length ? h(r, 'strong', { 'data-pending': d.pending.join(',') }, ' ', t(r, 'clv.report.pending', { models: names(d.pending) })) : null,
    ),
  );

  // The aggregate charts of the cell, from the report's data alone.
  out.push(
    chart(
      r,
      clvAlive(
        d.alive.map(([one, rep], bin) => ({ bin, one_time: countValue(one) as number, repeat: countValue(rep) as number })),
        r.width,
        lang,
      ),
      t(r, 'clv.chart.alive'),
    ),
  );
  const deciles = d.deciles.flatMap((share, i) => (share === null ? [] : [{ decile: i + 1, customers: 0, clv: 0, mean: 0, share }]));
  if (deciles.length) out.push(chart(r, clvDeciles(deciles, r.width, lang), t(r, 'clv.chart.deciles')));
  const models = d.models.map(([model]) => ({ model }));
  if (d.buckets) {
    const buckets = d.buckets.flatMap(([bucket, customers, actual, predicted]) =>
      actual === null || predicted === null ? [] : [{ bucket, customers: countValue(customers) ?? 0, actual, predicted }],
    );
    if (buckets.length) out.push(chart(r, clvBuckets({ holdout: { buckets }, models }, r.width, lang), t(r, 'clv.chart.buckets')));
  }
  if (d.tracking) {
    const tracking = d.tracking.map(([actual, predicted], week) => ({ week, start: shift(d.calibration_start, 7 * week), actual, predicted }));
    out.push(chart(r, clvTracking({ holdout: { buckets: [], tracking }, model: d.model, calibration_end: d.calibration_end }, r.width, lang), t(r, 'clv.chart.tracking')));
  }
  for (const [groups, key] of [
    [d.by_channel, 'clv.chart.channel'],
    [d.by_region, 'clv.chart.region'],
  ] as const) {
    if (!groups) continue;
    const shown = groupRows(groups);
    if (shown.length) out.push(chart(r, clvGroups(shown, r.width, lang), t(r, key)));
    if (shown.length < groups.length) out.push(h(r, 'p', { class: 'sub' }, t(r, 'clv.report.hidden_groups', { n: lang.int(r.report.minGroup) })));
  }

  if (d.top) {
    out.push(sub(r, t(r, 'clv.top.title')));
    out.push(
      table(
        r,
        [t(r, 'clv.col.customer'), t(r, 'clv.col.x'), t(r, 'clv.col.p_alive'), `${t(r, 'clv.col.expected')} (${t(r, 'clv.set.months', { n: d.horizon_months })})`, t(r, 'clv.col.spend'), t(r, 'clv.col.clv')],
        d.top.map(([id, x, p, e, s, c]) => [
          id,
          lang.int(x),
          p === null ? '' : lang.pct(p),
          e === null ? '' : lang.num(e, 2),
          s === null ? '' : lang.money(s),
          c === null ? '' : lang.money(c),
        ]),
        [false, true, true, true, true, true],
      ),
    );
  }
  return out;
}
