// Bad input: each gives an InputError that names the file and, where it applies, the line and column, in English and
// in Chinese; and the tables loaded from an earlier file stay as they were (real DuckDB-WASM).
import { beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from '@e965/xlsx';
import { one, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, formatInputError, InputError, loadFile, type InputErrorCode } from '../../src/ingest/index.ts';
import { zh } from '../../src/i18n/zh.ts';
import { en } from '../../src/i18n/en.ts';
import { expectIdentity, ingest, inputError, purchases, utf8 } from './ingest-helpers.ts';

let db: Db;
/** The good file loaded first; every bad input after it must leave these as they are. */
let before: { purchases: Awaited<ReturnType<typeof purchases>>; orders: number; staged: number };
const GOOD = 'order_id,customer_id,order_date,amount\nA1,c1,2024-01-02,10\nA2,c2,2024-01-03,20\nA3,c1,2024-02-01,5.5\n';

beforeAll(async () => {
  db = await openNodeDb();
  await ingest(db, 'good.csv', utf8(GOOD), { slot: 'raw_good' });
  before = { purchases: await purchases(db), ...(await counts()) };
  expect(before.purchases).toHaveLength(3);
});

async function counts() {
  return one<{ orders: number; staged: number }>(db, `SELECT (SELECT count(*) FROM orders)::DOUBLE AS orders, (SELECT count(*) FROM order_totals)::DOUBLE AS staged`);
}

/** Load and apply `bytes` as `file` in a fresh slot; returns the InputError it must give. */
async function bad(file: string, bytes: Uint8Array | string): Promise<InputError> {
  const data = typeof bytes === 'string' ? utf8(bytes) : bytes;
  let loaded = false;
  const err = await inputError(
    (async () => {
      const src = await loadFile(db, file, data, 'raw_bad');
      loaded = true;
      await applyMapping(db, src, src.mapping);
    })(),
  );
  expect(err.message.startsWith(file)).toBe(true);
  // A file that could not be read leaves nothing half-read behind (one that was read stays, for its mapping to be
  // corrected); the good file's tables are intact either way.
  const left = await one<{ n: number }>(db, `SELECT count(*)::DOUBLE AS n FROM duckdb_tables() WHERE table_name LIKE 'raw_bad%'`);
  expect(left).toEqual({ n: loaded ? 1 : 0 });
  await db.query('DROP TABLE IF EXISTS raw_bad');
  expect(await purchases(db)).toEqual(before.purchases);
  expect(await counts()).toEqual({ orders: before.orders, staged: before.staged });
  return err;
}

const zhText = (e: InputError) => formatInputError(zh, e.code, e.params, (f) => zh[`field.${f}` as keyof typeof zh]);
const enText = (e: InputError) => formatInputError(en, e.code, e.params, (f) => en[`field.${f}` as keyof typeof en]);

/** A seeded stream of bytes (xorshift), so the junk is the same every run. */
function junk(n: number, seed = 7): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

describe('files that are not data', () => {
  it('an empty file, and one with only blank space', async () => {
    const empty = await bad('empty.csv', new Uint8Array(0));
    expect(empty).toMatchObject({ code: 'empty', params: { file: 'empty.csv' } });
    expect(empty.message).toBe('empty.csv: the file is empty');
    expect(zhText(empty)).toBe('empty.csv：文件是空的');
    expect((await bad('blank.csv', ' \r\n\n\t\n')).code).toBe('blank');
  });

  it('binary junk, an image, a damaged .xls, and a zip that is no workbook', async () => {
    expect((await bad('junk.bin', junk(4096))).message).toBe('junk.bin: this does not look like a data file (binary content)');
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...junk(2000, 11)]);
    expect((await bad('logo.png', png)).code).toBe('binary');
    const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...junk(512, 3)]);
    // Excel 97–2003 workbooks are read (ingest-formats.test.ts); one that is damaged says so.
    const old = await bad('旧报表.xls', xls);
    expect(old.code).toBe('xlsx_unreadable');
    expect(zhText(old)).toMatch(/^旧报表\.xls：无法按 Excel 工作簿读取：/);
    const zip = new Uint8Array([0x50, 0x4b, 0x03, 0x04, ...junk(300, 5)]);
    expect((await bad('archive.xlsx', zip)).code).toBe('xlsx_unreadable');
  });

  it('a header without rows, and a workbook without the sheet asked for', async () => {
    const head = await bad('head.csv', 'order_id,customer_id,order_date,amount\n');
    expect(head.code).toBe('header_only');
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['客户编号', '金额']]), '订单');
    const bytes = new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
    const empty = await bad('只有表头.xlsx', bytes);
    expect(empty).toMatchObject({ code: 'header_only', params: { sheet: '订单' } });
    expect(empty.message).toBe('只有表头.xlsx, sheet "订单": there is a header but no data rows');
    expect(zhText(empty)).toBe('只有表头.xlsx，工作表“订单”：只有表头，没有数据行');
    const missing = await inputError(loadFile(db, '只有表头.xlsx', bytes, 'raw_bad', { sheet: '2024' }));
    expect(missing).toMatchObject({ code: 'sheet_missing', params: { wanted: '2024', sheets: ['订单'] } });
    expect(zhText(missing)).toBe('只有表头.xlsx：没有名为“2024”的工作表；现有工作表：“订单”');
  });
});

