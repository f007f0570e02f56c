/** The engine behind the worker: owns the database, the loaded sources and the models. Runs in Node too. */
import { rows, type Db } from '../src/db/db.ts';
import { warmUp } from '../src/ingest/warmup.ts';
import { applyMapping, forRole, InputError, loadFile, readSource, type Applied, type CleaningSettings, type LoadedSource, type Mapping, type Role, type SourceNote } from '../src/ingest/index.ts';
import { abc, abcCustomers, abcExportSql, type AbcClass } from '../src/models/abc.ts';
import { clusterCustomers, clusterElbow, clusterListSql, clusters, clusterSample } from '../src/models/clusters.ts';
import { cohorts } from '../src/models/cohorts.ts';
import { customer360, searchCustomers } from '../src/models/customer360.ts';
import type { FunnelSources } from '../src/models/funnel.ts';
import { lifecycle, lifecycleCustomers, lifecycleListSql, type Stage } from '../src/models/lifecycle.ts';
import { overview } from '../src/models/overview.ts';
import { asOfDate, type Prepared } from '../src/models/prepared.ts';
import { rfm, rfmCustomers } from '../src/models/rfm.ts';
import type { ModelSettings } from '../src/models/settings.ts';
import type { CompareRunner, ScoreRunner } from '../src/models/clv/pipeline.ts';
import { BasketSession, type RuleRef } from './basket.ts';
import { ClvSession } from './clv.ts';

/** What the notebook shows of a loaded source. */
export interface SourceView {
  id: string;
  file: string;
  bytes: number;
  format: string;
  encoding: string;
  header: boolean;
  rows: number;
  columns: string[];
  role: Role;
  mapping: Mapping;
  missing: string[];
  samples: Record<string, string[]>;
  sheets?: string[];
  sheet?: string;
  notes: SourceNote[];
}

export type Progress = (phase: string, fraction: number) => void;

/** A file as the engine receives it: a browser File (read in chunks) or bytes. */
export interface FileLike {
  name: string;
  size: number;
  slice?(start: number, end: number): Blob;
  data?: Uint8Array;
}

const CHUNK = 8 * 1024 * 1024;

/** Read a File in chunks so progress is real; a file the tab cannot hold gets a clear message. */
export async function readBytes(file: FileLike, onProgress?: Progress): Promise<Uint8Array> {
  if (file.data) return file.data;
  let out: Uint8Array;
  try {
    out = new Uint8Array(file.size);
  } catch {
    throw new InputError(file.name, 'too_large', { mb: Math.round(file.size / 1e6) });
  }
  for (let at = 0; at < file.size; at += CHUNK) {
    const end = Math.min(at + CHUNK, file.size);
    out.set(new Uint8Array(await file.slice!(at, end).arrayBuffer()), at);
    onProgress?.('read', end / file.size);
  }
  return out;
}

export class Engine {
  #db: Db;
  /** Loaded sources with the file they came from: applying drops the raw table, so another mapping reads the file again. */
  #sources = new Map<string, LoadedSource & { bytes: number; file: FileLike }>();
  #next = 0;
  #basket: BasketSession;
  #clv: ClvSession;
  /** Derived tables the models share (customer days and summary, cohort and lifecycle tables), valid until a source is applied or removed. */
  #prepared: Prepared = new Map();
  #lifecycleQueue: Promise<unknown> = Promise.resolve();
  /** Each model's last result with the arguments it answered, so that asking again costs nothing; forgotten when a source changes. */
  #results = new Map<string, { key: string; value: Promise<unknown> }>();

  /** The warm-up started with the engine (see src/ingest/warmup.ts); a file to load stops it. */
  #warming: Promise<void> = Promise.resolve();
  #stopWarming = false;

  /**
   * `warmUp`: read and clean a small generated file first, so that the user's first file runs on compiled code.
   * `scoreClv`, `compareClv`: where the CLV fits of the chosen model and of the rest of the model comparison run
   * (default: in this thread; the browser's worker gives each a worker of its own).
   */
  constructor(db: Db, opts: { warmUp?: boolean; scoreClv?: ScoreRunner; compareClv?: CompareRunner } = {}) {
    this.#db = db;
    if (opts.warmUp) this.#warming = warmUp(db, () => this.#stopWarming);
    this.#basket = new BasketSession(db);
    this.#clv = new ClvSession(db, this.#prepared, opts.scoreClv, opts.compareClv);
  }

