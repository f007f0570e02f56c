// The RFM cell's chart specs drawn in Node from a small hand-made result, in both languages, against their stored SVG.
import { describe, expect, it } from 'vitest';
import { rfmHeatmap, rfmSegments } from '../../src/charts/rfm.ts';
import type { SegmentRow } from '../../src/models/rfm.ts';
import { lang } from '../../src/i18n/lang.ts';
import { render, snapshotTests } from './chart-snapshot.ts';

const grid = [
  { r: 5, f: 5, customers: 40, monetary: 900 },
  { r: 5, f: 1, customers: 25, monetary: 120 },
  { r: 3, f: 2, customers: 12, monetary: 300 },
  { r: 1, f: 1, customers: 60, monetary: 80 },
];
const segment = (segment: string, customers: number, share: number, revenue_share: number): SegmentRow => ({
  segment, customers, share, revenue: revenue_share * 100_000, revenue_share, recency_days: 30, frequency: 2, monetary: 500,
});
const segments = [segment('重要价值客户', 40, 0.29, 0.61), segment('一般发展客户', 37, 0.27, 0.12), segment('一般挽留客户', 60, 0.44, 0.27)];

snapshotTests({
  'rfm-heatmap': (w, l) => rfmHeatmap(grid, w, l),
  'rfm-segments': (w, l) => rfmSegments(segments, w, l),
});

describe('RFM charts say what the data says', () => {
  it('the heat map writes each cell count and whitens the text of the darkest cells', () => {
    const svg = render(rfmHeatmap(grid, 640, lang('en')));
    expect(svg).toMatch(/fill="white"[^>]*>60</);
    expect(svg).toMatch(/fill="black"[^>]*>12</);
  });

  it('the segment chart names segments in the page language', () => {
    expect(render(rfmSegments(segments, 640, lang('en')))).toContain('High-value loyal');
    expect(render(rfmSegments(segments, 640, lang('zh')))).toContain('重要价值客户');
  });

  it('a narrow container still gets room for the segment bars', () => {
    expect(rfmSegments(segments, 100, lang('en')).width).toBe(136 + 40 + 160);
  });
});
