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

/** `npm run analyze` runs `tsx src/cli/analyze.ts`; node with tsx's loader is the same without npm's own chatter on stderr. */
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
      rows_read: 8557, rows_loaded: 8541, duplicates_removed: 16, blank_customer: 66, bad_date: 0, bad_amount: 0, refund_lines: 148, orders: 461, purchases: 392, customers: 87,
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
    ['notes.csv', 'foo,bar\nx,y\n', 'notes.csv: no column looks like a customer id, a date or an amount (columns: "foo", "bar")'],
    ['no-date.csv', 'customer_id,amount\nc1,10\n', 'no-date.csv: no column for order_ts: choose one in the mapping (columns: "customer_id", "amount")'],
  ])('%s: a non-zero exit and one line naming the file', (name, bytes, reason) => {
    const r = analyze('--orders', write(name, bytes), '--models', 'overview');
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`analyze: ${reason}\n`);
  });

  it('refuses a model it does not know, before reading anything', () => {
    const r = analyze('--orders', join(dir, 'no-such-file.csv'), '--models', 'rfm,magic');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toBe(`analyze: unknown model magic (models: ${MODEL_NAMES.join(', ')})\n`);
  });
});
