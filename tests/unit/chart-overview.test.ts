// The overview's chart specs drawn in Node from a small hand-made result, in both languages, against their stored SVG.
import { describe, expect, it } from 'vitest';
import { overviewCounts, overviewRevenue } from '../../src/charts/overview.ts';
import type { MonthRow } from '../../src/models/overview.ts';
import { lang } from '../../src/i18n/lang.ts';
import { render, snapshotTests } from './chart-snapshot.ts';

const months: MonthRow[] = [
  { month: '2024-11', purchases: 120, revenue: 15_400, customers: 80, new_customers: 80 },
  { month: '2024-12', purchases: 210, revenue: 31_250.5, customers: 130, new_customers: 70 },
  { month: '2025-01', purchases: 95, revenue: 12_010, customers: 71, new_customers: 22 },
  { month: '2025-02', purchases: 140, revenue: 18_900, customers: 96, new_customers: 30 },
];

snapshotTests({
  'overview-revenue': (w, l) => overviewRevenue(months, w, l),
  'overview-counts': (w, l) => overviewCounts(months, w, l),
});

describe('overview charts say what the data says', () => {
  it('the axis labels months in each language, with the year under the first tick', () => {
    expect(render(overviewRevenue(months, 640, lang('zh')))).toContain('12月');
    expect(render(overviewRevenue(months, 640, lang('zh')))).toContain('2025');
    expect(render(overviewRevenue(months, 640, lang('en')))).toContain('Dec');
  });
});
