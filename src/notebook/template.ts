/**
 * The notebook file (a template): the notebook's cells, their settings, notes and SQL, never data, so that the same
 * analysis runs again on next month's export, in the page ("Open template") and headless (`analyze --notebook`).
 *
 * Version 1:
 *   { "version": 1, "title"?: text, "cells": [cell, …], "filter"?: filter }
 * a cell is one of
 *   { "kind": <model name>, "settings"?: { … as `analyze --settings` takes them for that model } }
 *   { "kind": "note", "text": text }
 *   { "kind": "sql", "sql": text, "chart"?: { "mark": "bar" | "line" | "dot", "x": column, "y": column } }
 * each with an optional "title" (text), "hidden" (true/false), "filter" and, on model and SQL cells, "note" (text).
 * A filter (MODELS.md §9) is { "from"?: YYYY-MM-DD, "to"?: YYYY-MM-DD (both included), "region"?, "acquisition_channel"?,
 * "order_channel"?, "category"? (lists of values), "segment"?: { "model": "rfm", "values": [ … ] } }; a cell's own
 * filter applies on top of the notebook's; an empty filter `{}` is no filter.
 */
import { FilterError, isActive, parseFilter as checkFilter, type Filter } from '../models/filter.ts';
import type { Cell } from './notebook.svelte.ts';
import type { SqlChart } from './sql-cell.ts';

export const NOTEBOOK_FILE_VERSION = 1;

/** A filter as the notebook file writes it (MODELS.md §9). */
export type NotebookFilter = Filter;

interface CellCommon {
  title?: string;
  hidden?: boolean;
  filter?: NotebookFilter;
}
export interface ModelCellFile extends CellCommon {
  kind: string;
  settings?: Record<string, unknown>;
  note?: string;
}
export interface NoteCellFile extends CellCommon {
  kind: 'note';
  text: string;
}
export interface SqlCellFile extends CellCommon {
  kind: 'sql';
  sql: string;
  chart?: SqlChart;
  note?: string;
}
export type NotebookFileCell = ModelCellFile | NoteCellFile | SqlCellFile;

export interface NotebookFile {
  version: typeof NOTEBOOK_FILE_VERSION;
  title?: string;
  cells: NotebookFileCell[];
  filter?: NotebookFilter;
}

/** The models a notebook file may name, with their default settings (the registry's `defaults`). */
export type ModelDefaults = Record<string, object>;

export type TemplateErrorCode =
  | 'json'
  | 'shape'
  | 'version'
  | 'cells'
  | 'top_field'
  | 'title'
  | 'kind'
  | 'unknown_kind'
  | 'field'
  | 'missing'
  | 'text'
  | 'object'
  | 'boolean'
  | 'number'
  | 'chart_mark'
  | 'filter_cell'
  | 'filter_notebook';

const TEXT: Record<TemplateErrorCode, string> = {
  json: 'The notebook file is not JSON: {reason}',
  shape: 'The notebook file must be a JSON object with "version" and "cells".',
  version: 'Notebook file version {version} is not supported: this version reads version 1.',
  cells: 'The notebook file\'s "cells" must be a list of cells.',
  top_field: 'The notebook file has a field "{field}" that version 1 does not know (fields: version, title, cells, filter).',
  title: 'The notebook file\'s "title" must be text.',
  kind: 'Cell {cell}: "kind" is missing or not text; it is a model ({kinds}), "note" or "sql".',
  unknown_kind: 'Cell {cell}: kind "{kind}" is not known; it is a model ({kinds}), "note" or "sql".',
  field: 'Cell {cell} ({kind}): "{field}" is not a field of a {kind} cell.',
  missing: 'Cell {cell} ({kind}): "{field}" is missing.',
  text: 'Cell {cell} ({kind}): "{field}" must be text.',
  object: 'Cell {cell} ({kind}): "{field}" must be an object.',
  boolean: 'Cell {cell} ({kind}): "{field}" must be true or false.',
  number: 'Cell {cell} ({kind}): "{field}" must be a number.',
  chart_mark: 'Cell {cell} ({kind}): "chart.mark" must be "bar", "line" or "dot", not "{mark}".',
  filter_cell: 'Cell {cell} ({kind}): {reason}',
  filter_notebook: 'The notebook\'s filter: {reason}',
};

