/**
 * Draws a report (format.ts) as DOM on any document: the heading (title, as-of date, sources, the privacy line),
 * then each cell with its title, the consultant's note and the view of its kind (views/index.ts). The share link's
 * view mounts this in the page; the report file serializes it; the headless command draws it with linkedom.
 */
import type { Lang } from '../i18n/lang.ts';
import type { MessageKey } from '../i18n/zh.ts';
import { markdownNodes } from '../notebook/markdown.ts';
import { h, t, type RenderContext } from './dom.ts';
import type { Report, ReportCell } from './format.ts';
import { REPORT_VIEWS } from './views/index.ts';
import { filterText } from '../notebook/filter-text.ts';

/** The heading a cell kind has in the notebook. */
export function cellHeading(kind: string, lang: Lang): string {
  const key = `${kind}.title` as MessageKey;
  const text = lang.t(key);
  return text === key ? kind : text;
}

/** A note as Markdown drawn safely (src/notebook/markdown.ts): DOM nodes only, raw HTML as text, links shown. */
export function noteNodes(r: RenderContext, text: string): Node[] {
  return markdownNodes(r.doc, text);
}

function cellNode(cell: ReportCell, r: RenderContext, index: number): HTMLElement {
  const body: Node[] = [];
  if (cell.kind === 'note') {
    return h(r, 'section', { class: 'cell note-cell', 'data-kind': 'note', id: `cell-${index + 1}` }, cell.title ? h(r, 'h2', {}, cell.title) : null, noteNodes(r, cell.note ?? ''));
  }
  if (cell.filter) body.push(h(r, 'p', { class: 'meta cell-filter' }, t(r, 'filter.cell_own', { filter: filterText(cell.filter, r.lang) })));
  if (cell.note) body.push(h(r, 'aside', { class: 'note', 'aria-label': t(r, 'report.note') }, noteNodes(r, cell.note)));
  const view = REPORT_VIEWS[cell.kind];
  if (cell.error) body.push(h(r, 'p', { class: 'error' }, t(r, 'report.cell.error', { message: errorText(cell.error, r) })));
  else if (!view || cell.data === undefined) body.push(h(r, 'p', { class: 'error' }, t(r, 'report.cell.unknown', { kind: cell.kind })));
  else body.push(...view(cell.data, r));
  return h(r, 'section', { class: 'cell', 'data-kind': cell.kind, id: `cell-${index + 1}` }, h(r, 'h2', {}, cell.title || cellHeading(cell.kind, r.lang)), body);
}

/** A model's error in the reader's language when it has a code, else as written. */
function errorText(error: NonNullable<ReportCell['error']>, r: RenderContext): string {
  if (!error.code) return error.message;
  const key = `model.error.${error.code}` as MessageKey;
  const params = Object.fromEntries(
    Object.entries(error.params ?? {}).map(([k, v]) => [k, typeof v === 'number' ? r.lang.int(v) : /^\d{4}-\d{2}-\d{2}$/.test(v) ? r.lang.day(v) : v]),
  );
  const text = r.lang.t(key, params);
  return text === key ? error.message : text;
}

/** The whole report as one <article>. */
export function renderReport(report: Report, opts: { doc: Document; lang: Lang; width: number }): HTMLElement {
  const r: RenderContext = { ...opts, report };
  const { lang } = r;
  const lists = report.cells.flatMap((c) => (c.lists ?? []).map((l) => `${c.title || cellHeading(c.kind, lang)} · ${l}`));
  const meta = [report.asOf ? t(r, 'report.asof', { date: lang.day(report.asOf) }) : null, t(r, 'report.created', { date: lang.day(report.created) })].filter(Boolean).join(' · ');
  const header = h(
    r,
    'header',
    { class: 'report-head' },
    h(r, 'h1', {}, report.title),
    h(r, 'p', { class: 'meta' }, meta),
    report.filter ? h(r, 'p', { class: 'meta filter' }, t(r, 'filter.shown', { filter: filterText(report.filter, lang) })) : null,
    report.sources.length
      ? h(
          r,
          'p',
          { class: 'meta sources' },
          `${t(r, 'report.sources')}: `,
          report.sources
            .map((s) =>
              s.loaded !== undefined
                ? t(r, 'report.source.rows', { file: s.file, rows: lang.int(s.rows), loaded: lang.int(s.loaded) })
                : t(r, 'report.source.rows_only', { file: s.file, rows: lang.int(s.rows) }),
            )
            .join(' · '),
        )
      : null,
    h(r, 'p', { class: 'privacy' }, t(r, 'report.privacy', { n: lang.int(report.minGroup) }), lists.length ? ' ' + t(r, 'report.privacy.lists', { lists: lists.join(', ') }) : null),
  );
  return h(
    r,
    'article',
    { class: 'report', lang: lang.tag },
    header,
    report.cells.map((c, i) => cellNode(c, r, i)),
    h(r, 'footer', { class: 'report-foot' }, t(r, 'report.footer')),
  );
}
