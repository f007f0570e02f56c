/**
 * What a cell view's frame learns from the notebook around it (App.svelte's CellShell): the cell (its title and note
 * shown in the heading) and whether it is the first cell of its kind (which keeps the `<kind>-cell` test id).
 */
import { getContext, setContext } from 'svelte';
import { i18n } from '../i18n/i18n.svelte.ts';
import type { MessageKey } from '../i18n/zh.ts';
import type { Cell, CellKind } from '../notebook/notebook.svelte.ts';

export interface CellContext {
  readonly cell: Cell;
  readonly first: boolean;
}

const KEY = Symbol('cell');

export function setCellContext(context: CellContext): void {
  setContext(KEY, context);
}

/** The notebook cell around a view's frame, if any. */
export function cellContext(): CellContext | undefined {
  return getContext<CellContext | undefined>(KEY);
}

/** A kind's name in the contents strip (`nav.<kind>`), else the kind itself. */
export function kindLabel(kind: CellKind): string {
  const key = `nav.${kind}` as MessageKey;
  const text = i18n.t(key);
  return text === key ? kind : text;
}

/** A cell's name: its title, a note's first line, or its kind's name. */
export function cellLabel(cell: Cell): string {
  const title = cell.title?.trim();
  if (title) return title;
  if (cell.kind === 'note') {
    const line = (cell.note ?? '')
      .split('\n')
      .map((l) => l.replace(/^\s*(#{1,6}|>|[-*+]|\d+[.)])\s*/, '').replace(/[*_`~]/g, '').trim())
      .find(Boolean);
    if (line) return line.length > 32 ? `${line.slice(0, 31)}…` : line;
  }
  return kindLabel(cell.kind);
}

/** Each cell's name in the contents strip: as `cellLabel`, with " (2)", " (3)" … after a name an earlier cell has. */
export function cellLabels(cells: Cell[]): Map<string, string> {
  const seen = new Map<string, number>();
  const out = new Map<string, string>();
  for (const cell of cells) {
    const label = cellLabel(cell);
    const n = (seen.get(label) ?? 0) + 1;
    seen.set(label, n);
    out.set(cell.id, n > 1 ? `${label} (${n})` : label);
  }
  return out;
}