/** A notebook file that cannot be read: `code` and `params` say where and why in any language, `message` in English. */
export class TemplateError extends Error {
  constructor(
    readonly code: TemplateErrorCode,
    readonly params: Record<string, string | number> = {},
  ) {
    super(TEXT[code].replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? '')));
    this.name = 'TemplateError';
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A filter: none when absent or keeping everything; a bad one is refused with `refuse(reason)`, which says whose. */
function parseFilter(value: unknown, refuse: (reason: string) => TemplateError): NotebookFilter | undefined {
  if (value === undefined || (isObject(value) && Object.keys(value).length === 0)) return undefined;
  try {
    const filter = checkFilter(value, '"filter"');
    return isActive(filter) ? filter : undefined;
  } catch (e) {
    if (e instanceof FilterError) throw refuse(e.message);
    throw e;
  }
}

/** Read and check a notebook file's text. `models`: the model kinds it may name, with their defaults. */
export function parseNotebookFile(text: string, models: ModelDefaults): NotebookFile {
  let value: unknown;
  try {
    value = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    throw new TemplateError('json', { reason: e instanceof Error ? e.message : String(e) });
  }
  if (!isObject(value) || !('version' in value)) throw new TemplateError('shape');
  if (value.version !== NOTEBOOK_FILE_VERSION) throw new TemplateError('version', { version: JSON.stringify(value.version) });
  for (const field of Object.keys(value)) if (!['version', 'title', 'cells', 'filter'].includes(field)) throw new TemplateError('top_field', { field });
  if (!Array.isArray(value.cells)) throw new TemplateError('cells');
  if (value.title !== undefined && typeof value.title !== 'string') throw new TemplateError('title');
  const kinds = Object.keys(models);
  const cells = value.cells.map((raw, i) => parseCell(raw, i + 1, models, kinds));
  const file: NotebookFile = { version: NOTEBOOK_FILE_VERSION, cells };
  if (value.title !== undefined) file.title = value.title as string;
  const filter = parseFilter(value.filter, (reason) => new TemplateError('filter_notebook', { reason }));
  if (filter) file.filter = filter;
  return file;
}

function parseCell(raw: unknown, cell: number, models: ModelDefaults, kinds: string[]): NotebookFileCell {
  const kindList = kinds.join(', ');
  if (!isObject(raw) || typeof raw.kind !== 'string') throw new TemplateError('kind', { cell, kinds: kindList });
  const kind = raw.kind;
  if (kind !== 'note' && kind !== 'sql' && !kinds.includes(kind)) throw new TemplateError('unknown_kind', { cell, kind, kinds: kindList });
  const at = { cell, kind };
  const fields = kind === 'note' ? ['text'] : kind === 'sql' ? ['sql', 'chart', 'note'] : ['settings', 'note'];
  for (const field of Object.keys(raw)) if (!['kind', 'title', 'hidden', 'filter', ...fields].includes(field)) throw new TemplateError('field', { ...at, field });
  const text = (field: string, required = false) => {
    const v = raw[field];
    if (v === undefined && !required) return undefined;
    if (v === undefined) throw new TemplateError('missing', { ...at, field });
    if (typeof v !== 'string') throw new TemplateError('text', { ...at, field });
    return v;
  };
  const out: Record<string, unknown> = { kind };
  const title = text('title');
  if (title !== undefined) out.title = title;
  if (raw.hidden !== undefined) {
    if (typeof raw.hidden !== 'boolean') throw new TemplateError('boolean', { ...at, field: 'hidden' });
    out.hidden = raw.hidden;
  }
  if (kind === 'note') out.text = text('text', true);
  else {
    const note = text('note');
    if (note !== undefined) out.note = note;
  }
  if (kind === 'sql') {
    out.sql = text('sql', true);
    if (raw.chart !== undefined) out.chart = parseChart(raw.chart, at);
  } else if (kind !== 'note' && raw.settings !== undefined) {
    out.settings = parseSettings(raw.settings, models[kind] as Record<string, unknown>, at);
  }
  const filter = parseFilter(raw.filter, (reason) => new TemplateError('filter_cell', { ...at, reason }));
  if (filter) out.filter = filter;
  return out as unknown as NotebookFileCell;
}

