// The native DuckDB engine (analyze --engine native) gives the WASM engine's results: same shapes, same numbers.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Table as ArrowTable, tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { analyze, openEngine } from '../../src/cli/analyze.ts';
import { rows } from '../../src/db/db.ts';
import { openNativeDb } from '../../src/db/native.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { MODEL_NAMES } from '../../src/models/registry.ts';

const FILES = {
  sample: fileURLToPath(new URL('../../sample-data/orders.csv', import.meta.url)),
  france: fileURLToPath(new URL('../../../shared/data/online_retail_france.csv', import.meta.url)),
};

/** Every number that differs between a and b by more than `rel` (relative), with its path; other values must be equal. */
function differences(a: unknown, b: unknown, rel: number, path = '$'): string[] {
  if (typeof a === 'number' && typeof b === 'number') {
    const ok = a === b || Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b));
    return ok ? [] : [`${path}: ${a} vs ${b}`];
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length) return [`${path}: length ${a.length} vs ${b.length}`];
    return a.flatMap((x, i) => differences(x, b[i], rel, `${path}[${i}]`));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const keys = Object.keys(a);
    if (keys.join() !== Object.keys(b).join()) return [`${path}: keys ${keys} vs ${Object.keys(b)}`];
    return keys.flatMap((k) => differences((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], rel, `${path}.${k}`));
  }
  return Object.is(a, b) ? [] : [`${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`];
}

describe.each(Object.entries(FILES))('native and WASM DuckDB on %s', (_, file) => {
  const models = ['overview', 'rfm', 'abc'] as const;
  const run = async (db: Awaited<ReturnType<typeof openNodeDb>>) => analyze({ orders: file, models: [...models] }, db);

  it('give bit-identical results single-threaded, and the same to 1e-12 in parallel', async () => {
    const wasm = await run(await openNodeDb());
    const serial = await run(await openNativeDb({ threads: 1 }));
    const parallel = await run(await openNativeDb({ threads: 4 }));
    for (const m of models) expect(wasm[m], m).toBeDefined();
    expect((wasm.rfm as { customers: unknown[] }).customers.length).toBeGreaterThan(80);
    expect(serial).toEqual(wasm);
    expect(differences(wasm, parallel, 1e-12)).toEqual([]);
  }, 180_000);
});

// The command's default engine is native DuckDB on one thread: every model's section, on every reference file and the
// sample, must be the WASM engine's (the page's) to the last bit, or the same refusal.
const DATA = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
const EVERY_FILE = [
  ['sample', FILES.sample],
  ...readdirSync(DATA).filter((f) => !/\.(md|json)$/.test(f)).sort().map((f) => [f, DATA + f]),
];

describe.each(EVERY_FILE)('every model on %s', (_, file) => {
  const outcome = (db: Promise<Awaited<ReturnType<typeof openNodeDb>>>) =>
    db.then((d) => analyze({ orders: file }, d)).then((r) => ({ result: r }), (e: unknown) => ({ error: String(e) }));

  it('gives the same document on native DuckDB (one thread, the command\'s default) as on the WASM engine', async () => {
    const wasm = await outcome(openNodeDb());
    const native = await outcome(openEngine());
    expect(native).toEqual(wasm);
    if ('result' in wasm) expect(MODEL_NAMES.filter((m) => m in wasm.result).length).toBeGreaterThan(0);
  }, 600_000);
});

it('stores the orders compressed or not (the command on native DuckDB: never) with the same document', async () => {
  // The models' checks for optional tables see the compressed orders too: the basket model runs by default and the
  // CLV's value by channel is there (both were missing above 2M lines, where the orders are stored compressed).
  const run = async (packAbove: number) => analyze({ orders: FILES.sample, packAbove }, await openEngine());
  const [packed, plain] = [await run(0), await run(Infinity)];
  expect((plain.rfm as { customers: unknown[] }).customers.length).toBeGreaterThan(80);
  expect(packed.basket).toBeDefined();
  expect((packed.clv as { by_channel: unknown[] | null }).by_channel).not.toBeNull();
  expect(plain).toEqual(packed);
}, 300_000);

