/**
 * Which view renders each kind of notebook cell (one per registered model, and notes), each given its cell as `cell`,
 * the cell's frame with its toolbar (CellShell), and the customer panel: the views that
 * draw charts, loaded apart from the page's first script (see App.svelte).
 */
import type { Component } from 'svelte';
import type { Cell, CellKind } from '../notebook/notebook.svelte.ts';
import AbcCell from './AbcCell.svelte';
import BasketCell from './BasketCell.svelte';
import ChurnCell from './ChurnCell.svelte';
import ClustersCell from './ClustersCell.svelte';
import ClvCell from './ClvCell.svelte';
import CohortsCell from './CohortsCell.svelte';
import LifecycleCell from './LifecycleCell.svelte';
import NoteCell from './NoteCell.svelte';
import OverviewCell from './OverviewCell.svelte';
import RfmCell from './RfmCell.svelte';
import SqlCell from './SqlCell.svelte';
import { warmUpCharts } from '../charts/warmup.ts';

export { default as Customer360 } from './Customer360.svelte';
export { default as ReportPanel } from './ReportPanel.svelte';
export { default as CellShell } from './CellShell.svelte';
export { default as FilterBar } from './FilterBar.svelte';

export const CELL_VIEWS: Partial<Record<CellKind, Component<{ cell: Cell }>>> = {
  overview: OverviewCell,
  rfm: RfmCell,
  abc: AbcCell,
  basket: BasketCell,
  clusters: ClustersCell,
  cohorts: CohortsCell,
  lifecycle: LifecycleCell,
  clv: ClvCell,
  churn: ChurnCell,
  sql: SqlCell,
  note: NoteCell,
};

warmUpCharts();
