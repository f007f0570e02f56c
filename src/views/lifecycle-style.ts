/** Colours shared by the lifecycle views: one per stage, plus "no purchase yet" for transitions. */
import type { Stage } from '../models/lifecycle.ts';

export const STAGE_COLORS: Record<Stage | 'none', string> = {
  none: '#b8c7d6',
  new: '#4c9be8',
  active: '#2c7a4b',
  at_risk: '#e0a526',
  dormant: '#c8642c',
  churned: '#98a3ae',
};

export const SLIPPING_COLOR = '#b3261e';
