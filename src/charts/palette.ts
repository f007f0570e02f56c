/** Colours that a chart and the table beside it share (a class's swatch, a stage's chip, a model's line). */
import type { AbcClass } from '../models/abc.ts';
import type { PurchaseModelKind } from '../models/clv/index.ts';
import type { Stage } from '../models/lifecycle.ts';

export const ABC_COLORS: Record<AbcClass, string> = { A: '#1f5f8b', B: '#6d9dc5', C: '#b9cde0' };

/** One colour per cluster, by cluster number − 1. */
export const CLUSTER_COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export const CLV_MODEL_COLORS: Record<PurchaseModelKind, string> = { bgnbd: '#3a86c8', mbgnbd: '#e0892b', paretonbd: '#2c7a4b' };

/** One colour per lifecycle stage, plus "no purchase yet" for transitions. */
export const STAGE_COLORS: Record<Stage | 'none', string> = {
  none: '#b8c7d6',
  new: '#4c9be8',
  active: '#2c7a4b',
  at_risk: '#e0a526',
  dormant: '#c8642c',
  churned: '#98a3ae',
};

export const SLIPPING_COLOR = '#b3261e';