describe('files with no recognisable customer or date column', () => {
  it('nothing to map at all', async () => {
    const err = await bad('notes.csv', 'foo,bar\nx,y\nz,w\n');
    expect(err).toMatchObject({ code: 'unrecognised', params: { columns: ['foo', 'bar'] } });
    expect(err.message).toBe('notes.csv: no column looks like a customer id, a date or an amount (columns: "foo", "bar")');
    expect(zhText(err)).toBe('notes.csv：找不到像客户编号、日期或金额的列（文件的列：“foo”、“bar”）');
  });

  it('an amount but no date: the mapping names what is missing, in the user’s words', async () => {
    const err = await bad('totals.csv', 'customer_id,amount\nc1,10\nc2,20\n');
    expect(err).toMatchObject({ code: 'missing_fields', params: { fields: ['order_ts'], columns: ['customer_id', 'amount'] } });
    expect(err.message).toBe('totals.csv: no column for order_ts: choose one in the mapping (columns: "customer_id", "amount")');
    expect(zhText(err)).toBe('totals.csv：缺少以下字段对应的列：下单时间。请在字段映射中选择（文件的列：“customer_id”、“amount”）');
    expect(enText(err)).toBe('totals.csv: no column for Order time: choose one in the mapping (columns: "customer_id", "amount")');
  });
});

