/** The engine behind the worker: owns the database, the loaded sources and the models. Runs in Node too. */
import { rows, type Db } from '../src/db/db.ts';
import { warmUp } from '../src/ingest/warmup.ts';
import { applyMapping, forRole, InputError, loadFile, readSource, type Applied, type CleaningSettings, type LoadedSource, type Mapping, type Role, type SourceNote } from '../src/ingest/index.ts';
import { customer360, searchCustomers } from '../src/models/customer360.ts';
import { asOfDate, type Prepared } from '../src/models/prepared.ts';
import {
  cellKinds,
  customerSections,
  MODELS,
  resultKey,
  type ExportOptions,
  type ListOptions,
  type ListPage,
  type ModelName,
  type ModelResult,
  type Registry,
  type RunContext,
  type RunOptions,
} from '../src/models/registry.ts';
import type { ModelSettings } from '../src/models/settings.ts';
import type { CompareRunner, ScoreRunner } from '../src/models/clv/pipeline.ts';
import { clvKey, compareClv } from '../src/models/clv/runs.ts';
import { RequestManager } from './requests.ts';
import { filterChoices, filteredAsOf, filterKey, isActive, openFiltered, prepareFilters, type Filter } from '../src/models/filter.ts';
import { buildReport, type BuildContext } from '../src/report/build.ts';
import type { Report, ReportRequest } from '../src/report/format.ts';
import { answerSql, queryableTables, type QueryableTable, type SqlFailure, type SqlResult } from '../src/notebook/sql-cell.ts';

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
/** Filtered copies of the data kept at once (each holds its rows and its models' tables). */
const FILTERS_KEPT = 3;

/** A filtered copy of the data (MODELS.md §9) with the engine over it, and how many requests are using it now. */
interface FilteredCopy {
  engine: Promise<Engine>;
  users: number;
  /** No longer kept: closed once its last user is done. */
  dropped: boolean;
  /** Detach it (once). */
  close: () => Promise<void>;
}

