/** Time-axis ticks shared by the charts with a calendar axis. */
import type { Lang } from '../i18n/lang.ts';

/**
 * Axis ticks in the reader's language: month starts as months (the year under January and the first tick), other ticks
 * (weeks on a short history) as month and day, the year under the first.
 */
export const timeTick = (lang: Lang) => {
  const monthDay = new Intl.DateTimeFormat(lang.tag, { month: 'short', day: 'numeric', timeZone: 'UTC' });
  return (d: Date, i: number) => {
    if (d.getUTCDate() === 1) return lang.monthTick(d, i);
    const md = monthDay.format(d);
    return i === 0 ? `${md}\n${d.getUTCFullYear()}` : md;
  };
};
