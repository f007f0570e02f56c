/** Which view renders each kind of notebook cell. */
import type { Component } from 'svelte';
import type { CellKind } from '../notebook/notebook.svelte.ts';
import OverviewCell from './OverviewCell.svelte';
import RfmCell from './RfmCell.svelte';

export const CELL_VIEWS: Partial<Record<CellKind, Component>> = {
  overview: OverviewCell,
  rfm: RfmCell,
};
