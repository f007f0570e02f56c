// The headless command's document written in pieces is JSON.stringify(value, null, 1) + '\n', byte for byte.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../src/cli/analyze.ts';
import { streamJson, writeJsonFile } from '../../src/cli/json-stream.ts';

const whole = (v: unknown) => JSON.stringify(v, null, 1) + '\n';
const pieces = (v: unknown) => {
  const out: string[] = [];
  streamJson(v, (s) => out.push(s));
  return { text: out.join(''), blocks: out.length };
};

describe('streamJson', () => {
  it('writes what JSON.stringify writes, for the values it treats specially', () => {
    const long = Array.from({ length: 600 }, (_, i) => ({
      id: `c${i}`, n: i % 7 === 0 ? null : i / 3, u: undefined, f: () => 1, nested: { a: [i, 'x\n"y"', { b: [] }], e: {} },
      d: new Date(Date.UTC(2024, 0, 1 + i)), text: '中文\u2028', nan: NaN,
    }));
    const values: unknown[] = [
      {}, [], { a: undefined }, { a: [] }, [undefined, () => 1, null], 'x', 3, null, new Date(0),
      { toJSON: () => ({ z: 1 }) }, { list: long, short: [1, 2, { x: [3] }], deep: { deeper: { rows: long.slice(0, 300), empty: [] } } },
      Object.assign(Object.create(null), { k: [1, { v: 2 }] }), long, [long, [[]]],
    ];
    for (const v of values) expect(pieces(v).text).toBe(whole(v));
  });

  it('writes long lists at any depth and across runs as JSON.stringify does, hostile values included', () => {
    // Values whose text JSON.stringify decides: -0 → 0, 1e21 and 5e-324 as exponents, NaN and ±Infinity → null,
    // lone surrogates escaped, U+2028 and emoji kept, control characters and quotes escaped, undefined and functions
    // left out of objects and null in arrays, toJSON called, nested lists indented.
    const odd = [-0, 1e21, 5e-324, 0.1 + 0.2, -1.5e-7, NaN, Infinity, -Infinity, 2 ** 53 + 2, 123456789.123456789];
    const texts = ['\ud800', 'a\udc00b', '😀', '\u2028\u2029', '"q"\\', '\u0000\u001f\t\n', '中文 名', '', '</script>'];
    const row = (i: number) => ({
      id: texts[i % texts.length],
      v: odd[i % odd.length],
      'k"ey\n': i % 3 === 0 ? undefined : true,
      f: () => 1,
      z: null,
      d: new Date(Date.UTC(2024, 0, 1 + (i % 30))),
      n: { a: [odd[(i + 1) % odd.length], texts[(i + 2) % texts.length], { b: [i, -0] }], e: {}, l: [] },
      1: i,
    });
    for (const length of [256, 2047, 2048, 2049, 4097]) {
      const list = Array.from({ length }, (_, i) => (i % 97 === 5 ? [i, undefined, () => 1] : i % 89 === 3 ? null : row(i)));
      const values = [list, { a: list }, { a: { b: { c: list, d: [list] } } }, [[[[list]]]], { a: [{ b: list }] }];
      for (const v of values) expect(pieces(v).text).toBe(whole(v));
    }
  });

  it('sends a large document in blocks', () => {
    const big = { customers: Array.from({ length: 50_000 }, (_, i) => ({ customer_id: String(i).padStart(8, '0'), value: i * 1.5 })) };
    const { text, blocks } = pieces(big);
    expect(text).toBe(whole(big));
    expect(blocks).toBeGreaterThan(2);
  });

  it('writes the command\'s document on the sample to a file as JSON.stringify does', async () => {
    const sample = fileURLToPath(new URL('../../sample-data/orders.csv', import.meta.url));
    const result = await analyze({ orders: sample });
    expect((result.rfm as { customers: unknown[] }).customers.length).toBeGreaterThan(256);
    const file = join(mkdtempSync(join(tmpdir(), 'json-stream-')), 'out.json');
    writeJsonFile(result, file);
    expect(readFileSync(file, 'utf8')).toBe(whole(result));
  }, 180_000);
});
