// SQL cells on the sample data (real DuckDB): results equal DuckDB's own, values come as numbers and YYYY-MM-DD text,
// a row limit is kept, and statements that write, attach, copy, load, install, set, read files or hold more than
// one statement are refused with their reason while every table stays as it was.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { MODELS } from '../../src/models/registry.ts';
import { lex, statements } from '../../src/notebook/sql-lexer.ts';
import { runSql, SqlRefused, type SqlResult, type SqlFailure } from '../../src/notebook/sql-cell.ts';
import { Engine } from '../../workers/engine.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
let db: Db;
let engine: Engine;

beforeAll(async () => {
  db = await openNodeDb();
  engine = new Engine(db);
  for (const name of ['orders.csv', 'customers.csv', 'events.csv']) {
    const data = readFileSync(sample(name));
    const view = await engine.load({ name, size: data.length, data });
    await engine.apply(view.id, view.mapping);
  }
  await engine.run('rfm', { asOf: null });
}, 120_000);

const ok = (a: SqlResult | SqlFailure): SqlResult => {
  if ('error' in a) throw new Error(a.error.message);
  return a;
};

describe('SQL cell results', () => {
  it('counts per channel equal DuckDB run directly', async () => {
    const r = ok(await engine.sql('SELECT channel, count(*) AS lines FROM orders GROUP BY channel ORDER BY lines DESC, channel'));
    const direct = await rows<{ channel: string; lines: number }>(db, 'SELECT channel, count(*)::DOUBLE AS lines FROM orders GROUP BY channel ORDER BY lines DESC, channel');
    expect(r.columns).toEqual([{ name: 'channel', type: 'VARCHAR' }, { name: 'lines', type: 'BIGINT' }]);
    expect(r.rows).toEqual(direct.map((d) => [d.channel, d.lines]));
    // The sample: 38,719 loaded order lines over four channels.
    expect(r.rows.reduce((s, row) => s + (row[1] as number), 0)).toBe(38719);
    expect(r.rows.map((row) => row[0])).toEqual(['小程序', '天猫', '抖音', '门店']);
    expect(r.truncated).toBe(false);
  });

  it('gives decimals as numbers and dates as YYYY-MM-DD, equal to DuckDB', async () => {
    const r = ok(await engine.sql("SELECT order_day, count(*) AS purchases, sum(net) AS revenue FROM purchases WHERE order_day < DATE '2024-01-04' GROUP BY 1 ORDER BY 1"));
    expect(r.columns.map((c) => c.type)).toEqual(['DATE', 'BIGINT', 'DECIMAL(38,4)']);
    const direct = await rows<{ d: string; n: number; v: number }>(
      db,
      "SELECT strftime(order_day, '%Y-%m-%d') AS d, count(*)::DOUBLE AS n, sum(net)::DOUBLE AS v FROM purchases WHERE order_day < DATE '2024-01-04' GROUP BY 1 ORDER BY 1",
    );
    expect(r.rows).toEqual(direct.map((d) => [d.d, d.n, d.v]));
    expect(r.rows[0][0]).toBe('2024-01-01');
    expect(typeof r.rows[0][2]).toBe('number');
  });

  it("reads a model's output table once its model has run", async () => {
    const r = ok(await engine.sql('SELECT segment_en, count(*) AS customers FROM rfm GROUP BY 1 ORDER BY 2 DESC, 1'));
    const direct = await rows<{ s: string; n: number }>(db, 'SELECT segment_en AS s, count(*)::DOUBLE AS n FROM rfm GROUP BY 1 ORDER BY 2 DESC, 1');
    expect(r.rows).toEqual(direct.map((d) => [d.s, d.n]));
    expect(r.rows.reduce((s, row) => s + (row[1] as number), 0)).toBe((await rows<{ n: number }>(db, 'SELECT count(*)::DOUBLE AS n FROM rfm'))[0].n);
  });

  it('keeps the first rows up to the limit and says the result had more', async () => {
    const r = ok(await engine.sql('SELECT order_key, net FROM purchases ORDER BY order_key'));
    expect(r.rows.length).toBe(1000);
    expect(r.truncated).toBe(true);
    expect(r.limit).toBe(1000);
    const first = await rows<{ k: string }>(db, 'SELECT order_key AS k FROM purchases ORDER BY order_key LIMIT 3');
    expect(r.rows.slice(0, 3).map((row) => row[0])).toEqual(first.map((f) => f.k));
    const small = await runSql(db, 'SELECT * FROM range(10)', MODELS, 10);
    expect([small.rows.length, small.truncated]).toEqual([10, false]);
  });

  it('runs WITH, FROM, VALUES, TABLE, DESCRIBE, SUMMARIZE, SHOW and EXPLAIN, and a trailing comment or semicolon', async () => {
    expect(ok(await engine.sql('WITH c AS (SELECT DISTINCT customer_id FROM orders WHERE customer_id IS NULL) SELECT count(*) AS n FROM c')).rows).toEqual([[1]]);
    expect(ok(await engine.sql('FROM customers SELECT count(*) -- all of them\n;')).rows).toEqual([[5800]]);
    expect(ok(await engine.sql("VALUES (1, 'a')")).rows).toEqual([[1, 'a']]);
    expect(ok(await engine.sql('TABLE events')).rows.length).toBe(1000);
    expect(ok(await engine.sql('DESCRIBE customers')).rows.map((r) => r[0])).toEqual(['customer_id', 'first_seen', 'name', 'phone', 'email', 'region', 'channel']);
    expect(ok(await engine.sql('SUMMARIZE events')).rows.length).toBe(4);
    expect(ok(await engine.sql('SHOW TABLES')).rows.flat()).toContain('orders');
    expect(ok(await engine.sql('EXPLAIN SELECT count(*) FROM orders')).rows[0][1]).toMatch(/SEQ_SCAN/);
  });

  it("shows DuckDB's error with the line and the position in the cell's text", async () => {
    const a = await engine.sql('SELECT *\nFORM orders');
    expect('error' in a && a.error.message).toBe('Parser Error: syntax error at or near "orders"\n\nLINE 2: FORM orders\n             ^');
    const b = await engine.sql('SELECT nope FROM orders');
    expect('error' in b && b.error.code).toBe(undefined);
    expect('error' in b && b.error.message).toMatch(/^Binder Error: Referenced column "nope" not found[\s\S]*LINE 1: SELECT nope FROM orders\n {15}\^$/);
  });
});

