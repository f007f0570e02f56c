/**
 * The CLV cell in a report (MODELS.md §10): what the cell shows at the time, as aggregates. Fitted parameters,
 * the model comparison (as far as it is fitted: `pending` says which models were still running), the headline
 * numbers and the data of the aggregate charts, each rounded to the precision the cell shows. Bins, deciles,
 * holdout buckets and channel or region groups of fewer than `minGroup` customers show "< minGroup" and hide
 * their sums and means. The top customers go in only when the `top` list is opted in.
 */
import { round } from '../../report/format.ts';
import { isSmall, reportCount, type ReportCount } from '../../report/privacy.ts';
import type { PurchaseModelKind } from './index.ts';
import type { ClvAdvice, ClvGroup, ClvResult } from './model.ts';
import type { SpendBasis, SpendIssue } from './pipeline.ts';

/** The customer lists a CLV report part may hold when opted in. */
export const CLV_SHARE_LISTS = ['top'] as const;

/** A parameter at the precision the cell shows it: 1 decimal from 100, 3 from 1, else 4; 3 significant digits in exponent form. */
export function paramValue(v: number): number {
  if (!Number.isFinite(v)) return v;
  const a = Math.abs(v);
  return a >= 1e6 || (v !== 0 && a < 1e-3) ? Number(v.toPrecision(3)) : round(v, a >= 100 ? 1 : a >= 1 ? 3 : 4);
}


/** One model of the comparison: model, log-likelihood, BIC, ΔBIC, converged, holdout predicted, actual, MAE. */
export type ClvShareModel = [model: PurchaseModelKind, ll: number, bic: number, dbic: number, converged: boolean, predicted: number | null, actual: number | null, mae: number | null];

/** A group of a CLV breakdown: name (null: unknown), customers, mean CLV (null when hidden). */
export type ClvShareGroup = [group: string | null, customers: ReportCount, mean: number | null];

export interface ClvShare {
  model: PurchaseModelKind;
  time_unit: ClvResult['time_unit'];
  horizon_months: number;
  monthly_discount: number;
  margin_rate: number;
  calibration_start: string;
  calibration_end: string;
  holdout_end: string | null;
  n_customers: ReportCount;
  repeaters: ReportCount;
  /** The chosen model's parameters (5 significant digits) and its log-likelihood. */
  params: Record<string, number>;
  ll: number | null;
  /** Gamma-Gamma p, q, v and the repeat customers it was fitted on. */
  gamma_gamma: [p: number, q: number, v: number, customers: ReportCount] | null;
  spend_basis: SpendBasis;
  /** Why the spend model was not used (absent: it was, or no reason). */
  spend_issue?: SpendIssue;
  spend_correlation: number | null;
  converged: boolean;
  /** The optimizer's message when the fit did not converge. */
  message?: string;
  /** The cell's advice codes (absent: none). */
  advice?: ClvAdvice[];
  models: ClvShareModel[];
  /** Models of the comparison whose fit did not finish in time (absent: none). */
  unfinished?: PurchaseModelKind[];
  /** Models of the comparison still being fitted when the report was made (absent: none). */
  pending?: PurchaseModelKind[];
  /** Totals over all customers (the mean is total / customers); null when there are fewer than `minGroup`. */
  totals: { clv: number; historical_mean: number; purchases: number; mean_p_alive: number; below_half: ReportCount } | null;
  /** Customers per P(alive) tenth: [one-time, repeat]. */
  alive: [oneTime: ReportCount, repeat: ReportCount][];
  /** Each CLV decile's share of the total CLV (null for a decile of fewer than `minGroup` customers). */
  deciles: (number | null)[];
  by_channel: ClvShareGroup[] | null;
  by_region: ClvShareGroup[] | null;
  /** Holdout check by calibration purchase count: [bucket, customers, actual mean, predicted mean by model]. */
  buckets: [bucket: number, customers: ReportCount, actual: number | null, predicted: Partial<Record<PurchaseModelKind, number>> | null][] | null;
  /** Cumulative repeat purchases, week k starting calibration_start + 7k: [actual, predicted]. */
  tracking: [actual: number, predicted: number][] | null;
  /** Opted-in list `top`: [customer, repeat purchases, P(alive), expected purchases, expected spend, CLV]. */
  top?: [id: string, x: number, pAlive: number | null, expected: number | null, spend: number | null, clv: number | null][];
}

