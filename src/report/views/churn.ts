/**
 * The churn warning in a report: the cell's headline counts, value at risk by reason (table and chart), the model
 * note, and the warning list's first rows only when that list was opted in.
 */
import { churnReasons } from '../../charts/churn.ts';
import { CLV_MODEL_NAMES } from '../../charts/clv.ts';
import { clvErrorIn } from '../../i18n/clv-errors.ts';
import type { ChurnReason, ChurnShare } from '../../models/churn.ts';
import { chart, count, countValue, h, kpis, sub, t, table, value, type RenderContext } from '../dom.ts';

const REASONS: ChurnReason[] = ['low_only', 'slipping_only', 'both'];
const REASON_KEY = { low_only: 'churn.report.low_only', slipping_only: 'churn.report.slipping_only', both: 'churn.report.both' } as const;

export function churnReport(d: ChurnShare, r: RenderContext): Node[] {
  const { lang } = r;
  const flagged = countValue(d.flagged);
  const customers = countValue(d.customers);
  const lastDay = new Date(Date.parse(d.as_of + 'T00:00:00Z') - 86_400_000).toISOString().slice(0, 10);
  const out: Node[] = [
    h(r, 'p', { class: 'sub' }, t(r, 'churn.sub', { threshold: lang.pct(d.threshold, 0), h: d.horizon_months })),
    kpis(r, [
      [t(r, 'churn.kpi.flagged'), count(r, d.flagged), flagged !== null && customers ? t(r, 'churn.kpi.flagged.note', { pct: lang.pct(flagged / customers) }) : ''],
      [t(r, 'churn.kpi.low'), count(r, d.low_p_alive)],
      [t(r, 'churn.kpi.slipping'), count(r, d.slipping)],
      [t(r, 'churn.kpi.both'), count(r, d.both)],
      [t(r, 'churn.kpi.value'), value(r, d.value_at_risk, (v) => lang.money(v, true))],
    ]),
    h(
      r,
      'p',
      { class: 'sub' },
      d.model_error
        ? t(r, 'churn.model_error', { error: clvErrorIn(d.model_error, lang) })
        : [
            t(r, 'churn.model_note', { model: CLV_MODEL_NAMES[d.model as keyof typeof CLV_MODEL_NAMES] ?? d.model, date: lang.day(lastDay) }),
            d.model === 'bgnbd' ? ' ' + t(r, 'churn.bgnbd_note') : '',
          ],
    ),
  ];
  const groups = REASONS.map((reason, i) => ({ reason, customers: d.reasons[i][0], value: d.reasons[i][1] }));
  const drawn = groups.flatMap((g) => (g.value === null || typeof g.customers !== 'number' || g.customers === 0 ? [] : [{ reason: g.reason, customers: g.customers, value_at_risk: g.value }]));
  out.push(chart(r, churnReasons(drawn, r.width, lang), t(r, 'churn.report.by_reason')));
  out.push(
    table(
      r,
      [t(r, 'churn.report.reason'), t(r, 'churn.report.customers'), t(r, 'churn.report.value')],
      groups.map((g) => [t(r, REASON_KEY[g.reason]), count(r, g.customers), value(r, g.value, (v) => lang.money(v))]),
      [false, true, true],
    ),
  );
  if (d.list) {
    const total = flagged === null ? count(r, d.flagged) : lang.int(flagged);
    out.push(sub(r, t(r, 'churn.report.list', { n: lang.int(d.list.length), total })));
    const alive = (p: number) => (p > 0 && p < 0.005 ? `< ${lang.pct(0.01, 0)}` : lang.pct(p, 0));
    out.push(
      table(
        r,
        [
          t(r, 'churn.col.rank'),
          t(r, 'churn.col.customer_id'),
          t(r, 'churn.col.name'),
          t(r, 'churn.col.reason'),
          t(r, 'churn.col.last_day'),
          t(r, 'churn.col.monetary'),
          t(r, 'churn.col.clv'),
          t(r, 'churn.col.value_at_risk'),
        ],
        d.list.map(([rank, id, name, low, slipping, p, recency, gap, last, monetary, clv, risk, basis]) => [
          lang.int(rank),
          id,
          name ?? '',
          [low && p !== null ? t(r, 'churn.reason.low', { p: alive(p) }) : '', slipping ? t(r, 'churn.reason.slipping', { days: lang.int(recency), gap: lang.int(gap ?? 0) }) : '']
            .filter(Boolean)
            .join(lang.locale === 'zh' ? '；' : '; '),
          lang.day(last),
          lang.money(monetary),
          clv === null ? '' : lang.money(clv),
          `${lang.money(risk)}${basis === 'h' ? '*' : ''}`,
        ]),
        [true, false, false, false, false, true, true, true],
      ),
    );
    if (d.list.some((row) => row[12] === 'h')) out.push(h(r, 'p', { class: 'sub' }, `* ${t(r, 'churn.basis.historical')}`));
  }
  return out;
}
