import { describe, expect, it } from 'vitest';
import { decodeFragment, encodeFragment, isReportFragment, isSealed, LINK_VERSION, LinkError } from '../../src/notebook/share-codec.ts';

const report = {
  version: 1,
  title: '华东 · 2024 年度复盘 <script>alert(1)</script>',
  kpis: { customers: 4937, revenue: 1234567.89, repeat_rate: 0.4123 },
  segments: Array.from({ length: 10 }, (_, i) => ({ segment: `段 ${i}`, customers: 100 + i, share: i / 10 })),
};

async function problem(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof LinkError) return e.code;
    throw e;
  }
  return 'none';
}

describe('share link fragment', () => {
  it('carries a report through compression and base64url unchanged', async () => {
    const fragment = await encodeFragment(report);
    expect(fragment.startsWith(`r=${LINK_VERSION}.`)).toBe(true);
    expect(fragment).toMatch(/^r=1\.[A-Za-z0-9_-]+$/);
    expect(isReportFragment(`#${fragment}`)).toBe(true);
    expect(isSealed(fragment)).toBe(false);
    expect(await decodeFragment(`#${fragment}`)).toEqual(report);
  });

  it('compresses repetitive report JSON well below its size', async () => {
    const fragment = await encodeFragment(report);
    expect(fragment.length).toBeLessThan(JSON.stringify(report).length * 0.75);
  });

  it('seals a report with a password and opens it only with that password', async () => {
    const fragment = await encodeFragment(report, '客户 secret');
    expect(isSealed(fragment)).toBe(true);
    expect(fragment).not.toContain(Buffer.from('华东').toString('base64url'));
    expect(await problem(decodeFragment(fragment))).toBe('password_needed');
    expect(await problem(decodeFragment(fragment, 'wrong'))).toBe('password_wrong');
    expect(await decodeFragment(fragment, '客户 secret')).toEqual(report);
  }, 30_000);

  it('gives two links of one report and password different bytes (fresh salt and nonce)', async () => {
    const [a, b] = await Promise.all([encodeFragment(report, 'pw'), encodeFragment(report, 'pw')]);
    expect(a).not.toBe(b);
  }, 30_000);

  it('names what is wrong with a link that does not decode', async () => {
    const good = await encodeFragment(report);
    expect(await problem(decodeFragment('r=1.'))).toBe('malformed');
    expect(await problem(decodeFragment('r=1.@@@'))).toBe('malformed');
    expect(await problem(decodeFragment('x=1.abc'))).toBe('malformed');
    expect(await problem(decodeFragment(good.slice(0, good.length - 20)))).toBe('malformed');
    expect(await problem(decodeFragment(good.replace(/^r=1\./, 'r=7.')))).toBe('version');
    for (const at of [6, Math.floor(good.length / 2), good.length - 3]) {
      const flipped = good.slice(0, at) + (good[at] === 'B' ? 'C' : 'B') + good.slice(at + 1);
      expect(await problem(decodeFragment(flipped))).toBe('malformed');
    }
  });
});
