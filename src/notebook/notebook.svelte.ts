/** The notebook document (sources, mapping, settings, cells) held as Svelte state, and what runs it. */
import { engine, errorText, progressProxy } from '../db/client.ts';
import type { SourceView } from '../../workers/engine.ts';
import type { CleaningReport, Mapping, Role } from '../ingest/index.ts';
import type { ModelSettings } from '../models/settings.ts';
import { i18n } from '../i18n/i18n.svelte.ts';

/** Every kind of cell, in the notebook's default order. */
export const CELL_KINDS = ['overview', 'rfm', 'abc', 'cohorts', 'lifecycle', 'clv', 'churn', 'basket', 'clusters'] as const;
export type CellKind = (typeof CELL_KINDS)[number];

export interface Cell {
  id: string;
  kind: CellKind;
}

export interface SourceState {
  view: SourceView;
  mapping: Mapping;
  role: Role;
  report?: CleaningReport;
  applied: boolean;
  error?: string;
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
  cells = $state<Cell[]>(CELL_KINDS.map((kind) => ({ id: kind, kind })));
  /** The customer shown in the customer 360 panel (any list's customer id opens it). */
  customer = $state<string | null>(null);
  /** Which RFM scheme to show; null follows the language (A for Chinese, B for English). */
  rfmScheme = $state<'cn' | 'en' | null>(null);
  progress = $state<LoadProgress | null>(null);
  errors = $state<string[]>([]);
  /** Bumped whenever the canonical orders change, so cells recompute. */
  dataVersion = $state(0);

  get orders(): SourceState | undefined {
    return this.sources.find((s) => s.role === 'orders' && s.applied);
  }

  get scheme(): 'cn' | 'en' {
    return this.rfmScheme ?? (i18n.locale === 'zh' ? 'cn' : 'en');
  }

  /** Load dropped files one by one; a failure is reported and leaves what was loaded intact. */
  async addFiles(files: File[]): Promise<void> {
    for (const file of files) {
      this.progress = { file: file.name, phase: 'read', fraction: 0 };
      try {
        const view = await engine.load(
          file,
          {},
          progressProxy((phase: string, fraction: number) => {
            this.progress = { file: file.name, phase, fraction };
          }),
        );
        this.progress = { file: file.name, phase: 'ingest', fraction: 1 };
        const state: SourceState = { view, mapping: { ...view.mapping }, role: view.role, applied: false };
        this.sources = [...this.sources, state];
        if (view.missing.length === 0) await this.apply(view.id);
      } catch (e) {
        this.errors = [...this.errors, errorText(e)];
      } finally {
        this.progress = null;
      }
    }
  }

  /** Apply the (possibly corrected) mapping of a source. */
  async apply(id: string): Promise<void> {
    const i = this.sources.findIndex((s) => s.view.id === id);
    if (i < 0) return;
    const s = this.sources[i];
    try {
      const applied = await engine.apply(id, $state.snapshot(s.mapping), $state.snapshot(this.settings.cleaning), s.role);
      this.sources[i] = { ...s, report: applied.report, applied: true, error: undefined };
      // An applied orders file replaces the previous one (likewise customers, events): only now, so a
      // file that still needs its mapping leaves the loaded data in place.
      const replaced = this.sources.filter((o) => o.view.id !== id && o.role === s.role && s.role !== 'baskets');
      this.sources = this.sources.filter((o) => !replaced.includes(o));
      for (const o of replaced) await engine.remove(o.view.id);
      if (s.role === 'orders') this.dataVersion++;
    } catch (e) {
      this.sources[i] = { ...s, error: errorText(e) };
    }
  }

  async remove(id: string): Promise<void> {
    this.sources = this.sources.filter((s) => s.view.id !== id);
    await engine.remove(id);
    this.dataVersion++;
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