describe('cut-off and ragged text', () => {
  const H = 'order_id,customer_id,order_date,amount,note\n';

  it('a file cut in the middle of a row', async () => {
    const err = await bad('cut.csv', H + 'A1,c1,2024-01-02,10,ok\n\nA2,c2,2024-01-03,20,ok\nA3,c3,2024-0');
    expect(err).toMatchObject({ code: 'truncated', params: { line: 5, found: 3, expected: 5 } });
    expect(err.row).toBe(5);
    expect(err.message).toBe('cut.csv, line 5: the last row ends early (3 of 5 values): the file looks cut off; export it again');
    expect(zhText(err)).toBe('cut.csv，第 5 行：最后一行不完整（应有 5 个值，只有 3 个）：文件似乎被截断了，请重新导出');
    const ws = await bad('cut.txt', 'customer_id date amount\nc1 20240102 10\nc2 20240103');
    expect(ws).toMatchObject({ code: 'truncated', params: { line: 3, found: 2, expected: 3 } });
  });

  it('a file cut inside a quoted value, which may span lines', async () => {
    const atEnd = await bad('cut-quote.csv', H + 'A1,c1,2024-01-02,10,"fine"\nA2,c2,2024-01-03,20,"cut here');
    expect(atEnd).toMatchObject({ code: 'unclosed_quote', params: { line: 3 } });
    expect(zhText(atEnd)).toBe('cut-quote.csv，第 3 行：从这一行开始的带引号的值没有结束引号：文件可能被截断了，或引号不成对');
    // A quote that never closes in a file that ends with a line break: its line cannot be read (nor the next, which
    // lost its start); the rows after them load.
    const { report } = await ingest(db, 'stray-quote.csv', utf8(H + 'A1,c1,2024-01-02,10,"two\nlines"\nA2,c2,2024-01-03,20,"starts here\nand goes on\nA3,c3,2024-01-04,30,x\n'), { slot: 'raw_bad' });
    expect(report).toMatchObject({ rows_read: 4, rows_loaded: 2, unreadable_row: 2 });
    expectIdentity(report);
    expect(report.examples.unreadable_row).toEqual([
      { line: 4, value: 'A2,c2,2024-01-03,20,"starts here' },
      { line: 5, value: 'and goes on' },
    ]);
    await ingest(db, 'good.csv', utf8(GOOD), { slot: 'raw_good' });
  });

  it('a row with more values than the header is counted, not loaded: near the top, and far past the sniffer’s sample', async () => {
    const near = await ingest(db, 'ragged.csv', utf8(H + 'A1,c1,2024-01-02,10,x\n\nA2,c2,2024-01-03,20,x,EXTRA\n'), { slot: 'raw_bad' });
    expect(near.report).toMatchObject({ rows_read: 2, rows_loaded: 1, unreadable_row: 1 });
    expect(near.report.examples.unreadable_row).toEqual([{ line: 4, value: 'A2,c2,2024-01-03,20,x,EXTRA' }]);
    let far = 'order_id,customer_id,order_date,amount\n';
    for (let i = 0; i < 30_000; i++) far += i === 10 ? `A${i},"c\n${i}",2024-01-02,1\n` : `A${i},c${i % 50},2024-01-02,${i}\n`;
    far += 'B1,c1,2024-01-02,5,Paris, France\n';
    const { report } = await ingest(db, 'far.csv', utf8(far), { slot: 'raw_bad' });
    expect(report).toMatchObject({ rows_read: 30_001, rows_loaded: 30_000, unreadable_row: 1 });
    expectIdentity(report);
    expect(report.examples.unreadable_row).toEqual([{ line: 30_003, value: 'B1,c1,2024-01-02,5,Paris, France' }]);
    // The row whose value spans two lines keeps its first line; the rows after it keep theirs.
    const lines = await one<{ a: number; b: number }>(db, `SELECT (SELECT __line FROM orders WHERE order_id = 'A10')::DOUBLE AS a, (SELECT __line FROM orders WHERE order_id = 'A11')::DOUBLE AS b`);
    expect(lines).toEqual({ a: 12, b: 14 });
    await ingest(db, 'good.csv', utf8(GOOD), { slot: 'raw_good' });
    // Whitespace-aligned columns have no quotes to explain an odd row: it is still refused.
    const ws = await bad('ragged.txt', 'customer_id date amount\nc1 20240102 10\nc2 20240103 20 extra\nc3 20240104 30\n');
    expect(ws).toMatchObject({ code: 'ragged', params: { line: 3, found: 4, expected: 3 } });
  });

  it('a quote inside a quoted value that is not doubled: in a file that quotes nothing else, quotes are read as text', async () => {
    const { report } = await ingest(db, 'quotes.csv', utf8(H + 'A1,c1,2024-01-02,10,"12" pizza"\nA2,c2,2024-01-03,20,x\n'), { slot: 'raw_bad' });
    expect(report).toMatchObject({ rows_read: 2, rows_loaded: 2, unreadable_row: 0 });
    expect(await one(db, `SELECT note FROM orders WHERE __line = 2`)).toEqual({ note: '"12" pizza"' });
    await ingest(db, 'good.csv', utf8(GOOD), { slot: 'raw_good' });
  });
});