describe('native DuckDB results as Arrow', () => {
  it('come in the WASM engine shapes: BIGINT as double, HUGEINT and DECIMAL as decimals, dates as epoch ms, nested values', async () => {
    const sql = `SELECT 2::BIGINT AS i64, count(*) AS n, 1.5::DOUBLE AS f, -12.3456::DECIMAL(18,4) AS dec, 3::HUGEINT AS huge,
      DATE '2024-03-05' AS d, TIMESTAMP '2024-03-05 14:22:07.5' AS ts, '中文' AS s, NULL::VARCHAR AS blank, true AS b,
      ['a', NULL, 'c'] AS l, {'k': 1, 'v': 'x'} AS st, 7::INTEGER AS i32 FROM range(3) GROUP BY ALL`;
    const [wasmDb, nativeDb] = await Promise.all([openNodeDb(), openNativeDb()]);
    const [w, n] = await Promise.all([wasmDb.query(sql), nativeDb.query(sql)]);
    expect(n.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(w.schema.fields.map((f) => `${f.name}:${f.type}`));
    const [wr] = await rows(wasmDb, sql);
    const [nr] = await rows(nativeDb, sql);
    expect(nr.n).toBe(3);
    expect(nr.d).toBe(Date.UTC(2024, 2, 5));
    expect(nr.ts).toBe(Date.UTC(2024, 2, 5, 14, 22, 7, 500));
    expect(String(nr.dec)).toBe('-123456');
    expect(Array.from(nr.l as Iterable<unknown>)).toEqual(['a', null, 'c']);
    const plain = (r: Record<string, unknown>) => JSON.parse(JSON.stringify(r, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
    expect(plain(nr)).toEqual(plain(wr));
  });

  it('read every width of DECIMAL, negative 128-bit values, nulls and text over several chunks as the WASM engine does', async () => {
    // 5,000 rows: several of DuckDB's 2,048-row chunks, so the vectors are laid end to end with their validity.
    const sql = `SELECT i, ((i % 1800) * 1.1 - 990)::DECIMAL(4,1) AS d16, (i * -13.37)::DECIMAL(9,2) AS d32,
        (i * 123456789.1234 - 3e11)::DECIMAL(18,4) AS d64, (i::HUGEINT * -17014118346046923173168730371588410)::DECIMAL(38,0) AS d128,
        (i - 2500)::HUGEINT * 9223372036854775807 AS huge, CASE WHEN i % 3 = 0 THEN NULL ELSE i * 1.5 END AS f,
        CASE WHEN i % 5 = 0 THEN NULL ELSE 'x' || i || repeat('中', i % 7) END AS s, i % 2 = 0 AS b,
        (i * 1000000007)::UBIGINT AS ub, DATE '2024-01-01' + i::INTEGER AS d, TIMESTAMP '2024-01-01' + to_seconds(i * 37) AS ts,
        CASE WHEN i % 4 = 0 THEN NULL ELSE i::SMALLINT END AS small
      FROM range(5000) t(i) ORDER BY i`;
    const [wasmDb, nativeDb] = await Promise.all([openNodeDb(), openNativeDb()]);
    const [w, n] = await Promise.all([wasmDb.query(sql), nativeDb.query(sql)]);
    expect(n.schema.fields.map((f) => `${f.name}:${f.type}`)).toEqual(w.schema.fields.map((f) => `${f.name}:${f.type}`));
    const plain = (rs: Record<string, unknown>[]) => JSON.parse(JSON.stringify(rs, (_, v) => (typeof v === 'bigint' ? String(v) : v)));
    const [wr, nr] = [await rows(wasmDb, sql), await rows(nativeDb, sql)];
    expect(nr.length).toBe(5000);
    expect(plain(nr)).toEqual(plain(wr));
    expect(String(nr[4999].d128)).toBe(String(wr[4999].d128));
    expect(nr[3].f).toBeNull();
    expect(nr[6].s).toBe('x6' + '中'.repeat(6));
  });

  it('read registered files by name, take Arrow IPC and export CSV', async () => {
    const db = await openNativeDb();
    await db.registerFile('t.src', new TextEncoder().encode('a,b\n1,x\n2,y\n'));
    await db.query(`CREATE TABLE t AS SELECT * FROM read_csv('t.src')`);
    await db.dropFile('t.src');
    const ipc = tableToIPC(await db.query('SELECT a * 10 AS a, b FROM t'), 'stream');
    await db.insertArrow('u', ipc);
    await db.insertArrow('u', ipc, false);
    expect(await rows(db, 'SELECT a, b FROM u ORDER BY a, b')).toEqual([
      { a: 10, b: 'x' }, { a: 10, b: 'x' }, { a: 20, b: 'y' }, { a: 20, b: 'y' },
    ]);
    // Several record batches arrive in order; a stream without batches still makes the (empty) table.
    const all = tableFromArrays({ k: Float64Array.from([1, 2, 3, 4]), s: ['a', 'b', 'c', 'd'] });
    const split = new ArrowTable([...all.slice(0, 3).batches, ...all.slice(3).batches]);
    expect(split.batches.length).toBe(2);
    await db.insertArrow('batches', tableToIPC(split, 'stream'));
    expect((await rows(db, 'SELECT k, s FROM batches')).map((r) => `${r.k}${r.s}`)).toEqual(['1a', '2b', '3c', '4d']);
    await db.insertArrow('empty', tableToIPC(new ArrowTable(all.schema), 'stream'));
    expect(await rows(db, `SELECT column_name AS c, column_type AS t FROM (DESCRIBE empty)`)).toEqual([{ c: 'k', t: 'DOUBLE' }, { c: 's', t: 'VARCHAR' }]);
    // BIGINT left DuckDB as a double (as in the WASM engine), so the round trip made it DOUBLE.
    expect(new TextDecoder().decode(await db.exportCsv('SELECT b, a FROM u ORDER BY a LIMIT 1'))).toBe('b,a\nx,10.0\n');
  });

  it('take INTEGER and DOUBLE columns through the appender with every bit as the WASM engine keeps them', async () => {
    // 5,000 rows (three appender chunks) in two record batches, with NaN, ±Infinity, −0 and the extremes of both types.
    const n = 5000;
    const id = Int32Array.from({ length: n }, (_, i) => (i === 1 ? -2147483648 : i === 2 ? 2147483647 : i));
    const v = Float64Array.from({ length: n }, (_, i) => [NaN, Infinity, -Infinity, -0, 5e-324, Number.MAX_VALUE][i] ?? Math.sin(i) * 1e3);
    const all = tableFromArrays({ id, v });
    const ipc = tableToIPC(new ArrowTable([...all.slice(0, 3000).batches, ...all.slice(3000).batches]), 'stream');
    const [wasmDb, nativeDb] = await Promise.all([openNodeDb(), openNativeDb()]);
    const read = async (db: Awaited<ReturnType<typeof openNodeDb>>) => {
      await db.insertArrow('p', ipc);
      await db.insertArrow('p', ipc, false);
      const t = await db.query('SELECT id, v FROM p');
      const types = await rows(db, `SELECT column_name AS c, column_type AS t FROM (DESCRIBE p)`);
      return { id: Array.from(t.getChild('id')!.toArray() as Int32Array), v: Array.from(t.getChild('v')!.toArray() as Float64Array), types };
    };
    const [wasm, native] = [await read(wasmDb), await read(nativeDb)];
    expect(native.types).toEqual([{ c: 'id', t: 'INTEGER' }, { c: 'v', t: 'DOUBLE' }]);
    expect(native.types).toEqual(wasm.types);
    expect(native.id).toEqual([...id, ...id]);
    expect(native.id).toEqual(wasm.id);
    expect(native.v.length).toBe(2 * n);
    expect(native.v.every((x, i) => Object.is(x, v[i % n]))).toBe(true);
    expect(Object.is(native.v[3], -0)).toBe(true);
    // A null takes the other way (Parquet), and still arrives as NULL.
    await nativeDb.insertArrow('q', tableToIPC(tableFromArrays({ v: [1.5, null, 2.5] as unknown as Float64Array }), 'stream'));
    expect(await rows(nativeDb, 'SELECT v FROM q')).toEqual([{ v: 1.5 }, { v: null }, { v: 2.5 }]);
  });
});