/** A model cell's settings: an object whose values have the type of the model's defaults, where it has one. */
function parseSettings(value: unknown, defaults: Record<string, unknown>, at: { cell: number; kind: string }): Record<string, unknown> {
  if (!isObject(value)) throw new TemplateError('object', { ...at, field: 'settings' });
  for (const [key, v] of Object.entries(value)) {
    const d = defaults[key];
    if (d === undefined || v === null) continue;
    const field = `settings.${key}`;
    if (typeof d === 'number' && typeof v !== 'number') throw new TemplateError('number', { ...at, field });
    if (typeof d === 'string' && typeof v !== 'string') throw new TemplateError('text', { ...at, field });
    if (typeof d === 'boolean' && typeof v !== 'boolean') throw new TemplateError('boolean', { ...at, field });
  }
  return value;
}

function parseChart(value: unknown, at: { cell: number; kind: string }): SqlChart {
  if (!isObject(value)) throw new TemplateError('object', { ...at, field: 'chart' });
  for (const field of Object.keys(value)) if (!['mark', 'x', 'y'].includes(field)) throw new TemplateError('field', { ...at, field: `chart.${field}` });
  if (!['bar', 'line', 'dot'].includes(value.mark as string)) throw new TemplateError('chart_mark', { ...at, mark: String(value.mark) });
  for (const field of ['x', 'y'] as const) if (typeof value[field] !== 'string') throw new TemplateError('text', { ...at, field: `chart.${field}` });
  return { mark: value.mark as SqlChart['mark'], x: value.x as string, y: value.y as string };
}

/** The notebook file of the page's cells; a model cell's settings are the notebook's for its model with the cell's own over them. */
export function notebookFile(cells: readonly Cell[], settings: Record<string, unknown>, settingsKeys: Record<string, string | null>): NotebookFile {
  return {
    version: NOTEBOOK_FILE_VERSION,
    cells: cells.map((c): NotebookFileCell => {
      const common: CellCommon = {};
      if (c.title) common.title = c.title;
      if (c.hidden) common.hidden = true;
      if (c.filter && Object.keys(c.filter).length) common.filter = c.filter as NotebookFilter;
      if (c.kind === 'note') return { kind: 'note', ...common, text: c.note ?? '' };
      const note = c.note ? { note: c.note } : {};
      if (c.kind === 'sql') return { kind: 'sql', ...common, sql: c.sql ?? '', ...(c.chart ? { chart: c.chart } : {}), ...note };
      const key = settingsKeys[c.kind];
      const own = { ...((key ? settings[key] : undefined) as object | undefined), ...(c.settings ?? {}) };
      return { kind: c.kind, ...common, ...(Object.keys(own).length ? { settings: own as Record<string, unknown> } : {}), ...note };
    }),
  };
}

/** The page's cells of a notebook file (new ids, so every cell is drawn afresh and reruns). */
export function cellsOf(file: NotebookFile, id: (kind: string, i: number) => string = (kind, i) => `${kind}-${i + 1}`): Cell[] {
  return file.cells.map((c, i) => {
    const cell: Cell = { id: id(c.kind, i), kind: c.kind as Cell['kind'] };
    if (c.title !== undefined) cell.title = c.title;
    if (c.hidden) cell.hidden = true;
    if (c.filter) cell.filter = c.filter;
    if (c.kind === 'note') cell.note = (c as NoteCellFile).text;
    else if ((c as ModelCellFile).note !== undefined) cell.note = (c as ModelCellFile).note;
    if (c.kind === 'sql') {
      cell.sql = (c as SqlCellFile).sql;
      if ((c as SqlCellFile).chart) cell.chart = (c as SqlCellFile).chart;
    } else if ((c as ModelCellFile).settings) cell.settings = (c as ModelCellFile).settings;
    return cell;
  });
}