const groups = (list: ClvGroup[] | null, minGroup: number): ClvShareGroup[] | null =>
  list && list.map((g) => [g.group, reportCount(g.customers, minGroup), isSmall(g.customers, minGroup) ? null : round(g.mean, 2)]);

const maybe = (v: number | null, digits: number) => (v === null ? null : round(v, digits));

/** The CLV cell's report part, from its result as the cell has it. */
export function shareClv(r: ClvResult, minGroup: number, lists: readonly string[] = []): ClvShare {
  const chosen = r.models.find((m) => m.model === r.model);
  const few = isSmall(r.n_customers, minGroup);
  const n = r.n_customers || 1;
  const out: ClvShare = {
    model: r.model,
    time_unit: r.time_unit,
    horizon_months: r.horizon_months,
    monthly_discount: r.monthly_discount,
    margin_rate: r.margin_rate,
    calibration_start: r.calibration_start,
    calibration_end: r.calibration_end,
    holdout_end: r.holdout_end,
    n_customers: reportCount(r.n_customers, minGroup),
    repeaters: reportCount(r.repeaters, minGroup),
    params: Object.fromEntries(Object.entries(r.params).map(([k, v]) => [k, paramValue(v)])),
    ll: chosen ? round(chosen.log_likelihood, 2) : null,
    gamma_gamma: r.gamma_gamma ? [paramValue(r.gamma_gamma.p), paramValue(r.gamma_gamma.q), paramValue(r.gamma_gamma.v), reportCount(r.gamma_gamma.customers, minGroup)] : null,
    spend_basis: r.spend_basis,
    spend_correlation: maybe(r.spend_frequency_correlation, 2),
    converged: r.status.converged,
    models: r.models.map((m) => [
      m.model,
      round(m.log_likelihood, 2),
      round(m.bic, 1),
      round(m.delta_bic, 1),
      m.converged,
      m.holdout ? Math.round(m.holdout.predicted) : null,
      m.holdout ? Math.round(m.holdout.actual) : null,
      m.holdout ? round(m.holdout.mae, 3) : null,
    ]),
    totals: few
      ? null
      : {
          clv: round(r.totals.clv, 2),
          historical_mean: round(r.totals.historical_revenue / n, 2),
          purchases: Math.round(r.totals.expected_purchases),
          mean_p_alive: round(r.totals.mean_p_alive, 3),
          below_half: reportCount(r.totals.p_alive_below_half, minGroup),
        },
    alive: r.p_alive_bins.map((b) => [reportCount(b.one_time, minGroup), reportCount(b.repeat, minGroup)]),
    deciles: r.clv_deciles.map((d) => (isSmall(d.customers, minGroup) ? null : round(d.share, 3))),
    by_channel: groups(r.by_channel, minGroup),
    by_region: groups(r.by_region, minGroup),
    buckets: r.holdout
      ? r.holdout.buckets.map((b) => {
          const hide = isSmall(b.customers, minGroup);
          return [
            b.bucket,
            reportCount(b.customers, minGroup),
            hide ? null : round(b.actual, 3),
            hide ? null : Object.fromEntries(Object.entries(b.predicted).map(([m, v]) => [m, round(v as number, 3)])),
          ];
        })
      : null,
    tracking: r.holdout && !few ? r.holdout.tracking.map((w) => [Math.round(w.actual), Math.round(w.predicted)]) : null,
  };
  if (r.spend_issue) out.spend_issue = r.spend_issue;
  if (!r.status.converged) out.message = r.status.message;
  if (r.status.advice.length) out.advice = r.status.advice;
  if (r.unfinished.length) out.unfinished = r.unfinished;
  if (r.pending.length) out.pending = r.pending;
  if (lists.includes('top')) {
    out.top = r.top.map((c) => [c.customer_id, c.x, maybe(c.p_alive, 4), maybe(c.expected_purchases, 2), maybe(c.expected_spend, 2), maybe(c.clv, 2)]);
  }
  return out;
}
