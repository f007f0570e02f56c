// The notebook file (template), version 1: read and checked with messages naming the cell and the field, turned into
// the page's cells and back, and run headless by `analyze --notebook` on the sample data and on CDNOW_master.txt: each
// cell's result in order, a refused SQL cell as that cell's error while the others run, a model cell equal to the
// model's section of a plain run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { analyze, type CellOutput } from '../../src/cli/analyze.ts';
import { rows } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { MODELS } from '../../src/models/registry.ts';
import { cellsOf, notebookFile, parseNotebookFile, TemplateError, type NotebookFile } from '../../src/notebook/template.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const shared = (f: string) => fileURLToPath(new URL(`../../../shared/data/${f}`, import.meta.url));
const defaults = Object.fromEntries(Object.entries(MODELS).map(([name, m]) => [name, m.defaults]));
const dir = mkdtempSync(join(tmpdir(), 'crm-notebook-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parse = (value: unknown) => parseNotebookFile(typeof value === 'string' ? value : JSON.stringify(value), defaults);
const failure = (value: unknown) => {
  try {
    parse(value);
  } catch (e) {
    if (e instanceof TemplateError) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('parsed');
};

describe('reading a notebook file', () => {
  it('reads every cell shape of version 1', () => {
    const file = parse({
      version: 1,
      title: '月度复盘',
      filter: {},
      cells: [
        { kind: 'note', text: '先看渠道', title: '说明' },
        { kind: 'rfm', settings: { monetary: 'mean' }, note: 'by average', hidden: true },
        { kind: 'sql', sql: 'SELECT 1', chart: { mark: 'bar', x: 'a', y: 'b' }, filter: {} },
        { kind: 'overview' },
      ],
    });
    expect(file).toEqual({
      version: 1,
      title: '月度复盘',
      cells: [
        { kind: 'note', title: '说明', text: '先看渠道' },
        { kind: 'rfm', hidden: true, note: 'by average', settings: { monetary: 'mean' } },
        { kind: 'sql', sql: 'SELECT 1', chart: { mark: 'bar', x: 'a', y: 'b' } },
        { kind: 'overview' },
      ],
    });
  });

  const bad: [string, unknown, string, string][] = [
    ['not JSON', '{"version": 1, cells: []}', 'json', 'The notebook file is not JSON: '],
    ['not an object', [1], 'shape', 'The notebook file must be a JSON object with "version" and "cells".'],
    ['another version', { version: 2, cells: [] }, 'version', 'Notebook file version 2 is not supported: this version reads version 1.'],
    ['cells not a list', { version: 1, cells: {} }, 'cells', 'The notebook file\'s "cells" must be a list of cells.'],
    ['an unknown top field', { version: 1, cells: [], setting: {} }, 'top_field', 'The notebook file has a field "setting" that version 1 does not know (fields: version, title, cells, filter).'],
    ['a cell without kind', { version: 1, cells: [{ kind: 'note', text: '' }, { sql: 'SELECT 1' }] }, 'kind', 'Cell 2: "kind" is missing or not text; it is a model ('],
    ['an unknown kind', { version: 1, cells: [{ kind: 'rfn' }] }, 'unknown_kind', 'Cell 1: kind "rfn" is not known; it is a model (overview, rfm, abc,'],
    ['a SQL cell without its statement', { version: 1, cells: [{ kind: 'overview' }, { kind: 'sql' }] }, 'missing', 'Cell 2 (sql): "sql" is missing.'],
    ['a statement that is not text', { version: 1, cells: [{ kind: 'sql', sql: ['SELECT 1'] }] }, 'text', 'Cell 1 (sql): "sql" must be text.'],
    ['a note without text', { version: 1, cells: [{ kind: 'note', note: 'x' }] }, 'field', 'Cell 1 (note): "note" is not a field of a note cell.'],
    ['settings not an object', { version: 1, cells: [{ kind: 'rfm', settings: 'mean' }] }, 'object', 'Cell 1 (rfm): "settings" must be an object.'],
    ['a setting of the wrong type', { version: 1, cells: [{ kind: 'abc', settings: { cutA: '0.8' } }] }, 'number', 'Cell 1 (abc): "settings.cutA" must be a number.'],
    ['hidden not true or false', { version: 1, cells: [{ kind: 'rfm', hidden: 'yes' }] }, 'boolean', 'Cell 1 (rfm): "hidden" must be true or false.'],
    ['a chart mark not known', { version: 1, cells: [{ kind: 'sql', sql: 'SELECT 1', chart: { mark: 'pie', x: 'a', y: 'b' } }] }, 'chart_mark', 'Cell 1 (sql): "chart.mark" must be "bar", "line" or "dot", not "pie".'],
    ['a cell filter with a bad field', { version: 1, cells: [{ kind: 'overview' }, { kind: 'rfm', filter: { channel: ['抖音'] } }] }, 'filter_cell', 'Cell 2 (rfm): "filter": unknown field "channel"'],
    ['a notebook filter with a bad date', { version: 1, cells: [], filter: { from: '2024-02-30' } }, 'filter_notebook', 'The notebook\'s filter: "filter": "from" must be a date YYYY-MM-DD'],
  ];
  it.each(bad)('refuses %s, naming where', (_, value, code, message) => {
    const f = failure(value);
    expect(f.code).toBe(code);
    expect(f.message.startsWith(message)).toBe(true);
  });
});

describe("the page's cells and the file", () => {
  it('writes a model cell with the notebook settings under its own, and reads back the same cells', () => {
    const file = notebookFile(
      [
        { id: 'overview', kind: 'overview' },
        { id: 'rfm', kind: 'rfm', note: '看高价值', collapsed: true },
        { id: 'rfm-2', kind: 'rfm', settings: { monetary: 'mean' }, title: 'RFM (mean)' },
        { id: 'n1', kind: 'note', note: '# 结论' },
        { id: 's1', kind: 'sql', sql: 'SELECT 1 AS a, 2 AS b', chart: { mark: 'dot', x: 'a', y: 'b' }, hidden: true },
      ],
      { asOf: '2025-01-01', rfm: { scoring: 'quintile' } },
      Object.fromEntries(Object.entries(MODELS).map(([name, m]) => [name, m.settingsKey])),
    );
    expect(file).toEqual({
      version: 1,
      cells: [
        { kind: 'overview' },
        { kind: 'rfm', settings: { scoring: 'quintile' }, note: '看高价值' },
        { kind: 'rfm', title: 'RFM (mean)', settings: { scoring: 'quintile', monetary: 'mean' } },
        { kind: 'note', text: '# 结论' },
        { kind: 'sql', hidden: true, sql: 'SELECT 1 AS a, 2 AS b', chart: { mark: 'dot', x: 'a', y: 'b' } },
      ],
    });
    // The as-of date belongs to the data, not to the template.
    expect(JSON.stringify(file)).not.toContain('2025-01-01');
    const again = parse(JSON.stringify(file));
    expect(again).toEqual(file);
    const cells = cellsOf(again);
    expect(cells.map((c) => c.id)).toEqual(['overview-1', 'rfm-2', 'rfm-3', 'note-4', 'sql-5']);
    expect(cells[2]).toEqual({ id: 'rfm-3', kind: 'rfm', title: 'RFM (mean)', settings: { scoring: 'quintile', monetary: 'mean' } });
    expect(cells[3]).toEqual({ id: 'note-4', kind: 'note', note: '# 结论' });
    expect(cells[4]).toEqual({ id: 'sql-5', kind: 'sql', hidden: true, sql: 'SELECT 1 AS a, 2 AS b', chart: { mark: 'dot', x: 'a', y: 'b' } });
  });
});

const NOTEBOOK: NotebookFile = {
  version: 1,
  cells: [
    { kind: 'note', text: 'Channels, then RFM.' },
    { kind: 'sql', title: 'Lines per channel', sql: 'SELECT channel, count(*) AS lines FROM orders GROUP BY channel ORDER BY lines DESC, channel' },
    { kind: 'sql', sql: "DELETE FROM orders WHERE channel = '门店'" },
    { kind: 'rfm', settings: { monetary: 'mean' } },
    { kind: 'sql', sql: 'SELECT segment_en, count(*) AS customers FROM rfm GROUP BY 1 ORDER BY 2 DESC, 1' },
    { kind: 'sql', sql: 'SELECT nope FROM orders' },
  ],
};

describe('analyze --notebook', { timeout: 300_000 }, () => {
  it('runs the cells in order on the sample: results, a refused and a failing cell as errors, the others still run', async () => {
    const db = await openNodeDb();
    const out = await analyze({ orders: sample('orders.csv'), notebook: NOTEBOOK }, db);
    const cells = out.cells as CellOutput[];
    expect(cells.map((c) => [c.kind, c.error === undefined])).toEqual([['note', true], ['sql', true], ['sql', false], ['rfm', true], ['sql', true], ['sql', false]]);
    expect(cells[0].text).toBe('Channels, then RFM.');
    expect(cells[1].title).toBe('Lines per channel');
    expect(cells[1].result).toEqual({ columns: ['channel', 'lines'], types: ['VARCHAR', 'BIGINT'], rows: [['小程序', 17169], ['天猫', 13431], ['抖音', 4177], ['门店', 3942]], truncated: false });
    expect(cells[2].error).toBe('DELETE changes data: a SQL cell only reads (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SUMMARIZE, SHOW, EXPLAIN). Nothing was run.');
    expect(cells[5].error).toMatch(/^Binder Error: Referenced column "nope" not found/);
    // The refused DELETE changed nothing: the store lines are still there.
    expect((await rows<{ n: number }>(db, "SELECT count(*)::DOUBLE AS n FROM orders WHERE channel = '门店'"))[0].n).toBe(3942);
    // The SQL cell after the RFM cell reads that cell's run (monetary as the mean).
    const segments = (cells[4].result as { rows: [string, number][] }).rows;
    expect(segments.reduce((s, r) => s + r[1], 0)).toBe((cells[3].result as { customers: unknown[] }).customers.length);
    // The RFM cell equals the rfm section of a plain run with those settings.
    const plain = await analyze({ orders: sample('orders.csv'), models: ['rfm'], settings: { rfm: { monetary: 'mean' } } });
    expect(cells[3].result).toEqual(plain.rfm);
    const defaultRfm = await analyze({ orders: sample('orders.csv'), models: ['rfm'] });
    expect(cells[3].result).not.toEqual(defaultRfm.rfm);
  });

  it('runs on CDNOW_master.txt from the command line, its RFM cell equal to the plain rfm section', () => {
    const file = join(dir, 'cdnow.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        cells: [
          { kind: 'sql', sql: "SELECT strftime(order_day, '%Y') AS year, count(*) AS purchases, count(DISTINCT customer_id) AS customers, round(sum(net), 2) AS revenue FROM purchases GROUP BY 1 ORDER BY 1" },
          { kind: 'rfm' },
          { kind: 'sql', sql: "COPY orders TO 'cdnow-copy.csv'" },
          { kind: 'overview' },
        ],
      }),
    );
    const run = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', '--orders', shared('CDNOW_master.txt'), ...args], { cwd: root, encoding: 'utf8', timeout: 280_000, maxBuffer: 256 * 1024 * 1024 });
    const r = run('--notebook', file);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("analyze: cell 3 (sql): COPY writes or reads files: a SQL cell only reads the notebook's tables. Nothing was run.\n");
    const out = JSON.parse(r.stdout);
    expect(out.cells.map((c: CellOutput) => c.kind)).toEqual(['sql', 'rfm', 'sql', 'overview']);
    const years = out.cells[0].result;
    expect(years.columns).toEqual(['year', 'purchases', 'customers', 'revenue']);
    // CDNOW: 23,570 customers, all of whom first bought in 1997; same-day lines of a customer are one purchase.
    expect(years.rows.map((y: unknown[]) => y[0])).toEqual(['1997', '1998']);
    expect(years.rows[0][2]).toBe(23570);
    expect(years.rows[0][1] + years.rows[1][1]).toBe(out.cells[3].result.purchases);
    expect(Math.round((years.rows[0][3] + years.rows[1][3]) * 100) / 100).toBeCloseTo(out.cells[3].result.revenue, 2);
    expect(out.cells[2]).toEqual({ kind: 'sql', error: "COPY writes or reads files: a SQL cell only reads the notebook's tables. Nothing was run." });
    const plain = JSON.parse(run('--models', 'rfm').stdout);
    expect(out.cells[1].result).toEqual(plain.rfm);
  });

  it('applies the notebook filter and a cell\'s own: each cell equals a plain run under that filter', async () => {
    const file = join(dir, 'filtered.json');
    writeFileSync(
      file,
      JSON.stringify({
        version: 1,
        filter: { from: '2024-01-01', to: '2024-12-31' },
        cells: [
          { kind: 'overview' },
          { kind: 'rfm', title: '抖音', filter: { order_channel: ['抖音'] } },
          { kind: 'sql', sql: 'SELECT count(*) AS lines FROM orders' },
          { kind: 'rfm', filter: { region: ['华东'] } },
        ],
      }),
    );
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', '--orders', sample('orders.csv'), '--notebook', file], { cwd: root, encoding: 'utf8', timeout: 280_000, maxBuffer: 64 * 1024 * 1024 });
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    // Region needs a customers file: that cell says so, the others ran.
    expect(out.cells[3].error).toBe('the region filter needs a customers file');
    expect(out.cells[1].filter).toEqual({ from: '2024-01-01', to: '2024-12-31', order_channel: ['抖音'] });
    const year = { from: '2024-01-01', to: '2024-12-31' };
    expect(out.cells[0].result).toEqual(JSON.parse(JSON.stringify(await analyze({ orders: sample('orders.csv'), models: ['overview'], filter: year }))).overview);
    const douyin = await analyze({ orders: sample('orders.csv'), models: ['rfm'], filter: { ...year, order_channel: ['抖音'] } });
    expect(out.cells[1].result).toEqual(JSON.parse(JSON.stringify(douyin.rfm)));
    expect(out.cells[0].result.as_of).toBe('2025-01-01');
    // The SQL cell reads the rows the filter keeps.
    const db = await openNodeDb();
    await analyze({ orders: sample('orders.csv'), models: ['overview'] }, db);
    const lines = (await rows<{ n: number }>(db, "SELECT count(*)::DOUBLE AS n FROM orders WHERE order_ts >= DATE '2024-01-01' AND order_ts < DATE '2025-01-01'"))[0].n;
    expect(out.cells[2].result.rows[0][0]).toBe(lines);
  });

});
