// Two cells of one model with their own settings (the RFM cell and its duplicate): the model's tables hold one run at
// a time, so a list or export asked for with a cell's settings runs the model again with them when the last run was
// the other cell's. Real DuckDB on the sample orders; each cell's list equals that of an engine that only ever ran
// its settings.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/db/node.ts';
import type { ModelSettings } from '../../src/models/settings.ts';
import { Engine } from '../../workers/engine.ts';

const sample = (f: string) => fileURLToPath(new URL(`../../sample-data/${f}`, import.meta.url));

async function engineOnSample(): Promise<Engine> {
  const engine = new Engine(await openNodeDb());
  const data = readFileSync(sample('orders.csv'));
  const view = await engine.load({ name: 'orders.csv', size: data.length, data });
  await engine.apply(view.id, view.mapping);
  return engine;
}

const score: ModelSettings = { asOf: null, rfm: { highRule: 'score' } };
const value: ModelSettings = { asOf: null, rfm: { highRule: 'value', monetary: 'mean' } };
/** Every customer's segment (scheme A) and monetary, as a cell's full list shows them. */
const listOpts = { scheme: 'cn' as const, order: 'id' as const };
const bySegment = (rows: { segment_cn: string }[]) => rows.reduce<Record<string, number>>((o, r) => ((o[r.segment_cn] = (o[r.segment_cn] ?? 0) + 1), o), {});

describe('cells of one model with their own settings', { timeout: 300_000 }, () => {
  type Row = { customer_id: string; segment_cn: string };
  let alone: { score: Row[]; value: Row[] };

  beforeAll(async () => {
    // What each setting gives on an engine that runs nothing else.
    const a = await engineOnSample();
    await a.run('rfm', score);
    const b = await engineOnSample();
    await b.run('rfm', value);
    alone = { score: await a.list('rfm', listOpts), value: await b.list('rfm', listOpts) };
    expect(alone.score.length).toBeGreaterThan(1000);
    // The two settings put customers in different segments, so a list from the wrong run would show.
    expect(bySegment(alone.score)).not.toEqual(bySegment(alone.value));
  }, 300_000);

  it('alternating two RFM settings, each list is its own', async () => {
    const engine = await engineOnSample();
    const [sumScore, sumValue] = await Promise.all([engine.run('rfm', score), engine.run('rfm', value)]);
    expect(sumScore.customers).toBe(sumValue.customers);
    // The tables hold the last run (value); each cell still gets its own list, in any order, again and again.
    for (let round = 0; round < 2; round++) {
      expect(await engine.list('rfm', listOpts, score)).toEqual(alone.score);
      expect(await engine.list('rfm', listOpts, value)).toEqual(alone.value);
    }
    // Asked at the same time, neither sees the other's tables.
    const [s, v] = await Promise.all([engine.list('rfm', listOpts, score), engine.list('rfm', listOpts, value)]);
    expect(s).toEqual(alone.score);
    expect(v).toEqual(alone.value);
    // A segment's customers in a list agree with the segment table of the same settings.
    const segment = sumScore.segments_cn[0];
    const page = await engine.list('rfm', { scheme: 'cn', segment: segment.segment, limit: 100000 }, score);
    expect(page.length).toBe(segment.customers);
  });

  it("exports follow the asking cell's settings too", async () => {
    const engine = await engineOnSample();
    await engine.run('rfm', score);
    await engine.run('rfm', value);
    const csv = async (settings: ModelSettings) => new TextDecoder().decode(await engine.export('rfm', { scheme: 'cn', segment: null }, settings));
    const lines = (text: string) => text.trim().split('\n').length - 1;
    const scoreCsv = await csv(score);
    const valueCsv = await csv(value);
    expect(lines(scoreCsv)).toBe(alone.score.length);
    expect(scoreCsv).not.toBe(valueCsv);
    // The CSV's segments are the list's: count one segment in both.
    const seg = alone.score[0].segment_cn;
    const inCsv = (text: string) => text.split('\n').filter((l) => l.includes(`,${seg},`)).length;
    expect(inCsv(scoreCsv)).toBe(bySegment(alone.score)[seg]);
    expect(inCsv(valueCsv)).toBe(bySegment(alone.value)[seg] ?? 0);
  });
});
