/** Ingest in two steps: read a file and guess its mapping; then apply a (possibly corrected) mapping and clean. */
import { ident, type Db } from '../db/db.ts';
import { cleanOrders, type CleaningReport, type CleaningSettings, type CleanOptions } from './clean.ts';
import { dateRange } from './date-range.ts';
import { InputError } from './errors.ts';
import {
  CUSTOMER_FIELDS, EVENT_FIELDS, guessMapping, guessRole, mappingNotes, matchScore, missingRequired, ORDER_FIELDS, profileColumns,
  type ColumnProfile, type Field, type Mapping, type MappingNote, type Role,
} from './mapping.ts';
import { readSource, type DiskFile, type RawSource, type ReadOptions } from './read.ts';
import { buildBaskets, buildCustomers, buildEvents, type TableReport } from './tables.ts';

export interface LoadedSource {
  raw: RawSource;
  profiles: ColumnProfile[];
  role: Role;
  mapping: Mapping;
  missing: Field[];
  /** What the user should know about the guessed mapping (a header the file has twice). */
  notes: MappingNote[];
}

/**
 * Read a file into raw table `slot` and guess its role and mapping; a file that fails leaves no table behind.
 *
 * `role` is the user's word and wins over the guess: the columns are mapped for that role, and fields no column fits
 * are left missing, for `applyMapping` to refuse by name. The one exception is a basket-per-line file (its lines have
 * no columns to map), which is the basket form of an orders file: asked for as orders, it is read as baskets.
 * `bytes` are the file's bytes, or the file on disk (the headless command: see `readSource`).
 */
export async function loadFile(db: Db, file: string, bytes: Uint8Array | DiskFile, slot: string, opts: ReadOptions & { role?: Role } = {}): Promise<LoadedSource> {
  try {
    const read = async (sheet: string | undefined) => {
      const raw = await readSource(db, file, bytes, slot, { ...opts, sheet });
      return { raw, profiles: raw.format === 'baskets' ? [] : await profileColumns(db, raw.table, raw.columns) };
    };
    let { raw, profiles } = await read(opts.sheet);
    if (raw.format !== 'baskets' && !recognisable(profiles)) {
      const first = raw;
      let found = false;
      // A workbook whose first sheet is a cover or notes: read the first other sheet that has data to map.
      if (opts.sheet === undefined)
        for (const sheet of first.sheets?.filter((s) => s !== first.sheet) ?? []) {
          try {
            const other = await read(sheet);
            if (recognisable(other.profiles)) {
              ({ raw, profiles } = other);
              found = true;
              break;
            }
          } catch (e) {
            if (!(e instanceof InputError)) throw e;
          }
        }
      if (!found && !opts.role) throw new InputError(file, 'unrecognised', { columns: first.columns, sheet: first.sheet });
      // Asked for a role: map the first sheet for it after all (and say what it lacks).
      if (!found && raw !== first) ({ raw, profiles } = await read(first.sheet));
    }
    const role = raw.format === 'baskets' && (!opts.role || opts.role === 'orders') ? 'baskets' : (opts.role ?? guessRole(profiles, raw.format));
    return forRole({ raw, profiles, role: 'baskets', mapping: {}, missing: [], notes: [] }, role);
  } catch (e) {
    await db.query(`DROP TABLE IF EXISTS ${ident(slot)}`);
    throw e;
  }
}

/** The source read as `role`: the mapping guessed for that role, what it lacks, and notes on it. */
export function forRole(source: LoadedSource, role: Role): LoadedSource {
  const mapping = guessMapping(source.profiles, role);
  return { ...source, role, mapping, missing: missingRequired(mapping, role), notes: mappingNotes(source.raw.columns, mapping) };
}

/** Some column is named like a field we know, or holds dates: otherwise there is nothing to map. */
function recognisable(profiles: ColumnProfile[]): boolean {
  const fields = new Set<Field>([...ORDER_FIELDS, ...CUSTOMER_FIELDS, ...EVENT_FIELDS]);
  return profiles.some((p) => !p.rowIndex && ([...fields].some((f) => matchScore(p.column, f) > 0) || (p.nonNull > 0 && p.date >= p.nonNull * 0.8)));
}

export interface Applied {
  role: Role;
  /** Orders: the cleaning report. */
  report?: CleaningReport;
  /** Customers and events: what was loaded and what was left out. */
  table?: TableReport;
  rows: number;
  /** Orders: the default as-of date (the day after the last purchase), when there is a purchase. */
  defaultAsOf?: string;
}

/**
 * Build the canonical table for a loaded source with `mapping`. An InputError leaves the canonical tables
 * built from earlier files as they were. With `release`, the raw table is dropped once it has been read (also when
 * the mapping turns out unusable): a caller that keeps the file reads it again to apply another mapping.
 */
export async function applyMapping(db: Db, source: LoadedSource, mapping: Mapping, settings: CleaningSettings = {}, opts: CleanOptions = {}): Promise<Applied> {
  const { raw, role } = source;
  const missing = missingRequired(mapping, role);
  for (const [field, column] of Object.entries(mapping))
    if (column && !raw.columns.includes(column)) throw new InputError(raw.file, 'mapping_column', { field, column, sheet: raw.sheet });
  if (missing.length) throw new InputError(raw.file, 'missing_fields', { fields: missing, columns: raw.columns, sheet: raw.sheet });
  try {
    if (role === 'orders') {
      // The row index, as the profile found it: the same column whatever name the file's reader gave its blank header.
      const index = source.profiles.find((p) => p.rowIndex)?.column;
      const report = await cleanOrders(db, raw, mapping, settings, { ...opts, index });
      return { role, report, rows: report.rows_loaded };
    }
    if (role === 'baskets') return { role, rows: await buildBaskets(db, raw) };
    const range = dateRange(settings, opts.today);
    const table = role === 'customers' ? await buildCustomers(db, raw, mapping, range) : await buildEvents(db, raw, mapping, range);
    return { role, table, rows: table.rows_loaded };
  } finally {
    if (opts.release) await db.query(`DROP TABLE IF EXISTS ${ident(raw.table)}`);
  }
}

export { InputError, inputErrorData, formatInputError, type InputErrorCode, type InputErrorParams, type InputErrorData } from './errors.ts';
export type { CleaningReport, CleaningSettings, FaultExample } from './clean.ts';
export type { DateRange } from './date-range.ts';
export type { TableReport } from './tables.ts';
export type { Mapping, MappingNote, Role, Field, ColumnProfile } from './mapping.ts';
export { mappingNotes } from './mapping.ts';
export { readSource, type DiskFile, type SourceNote } from './read.ts';
