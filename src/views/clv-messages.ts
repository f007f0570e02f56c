/** The CLV model's input errors (English, as the headless command prints them) in the user's language. */
import { clvErrorIn } from '../i18n/clv-errors.ts';
import { i18n } from '../i18n/i18n.svelte.ts';

/** A model error for display: translated when it is one the user can act on, as written otherwise. */
export function clvErrorText(message: string): string {
  return clvErrorIn(message, i18n);
}
