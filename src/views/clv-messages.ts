/** The CLV model's input errors (English, as the headless command prints them) in the user's language. */
import { i18n } from '../i18n/i18n.svelte.ts';

const KNOWN: [RegExp, (m: RegExpMatchArray) => string][] = [
  [/no customer has a repeat purchase \(all x = 0\)/, () => i18n.t('clv.error.no_repeat')],
  [/no customer made a first purchase on or before the calibration end (\S+)/, (m) => i18n.t('clv.error.no_customers', { date: i18n.day(m[1]) })],
  [/the calibration end (\S+) is after the last day analysed \((\S+),/, (m) => i18n.t('clv.error.calibration_late', { date: i18n.day(m[1]), last: i18n.day(m[2]) })],
];

/** A model error for display: translated when it is one the user can act on, as written otherwise. */
export function clvErrorText(message: string): string {
  for (const [pattern, text] of KNOWN) {
    const m = message.match(pattern);
    if (m) return text(m);
  }
  return message;
}
