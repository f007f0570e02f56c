/** The notebook document (sources, mapping, settings, cells) held as Svelte state, and what runs it. */
import { engine, progressProxy } from '../db/client.ts';
import type { SourceView } from '../../workers/engine.ts';
import type { CleaningReport, Mapping, Role, TableReport } from '../ingest/index.ts';
import type { ModelName } from '../models/registry.ts';
import type { ModelSettings } from '../models/settings.ts';
import { combineFilters, isActive, type Filter } from '../models/filter.ts';
import { i18n } from '../i18n/i18n.svelte.ts';
import { problemOf, type Problem } from '../i18n/problems.ts';
import type { SqlChart } from './sql-cell.ts';
import { cellsOf, notebookFile, parseNotebookFile, TemplateError, type NotebookFile } from './template.ts';
import { currencyOf } from './currency.ts';
import { SessionStore, type SavedSession, type SavedSource, type WriteOutcome } from './persist.ts';

/** A kind of cell: one per registered model (src/models/registry.ts), a note, or a SQL query. */
export type CellKind = ModelName | 'note' | 'sql';

/** A notebook cell: a model's cell, a note or a SQL cell, with what the consultant set on it. */
export interface Cell {
  id: string;
  /** A registered model's name, `note` or `sql`. */
  kind: CellKind;
  /** The consultant's title (the kind's own heading when absent). */
  title?: string;
  /** The consultant's note on this cell (a note cell's text is its note); Markdown shown safely. */
  note?: string;
  /** Left out of present mode and of reports. */
  hidden?: boolean;
  /** Folded to its heading in the notebook. */
  collapsed?: boolean;
  /** The cell's own settings for its model, over the notebook's (a second RFM cell with other settings). */
  settings?: object;
  /** A SQL cell's statement. */
  sql?: string;
  /** A SQL cell's chart: its mark and the result's columns on x and y. */
  chart?: SqlChart;
  /** The cell's own filter, combined with the notebook's (MODELS.md §9). */
  filter?: object;
  /** Customer lists opted into reports (names from the model's `shareLists`). */
  reportLists?: string[];
  /** A SQL cell goes into reports only when ticked in. */
  inReport?: boolean;
}

/** The key of a model's own settings in the notebook's settings (`rfm`, `abc`, …). */
export type SettingsKey = Exclude<keyof ModelSettings, 'asOf' | 'cleaning'>;

/** A cell removed a moment ago, which "Undo" puts back where it was. */
export interface RemovedCell {
  cell: Cell;
  index: number;
}

/** How long "Undo" is offered after a cell is removed. */
export const UNDO_MS = 8000;

/** A new cell's id: short, unique in the notebook (the default cells' ids are their kinds). */
function newCellId(taken: Cell[]): string {
  for (;;) {
    const id = `c${Math.random().toString(36).slice(2, 8)}`;
    if (!taken.some((c) => c.id === id)) return id;
  }
}

/** A saved cell as the notebook can use it: a known shape, or null. */
function cellOf(value: unknown): Cell | null {
  if (typeof value !== 'object' || value === null) return null;
  const c = value as Record<string, unknown>;
  if (typeof c.id !== 'string' || typeof c.kind !== 'string') return null;
  const cell: Cell = { id: c.id, kind: c.kind as CellKind };
  if (typeof c.title === 'string') cell.title = c.title;
  if (typeof c.note === 'string') cell.note = c.note;
  if (c.hidden === true) cell.hidden = true;
  if (c.collapsed === true) cell.collapsed = true;
  if (typeof c.settings === 'object' && c.settings !== null) cell.settings = c.settings;
  if (typeof c.sql === 'string') cell.sql = c.sql;
  if (typeof c.filter === 'object' && c.filter !== null) cell.filter = c.filter;
  if (Array.isArray(c.reportLists)) cell.reportLists = c.reportLists.filter((l): l is string => typeof l === 'string');
  if (typeof c.inReport === 'boolean') cell.inReport = c.inReport;
  return cell;
}

