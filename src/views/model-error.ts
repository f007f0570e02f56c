/** A model's error as a cell shows it: data the model cannot run on in the user's language, input errors likewise, others as sent. */
import { i18n } from '../i18n/i18n.svelte.ts';
import { problemOf, problemText } from '../i18n/problems.ts';
import type { MessageKey } from '../i18n/zh.ts';
import { modelDataErrorData } from '../models/data-error.ts';

const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The sentence for an error a model call rejected with (reads the language, so a cell's text follows a switch). */
export function modelErrorText(e: unknown): string {
  const data = modelDataErrorData(e);
  if (!data) return problemText(problemOf(e));
  const params = Object.fromEntries(
    Object.entries(data.params).map(([k, v]) => [k, typeof v === 'number' ? i18n.int(v) : ISO_DAY.test(v) ? i18n.day(v) : v]),
  );
  return i18n.t(`model.error.${data.code}` as MessageKey, params);
}