describe('bad dates and amounts', () => {
  it('are counted with their source line, column and value; blank lines, CRLF and values spanning lines keep lines right', async () => {
    const text = [
      'order_id,customer_id,order_date,amount,note', // 1
      'A1,c1,2024-01-02,10,"a note', // 2
      'on two lines"', // 3
      '', // 4
      'A2,c2,2024-02-30,20,x', // 5: no such day
      'A3,c3,2024-01-04,"1,0,0",x', // 6: no such amount
      '', // 7
      'A4,c4,2024-01-05,¥40,"""quoted"" start', // 8
      'end"', // 9
      'A5,c5,13/13/2024,50,x', // 10
    ].join('\r\n');
    const { report } = await ingest(db, 'dirty.csv', utf8(text + '\r\n'), { slot: 'raw_dirty' });
    expect(report).toMatchObject({ rows_read: 5, rows_loaded: 2, bad_date: 2, bad_amount: 1 });
    expectIdentity(report);
    expect(report.examples.bad_date).toEqual([
      { line: 5, column: 'order_date', value: '2024-02-30' },
      { line: 10, column: 'order_date', value: '13/13/2024' },
    ]);
    expect(report.examples.bad_amount).toEqual([{ line: 6, column: 'amount', value: '1,0,0' }]);
    const lines = await one<{ l: string }>(db, `SELECT string_agg(__line::VARCHAR, ',' ORDER BY __line) AS l FROM orders`);
    expect(lines.l).toBe('2,8');
    // Back to the good file for the other tests.
    await ingest(db, 'good.csv', utf8(GOOD), { slot: 'raw_good' });
  });

  it('a file where no row can be read names the first bad row, its column and value', async () => {
    const err = await bad('dates.csv', 'order_id,customer_id,order_date,amount\n\nA1,c1,someday,10\nA2,c2,2024-02-31,20\n');
    expect(err).toMatchObject({ code: 'no_readable_rows', params: { line: 3, column: 'order_date', value: 'someday' } });
    expect(err.message).toBe('dates.csv, line 3, column "order_date" (value "someday"): no row could be read: every date or amount was unreadable');
    expect(zhText(err)).toBe('dates.csv，第 3 行，“order_date”列（值为“someday”）：没有一行能读出来：所有日期或金额都无法识别');
    const amounts = await bad('amounts.csv', 'order_id,customer_id,order_date,amount\nA1,c1,2024-01-02,ten\nA2,c2,2024-01-03,20\n'.replace(',20\n', ',twenty\n'));
    expect(amounts.params).toMatchObject({ line: 2, column: 'amount', value: 'ten' });
  });

  it('names the line of a broken NDJSON record and the row of a sheet', async () => {
    const nd = await bad('events.ndjson', '{"customer_id": "c1", "order_date": "2024-01-02", "amount": 1}\n\n{"customer_id": "c2", "order_date": \n');
    expect(nd).toMatchObject({ code: 'ndjson_invalid', params: { line: 3 } });
    expect(zhText(nd).startsWith('events.ndjson：第 3 行不是有效的 JSON：')).toBe(true);
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['说明：2024 年订单'], [], ['客户编号', '下单时间', '金额'], ['c1', 'soon', 1], ['c2', 'never', 2]]), '订单');
    const bytes = new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
    const sheet = await bad('orders.xlsx', bytes);
    expect(sheet).toMatchObject({ code: 'no_readable_rows', params: { sheet: '订单', line: 4, column: '下单时间', value: 'soon' } });
    expect(sheet.message).toBe('orders.xlsx, sheet "订单", row 4, column "下单时间" (value "soon"): no row could be read: every date or amount was unreadable');
  });
});

describe('messages', () => {
  it('every code has a sentence in both languages, with every placeholder filled', () => {
    const codes = Object.keys(en).filter((k) => k.startsWith('error.input.')).map((k) => k.slice('error.input.'.length) as InputErrorCode);
    expect(codes.length).toBeGreaterThan(30);
    const params = {
      file: 'f.csv', line: 3, column: 'c', value: 'v', sheet: 's', reason: 'r', found: 5, expected: 4, columns: ['a', 'b'], fields: ['customer_id'],
      field: 'order_ts', mb: 900, wanted: 'w', sheets: ['x'], lists: ['y'], count: 2, encoding: 'gb18030', item: 1, kind: 'number',
    };
    for (const code of codes) {
      const err = new InputError('f.csv', code, params);
      for (const text of [err.message, zhText(err), enText(err)]) {
        expect(text).not.toMatch(/[{}]/);
        expect(text.startsWith('f.csv')).toBe(true);
      }
      expect(zhText(err)).not.toBe(enText(err));
    }
  });
});
