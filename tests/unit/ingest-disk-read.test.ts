// The headless command reads an orders file from disk: on native DuckDB the usual CSV is read by DuckDB from its path,
// only its first lines come into memory and its line breaks are counted a block at a time. Whatever the file, the raw
// table, the orders and the cleaning report are those of reading its bytes (real native DuckDB; the sample orders,
// 38,765 lines, 4.3 MB, as they are and with one line changed below the sniffer's 20,480 lines).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { diskFile } from '../../src/cli/analyze.ts';
import { rows, type Db } from '../../src/db/db.ts';
import { openNativeDb } from '../../src/db/native.ts';
import { applyMapping, loadFile, type DiskFile } from '../../src/ingest/index.ts';
import { utf8 } from './ingest-helpers.ts';

const sample = readFileSync(fileURLToPath(new URL('../../sample-data/orders.csv', import.meta.url)), 'utf8');
const LINE = 30_001;
const edit = (change: (line: string) => string) => {
  const all = sample.split('\n');
  all[LINE - 1] = change(all[LINE - 1]);
  return all.join('\n');
};

let native: Db;
let dir: string;
/** How the file reached DuckDB in the last load: by its path, as bytes, or by its path and then (the full path) as bytes. */
let registered: ('path' | 'bytes')[] = [];
beforeAll(async () => {
  const db = await openNativeDb({ threads: 1 });
  native = {
    ...db,
    registerFile: async (name, bytes) => {
      if (name.endsWith('.src')) registered.push('bytes');
      return db.registerFile(name, bytes);
    },
    registerPath: async (name, path) => {
      registered.push('path');
      return db.registerPath!(name, path);
    },
  };
  dir = mkdtempSync(join(tmpdir(), 'crm-disk-read-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A file on disk that gives at most `most` bytes per read, so that reads end anywhere (inside a CR LF too). */
function slowly(file: DiskFile, most: number): DiskFile {
  return { ...file, read: (into, offset) => file.read(into.subarray(0, Math.min(into.length, most)), offset) };
}

/** Load and clean `bytes` (as they are, or written to a file and read from disk): the report, the raw lines and the orders. */
async function load(bytes: Uint8Array, from: 'bytes' | 'disk', most?: number) {
  registered = [];
  let source: Uint8Array | DiskFile = bytes;
  if (from === 'disk') {
    const path = join(dir, 'orders.csv');
    writeFileSync(path, bytes);
    source = most ? slowly(diskFile(path), most) : diskFile(path);
  }
  const loaded = await loadFile(native, 'orders.csv', source, 'raw_orders', { role: 'orders' });
  const raw = await rows(native, `SELECT * FROM raw_orders ORDER BY __line`);
  const report = (await applyMapping(native, loaded, loaded.mapping, {}, { today: '2026-12-07' })).report!;
  const orders = await rows<{ line: number }>(native, `SELECT __line::DOUBLE AS line, customer_id, order_ts::VARCHAR AS ts, amount::VARCHAR AS amount, order_key, product FROM orders ORDER BY __line`);
  return { raw, report, orders, columns: loaded.raw.columns, notes: loaded.raw.notes, rows: loaded.raw.rows, mapping: loaded.mapping, via: registered };
}

describe('an orders file read from disk gives what its bytes give', () => {
  // Read by its path alone (the quick path), or by its path and then as bytes (the quick path declined), or as bytes.
  const cases: [string, string, ('path' | 'bytes')[]][] = [
    ['the sample as it is', sample, ['path']],
    ['lines ending in CR LF', sample.replace(/\n/g, '\r\n'), ['path']],
    ['a small file (below the 256 KiB head)', sample.split('\n').slice(0, 500).join('\n') + '\n', ['path']],
    ['a row with a value missing below the sample', edit((l) => l.split(',').slice(0, -1).join(',')), ['path', 'bytes']],
    ['a blank line below the sample', edit((l) => '\n' + l), ['path', 'bytes']],
    ['a quoted value spanning two lines below the sample', edit((l) => l.replace(/,([^,]*),([^,]*),(\d+),/, ',"$1\nsecond line",$2,$3,')), ['path', 'bytes']],
    ['a stray quote below the sample', edit((l) => l.replace(/,([^,]*),([^,]*),(\d+),/, ',"$1" x,$2,$3,')), ['path', 'bytes']],
    ['one line ending in CR LF among LF', edit((l) => l + '\r'), ['path', 'bytes']],
    ['a UTF-8 byte order mark', '\ufeff' + sample, ['bytes']],
  ];
  it.each(cases)('%s', async (_, text, via) => {
    const bytes = utf8(text);
    const fromBytes = await load(bytes, 'bytes');
    const fromDisk = await load(bytes, 'disk');
    expect(fromDisk.via).toEqual(via);
    expect(fromBytes.via).toEqual(['bytes']);
    expect(fromDisk.report).toEqual(fromBytes.report);
    expect(fromDisk.columns).toEqual(fromBytes.columns);
    expect(fromDisk.notes).toEqual(fromBytes.notes);
    expect(fromDisk.rows).toBe(fromBytes.rows);
    expect(fromDisk.mapping).toEqual(fromBytes.mapping);
    expect(fromDisk.raw).toEqual(fromBytes.raw);
    expect(fromDisk.orders).toEqual(fromBytes.orders);
    expect(fromDisk.orders.length).toBe(fromBytes.report.rows_loaded);
  });

  it('reads that stop anywhere (inside a CR LF too) count the same lines', async () => {
    const text = sample.replace(/\n/g, '\r\n');
    const fromBytes = await load(utf8(text), 'bytes');
    // 4,093 bytes a read: a prime, so reads end at every offset within a line, CR LF pairs included.
    const fromDisk = await load(utf8(text), 'disk', 4093);
    expect(fromDisk.via).toEqual(['path']);
    expect(fromDisk.report).toEqual(fromBytes.report);
    expect(fromDisk.orders).toEqual(fromBytes.orders);
    // …and a blank line below the sample is still found.
    const blank = sample.split('\n');
    blank.splice(LINE, 0, '');
    const withBlank = await load(utf8(blank.join('\n')), 'disk', 4093);
    expect(withBlank.via).toEqual(['path', 'bytes']);
    expect(withBlank.orders.at(-1)!.line).toBe(fromBytes.orders.at(-1)!.line + 1);
  });
});
