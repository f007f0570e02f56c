/** Messages and locale-aware formatting for one language, without Svelte: the page, reports and the headless command share it. */
import { en } from './en.ts';
import { zh, type MessageKey } from './zh.ts';

export type Locale = 'zh' | 'en';

/** One Intl formatter per locale and option set: building one costs far more than formatting a value. */
const formats = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

/** The messages and formatters of one locale. */
export class Format {
  constructor(readonly locale: Locale) {}

  /** BCP 47 tag for Intl formatting. */
  get tag(): string {
    return this.locale === 'zh' ? 'zh-CN' : 'en-US';
  }

  #number(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
    const id = `${this.tag}|n|${key}`;
    let f = formats.get(id) as Intl.NumberFormat | undefined;
    if (!f) formats.set(id, (f = new Intl.NumberFormat(this.tag, options)));
    return f;
  }

  #date(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
    const id = `${this.tag}|d|${key}`;
    let f = formats.get(id) as Intl.DateTimeFormat | undefined;
    if (!f) formats.set(id, (f = new Intl.DateTimeFormat(this.tag, { ...options, timeZone: 'UTC' })));
    return f;
  }

  /** The message for `key`, with `{name}` placeholders filled. */
  t = (key: MessageKey, params: Record<string, string | number> = {}): string => {
    const text = (this.locale === 'zh' ? zh : en)[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
  };

  int = (n: number): string => this.#number('int', { maximumFractionDigits: 0 }).format(n);

  num = (n: number, digits = 1): string =>
    this.#number(`num${digits}`, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);

  pct = (n: number, digits = 1): string =>
    this.#number(`pct${digits}`, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);

  /** Money without a currency (exports rarely say which): grouping and two decimals; compact for large values. */
  money = (n: number, compact = false): string =>
    compact && Math.abs(n) >= 100_000
      ? this.#number('money-compact', { notation: 'compact', maximumFractionDigits: 2 }).format(n)
      : this.#number('money', { maximumFractionDigits: 2, minimumFractionDigits: 2 }).format(n);

  /** Short axis labels: 5万 / 50K. */
  compact = (n: number): string => this.#number('compact', { notation: 'compact', maximumFractionDigits: 1 }).format(n);

  /** A calendar day `YYYY-MM-DD` formatted for the locale, without time-zone shifts. */
  day = (iso: string): string => {
    const [y, m, d] = iso.split('-').map(Number);
    return this.#date('day', { year: 'numeric', month: 'short', day: 'numeric' }).format(Date.UTC(y, m - 1, d));
  };

  /** A time-axis tick at a month start: the month, with the year under January (and under the first tick). */
  monthTick = (d: Date, i: number): string => {
    const month = this.#date('month-short', { month: 'short' }).format(d);
    return d.getUTCMonth() === 0 || i === 0 ? `${month}\n${d.getUTCFullYear()}` : month;
  };

  /** A month `YYYY-MM` formatted for the locale. */
  month = (iso: string): string => {
    const [y, m] = iso.split('-').map(Number);
    return this.#date('month', { year: 'numeric', month: 'short' }).format(Date.UTC(y, m - 1, 1));
  };
}

