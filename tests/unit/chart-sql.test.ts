// A SQL cell's chart specs drawn in Node from small hand-made results, in both languages, against their stored SVG;
// the chart a result gets by default, and when a chosen chart no longer fits the result.
import { describe, expect, it } from 'vitest';
import { chartFits, columnRole, defaultChart, sqlChart } from '../../src/charts/sql.ts';
import { lang } from '../../src/i18n/lang.ts';
import type { SqlResult } from '../../src/notebook/sql-cell.ts';
import { render, snapshotTests } from './chart-snapshot.ts';

const channels: SqlResult = {
  columns: [{ name: 'channel', type: 'VARCHAR' }, { name: 'lines', type: 'BIGINT' }],
  rows: [['小程序', 17169], ['天猫', 13431], ['抖音', 4177], ['门店', 3942]],
  truncated: false,
  limit: 1000,
};
const days: SqlResult = {
  columns: [{ name: 'day', type: 'DATE' }, { name: 'revenue', type: 'DECIMAL(38,4)' }],
  rows: [['2024-01-03', 900.5], ['2024-01-01', 1200], ['2024-01-02', null], ['2024-01-04', 450]],
  truncated: false,
  limit: 1000,
};
const customers: SqlResult = {
  columns: [{ name: 'frequency', type: 'INTEGER' }, { name: 'monetary', type: 'DOUBLE' }],
  rows: [[1, 120], [2, 380.5], [5, 1900], [3, 610]],
  truncated: false,
  limit: 1000,
};

snapshotTests({
  'sql-bar': (w, l) => sqlChart(channels, { mark: 'bar', x: 'channel', y: 'lines' }, w, l),
  'sql-line': (w, l) => sqlChart(days, { mark: 'line', x: 'day', y: 'revenue' }, w, l),
  'sql-dot': (w, l) => sqlChart(customers, { mark: 'dot', x: 'frequency', y: 'monetary' }, w, l),
});

describe('SQL cell charts', () => {
  it('default to the first label or date column against the first numeric one', () => {
    expect(defaultChart(channels.columns)).toEqual({ mark: 'bar', x: 'channel', y: 'lines' });
    expect(defaultChart(days.columns)).toEqual({ mark: 'line', x: 'day', y: 'revenue' });
    expect(defaultChart(customers.columns)).toEqual({ mark: 'dot', x: 'monetary', y: 'frequency' });
    expect(defaultChart([{ name: 'name', type: 'VARCHAR' }])).toBe(null);
    expect(columnRole('TIMESTAMP')).toBe('time');
  });

  it('fit a result only while both columns are there and y is a number', () => {
    expect(chartFits(channels.columns, { mark: 'bar', x: 'channel', y: 'lines' })).toBe(true);
    expect(chartFits(channels.columns, { mark: 'bar', x: 'lines', y: 'channel' })).toBe(false);
    expect(chartFits(days.columns, { mark: 'bar', x: 'channel', y: 'lines' })).toBe(false);
  });

  it('a line runs in date order and leaves out rows without a value', () => {
    const svg = render(sqlChart(days, { mark: 'line', x: 'day', y: 'revenue' }, 640, lang('en')));
    expect(svg.match(/<circle/g)?.length).toBe(3);
    // Bars keep the result's order, labels as the data wrote them.
    const bars = render(sqlChart(channels, { mark: 'bar', x: 'channel', y: 'lines' }, 640, lang('zh')));
    expect(bars.indexOf('小程序')).toBeLessThan(bars.indexOf('门店'));
  });
});
