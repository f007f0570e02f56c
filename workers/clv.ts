/**
 * The engine's predictive CLV and churn warning: fits in the worker with progress, one at a time. Model fits are
 * kept per customer summary, so a new horizon, discount or margin only rescores; the churn list reuses the CLV
 * cell's scores when they are the ones it needs. Everything is dropped when the canonical tables change.
 */
import { rows, type Db } from '../src/db/db.ts';
import { en, zh } from '../src/i18n/packs/clv.ts';
import { buildChurn, CHURN_EXPORT_COLUMNS, churnCustomers, churnExportSql, type ChurnSummary } from '../src/models/churn.ts';
import { clvCustomers, FitCache, fitClv, resolveClvSettings, startClv, type ClvResult, type ClvRun, type ClvSettings, type ResolvedClvSettings } from '../src/models/clv/model.ts';
import type { CompareRunner, ScoreRunner } from '../src/models/clv/pipeline.ts';
import { ClvInputError } from '../src/models/clv/summary.ts';
import { asOfDate, type Prepared } from '../src/models/prepared.ts';
import type { ModelSettings } from '../src/models/settings.ts';

type Progress = (phase: string, fraction: number) => void;

/**
 * What the CLV cell receives: the model result and how long it took (`ms`); once the comparison is filled in,
 * also how long from the request to the whole comparison (`compare_ms`).
 */
export type ClvView = ClvResult & { ms: number; compare_ms?: number };

/** What the churn cell receives. */
export type ChurnView = ChurnSummary & { model: string; ms: number };

export class ClvSession {
  #db: Db;
  #queue: Promise<unknown> = Promise.resolve();
  /** Which settings each scores table was fitted with (key of the resolved settings, without `compare`). */
  #scored = new Map<'clv_customers' | 'churn_scores', string>();
  #last: { key: string; view: ClvView } | null = null;
  /** The run behind #last while its comparison is pending, and the comparison once asked for. */
  #comparing: { key: string; run: ClvRun; started: number; view?: Promise<ClvView> } | null = null;
  /** Counts invalidations: a fit that began on older tables must not be kept as the answer for the new ones. */
  #generation = 0;
  #fits = new FitCache();
  #prepared: Prepared;
  #score: ScoreRunner | undefined;
  #compare: CompareRunner | undefined;

  /**
   * `prepared`: the engine's derived tables (the customer days and summary the fits and the list read);
   * `score`: where the chosen model's fit runs, `compare`: where the rest of the comparison runs (default: in this thread).
   */
  constructor(db: Db, prepared: Prepared = new Map(), score?: ScoreRunner, compare?: CompareRunner) {
    this.#db = db;
    this.#prepared = prepared;
    this.#score = score;
    this.#compare = compare;
  }

  /** Forget every fit (the canonical tables changed). */
  invalidate(): void {
    this.#generation++;
    this.#scored.clear();
    this.#last = null;
    this.#comparing = null;
    this.#fits.clear();
  }

