// Delimited files written in an unusual dialect, or with a few rows that cannot be read like the others: each loads,
// every source row is loaded or counted (unreadable rows with their line and text), and a file is refused only when
// too many rows fail, with a reason in both languages (real DuckDB-WASM; fixtures in tests/fixtures/ingest/dialects).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, formatInputError, loadFile, type InputError } from '../../src/ingest/index.ts';
import { zh } from '../../src/i18n/zh.ts';
import { en } from '../../src/i18n/en.ts';
import { expectIdentity, ingest, inputError, purchases, utf8 } from './ingest-helpers.ts';

const fixture = (f: string) => new Uint8Array(readFileSync(fileURLToPath(new URL(`../fixtures/ingest/dialects/${f}`, import.meta.url))));
const sample = () => readFileSync(fileURLToPath(new URL('../../sample-data/orders.csv', import.meta.url)), 'utf8');
const zhText = (e: InputError) => formatInputError(zh, e.code, e.params, (f) => zh[`field.${f}` as keyof typeof zh]);
const enText = (e: InputError) => formatInputError(en, e.code, e.params, (f) => en[`field.${f}` as keyof typeof en]);

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});

const PRODUCTS = ['Cast iron pan', 'Tea towel, linen', 'Chef knife', 'Cutting board', 'Mixing bowls, set of 3', 'Apron'];

/** The loaded order lines: source line and product, in file order. */
async function loaded(): Promise<{ line: number; product: string }[]> {
  return rows(db, `SELECT __line::DOUBLE AS line, product FROM orders ORDER BY __line`);
}

describe('line endings', () => {
  it('reads a file with CR LF on some lines and LF on others (one CR added to line 501 of the sample orders)', async () => {
    const lines = sample().split('\n');
    lines[500] += '\r';
    const mixed = await ingest(db, 'orders.csv', utf8(lines.join('\n')), { slot: 'raw_mixed' });
    const mixedPurchases = await purchases(db);
    const plain = await ingest(db, 'orders.csv', utf8(sample()), { slot: 'raw_plain' });
    expect(mixed.report).toMatchObject({ rows_read: 38_764, rows_loaded: plain.report.rows_loaded, unreadable_row: 0 });
    expectIdentity(mixed.report);
    expect(mixedPurchases).toEqual(await purchases(db));
  });

  it('the small sales table with mixed line ends loads whole, with its lines', async () => {
    const { report } = await ingest(db, 'mixed-line-endings.csv', fixture('mixed-line-endings.csv'));
    expect(report).toMatchObject({ rows_read: 6, rows_loaded: 6, unreadable_row: 0 });
    expect(await loaded()).toEqual(PRODUCTS.map((product, i) => ({ line: i + 2, product })));
  });
});

describe('a few rows the dialect cannot read are left out and counted with their line and text', () => {
  const cases: [file: string, line: number, text: string][] = [
    ['stray-quote.csv', 4, 'A1003,C03,2024-03-03,"12" pan",1,59.00'],
    ['open-quote.csv', 4, 'A1003,C03,2024-03-03,"Chef knife,1,59.00'],
    ['extra-separator.csv', 5, 'A1004,C01,2024-03-04,Cutting, board,1,24.50'],
    ['missing-separator.csv', 6, 'A1005,C04,2024-03-05,"Mixing bowls, set of 3",118.00'],
  ];
  for (const [file, line, text] of cases)
    it(file, async () => {
      const { report } = await ingest(db, file, fixture(file));
      expect(report).toMatchObject({ rows_read: 6, rows_loaded: 5, unreadable_row: 1, bad_date: 0, bad_amount: 0 });
      expectIdentity(report);
      expect(report.examples.unreadable_row).toEqual([{ line, value: text }]);
      expect(await loaded()).toEqual(PRODUCTS.map((product, i) => ({ line: i + 2, product })).filter((r) => r.line !== line));
    });

  it('a line over the reader’s 2 MB limit', async () => {
    const head = 'order_id,customer_id,order_date,product,amount\nA1,c1,2024-01-02,pan,10\n';
    const long = `A2,c2,2024-01-03,${'x'.repeat(2_100_000)},20\n`;
    const { report } = await ingest(db, 'long.csv', utf8(head + '\n' + long + 'A3,c3,2024-01-04,pot,30\n'));
    expect(report).toMatchObject({ rows_read: 3, rows_loaded: 2, unreadable_row: 1 });
    expectIdentity(report);
    expect(report.examples.unreadable_row![0].line).toBe(4);
    expect(report.examples.unreadable_row![0].value).toBe(long.slice(0, 200));
    expect((await loaded()).map((r) => r.line)).toEqual([2, 5]);
    // Every data line too long: refused, naming the first line and why, in both languages.
    const err = await inputError(loadFile(db, 'long.csv', utf8(head.split('\n')[0] + '\n' + long + long + long), 'raw_long'));
    expect(err).toMatchObject({ code: 'dialect', params: { line: 2, fault: 'too_long', count: 3, rows: 3 } });
    expect(enText(err)).toContain('the line is longer than 2 MB');
    expect(zhText(err)).toContain('这一行超过 2 MB');
    expect(err.message).not.toMatch(/Possible fixes|DuckDB/);
  });
});

