/**
 * What goes into a report by default, for the page's report panel and the headless command alike: its title, its
 * sources, which cells (and which of their customer lists) are asked for, and the name of its file.
 */
import type { Lang } from '../i18n/lang.ts';
import type { Registry } from '../models/registry.ts';
import type { ReportRequest, ReportSource } from './format.ts';
import { isActive, type Filter } from '../models/filter.ts';
import { minGroupOf } from './privacy.ts';

/** The cell kinds a report can hold (models with a report part), each with the customer lists it may opt in. */
export type ShareKinds = Record<string, readonly string[]>;

/** The registry's models that have a report part, in the registry's order, with their `shareLists`. */
export function shareKinds(models: Registry): ShareKinds {
  return Object.fromEntries(Object.entries(models).flatMap(([kind, m]) => (m.share ? [[kind, [...(m.shareLists ?? [])]]] : [])));
}

/** A report's title when the consultant gives none: the orders file's name (without its extension) and the as-of date. */
export function defaultTitle(file: string, asOf: string | null, lang: Lang): string {
  const name = file.replace(/\.[A-Za-z0-9]{1,8}$/, '') || file;
  return asOf ? lang.t('share.title.default', { file: name, date: lang.day(asOf) }) : name;
}

/** A source as the report names it: the file, its role, the rows read and the rows loaded. */
export function reportSource(file: string, role: string, rows: number, loaded?: number): ReportSource {
  return loaded === undefined ? { file, role, rows } : { file, role, rows, loaded };
}

/** A notebook cell as the report request needs it (the notebook's `Cell` has these fields). */
export interface RequestCell {
  id: string;
  kind: string;
  title?: string;
  note?: string;
  hidden?: boolean;
  settings?: object;
  sql?: string;
  chart?: { mark: 'bar' | 'line' | 'dot'; x: string; y: string };
  filter?: object;
  reportLists?: string[];
  inReport?: boolean;
}

/** Whether a cell goes in when the consultant changes nothing: every model cell with a report part and every note with text, unless hidden; a SQL cell only when ticked in. */
export function inByDefault(cell: RequestCell, kinds: ShareKinds): boolean {
  if (cell.hidden) return false;
  if (cell.kind === 'sql') return Boolean(cell.inReport);
  if (cell.kind === 'note') return Boolean(cell.note?.trim());
  return cell.kind in kinds;
}

/** Whether a cell can go into a report at all. */
export function canShare(cell: RequestCell, kinds: ShareKinds): boolean {
  return cell.kind === 'sql' || cell.kind === 'note' || cell.kind in kinds;
}

/**
 * The request for the chosen cells in the notebook's order: each with the consultant's title and note, its own
 * settings, and the lists opted in that its model allows; a SQL cell carries its statement.
 */
export function reportRequest(opts: {
  title: string;
  minGroup?: number;
  sources: ReportSource[];
  /** The notebook's filter. */
  filter?: Filter;
  cells: readonly RequestCell[];
  /** The cells chosen (by id); absent: the default choice. */
  chosen?: ReadonlySet<string>;
  kinds: ShareKinds;
}): ReportRequest {
  const cells: ReportRequest['cells'] = [];
  for (const cell of opts.cells) {
    if (!canShare(cell, opts.kinds)) continue;
    if (!(opts.chosen ? opts.chosen.has(cell.id) : inByDefault(cell, opts.kinds))) continue;
    const out: ReportRequest['cells'][number] = { kind: cell.kind };
    if (cell.title?.trim()) out.title = cell.title.trim();
    if (cell.note?.trim()) out.note = cell.note;
    if (cell.settings && Object.keys(cell.settings).length) out.settings = cell.settings;
    const lists = (cell.reportLists ?? []).filter((l) => opts.kinds[cell.kind]?.includes(l));
    if (lists.length) out.lists = lists;
    if (isActive(cell.filter as Filter | undefined)) out.filter = cell.filter as Filter;
    if (cell.kind === 'sql' && cell.sql !== undefined) {
      out.sql = cell.sql;
      out.inReport = true;
      if (cell.chart) out.chart = cell.chart;
    }
    cells.push(out);
  }
  const req: ReportRequest = { title: opts.title.trim(), minGroup: minGroupOf(opts.minGroup), sources: opts.sources, cells };
  if (isActive(opts.filter)) req.filter = opts.filter;
  return req;
}

/** Characters no file system takes in a name (and control characters), replaced so the title can name the file. */
export function reportFileName(title: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = title.replace(/[\u0000-\u001f\u007f/\\:*?"<>|]+/g, ' ').replace(/\s+/g, ' ').trim().replace(/^\.+/, '').slice(0, 120).trim();
  return `${safe || 'report'}.html`;
}
