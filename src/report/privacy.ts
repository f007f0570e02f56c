/**
 * The report's privacy rule (MODELS.md §10): a group of fewer than `minGroup` customers shows its count as
 * "< minGroup" and hides its sums and means; shares of transactions (a rule's support, confidence, lift) stay.
 */

/** The default smallest group shown with its exact count, and the smallest a user may set. */
export const MIN_GROUP_DEFAULT = 5;
export const MIN_GROUP_FLOOR = 3;

/** A count as a report holds it: exact, or only known to be below the threshold. */
export type ReportCount = number | { below: number };

/** The threshold a report uses: the setting, never below the floor. */
export function minGroupOf(setting: number | undefined): number {
  return Math.max(MIN_GROUP_FLOOR, Math.floor(setting ?? MIN_GROUP_DEFAULT));
}

/** Whether a group of `customers` is too small to show (0 is shown: an empty group reveals no one). */
export function isSmall(customers: number, minGroup: number): boolean {
  return customers > 0 && customers < minGroup;
}

/** A group's count under the rule. */
export function reportCount(customers: number, minGroup: number): ReportCount {
  return isSmall(customers, minGroup) ? { below: minGroup } : customers;
}

/**
 * Rows of groups with their customer count in `countKey`: a small group keeps its label fields, shows its count
 * as below the threshold, and has every field in `hide` (its sums, means and shares of customers) set to null.
 */
export function maskGroups<T extends Record<string, unknown>, K extends keyof T>(
  rows: readonly T[],
  countKey: K,
  hide: readonly (keyof T)[],
  minGroup: number,
): (Omit<T, K> & Record<K, ReportCount>)[] {
  return rows.map((row) => {
    const n = Number(row[countKey]);
    if (!isSmall(n, minGroup)) return { ...row } as Omit<T, K> & Record<K, ReportCount>;
    const masked: Record<string, unknown> = { ...row, [countKey]: { below: minGroup } };
    for (const k of hide) masked[k as string] = null;
    return masked as Omit<T, K> & Record<K, ReportCount>;
  });
}

/** How a count reads in a report: "< 5" for a hidden one. */
export function countText(count: ReportCount, int: (n: number) => string): string {
  return typeof count === 'number' ? int(count) : `< ${int(count.below)}`;
}
