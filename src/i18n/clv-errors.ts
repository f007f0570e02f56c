/** The CLV model's input errors (English, as the headless command prints them) in a language: the page's or a report's. */
import type { Lang } from './lang.ts';

type Words = Pick<Lang, 't' | 'day'>;

const KNOWN: [RegExp, (m: RegExpMatchArray, l: Words) => string][] = [
  [/no customer has a repeat purchase \(all x = 0\)/, (_m, l) => l.t('clv.error.no_repeat')],
  [/no customer made a first purchase on or before the calibration end (\S+)/, (m, l) => l.t('clv.error.no_customers', { date: l.day(m[1]) })],
  [/the calibration end (\S+) is after the last day analysed \((\S+),/, (m, l) => l.t('clv.error.calibration_late', { date: l.day(m[1]), last: l.day(m[2]) })],
];

/** A model error for display: translated when it is one the user can act on, as written otherwise. */
export function clvErrorIn(message: string, lang: Words): string {
  for (const [pattern, text] of KNOWN) {
    const m = message.match(pattern);
    if (m) return text(m, lang);
  }
  return message;
}
