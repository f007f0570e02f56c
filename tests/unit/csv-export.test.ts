// CSV injection: every list export (RFM, ABC, clusters, lifecycle, cross-sell, churn, cohorts) writes a text cell
// that a spreadsheet would read as a formula with a leading `'`, and leaves typed numbers as plain numbers.
// Real files through the engine the worker runs, on DuckDB-WASM (and the native engine), read back as CSV.
import { read, utils, type WorkSheet } from '@e965/xlsx';
import { beforeAll, describe, expect, it } from 'vitest';
import { csvBytes, FORMULA_LEADS, spreadsheetSafeSql, spreadsheetSafeText } from '../../src/db/csv.ts';
import { rows, type Db } from '../../src/db/db.ts';
import { openNativeDb } from '../../src/db/native.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { Engine } from '../../workers/engine.ts';
import { parseCsv } from './ingest-helpers.ts';

const HOSTILE = ['=HYPERLINK("http://evil.example/x")', '+1', '-2 text', '@x', '\tTAB', '\rCR'];
const NORMAL = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6'];
const quote = (s: string) => '"' + s.replaceAll('"', '""') + '"';

/**
 * Orders: the normal customers buy a cup and tea every month from January to September; the hostile ones buy a
 * cup alone in January, February and March, then stop (so they are churn candidates and the cross-sell list of
 * cup → tea). `-2 text` also has a credit note of −5.00.
 */
