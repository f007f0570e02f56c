// A delimited file whose lines are its records is read by DuckDB alone, its line breaks counted without scanning every
// byte in JS; anything the reader cannot account for past the sniffer's sample (its first 20,480 lines) — a short row,
// a value spanning lines, a blank line, a stray quote — is read again the careful way, with the same lines and counts
// (real DuckDB-WASM; the sample orders, 38,765 lines, with one line changed below line 30,000).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { lineBreaks } from '../../src/ingest/read.ts';
import { expectIdentity, ingest, utf8 } from './ingest-helpers.ts';

const sample = () => readFileSync(fileURLToPath(new URL('../../sample-data/orders.csv', import.meta.url)), 'utf8');

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});

/** Source line of every loaded order line, in file order. */
async function lines(): Promise<number[]> {
  return (await rows<{ line: number }>(db, `SELECT __line::DOUBLE AS line FROM orders ORDER BY __line`)).map((r) => r.line);
}

describe('lineBreaks', () => {
  it('counts lines, and tells blank lines and mixed line ends', () => {
    expect(lineBreaks(utf8('a,b\n1,2\n'))).toEqual({ lines: 2, blank: false, mixed: false });
    expect(lineBreaks(utf8('a,b\n1,2'))).toEqual({ lines: 2, blank: false, mixed: false });
    expect(lineBreaks(utf8('a,b\r\n1,2\r\n'))).toEqual({ lines: 2, blank: false, mixed: false });
    expect(lineBreaks(utf8('a,b\r\n1,2\n'))).toEqual({ lines: 2, blank: false, mixed: true });
    expect(lineBreaks(utf8('a,b\r1,2\r'))).toEqual({ lines: 1, blank: false, mixed: true });
    expect(lineBreaks(utf8('a,b\n\n1,2\n'))).toEqual({ lines: 3, blank: true, mixed: false });
    expect(lineBreaks(utf8('a,b\r\n\r\n1,2\r\n'))).toEqual({ lines: 3, blank: true, mixed: false });
    expect(lineBreaks(utf8('\na,b\n'))).toEqual({ lines: 2, blank: true, mixed: false });
  });
});

describe('past the sniffer’s sample, the careful reading takes over with the same lines', () => {
  const LINE = 30_001; // a data line, far below the 20,480 lines the sniffer reads
  const edit = (change: (line: string) => string) => {
    const all = sample().split('\n');
    all[LINE - 1] = change(all[LINE - 1]);
    return utf8(all.join('\n'));
  };
  let plain: number[];
  let rowsRead: number;
  beforeAll(async () => {
    const { report } = await ingest(db, 'orders.csv', utf8(sample()), { slot: 'raw_plain' });
    rowsRead = report.rows_read;
    plain = await lines();
    expect(plain.length).toBe(report.rows_loaded);
    expect(plain).toContain(LINE);
  });

  it('a row with a value missing is left out as unreadable, naming its line', async () => {
    const { report } = await ingest(db, 'orders.csv', edit((l) => l.split(',').slice(0, -1).join(',')), { slot: 'raw_short' });
    expect(report).toMatchObject({ rows_read: rowsRead, unreadable_row: 1 });
    expect(report.examples.unreadable_row![0].line).toBe(LINE);
    expectIdentity(report);
    expect(await lines()).toEqual(plain.filter((l) => l !== LINE));
  });

  it('a row with a value too many is left out as unreadable, naming its line', async () => {
    const { report } = await ingest(db, 'orders.csv', edit((l) => l + ',extra'), { slot: 'raw_long' });
    expect(report).toMatchObject({ rows_read: rowsRead, unreadable_row: 1 });
    expect(report.examples.unreadable_row![0].line).toBe(LINE);
    expectIdentity(report);
  });

  it('a quoted value spanning two lines: the rows below keep their own lines', async () => {
    const { report } = await ingest(db, 'orders.csv', edit((l) => l.replace(/,([^,]*),([^,]*),(\d+),/, ',"$1\nsecond line",$2,$3,')), { slot: 'raw_span' });
    expect(report).toMatchObject({ rows_read: rowsRead, unreadable_row: 0 });
    expect(await lines()).toEqual(plain.map((l) => (l > LINE ? l + 1 : l)));
    const [{ product }] = await rows<{ product: string }>(db, `SELECT product FROM orders WHERE __line = ${LINE}`);
    expect(product).toContain('\nsecond line');
  });

  it('a blank line: the rows below keep their own lines', async () => {
    const { report } = await ingest(db, 'orders.csv', edit((l) => '\n' + l), { slot: 'raw_blank' });
    expect(report).toMatchObject({ rows_read: rowsRead, unreadable_row: 0 });
    expect(await lines()).toEqual(plain.map((l) => (l >= LINE ? l + 1 : l)));
  });

  it('a stray quote is left out as unreadable, naming its line', async () => {
    const { report } = await ingest(db, 'orders.csv', edit((l) => l.replace(/,([^,]*),([^,]*),(\d+),/, ',"$1" x,$2,$3,')), { slot: 'raw_quote' });
    expect(report).toMatchObject({ rows_read: rowsRead, unreadable_row: 1 });
    expect(report.examples.unreadable_row![0].line).toBe(LINE);
    expectIdentity(report);
  });
});
