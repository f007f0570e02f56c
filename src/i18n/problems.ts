/** Errors as the page shows them: input errors in the user's language (from their code and params), others as sent. */
import { formatInputError, inputErrorData, type InputErrorData } from '../ingest/errors.ts';
import { i18n } from './i18n.svelte.ts';
import type { MessageKey } from './zh.ts';

/** What the notebook keeps of an error: its English text, and for input errors what is needed to say it in any language. */
export interface Problem {
  text: string;
  input?: InputErrorData;
  /** A notebook file that could not be read: its name, and the reason's code and params (template.ts). */
  template?: { file: string; code: string; params: Record<string, string | number> };
}

/** Keep an error thrown by the engine (an InputError rebuilt by comlink carries `code` and `params`). */
export function problemOf(e: unknown): Problem {
  const text = (e instanceof Error ? e.message : String(e)).replace(/^(Error|InputError):\s*/, '');
  const input = inputErrorData(e);
  return input ? { text, input } : { text };
}

/** The error's sentence in the current language: file, sheet, line and column first, then the reason. */
export function problemText(p: Problem): string {
  if (p.template) {
    const { file, code, params } = p.template;
    return i18n.t('template.file_error', { file, message: i18n.t(`template.error.${code}` as MessageKey, params) });
  }
  if (!p.input) return p.text;
  return formatInputError((key) => i18n.t(key as MessageKey), p.input.code, p.input.params, (f) => i18n.t(`field.${f}` as MessageKey));
}
