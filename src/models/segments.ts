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

/** Index in SEGMENTS_A of the scheme A segment of a customer whose R, F and M are high or not. */
export function schemeAIndex(rHigh: boolean, fHigh: boolean, mHigh: boolean): number {
  return SCHEME_A_INDEX[(rHigh ? 4 : 0) + (fHigh ? 2 : 0) + (mHigh ? 1 : 0)];
}

/** Index in SEGMENTS_B of the scheme B segment of R and F scores (1–5 each). */
export function schemeBIndex(r: number, f: number): number {
  return SCHEME_B_INDEX[(r - 1) * 5 + (f - 1)];
}

const SCHEME_A_INDEX = Array.from({ length: 8 }, (_, bits) => SEGMENTS_A.indexOf(SCHEME_A[(bits >> 2).toString() + ((bits >> 1) & 1) + (bits & 1)]));
const SCHEME_B_INDEX = Array.from({ length: 25 }, (_, i) => SCHEME_B.findIndex(([, rs, fs]) => rs.includes(Math.floor(i / 5) + 1) && fs.includes((i % 5) + 1)));
