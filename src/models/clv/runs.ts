/**
 * Predictive CLV and the churn warning as the notebook runs them: fits kept per customer summary for the
 * current data, so a new horizon, discount or margin only rescores, and the churn list reuses the CLV cell's
 * scores when they are the ones it needs. What is kept lives in the request manager's state for the current
 * data (`ctx.state`), so a change of sources forgets it and a fit begun before the change cannot be reused.
 */
import type { Db } from '../../db/db.ts';
import { buildChurn, type ChurnSummary } from '../churn.ts';
import { asOfDate } from '../prepared.ts';
import type { RunContext } from '../registry.ts';
import type { ModelSettings } from '../settings.ts';
import { clvCustomers, FitCache, fitClv, resolveClvSettings, startClv, type ClvCustomer, type ClvResult, type ClvRun, type ClvSettings, type ResolvedClvSettings } from './model.ts';
import { ClvInputError } from './summary.ts';

/**
 * What the CLV cell receives: the model result and how long it took (`ms`); once the comparison is filled in,
 * also how long from the request to the whole comparison (`compare_ms`).
 */
export type ClvView = ClvResult & { ms: number; compare_ms?: number };

/** What the churn cell receives. */
export type ChurnView = ChurnSummary & { model: string; ms: number };

/** What the CLV and churn runs keep for the current data. */
interface ClvState {
  fits: FitCache;
  /** Which settings each scores table was fitted with (key of the resolved settings, without `compare`). */
  scored: Map<'clv_customers' | 'churn_scores', string>;
  /** The last CLV answer by its resolved settings (an as-of date given as the default one is the same fit). */
  last: { key: string; view: ClvView } | null;
  /** The run behind `last` while its comparison is pending, and the comparison once asked for. */
  comparing: { key: string; run: ClvRun; started: number; view?: Promise<ClvView> } | null;
}

const clvState = (ctx: RunContext) => ctx.state<ClvState>('clv', () => ({ fits: new FitCache(), scored: new Map(), last: null, comparing: null }));

const clvWanted = (settings: ModelSettings): ClvSettings & { asOf?: string | null } => ({ ...settings.clv, asOf: settings.asOf });

/** What identifies a CLV answer: its resolved settings (an as-of date given as the default one is the same fit). */
export async function clvKey(db: Db, settings: ModelSettings, ctx: RunContext): Promise<string> {
  return JSON.stringify(await resolveClvSettings(db, clvWanted(settings), ctx.prepared));
}

/**
 * Fits and scores under the notebook's CLV settings; writes `clv_customers`. The answer comes as soon as the
 * chosen model is scored: models of the comparison still to fit are in `pending`, and `compareClv` gives the
 * answer with them. `listCustomers`: also keep every customer's scores, made from the arrays written to the
 * table, for `reportClv`.
 */
export async function runClv(db: Db, settings: ModelSettings, ctx: RunContext, opts: { listCustomers?: boolean; compareEarly?: boolean } = {}): Promise<ClvView> {
  const state = clvState(ctx);
  const wanted = clvWanted(settings);
  const resolved = await resolveClvSettings(db, wanted, ctx.prepared);
  const key = JSON.stringify(resolved);
  if (state.last?.key === key) return state.last.view;
  const started = performance.now();
  state.scored.delete('clv_customers');
  state.last = null;
  state.comparing = null;
  const run = await startClv(db, wanted, {
    onProgress: ctx.onProgress,
    fits: state.fits,
    prepared: ctx.prepared,
    score: ctx.score,
    compare: ctx.compare,
    listCustomers: opts.listCustomers,
    compareEarly: opts.compareEarly,
  });
  const view = { ...run.result, ms: performance.now() - started };
  state.scored.set('clv_customers', scoringKey(resolved));
  state.last = { key, view };
  if (view.pending.length) state.comparing = { key, run, started };
  listed.set(view, run.customers);
  return view;
}

