/**
 * The report format, version 1 (MODELS.md §10): a snapshot of the notebook's results holding aggregates only.
 * One format for the share link, the report file and `analyze --report`. Each model contributes its cell's
 * `data` through its registry entry's `share` (src/models/registry.ts); `src/report/render.ts` draws it.
*/
import type { Filter } from '../models/filter.ts';

/** The version a report is written in; a reader refuses another one with its own message. */
export const REPORT_VERSION = 1;

/** A source file as the report names it. */
export interface ReportSource {
  file: string;
  role: string;
  /** Rows read from the file. */
  rows: number;
  /** Rows loaded into the analysis (the rest are counted in the cleaning report). */
  loaded?: number;
}

/** One cell of the report. */
export interface ReportCell<D = unknown> {
  /** A model name of the registry, or `note` / `sql`. */
  kind: string;
  /** The consultant's title; the cell kind's own heading when absent. */
  title?: string;
  /** The consultant's note about this cell: plain text (Markdown shown as text, never as markup). */
  note?: string;
  /** The model's aggregates (see each model's `share`); absent for a note. */
  data?: D;
  /** Why the model gave no result on these data (shown in the cell's place): the reader's language from `code`. */
  error?: { message: string; code?: string; params?: Record<string, string | number> };
  /** The cell's own filter, combined with the report's (MODELS.md §9: every cell says which filter it shows). */
  filter?: Filter;
  /** The customer lists the consultant opted in for this cell (each list's rows are inside `data`). */
  lists?: string[];
}

export interface Report {
  version: typeof REPORT_VERSION;
  title: string;
  /** When the report was made: YYYY-MM-DD. */
  created: string;
  /** The as-of date the models used. */
  asOf: string | null;
  sources: ReportSource[];
  /** Groups of fewer customers show their count as "< minGroup" and hide their sums and means. */
  minGroup: number;
  /** The notebook's filter, in the notebook file's shape (absent: none). */
  filter?: Filter;
  cells: ReportCell[];
}

/** What a report is asked for: the cells chosen (in order) with their titles, notes and opted-in lists. */
export interface ReportRequest {
  title: string;
  /**
   * The language the report is made in: a model part's defaults that depend on it follow it (the RFM scheme a
   * cell without its own `settings.scheme` shows: A for zh, B for en, as the notebook does). Default: zh.
   */
  lang?: 'zh' | 'en';
  minGroup?: number;
  sources: ReportSource[];
  /** The notebook's filter: every cell shows only the rows it keeps (with the cell's own `filter` on top). */
  filter?: Filter;
  /**
   * `settings`: the cell's own settings, merged over its model's part of the notebook's settings; a model may take
   * display settings there that do not change its result (the RFM cell's `scheme`, see src/models/rfm.ts).
   */
  cells: {
    kind: string;
    title?: string;
    note?: string;
    lists?: string[];
    settings?: object;
    filter?: Filter;
    /** A SQL cell's statement and chart; a SQL cell goes into the report only when `inReport` (MODELS.md §10). */
    sql?: string;
    chart?: { mark: 'bar' | 'line' | 'dot'; x: string; y: string };
    inReport?: boolean;
  }[];
}

export class ReportFormatError extends Error {
  constructor(readonly code: 'version' | 'malformed', readonly version?: unknown) {
    super(code === 'version' ? `report version ${String(version)} is not supported (this app reads version ${REPORT_VERSION})` : 'not a report');
    this.name = 'ReportFormatError';
  }
}

/** The report a decoded link or a report file holds, checked for its version and shape. */
export function asReport(value: unknown): Report {
  if (!value || typeof value !== 'object') throw new ReportFormatError('malformed');
  const r = value as Partial<Report>;
  if (r.version !== REPORT_VERSION) throw new ReportFormatError(r.version === undefined ? 'malformed' : 'version', r.version);
  if (typeof r.title !== 'string' || !Array.isArray(r.cells) || !Array.isArray(r.sources) || typeof r.minGroup !== 'number') {
    throw new ReportFormatError('malformed');
  }
  for (const c of r.cells) if (!c || typeof c !== 'object' || typeof (c as ReportCell).kind !== 'string') throw new ReportFormatError('malformed');
  return r as Report;
}

/** A number rounded to `digits` decimals (reports keep the precision the cells show: links stay short). */
export function round(n: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