export interface SourceState {
  view: SourceView;
  mapping: Mapping;
  role: Role;
  report?: CleaningReport;
  /** Customers and events files: rows loaded and left out. */
  table?: TableReport;
  /** Orders: the as-of date the models use when none is set (the day after the last purchase). */
  defaultAsOf?: string;
  applied: boolean;
  error?: Problem;
}

export interface LoadProgress {
  file: string;
  phase: string;
  fraction: number;
}

/** Serializable part of the notebook: what a saved notebook or a share link holds. */
export interface NotebookDoc {
  version: 1;
  settings: ModelSettings;
  cells: Cell[];
  rfmScheme: 'cn' | 'en' | null;
  /** The currency the data is known to be in (the sample data's ¥); absent: read from the amount column. */
  currency?: string | null;
  /** The notebook's filter (absent in notebooks saved before filters). */
  filter?: Filter;
}

class Notebook {
  sources = $state<SourceState[]>([]);
  settings = $state<ModelSettings>({ asOf: null, rfm: {}, abc: {} });
  /** One cell per registered model, in the registry's order, as the engine reports them (see the end of this file). */
  cells = $state<Cell[]>([]);
  /** The customer shown in the customer 360 panel (any list's customer id opens it). */
  customer = $state<string | null>(null);
  /**
   * Which RFM scheme to show: set when the first source is applied (A with a Chinese page, B with English) and kept when
   * the language is switched; null only before then (it follows the language).
   */
  rfmScheme = $state<'cn' | 'en' | null>(null);
  /** The currency the data is known to be in: the sample data's (¥); null: what the amount column says, if anything. */
  knownCurrency = $state<string | null>(null);
  progress = $state<LoadProgress | null>(null);
  errors = $state<Problem[]>([]);
  /** The notebook's filter (MODELS.md §9): every cell, list and report shows only the rows it keeps. */
  filter = $state<Filter>({});
  /** Bumped whenever the canonical orders change, so cells recompute. */
  dataVersion = $state(0);
  /** The cell removed last, while "Undo" is offered. */
  removed = $state<RemovedCell | null>(null);
  #undoTimer: ReturnType<typeof setTimeout> | undefined;
  /** The registry's cell kinds (the default notebook: one cell each) and each model's settings key. */
  kinds = $state<{ kind: CellKind; settingsKey: SettingsKey | null }[]>([]);

  /** The default notebook: one cell per registered model, in the registry's order. */
  defaultCells(): Cell[] {
    return this.kinds.map(({ kind }) => ({ id: kind, kind }));
  }

  /** The settings key of a model cell's kind (null for notes, SQL and models with no settings of their own). */
  settingsKey(kind: CellKind): SettingsKey | null {
    return this.kinds.find((k) => k.kind === kind)?.settingsKey ?? null;
  }

  /** Model settings `key` as `cell` uses them: its own when it has them, else the notebook's. */
  settingsOf<K extends SettingsKey>(cell: Cell, key: K): ModelSettings[K] {
    return (cell.settings as ModelSettings[K] | undefined) ?? this.settings[key];
  }

  /** Change model settings `key` for `cell`: its own when it has them (a duplicate), else the notebook's. */
  setSettings<K extends SettingsKey>(cell: Cell, key: K, value: ModelSettings[K]): void {
    if (cell.settings) cell.settings = value as object;
    else this.settings[key] = value;
  }

  /** The settings a model cell runs with: the notebook's, with the cell's own for its model over them. */
  cellSettings(cell: Cell): ModelSettings {
    const key = this.settingsKey(cell.kind);
    const all = $state.snapshot(this.settings) as ModelSettings;
    if (key && cell.settings) return { ...all, [key]: $state.snapshot(cell.settings) };
    return all;
  }

