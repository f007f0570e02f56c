/** RFM segment schemes of MODELS.md §2: the 8-group Chinese scheme (A) and the 10-group R×F grid (B). */

/** Scheme A, keyed by R,F,M high (1) or low (0). */
export const SCHEME_A: Record<string, string> = {
  '111': '重要价值客户',
  '101': '重要发展客户',
  '011': '重要保持客户',
  '001': '重要挽留客户',
  '110': '一般价值客户',
  '100': '一般发展客户',
  '010': '一般保持客户',
  '000': '一般挽留客户',
};

/** Scheme B as [segment, R scores, F scores]; every R×F cell falls in exactly one. */
export const SCHEME_B: [string, number[], number[]][] = [
  ['Champions', [5], [4, 5]],
  ['Loyal Customers', [3, 4], [4, 5]],
  ['Potential Loyalists', [4, 5], [2, 3]],
  ['New Customers', [5], [1]],
  ['Promising', [4], [1]],
  ['Need Attention', [3], [3]],
  ['About to Sleep', [3], [1, 2]],
  ["Can't Lose Them", [1, 2], [5]],
  ['At Risk', [1, 2], [3, 4]],
  ['Hibernating', [1, 2], [1, 2]],
];

export const SEGMENTS_A = Object.values(SCHEME_A);
export const SEGMENTS_B = SCHEME_B.map(([s]) => s);

/** SQL CASE that names the scheme A segment from three boolean expressions. */
export function schemeASql(rHigh: string, fHigh: string, mHigh: string): string {
  const code = `(CASE WHEN ${rHigh} THEN '1' ELSE '0' END || CASE WHEN ${fHigh} THEN '1' ELSE '0' END || CASE WHEN ${mHigh} THEN '1' ELSE '0' END)`;
  return `CASE ${code} ${Object.entries(SCHEME_A).map(([k, v]) => `WHEN '${k}' THEN '${v}'`).join(' ')} END`;
}

/** SQL CASE that names the scheme B segment from R and F scores. */
export function schemeBSql(r: string, f: string): string {
  const whens = SCHEME_B.map(([name, rs, fs]) => `WHEN ${r} IN (${rs.join(',')}) AND ${f} IN (${fs.join(',')}) THEN '${name.replace("'", "''")}'`);
  return `CASE ${whens.join(' ')} END`;
}