  /**
   * Fits and scores under the notebook's CLV settings; writes `clv_customers`. The answer comes as soon as the
   * chosen model is scored: models of the comparison still to fit are in `pending`, and `compare` gives the
   * answer with them.
   */
  clv(settings: ModelSettings, onProgress?: Progress): Promise<ClvView> {
    return this.#oneAtATime(async () => {
      const wanted: ClvSettings & { asOf?: string | null } = { ...settings.clv, asOf: settings.asOf };
      const resolved = await resolveClvSettings(this.#db, wanted, this.#prepared);
      const key = JSON.stringify(resolved);
      if (this.#last?.key === key) return this.#last.view;
      const started = performance.now();
      const generation = this.#generation;
      this.#scored.delete('clv_customers');
      this.#last = null;
      this.#comparing = null;
      const run = await startClv(this.#db, wanted, { onProgress, fits: this.#fits, prepared: this.#prepared, score: this.#score, compare: this.#compare });
      const view = { ...run.result, ms: performance.now() - started };
      if (generation === this.#generation) {
        this.#scored.set('clv_customers', scoringKey(resolved));
        this.#last = { key, view };
        if (view.pending.length) this.#comparing = { key, run, started };
      }
      return view;
    });
  }

  /**
   * The CLV answer for these settings with the whole model comparison: fits the models the last answer left
   * pending (outside the database queue: they need no queries, and other cells go on meanwhile). Null when the
   * last answer was for other settings or the data changed since (a newer request has the answer to wait for).
   */
  async compare(settings: ModelSettings): Promise<ClvView | null> {
    const wanted: ClvSettings & { asOf?: string | null } = { ...settings.clv, asOf: settings.asOf };
    const key = JSON.stringify(await this.#oneAtATime(() => resolveClvSettings(this.#db, wanted, this.#prepared)));
    if (this.#last?.key === key && this.#last.view.pending.length === 0) return this.#last.view;
    const comparing = this.#comparing;
    if (!comparing || comparing.key !== key) return null;
    comparing.view ??= comparing.run.complete().then((result) => {
      const view: ClvView = { ...result, ms: this.#last?.view.ms ?? 0, compare_ms: performance.now() - comparing.started };
      if (this.#comparing === comparing && this.#last?.key === key) {
        this.#last = { key, view };
        this.#comparing = null;
      }
      return view;
    });
    return comparing.view;
  }

  /** A page of `clv_customers`, highest CLV first. */
  customers(opts: { limit?: number; offset?: number }) {
    return this.#oneAtATime(() => clvCustomers(this.#db, { ...opts, order: 'clv' }));
  }

  /**
   * The churn list at D: P(alive) and CLV from the chosen model calibrated through D − 1 (the CLV cell's fit
   * when it is that one), the cadence flag, value at risk; writes `churn_list`. Without a usable model the
   * list rests on cadence and historical value, and says why.
   */
  churn(settings: ModelSettings, onProgress?: Progress): Promise<ChurnView> {
    return this.#oneAtATime(async () => {
      const started = performance.now();
      const asOf = await asOfDate(this.#db, settings.asOf, this.#prepared);
      const wanted: ClvSettings & { asOf: string } = { ...settings.clv, calibrationEnd: null, compare: false, asOf };
      const resolved = await resolveClvSettings(this.#db, wanted, this.#prepared);
      const key = scoringKey(resolved);
      let scores: 'clv_customers' | 'churn_scores' | null = [...this.#scored].find(([, k]) => k === key)?.[0] ?? null;
      let modelError: string | null = null;
      if (!scores) {
        const generation = this.#generation;
        this.#scored.delete('churn_scores');
        try {
          await fitClv(this.#db, wanted, { table: 'churn_scores', onProgress, fits: this.#fits, prepared: this.#prepared, score: this.#score });
          if (generation === this.#generation) this.#scored.set('churn_scores', key);
          scores = 'churn_scores';
        } catch (e) {
          if (!(e instanceof ClvInputError)) throw e;
          modelError = e.message;
        }
      }
      const summary = await buildChurn(this.#db, { asOf, scores, settings: settings.churn, modelError, prepared: this.#prepared });
      return { ...summary, model: resolved.model, ms: performance.now() - started };
    });
  }

  /** A page of the churn list. */
  churnCustomers(opts: { limit?: number; offset?: number }) {
    return this.#oneAtATime(() => churnCustomers(this.#db, opts));
  }

  /** The whole churn list: CSV (UTF-8, stable English column names) or XLSX (headers and reasons in the user's language). */
  exportChurn(format: 'csv' | 'xlsx', locale: 'zh' | 'en'): Promise<Uint8Array> {
    return this.#oneAtATime(async () => {
      if (format === 'csv') return this.#db.exportCsv(churnExportSql());
      const pack = locale === 'zh' ? zh : en;
      const list = await rows<Record<string, unknown>>(this.#db, churnExportSql());
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
      const { xlsxBytes } = await import('../src/db/xlsx.ts');
      return xlsxBytes(table, pack['churn.sheet'], headers);
    });
  }

  #oneAtATime<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(run, run);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}

/** Key of the settings that change the scores (which models are compared does not). */
function scoringKey(s: ResolvedClvSettings): string {
  return JSON.stringify({ ...s, compare: null });
}
