/**
 * Builds a report (format.ts) from the models' results: each chosen cell's model runs with the notebook's settings
 * (the same result the cell shows: the engine answers from its cache) and its registry entry's `share` keeps the
 * aggregates under the privacy rule. The page (in the engine's worker) and the headless command both call this.
 */
import type { Db } from '../db/db.ts';
import { ClvInputError } from '../models/clv/summary.ts';
import { modelDataErrorData } from '../models/data-error.ts';
import type { Registry } from '../models/registry.ts';
import type { ModelSettings } from '../models/settings.ts';
import { REPORT_VERSION, type Report, type ReportCell, type ReportRequest } from './format.ts';
import { minGroupOf } from './privacy.ts';
import { combineFilters, isActive } from '../models/filter.ts';
import { shareSql } from './sql.ts';

/** A cell kind that is not a model (a SQL cell): how it goes into a report. */
export type ExtraCell = (cell: ReportRequest['cells'][number]) => Promise<unknown>;

export interface BuildContext {
  db: Db;
  models: Registry;
  /** The notebook's settings (a cell's own settings are merged over its model's part). */
  settings: ModelSettings;
  /** The model's result as its cell has it (the engine's cached run, or a run in the headless command). */
  run(kind: string, settings: ModelSettings): Promise<unknown>;
  /** Kinds that are neither a model nor a note. */
  extra?: Record<string, ExtraCell>;
  /** The as-of date the models use (the notebook's, or the day after the last purchase kept by the report's filter). */
  asOf: string | null;
  /** Today, YYYY-MM-DD (tests fix it). */
  today?: string;
}

/** The report of the cells asked for, in their order. */
export async function buildReport(req: ReportRequest, ctx: BuildContext): Promise<Report> {
  const minGroup = minGroupOf(req.minGroup);
  const cells: ReportCell[] = [];
  for (const cell of req.cells) {
    const out: ReportCell = { kind: cell.kind };
    if (cell.title) out.title = cell.title;
    if (cell.note) out.note = cell.note;
    if (cell.kind === 'note') {
      cells.push(out);
      continue;
    }
    // A SQL cell goes in only when the consultant ticked it in (its rows may name customers).
    if (cell.kind === 'sql' && !cell.inReport) continue;
    const model = ctx.models[cell.kind];
    const extra = ctx.extra?.[cell.kind] ?? (cell.kind === 'sql' ? (c: ReportRequest['cells'][number]) => shareSql(ctx.db, ctx.models, c) : undefined);
    if (!model?.share && !extra) continue;
    try {
      if (extra) out.data = await extra(cell);
      else {
        const key = model.settingsKey;
        const settings: ModelSettings = key && cell.settings ? { ...ctx.settings, [key]: { ...(ctx.settings[key] as object), ...cell.settings } } : { ...ctx.settings };
        // The report's filter and the cell's own (MODELS.md §9).
        const filter = combineFilters(req.filter, cell.filter);
        if (isActive(filter)) settings.filter = filter;
        else delete settings.filter;
        if (isActive(cell.filter)) out.filter = cell.filter;
        const result = await ctx.run(cell.kind, settings);
        const lists = (cell.lists ?? []).filter((l) => model.shareLists?.includes(l));
        out.data = await model.share!(ctx.db, result, { minGroup, lists, settings, lang: req.lang });
        if (lists.length) out.lists = lists;
      }
    } catch (e) {
      const data = modelDataErrorData(e);
      if (cell.kind === 'sql') {
        out.error = { message: (e as Error).message };
        cells.push(out);
        continue;
      }
      const name = (e as Error)?.name;
      if (!data && !(e instanceof ClvInputError || name === 'ClvInputError' || name === 'FilterError')) throw e;
      out.error = { message: (e as Error).message, ...(data ?? {}) };
    }
    cells.push(out);
  }
  const report: Report = {
    version: REPORT_VERSION,
    title: req.title,
    created: ctx.today ?? new Date().toISOString().slice(0, 10),
    asOf: ctx.asOf,
    sources: req.sources,
    minGroup,
    cells,
  };
  if (isActive(req.filter)) report.filter = req.filter;
  return report;
}
