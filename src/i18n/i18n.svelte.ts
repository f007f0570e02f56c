/** The UI language (zh-CN when the browser prefers Chinese), messages and locale-aware formatting. */
import { en } from './en.ts';
import { zh, type MessageKey } from './zh.ts';
import { runWhenIdle } from '../idle.ts';

export type Locale = 'zh' | 'en';

function preferred(): Locale {
  const stored = typeof localStorage !== 'undefined' ? localStorage.getItem('crm-notebook.locale') : null;
  if (stored === 'zh' || stored === 'en') return stored;
  const langs = typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : [];
  return langs.some((l) => l?.toLowerCase().startsWith('zh')) ? 'zh' : langs.length ? 'en' : 'zh';
}

class I18n {
  locale = $state<Locale>(preferred());

  /** BCP 47 tag for Intl formatting. */
  get tag(): string {
    return this.locale === 'zh' ? 'zh-CN' : 'en-US';
  }

  set(locale: Locale): void {
    this.locale = locale;
    localStorage.setItem('crm-notebook.locale', locale);
    document.documentElement.lang = this.tag;
    this.warm();
  }

  /**
   * Build the locale's formatters ahead of need, one per idle moment: the first formatter of a locale loads
   * its data (tens of milliseconds), which would otherwise land in the task that draws the first result.
   */
  warm(): void {
    runWhenIdle([
      () => this.int(0),
      () => this.num(0),
      () => this.num(0, 2),
      () => this.pct(0),
      () => this.pct(0, 0),
      () => this.money(0),
      () => this.money(1e6, true),
      () => this.compact(0),
      () => this.day('2024-01-01'),
      () => this.month('2024-01'),
      () => this.monthTick(new Date(0), 1),
    ]);
  }

  /** The message for `key`, with `{name}` placeholders filled. */
  t = (key: MessageKey, params: Record<string, string | number> = {}): string => {
    const text = (this.locale === 'zh' ? zh : en)[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
  };

  /** One Intl formatter per locale and option set: building one costs far more than formatting a value. */
  #formats = new Map<string, Intl.NumberFormat | Intl.DateTimeFormat>();

  #number(key: string, options: Intl.NumberFormatOptions): Intl.NumberFormat {
    const id = `${this.tag}|n|${key}`;
    let f = this.#formats.get(id) as Intl.NumberFormat | undefined;
    if (!f) this.#formats.set(id, (f = new Intl.NumberFormat(this.tag, options)));
    return f;
  }

  #date(key: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
    const id = `${this.tag}|d|${key}`;
    let f = this.#formats.get(id) as Intl.DateTimeFormat | undefined;
    if (!f) this.#formats.set(id, (f = new Intl.DateTimeFormat(this.tag, { ...options, timeZone: 'UTC' })));
    return f;
  }

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

export const i18n = new I18n();
i18n.warm();
