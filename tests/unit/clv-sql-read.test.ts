// Reading the CLV summary back: customer ids decoded in one call where the bytes are ASCII, as Arrow reads them otherwise.
import { tableFromArrays } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { openNativeDb } from '../../src/db/native.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { textValues } from '../../src/models/clv/sql.ts';

describe('textValues', () => {
  it('gives the strings Arrow gives, over several chunks, with Chinese text, empty strings and nulls', () => {
    const parts = [['C-001', '', 'C-003'], ['客户甲', 'B-2'], ['x', null, 'zz'], []];
    const vector = parts.map((p) => tableFromArrays({ s: p as string[] }).getChild('s')!).reduce((a, b) => a.concat(b));
    expect(vector.data.length).toBe(4);
    expect(textValues(vector)).toEqual(['C-001', '', 'C-003', '客户甲', 'B-2', 'x', null, 'zz']);
    expect(textValues(vector)).toEqual(vector.toArray());
    expect(textValues(tableFromArrays({ s: [] as string[] }).getChild('s')!)).toEqual([]);
  });

  it('reads a DuckDB text column of both engines (several result chunks) as the values stored', async () => {
    const sql = `SELECT 'K' || lpad(i::VARCHAR, 6, '0') || CASE WHEN i % 997 = 0 THEN '·' ELSE '' END AS id FROM range(5000) t(i) ORDER BY i`;
    for (const db of [await openNativeDb(), await openNodeDb()]) {
      const ids = textValues((await db.query(sql)).getChild('id')!);
      expect(ids.length).toBe(5000);
      expect(ids[1]).toBe('K000001');
      expect(ids[997]).toBe('K000997·');
      expect(ids[4999]).toBe('K004999');
      expect(ids).toEqual((await db.query(sql)).getChild('id')!.toArray());
    }
  });
});