/** Every customer's scores of a CLV answer made with `listCustomers`, by the answer. */
const listed = new WeakMap<ClvView, ClvCustomer[] | null>();

/**
 * The CLV answer for the settings of `key` (clvKey) with the whole model comparison: fits the models the last
 * answer left pending (no database work: other requests go on meanwhile). Null when the last answer was for
 * other settings or the data changed since (a newer request has the answer to wait for).
 */
export function compareClv(key: string, ctx: RunContext, onFilled?: (earlier: ClvView, whole: ClvView) => void): Promise<ClvView | null> {
  const state = clvState(ctx);
  if (state.last?.key === key && state.last.view.pending.length === 0) return Promise.resolve(state.last.view);
  const comparing = state.comparing;
  if (!comparing || comparing.key !== key) return Promise.resolve(null);
  comparing.view ??= comparing.run.complete().then((result) => {
    const view: ClvView = { ...result, ms: state.last?.view.ms ?? 0, compare_ms: performance.now() - comparing.started };
    if (state.comparing === comparing && state.last?.key === key) {
      const earlier = state.last.view;
      listed.set(view, listed.get(earlier) ?? null);
      state.last = { key, view };
      onFilled?.(earlier, view);
      state.comparing = null;
    }
    return view;
  });
  return comparing.view;
}

/**
 * The headless command's CLV section: the result with the whole model comparison (it waits for it) and every
 * customer's scores in customer_id order (made from the arrays written to `clv_customers` when this run fitted
 * them, else read back from the table).
 */
export async function reportClv(db: Db, settings: ModelSettings, ctx: RunContext): Promise<ClvResult & { customers: ClvCustomer[] }> {
  // It waits for the whole comparison: fitted (in this thread) while DuckDB builds the scores table.
  const first = await runClv(db, settings, ctx, { listCustomers: true, compareEarly: true });
  const full = (await compareClv(await clvKey(db, settings, ctx), ctx)) ?? first;
  const { ms: _ms, compare_ms: _compareMs, ...result } = full;
  return { ...result, customers: listed.get(full) ?? listed.get(first) ?? (await clvCustomers(db, { order: 'id' })) };
}

/**
 * The churn list at D: P(alive) and CLV from the chosen model calibrated through D − 1 (the CLV cell's fit
 * when it is that one), the cadence flag, value at risk; writes `churn_list`. Without a usable model the
 * list rests on cadence and historical value, and says why.
 */
export async function runChurn(db: Db, settings: ModelSettings, ctx: RunContext): Promise<ChurnView> {
  const state = clvState(ctx);
  const started = performance.now();
  const asOf = await asOfDate(db, settings.asOf, ctx.prepared);
  const wanted: ClvSettings & { asOf: string } = { ...settings.clv, calibrationEnd: null, compare: false, asOf };
  const resolved = await resolveClvSettings(db, wanted, ctx.prepared);
  const key = scoringKey(resolved);
  let scores: 'clv_customers' | 'churn_scores' | null = [...state.scored].find(([, k]) => k === key)?.[0] ?? null;
  let modelError: string | null = null;
  if (!scores) {
    state.scored.delete('churn_scores');
    try {
      await fitClv(db, wanted, { table: 'churn_scores', onProgress: ctx.onProgress, fits: state.fits, prepared: ctx.prepared, score: ctx.score });
      state.scored.set('churn_scores', key);
      scores = 'churn_scores';
    } catch (e) {
      if (!(e instanceof ClvInputError)) throw e;
      modelError = e.message;
    }
  }
  const summary = await buildChurn(db, { asOf, scores, settings: settings.churn, modelError, prepared: ctx.prepared });
  return { ...summary, model: resolved.model, ms: performance.now() - started };
}

/** Key of the settings that change the scores (which models are compared does not). */
function scoringKey(s: ResolvedClvSettings): string {
  return JSON.stringify({ ...s, compare: null });
}
