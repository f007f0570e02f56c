/** The UI language (zh-CN when the browser prefers Chinese), messages and locale-aware formatting. */
import type { MessageKey } from './zh.ts';
import { lang, type Lang, type Locale } from './lang.ts';
import { runWhenIdle } from '../idle.ts';

export type { Locale };

function preferred(): Locale {
  const stored = typeof localStorage !== 'undefined' ? localStorage.getItem('crm-notebook.locale') : null;
  if (stored === 'zh' || stored === 'en') return stored;
  const langs = typeof navigator !== 'undefined' ? navigator.languages ?? [navigator.language] : [];
  return langs.some((l) => l?.toLowerCase().startsWith('zh')) ? 'zh' : langs.length ? 'en' : 'zh';
}

class I18n implements Lang {
  locale = $state<Locale>(preferred());

  /** BCP 47 tag for Intl formatting. */
  get tag(): string {
    return this.format.tag;
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

  /** The formatter of the current locale (read through `locale`, so that views re-render when it changes). */
  get format(): Lang {
    return lang(this.locale);
  }

  t = (key: MessageKey, params: Record<string, string | number> = {}): string => this.format.t(key, params);
  int = (n: number): string => this.format.int(n);
  num = (n: number, digits = 1): string => this.format.num(n, digits);
  pct = (n: number, digits = 1): string => this.format.pct(n, digits);
  money = (n: number, compact = false): string => this.format.money(n, compact);
  compact = (n: number): string => this.format.compact(n);
  day = (iso: string): string => this.format.day(iso);
  monthTick = (d: Date, i: number): string => this.format.monthTick(d, i);
  month = (iso: string): string => this.format.month(iso);
}

export const i18n = new I18n();
i18n.warm();
