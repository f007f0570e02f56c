import { describe, expect, it } from 'vitest';
import { Latest } from '../../src/db/latest.ts';

const later = <T>(ms: number, value: T, fail = false) =>
  new Promise<T>((resolve, reject) => setTimeout(() => (fail ? reject(new Error(String(value))) : resolve(value)), ms));

describe('Latest', () => {
  it('drops an older answer that arrives after a newer request was made', async () => {
    const latest = new Latest();
    const slow = latest.run(() => later(40, 'old setting'));
    const fast = latest.run(() => later(5, 'new setting'));
    expect(await fast).toEqual({ stale: false, value: 'new setting' });
    expect(await slow).toEqual({ stale: true });
  });

  it('keeps the answer when nothing newer was asked, and drops the error of a stale request', async () => {
    const latest = new Latest();
    expect(await latest.run(() => later(1, 42))).toEqual({ stale: false, value: 42 });
    const failing = latest.run(() => later(20, 'boom', true));
    const next = latest.run(() => later(1, 'ok'));
    await expect(failing).resolves.toEqual({ stale: true });
    expect(await next).toEqual({ stale: false, value: 'ok' });
    await expect(latest.run(() => later(1, 'current failure', true))).rejects.toThrow('current failure');
  });
});
