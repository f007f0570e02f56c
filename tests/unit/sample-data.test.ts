// The demo store in sample-data/: regenerating it gives the committed bytes, and README.md tells the truth about it.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate, summaryTable, type Summary } from '../../sample-data/generate.ts';

const sampleDir = join(dirname(fileURLToPath(import.meta.url)), '../../sample-data');
const FILES = ['orders.csv', 'customers.csv', 'events.csv'];

let outDir = '';
let summary: Summary;

beforeAll(() => {
  outDir = mkdtempSync(join(tmpdir(), 'crm-sample-'));
  summary = generate({ outDir });
});

afterAll(() => {
  if (outDir) rmSync(outDir, { recursive: true, force: true });
});

/** Splits one CSV line on the commas outside double quotes and unquotes the fields. */
function fields(line: string): string[] {
  return line.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/).map((f) => (f.startsWith('"') ? f.slice(1, -1).replace(/""/g, '"') : f));
}

function isValidTimestamp(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number);
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60;
}

describe('sample-data generator', () => {
  it.each(FILES)('regenerates %s byte for byte', (file) => {
    const fresh = readFileSync(join(outDir, file));
    const committed = readFileSync(join(sampleDir, file));
    expect(fresh.length).toBe(committed.length);
    expect(fresh.equals(committed)).toBe(true);
  });

  it('documents in README.md exactly the numbers the generator reports', () => {
    const readme = readFileSync(join(sampleDir, 'README.md'), 'utf8');
    const block = /<!-- numbers:start -->([\s\S]*?)<!-- numbers:end -->/.exec(readme)?.[1] ?? '';
    const documented = [...block.matchAll(/^\|\s*`([^`]+)`\s*\|\s*([^|\s]+)\s*\|/gm)].map((m) => [m[1], m[2]]);
    expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(summaryTable(summary)));
    expect(summary.dirt).toMatchObject({ duplicateRows: 30, blankCustomerRows: 40, badDateRows: 10, badAmountRows: 5 });
  });

  it('seeds into orders.csv the dirt it reports', () => {
    const lines = readFileSync(join(sampleDir, 'orders.csv'), 'utf8').trimEnd().split('\n');
    expect(lines[0]).toBe('订单号,客户编号,下单时间,商品名称,品类,数量,单价,实付金额,渠道,订单状态');
    const rows = lines.slice(1).map(fields);
    expect(rows.every((r) => r.length === 10)).toBe(true);
    expect(rows.length).toBe(summary.files['orders.csv'].rows);

    expect(rows.length - new Set(lines.slice(1)).size).toBe(summary.dirt.duplicateRows);
    expect(rows.filter((r) => r[1].trim() === '').length).toBe(summary.dirt.blankCustomerRows);
    expect(rows.filter((r) => r[1] !== '' && r[1].trim() === '').length).toBe(summary.dirt.whitespaceOnlyCustomerRows);
    expect(rows.filter((r) => r[1].trim() !== '' && r[1] !== r[1].trim()).length).toBe(summary.dirt.paddedCustomerIdRows);
    expect(rows.filter((r) => !isValidTimestamp(r[2])).length).toBe(summary.dirt.badDateRows);
    const currency = rows.filter((r) => /^[¥￥]\d{1,3}(,\d{3})*\.\d{2}$/.test(r[7]));
    expect(currency.length).toBe(summary.dirt.currencyFormattedAmountRows);
    expect(currency.some((r) => r[7].includes(','))).toBe(true);
    const plain = rows.filter((r) => /^-?\d+\.\d{2}$/.test(r[7]));
    expect(rows.length - plain.length - currency.length).toBe(summary.dirt.badAmountRows);

    const refundLines = rows.filter((r) => Number(r[5]) < 0);
    expect(refundLines.every((r) => r[7].startsWith('-'))).toBe(true);
    expect(refundLines.filter((r) => r[9] === '已退款').length).toBe(summary.dirt.fullRefundLines);
    expect(refundLines.filter((r) => r[9] === '部分退款').length).toBe(summary.dirt.partialRefundLines);
    expect(new Set(rows.filter((r) => r[9] === '已退款').map((r) => r[0])).size).toBe(summary.dirt.fullyRefundedOrders);
    expect(new Set(rows.filter((r) => r[9] === '部分退款').map((r) => r[0])).size).toBe(summary.dirt.partiallyRefundedOrders);
  });

  it('nets every fully refunded order to exactly zero, in fen', () => {
    const rows = readFileSync(join(sampleDir, 'orders.csv'), 'utf8').trimEnd().split('\n').slice(1).map(fields);
    const net = new Map<string, number>();
    for (const r of rows.filter((r) => r[9] === '已退款')) {
      net.set(r[0], (net.get(r[0]) ?? 0) + Math.round(Number(r[7]) * 100));
    }
    expect(net.size).toBeGreaterThan(0);
    expect([...net.values()].every((fen) => fen === 0)).toBe(true);
  });

  it('keeps orders.csv well under 6 MB', () => {
    expect(summary.files['orders.csv'].bytes).toBeLessThan(5_000_000);
  });
});
