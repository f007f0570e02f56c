/**
 * When the as-of field may apply what it holds. A date input reports every keystroke: typing the year 2022 passes
 * through 0002, 0020 and 0202, and typing a month or day passes through other whole dates. The field applies a
 * value only when it is a whole, real date in a plausible range, and only once typing pauses (or on Enter / leaving
 * the field), so a date typed digit by digit costs one recompute, not one per digit.
 */

/** The earliest as-of date the field accepts. */
export const AS_OF_FLOOR = '1900-01-01';

/** How long typing must pause before a complete date applies. */
export const AS_OF_PAUSE_MS = 700;

const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The latest as-of date the field accepts: the last day of the tenth year after `today`'s. */
export function asOfCeiling(today: Date): string {
  return `${today.getUTCFullYear() + 10}-12-31`;
}

/** `value` (what an `<input type="date">` holds) when it is a whole, real date from AS_OF_FLOOR to the ceiling; else null. */
export function plausibleAsOf(value: string, today: Date = new Date()): string | null {
  const m = ISO_DAY.exec(value);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d) return null;
  return value >= AS_OF_FLOOR && value <= asOfCeiling(today) ? value : null;
}
