// The RFM cell's customer list (rfmCustomers) cuts its page before writing the segment names out: every page, segment
// and order must still be exactly the rows of the `rfm` view that SQL cells, exports and the 360 view read. Real
// DuckDB on the sample orders, under both readings of monetary.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { rows } from '../../src/db/db.ts';
import { openNodeDb } from '../../src/db/node.ts';
import { rfm, rfmCustomers } from '../../src/models/rfm.ts';
import { SEGMENTS_A, SEGMENTS_B } from '../../src/models/segments.ts';
import { Engine } from '../../workers/engine.ts';

const sample = fileURLToPath(new URL('../../sample-data/orders.csv', import.meta.url));
const COLUMNS = 'customer_id, recency_days, frequency, monetary, r, f, m, segment_cn, segment_en';

describe('the RFM list pages', { timeout: 300_000 }, () => {
  it('equal the rows of the rfm view for every segment of both schemes, every order and page', async () => {
    const db = await openNodeDb();
    const engine = new Engine(db);
    const data = readFileSync(sample);
    const view = await engine.load({ name: 'orders.csv', size: data.length, data });
    await engine.apply(view.id, view.mapping);
    for (const monetary of ['sum', 'mean'] as const) {
      await rfm(db, { asOf: null, monetary });
      const all = await rows(db, `SELECT ${COLUMNS} FROM rfm ORDER BY monetary DESC, customer_id`);
      expect(all.length).toBeGreaterThan(1000);
      expect(await rfmCustomers(db, {})).toEqual(all);
      // The names and scores are unpacked in JS: the headless document must keep the view's keys, their order and types.
      expect(JSON.stringify(await rfmCustomers(db, { order: 'id' }))).toBe(JSON.stringify(await rows(db, `SELECT ${COLUMNS} FROM rfm ORDER BY customer_id`)));
      expect(await rfmCustomers(db, { limit: 50, offset: 100 })).toEqual(all.slice(100, 150));
      let seen = 0;
      for (const [scheme, names] of [['cn', SEGMENTS_A], ['en', SEGMENTS_B]] as const) {
        for (const segment of names) {
          const want = all.filter((r) => r[`segment_${scheme}`] === segment);
          seen += want.length;
          expect(await rfmCustomers(db, { scheme, segment })).toEqual(want);
          expect(await rfmCustomers(db, { scheme, segment, limit: 20, offset: 5 })).toEqual(want.slice(5, 25));
        }
      }
      // Each customer is in one segment of each scheme.
      expect(seen).toBe(2 * all.length);
      expect(await rfmCustomers(db, { scheme: 'cn', segment: 'no such segment' })).toEqual([]);
      expect(await rfmCustomers(db, { scheme: 'en', segment: SEGMENTS_A[0] })).toEqual([]);
    }
  });
});