  /**
   * Add a cell of `kind` after the cell at `after` (at the end when absent). A model cell of a kind the notebook
   * already has starts with its own copy of the notebook's settings for that model, so both can differ.
   */
  addCell(kind: CellKind, after?: number): Cell {
    const cell: Cell = { id: newCellId(this.cells), kind };
    const key = this.settingsKey(kind);
    if (key && this.cells.some((c) => c.kind === kind)) cell.settings = structuredClone($state.snapshot(this.settings[key]) ?? {});
    if (kind === 'note') cell.note = '';
    const at = after === undefined ? this.cells.length : after + 1;
    this.cells = [...this.cells.slice(0, at), cell, ...this.cells.slice(at)];
    return cell;
  }

  /** A copy of a cell right after it, with its own copy of the settings it uses (so the two can differ). */
  duplicateCell(id: string): Cell | null {
    const i = this.cells.findIndex((c) => c.id === id);
    if (i < 0) return null;
    const source = $state.snapshot(this.cells[i]) as Cell;
    const copy: Cell = { ...structuredClone(source), id: newCellId(this.cells) };
    const key = this.settingsKey(source.kind);
    if (key) copy.settings = structuredClone(source.settings ?? ($state.snapshot(this.settings[key]) as object | undefined) ?? {});
    this.cells = [...this.cells.slice(0, i + 1), copy, ...this.cells.slice(i + 1)];
    return copy;
  }

  /** Move a cell up (-1) or down (+1). */
  moveCell(id: string, by: -1 | 1): void {
    const i = this.cells.findIndex((c) => c.id === id);
    const j = i + by;
    if (i < 0 || j < 0 || j >= this.cells.length) return;
    const cells = [...this.cells];
    [cells[i], cells[j]] = [cells[j], cells[i]];
    this.cells = cells;
  }

