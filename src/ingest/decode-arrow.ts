/** Helpers shared by the XLSX and JSON decoders: column names, number text, and text-only Arrow IPC. */
import { Int32, Table, Utf8, tableToIPC, type Vector } from 'apache-arrow';
import { int32Vector, utf8Vector } from './arrow-vectors.ts';

/** Column names DuckDB will accept: blanks become `column{N}`, repeats (case-insensitive, as DuckDB compares) get `_2`, `_3`…; `__line` is taken by the reader. */
export function columnNames(names: readonly (string | null | undefined)[], blank: (i: number) => string = (i) => `column${i + 1}`): string[] {
  const taken = new Set<string>(['__line']);
  return names.map((raw, i) => {
    const base = raw == null || raw.trim() === '' ? blank(i) : raw.trim();
    let name = base;
    for (let k = 2; taken.has(name.toLowerCase()); k++) name = `${base}_${k}`;
    taken.add(name.toLowerCase());
    return name;
  });
}

/** A number as plain decimal text with at most 15 significant digits (what Excel shows): `0.1 + 0.2` → `0.3`, `12` → `12`, `1e21` → `1000000000000000000000`. */
export function plainNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  if (Number.isInteger(v) && Math.abs(v) < 1e15) return String(v);
  const short = String(v); // shortest round-trip text: right as it is when plain and within 15 digits
  if (!short.includes('e') && short.replace(/^-?0*\.?0*/, '').replace('.', '').length <= 15) return short;
  const [mantissa, exponent] = v.toExponential(14).split('e');
  const negative = mantissa.startsWith('-');
  const digits = mantissa.replace('-', '').replace('.', '').replace(/0+$/, '');
  const point = Number(exponent) + 1; // digits before the decimal point
  let text: string;
  if (point <= 0) text = '0.' + '0'.repeat(-point) + digits;
  else if (point >= digits.length) text = digits + '0'.repeat(point - digits.length);
  else text = digits.slice(0, point) + '.' + digits.slice(point);
  return (negative ? '-' : '') + text;
}

/**
 * An Arrow IPC stream of Utf8 columns (names must already be unique), and with `lines` an Int32 `__line` column
 * first: where each record is in the source (a text file's line, a sheet's row), for messages and the cleaning report.
 */
export function textTableIpc(names: readonly string[], columns: readonly (readonly (string | null)[])[], lines?: readonly number[]): Uint8Array {
  const vectors: Record<string, Vector<Utf8 | Int32>> = {};
  if (lines) vectors.__line = int32Vector(lines);
  names.forEach((name, i) => {
    vectors[name] = utf8Vector(columns[i]);
  });
  return tableToIPC(new Table(vectors), 'stream');
}

/** The message of an unknown thrown value, on one line. */
export function reason(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').find((l) => l.trim() !== '')?.trim().slice(0, 300) ?? 'unknown error';
}
