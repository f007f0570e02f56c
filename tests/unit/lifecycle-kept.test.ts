// Lifecycle window changes in the engine: the stage counts, the month flows, the reactivations and the run's first list
// page come from the columns the first run kept (no query but the view's), with the same numbers to the last bit as the
// SQL of a run of its own (revenue per stage summed in the table's order, as DuckDB sums it in one thread).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import {
  lifecycle, lifecycleCustomers, lifecycleCustomersKept, type LifecycleColumns, type LifecycleSettings, type Stage,
} from '../../src/models/lifecycle.ts';
import type { Prepared } from '../../src/models/prepared.ts';
import { MODELS, type RunContext } from '../../src/models/registry.ts';

const here = dirname(fileURLToPath(import.meta.url));
const shared = (f: string) => join(here, '../../../shared/data', f);
const sample = (f: string) => join(here, '../../sample-data', f);

async function loaded(file: string): Promise<Db> {
  const db = await openNodeDb();
  const l = await loadFile(db, file.split('/').pop()!, readFileSync(file), 'raw_orders');
  await applyMapping(db, l, l.mapping);
  return db;
}

/** The db with every statement it is sent recorded. */
function watch(db: Db): { db: Db; sent: string[] } {
  const sent: string[] = [];
  return { db: { ...db, query: (sql) => (sent.push(sql.replace(/\s+/g, ' ').trim()), db.query(sql)) }, sent };
}

const LISTS: Parameters<typeof lifecycleCustomers>[1][] = [
  { limit: 50 },
  { limit: 25, order: 'value' },
  { limit: 25, stage: 'at_risk', order: 'value' },
  { limit: 125, slipping: true, order: 'value' },
  { limit: 10, offset: 20, stage: 'churned' },
  { limit: 25, stage: 'new', slipping: true },
  { limit: 5, stage: 'dormant', order: 'id' },
  // Past the first rows read: read again, four times as many (or all of them).
  { limit: 30, offset: 1100, stage: 'churned' },
  { limit: 6000, slipping: true },
  { limit: 25, stage: 'new' },
];

const RUNS: LifecycleSettings[] = [
  {},
  { activeDays: 120 },
  { activeDays: 60 },
  { newDays: 10, atRiskDays: 100, dormantDays: 200 },
  { newDays: 90, activeDays: 91, atRiskDays: 92, dormantDays: 93 },
  { cadence: { minDays: 2, factor: 1.2 } },
  { activeDays: 45, reactivationDays: 90 },
  {},
];

describe.each([
  ['the sample store', () => sample('orders.csv'), '2025-06-17'],
  ['CDNOW', () => shared('CDNOW_master.txt'), '1997-11-15'],
])('window changes from the kept columns: %s', (_name, file, otherAsOf) => {
  let db: Db;
  beforeAll(async () => {
    db = await loaded(file());
  }, 120_000);

  it('gives every run and list page the numbers of a run of its own, to the last bit', async () => {
    const prepared: Prepared = new Map();
    const kept: LifecycleColumns = {};
    for (const settings of [...RUNS, { asOf: otherAsOf }, { asOf: otherAsOf, activeDays: 30 }, ...RUNS]) {
      const fromKept = await lifecycle(db, settings, { prepared, kept });
      const lists = [];
      for (const opts of LISTS) lists.push(await lifecycleCustomersKept(db, fromKept.windows, opts, kept));
      // A run of its own: every table built again and counted by SQL, the list by SQL (toEqual compares numbers with
      // Object.is: a revenue summed in another order would differ in its last bits).
      const alone = await lifecycle(db, settings);
      expect(fromKept).toEqual(alone);
      for (const [k, opts] of LISTS.entries()) expect(lists[k], JSON.stringify(opts)).toEqual(await lifecycleCustomers(db, opts));
      expect(lists[0]).toHaveLength(50);
    }
  }, 300_000);

  it('sends no statement but the view’s for a window change, run and first page alike', async () => {
    const { db: watched, sent } = watch(db);
    const ctx: RunContext = { prepared: new Map(), sources: { customers: false, events: false }, state: stateOf(new Map()) };
    const run = MODELS.lifecycle.run;
    const first = await run(watched, { asOf: null }, ctx, { list: { limit: 25, order: 'value' } });
    expect(first.list).toEqual(await lifecycleCustomers(db, { limit: 25, order: 'value' }));
    sent.length = 0;
    const stage: Stage = 'active';
    const changed = await run(watched, { asOf: null, lifecycle: { activeDays: 120 } }, ctx, { list: { limit: 25, stage, order: 'value' } });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^CREATE OR REPLACE VIEW lifecycle AS .* recency_days <= 120 THEN 'active'/);
    expect(changed.list).toEqual(await lifecycleCustomers(db, { limit: 25, stage, order: 'value' }));
    expect(changed.list.every((c) => c.stage === 'active')).toBe(true);
    const { list: _list, ...summary } = changed;
    expect(summary).toEqual(await lifecycle(db, { activeDays: 120 }));
  }, 120_000);
});

function stateOf(kept: Map<string, unknown>): RunContext['state'] {
  return <T>(name: string, make: () => T) => {
    if (!kept.has(name)) kept.set(name, make());
    return kept.get(name) as T;
  };
}