  /** Remove a cell; "Undo" can put it back for a few seconds. */
  removeCell(id: string): void {
    const index = this.cells.findIndex((c) => c.id === id);
    if (index < 0) return;
    this.removed = { cell: $state.snapshot(this.cells[index]) as Cell, index };
    this.cells = this.cells.filter((c) => c.id !== id);
    clearTimeout(this.#undoTimer);
    this.#undoTimer = setTimeout(() => (this.removed = null), UNDO_MS);
  }

  /** Put the cell removed last back where it was. */
  undoRemove(): void {
    const r = this.removed;
    if (!r) return;
    clearTimeout(this.#undoTimer);
    this.removed = null;
    const cell = this.cells.some((c) => c.id === r.cell.id) ? { ...r.cell, id: newCellId(this.cells) } : r.cell;
    const at = Math.min(r.index, this.cells.length);
    this.cells = [...this.cells.slice(0, at), cell, ...this.cells.slice(at)];
  }

  get orders(): SourceState | undefined {
    return this.sources.find((s) => s.role === 'orders' && s.applied);
  }

  /**
   * The currency of the amounts where it is known (the list exports name it in their money headers): the sample data's
   * (¥), else the one the orders' amount column names in its header or values; null when unknown.
   */
  get currency(): string | null {
    if (this.knownCurrency) return this.knownCurrency;
    const orders = this.sources.find((s) => s.role === 'orders' && s.applied);
    const column = orders?.mapping.amount;
    return orders && column ? currencyOf(column, orders.view.samples[column] ?? []) : null;
  }

  get scheme(): 'cn' | 'en' {
    return this.rfmScheme ?? (i18n.locale === 'zh' ? 'cn' : 'en');
  }

  /** The File behind each source, kept so the notebook can be restored after a reload. */
  #files = new Map<string, { file: File; sheet?: string }>();
  /** True while a saved notebook is being reloaded. */
  restoring = $state(false);
  /** Another tab saved a newer notebook (or started over) since this tab read or saved it: this tab no longer saves. */
  newerElsewhere = $state(false);
  /** This tab's view of what the browser keeps. */
  #store = new SessionStore();
  /**
   * Bumped by "Start over": a load, restore or apply begun before it sees the change when it resumes and drops
   * what it brought, so nothing started earlier comes back afterwards.
   */
  #epoch = 0;

  /**
   * Load dropped files one by one; a failure is reported and leaves what was loaded intact. `saved`
   * (restoring a session) gives each file its role, sheet and the mapping the user had confirmed.
   */
  async addFiles(files: File[], saved?: SavedSource[]): Promise<void> {
    const epoch = this.#epoch;
    // New files after "Start over": its "Undo" would mix two notebooks, so it is no longer offered.
    if (!saved) this.#dropUndo();
    for (const [k, file] of files.entries()) {
      if (epoch !== this.#epoch) return;
      const prior = saved?.[k];
      this.progress = { file: file.name, phase: 'read', fraction: 0 };
      try {
        const view = await engine.load(
          file,
          prior ? { role: prior.role, sheet: prior.sheet } : {},
          progressProxy((phase: string, fraction: number) => {
            if (epoch === this.#epoch) this.progress = { file: file.name, phase, fraction };
          }),
        );
        if (epoch !== this.#epoch) {
          // Started over while this file was read: it is not part of the notebook any more.
          await engine.remove(view.id);
          return;
        }
        this.progress = { file: file.name, phase: 'ingest', fraction: 1 };
        // New orders of the user's own: the sample's currency no longer holds (loadSample sets it after).
        if (!prior && view.role === 'orders') this.knownCurrency = null;
        this.#files.set(view.id, { file, sheet: prior?.sheet ?? view.sheet });
        const state: SourceState = { view, mapping: { ...(prior?.mapping ?? view.mapping) }, role: view.role, applied: false };
        this.sources = [...this.sources, state];
        if (prior || view.missing.length === 0) await this.apply(view.id);
      } catch (e) {
        if (epoch === this.#epoch) this.errors = [...this.errors, problemOf(e)];
      } finally {
        if (epoch === this.#epoch) this.progress = null;
      }
    }
  }

  /**
   * Read another sheet (or JSON list) of a loaded file. The new source sits beside the old one until its mapping
   * applies, which replaces the old one when both have the same role; a sheet that cannot be read leaves all as it was.
   */
  async chooseSheet(id: string, sheet: string): Promise<void> {
    const f = this.#files.get(id);
    if (!f) return;
    this.progress = { file: f.file.name, phase: 'read', fraction: 0 };
    try {
      const view = await engine.load(
        f.file,
        { sheet },
        progressProxy((phase: string, fraction: number) => {
          this.progress = { file: f.file.name, phase, fraction };
        }),
      );
      this.#files.set(view.id, { file: f.file, sheet: view.sheet });
      const state: SourceState = { view, mapping: { ...view.mapping }, role: view.role, applied: false };
      const i = this.sources.findIndex((s) => s.view.id === id);
      this.sources = [...this.sources.slice(0, i + 1), state, ...this.sources.slice(i + 1)];
      if (view.missing.length === 0) await this.apply(view.id);
    } catch (e) {
      this.errors = [...this.errors, problemOf(e)];
    } finally {
      this.progress = null;
    }
  }

  /**
   * Read a source as another role, as the user chose it: its columns are mapped again for that role and applied when
   * every required field has a column; otherwise the mapping panel says which are missing. Data the source gave under
   * its old role is no longer used (as when it is removed).
   */
  async setRole(id: string, role: Role): Promise<void> {
    const i = this.sources.findIndex((s) => s.view.id === id);
    if (i < 0 || this.sources[i].role === role) return;
    const s = this.sources[i];
    try {
      const view = await engine.remap(id, role);
      this.sources[i] = { view, mapping: { ...view.mapping }, role, applied: false };
      if (s.applied && (s.role === 'orders' || s.role === 'baskets')) this.dataVersion++;
      if (view.missing.length === 0) await this.apply(id);
      // Not applied yet: the saved notebook must not bring the file back under its old role.
      else if (this.sources.some((o) => o.applied)) this.save();
      else void this.#store.forget().then((outcome) => this.#wrote(outcome));
    } catch (e) {
      this.sources[i] = { ...s, error: problemOf(e) };
    }
  }

  /** Apply the (possibly corrected) mapping of a source. */
  async apply(id: string): Promise<void> {
    let i = this.sources.findIndex((s) => s.view.id === id);
    if (i < 0) return;
    const s = this.sources[i];
    const epoch = this.#epoch;
    try {
      const applied = await engine.apply(id, $state.snapshot(s.mapping), $state.snapshot(this.settings.cleaning), s.role);
      // Removed (or started over) while the mapping applied: the source stays gone.
      i = this.sources.findIndex((o) => o.view.id === id);
      if (epoch !== this.#epoch || i < 0) {
        if (epoch !== this.#epoch) await engine.remove(id);
        return;
      }
      this.sources[i] = { ...s, report: applied.report, table: applied.table, defaultAsOf: applied.defaultAsOf, applied: true, error: undefined };
      // An applied orders file replaces the previous one (likewise customers, events): only now, so a
      // file that still needs its mapping leaves the loaded data in place.
      const replaced = this.sources.filter((o) => o.view.id !== id && o.role === s.role && s.role !== 'baskets');
      this.sources = this.sources.filter((o) => !replaced.includes(o));
      for (const o of replaced) await engine.remove(o.view.id);
      for (const o of replaced) this.#files.delete(o.view.id);
      if (s.role === 'orders' || s.role === 'baskets') this.dataVersion++;
      // The notebook now exists: its RFM scheme is the one of the language it was made in, kept when the language is
      // switched (MODELS.md §2), until the user chooses the other.
      this.rfmScheme ??= this.scheme;
      this.save();
    } catch (e) {
      i = this.sources.findIndex((o) => o.view.id === id);
      if (epoch === this.#epoch && i >= 0) this.sources[i] = { ...s, error: problemOf(e) };
    }
  }

  async remove(id: string): Promise<void> {
    this.sources = this.sources.filter((s) => s.view.id !== id);
    this.#files.delete(id);
    await engine.remove(id);
    this.dataVersion++;
    if (this.sources.length) this.save();
    else void this.#store.forget().then((outcome) => this.#wrote(outcome));
  }

  /**
   * Remember the applied sources and the document in this browser (not while restoring). When another tab has saved
   * since this one read or saved, nothing is written and `newerElsewhere` says so.
   */
  save(): void {
    if (this.restoring) return;
    const sources = this.#savedSources();
    if (sources.length) void this.#store.save(this.#session(sources)).then((outcome) => this.#wrote(outcome));
  }

  /** Keep this tab's notebook over the newer one another tab saved (the user chose it). */
  async keepThisTab(): Promise<void> {
    const sources = this.#savedSources();
    const outcome = sources.length ? await this.#store.save(this.#session(sources), true) : await this.#store.clear();
    if (outcome === 'saved') this.newerElsewhere = false;
  }

  #savedSources(): SavedSource[] {
    const sources: SavedSource[] = [];
    for (const s of this.sources) {
      const f = this.#files.get(s.view.id);
      if (f && s.applied) sources.push({ file: f.file, sheet: f.sheet, role: s.role, mapping: $state.snapshot(s.mapping) });
    }
    return sources;
  }

  #session(sources: SavedSource[]): SavedSession {
    return { version: 1, savedAt: new Date().toISOString(), sources, doc: this.doc() };
  }

  #wrote(outcome: WriteOutcome): void {
    if (outcome === 'newer') this.newerElsewhere = true;
  }

  /** Reload the notebook saved in this browser, if any; "Start over" meanwhile stops it. */
  async restore(): Promise<void> {
    const epoch = this.#epoch;
    const session = await this.#store.load();
    if (!session || epoch !== this.#epoch) return;
    await this.#bringBack(session);
  }

  /** The session being brought back (a restore or an undo), so that starting over meanwhile can be undone too. */
  #bringing: SavedSession | null = null;

  /** Put a session's document in place and load its files with their roles, sheets and mappings. */
  async #bringBack(session: SavedSession): Promise<void> {
    const epoch = this.#epoch;
    this.restoring = true;
    this.#bringing = session;
    try {
      this.settings = session.doc.settings;
      this.rfmScheme = session.doc.rfmScheme;
      this.knownCurrency = session.doc.currency ?? null;
      this.filter = session.doc.filter ?? {};
      const cells = Array.isArray(session.doc.cells) ? session.doc.cells.map(cellOf).filter((c): c is Cell => c !== null) : [];
      if (cells.length) this.cells = cells;
      await this.addFiles(
        session.sources.map((s) => s.file),
        session.sources,
      );
    } finally {
      if (epoch === this.#epoch) {
        this.restoring = false;
        this.#bringing = null;
      }
    }
  }

  /** While "Undo" is offered after "Start over": when it lapses (ms since the epoch) and how many files it brings back. */
  startedOver = $state<{ until: number; files: number } | null>(null);
  /** What "Start over" removed, kept in memory (the File objects and the document) until its "Undo" lapses. */
  #undone: SavedSession | null = null;
  #startOverTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Forget every source, the saved session and the settings: back to the empty page, also for a restore under way.
   * The files and the document stay in memory for `UNDO_MS`, while "Undo" can bring them back.
   */
  async startOver(): Promise<void> {
    const sources = this.#savedSources();
    const kept = sources.length ? this.#session(sources) : this.#bringing;
    this.#epoch++;
    this.#bringing = null;
    this.restoring = false;
    this.progress = null;
    this.newerElsewhere = false;
    const cleared = this.#store.clear();
    const loaded = this.sources;
    this.sources = [];
    this.#files.clear();
    this.settings = { asOf: null, rfm: {}, abc: {} };
    this.filter = {};
    this.rfmScheme = null;
    this.knownCurrency = null;
    this.cells = this.defaultCells();
    clearTimeout(this.#undoTimer);
    this.removed = null;
    this.customer = null;
    this.errors = [];
    this.dataVersion++;
    clearTimeout(this.#startOverTimer);
    this.#undone = kept;
    this.startedOver = kept ? { until: Date.now() + UNDO_MS, files: kept.sources.length } : null;
    if (kept) this.#startOverTimer = setTimeout(() => this.#dropUndo(), UNDO_MS);
    for (const s of loaded) await engine.remove(s.view.id);
    await cleared;
  }

  #dropUndo(): void {
    clearTimeout(this.#startOverTimer);
    this.#undone = null;
    this.startedOver = null;
  }

  /** Bring back what "Start over" removed a moment ago: the files with their mappings, the settings and the cells. */
  async undoStartOver(): Promise<void> {
    const session = this.#undone;
    this.#dropUndo();
    if (!session || this.sources.length) return;
    const epoch = this.#epoch;
    await this.#bringBack(session);
    if (epoch === this.#epoch) this.save();
  }

  /** Set the notebook's filter (an empty one shows all the data). */
  setFilter(filter: Filter): void {
    this.filter = filter;
  }

  /** Show only the customers of one segment of a model (clicking it again, or "clear", shows all). */
  toggleSegment(model: string, value: string | number): void {
    const seg = this.filter.segment;
    const on = seg?.model === model && seg.values.length === 1 && seg.values[0] === value;
    const next: Filter = { ...$state.snapshot(this.filter) } as Filter;
    if (on) delete next.segment;
    else next.segment = { model, values: [value] };
    this.filter = next;
  }

  /** The filter a cell shows (the notebook's with its own on top) as settings to spread into its request: none when it keeps all. */
  filterOf(cell?: Cell): { filter?: Filter } {
    const outer = $state.snapshot(this.filter) as Filter;
    let filter: Filter;
    try {
      filter = combineFilters(outer, $state.snapshot(cell?.filter) as Filter | undefined);
    } catch {
      // Segments of two models cannot combine yet: the notebook's filter holds.
      filter = outer;
    }
    return isActive(filter) ? { filter } : {};
  }

  /** Open the customer 360 panel on one customer. */
  openCustomer(id: string | null): void {
    this.customer = id;
  }

  dismissError(i: number): void {
    this.errors = this.errors.filter((_, k) => k !== i);
  }

  /** Fetch the bundled sample files (same origin) and load them like dropped files. */
  async loadSample(urls: { name: string; url: string }[]): Promise<void> {
    const files = await Promise.all(
      urls.map(async ({ name, url }) => new File([await (await fetch(url)).blob()], name, { type: 'text/csv' })),
    );
    await this.addFiles(files);
    // The sample shop sells in yuan: its amounts are CNY (the exports' money headers say ¥).
    if (this.sources.some((s) => s.role === 'orders' && s.applied && files.some((f) => f.name === s.view.file))) {
      this.knownCurrency = '¥';
      this.save();
    }
  }

  /** The notebook file (template) of this notebook: its cells with their settings, notes and SQL, no data. */
  async templateFile(): Promise<NotebookFile> {
    const models = await engine.modelDefaults();
    const keys = Object.fromEntries(Object.entries(models).map(([name, m]) => [name, m.settingsKey]));
    const file = notebookFile($state.snapshot(this.cells) as Cell[], $state.snapshot(this.settings) as Record<string, unknown>, keys);
    if (isActive(this.filter)) file.filter = $state.snapshot(this.filter) as Filter;
    return file;
  }

  #templates = 0;

  /**
   * Open a notebook file: its cells replace the notebook's (each drawn afresh, so every model and SQL cell runs again
   * on the loaded data) and each model's settings become those of its first cell in the file (defaults when it sets
   * none). A file that cannot be read changes nothing and is reported, naming the cell and field.
   */
  async openTemplate(file: File): Promise<void> {
    const models = await engine.modelDefaults();
    let parsed: NotebookFile;
    try {
      parsed = parseNotebookFile(await file.text(), Object.fromEntries(Object.entries(models).map(([name, m]) => [name, m.defaults])));
    } catch (e) {
      if (!(e instanceof TemplateError)) throw e;
      this.errors = [...this.errors, { text: `${file.name}: ${e.message}`, template: { file: file.name, code: e.code, params: e.params } }];
      return;
    }
    const load = ++this.#templates;
    const cells = cellsOf(parsed, (kind, i) => `t${load}-${i + 1}-${kind}`);
    const settings: ModelSettings = { ...$state.snapshot(this.settings) };
    const set = new Set<string>();
    for (const c of cells) {
      const key = models[c.kind]?.settingsKey as keyof ModelSettings | null | undefined;
      if (!key || set.has(key)) continue;
      set.add(key);
      (settings as Record<string, unknown>)[key] = { ...(c.settings ?? {}) };
    }
    this.settings = settings;
    this.filter = parsed.filter ?? {};
    this.cells = cells;
    this.save();
  }

  doc(): NotebookDoc {
    return { version: 1, settings: $state.snapshot(this.settings), cells: $state.snapshot(this.cells), rfmScheme: this.rfmScheme, currency: this.knownCurrency, filter: $state.snapshot(this.filter) as Filter };
  }
}

export const notebook = new Notebook();

// The registry lives with the models in the worker; the page asks it for the cell kinds rather than bundling it.
engine.cellModels().then((kinds) => {
  notebook.kinds = kinds as { kind: CellKind; settingsKey: SettingsKey | null }[];
  if (notebook.cells.length === 0) notebook.cells = notebook.defaultCells();
});
