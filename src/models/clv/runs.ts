/**
 * Predictive CLV and the churn warning as the notebook runs them: fits kept per customer summary for the
 * current data, so a new horizon, discount or margin only rescores, and the churn list reuses the CLV cell's
 * scores when they are the ones it needs. What is kept lives in the request manager's state for the current
 * data (`ctx.state`), so a change of sources forgets it and a fit begun before the change cannot be reused.
 */
import { rows, type Db } from '../../db/db.ts';
import { en, zh } from '../../i18n/packs/clv.ts';
import { buildChurn, CHURN_EXPORT_COLUMNS, churnExportSql, type ChurnSummary } from '../churn.ts';
import { asOfDate } from '../prepared.ts';
import type { RunContext } from '../registry.ts';
import type { ModelSettings } from '../settings.ts';
import { FitCache, fitClv, resolveClvSettings, type ClvResult, type ClvSettings, type ResolvedClvSettings } from './model.ts';
import { ClvInputError } from './summary.ts';

/** What the CLV cell receives: the model result and how long the whole run took. */
export type ClvView = ClvResult & { ms: number };

/** What the churn cell receives. */
export type ChurnView = ChurnSummary & { model: string; ms: number };

/** What the CLV and churn runs keep for the current data. */
interface ClvState {
  fits: FitCache;
  /** Which settings each scores table was fitted with (key of the resolved settings, without `compare`). */
  scored: Map<'clv_customers' | 'churn_scores', string>;
  /** The last CLV answer by its resolved settings (an as-of date given as the default one is the same fit). */
  last: { key: string; view: ClvView } | null;
}

const clvState = (ctx: RunContext) => ctx.state<ClvState>('clv', () => ({ fits: new FitCache(), scored: new Map(), last: null }));

/** Fits and scores under the notebook's CLV settings; writes `clv_customers`. */
export async function runClv(db: Db, settings: ModelSettings, ctx: RunContext): Promise<ClvView> {
  const state = clvState(ctx);
  const wanted: ClvSettings & { asOf?: string | null } = { ...settings.clv, asOf: settings.asOf };
  const resolved = await resolveClvSettings(db, wanted, ctx.prepared);
  const key = JSON.stringify(resolved);
  if (state.last?.key === key) return state.last.view;
  const started = performance.now();
  state.scored.delete('clv_customers');
  state.last = null;
  const result = await fitClv(db, wanted, { onProgress: ctx.onProgress, fits: state.fits, prepared: ctx.prepared, score: ctx.score });
  const view = { ...result, ms: performance.now() - started };
  state.scored.set('clv_customers', scoringKey(resolved));
  state.last = { key, view };
  return view;
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

/** The whole churn list: CSV (UTF-8, stable English column names) or XLSX (headers and reasons in the user's language). */
export async function exportChurn(db: Db, format: 'csv' | 'xlsx', locale: 'zh' | 'en'): Promise<Uint8Array> {
  if (format === 'csv') return db.exportCsv(churnExportSql());
  const pack = locale === 'zh' ? zh : en;
  const list = await rows<Record<string, unknown>>(db, churnExportSql());
  const headers = CHURN_EXPORT_COLUMNS.map((c) => pack[`churn.col.${c}`]);
  const reason = (code: unknown) =>
    String(code)
      .split('+')
      .filter(Boolean)
      .map((r) => pack[r === 'slipping' ? 'churn.reason.slipping_short' : 'churn.reason.low_short'])
      .join(locale === 'zh' ? '；' : '; ');
  const table = list.map((row) =>
    Object.fromEntries(
      CHURN_EXPORT_COLUMNS.map((c, i) => [
        headers[i],
        c === 'reason' ? reason(row.reason) : c === 'value_basis' ? pack[row.value_basis === 'predicted' ? 'churn.basis.predicted' : 'churn.basis.historical'] : row[c],
      ]),
    ),
  );
  const { xlsxBytes } = await import('../../db/xlsx.ts');
  return xlsxBytes(table, pack['churn.sheet'], headers);
}

/** Key of the settings that change the scores (which models are compared does not). */
function scoringKey(s: ResolvedClvSettings): string {
  return JSON.stringify({ ...s, compare: null });
}
