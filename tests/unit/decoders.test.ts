// XLSX, Parquet and JSON decoders, alone and through readSource into a real DuckDB-WASM (run under TZ=UTC and TZ=Asia/Shanghai).
import { beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from '@e965/xlsx';
import * as pq from 'parquet-wasm';
import {
  Decimal, Dictionary, Float16, Int32, Table, Timestamp, TimeUnit, Utf8,
  makeData, makeVector, tableFromIPC, tableToIPC, vectorFromArray,
} from 'apache-arrow';
import { openNodeDb } from '../../src/db/node.ts';
import { ident, rows, type Db } from '../../src/db/db.ts';
import { readSource, type RawSource } from '../../src/ingest/read.ts';
import { InputError } from '../../src/ingest/sniff.ts';
import { decoders, parquetIpcStreams } from '../../src/ingest/decoders.ts';
import { columnNames, plainNumber } from '../../src/ingest/decode-arrow.ts';
import { excelDateText } from '../../src/ingest/decode-xlsx.ts';

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});

/** The raw table's rows (without `__line`), in file order. */
async function table(src: RawSource): Promise<Record<string, string | null>[]> {
  return rows(db, `SELECT * EXCLUDE (__line) FROM ${ident(src.table)} ORDER BY __line`);
}

async function inputError(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

// ---------------------------------------------------------------- helpers

describe('number and date text', () => {
  it('writes numbers plainly with at most 15 significant digits', () => {
    expect(plainNumber(0.1 + 0.2)).toBe('0.3');
    expect(plainNumber(12)).toBe('12');
    expect(plainNumber(-12.5)).toBe('-12.5');
    expect(plainNumber(1234567.891)).toBe('1234567.891');
    expect(plainNumber(1e21)).toBe('1000000000000000000000');
    expect(plainNumber(1e-7)).toBe('0.0000001');
    expect(plainNumber(0)).toBe('0');
    expect(plainNumber(99.99)).toBe('99.99');
    expect(plainNumber(9007199254740993)).toBe('9007199254740990');
  });

  it('turns Excel serials into wall-clock text without a time-zone shift', () => {
    expect(excelDateText(45292, false)).toBe('2024-01-01 00:00:00');
    expect(excelDateText(45353.5, false)).toBe('2024-03-02 12:00:00');
    expect(excelDateText(45353.99999, false)).toBe('2024-03-02 23:59:59');
    expect(excelDateText(45353.999999999, false)).toBe('2024-03-03 00:00:00');
    expect(excelDateText(1, false)).toBe('1900-01-01 00:00:00');
    expect(excelDateText(61, false)).toBe('1900-03-01 00:00:00');
    expect(excelDateText(45292 - 1462, true)).toBe('2024-01-01 00:00:00');
    expect(excelDateText(0.75, false)).toBe('18:00:00');
  });

  it('makes column names unique as DuckDB compares them', () => {
    expect(columnNames(['a', 'A', '', ' b ', 'a', '__line', null])).toEqual(['a', 'A_2', 'column3', 'b', 'a_3', '__line_2', 'column7']);
  });
});

// ---------------------------------------------------------------- XLSX

function workbook(sheets: Record<string, XLSX.WorkSheet>, date1904 = false): Uint8Array {
  const wb = XLSX.utils.book_new();
  for (const [name, ws] of Object.entries(sheets)) XLSX.utils.book_append_sheet(wb, ws, name);
  if (date1904) wb.Workbook = { ...wb.Workbook, WBProps: { date1904: true } };
  return new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
}

const dt = (v: number, z: string) => ({ t: 'n', v, z }) as XLSX.CellObject;

function ordersBook(): Uint8Array {
  const orders = XLSX.utils.aoa_to_sheet([
    [], // a blank first row: the header is the first row with something in it
    ['客户编号', '下单时间', '实付金额', '实付金额', '', '备注'],
    ['C001', dt(45353.5, 'yyyy-mm-dd hh:mm:ss'), 0.1 + 0.2, 12, 'x', null],
    ['00123', dt(45353, 'yyyy/m/d'), null, 1234567.891, null, '含税'],
    [], // blank rows are skipped
    [12583, dt(45292.0416666667, 'm/d/yy h:mm'), 99.99, -5, null, true],
  ]);
  const notes = XLSX.utils.aoa_to_sheet([['说明'], ['导出于 2024 年']]);
  return workbook({ 空白: XLSX.utils.aoa_to_sheet([]), 订单: orders, 备注: notes });
}

describe('xlsx', () => {
  it('reads the first sheet with data: Chinese headers, dates as wall-clock text, plain numbers, blanks as NULL', async () => {
    const src = await readSource(db, '订单.xlsx', ordersBook(), 'raw_t');
    expect(src.format).toBe('xlsx');
    expect(src.sheets).toEqual(['空白', '订单', '备注']);
    expect(src.sheet).toBe('订单');
    expect(src.columns).toEqual(['客户编号', '下单时间', '实付金额', '实付金额_2', 'column5', '备注']);
    expect(src.rows).toBe(3);
    expect(await table(src)).toEqual([
      { 客户编号: 'C001', 下单时间: '2024-03-02 12:00:00', 实付金额: '0.3', 实付金额_2: '12', column5: 'x', 备注: null },
      { 客户编号: '00123', 下单时间: '2024-03-02 00:00:00', 实付金额: null, 实付金额_2: '1234567.891', column5: null, 备注: '含税' },
      { 客户编号: '12583', 下单时间: '2024-01-01 01:00:00', 实付金额: '99.99', 实付金额_2: '-5', column5: null, 备注: 'TRUE' },
    ]);
    const types = await rows<{ t: string }>(db, `SELECT DISTINCT data_type AS t FROM information_schema.columns WHERE table_name = 'raw_t' AND column_name <> '__line'`);
    expect(types).toEqual([{ t: 'VARCHAR' }]);
  });

  it('reads the sheet asked for, and names the sheets when it is not there', async () => {
    const src = await readSource(db, '订单.xlsx', ordersBook(), 'raw_t', { sheet: '备注' });
    expect(src.sheet).toBe('备注');
    expect(await table(src)).toEqual([{ 说明: '导出于 2024 年' }]);

    const err = await inputError(readSource(db, '订单.xlsx', ordersBook(), 'raw_t', { sheet: 'Sheet9' }));
    expect(err.file).toBe('订单.xlsx');
    expect(err.message).toContain('"Sheet9"');
    expect(err.message).toContain('"空白", "订单", "备注"');

    const empty = await inputError(readSource(db, '订单.xlsx', ordersBook(), 'raw_t', { sheet: '空白' }));
    expect(empty.message).toContain('empty');
  });

  it('passes over hidden sheets unless asked for one', async () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['参数'], ['x']]), '设置');
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['客户编号'], ['C1']]), '数据');
    wb.Workbook = { Sheets: [{ name: '设置', Hidden: 1 }, { name: '数据', Hidden: 0 }] };
    const bytes = new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
    const src = await readSource(db, 'h.xlsx', bytes, 'raw_t');
    expect(src.sheet).toBe('数据');
    expect(src.sheets).toEqual(['设置', '数据']);
    expect((await readSource(db, 'h.xlsx', bytes, 'raw_t', { sheet: '设置' })).columns).toEqual(['参数']);
  });

  it('reads 1904-based workbooks and ISO date cells', async () => {
    const ws = XLSX.utils.aoa_to_sheet([['when', 'iso'], [dt(45292 - 1462 + 0.5, 'yyyy-mm-dd hh:mm'), null]]);
    const book = workbook({ s: ws }, true);
    const src = await readSource(db, 'mac.xlsx', book, 'raw_t');
    expect(await table(src)).toEqual([{ when: '2024-01-01 12:00:00', iso: null }]);

    // Date cells written as ISO text (t="d"), as some tools do.
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['at'], [{ t: 'd', v: '2024-05-06T07:08:09' } as XLSX.CellObject]]), 'd');
    const iso = new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx', cellDates: true }) as ArrayBuffer);
    const src2 = await readSource(db, 'iso.xlsx', iso, 'raw_t');
    expect(await table(src2)).toEqual([{ at: '2024-05-06 07:08:09' }]);
  });

  it('gives a clear error for a damaged workbook or one without data', async () => {
    const junk = new Uint8Array(2048);
    junk.set([0x50, 0x4b, 0x03, 0x04]);
    let seed = 7;
    for (let i = 4; i < junk.length; i++) junk[i] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
    const err = await inputError(readSource(db, 'broken.xlsx', junk, 'raw_t'));
    expect(err.file).toBe('broken.xlsx');
    expect(err.message).toMatch(/^broken\.xlsx: could not read it as an Excel workbook: /);

    const blank = await inputError(readSource(db, 'blank.xlsx', workbook({ a: XLSX.utils.aoa_to_sheet([]), b: XLSX.utils.aoa_to_sheet([[null]]) }), 'raw_t'));
    expect(blank.message).toContain('sheets are empty');

    const headerOnly = await inputError(readSource(db, 'head.xlsx', workbook({ a: XLSX.utils.aoa_to_sheet([['客户编号', '金额']]) }), 'raw_t'));
    expect(headerOnly.message).toContain('no data rows');
  });
});

