/** The UI language (zh-CN when the browser prefers Chinese), messages and locale-aware formatting. */
import { en } from './en.ts';
import { zh, type MessageKey } from './zh.ts';

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
  }

  /** The message for `key`, with `{name}` placeholders filled. */
  t = (key: MessageKey, params: Record<string, string | number> = {}): string => {
    const text = (this.locale === 'zh' ? zh : en)[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, k: string) => String(params[k] ?? `{${k}}`));
  };

  int = (n: number): string => new Intl.NumberFormat(this.tag, { maximumFractionDigits: 0 }).format(n);

  num = (n: number, digits = 1): string => new Intl.NumberFormat(this.tag, { maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);

  pct = (n: number, digits = 1): string => new Intl.NumberFormat(this.tag, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: digits }).format(n);

  /** Money without a currency (exports rarely say which): grouping and two decimals; compact for large values. */
  money = (n: number, compact = false): string =>
    compact && Math.abs(n) >= 100_000
      ? new Intl.NumberFormat(this.tag, { notation: 'compact', maximumFractionDigits: 2 }).format(n)
      : new Intl.NumberFormat(this.tag, { maximumFractionDigits: 2, minimumFractionDigits: 2 }).format(n);

  /** Short axis labels: 5万 / 50K. */
  compact = (n: number): string => new Intl.NumberFormat(this.tag, { notation: 'compact', maximumFractionDigits: 1 }).format(n);

  /** A calendar day `YYYY-MM-DD` formatted for the locale, without time-zone shifts. */
  day = (iso: string): string => {
    const [y, m, d] = iso.split('-').map(Number);
    return new Intl.DateTimeFormat(this.tag, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d));
  };

  /** A time-axis tick at a month start: the month, with the year under January (and under the first tick). */
  monthTick = (d: Date, i: number): string => {
    const month = new Intl.DateTimeFormat(this.tag, { month: 'short', timeZone: 'UTC' }).format(d);
    return d.getUTCMonth() === 0 || i === 0 ? `${month}\n${d.getUTCFullYear()}` : month;
  };

  /** A month `YYYY-MM` formatted for the locale. */
  month = (iso: string): string => {
    const [y, m] = iso.split('-').map(Number);
    return new Intl.DateTimeFormat(this.tag, { year: 'numeric', month: 'short', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, 1));
  };
}

export const i18n = new I18n();
