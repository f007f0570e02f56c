// The engine's warm-up: it really reads and cleans its generated file, stops at once when a user's file arrives,
// and leaves nothing behind that could change what the user's file gives.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rows, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { warmUp } from '../../src/ingest/warmup.ts';
import { Engine } from '../../workers/engine.ts';

const sample = fileURLToPath(new URL('../../sample-data/orders.csv', import.meta.url));

/** `db` with every statement it is given written to `log`. */
function logged(db: Db, log: string[]): Db {
  return { ...db, query: (sql) => (log.push(sql), db.query(sql)) };
}

async function tableNames(db: Db): Promise<string[]> {
  const r = await rows<{ name: string }>(db, `SELECT table_name AS name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views() WHERE NOT internal ORDER BY 1`);
  return r.map((x) => x.name);
}

describe('warm-up', { timeout: 180_000 }, () => {
  it('reads and cleans its generated orders, then removes every table it made', async () => {
    const base = await openNodeDb();
    const log: string[] = [];
    await warmUp(logged(base, log), () => false);
    // The cleaning ran to its end: the typed orders, then order_totals and the purchases views.
    expect(log.some((q) => q.includes('orders__next'))).toBe(true);
    expect(log.some((q) => q.includes('CREATE OR REPLACE TABLE order_totals'))).toBe(true);
    expect(await tableNames(base)).toEqual([]);
  });

  it('stops at its next statement when asked, and still leaves nothing behind', async () => {
    const base = await openNodeDb();
    const log: string[] = [];
    let stop = false;
    const done = warmUp(logged(base, log), () => stop);
    stop = true;
    await done;
    // Only the clean-up ran: nothing of the file was read.
    expect(log.some((q) => q.includes('read_csv'))).toBe(false);
    expect(await tableNames(base)).toEqual([]);
  });

  it('a file loaded after the warm-up, or during it, gives what it gives on a cold engine', async () => {
    const data = readFileSync(sample);
    const file = { name: 'orders.csv', size: data.length, data };
    const results = [];
    for (const warm of ['after', 'during', 'cold'] as const) {
      const engine = new Engine(await openNodeDb(), { warmUp: warm !== 'cold' });
      if (warm === 'after') await engine.warmedUp();
      const view = await engine.load(file);
      const applied = await engine.apply(view.id, view.mapping);
      results.push({ report: applied.report, overview: await engine.run('overview', {}) });
    }
    expect(results[0].report!.rows_read).toBe(38_764);
    expect(results[0]).toEqual(results[2]);
    expect(results[1]).toEqual(results[2]);
  });
});
