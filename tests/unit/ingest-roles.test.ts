// Which kind of file a source is (orders, customers, events), as guessed and as the user says; and what the guess of a
// mapping tells the user (a header written twice). Real DuckDB-WASM, through loadFile and applyMapping.
import { beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from '@e965/xlsx';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, forRole, loadFile, mappingNotes, type LoadedSource } from '../../src/ingest/index.ts';
import { mappingNoteText } from '../../src/ingest/notes.ts';
import { overview } from '../../src/models/overview.ts';
import { en } from '../../src/i18n/en.ts';
import { zh } from '../../src/i18n/zh.ts';
import { expectIdentity, inputError, utf8 } from './ingest-helpers.ts';

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});

const SIGNUPS = 'customer_id,name,region,signup_date\nC1,Alice,North,2024-01-05\nC2,Bob,South,2024-02-11\nC3,Carol,North,2024-03-02\n';
const SPEND = 'customer_id,order_date,spend\nC1,2024-01-05,120\nC2,2024-01-07,80\nC1,2024-02-11,45\nC3,2024-03-02,300\n';
const EVENTS = 'customer_id,event_name,event_time\nC1,visit,2024-01-02 10:00\nC1,quote,2024-01-04 09:30\nC2,visit,2024-01-05 15:00\n';

const load = (file: string, text: string | Uint8Array, role?: 'orders' | 'customers' | 'events') =>
  loadFile(db, file, typeof text === 'string' ? utf8(text) : text, 'raw_roles', role ? { role } : {});

describe('the guessed role', () => {
  it('a customers file with a name column is customers, not events ("name" is not "eventname")', async () => {
    const src = await load('signups.csv', SIGNUPS);
    expect(src.role).toBe('customers');
    expect(src.mapping).toEqual({ customer_id: 'customer_id', name: 'name', region: 'region', first_seen: 'signup_date' });
    const applied = await applyMapping(db, src, src.mapping);
    expect(applied.table).toMatchObject({ role: 'customers', rows_read: 3, rows_loaded: 3 });
  });

  it('orders with whole-number spend are orders, spend the amount, and the models run on them', async () => {
    const src = await load('spend.csv', SPEND);
    expect(src.role).toBe('orders');
    expect(src.mapping).toEqual({ customer_id: 'customer_id', order_ts: 'order_date', amount: 'spend' });
    const { report } = await applyMapping(db, src, src.mapping);
    expect(report).toMatchObject({ rows_read: 4, rows_loaded: 4, orders: 4, purchases: 4, customers: 3 });
    expectIdentity(report!);
    expect(await overview(db, {}, new Map())).toMatchObject({ customers: 3, purchases: 4, revenue: 545, as_of: '2024-03-03' });
  });

  it.each([
    ['消费', '客户编号,下单日期,消费\nC1,2024-01-05,120\nC2,2024-01-07,80\n'],
    ['消费金额', '会员编号,日期,消费金额\nC1,2024-01-05,120\nC2,2024-01-07,80\n'],
  ])('a Chinese %s column is the amount', async (column, text) => {
    const src = await load('消费.csv', text);
    expect(src.role).toBe('orders');
    expect(src.mapping.amount).toBe(column);
    expect(src.missing).toEqual([]);
  });

  it('an events file is still events', async () => {
    const src = await load('events.csv', EVENTS);
    expect(src.role).toBe('events');
    expect(src.mapping).toEqual({ customer_id: 'customer_id', event: 'event_name', event_ts: 'event_time' });
  });
});

