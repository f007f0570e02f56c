// The headless command as a user runs it: a child process, JSON on stdout with the contract's fields; bad input gives a
// non-zero exit and one English line on stderr that names the file; an unknown model is refused.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { MODEL_NAMES } from '../../src/models/registry.ts';
import { parseCsv } from './ingest-helpers.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const shared = (f: string) => fileURLToPath(new URL(`../../../shared/data/${f}`, import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'crm-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The command's modules loaded by tsx: what `npm run analyze` runs from one bundle of them (src/cli/launch.mjs, tested in
 * cli-launch.test.ts to write the same bytes), without npm's own chatter on stderr.
 */
function analyze(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/analyze.ts', ...args], { cwd: root, encoding: 'utf8', timeout: 180_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function write(name: string, bytes: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('analyze', { timeout: 180_000 }, () => {
  it('writes one JSON document with mapping, cleaning, overview, rfm and abc', () => {
    const r = analyze('--orders', shared('online_retail_france.csv'), '--models', 'overview,rfm,abc');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.mapping).toEqual({
      customer_id: 'CustomerID', order_ts: 'InvoiceDate', order_id: 'InvoiceNo', product: 'Description', quantity: 'Quantity', unit_price: 'UnitPrice',
    });
    expect(out.cleaning).toMatchObject({
      rows_read: 8557, rows_loaded: 8541, duplicates_removed: 16, blank_customer: 66, bad_date: 0, bad_amount: 0, unreadable_row: 0, refund_lines: 148, orders: 461, purchases: 392, customers: 87,
    });
    // Revenue = Σ net of purchases; net revenue adds the credit notes (recomputed here from the file, in cents).
    const [head, ...data] = parseCsv(readFileSync(shared('online_retail_france.csv'), 'utf8'));
    const col = (n: string) => head.indexOf(n);
    const seen = new Set<string>();
    const nets = new Map<string, number>();
    for (const f of data) {
      const key = f.slice(1).join('\u001f');
      if (seen.has(key)) continue;
      seen.add(key);
      const cents = Number(f[col('Quantity')]) * Math.round(Number(f[col('UnitPrice')]) * 1000);
      nets.set(f[col('InvoiceNo')], (nets.get(f[col('InvoiceNo')]) ?? 0) + cents);
    }
    const revenue = [...nets.values()].filter((v) => v > 0).reduce((a, b) => a + b, 0) / 1000;
    const refunds = [...nets.values()].filter((v) => v < 0).reduce((a, b) => a + b, 0) / 1000;
    expect(out.overview).toMatchObject({ customers: 87, purchases: 392, as_of: '2011-12-10' });
    expect(out.overview.revenue).toBeCloseTo(revenue, 6);
    expect(out.overview.net_revenue).toBeCloseTo(revenue + refunds, 6);
    expect(out.overview.repeat_rate).toBeGreaterThan(0);
    expect(out.rfm.as_of).toBe('2011-12-10');
    expect(out.rfm.customers).toHaveLength(87);
    expect(Object.keys(out.rfm.customers[0]).sort()).toEqual(['customer_id', 'f', 'frequency', 'm', 'monetary', 'r', 'recency_days', 'segment_cn', 'segment_en']);
    expect(out.abc.customers).toHaveLength(87);
    expect(new Set(out.abc.customers.map((c: { class: string }) => c.class))).toEqual(new Set(['A', 'B', 'C']));
    expect(out.abc.top20_share).toBeCloseTo(out.overview.top20_share, 12);
    expect(out.abc.gini).toBeGreaterThan(0);
  });

  it.each([
    ['empty.csv', '', 'empty.csv: the file is empty'],
    ['junk.bin', new Uint8Array(Array.from({ length: 3000 }, (_, i) => (i * 7919 + 13) % 251)), 'junk.bin: this does not look like a data file (binary content)'],
    ['cut.csv', 'order_id,customer_id,order_date,amount\nA1,c1,2024-01-02,10\nA2,c2,2024-0', 'cut.csv, line 3: the last row ends early (3 of 4 values): the file looks cut off; export it again'],
    // `--orders` says what the file is: it is mapped as orders, and what orders need and it lacks is named.
    ['notes.csv', 'foo,bar\nx,y\n', 'notes.csv: no column for customer_id, order_ts, amount: choose one in the mapping (columns: "foo", "bar")'],
    ['no-date.csv', 'customer_id,amount\nc1,10\n', 'no-date.csv: no column for order_ts: choose one in the mapping (columns: "customer_id", "amount")'],
    ['spend-no-date.csv', 'customer_id,spend\nc1,10\nc2,20\n', 'spend-no-date.csv: no column for order_ts: choose one in the mapping (columns: "customer_id", "spend")'],
    ['signups.csv', 'customer_id,name,region,signup_date\nC1,Alice,North,2024-01-05\n', 'signups.csv: no column for amount: choose one in the mapping (columns: "customer_id", "name", "region", "signup_date")'],
  ])('%s: a non-zero exit and one line naming the file', (name, bytes, reason) => {
    const r = analyze('--orders', write(name, bytes), '--models', 'overview');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`analyze: ${reason}\n`);
  });

  it('--orders on orders with whole-number spend: read as orders and analysed (they were guessed a customers file)', () => {
    const file = write('spend.csv', 'customer_id,order_date,spend\nC1,2024-01-05,120\nC2,2024-01-07,80\nC1,2024-02-11,45\nC3,2024-03-02,300\n');
    const r = analyze('--orders', file, '--models', 'overview,rfm');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.source).toMatchObject({ file: 'spend.csv', role: 'orders' });
    expect(out.mapping).toEqual({ customer_id: 'customer_id', order_ts: 'order_date', amount: 'spend' });
    expect(out.cleaning).toMatchObject({ rows_read: 4, rows_loaded: 4, purchases: 4, customers: 3 });
    expect(out.overview).toMatchObject({ customers: 3, purchases: 4, revenue: 545, as_of: '2024-03-03' });
    expect(out.rfm.customers.map((c: { customer_id: string; frequency: number }) => [c.customer_id, c.frequency])).toEqual([['C1', 2], ['C2', 1], ['C3', 1]]);
    expect(out.mapping_notes).toBeUndefined();
  });

  it('--orders with a header written twice: the mapping note says which column is read, in the JSON', () => {
    const file = write('twice.csv', 'order_id,customer_id,order_date,amount,amount\nO1,C1,2024-01-05,120,3\nO2,C2,2024-01-07,80,1\n');
    const r = analyze('--orders', file, '--models', 'overview');
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.mapping).toEqual({ order_id: 'order_id', customer_id: 'customer_id', order_ts: 'order_date', amount: 'amount' });
    expect(out.mapping_notes).toEqual([{
      code: 'duplicate_header', field: 'amount', column: 'amount', columns: ['amount', 'amount_1'],
      message: '"amount", "amount_1" look like one header written twice: "amount" is read as amount. If the other is the right one, choose it in the mapping.',
    }]);
  });

  it('refuses a model it does not know, before reading anything', () => {
    const r = analyze('--orders', join(dir, 'no-such-file.csv'), '--models', 'rfm,magic');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toBe(`analyze: unknown model magic (models: ${MODEL_NAMES.join(', ')})\n`);
  });
});
