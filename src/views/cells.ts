/**
 * Which view renders each kind of notebook cell (one per registered model), and the customer panel: the views that
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
import OverviewCell from './OverviewCell.svelte';
import RfmCell from './RfmCell.svelte';
import SqlCell from './SqlCell.svelte';
import { warmUpCharts } from '../charts/warmup.ts';

export { default as Customer360 } from './Customer360.svelte';
export { default as ReportPanel } from './ReportPanel.svelte';

/** Each view is given its cell (a SQL cell reads its statement and chart from it; the model views take no props yet). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const CELL_VIEWS: Partial<Record<CellKind, Component<{ cell: Cell }> | Component<any>>> = {
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
};

warmUpCharts();
