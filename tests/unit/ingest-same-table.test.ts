// One table, every format the notebook reads: online_retail_france.csv written here as TSV, XLSX, Parquet, JSON and
// NDJSON (each the way a tool would write it: the row index under a blank header, numbers typed where the format has
// types) gives the CSV's cleaning report and overview, number for number. The files are written into a temp dir.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as XLSX from '@e965/xlsx';
import * as pq from 'parquet-wasm';
import { Float64, Int32, Table, tableToIPC, Utf8, vectorFromArray } from 'apache-arrow';
import { lit, rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import type { CleaningReport } from '../../src/ingest/index.ts';
import { overview, type OverviewResult } from '../../src/models/overview.ts';
import { expectIdentity, ingest, parseCsv, utf8 } from './ingest-helpers.ts';

const CSV_PATH = fileURLToPath(new URL('../../../shared/data/online_retail_france.csv', import.meta.url));
const text = readFileSync(CSV_PATH, 'utf8');
const [head, ...data] = parseCsv(text);
const NUMBERS = new Set(['', 'Quantity', 'UnitPrice', 'CustomerID']);
const dir = mkdtempSync(join(tmpdir(), 'crm-same-table-'));

let db: Db;
beforeAll(async () => {
  db = await openNodeDb();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A cell as a typed tool writes it: numbers as numbers (an empty CustomerID as nothing), the rest as text. */
const typed = (column: string, v: string): string | number | null => (NUMBERS.has(column) ? (v === '' ? null : Number(v)) : v);
const records = () => data.map((r) => Object.fromEntries(head.map((h, i) => [h, typed(h, r[i])])));

function delimited(rows: string[][], delim: string): string {
  const q = (v: string) => (v.includes(delim) || v.includes('"') || v.includes('\n') ? `"${v.replaceAll('"', '""')}"` : v);
  return rows.map((r) => r.map(q).join(delim)).join('\n') + '\n';
}

const writers: Record<string, () => Promise<Uint8Array>> = {
  'online_retail_france.tsv': async () => utf8(delimited([head, ...data], '\t')),
  'online_retail_france.xlsx': async () => {
    // What pandas' to_excel writes: the index under an empty header cell, numeric columns as numbers.
    const aoa = [head.map((h) => (h === '' ? null : h)), ...data.map((r) => head.map((h, i) => typed(h, r[i])))];
    const wb = XLSX.utils.book_new();
    XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(aoa), 'France');
    return new Uint8Array(XLSX.write(wb, { type: 'array', bookType: 'xlsx', compression: true }) as ArrayBuffer);
  },
  'online_retail_france.parquet': async () => {
    // DuckDB reads the CSV with its own types (dates kept as the text they are), the index column named as it was: blank.
    await db.registerFile('same_table.csv', readFileSync(CSV_PATH));
    // Whole numbers as 32-bit integers: this Db hands BIGINT results over as doubles.
    await db.query(`CREATE TABLE same_table AS SELECT * REPLACE (column0::INTEGER AS column0, Quantity::INTEGER AS Quantity) FROM read_csv(${lit('same_table.csv')}, header=true, types={'InvoiceDate': 'VARCHAR', 'InvoiceNo': 'VARCHAR', 'StockCode': 'VARCHAR'})`);
    await db.dropFile('same_table.csv');
    const t = await db.query('SELECT * FROM same_table LIMIT 0');
    expect(t.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['column0', 'Int32'], ['InvoiceNo', 'Utf8'], ['StockCode', 'Utf8'], ['Description', 'Utf8'], ['Quantity', 'Int32'],
      ['InvoiceDate', 'Utf8'], ['UnitPrice', 'Float64'], ['CustomerID', 'Float64'], ['Country', 'Utf8'],
    ]);
    // Rebuilt with this test's Arrow (DuckDB's result comes from its own copy), the index column under a blank name.
    const values = await rows<Record<string, unknown>>(db, `SELECT * FROM same_table`);
    await db.query('DROP TABLE same_table');
    const type = { Int32: new Int32(), Utf8: new Utf8(), Float64: new Float64() } as const;
    const blank = new Table(
      Object.fromEntries(t.schema.fields.map((f) => [f.name === 'column0' ? '' : f.name, vectorFromArray(values.map((r) => r[f.name]), type[String(f.type) as keyof typeof type])])),
    );
    return pq.writeParquet(pq.Table.fromIPCStream(tableToIPC(blank, 'stream')));
  },
  // One record per line after the opening bracket, so record k is on the CSV's line k + 1 as well.
  'online_retail_france.json': async () => utf8('[\n' + records().map((r) => JSON.stringify(r)).join(',\n') + '\n]\n'),
  'online_retail_france.ndjson': async () => utf8(records().map((r) => JSON.stringify(r)).join('\n') + '\n'),
};

/** Where a format's record k is, against the CSV's line of the same record (NDJSON has no header line). */
const lineShift: Record<string, number> = { 'online_retail_france.ndjson': -1 };

async function run(file: string, bytes: Uint8Array) {
  const { loaded, report } = await ingest(db, file, bytes, { slot: 'raw_same' });
  return { loaded, report, overview: await overview(db, {}, new Map()) };
}

let csv: { report: CleaningReport; overview: OverviewResult; mapping: object };
beforeAll(async () => {
  const r = await run('online_retail_france.csv', readFileSync(CSV_PATH));
  // The verified counts of the data README and ingest-shared.test.ts.
  expect(r.report).toMatchObject({ rows_read: 8557, rows_loaded: 8541, duplicates_removed: 16, refund_lines: 148, orders: 461, purchases: 392, customers: 87 });
  csv = { report: r.report, overview: r.overview, mapping: r.loaded.mapping };
}, 120_000);

describe('online_retail_france in every format', { timeout: 120_000 }, () => {
  it.each(Object.keys(writers))('%s gives the CSV’s cleaning report and overview', async (file) => {
    const bytes = await writers[file]();
    writeFileSync(join(dir, file), bytes);
    const r = await run(file, readFileSync(join(dir, file)));
    expect(r.loaded.raw.rows).toBe(8557);
    // The blank header is named by each reader its own way (column0, column1); it is the row index all the same.
    expect(r.loaded.profiles[0]).toMatchObject({ rowIndex: true });
    expect(r.loaded.mapping).toEqual(csv.mapping);
    expectIdentity(r.report);
    const shift = lineShift[file] ?? 0;
    const examples = Object.fromEntries(
      Object.entries(csv.report.examples).map(([k, list]) => [k, list!.map((e) => ({ ...e, line: e.line + shift }))]),
    );
    expect(r.report).toEqual({ ...csv.report, file, examples });
    expect(r.report).toMatchObject({ duplicates_removed: 16, refund_lines: 148 });
    expect(r.overview).toEqual(csv.overview);
  });
});
