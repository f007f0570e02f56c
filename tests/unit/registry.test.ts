// The model registry is the one list: the engine runs every registered model, the headless command writes a section
// for each (churn included, with the page's own numbers), and a model registered here, in the test, reaches the
// command and the notebook's cell kinds without a line of the engine changing.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze.ts';
import { one, type Db } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { cellKinds, defineModel, MODEL_NAMES, MODELS, type Registry } from '../../src/models/registry.ts';
import { Engine } from '../../workers/engine.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const file = (name: string) => {
  const data = readFileSync(sample(name));
  return { name, size: data.length, data };
};

async function engineOn(names: string[], models?: Registry): Promise<Engine> {
  const engine = new Engine(await openNodeDb(), { models });
  for (const name of names) {
    const view = await engine.load(file(name));
    await engine.apply(view.id, view.mapping);
  }
  return engine;
}

/** A model the project does not have: customers, and those with more than one purchase. */
const repeaters = (db: Db) =>
  one<{ customers: number; repeaters: number }>(
    db,
    `SELECT count(*)::DOUBLE AS customers, count(*) FILTER (WHERE n > 1)::DOUBLE AS repeaters
     FROM (SELECT customer_id, count(*) AS n FROM customer_purchases GROUP BY customer_id)`,
  );
const repeat = defineModel({
  settingsKey: null,
  defaults: {},
  lane: 'sql',
  reads: ['orders'],
  writes: [],
  run: repeaters,
  report: repeaters,
});

describe('the model registry', { timeout: 600_000 }, () => {
  let engine: Engine;
  let document: Record<string, unknown>;
  beforeAll(async () => {
    engine = await engineOn(['orders.csv', 'customers.csv']);
    document = await analyze({ orders: sample('orders.csv'), customers: sample('customers.csv') });
  }, 600_000);

  it('is the notebook order, and churn is in it', () => {
    expect(MODEL_NAMES).toEqual(['overview', 'rfm', 'abc', 'cohorts', 'lifecycle', 'clv', 'churn', 'basket', 'clusters']);
    expect(cellKinds(MODELS)).toEqual(MODEL_NAMES);
  });

  it('the engine runs every registered model, with its list and its export', async () => {
    for (const name of MODEL_NAMES) {
      const result = (await engine.run(name, {})) as { as_of?: string };
      expect(result, name).toBeTypeOf('object');
      // Every model that works at a date works at the same default one.
      if (name !== 'basket') expect(result.as_of, name).toBe('2026-01-01');
    }
    // Each list and export reads the tables of its model's last run: a page of five, and the whole list as CSV.
    const [rule] = (await engine.run('basket', {})).rules;
    const lists: Record<string, [list: unknown, exported: unknown]> = {
      rfm: [{}, { scheme: 'cn', segment: null }],
      abc: [{}, { cls: null }],
      lifecycle: [{}, {}],
      clv: [{}, {}],
      churn: [{}, { format: 'csv', lang: 'en' }],
      basket: [{ settings: {}, rule, page: {} }, { settings: {}, rule, format: 'csv' }],
      clusters: [{}, { cluster: null }],
    };
    expect(Object.keys(lists).sort()).toEqual(MODEL_NAMES.filter((m) => MODELS[m].list).sort());
    for (const [name, [listOpts, exportOpts]] of Object.entries(lists)) {
      const list = (await engine.list(name as never, listOpts as never)) as unknown[] | { customers: unknown[]; total: number };
      const count = Array.isArray(list) ? list.length : list.total;
      expect(count, name).toBeGreaterThan(0);
      if (!MODELS[name as keyof typeof MODELS].export) continue;
      const bytes = await engine.export(name as never, exportOpts as never);
      expect([...bytes.subarray(0, 3)], name).toEqual([0xef, 0xbb, 0xbf]);
      expect(new TextDecoder().decode(bytes.subarray(3)).trim().split('\n').length - 1, name).toBe(count);
    }
    expect(MODEL_NAMES.filter((m) => MODELS[m].export && !(m in lists))).toEqual([]);
  });

  it("each model's declared defaults are the settings it runs with when none are given", async () => {
    const untimed = ({ ms: _, elapsedMs: __, ...rest }: Record<string, unknown>) => rest;
    for (const name of MODEL_NAMES) {
      const { settingsKey, defaults } = MODELS[name];
      if (!settingsKey) continue;
      expect(Object.keys(defaults).length, name).toBeGreaterThan(0);
      const plain = untimed((await engine.run(name, {})) as Record<string, unknown>);
      const given = untimed((await engine.run(name, { [settingsKey]: defaults })) as Record<string, unknown>);
      expect(given, name).toEqual(plain);
    }
  });

  it('the headless command writes a section for every registered model, in the registry order', () => {
    const sections = Object.keys(document).filter((k) => !['source', 'mapping', 'cleaning', 'cleaning_customers'].includes(k));
    expect(sections).toEqual(MODEL_NAMES);
  });

  it("the command's churn section is the churn cell's result and list, number for number", async () => {
    const { ms, ...cell } = await engine.run('churn', {});
    expect(ms).toBeGreaterThan(0);
    const section = document.churn as typeof cell & { customers: unknown[] };
    const list = await engine.list('churn', {});
    expect({ ...section, customers: undefined }).toEqual({ ...cell, customers: undefined });
    expect(section.customers).toEqual(list);
    // The numbers themselves, checked against the list they summarise.
    expect(section.as_of).toBe('2026-01-01');
    expect(section.model).toBe('bgnbd');
    expect(section.flagged).toBe(list.length);
    expect(section.flagged).toBeGreaterThan(0);
    expect(section.low_p_alive).toBe(list.filter((r) => r.low_p_alive).length);
    expect(section.slipping).toBe(list.filter((r) => r.slipping).length);
    expect(section.both).toBe(list.filter((r) => r.low_p_alive && r.slipping).length);
    expect(section.value_at_risk).toBeCloseTo(list.reduce((s, r) => s + r.value_at_risk, 0), 6);
    // The customers analysed are the buyers before D, as RFM scores them.
    expect(cell.customers).toBe((document.overview as { customers: number }).customers);
  });

  it('a model registered in a test reaches the command and the cell kinds, and the engine runs it unchanged', async () => {
    const registry = { ...MODELS, repeat };
    expect(cellKinds(registry)).toEqual([...MODEL_NAMES, 'repeat']);
    const out = await analyze({ orders: sample('orders.csv'), models: ['overview', 'repeat'] }, undefined, registry);
    const counted = out.repeat as { customers: number; repeaters: number };
    const overview = out.overview as { customers: number; repeat_rate: number };
    expect(counted.customers).toBe(overview.customers);
    expect(counted.repeaters / counted.customers).toBeCloseTo(overview.repeat_rate, 12);
    await expect(analyze({ orders: sample('orders.csv'), models: ['repeat'] })).rejects.toThrow(
      `unknown model repeat (models: ${MODEL_NAMES.join(', ')})`,
    );

    const withRepeat = await engineOn(['orders.csv'], registry);
    expect(await withRepeat.run('repeat' as never, {})).toEqual(counted);
    expect(withRepeat.cellKinds()).toEqual(cellKinds(registry));
  });
});
