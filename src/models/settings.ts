/** Model settings as the notebook stores them; `analyze --settings` takes exactly this shape. */
import type { CleaningSettings } from '../ingest/clean.ts';
import type { AbcSettings } from './abc.ts';
import type { RfmSettings } from './rfm.ts';

export interface ModelSettings {
  /** As-of date D (YYYY-MM-DD); default: the day after the latest purchase. */
  asOf?: string | null;
  cleaning?: CleaningSettings;
  rfm?: Omit<RfmSettings, 'asOf'>;
  abc?: Omit<AbcSettings, 'asOf'>;
}

/** Every model name the headless command and the notebook know, and which exist so far. */
export const MODEL_NAMES = ['overview', 'rfm', 'abc', 'cohorts', 'lifecycle', 'clv', 'basket', 'clusters'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];
export const AVAILABLE_MODELS: readonly ModelName[] = ['overview', 'rfm', 'abc'];
