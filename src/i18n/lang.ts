/**
 * One language's messages and locale-aware formatting, without state: what the page, a chart spec and a report
 * in Node share. The formatting itself is the `Format` class (format.ts); this module names the shape the chart
 * specs take and hands out one `Format` per locale, the same instances the page's reactive `i18n` delegates to.
 */
import { Format, type Locale } from './format.ts';
import type { MessageKey } from './zh.ts';

export type { Locale };

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

/** One `Format` per locale, built once; `satisfies` keeps the class and the interface in step. */
const formats = { zh: new Format('zh'), en: new Format('en') } satisfies Record<Locale, Lang>;

/** The messages and formatters of `locale`. */
export function lang(locale: Locale): Lang {
  return formats[locale];
}
