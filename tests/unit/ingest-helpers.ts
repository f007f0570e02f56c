// Helpers for the ingest tests: load through the real pipeline, catch InputErrors, and a plain CSV parser to recompute counts independently.
import { expect } from 'vitest';
import { rows, type Db } from '../../src/db/db.ts';
import { applyMapping, InputError, loadFile, type Applied, type CleaningReport, type LoadedSource, type Mapping } from '../../src/ingest/index.ts';
import type { CleaningSettings } from '../../src/ingest/clean.ts';

export const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** Load `bytes` as `file` and apply the guessed mapping (with `override` on top); `today` is the day the analysis runs. */
export async function ingest(
  db: Db,
  file: string,
  bytes: Uint8Array,
  opts: { slot?: string; sheet?: string; mapping?: Mapping; cleaning?: CleaningSettings; today?: string } = {},
): Promise<{ loaded: LoadedSource; applied: Applied; report: CleaningReport }> {
  const loaded = await loadFile(db, file, bytes, opts.slot ?? 'raw_t', { sheet: opts.sheet });
  const applied = await applyMapping(db, loaded, { ...loaded.mapping, ...(opts.mapping ?? {}) }, opts.cleaning, { today: opts.today });
  return { loaded, applied, report: applied.report! };
}

/** The InputError `p` rejects with (fails the test when it resolves or throws something else). */
export async function inputError(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

/** rows_read = rows_loaded + every removed count (MODELS.md §1). */
export function expectIdentity(r: CleaningReport): void {
  expect(r.rows_read).toBe(r.rows_loaded + r.duplicates_removed + r.bad_date + r.bad_amount + r.out_of_range_date + r.unreadable_row);
}

/** The cleaned purchases, as plain comparable values: one row per purchase, ordered. */
export async function purchases(db: Db): Promise<{ customer_id: string | null; day: string; ts: string; net: string }[]> {
  return rows(
    db,
    `SELECT customer_id, strftime(order_day, '%Y-%m-%d') AS day, strftime(order_ts, '%Y-%m-%d %H:%M:%S') AS ts, net::VARCHAR AS net
     FROM purchases ORDER BY customer_id NULLS LAST, order_ts, net`,
  );
}

/** RFC 4180 records of `text` (quotes doubled inside quoted values; CRLF or LF), blank lines skipped. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endRow = () => {
    row.push(field);
    if (!(row.length === 1 && row[0] === '')) out.push(row);
    row = [];
    field = '';
  };
  while (i < text.length) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"' && field === '') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n') endRow();
    else if (c !== '\r') field += c;
    i++;
  }
  if (field !== '' || row.length) endRow();
  return out;
}
