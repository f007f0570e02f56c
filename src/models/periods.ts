/**
 * Calendar periods as integers, so that "k periods later" is a subtraction. Weeks start on Monday and are
 * labelled by their ISO week (`2024-W01`, the ISO week-numbering year); months `2024-03`; quarters `2024-Q1`.
 */

export type PeriodUnit = 'week' | 'month' | 'quarter';

export const PERIOD_UNITS: readonly PeriodUnit[] = ['month', 'week', 'quarter'];

/** 1900-01-01 was a Monday: week numbers count Monday-based weeks from it. */
const WEEK_EPOCH = `DATE '1900-01-01'`;

/** SQL for the integer period of a DATE expression. */
export function periodIndexSql(unit: PeriodUnit, day: string): string {
  if (unit === 'week') return `((${day} - ${WEEK_EPOCH}) // 7)::INTEGER`;
  if (unit === 'quarter') return `(year(${day}) * 4 + (month(${day}) - 1) // 3)::INTEGER`;
  return `(year(${day}) * 12 + month(${day}) - 1)::INTEGER`;
}

/** SQL for the first day (DATE) of an integer period. */
export function periodStartSql(unit: PeriodUnit, index: string): string {
  if (unit === 'week') return `(${WEEK_EPOCH} + (7 * (${index}))::INTEGER)::DATE`;
  if (unit === 'quarter') return `make_date(((${index}) // 4)::INTEGER, (((${index}) % 4) * 3 + 1)::INTEGER, 1)`;
  return `make_date(((${index}) // 12)::INTEGER, ((${index}) % 12 + 1)::INTEGER, 1)`;
}

/** SQL for the label of an integer period. */
export function periodLabelSql(unit: PeriodUnit, index: string): string {
  if (unit === 'week') return `strftime(${periodStartSql(unit, index)}, '%G-W%V')`;
  if (unit === 'quarter') return `(((${index}) // 4)::VARCHAR || '-Q' || (((${index}) % 4) + 1)::VARCHAR)`;
  return `strftime(${periodStartSql(unit, index)}, '%Y-%m')`;
}