/** Stop keeping a filtered copy: closed now when nothing uses it, else by its last user. */
function dropCopy(copy: FilteredCopy): Promise<void> {
  copy.dropped = true;
  return copy.users === 0 ? copy.close() : Promise.resolve();
}

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
  #models: Registry;
  /** Loaded sources with the file they came from: applying drops the raw table, so another mapping reads the file again. */
  #sources = new Map<string, LoadedSource & { bytes: number; file: FileLike; applied?: boolean }>();
  #next = 0;
  /** Derived tables the models share (customer days and summary, cohort and lifecycle tables), valid until the orders change. */
  #prepared: Prepared = new Map();
  /** What is cached, queued or stale: results by model + settings + data version, lanes, and the models' kept state. */
  #requests = new RequestManager();
  #score: ScoreRunner | undefined;
  #compare: CompareRunner | undefined;
  /** Whether to run what a model suggests after a run, and prepare filters, when idle (see the constructor). */
  #warmModels = false;
  /** A filtered engine's sources (it has no files of its own). */
  #fixedSources: { customers: boolean; events: boolean } | undefined;
  /** Engines over filtered copies of the data, by filter (and the segment model's settings), newest last. */
  #filtered = new Map<string, FilteredCopy>();

  /** The warm-up started with the engine (see src/ingest/warmup.ts); a file to load stops it. */
  #warming: Promise<void> = Promise.resolve();
  #stopWarming = false;

  /**
   * `warmUp`: read and clean a small generated file first, so that the user's first file runs on compiled code.
   * `scoreClv`, `compareClv`: where the CLV fits of the chosen model and of the rest of the model comparison run
   * (default: in this thread; the browser's worker gives each a worker of its own).
   * `models`: the models it runs (default: every registered one).
   * `warmModels`: run the settings a model suggests after a run (its `warm`) when idle, and make the tables filters cut
   * when idle after orders are applied (the page's engine: a user switches settings and filters there; a command that
   * runs once and exits has no use for them).
   * `sources`, `prepared`: a filtered engine's (its database has no files of its own; some derived tables are made with it).
   */
  constructor(
    db: Db,
    opts: {
      warmUp?: boolean;
      warmModels?: boolean;
      scoreClv?: ScoreRunner;
      compareClv?: CompareRunner;
      models?: Registry;
      sources?: { customers: boolean; events: boolean };
      prepared?: Prepared;
    } = {},
  ) {
    this.#db = db;
    if (opts.prepared) this.#prepared = opts.prepared;
    this.#fixedSources = opts.sources;
    this.#models = opts.models ?? MODELS;
    if (opts.warmUp) this.#warming = warmUp(db, () => this.#stopWarming);
    this.#warmModels = Boolean(opts.warmModels);
    this.#score = opts.scoreClv;
    this.#compare = opts.compareClv;
  }

  /** Resolves when the warm-up has ended, run to its end or stopped by a file. */
  warmedUp(): Promise<void> {
    return this.#warming;
  }

  /** The data version: bumped by every source applied or removed. */
  get dataVersion(): number {
    return this.#requests.version;
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
    this.#requests.bump();
    await this.#dropFiltered();
    // New events only change the funnel's event table; new orders change everything derived.
    if (target.role === 'events') this.#prepared.delete('event_firsts');
    else if (target.role !== 'customers') this.#prepared.clear();
    this.#sources.set(id, { ...target, mapping, applied: true });
    if (target.role !== 'orders') return applied;
    // The tables filters cut, made once the cells have their results and the models' warm-ups are done: the first
    // filter (a segment clicked) then takes what every later one does, instead of seconds more at a million lines.
    // In the `sql` lane: a cohorts or lifecycle request that comes meanwhile waits for one of its statements, not for
    // all of them (a filter that comes meanwhile waits for the same build).
    if (this.#warmModels) {
      const version = this.#requests.version;
      this.#requests.whenIdle(
        () => (this.#requests.version === version ? this.#requests.inLane('sql', () => prepareFilters(this.#db, this.#prepared, { ahead: true })).catch(() => undefined) : Promise.resolve()),
        { last: true },
      );
    }
    return { ...applied, defaultAsOf: await asOfDate(this.#db, null, this.#prepared).catch(() => undefined) };
  }

  /** Forget a source and its raw table. */
  async remove(id: string): Promise<void> {
    this.#sources.delete(id);
    this.#prepared.clear();
    this.#requests.bump();
    await this.#dropFiltered();
    await this.#db.query(`DROP TABLE IF EXISTS raw_${id}`);
  }

  /**
   * Model `name`'s result under the notebook's settings: the kept one when nothing it depends on changed, else a
   * run in the model's lane. `options`: the model's own (the lifecycle cell's first list page).
   */
  run<N extends ModelName>(name: N, settings: ModelSettings, options?: RunOptions<N>, onProgress?: Progress): Promise<ModelResult<N>> {
    if (isActive(settings.filter)) return this.#under(settings, (engine, s) => engine.run(name, s, options, onProgress));
    const model = this.#model(name);
    const tables = resultKey(model, settings);
    const key = [tables, options ?? null];
    const result = this.#requests.result(name, key, model.lane, () => model.run(this.#db, settings, this.#context(onProgress), options), tables);
    if (model.warm && this.#warmModels) void result.then(() => this.#warm(name, settings), () => {});
    return result;
  }

  /**
   * The runs model `name` suggests after one under `settings` (its `warm`: settings a user is likely to switch to),
   * each once per data, when the engine has nothing else to do: they only build tables the model keeps.
   */
  #warm(name: ModelName, settings: ModelSettings): void {
    const model = this.#model(name);
    const done = this.#requests.state('warmed', () => new Set<string>());
    const version = this.#requests.version;
    for (const s of model.warm!(settings)) {
      const key = `${name}|${JSON.stringify(resultKey(model, s))}`;
      if (done.has(key)) continue;
      done.add(key);
      this.#requests.whenIdle(() =>
        this.#requests.version === version ? this.#requests.inLane(model.lane, () => model.run(this.#db, s, this.#context())).catch(() => undefined) : Promise.resolve(),
      );
    }
  }

  /**
   * A page of model `name`'s customer list, from its tables. `settings`: those of the cell asking; when the model's
   * last run was for other settings (another cell of the same model), it runs again with these first, so each cell
   * lists its own customers. Without them, the tables as the last run left them.
   */
  list<N extends ModelName>(name: N, opts: ListOptions<N>, settings?: ModelSettings): Promise<ListPage<N>> {
    const model = this.#model(name);
    if (!model.list) throw new Error(`the ${name} model has no customer list`);
    if (settings && isActive(settings.filter)) return this.#under(settings, (engine, s) => engine.list(name, opts, s));
    return this.#onTables(name, settings, () => model.list!(this.#db, opts));
  }

  /**
   * Model `name`'s customer list as file bytes: CSV (UTF-8 with BOM, so Excel opens Chinese correctly) or XLSX;
   * `settings` as for `list`.
   */
  export<N extends ModelName>(name: N, opts: ExportOptions<N>, settings?: ModelSettings): Promise<Uint8Array> {
    const model = this.#model(name);
    if (!model.export) throw new Error(`the ${name} model has no export`);
    if (settings && isActive(settings.filter)) return this.#under(settings, (engine, s) => engine.export(name, opts, s));
    return this.#onTables(name, settings, () => model.export!(this.#db, opts));
  }

  /** `task` on model `name`'s tables as its run under `settings` leaves them (rerun first when they hold another run's). */
  #onTables<T>(name: ModelName, settings: ModelSettings | undefined, task: () => Promise<T>): Promise<T> {
    const model = this.#model(name);
    const rerun = settings ? () => model.run(this.#db, settings, this.#context()) : null;
    return this.#requests.withTables(name, settings ? resultKey(model, settings) : null, model.lane, rerun, task);
  }

  /** The notebook's cell kinds: one per model it runs, in the registry's order. */
  cellKinds(): string[] {
    return cellKinds(this.#models);
  }

  /**
   * Everything known about one customer; model tables not built yet are left out. `settings`: the notebook's; a model
   * whose tables hold another cell's run (a second RFM cell with other settings) is run again with these first, so the
   * view always shows the verdicts of the notebook's own settings, not of whichever cell ran last.
   */
  async customer360(id: string, asOf?: string | null, filter?: Filter, settings?: ModelSettings): Promise<Awaited<ReturnType<typeof customer360>>> {
    // Under a filter: the kept rows and the models' tables of the filtered runs (MODELS.md §9).
    if (isActive(filter)) return this.#under({ ...settings, asOf, filter }, (engine, s) => engine.customer360(id, s.asOf, undefined, settings && s));
    if (settings) {
      for (const [name, model] of Object.entries(this.#models)) {
        if (model.customer360 && this.#requests.written(name)) await this.#onTables(name as ModelName, { ...settings, asOf }, async () => {});
      }
    }
    return customer360(this.#db, id, customerSections(this.#models), { asOf });
  }

  /** Customers whose id or name contains the query (among those the filter keeps). */
  searchCustomers(query: string, limit?: number, filter?: Filter): Promise<Awaited<ReturnType<typeof searchCustomers>>> {
    if (isActive(filter)) return this.#under({ filter }, (engine) => engine.searchCustomers(query, limit));
    return searchCustomers(this.#db, query, limit);
  }

  /**
   * The CLV answer with the whole model comparison, once the models the clv run left pending are fitted (null: the
   * last answer was for other settings or data). Waits in the clv lane for the run under way; the fits run outside it.
   */
  async clvCompare(settings: ModelSettings): Promise<Awaited<ReturnType<typeof compareClv>>> {
    if (isActive(settings.filter)) return this.#under(settings, (engine, s) => engine.clvCompare(s));
    const model = this.#model('clv');
    const ctx = this.#context();
    const key = await this.#requests.inLane(model.lane, () => clvKey(this.#db, settings, ctx));
    // Once filled in, the answer with the whole comparison is the one kept for these settings.
    return compareClv(key, ctx, (earlier, whole) => this.#requests.replace('clv', earlier, whole));
  }

  /**
   * A report of the cells asked for (src/report/format.ts): each model's result as its cell has it (kept results are
   * reused), kept to aggregates by the model's `share`.
   */
  async report(req: ReportRequest, settings: ModelSettings, extra?: BuildContext['extra']): Promise<Report> {
    const filter = req.filter ?? settings.filter;
    const plain = { ...settings };
    delete plain.filter;
    const asOf = await this.asOf(isActive(filter) ? { ...plain, filter } : plain).catch(() => settings.asOf ?? null);
    return buildReport({ ...req, filter }, { db: this.#db, models: this.#models, settings: plain, asOf, extra, run: (kind, s) => this.run(kind as ModelName, s) });
  }

  /** The as-of date the models use under these settings (the user's, or the day after the last purchase kept). */
  asOf(settings: ModelSettings): Promise<string> {
    if (isActive(settings.filter)) return this.#under(settings, (engine, s) => engine.asOf(s));
    return asOfDate(this.#db, settings.asOf ?? null, this.#prepared);
  }

  /**
   * Call `use` on the engine over the rows `settings.filter` keeps (MODELS.md §9), with the settings it runs with
   * there: no filter, and the as-of date the filter implies. Filtered copies are kept for the current data (the
   * last few filters), and rebuilt when a segment filter's model settings change.
   */
  async #under<T>(settings: ModelSettings, use: (engine: Engine, settings: ModelSettings) => Promise<T>): Promise<T> {
    const filter = settings.filter as Filter;
    const plain: ModelSettings = { ...settings, filter: undefined, asOf: filteredAsOf(settings.asOf, filter) };
    delete plain.filter;
    const segment = filter.segment?.values.length ? filter.segment.model : null;
    const key = filterKey(filter) + (segment ? JSON.stringify(resultKey(this.#model(segment), { ...settings, filter: undefined })) : '');
    let entry = this.#filtered.get(key);
    if (entry) {
      // Most recently used last.
      this.#filtered.delete(key);
      this.#filtered.set(key, entry);
    } else {
      let close = async () => {};
      const engine = (async () => {
        // A segment is the one computed on all the data at the current settings.
        if (segment) await this.run(segment as ModelName, { ...settings, filter: undefined });
        // The per-order tables it cuts are made once per data and kept with this engine's derived tables.
        const f = await this.#requests.inLane('tables', () => openFiltered(this.#db, filter, (m) => this.#models[m]?.segments, { prepared: this.#prepared }));
        close = f.close;
        return new Engine(f.db, {
          models: this.#models,
          scoreClv: this.#score,
          compareClv: this.#compare,
          sources: { customers: f.customers, events: f.events },
          prepared: f.prepared,
        });
      })();
      let closed: Promise<void> | null = null;
      const copy: FilteredCopy = { engine, users: 0, dropped: false, close: () => (closed ??= engine.then(() => close(), () => undefined)) };
      entry = copy;
      this.#filtered.set(key, copy);
      engine.catch(() => this.#filtered.get(key) === copy && this.#filtered.delete(key));
      while (this.#filtered.size > FILTERS_KEPT) {
        const [oldest, old] = this.#filtered.entries().next().value!;
        this.#filtered.delete(oldest);
        void dropCopy(old);
      }
    }
    // Counted from here (before any wait), so a copy dropped meanwhile stays open until its last user is done.
    entry.users++;
    try {
      return await use(await entry.engine, plain);
    } finally {
      entry.users--;
      if (entry.dropped && entry.users === 0) void entry.close();
    }
  }

  async #dropFiltered(): Promise<void> {
    const all = [...this.#filtered.values()];
    this.#filtered.clear();
    for (const f of all) await dropCopy(f);
  }

  /**
   * What a filter can keep: the days with orders and the values of regions, channels and categories. Asked for when the
   * filter editor opens: the tables filters cut are then made while the user chooses (`prepareFilters`).
   */
  async filterChoices() {
    const choices = await this.#requests.inLane('sql', () => filterChoices(this.#db));
    void this.prepareFilters().catch(() => undefined);
    return choices;
  }

  /** Make the per-order tables a filter cuts (once per data; the first filter makes them otherwise). */
  async prepareFilters(): Promise<void> {
    await this.#requests.inLane('tables', () => prepareFilters(this.#db, this.#prepared));
  }

  /**
   * A SQL cell's statement (src/notebook/sql-cell.ts): its first `limit` rows, or why it was refused (nothing run) or
   * DuckDB's error, in the answer rather than thrown.
   */
  sql(statement: string, limit?: number, settings?: ModelSettings): Promise<SqlResult | SqlFailure> {
    // Under a filter, the canonical tables are the kept rows (MODELS.md §9), and the models' tables are those of the
    // filtered runs.
    if (settings && isActive(settings.filter)) return this.#under(settings, (engine) => engine.sql(statement, limit));
    return answerSql(this.#db, statement, this.#models, limit);
  }

  /** The tables a SQL cell can query now, with their columns. */
  sqlTables(): Promise<QueryableTable[]> {
    return queryableTables(this.#db, this.#models);
  }

  /** Run read-only SQL for the notebook's own queries (small results only). */
  query(sql: string) {
    return rows(this.#db, sql);
  }

  #model(name: string) {
    const model = this.#models[name];
    if (!model) throw new Error(`unknown model ${name} (models: ${Object.keys(this.#models).join(', ')})`);
    return model;
  }

  #context(onProgress?: Progress): RunContext {
    const applied = (role: Role) => [...this.#sources.values()].some((s) => s.applied && s.role === role);
    return {
      prepared: this.#prepared,
      sources: this.#fixedSources ?? { customers: applied('customers'), events: applied('events') },
      basketFile: applied('baskets'),
      state: (name, make) => this.#requests.state(name, make),
      onProgress,
      score: this.#score,
      compare: this.#compare,
    };
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