function ordersCsv(): Uint8Array {
  const lines = ['order_id,customer_id,order_ts,product,amount'];
  let n = 0;
  NORMAL.forEach((id, i) => {
    for (let m = 1; m <= 9; m++) {
      const order = `o${++n}`;
      lines.push(`${order},${id},2024-0${m}-1${i} 10:00:00,cup,${20 + i}.50`, `${order},${id},2024-0${m}-1${i} 10:00:00,tea,${5 + m}.25`);
    }
  });
  HOSTILE.forEach((id, i) => {
    for (let m = 1; m <= 3; m++) lines.push(`o${++n},${quote(id)},2024-0${m}-2${i} 12:00:00,cup,${12 + i * 3}.00`);
  });
  lines.push(`o${++n},${quote('-2 text')},2024-04-02 09:00:00,cup,-5.00`);
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

/** Customers: the hostile ids carry hostile names and contact fields too. */
function customersCsv(): Uint8Array {
  const lines = ['customer_id,name,phone,email,region'];
  NORMAL.forEach((id, i) => lines.push(`${id},王芳${i},13800138${String(i).padStart(3, '0')},${id}@example.com,华东`));
  HOSTILE.forEach((id, i) => lines.push([id, HOSTILE[(i + 1) % HOSTILE.length], `+86 138 0000 000${i}`, '@x', '-north'].map(quote).join(',')));
  return new TextEncoder().encode(lines.join('\n') + '\n');
}

const file = (name: string, data: Uint8Array) => ({ name, size: data.length, data });
const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Rows of a CSV export (header first), after its byte-order mark. */
function readCsv(bytes: Uint8Array): string[][] {
  expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parseCsv(text(bytes.slice(3)));
}

/** A plain number as DuckDB writes one (an amount, a rank, a share). */
const NUMBER = /^-?\d+(\.\d+)?(e[-+]?\d+)?$/;

/** No cell can start a formula: a cell that starts with a formula character is a plain number, and then only with `-`. */
function expectNoFormula(table: string[][]): void {
  for (const row of table) {
    for (const cell of row) {
      if (!FORMULA_LEADS.includes(cell.charAt(0))) continue;
      expect(cell, `cell ${JSON.stringify(cell)}`).toMatch(NUMBER);
      expect(cell.charAt(0)).toBe('-');
    }
  }
}

/** The column of `table` named `name`, without the header. */
function column(table: string[][], name: string): string[] {
  const at = table[0].indexOf(name);
  expect(at, `column ${name} in ${table[0].join(',')}`).toBeGreaterThanOrEqual(0);
  return table.slice(1).map((r) => r[at]);
}

describe('list exports on a file with hostile customer ids and names', { timeout: 240_000 }, () => {
  let db: Db;
  let engine: Engine;
  beforeAll(async () => {
    db = await openNodeDb();
    engine = new Engine(db);
    const orders = await engine.load(file('orders.csv', ordersCsv()));
    const applied = await engine.apply(orders.id, orders.mapping);
    expect(applied.report!.rows_read).toBe(NORMAL.length * 18 + HOSTILE.length * 3 + 1);
    const customers = await engine.load(file('customers.csv', customersCsv()), { role: 'customers' });
    await engine.apply(customers.id, customers.mapping, undefined, 'customers');
  });

  const prefixed = HOSTILE.map((id) => `'${id}`);

  it('the ids reach the canonical tables unchanged (so the exports below do see them)', async () => {
    const ids = (await rows<{ customer_id: string }>(db, 'SELECT DISTINCT customer_id FROM purchases ORDER BY 1')).map((r) => r.customer_id);
    expect(ids.sort()).toEqual([...HOSTILE, ...NORMAL].sort());
  });

  it('RFM segment export', async () => {
    await engine.run('rfm', {});
    const customers = await engine.list('rfm', {});
    const table = readCsv(await engine.export('rfm', { scheme: 'en', segment: null, lang: 'en' }));
    expectNoFormula(table);
    expect(table[0]).toEqual([
      'Customer ID', 'Days since last purchase', 'Purchases', 'Total spend', 'R score (recency 1–5)', 'F score (frequency 1–5)', 'M score (monetary 1–5)',
      'RFM 8 segments (high/low R, F, M)', 'R×F 10 segments (R×F grid)',
    ]);
    expect(column(table, 'Customer ID').sort()).toEqual([...prefixed, ...NORMAL].sort());
    // Typed columns stay numbers, with the values of the model.
    const byId = new Map(customers.map((c) => [c.customer_id, c]));
    for (const row of table.slice(1)) {
      const id = row[0].startsWith("'") ? row[0].slice(1) : row[0];
      expect(Number(row[3])).toBeCloseTo(byId.get(id)!.monetary, 2);
      expect(Number(row[2])).toBe(byId.get(id)!.frequency);
    }
    const [hyperlink] = table.filter((r) => r[0] === `'${HOSTILE[0]}`);
    expect(hyperlink.slice(1, 4)).toEqual(['180', '3', '36.0']);
  });

  it('ABC export', async () => {
    await engine.run('abc', {});
    const table = readCsv(await engine.export('abc', { cls: null, lang: 'en' }));
    expectNoFormula(table);
    expect(column(table, 'Customer ID').sort()).toEqual([...prefixed, ...NORMAL].sort());
    expect(column(table, 'Rank').map(Number)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(column(table, 'Cumulative share of revenue').at(-1)).toBe('1.0');
  });

  it('cluster export', async () => {
    await engine.run('clusters', { clusters: { k: 2 } });
    const table = readCsv(await engine.export('clusters', { cluster: null, lang: 'en' }));
    expectNoFormula(table);
    expect(column(table, 'Customer ID').sort()).toEqual([...prefixed, ...NORMAL].sort());
    expect(column(table, 'Total spend').every((v) => NUMBER.test(v))).toBe(true);
  });

  it('lifecycle export', async () => {
    await engine.run('lifecycle', {});
    const table = readCsv(await engine.export('lifecycle', { lang: 'en' }));
    expectNoFormula(table);
    expect(column(table, 'Customer ID').sort()).toEqual([...prefixed, ...NORMAL].sort());
    expect(column(table, 'First purchase').filter((d, i) => column(table, 'Customer ID')[i] === "'+1")).toEqual(['2024-01-21']);
  });

  it('cross-sell export (CSV and XLSX) with the contact columns', async () => {
    const basket = await engine.run('basket', {});
    const rule = basket.rules.find((r) => r.antecedent.join() === 'cup' && r.consequent.join() === 'tea');
    expect(rule).toBeDefined();
    const table = readCsv(await engine.export('basket', { settings: {}, rule: rule!, format: 'csv', lang: 'en' }));
    expectNoFormula(table);
    expect(table[0]).toEqual(['Customer ID', 'Name', 'Product to recommend', 'Bought', 'Total spend', 'Purchases', 'Last purchase', 'Phone', 'Email', 'Region']);
    expect(column(table, 'Customer ID').sort()).toEqual([...prefixed].sort());
    expect(column(table, 'Name').sort()).toEqual([...prefixed].sort());
    expect(new Set(column(table, 'Product to recommend'))).toEqual(new Set(['tea']));
    expect(new Set(column(table, 'Email'))).toEqual(new Set(["'@x"]));
    expect(new Set(column(table, 'Region'))).toEqual(new Set(["'-north"]));
    expect(column(table, 'Phone').every((p) => p.startsWith("'+86 138"))).toBe(true);
    // Revenue (a DECIMAL) stays a number: three cups at 18.00; the −5.00 credit note is an order, not a purchase.
    expect(table.find((r) => r[0] === "'-2 text")!.slice(4, 6)).toEqual(['54.00', '3']);

    const sheet = firstSheet(await engine.export('basket', { settings: {}, rule: rule!, format: 'xlsx', lang: 'zh' }));
    expectTextCells(sheet, HOSTILE);
  });

  it('churn export (CSV and XLSX)', async () => {
    const churn = await engine.run('churn', { churn: { pAliveBelow: 1 } });
    expect(churn.flagged).toBeGreaterThanOrEqual(HOSTILE.length);
    const table = readCsv(await engine.export('churn', { format: 'csv', lang: 'en' }));
    expectNoFormula(table);
    const ids = column(table, 'Customer ID');
    for (const id of prefixed) expect(ids).toContain(id);
    const names = column(table, 'Name');
    expect(names[ids.indexOf(`'${HOSTILE[5]}`)]).toBe(`'${HOSTILE[0]}`);
    expect(column(table, 'Rank').map(Number)).toEqual(ids.map((_, i) => i + 1));

    const sheet = firstSheet(await engine.export('churn', { format: 'xlsx', lang: 'zh' }));
    expectTextCells(sheet, HOSTILE);
  });

  it('a negative amount in a typed column stays a plain number, a text cell beside it gets the prefix', async () => {
    const table = parseCsv(text(await db.exportCsv(`SELECT customer_id, amount, order_ts::DATE AS day FROM orders WHERE amount < 0`)));
    expect(table).toEqual([['customer_id', 'amount', 'day'], ["'-2 text", '-5.0000', '2024-04-02']]);
  });

  it('the SQL rule and the one the page uses for its own CSV agree, cell by cell', async () => {
    const samples = [...HOSTILE, '', ' =1', '＝1', "'=1", '1-2', 'a=b', '-', '=', '\n=1', '王芳', '-5', null];
    const values = samples.map((s) => (s === null ? '(NULL)' : `(${"'" + s.replaceAll("'", "''") + "'"})`)).join(', ');
    const out = await rows<{ v: string | null }>(db, await spreadsheetSafeSql(db, `SELECT v FROM (VALUES ${values}) t(v)`));
    expect(out.map((r) => r.v)).toEqual(samples.map((s) => (s === null ? null : spreadsheetSafeText(s))));
    expect(spreadsheetSafeText('=1')).toBe("'=1");
    expect(spreadsheetSafeText('\n=1')).toBe('\n=1');
    // A query without text columns is exported as it is.
    expect(await spreadsheetSafeSql(db, 'SELECT -5.25 AS amount, DATE \'2024-01-01\' AS day')).toBe('SELECT -5.25 AS amount, DATE \'2024-01-01\' AS day');
  });

  it('the page\'s own CSV (cohorts) follows the same rule and keeps numbers', () => {
    const table = readCsv(csvBytes([['cohort', 'size', 'period_0'], [HOSTILE[0], 12, -0.5], ['2024-01', 3, null], ['\rCR', 1, 0.25]]));
    expect(table).toEqual([['cohort', 'size', 'period_0'], [`'${HOSTILE[0]}`, '12', '-0.5'], ['2024-01', '3', ''], ["'\rCR", '1', '0.25']]);
  });
});

describe('the native engine (analyze --engine native) exports the same way', () => {
  it('prefixes text cells and keeps numbers', async () => {
    const db = await openNativeDb({ threads: 1 });
    await db.query(`CREATE TABLE t AS SELECT * FROM (VALUES ('=HYPERLINK("http://evil.example/x")', -5.25::DECIMAL(10, 2), 1), ('c1', 3.5, 2), ('@x', 0, 3)) t(id, amount, k)`);
    expect(text(await db.exportCsv('SELECT id, amount FROM t ORDER BY k'))).toBe(`id,amount\n"'=HYPERLINK(""http://evil.example/x"")",-5.25\nc1,3.50\n'@x,0.00\n`);
  });
});

function firstSheet(bytes: Uint8Array): WorkSheet {
  const book = read(bytes, { type: 'array', cellFormula: true });
  return book.Sheets[book.SheetNames[0]];
}

/** Every hostile value is in the sheet as a text cell (type `s`), none is a formula, and numbers are number cells. */
function expectTextCells(sheet: WorkSheet, values: string[]): void {
  const cells = Object.entries(sheet).filter(([k]) => !k.startsWith('!')).map(([, c]) => c as { t: string; v: unknown; f?: string });
  expect(cells.filter((c) => c.f !== undefined)).toEqual([]);
  for (const v of values) {
    const found = cells.filter((c) => c.v === v);
    expect(found.length, `cell ${JSON.stringify(v)}`).toBeGreaterThan(0);
    expect(new Set(found.map((c) => c.t))).toEqual(new Set(['s']));
  }
  expect(cells.some((c) => c.t === 'n')).toBe(true);
  const grid = utils.sheet_to_json<unknown[]>(sheet, { header: 1 });
  expect(grid.length).toBeGreaterThan(1);
}
