import { afterAll, describe, expect, it } from 'vitest';
import { i18n } from '../../src/i18n/i18n.svelte.ts';

// The formatters are built once per locale and option set and reused: switching the locale must switch every one.
describe('i18n formatters', () => {
  const initial = i18n.locale;
  afterAll(() => {
    i18n.locale = initial;
  });

  it('format for Chinese', () => {
    i18n.locale = 'zh';
    expect(i18n.int(1234567.6)).toBe('1,234,568');
    expect(i18n.num(3.14159, 2)).toBe('3.14');
    expect(i18n.num(2.5)).toBe('2.5');
    expect(i18n.pct(0.1234)).toBe('12.3%');
    expect(i18n.pct(0.1234, 0)).toBe('12%');
    expect(i18n.money(1234.5)).toBe('1,234.50');
    expect(i18n.money(123456, true)).toBe('12.35万');
    expect(i18n.money(99999, true)).toBe('99,999.00');
    expect(i18n.compact(50000)).toBe('5万');
    expect(i18n.day('2024-03-05')).toBe('2024年3月5日');
    expect(i18n.month('2024-03')).toBe('2024年3月');
    expect(i18n.monthTick(new Date(Date.UTC(2025, 0, 1)), 3)).toBe('1月\n2025');
  });

  it('switch with the locale, and back', () => {
    i18n.locale = 'en';
    expect(i18n.int(1234567.6)).toBe('1,234,568');
    expect(i18n.money(123456, true)).toBe('123.46K');
    expect(i18n.compact(50000)).toBe('50K');
    expect(i18n.day('2024-03-05')).toBe('Mar 5, 2024');
    expect(i18n.month('2024-03')).toBe('Mar 2024');
    expect(i18n.monthTick(new Date(Date.UTC(2025, 4, 1)), 3)).toBe('May');
    i18n.locale = 'zh';
    expect(i18n.day('2024-03-05')).toBe('2024年3月5日');
    expect(i18n.compact(50000)).toBe('5万');
  });

  it('keep calendar days and months free of time-zone shifts', () => {
    i18n.locale = 'en';
    expect(i18n.day('2024-12-31')).toBe('Dec 31, 2024');
    expect(i18n.month('2025-01')).toBe('Jan 2025');
  });
});

// Reports and the headless command format without Svelte: one locale's Format, the same numbers as the page.
describe('Format (no Svelte)', async () => {
  const { Format } = await import('../../src/i18n/format.ts');
  it('gives the messages and numbers of its locale', () => {
    const zh = new Format('zh');
    const en = new Format('en');
    expect(en.t('app.title')).toBe('CRM Notebook');
    expect(zh.t('app.title')).toBe('客户分析笔记本');
    expect(en.t('app.engine.ready', { ms: 42 })).toBe('Engine ready (42 ms)');
    expect(zh.money(123456, true)).toBe('12.35万');
    expect(en.money(123456, true)).toBe('123.46K');
    expect(en.day('2024-02-29')).toBe('Feb 29, 2024');
    expect(zh.month('2024-02')).toBe('2024年2月');
  });
});
