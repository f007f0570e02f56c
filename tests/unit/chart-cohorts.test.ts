// The cohorts cell's chart specs drawn in Node from a small hand-made result, in both languages, against their stored SVG.
import { cohortCumulative, cohortRetention } from '../../src/charts/cohorts.ts';
import type { CohortResult } from '../../src/models/cohorts.ts';
import { snapshotTests } from './chart-snapshot.ts';

const cohortCell = (cohort: string, period: number, size: number, active: number, revenue: number, cumulative: number) => ({
  cohort, period, size, active, retention: active / size, revenue, revenue_retention: period === 0 ? 1 : revenue / 1000, cumulative_revenue_per_customer: cumulative,
});
const cohorts: CohortResult = {
  as_of: '2025-04-01', unit: 'month',
  cohorts: [
    { cohort: '2025-01', start: '2025-01-01', size: 10, revenue: 1000, periods: 3 },
    { cohort: '2025-02', start: '2025-02-01', size: 8, revenue: 800, periods: 2 },
    { cohort: '2025-03', start: '2025-03-01', size: 5, revenue: 500, periods: 1 },
  ],
  cells: [
    cohortCell('2025-01', 0, 10, 10, 1000, 100), cohortCell('2025-01', 1, 10, 4, 400, 140), cohortCell('2025-01', 2, 10, 3, 250, 165),
    cohortCell('2025-02', 0, 8, 8, 800, 100), cohortCell('2025-02', 1, 8, 2, 300, 137.5),
    cohortCell('2025-03', 0, 5, 5, 500, 100),
  ],
  average: [],
};

snapshotTests({
  'cohorts-retention': (w, l) => cohortRetention(cohorts, 'customers', w, l),
  'cohorts-retention-revenue': (w, l) => cohortRetention(cohorts, 'revenue', w, l),
  'cohorts-cumulative': (w, l) => cohortCumulative(cohorts, w, l),
});
