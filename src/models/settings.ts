/** Model settings as the notebook stores them (one key a model, see registry.ts); `analyze --settings` takes exactly this shape. */
import type { CleaningSettings } from '../ingest/clean.ts';
import type { AbcSettings } from './abc.ts';
import type { ChurnSettings } from './churn.ts';
import type { ClvSettings } from './clv/model.ts';
import type { BasketSettings } from './basket/model.ts';
import type { ClusterSettings } from './clusters.ts';
import type { CohortSettings } from './cohorts.ts';
import type { LifecycleSettings } from './lifecycle.ts';
import type { RfmSettings } from './rfm.ts';
import type { Filter } from './filter.ts';

export interface ModelSettings {
  /** As-of date D (YYYY-MM-DD); default: the day after the latest purchase. */
  asOf?: string | null;
  cleaning?: CleaningSettings;
  rfm?: Omit<RfmSettings, 'asOf'>;
  abc?: Omit<AbcSettings, 'asOf'>;
  basket?: Omit<BasketSettings, 'asOf'>;
  clusters?: Omit<ClusterSettings, 'asOf'>;
  cohorts?: Omit<CohortSettings, 'asOf'>;
  lifecycle?: Omit<LifecycleSettings, 'asOf'>;
  clv?: ClvSettings;
  churn?: ChurnSettings;
  /** The rows the models see (MODELS.md §9): the notebook's filter combined with a cell's own. */
  filter?: Filter;
}
