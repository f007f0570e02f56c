// The CLV model comparison runs after the chosen model's result is out and never holds it back: the engine
// answers with the chosen model while the comparison is still fitting, then fills the comparison in; the
// headless document waits for every compared model.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openNodeDb } from '../../src/db/node.ts';
import { applyMapping, loadFile } from '../../src/ingest/index.ts';
import { clv, clvCustomers } from '../../src/models/clv/model.ts';
import { compareRuns, type CompareRunner } from '../../src/models/clv/pipeline.ts';
import { Engine } from '../../workers/engine.ts';

const cdnowPath = fileURLToPath(new URL('../../../shared/data/CDNOW_sample.txt', import.meta.url));
const cdnow = () => {
  const data = readFileSync(cdnowPath);
  return { name: 'CDNOW_sample.txt', size: data.length, data };
};
const settings = { asOf: null, clv: { calibrationEnd: '1997-09-30' } };

describe('CLV: the chosen model first, the comparison after', { timeout: 240_000 }, () => {
  it('answers with BG/NBD while MBG/NBD is still fitting, then with both', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let comparisons = 0;
    // A comparison that cannot finish until the test lets it: the chosen model's answer must not wait for it.
    const compare: CompareRunner = async (input, options, done) => {
      comparisons++;
      await gate;
      return compareRuns(input, options, done);
    };
    const engine = new Engine(await openNodeDb(), { compareClv: compare });
    const loaded = await engine.load(cdnow());
    await engine.apply(loaded.id, loaded.mapping);

    const first = await engine.run('clv', settings);
    expect(first.pending).toEqual(['mbgnbd']);
    expect(first.models.map((m) => m.model)).toEqual(['bgnbd']);
    expect(first.bgnbd.r).toBeCloseTo(0.2426, 3);
    expect(first.status.converged).toBe(true);
    expect(first.holdout?.buckets[0].predicted).toEqual({ bgnbd: expect.any(Number) });
    // The comparison had not even been asked for: nothing of it ran before the answer.
    expect(comparisons).toBe(0);
    // Other cells' queries go on while the comparison waits.
    expect((await engine.list('clv', { limit: 3 })).length).toBe(3);

    const whole = engine.clvCompare(settings);
    // A comparison for other settings has nothing to complete: a newer request has the answer to wait for.
    expect(await engine.clvCompare({ ...settings, clv: { ...settings.clv, horizonMonths: 24 } })).toBeNull();
    release();
    const full = (await whole)!;
    expect(comparisons).toBe(1);
    expect(full.pending).toEqual([]);
    expect(full.models.map((m) => m.model).sort()).toEqual(['bgnbd', 'mbgnbd']);
    expect(full.models.every((m) => m.converged)).toBe(true);
    expect(full.holdout?.buckets[0].predicted).toEqual({ bgnbd: expect.any(Number), mbgnbd: expect.any(Number) });
    // Scores and the chosen model are the same as in the first answer; only the comparison was added.
    expect(full.params).toEqual(first.params);
    expect(full.totals).toEqual(first.totals);
    expect(full.compare_ms).toBeGreaterThanOrEqual(0);
    // Asked again, the kept answer has the whole comparison, and nothing is fitted again.
    expect(await engine.run('clv', settings)).toBe(full);
    expect(await engine.clvCompare(settings)).toBe(full);
    expect(comparisons).toBe(1);

    // The headless document waits for the comparison: the same models, none pending.
    const db = await openNodeDb();
    const raw = await loadFile(db, 'CDNOW_sample.txt', readFileSync(cdnowPath), 'raw_orders');
    await applyMapping(db, raw, raw.mapping);
    const headless = await clv(db, { calibrationEnd: '1997-09-30' });
    expect(headless.pending).toEqual([]);
    expect(headless.models).toEqual(full.models);
    expect(headless.status).toEqual(full.status);
    // Its customers, made from the arrays written to the scores table, are that table read back.
    expect(headless.customers.length).toBe(2357);
    expect(headless.customers).toEqual(await clvCustomers(db, { order: 'id' }));
  });

  it('fits every model of the comparison, converged, when all are asked for', async () => {
    const db = await openNodeDb();
    const raw = await loadFile(db, 'CDNOW_sample.txt', readFileSync(cdnowPath), 'raw_orders');
    await applyMapping(db, raw, raw.mapping);
    const all = await clv(db, { calibrationEnd: '1997-09-30', compare: true, model: 'mbgnbd' });
    expect(all.pending).toEqual([]);
    expect(all.models.map((m) => m.model).sort()).toEqual(['bgnbd', 'mbgnbd', 'paretonbd']);
    for (const m of all.models) expect([m.model, m.converged, m.message]).toEqual([m.model, true, expect.stringMatching(/^converged/)]);
  });
});
