/** The notebook document (sources, mapping, settings, cells) held as Svelte state, and what runs it. */
import { engine, progressProxy } from '../db/client.ts';
import type { SourceView } from '../../workers/engine.ts';
import type { CleaningReport, Mapping, Role, TableReport } from '../ingest/index.ts';
import type { ModelName } from '../models/registry.ts';
import type { ModelSettings } from '../models/settings.ts';
import { i18n } from '../i18n/i18n.svelte.ts';
import { problemOf, type Problem } from '../i18n/problems.ts';
import { forgetSession, loadSession, saveSession, type SavedSource } from './persist.ts';

/** A kind of cell: one per registered model (src/models/registry.ts). */
export type CellKind = ModelName;

export interface Cell {
  id: string;
  kind: CellKind;
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
}

class Notebook {
  sources = $state<SourceState[]>([]);
  settings = $state<ModelSettings>({ asOf: null, rfm: {}, abc: {} });
  /** One cell per registered model, in the registry's order, as the engine reports them (see the end of this file). */
  cells = $state<Cell[]>([]);
  /** The customer shown in the customer 360 panel (any list's customer id opens it). */
  customer = $state<string | null>(null);
  /** Which RFM scheme to show; null follows the language (A for Chinese, B for English). */
  rfmScheme = $state<'cn' | 'en' | null>(null);
  progress = $state<LoadProgress | null>(null);
  errors = $state<Problem[]>([]);
  /** Bumped whenever the canonical orders change, so cells recompute. */
  dataVersion = $state(0);

  get orders(): SourceState | undefined {
    return this.sources.find((s) => s.role === 'orders' && s.applied);
  }

  get scheme(): 'cn' | 'en' {
    return this.rfmScheme ?? (i18n.locale === 'zh' ? 'cn' : 'en');
  }

  /** The File behind each source, kept so the notebook can be restored after a reload. */
  #files = new Map<string, { file: File; sheet?: string }>();
  /** True while a saved notebook is being reloaded. */
  restoring = $state(false);

  /**
   * Load dropped files one by one; a failure is reported and leaves what was loaded intact. `saved`
   * (restoring a session) gives each file its role, sheet and the mapping the user had confirmed.
   */
  async addFiles(files: File[], saved?: SavedSource[]): Promise<void> {
    for (const [k, file] of files.entries()) {
      const prior = saved?.[k];
      this.progress = { file: file.name, phase: 'read', fraction: 0 };
      try {
        const view = await engine.load(
          file,
          prior ? { role: prior.role, sheet: prior.sheet } : {},
          progressProxy((phase: string, fraction: number) => {
            this.progress = { file: file.name, phase, fraction };
          }),
        );
        this.progress = { file: file.name, phase: 'ingest', fraction: 1 };
        this.#files.set(view.id, { file, sheet: prior?.sheet ?? view.sheet });
        const state: SourceState = { view, mapping: { ...(prior?.mapping ?? view.mapping) }, role: view.role, applied: false };
        this.sources = [...this.sources, state];
        if (prior || view.missing.length === 0) await this.apply(view.id);
      } catch (e) {
        this.errors = [...this.errors, problemOf(e)];
      } finally {
        this.progress = null;
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

  /** Apply the (possibly corrected) mapping of a source. */
  async apply(id: string): Promise<void> {
    const i = this.sources.findIndex((s) => s.view.id === id);
    if (i < 0) return;
    const s = this.sources[i];
    try {
      const applied = await engine.apply(id, $state.snapshot(s.mapping), $state.snapshot(this.settings.cleaning), s.role);
      this.sources[i] = { ...s, report: applied.report, table: applied.table, defaultAsOf: applied.defaultAsOf, applied: true, error: undefined };
      // An applied orders file replaces the previous one (likewise customers, events): only now, so a
      // file that still needs its mapping leaves the loaded data in place.
      const replaced = this.sources.filter((o) => o.view.id !== id && o.role === s.role && s.role !== 'baskets');
      this.sources = this.sources.filter((o) => !replaced.includes(o));
      for (const o of replaced) await engine.remove(o.view.id);
      for (const o of replaced) this.#files.delete(o.view.id);
      if (s.role === 'orders' || s.role === 'baskets') this.dataVersion++;
      this.save();
    } catch (e) {
      this.sources[i] = { ...s, error: problemOf(e) };
    }
  }

  async remove(id: string): Promise<void> {
    this.sources = this.sources.filter((s) => s.view.id !== id);
    this.#files.delete(id);
    await engine.remove(id);
    this.dataVersion++;
    if (this.sources.length) this.save();
    else void forgetSession();
  }

  /** Remember the applied sources and the document in this browser (not while restoring). */
  save(): void {
    if (this.restoring) return;
    const sources: SavedSource[] = [];
    for (const s of this.sources) {
      const f = this.#files.get(s.view.id);
      if (f && s.applied) sources.push({ file: f.file, sheet: f.sheet, role: s.role, mapping: $state.snapshot(s.mapping) });
    }
    if (sources.length) void saveSession({ version: 1, savedAt: new Date().toISOString(), sources, doc: this.doc() });
  }

  /** Reload the notebook saved in this browser, if any. */
  async restore(): Promise<void> {
    const session = await loadSession();
    if (!session) return;
    this.restoring = true;
    try {
      this.settings = session.doc.settings;
      this.rfmScheme = session.doc.rfmScheme;
      await this.addFiles(
        session.sources.map((s) => s.file),
        session.sources,
      );
    } finally {
      this.restoring = false;
    }
  }

  /** Forget every source, the saved session and the settings: back to the empty page. */
  async startOver(): Promise<void> {
    for (const s of this.sources) await engine.remove(s.view.id);
    this.sources = [];
    this.#files.clear();
    this.settings = { asOf: null, rfm: {}, abc: {} };
    this.rfmScheme = null;
    this.customer = null;
    this.errors = [];
    this.dataVersion++;
    await forgetSession();
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
  }

  doc(): NotebookDoc {
    return { version: 1, settings: $state.snapshot(this.settings), cells: $state.snapshot(this.cells), rfmScheme: this.rfmScheme };
  }
}

export const notebook = new Notebook();

// The registry lives with the models in the worker; the page asks it for the cell kinds rather than bundling it.
engine.cellKinds().then((kinds) => {
  if (notebook.cells.length === 0) notebook.cells = kinds.map((kind) => ({ id: kind, kind }));
});