// ---------------------------------------------------------------- Parquet

function decimalVector(scale: number, precision: number, bitWidth: 128 | 256, values: (bigint | null)[]) {
  const words = bitWidth / 32;
  const data = new Uint32Array(values.length * words);
  const valid = new Uint8Array(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null) return;
    valid[i >> 3] |= 1 << (i & 7);
    let x = BigInt.asUintN(bitWidth, v);
    for (let k = 0; k < words; k++, x >>= 32n) data[i * words + k] = Number(x & 0xffffffffn);
  });
  const type = new Decimal(scale, precision, bitWidth);
  return makeVector(makeData({ type, length: values.length, nullCount: values.filter((v) => v === null).length, nullBitmap: valid, data }));
}

function timestamps(unit: TimeUnit, zone: string | null, values: bigint[]) {
  return makeVector(makeData({ type: new Timestamp(unit, zone), length: values.length, data: new BigInt64Array(values) }));
}

const micros = (iso: string) => BigInt(Date.parse(iso + 'Z')) * 1000n;

function parquet(t: Table, rowGroup?: number): Uint8Array {
  const props = rowGroup ? new pq.WriterPropertiesBuilder().setMaxRowGroupSize(rowGroup).build() : undefined;
  return pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(t, 'stream')), props);
}

describe('parquet', () => {
  it('passes int64, timestamp, decimal and utf8 columns through as exact text', async () => {
    const t = new Table({
      order_id: makeVector(new BigInt64Array([1n, 9007199254740993n, -3n])),
      ordered_at: timestamps(TimeUnit.MICROSECOND, null, [micros('2024-03-01T08:30:00'), micros('2024-12-31T23:59:59'), micros('1999-01-01T00:00:00')]),
      paid_utc: timestamps(TimeUnit.MILLISECOND, 'UTC', [1709281800000n, 0n, 1735689599000n]),
      paid_cn: timestamps(TimeUnit.MICROSECOND, 'Asia/Shanghai', [micros('2024-03-01T00:30:00'), micros('2023-12-31T16:00:00'), micros('2024-06-30T15:59:59')]),
      amount: decimalVector(2, 10, 128, [12345n, -50n, null]),
      customer: vectorFromArray(['张三', null, 'b'], new Utf8()),
      channel: vectorFromArray(['线上', '门店', '线上'], new Dictionary(new Utf8(), new Int32())),
    });
    const src = await readSource(db, 'orders.parquet', parquet(t), 'raw_t');
    expect(src.format).toBe('parquet');
    expect(src.columns).toEqual(['order_id', 'ordered_at', 'paid_utc', 'paid_cn', 'amount', 'customer', 'channel']);
    expect(src.rows).toBe(3);
    expect(await table(src)).toEqual([
      { order_id: '1', ordered_at: '2024-03-01 08:30:00', paid_utc: '2024-03-01 08:30:00', paid_cn: '2024-03-01 08:30:00', amount: '123.45', customer: '张三', channel: '线上' },
      { order_id: '9007199254740993', ordered_at: '2024-12-31 23:59:59', paid_utc: '1970-01-01 00:00:00', paid_cn: '2024-01-01 00:00:00', amount: '-0.50', customer: null, channel: '门店' },
      { order_id: '-3', ordered_at: '1999-01-01 00:00:00', paid_utc: '2024-12-31 23:59:59', paid_cn: '2024-06-30 23:59:59', amount: null, customer: 'b', channel: '线上' },
    ]);
  });

  it('reads many record batches and row groups in order, with dictionaries that change between them', async () => {
    const n = 150_000;
    const ids = new BigInt64Array(n);
    const tiers: string[] = [];
    for (let i = 0; i < n; i++) {
      ids[i] = BigInt(i + 1);
      tiers.push((i < 100_000 ? ['金', '银', '铜'] : ['A', 'B'])[i % (i < 100_000 ? 3 : 2)]);
    }
    const t = new Table({ id: makeVector(ids), tier: vectorFromArray(tiers, new Dictionary(new Utf8(), new Int32())) });
    const src = await readSource(db, 'big.parquet', parquet(t, 40_000), 'raw_t');
    expect(src.rows).toBe(n);
    const stats = await rows(db, `SELECT count(DISTINCT tier)::INT AS k, min(id::BIGINT)::INT AS lo, max(id::BIGINT)::INT AS hi,
      bool_and(id::BIGINT = __line - 1) AS ordered FROM raw_t`);
    expect(stats).toEqual([{ k: 5, lo: 1, hi: n, ordered: true }]);
    const some = await rows(db, `SELECT id, tier FROM raw_t WHERE id IN ('1', '100000', '100001', '150000') ORDER BY __line`);
    expect(some).toEqual([{ id: '1', tier: '金' }, { id: '100000', tier: '金' }, { id: '100001', tier: 'A' }, { id: '150000', tier: 'B' }]);
  });

  it('converts what DuckDB cannot take: clashing names, Float16, Decimal256', async () => {
    const t = new Table({
      ID: vectorFromArray(['a', 'b'], new Utf8()),
      id: vectorFromArray(['c', 'd'], new Utf8()),
      half: vectorFromArray([1.5, null], new Float16()),
      huge: decimalVector(3, 40, 256, [-123456789012345678901234567890123456789n, 5n]),
      local: timestamps(TimeUnit.SECOND, '+08:00', [0n, 86_400n]),
      tag: vectorFromArray(['x', 'y'], new Dictionary(new Utf8(), new Int32())),
    });
    const src = await readSource(db, 'odd.parquet', parquet(t, 1), 'raw_t');
    expect(src.columns).toEqual(['ID', 'id_2', 'half', 'huge', 'local', 'tag']);
    expect(await table(src)).toEqual([
      { ID: 'a', id_2: 'c', half: '1.5', huge: '-123456789012345678901234567890123456.789', local: '1970-01-01 08:00:00', tag: 'x' },
      { ID: 'b', id_2: 'd', half: null, huge: '0.005', local: '1970-01-02 08:00:00', tag: 'y' },
    ]);
  });

  it('renames clashing columns and drops a UTC zone by rewriting the schema alone, across batches', async () => {
    const t = new Table({
      Name: vectorFromArray(['x', 'y', 'z'], new Dictionary(new Utf8(), new Int32())),
      name: vectorFromArray(['p', 'q', 'r'], new Utf8()),
      at: timestamps(TimeUnit.SECOND, '+00:00', [0n, 86_400n, 90_061n]),
    });
    const src = await readSource(db, 'names.parquet', parquet(t, 2), 'raw_t');
    expect(src.columns).toEqual(['Name', 'name_2', 'at']);
    expect(await table(src)).toEqual([
      { Name: 'x', name_2: 'p', at: '1970-01-01 00:00:00' },
      { Name: 'y', name_2: 'q', at: '1970-01-02 00:00:00' },
      { Name: 'z', name_2: 'r', at: '1970-01-02 01:01:01' },
    ]);
  });

  it('offers the file as separate IPC streams that can be appended batch by batch', async () => {
    const n = 70_000;
    const bytes = parquet(new Table({ k: vectorFromArray(Array.from({ length: n }, (_, i) => `k${i}`), new Utf8()) }), 50_000);
    let parts = 0;
    for await (const ipc of parquetIpcStreams('s.parquet', bytes)) {
      await db.insertArrow('raw_s', ipc, parts++ === 0);
    }
    expect(parts).toBe(2);
    expect(await rows(db, `SELECT count(*)::INT AS n, max(k) AS hi FROM raw_s`)).toEqual([{ n, hi: 'k9999' }]);
    await db.query('DROP TABLE raw_s');
  });

  it('gives a clear error for a truncated file', async () => {
    const bytes = parquet(new Table({ a: vectorFromArray(['x', 'y'], new Utf8()) }));
    const err = await inputError(readSource(db, 'cut.parquet', bytes.subarray(0, bytes.length - 20), 'raw_t'));
    expect(err.file).toBe('cut.parquet');
    expect(err.message).toMatch(/^cut\.parquet: could not read it as a Parquet file: /);
  });

  it('hands back one Arrow IPC stream that apache-arrow reads', async () => {
    const bytes = parquet(new Table({ a: vectorFromArray(['x', 'y', 'z'], new Utf8()) }), 2);
    const { ipc } = await decoders.parquet('p.parquet', bytes, { encoding: 'utf-8', bom: 0 });
    const back = tableFromIPC(ipc);
    expect(back.numRows).toBe(3);
    expect(back.getChild('a')!.toArray()).toEqual(['x', 'y', 'z']);
  });
});

