import { describe, expect, it } from 'vitest';
import { tableFromIPC } from 'apache-arrow';
import { float32Vector, int32Vector, utf8Vector } from '../../src/ingest/arrow-vectors.ts';
import { textTableIpc } from '../../src/ingest/decode-arrow.ts';

// The engine's worker runs under a policy without 'unsafe-eval': Arrow's builders (new Function) would be refused there.
describe('Arrow vectors from buffers', () => {
  const noEval = <T>(f: () => T): T => {
    const original = globalThis.Function;
    globalThis.Function = new Proxy(original, { construct: () => { throw new Error('new Function called'); }, apply: () => { throw new Error('Function called'); } });
    try {
      return f();
    } finally {
      globalThis.Function = original;
    }
  };

  it('hold text with nulls, empty strings and multi-byte characters, without compiling code', () => {
    const values = ['客户', null, '', 'a,b "c"', undefined, '🙂'];
    const v = noEval(() => utf8Vector(values));
    expect(v.toArray()).toEqual(['客户', null, '', 'a,b "c"', null, '🙂']);
    expect(v.nullCount).toBe(2);
  });

  it('hold whole numbers and floats with nulls', () => {
    expect(Array.from(noEval(() => int32Vector([2, 3, 70000])))).toEqual([2, 3, 70000]);
    const f = noEval(() => float32Vector([1.5, null, -2]));
    expect([f.get(0), f.get(1), f.get(2)]).toEqual([1.5, null, -2]);
  });

  it('make the text table a decoder hands to the engine', () => {
    const ipc = noEval(() => textTableIpc(['name', 'amount'], [['王, 丽', null], ['12.50', '-3']], [2, 3]));
    const t = tableFromIPC(ipc);
    expect(t.schema.fields.map((f) => f.name)).toEqual(['__line', 'name', 'amount']);
    expect(t.toArray().map((r) => r.toJSON())).toEqual([
      { __line: 2, name: '王, 丽', amount: '12.50' },
      { __line: 3, name: null, amount: '-3' },
    ]);
  });
});