describe('statements a SQL cell refuses', () => {
  const refused: [string, string, Record<string, string | number>][] = [
    ['INSERT INTO events SELECT * FROM events', 'writes', { keyword: 'INSERT' }],
    ['with x as (select 1) insert into events select * from events', 'writes', { keyword: 'INSERT' }],
    ['UPDATE orders SET amount = 0', 'writes', { keyword: 'UPDATE' }],
    ['DELETE FROM customers', 'writes', { keyword: 'DELETE' }],
    ['DROP TABLE orders', 'writes', { keyword: 'DROP' }],
    ['CREATE TABLE x AS SELECT * FROM orders', 'writes', { keyword: 'CREATE' }],
    ['/* looks harmless */ CREATE TEMP TABLE x AS SELECT 1', 'writes', { keyword: 'CREATE' }],
    ['EXPLAIN ANALYZE DELETE FROM orders', 'writes', { keyword: 'DELETE' }],
    ['EXPLAIN ANALYZE WITH x AS (SELECT 1) DELETE FROM orders', 'writes', { keyword: 'DELETE' }],
    ["ATTACH ':memory:' AS other", 'attaches', { keyword: 'ATTACH' }],
    ["COPY orders TO 'orders-out.csv'", 'copies', { keyword: 'COPY' }],
    ['LOAD httpfs', 'installs', { keyword: 'LOAD' }],
    ['INSTALL httpfs', 'installs', { keyword: 'INSTALL' }],
    ['SET threads = 1', 'sets', { keyword: 'SET' }],
    ["PRAGMA memory_limit = '1GB'", 'sets', { keyword: 'PRAGMA' }],
    ["SELECT * FROM read_csv('orders.csv')", 'reads_files', { name: 'read_csv' }],
    ["SELECT * FROM read_parquet('x.parquet')", 'reads_files', { name: 'read_parquet' }],
    ["SELECT * FROM glob('*')", 'reads_files', { name: 'glob' }],
    ["SELECT * FROM 'orders.csv'", 'reads_files', { name: "'orders.csv'" }],
    ["SELECT * FROM query('DELETE FROM orders')", 'function', { name: 'query' }],
    ['SELECT 1; DELETE FROM orders', 'multiple', { n: 2 }],
    ["SELECT ';'; SELECT 2 -- ;", 'multiple', { n: 2 }],
    ['', 'empty', {}],
    ['  -- only a comment\n ;', 'empty', {}],
    ['SELECT * FROM customer_days', 'table', { name: 'customer_days', tables: 'orders, purchases, customers, events, rfm_base, rfm_scores, rfm' }],
  ];

  it.each(refused)('%s', async (sql, code, params) => {
    const state = async () => ({
      counts: await rows(db, 'SELECT (SELECT count(*) FROM orders) AS o, (SELECT count(*) FROM customers) AS c, (SELECT count(*) FROM events) AS e, (SELECT sum(amount)::DOUBLE FROM orders) AS amount'),
      tables: await rows(db, 'SELECT database_name, table_name, temporary FROM duckdb_tables() ORDER BY ALL'),
      databases: await rows(db, 'SELECT database_name FROM duckdb_databases() ORDER BY 1'),
      threads: await rows(db, "SELECT current_setting('threads') AS t"),
    });
    const before = await state();
    const answer = await engine.sql(sql);
    expect('error' in answer && { code: answer.error.code, params: answer.error.params }).toEqual({ code, params });
    await expect(runSql(db, sql, MODELS)).rejects.toBeInstanceOf(SqlRefused);
    expect(await state()).toEqual(before);
  });

  it('says in English what was refused and that nothing was run', async () => {
    const a = await engine.sql('DELETE FROM orders');
    expect('error' in a && a.error.message).toBe('DELETE changes data: a SQL cell only reads (SELECT, WITH, FROM, VALUES, TABLE, DESCRIBE, SUMMARIZE, SHOW, EXPLAIN). Nothing was run.');
  });

  it('a file named in a table list is not read into the result', async () => {
    // DuckDB reads a quoted name as a file; none by that name: its error, and nothing changed.
    const a = await engine.sql("SELECT * FROM orders, 'orders.csv'");
    expect('error' in a && a.error.message).toMatch(/No files found|reads files/);
  });
});

