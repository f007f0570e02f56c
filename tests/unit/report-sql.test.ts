// A SQL cell in a report (engine on the sample data, real DuckDB): only when ticked in; its first rows equal the
// cell's own result, with its chart choice; a refused statement is that cell's error; drawn as a table and a chart
// from the report's rows, every text as text.
import { parseHTML } from 'linkedom';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/db/node.ts';
import { lang } from '../../src/i18n/lang.ts';
import type { SqlResult } from '../../src/notebook/sql-cell.ts';
import type { Report } from '../../src/report/format.ts';
import { renderReport } from '../../src/report/render.ts';
import { REPORT_SQL_ROWS, type SqlShare } from '../../src/report/sql.ts';
import { Engine } from '../../workers/engine.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const doc = () => parseHTML('<!doctype html><html><head></head><body></body></html>').document as unknown as Document;
const CHANNELS = 'SELECT channel, count(*) AS lines FROM orders GROUP BY channel ORDER BY lines DESC';
const DAYS = "SELECT order_day, count(*) AS purchases FROM purchases GROUP BY 1 ORDER BY 1";

let engine: Engine;
let report: Report;

beforeAll(async () => {
  engine = new Engine(await openNodeDb());
  const data = readFileSync(sample('orders.csv'));
  const view = await engine.load({ name: 'orders.csv', size: data.length, data });
  await engine.apply(view.id, view.mapping);
  report = await engine.report(
    {
      title: 'SQL',
      sources: [],
      cells: [
        { kind: 'sql', sql: CHANNELS, inReport: true, chart: { mark: 'bar', x: 'channel', y: 'lines' }, note: '<b>渠道</b>' },
        { kind: 'sql', sql: 'SELECT customer_id FROM orders', title: 'not ticked in' },
        { kind: 'sql', sql: DAYS, inReport: true },
        { kind: 'sql', sql: 'DROP TABLE orders', inReport: true },
      ],
    },
    { asOf: null },
  );
}, 120_000);

describe('SQL cells in a report', () => {
  it('holds only the cells ticked in, their first rows equal to the cell, with the chart choice', async () => {
    expect(report.cells.map((c) => c.kind)).toEqual(['sql', 'sql', 'sql']);
    expect(JSON.stringify(report)).not.toContain('not ticked in');
    const channels = report.cells[0].data as SqlShare;
    const cell = (await engine.sql(CHANNELS)) as SqlResult;
    expect(channels).toEqual({ sql: CHANNELS, columns: [['channel', 'VARCHAR'], ['lines', 'BIGINT']], rows: cell.rows, shown: 4, truncated: false, chart: { mark: 'bar', x: 'channel', y: 'lines' } });
    const days = report.cells[1].data as SqlShare;
    const all = (await engine.sql(DAYS)) as SqlResult;
    expect(days.rows).toEqual(all.rows.slice(0, REPORT_SQL_ROWS));
    expect([days.shown, days.truncated]).toEqual([all.rows.length, false]);
    expect(days.shown).toBe(730);
    // No chart was chosen: the one the cell shows by default.
    expect(days.chart).toEqual({ mark: 'line', x: 'order_day', y: 'purchases' });
    expect(report.cells[2].error?.message).toMatch(/^DROP changes data/);
    // Nothing was dropped.
    expect(((await engine.sql('SELECT count(*) FROM orders')) as SqlResult).rows).toEqual([[38719]]);
  });

  it('draws a table and a chart from the report rows, in both languages, text as text', () => {
    for (const locale of ['zh', 'en'] as const) {
      const d = doc();
      const article = renderReport(report, { doc: d, lang: lang(locale), width: 640 });
      const cells = article.querySelectorAll('section.cell');
      expect(cells[0].querySelector('pre.sql')?.textContent).toBe(CHANNELS);
      expect([...cells[0].querySelectorAll('tbody tr')].map((tr) => tr.textContent)).toEqual(
        locale === 'zh' ? ['小程序17,169', '天猫13,431', '抖音4,177', '门店3,942'] : ['小程序17,169', '天猫13,431', '抖音4,177', '门店3,942'],
      );
      expect(cells[0].querySelectorAll('figure svg rect').length).toBe(4);
      expect(cells[0].querySelector('b')).toBe(null);
      expect(cells[1].querySelector('.sub')?.textContent).toBe(locale === 'zh' ? '前 20 行（单元显示 730 行）' : 'First 20 rows (the cell showed 730)');
      expect(cells[2].querySelector('.error')?.textContent).toMatch(locale === 'zh' ? /^此单元在这些数据上没有结果：DROP changes data/ : /^This cell has no result on these data: DROP changes data/);
    }
  });
});
