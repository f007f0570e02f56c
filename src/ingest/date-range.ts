/**
 * The plausible dates of a row (MODELS.md §1): from a floor (a cleaning setting, default 1970-01-01) to the day the
 * analysis runs. Kept free of imports, so that the page can use the default without loading the ingest code.
 */
/** The default earliest plausible date. */
export const DATE_FLOOR = '1970-01-01';

/** The dates a row may carry: from `floor` to `today`, both included (YYYY-MM-DD). */
export interface DateRange {
  floor: string;
  today: string;
}

/** The machine's date in its own time zone, as YYYY-MM-DD (dates in the data are local wall-clock time too). */
export function localDay(now: Date = new Date()): string {
  return `${String(now.getFullYear()).padStart(4, '0')}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
}

/** The range of plausible dates for `settings` on the day `today` (default: the machine's date). */
export function dateRange(settings: { dateFloor?: string } = {}, today?: string): DateRange {
  const floor = settings.dateFloor ?? DATE_FLOOR;
  for (const [name, day] of [['cleaning.dateFloor', floor], ['today', today]] as const)
    if (day !== undefined && !isDay(day)) throw new Error(`${name} must be a date written YYYY-MM-DD, got "${day}"`);
  return { floor, today: today ?? localDay() };
}

function isDay(day: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return false;
  const d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
  return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
}

/** SQL: whether the timestamp `ts` (not NULL) falls outside `range` (before the floor, or after the end of today). */
export function outOfRangeSql(ts: string, range: DateRange): string {
  return `(${ts} < DATE '${range.floor}' OR ${ts} >= DATE '${range.today}' + 1)`;
}