describe('the lexer', () => {
  it('skips comments and strings when it splits statements', () => {
    const sql = "SELECT 'a;b', E'it\\'s;', $$x;y$$, \"c;d\" /* one; /* nested; */ still; */ FROM t -- tail;\n; ";
    const parts = statements(lex(sql));
    expect(parts.length).toBe(1);
    expect(parts[0].filter((t) => t.kind === 'string').map((t) => t.text)).toEqual(['a;b', "it\\'s;", 'x;y']);
    expect(parts[0].find((t) => t.kind === 'quoted')?.text).toBe('c;d');
    expect(parts[0].at(-1)?.text).toBe('t');
  });
});

describe('on native DuckDB (the headless command with --engine native)', () => {
  it('gives the same result and refuses the same statements, changing nothing', async () => {
    const { openNativeDb } = await import('../../src/db/native.ts');
    const native = new Engine(await openNativeDb({ threads: 1 }));
    const data = readFileSync(sample('orders.csv'));
    const view = await native.load({ name: 'orders.csv', size: data.length, data });
    await native.apply(view.id, view.mapping);
    const sql = 'SELECT channel, count(*) AS lines, sum(amount) AS amount FROM orders GROUP BY channel ORDER BY lines DESC';
    expect(ok(await native.sql(sql))).toEqual(ok(await engine.sql(sql)));
    expect(ok(await native.sql('SELECT order_day FROM purchases ORDER BY 1 LIMIT 1')).rows).toEqual([['2024-01-01']]);
    for (const [statement, code] of [['DELETE FROM orders', 'writes'], ["SELECT * FROM read_csv('orders.csv')", 'reads_files'], ["SELECT * FROM orders, 'orders.csv'", undefined], ['SELECT 1; SELECT 2', 'multiple']] as const) {
      const a = await native.sql(statement);
      // A quoted name among the tables: DuckDB's "no such file", or the plan's file scan refused.
      if (code === undefined) expect('error' in a && (a.error.code ?? 'duckdb')).toMatch(/^(duckdb|reads_files)$/);
      else expect('error' in a && a.error.code).toBe(code);
    }
    expect(ok(await native.sql('SELECT count(*) FROM orders')).rows).toEqual([[38719]]);
  }, 120_000);
});

describe('the read-only transaction and the parser check of both engines', () => {
  it.each(['wasm', 'native'] as const)('%s: a write inside fails, a temporary table made inside is gone, two statements are not prepared', async (kind) => {
    const target: Db = kind === 'wasm' ? await openNodeDb() : await (await import('../../src/db/native.ts')).openNativeDb({ threads: 1 });
    await target.query('CREATE TABLE t AS SELECT range AS a FROM range(3)');
    await expect(target.queryReadOnly('INSERT INTO t VALUES (7)')).rejects.toThrow(/read-only/);
    await target.queryReadOnly('CREATE TEMP TABLE scratch AS SELECT 1 AS x');
    expect(await rows(target, "SELECT count(*)::DOUBLE AS n FROM duckdb_tables() WHERE table_name = 'scratch'")).toEqual([{ n: 0 }]);
    await expect(target.prepare('SELECT 1; INSERT INTO t VALUES (8)')).rejects.toThrow(/multiple statements/);
    expect(await rows(target, 'SELECT count(*)::DOUBLE AS n, max(a)::DOUBLE AS top FROM t')).toEqual([{ n: 3, top: 2 }]);
    // After the rolled-back transaction, writing works again as before.
    await target.query('INSERT INTO t VALUES (9)');
    expect(await rows(target, 'SELECT count(*)::DOUBLE AS n FROM t')).toEqual([{ n: 4 }]);
  }, 60_000);
});
