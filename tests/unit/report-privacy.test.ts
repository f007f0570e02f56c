import { describe, expect, it } from 'vitest';
import { countText, maskGroups, minGroupOf, reportCount } from '../../src/report/privacy.ts';

describe('report privacy rule', () => {
  it('uses 5 by default and never less than 3', () => {
    expect(minGroupOf(undefined)).toBe(5);
    expect(minGroupOf(10)).toBe(10);
    expect(minGroupOf(2)).toBe(3);
    expect(minGroupOf(0)).toBe(3);
  });

  it('shows a group of 4 as "< 5" and a group of 5 or of none exactly', () => {
    expect(reportCount(4, 5)).toEqual({ below: 5 });
    expect(reportCount(1, 5)).toEqual({ below: 5 });
    expect(reportCount(5, 5)).toBe(5);
    expect(reportCount(0, 5)).toBe(0);
    expect(countText(reportCount(4, 5), String)).toBe('< 5');
    expect(countText(reportCount(1234, 5), (n) => n.toLocaleString('en-US'))).toBe('1,234');
  });

  it("hides a small group's sums and means and keeps its label", () => {
    const segments = [
      { segment: 'champions', customers: 120, revenue: 50_000, avg_monetary: 416.67, share: 0.5 },
      { segment: 'new', customers: 3, revenue: 90, avg_monetary: 30, share: 0.0125 },
    ];
    const masked = maskGroups(segments, 'customers', ['revenue', 'avg_monetary', 'share'], 5);
    expect(masked[0]).toEqual(segments[0]);
    expect(masked[1]).toEqual({ segment: 'new', customers: { below: 5 }, revenue: null, avg_monetary: null, share: null });
    expect(segments[1].revenue).toBe(90); // the input is not changed
  });
});
