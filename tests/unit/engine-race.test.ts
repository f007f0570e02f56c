// A model run that began before a source was applied must not be kept as the answer for the new tables:
// the sample's customers file, applied while the CLV fit on the orders is still running, gives the regions.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/db/node.ts';
import { scoreCustomers, type ScoreRunner } from '../../src/models/clv/pipeline.ts';
import { Engine } from '../../workers/engine.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));
const file = (name: string) => {
  const data = readFileSync(sample(name));
  return { name, size: data.length, data };
};

describe('engine: a source applied while a model runs', { timeout: 240_000 }, () => {
  it('the CLV fit begun on the orders alone is not reused once customers are applied', async () => {
    let started!: () => void;
    const fitting = new Promise<void>((resolve) => (started = resolve));
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const score: ScoreRunner = async (input, options) => {
      calls++;
      started();
      await gate;
      return scoreCustomers(input, options);
    };
    const engine = new Engine(await openNodeDb(), { scoreClv: score });
    const orders = await engine.load(file('orders.csv'));
    await engine.apply(orders.id, orders.mapping);

    const early = engine.run('clv', {});
    await fitting;
    const customers = await engine.load(file('customers.csv'));
    await engine.apply(customers.id, customers.mapping);
    release();
    // The run begun on the orders alone answers without regions: it began before the customers were there.
    expect((await early).by_region).toBeNull();

    const late = await engine.run('clv', {});
    expect(calls).toBe(2);
    expect(late.by_region?.some((g) => g.group !== null)).toBe(true);
    expect(late.bgnbd).toEqual((await early).bgnbd);
    // Asked again with nothing changed, the kept answer is the new one.
    expect(await engine.run('clv', {})).toBe(late);
    expect(calls).toBe(2);
  });
});

describe('engine: a filtered copy dropped from the kept ones while a cell still uses it', { timeout: 240_000 }, () => {
  it('the run under way finishes on it; the copy is closed after', async () => {
    const engine = new Engine(await openNodeDb());
    const orders = await engine.load(file('orders.csv'));
    await engine.apply(orders.id, orders.mapping);
    const first = engine.run('rfm', { asOf: null, filter: { order_channel: ['抖音'] } });
    // Three more filters at once: the first one's copy is the oldest of four and leaves the kept ones at once.
    const others = (['天猫', '小程序', '门店'] as const).map((c) => engine.run('rfm', { asOf: null, filter: { order_channel: [c] } }));
    const [rfm] = await Promise.all([first, ...others]);
    expect(rfm.customers).toBeGreaterThan(0);
    // Asked again, the first filter is made anew and gives the same answer.
    expect((await engine.run('rfm', { asOf: null, filter: { order_channel: ['抖音'] } })).customers).toBe(rfm.customers);
  });
});