describe('the dialect the file really uses', () => {
  for (const file of ['comma-space.csv', 'space-delimited.csv', 'single-quote.csv', 'title-lines.csv', 'mixed-line-endings.csv'])
    it(file, async () => {
      const { report, loaded: src } = await ingest(db, file, fixture(file));
      expect(report).toMatchObject({ rows_read: 6, rows_loaded: 6, unreadable_row: 0, bad_date: 0, bad_amount: 0 });
      expect(src.raw.columns).toEqual(['order_id', 'customer_id', 'order_date', 'product', 'quantity', 'amount']);
      const got = await loaded();
      expect(got.map((r) => r.product)).toEqual(file === 'single-quote.csv' ? PRODUCTS.map((p) => (p === 'Chef knife' ? "Chef's knife" : p)) : PRODUCTS);
      // Title lines (and the blank line under them) keep the lines below where they are in the file.
      expect(got.map((r) => r.line)).toEqual(PRODUCTS.map((_, i) => i + (file === 'title-lines.csv' ? 5 : 2)));
      if (file === 'title-lines.csv') expect(src.raw.notes).toContainEqual({ code: 'title_rows', value: 2 });
      if (file === 'comma-space.csv') expect(src.raw.notes).toContainEqual({ code: 'delimiter', value: ', ' });
    });

  it('backslash escapes, next to empty quoted values', async () => {
    const { report } = await ingest(db, 'backslash-escape.csv', fixture('backslash-escape.csv'));
    expect(report).toMatchObject({ rows_read: 6, rows_loaded: 6, unreadable_row: 0 });
    const notes = await rows<{ product: string; note: string | null }>(db, `SELECT product, note FROM orders ORDER BY __line`);
    expect(notes.map((r) => r.product)).toEqual(PRODUCTS.map((p) => (p === 'Chef knife' ? '12" chef knife, forged' : p)));
    expect(notes.map((r) => r.note)).toEqual([null, null, 'gift, wrapped', null, 'say "thanks"', null]);
  });

  it('a header with a stray quote still names the columns', async () => {
    const text = 'order_id,customer_id,"order_date,amount\nA1,c1,2024-01-02,10\nA2,c2,2024-01-03,20\n';
    const { report, loaded: src } = await ingest(db, 'header.csv', utf8(text));
    expect(src.raw.columns).toEqual(['order_id', 'customer_id', 'order_date', 'amount']);
    expect(report).toMatchObject({ rows_read: 2, rows_loaded: 2, unreadable_row: 0 });
  });
});

describe('refused only when the dialect must be wrong', () => {
  it('says how many rows fail, where the first is and why, in both languages', async () => {
    let text = 'order_id,customer_id,order_date,product,amount\n';
    for (let i = 0; i < 20; i++) text += i % 2 ? `A${i},c${i},2024-01-02,pan,10\n` : `A${i},c${i},2024-01-02,pan, big,10\n`;
    const err = await inputError(loadFile(db, 'half.csv', utf8(text), 'raw_half'));
    expect(err).toMatchObject({ code: 'dialect', params: { line: 2, fault: 'ragged', count: 10, rows: 20 } });
    expect(err.message).toBe(
      'half.csv, line 2: 10 of 20 rows cannot be read the way the others are (the first here: it has more values than the header (a value may hold an unquoted separator)): the separators or quotes do not fit these rows, so the file\'s format cannot be told',
    );
    expect(zhText(err)).toBe('half.csv，第 2 行：20 行中有 10 行无法像其他行那样读取（从这一行起：值比表头多（某个值里可能有未加引号的分隔符））：分隔符或引号的用法与这些行不符，无法确定文件的格式');
  });
});

describe('customers and events files count unreadable rows too', () => {
  it('a customers file with one row that has an extra separator', async () => {
    const text = 'customer_id,name,signup_date\nC1,Wang,2023-05-01\nC2,Zhao, Min,2023-05-02\nC3,Li,2023-05-03\n';
    const src = await loadFile(db, 'customers.csv', utf8(text), 'raw_cust', { role: 'customers' });
    const { table } = await applyMapping(db, src, src.mapping);
    expect(table).toMatchObject({ rows_read: 3, rows_loaded: 2, unreadable_row: 1 });
    expect(table!.rows_read).toBe(table!.rows_loaded + table!.unreadable_row + table!.blank_customer + table!.duplicate_customer + table!.bad_date + table!.blank_event);
    expect(table!.examples.unreadable_row).toEqual([{ line: 3, value: 'C2,Zhao, Min,2023-05-02' }]);
  });

  it('quoted values with commas and doubled quotes in an all-text customers file: the header is not a customer', async () => {
    const src = await loadFile(db, 'customers-quoted.csv', fixture('customers-quoted.csv'), 'raw_cust', { role: 'customers' });
    expect(src.raw.columns).toEqual(['customer_id', 'name', 'region', 'note']);
    const { table } = await applyMapping(db, src, src.mapping);
    expect(table).toMatchObject({ rows_read: 4, rows_loaded: 4 });
    const names = await rows<{ customer_id: string; name: string }>(db, `SELECT customer_id, name FROM customers ORDER BY customer_id`);
    expect(names).toEqual([
      { customer_id: 'C01', name: 'Wang, Li' },
      { customer_id: 'C02', name: 'Zhao "Min"' },
      { customer_id: 'C03', name: 'Li Lei' },
      { customer_id: 'C04', name: 'Sun, "Sam"' },
    ]);
  });
});

describe('encodings', () => {
  it('a UTF-8 byte-order mark followed by GBK text is read as GBK', async () => {
    const { report, loaded: src } = await ingest(db, 'bom-gbk.csv', fixture('bom-gbk.csv'));
    expect(src.raw.encoding).toBe('gb18030');
    expect(src.raw.columns).toEqual(['订单号', '客户编号', '下单时间', '商品名称', '数量', '实付金额']);
    expect(report).toMatchObject({ rows_read: 3, rows_loaded: 3, unreadable_row: 0 });
    expect((await loaded()).map((r) => r.product)).toEqual(['铸铁锅', '亚麻茶巾，两条', '厨师刀']);
  });
});
