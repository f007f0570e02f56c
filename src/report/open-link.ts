/** Opening a share link's fragment: the report it holds, a request for its password, or why it cannot be opened. */
import type { Lang } from '../i18n/lang.ts';
import { decodeFragment, LinkError } from '../notebook/share-codec.ts';
import { asReport, ReportFormatError, type Report } from './format.ts';

export type LinkOutcome =
  | { state: 'report'; report: Report }
  /** Sealed: the reader's password is needed (`wrong`: the one given did not open it). */
  | { state: 'password'; wrong: boolean }
  | { state: 'error'; problem: 'malformed' | 'version' | 'not_report'; version?: string };

/** What a fragment (`#r=…`) opens to, with the password the reader gave if any. */
export async function openLink(fragment: string, password?: string): Promise<LinkOutcome> {
  try {
    return { state: 'report', report: asReport(await decodeFragment(fragment, password || undefined)) };
  } catch (e) {
    if (e instanceof LinkError) {
      if (e.code === 'password_needed') return { state: 'password', wrong: false };
      if (e.code === 'password_wrong') return { state: 'password', wrong: true };
      if (e.code === 'version') return { state: 'error', problem: 'version', version: e.version };
      return { state: 'error', problem: 'malformed' };
    }
    if (e instanceof ReportFormatError) {
      return e.code === 'version' ? { state: 'error', problem: 'version', version: String(e.version).slice(0, 12) } : { state: 'error', problem: 'not_report' };
    }
    return { state: 'error', problem: 'malformed' };
  }
}

/** Why a link cannot be opened, in the reader's language. */
export function linkProblemText(outcome: Extract<LinkOutcome, { state: 'error' }>, lang: Lang): string {
  if (outcome.problem === 'version') return lang.t('link.error.version', { version: outcome.version ?? '?' });
  return lang.t(outcome.problem === 'not_report' ? 'link.error.not_report' : 'link.error.malformed');
}