// ---------------------------------------------------------------- JSON

const utf8 = (s: string) => new TextEncoder().encode(s);

function utf16le(s: string): Uint8Array {
  const out = new Uint8Array(2 + s.length * 2);
  out.set([0xff, 0xfe]);
  for (let i = 0; i < s.length; i++) {
    out[2 + 2 * i] = s.charCodeAt(i) & 0xff;
    out[3 + 2 * i] = s.charCodeAt(i) >> 8;
  }
  return out;
}

describe('json', () => {
  it('reads an array of objects: the union of keys in first-seen order, nested values as JSON, numbers plain', async () => {
    const text = JSON.stringify([
      { 客户编号: 'C001', 金额: 0.1 + 0.2, 标签: ['新客', 'VIP'], 地址: { 城市: '上海' } },
      { 客户编号: 'C002', 金额: 12, 已付: true, 备注: null },
      { 金额: 1e21, 客户编号: 'C003', 已付: false },
    ]);
    const src = await readSource(db, 'orders.json', utf8(text), 'raw_t');
    expect(src.format).toBe('json');
    expect(src.columns).toEqual(['客户编号', '金额', '标签', '地址', '已付', '备注']);
    expect(await table(src)).toEqual([
      { 客户编号: 'C001', 金额: '0.3', 标签: '["新客","VIP"]', 地址: '{"城市":"上海"}', 已付: null, 备注: null },
      { 客户编号: 'C002', 金额: '12', 标签: null, 地址: null, 已付: 'true', 备注: null },
      { 客户编号: 'C003', 金额: '1000000000000000000000', 标签: null, 地址: null, 已付: 'false', 备注: null },
    ]);
  });

  it('reads the list inside an object, keeps long integer ids exact, and decodes UTF-16', async () => {
    const text = '{ "total": 2, "orders": [ {"order_id": 2024030112345678901, "amt": 1.50, "note": "id 12345678901234567890 in text"}, {"order_id": 7, "amt": -0.000001} ] }';
    const src = await readSource(db, 'api.json', utf16le(text), 'raw_t');
    expect(src.encoding).toBe('utf-16le');
    expect(await table(src)).toEqual([
      { order_id: '2024030112345678901', amt: '1.5', note: 'id 12345678901234567890 in text' },
      { order_id: '7', amt: '-0.000001', note: null },
    ]);
  });

  it('decodes GB18030 text', async () => {
    // [{"名":"你好"}] in GB18030: 名 = C3 FB, 你 = C4 E3, 好 = BA C3
    const bytes = new Uint8Array([0x5b, 0x7b, 0x22, 0xc3, 0xfb, 0x22, 0x3a, 0x22, 0xc4, 0xe3, 0xba, 0xc3, 0x22, 0x7d, 0x5d]);
    const src = await readSource(db, 'gbk.json', bytes, 'raw_t');
    expect(src.encoding).toBe('gb18030');
    expect(await table(src)).toEqual([{ 名: '你好' }]);
  });

  it('lets the caller pick among several lists', async () => {
    const text = '{"orders": [{"id": 1}], "customers": [{"name": "张三"}, {"name": "李四"}]}';
    const first = await decoders.json('two.json', utf8(text), { encoding: 'utf-8', bom: 0 });
    expect(first.sheets).toEqual(['orders', 'customers']);
    expect(first.sheet).toBe('orders');
    const src = await readSource(db, 'two.json', utf8(text), 'raw_t', { sheet: 'customers' });
    expect(await table(src)).toEqual([{ name: '张三' }, { name: '李四' }]);
  });

  it('reads NDJSON and names the broken line', async () => {
    const good = '{"id": 1, "city": "北京"}\r\n\n{"id": 2, "extra": {"a": 1}}\n{"city": "深圳", "id": 3}\n';
    const src = await readSource(db, 'events.ndjson', utf8(good), 'raw_t');
    expect(src.format).toBe('ndjson');
    expect(src.columns).toEqual(['id', 'city', 'extra']);
    expect(await table(src)).toEqual([
      { id: '1', city: '北京', extra: null },
      { id: '2', city: null, extra: '{"a":1}' },
      { id: '3', city: '深圳', extra: null },
    ]);

    const broken = '{"id": 1}\n{"id": 2}\n{"id": 3,, }\n{"id": 4}\n';
    const err = await inputError(readSource(db, 'events.ndjson', utf8(broken), 'raw_t'));
    expect(err.file).toBe('events.ndjson');
    expect(err.row).toBe(3);
    expect(err.message).toContain('line 3 is not valid JSON');

    const notObject = await inputError(readSource(db, 'events.ndjson', utf8('{"id": 1}\n{"id": 2}\n[1, 2]\n'), 'raw_t'));
    expect(notObject.message).toContain('line 3 is not a JSON object');
  });

  it('gives clear errors for broken JSON and for lists that are not records', async () => {
    const err = await inputError(readSource(db, 'bad.json', utf8('[\n  {"id": 1},\n  {"id": 2\n]'), 'raw_t'));
    expect(err.message).toMatch(/^bad\.json: could not read it as JSON: .*\(line 4\)$/);
    const scalars = await inputError(readSource(db, 'nums.json', utf8('[1, 2, 3]'), 'raw_t'));
    expect(scalars.message).toContain('item 1 is a number');
    const empty = await inputError(readSource(db, 'empty.json', utf8('[]'), 'raw_t'));
    expect(empty.message).toContain('no records');
  });
});