describe('the role the user gives', () => {
  it('wins over the guess, and the columns are mapped for it', async () => {
    const asCustomers = await load('spend.csv', SPEND, 'customers');
    expect(asCustomers).toMatchObject({ role: 'customers', missing: [] });
    const asOrders = await load('signups.csv', SIGNUPS, 'orders');
    expect(asOrders.role).toBe('orders');
    expect(asOrders.mapping).toMatchObject({ customer_id: 'customer_id', order_ts: 'signup_date' });
    expect(asOrders.missing).toEqual(['amount']);
  });

  it('orders with one whole-number column and no name for it: that column is the amount', async () => {
    const src = await load('members.csv', 'member,date,points\nM1,2024-01-05,120\nM2,2024-01-07,80\nM1,2024-02-11,45\n', 'orders');
    expect(src.mapping).toEqual({ customer_id: 'member', order_ts: 'date', amount: 'points' });
    expect(src.missing).toEqual([]);
  });

  it('is refused by name when a field the role needs has no column, and the orders loaded before stay', async () => {
    const good = await load('spend.csv', SPEND);
    await applyMapping(db, good, good.mapping);
    const before = await rows(db, 'SELECT * FROM purchases ORDER BY order_key');
    const src = await load('signups.csv', SIGNUPS, 'orders');
    const err = await inputError(applyMapping(db, src, src.mapping));
    expect(err).toMatchObject({ code: 'missing_fields', params: { fields: ['amount'] } });
    expect(err.message).toBe('signups.csv: no column for amount: choose one in the mapping (columns: "customer_id", "name", "region", "signup_date")');
    const events = await load('spend.csv', SPEND, 'events');
    const noEvent = await inputError(applyMapping(db, events, events.mapping));
    expect(noEvent.params.fields).toEqual(['event']);
    expect(await rows(db, 'SELECT * FROM purchases ORDER BY order_key')).toEqual(before);
  });

  it('can be changed after the file is read: the same profiles mapped for the new role', async () => {
    const guessed = await load('signups.csv', SIGNUPS);
    const events = forRole(guessed, 'events');
    expect(events).toMatchObject({ role: 'events', missing: [] });
    expect(events.mapping).toMatchObject({ customer_id: 'customer_id', event_ts: 'signup_date' });
    const back = forRole(events, 'customers');
    expect(back.mapping).toEqual(guessed.mapping);
  });

  it('asked as orders, a basket-per-line file is read as baskets', async () => {
    const src = await load('baskets.csv', 'milk,bread\nbeer,chips,salsa\nmilk\nbread,butter,jam,milk\n', 'orders');
    expect(src.raw.format).toBe('baskets');
    expect(src.role).toBe('baskets');
  });

  it('a workbook with a cover sheet: the sheet with the data is read for the role', async () => {
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['说明'], ['导出于 2024 年']]), '封面');
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['客户编号', '下单时间', '消费'], ['C1', '2024-01-05', 120], ['C2', '2024-01-07', 80]]), '订单');
    const bytes = new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer);
    const src = await load('订单.xlsx', bytes, 'orders');
    expect(src.raw.sheet).toBe('订单');
    expect(src.mapping).toEqual({ customer_id: '客户编号', order_ts: '下单时间', amount: '消费' });
  });
});

describe('a header written twice', () => {
  const TWICE = 'order_id,customer_id,order_date,amount,amount\nO1,C1,2024-01-05,120,3\nO2,C2,2024-01-07,80,1\nO3,C1,2024-02-11,45,2\n';

  async function check(src: LoadedSource, copy: string) {
    // The second column is not taken for the quantity: the user is told, and picks.
    expect(src.mapping).toEqual({ order_id: 'order_id', customer_id: 'customer_id', order_ts: 'order_date', amount: 'amount' });
    expect(src.notes).toEqual([{ code: 'duplicate_header', field: 'amount', column: 'amount', columns: ['amount', copy] }]);
    const zhText = mappingNoteText((k) => zh[k as keyof typeof zh], src.notes[0], (f) => zh[`field.${f}` as keyof typeof zh]);
    const enText = mappingNoteText((k) => en[k as keyof typeof en], src.notes[0], (f) => en[`field.${f}` as keyof typeof en]);
    expect(zhText).toBe(`“amount”、“${copy}”像是同一个表头出现了两次：现在把“amount”读作“金额”。如果应当用另一列，请在字段映射中改选。`);
    expect(enText).toBe(`"amount", "${copy}" look like one header written twice: "amount" is read as Amount. If the other is the right one, choose it in the mapping.`);
    // Choosing the other column: the note follows the mapping.
    expect(mappingNotes(src.raw.columns, { ...src.mapping, amount: copy })).toEqual([{ code: 'duplicate_header', field: 'amount', column: copy, columns: ['amount', copy] }]);
  }

  it('in a CSV (DuckDB names the second amount_1)', async () => {
    const src = await load('twice.csv', TWICE);
    await check(src, 'amount_1');
    const { report } = await applyMapping(db, src, src.mapping);
    expect(report).toMatchObject({ rows_loaded: 3, purchases: 3 });
  });

  it('in a workbook (the second is amount_2)', async () => {
    const aoa = TWICE.trim().split('\n').map((l) => l.split(','));
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa), 'orders');
    await check(await load('twice.xlsx', new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx' }) as ArrayBuffer)), 'amount_2');
  });

  it('columns that only share a prefix are no note', async () => {
    expect(mappingNotes(['amount', 'amount_total', 'customer_id'], { amount: 'amount' })).toEqual([]);
    expect(mappingNotes(['phone', 'phone_2'], { phone: 'phone' })).toHaveLength(1);
  });
});
