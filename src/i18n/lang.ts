/** One language's messages and locale-aware formatting, without state: what the page, a chart spec and a report in Node share. */
import { en } from './en.ts';
import { zh, type MessageKey } from './zh.ts';

export type Locale = 'zh' | 'en';

/** Messages and formatters of one locale. The page's `i18n` has the same shape and follows the chosen locale. */
export interface Lang {
  readonly locale: Locale;
  /** BCP 47 tag for Intl formatting. */
  readonly tag: string;
  /** The message for `key`, with `{name}` placeholders filled. */
  t(key: MessageKey, params?: Record<string, string | number>): string;
  int(n: number): string;
  num(n: number, digits?: number): string;
  pct(n: number, digits?: number): string;
  /** Money without a currency (exports rarely say which): grouping and two decimals; compact for large values. */
  money(n: number, compact?: boolean): string;
  /** Short axis labels: 5万 / 50K. */
  compact(n: number): string;
  /** A calendar day `YYYY-MM-DD` formatted for the locale, without time-zone shifts. */
  day(iso: string): string;
  /** A month `YYYY-MM` formatted for the locale. */
  month(iso: string): string;
  /** A time-axis tick at a month start: the month, with the year under January (and under the first tick). */
  monthTick(d: Date, i: number): string;
}

function build(locale: Locale): Lang {
  const tag = locale === 'zh' ? 'zh-CN' : 'en-US';
  const messages = locale === 'zh' ? zh : en;
  // One Intl formatter per option set: building one costs far more than formatting a value.
  const formats = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();
  const number = (key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat => {
    let f = formats.get(`n|${key}`) as Intl.NumberFormat | undefined;
    if (!f) formats.set(`n|${key}`, (f = new Intl.NumberFormat(tag, options)));
    return f;
  };
  const date = (key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat => {
    let f = formats.get(`d|${key}`) as Intl.DateTimeFormat | undefined;
    if (!f) formats.set(`d|${key}`, (f = new Intl.DateTimeFormat(tag, { ...options, timeZone: 'UTC' })));
    return f;
  };
  return {
    locale,
    tag,
    t: (key, params = {}) => (messages[key] ?? key).replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`)),
    int: (n) => number('int', { maximumFractionDigits: 0 }).format(n),
    num: (n, digits = 1) => number(`num${digits}`, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n),
    pct: (n, digits = 1) => number(`pct${digits}`, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n),
    money: (n, compact = false) =>
      compact && Math.abs(n) >= 100_000
        ? number('money-compact', { notation: 'compact', maximumFractionDigits: 2 }).format(n)
        : number('money', { maximumFractionDigits: 2, minimumFractionDigits: 2 }).format(n),
    compact: (n) => number('compact', { notation: 'compact', maximumFractionDigits: 1 }).format(n),
    day: (iso) => {
      const [y, m, d] = iso.split('-').map(Number);
      return date('day', { year: 'numeric', month: 'short', day: 'numeric' }).format(Date.UTC(y, m - 1, d));
    },
    month: (iso) => {
      const [y, m] = iso.split('-').map(Number);
      return date('month', { year: 'numeric', month: 'short' }).format(Date.UTC(y, m - 1, 1));
    },
    monthTick: (d, i) => {
      const month = date('month-short', { month: 'short' }).format(d);
      return d.getUTCMonth() === 0 || i === 0 ? `${month}\n${d.getUTCFullYear()}` : month;
    },
  };
}

const langs = new Map<Locale, Lang>();

/** The messages and formatters of `locale` (built once per locale). */
export function lang(locale: Locale): Lang {
  let l = langs.get(locale);
  if (!l) langs.set(locale, (l = build(locale)));
  return l;
}