  /** Resolves when the warm-up has ended, run to its end or stopped by a file. */
  warmedUp(): Promise<void> {
    return this.#warming;
  }

  /** Read a file, guess what it is and how its columns map; nothing canonical changes yet. */
  async load(file: FileLike, opts: { role?: Role; sheet?: string } = {}, onProgress?: Progress): Promise<SourceView> {
    this.#stopWarming = true;
    const bytes = await readBytes(file, onProgress);
    await this.#warming;
    const id = `src${++this.#next}`;
    const loaded = await loadFile(this.#db, file.name, bytes, `raw_${id}`, { ...opts, onProgress });
    this.#sources.set(id, { ...loaded, bytes: file.size, file });
    return this.#view(id);
  }

  /**
   * Read a loaded source as another role, as the user chose it: its columns mapped again for that role (from the
   * profiles taken when it was read). Nothing canonical changes until the mapping is applied.
   */
  remap(id: string, role: Role): SourceView {
    const source = this.#source(id);
    this.#sources.set(id, { ...source, ...forRole(source, role) });
    return this.#view(id);
  }

  /** Apply a mapping to a loaded source: builds the canonical tables and, for orders, the cleaning report. */
  async apply(id: string, mapping: Mapping, cleaning?: CleaningSettings, role?: Role): Promise<Applied> {
    const source = this.#source(id);
    const target = { ...source, ...(role ? { role } : {}), raw: await this.#rawOf(source) };
    const applied = await applyMapping(this.#db, target, mapping, cleaning, { release: true });
    this.#basket.invalidate();
    this.#clv.invalidate();
    this.#results.clear();
    // New events only change the funnel's event table; new orders change everything derived.
    if (target.role === 'events') this.#prepared.delete('event_firsts');
    else if (target.role !== 'customers') this.#prepared.clear();
    this.#sources.set(id, { ...target, mapping });
    if (target.role !== 'orders') return applied;
    return { ...applied, defaultAsOf: await asOfDate(this.#db, null, this.#prepared).catch(() => undefined) };
  }

  /** Forget a source and its raw table. */
  async remove(id: string): Promise<void> {
    this.#sources.delete(id);
    this.#prepared.clear();
    this.#results.clear();
    this.#clv.invalidate();
    await this.#db.query(`DROP TABLE IF EXISTS raw_${id}`);
  }

  overview(settings: ModelSettings) {
    return this.#remember('overview', [settings.asOf], () => overview(this.#db, { asOf: settings.asOf }, this.#prepared));
  }

  rfm(settings: ModelSettings) {
    return this.#remember('rfm', [settings.asOf, settings.rfm], () => rfm(this.#db, { ...settings.rfm, asOf: settings.asOf }, this.#prepared));
  }

  rfmCustomers(opts: Parameters<typeof rfmCustomers>[1]) {
    return rfmCustomers(this.#db, opts);
  }

  abc(settings: ModelSettings) {
    return this.#remember('abc', [settings.asOf, settings.abc], () => abc(this.#db, { ...settings.abc, asOf: settings.asOf }, this.#prepared));
  }

  abcCustomers(opts: Parameters<typeof abcCustomers>[1]) {
    return abcCustomers(this.#db, opts);
  }

  /** CSV bytes (UTF-8 with BOM) of one ABC class's customers, or of all of them. */
  async exportAbc(cls: AbcClass | null): Promise<Uint8Array> {
    return withBom(await this.#db.exportCsv(abcExportSql(cls ?? undefined)));
  }

  /** k-means clusters with their profiles and a scatter sample; writes tables `clusters` and `cluster_profiles`. */
  clusters(settings: ModelSettings) {
    return this.#remember('clusters', [settings.asOf, settings.clusters?.k], async () => {
      const result = await clusters(this.#db, { ...settings.clusters, asOf: settings.asOf }, this.#prepared);
      return { ...result, sample: await clusterSample(this.#db) };
    });
  }

  /** Inertia by k for the elbow chart (independent of the chosen k, so a cell asks only when the data changes). */
  clusterElbow(settings: ModelSettings) {
    return this.#remember('clusterElbow', [settings.asOf], () => clusterElbow(this.#db, { asOf: settings.asOf }, this.#prepared));
  }

  clusterCustomers(opts: Parameters<typeof clusterCustomers>[1]) {
    return clusterCustomers(this.#db, opts);
  }

  /** CSV bytes (UTF-8 with BOM) of one cluster's members, or of all customers with their cluster. */
  async exportCluster(cluster: number | null): Promise<Uint8Array> {
    return withBom(await this.#db.exportCsv(clusterListSql(cluster ?? undefined)));
  }

  /** Everything known about one customer; model tables not built yet are left out. */
  customer360(id: string, asOf?: string | null) {
    return customer360(this.#db, id, { asOf });
  }

  /** Customers whose id or name contains the query. */
  searchCustomers(query: string, limit?: number) {
    return searchCustomers(this.#db, query, limit);
  }

  /** Retention by acquisition cohort (unit from the settings). */
  cohorts(settings: ModelSettings) {
    return this.#remember('cohorts', [settings.asOf, settings.cohorts], () =>
      this.#oneAtATime(() => cohorts(this.#db, { ...settings.cohorts, asOf: settings.asOf }, this.#prepared)),
    );
  }

  /**
   * Lifecycle stages, month by month, transitions, reactivations and the funnel from the loaded sources,
   * with the first page of a customer list (by default the cell's first page, 50 most valuable) so that the
   * cell draws in one round trip.
   */
  lifecycle(settings: ModelSettings, sources: FunnelSources, list: Parameters<typeof lifecycleCustomers>[1] = { limit: 50 }) {
    return this.#remember('lifecycle', [settings.asOf, settings.lifecycle, sources, list], () =>
      this.#oneAtATime(async () => {
        const result = await lifecycle(this.#db, { ...settings.lifecycle, asOf: settings.asOf }, { prepared: this.#prepared, sources });
        return { ...result, list: await lifecycleCustomers(this.#db, list) };
      }),
    );
  }

  lifecycleCustomers(opts: Parameters<typeof lifecycleCustomers>[1]) {
    return this.#oneAtATime(() => lifecycleCustomers(this.#db, opts));
  }

  /** CSV bytes (UTF-8 with BOM) of one lifecycle stage's customers, the slipping ones, or all. */
  exportLifecycle(opts: { stage?: Stage; slipping?: boolean }): Promise<Uint8Array> {
    return this.#oneAtATime(async () => withBom(await this.#db.exportCsv(lifecycleListSql(opts))));
  }

  /** Cohorts and lifecycle share derived tables (and the `lifecycle` table a list reads): one call at a time. */
  #oneAtATime<T>(run: () => Promise<T>): Promise<T> {
    const next = this.#lifecycleQueue.then(run, run);
    this.#lifecycleQueue = next.catch(() => undefined);
    return next;
  }

  /**
   * The model's last result when `args` are the ones it was computed for (its tables then still hold that
   * result too), else a new run that becomes the last. A failed run is not kept.
   */
  #remember<T>(model: string, args: unknown[], run: () => Promise<T>): Promise<T> {
    const key = JSON.stringify(args);
    const last = this.#results.get(model);
    if (last?.key === key) return last.value as Promise<T>;
    const value = run();
    this.#results.set(model, { key, value });
    value.catch(() => {
      if (this.#results.get(model)?.value === value) this.#results.delete(model);
    });
    return value;
  }

  /** CSV bytes (UTF-8 with BOM, so Excel opens Chinese correctly) of an RFM segment's customers. */
  async exportSegment(scheme: 'cn' | 'en', segment: string | null): Promise<Uint8Array> {
    const where = segment === null ? '' : `WHERE segment_${scheme} = '${segment.replaceAll("'", "''")}'`;
    const csv = await this.#db.exportCsv(
      `SELECT customer_id, recency_days, frequency, round(monetary, 2) AS monetary, r, f, m, segment_cn, segment_en
       FROM rfm ${where} ORDER BY monetary DESC, customer_id`,
    );
    return withBom(csv);
  }

  /** Basket rules (top 10,000 by lift), co-occurrence of the top items and timings; transactions are kept between calls. */
  basket(settings: ModelSettings) {
    return this.#remember('basket', [settings.asOf, settings.basket], () => this.#basket.run(settings));
  }

  /** A page of the cross-sell list of rule X → Y: customers who bought X but never Y, by value. */
  basketCrossSell(settings: ModelSettings, rule: RuleRef, page: { limit?: number; offset?: number }) {
    return this.#basket.crossSell(settings, rule, page);
  }

  /** The whole cross-sell list of a rule: CSV (UTF-8 with BOM) or XLSX bytes. */
  async exportCrossSell(settings: ModelSettings, rule: RuleRef, format: 'csv' | 'xlsx'): Promise<Uint8Array> {
    const bytes = await this.#basket.exportCrossSell(settings, rule, format);
    return format === 'csv' ? withBom(bytes) : bytes;
  }

  /** Predictive CLV under the notebook's settings, fitted here with progress by phase; writes `clv_customers`. */
  clv(settings: ModelSettings, onProgress?: Progress) {
    return this.#clv.clv(settings, onProgress);
  }

  /** The CLV answer with the whole model comparison, once the models `clv` left pending are fitted (null: superseded). */
  clvCompare(settings: ModelSettings) {
    return this.#clv.compare(settings);
  }

  /** A page of the CLV customers, highest CLV first. */
  clvCustomers(opts: { limit?: number; offset?: number }) {
    return this.#clv.customers(opts);
  }

  /** The churn warning list at the as-of date (P(alive) < threshold or slipping), ranked by value at risk. */
  churn(settings: ModelSettings, onProgress?: Progress) {
    return this.#remember('churn', [settings.asOf, settings.clv, settings.churn], () => this.#clv.churn(settings, onProgress));
  }

  churnCustomers(opts: { limit?: number; offset?: number }) {
    return this.#clv.churnCustomers(opts);
  }

  /** The churn list as CSV (UTF-8 with BOM) or XLSX bytes. */
  async exportChurn(format: 'csv' | 'xlsx', locale: 'zh' | 'en'): Promise<Uint8Array> {
    const bytes = await this.#clv.exportChurn(format, locale);
    return format === 'csv' ? withBom(bytes) : bytes;
  }

  /** Run read-only SQL for the notebook's own queries (small results only). */
  query(sql: string) {
    return rows(this.#db, sql);
  }

  /**
   * The source's raw table, read again from its file when an earlier apply dropped it (raw tables are the largest in
   * memory, and the canonical tables hold what the models need).
   */
  async #rawOf(source: LoadedSource & { file: FileLike }) {
    const { raw } = source;
    const [{ n }] = await rows<{ n: number }>(this.#db, `SELECT count(*)::DOUBLE AS n FROM duckdb_tables() WHERE table_name = '${raw.table}'`);
    if (n > 0) return raw;
    return readSource(this.#db, raw.file, await readBytes(source.file), raw.table, { sheet: raw.sheet });
  }

  #source(id: string) {
    const s = this.#sources.get(id);
    if (!s) throw new Error(`no source ${id}`);
    return s;
  }

  #view(id: string): SourceView {
    const s = this.#source(id);
    return {
      id,
      file: s.raw.file,
      bytes: s.bytes,
      format: s.raw.format,
      encoding: s.raw.encoding,
      header: s.raw.header,
      rows: s.raw.rows,
      columns: s.raw.columns,
      role: s.role,
      mapping: s.mapping,
      missing: s.missing,
      samples: Object.fromEntries(s.profiles.map((p) => [p.column, p.samples])),
      sheets: s.raw.sheets,
      sheet: s.raw.sheet,
      notes: s.raw.notes,
    };
  }
}

/** Prefix UTF-8 bytes with a byte-order mark. */
export function withBom(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(bytes.length + 3);
  out.set([0xef, 0xbb, 0xbf]);
  out.set(bytes, 3);
  return out;
}
