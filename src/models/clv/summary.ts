// Per-customer (x, t_x, T) summaries that the purchase models fit on: validation and collapsing of identical rows.

/**
 * Repeat purchases x (non-negative integers), recency t_x and age T in the model's time unit
 * (0 ≤ t_x ≤ T; t_x = 0 when x = 0), and an optional count of customers each row stands for.
 */
export interface CustomerSummary {
  x: ArrayLike<number>;
  tx: ArrayLike<number>;
  T: ArrayLike<number>;
  weights?: ArrayLike<number>;
}

/** Facts about a validated summary that the likelihood kernels need. */
export interface SummaryStats {
  rows: number;
  /** Σ weights: the number of customers the rows stand for. */
  customers: number;
  /** Customers with x > 0 (weighted). */
  repeaters: number;
  maxX: number;
  sumX: number;
  meanT: number;
}

/** Error for input a model cannot be fitted on; the message says which row and rule. */
export class ClvInputError extends Error {
  override name = 'ClvInputError';
}

/** Checks lengths and the domain rules of a summary and returns its totals; throws ClvInputError. */
export function validateSummary(summary: CustomerSummary): SummaryStats {
  const { x, tx, T, weights } = summary;
  const rows = x.length;
  if (tx.length !== rows || T.length !== rows || (weights && weights.length !== rows)) {
    throw new ClvInputError(`summary columns differ in length (x ${rows}, t_x ${tx.length}, T ${T.length}${weights ? `, weights ${weights.length}` : ''})`);
  }
  if (rows === 0) throw new ClvInputError('summary has no customers');
  let customers = 0;
  let repeaters = 0;
  let maxX = 0;
  let sumX = 0;
  let sumT = 0;
  for (let i = 0; i < rows; i++) {
    const xi = x[i];
    const ti = tx[i];
    const Ti = T[i];
    const wi = weights ? weights[i] : 1;
    if (!(xi >= 0) || xi !== Math.floor(xi) || xi > 1e7) {
      throw new ClvInputError(`row ${i}: x must be a non-negative whole number of repeat purchases (got ${xi})`);
    }
    if (!(ti >= 0) || !(Ti >= ti) || !Number.isFinite(Ti)) {
      throw new ClvInputError(`row ${i}: need 0 ≤ t_x ≤ T (got t_x ${ti}, T ${Ti})`);
    }
    if (xi === 0 && ti !== 0) throw new ClvInputError(`row ${i}: t_x must be 0 when x = 0 (got ${ti})`);
    if (!(wi >= 0) || !Number.isFinite(wi)) throw new ClvInputError(`row ${i}: weight must be finite and ≥ 0 (got ${wi})`);
    customers += wi;
    if (xi > 0) repeaters += wi;
    if (xi > maxX) maxX = xi;
    sumX += wi * xi;
    sumT += wi * Ti;
  }
  if (!(customers > 0)) throw new ClvInputError('summary weights sum to 0');
  return { rows, customers, repeaters, maxX, sumX, meanT: sumT / customers };
}

/** Customer summary whose columns are Float64Arrays and whose weights are always present. */
export interface CollapsedSummary {
  x: Float64Array;
  tx: Float64Array;
  T: Float64Array;
  weights: Float64Array;
}

/**
 * Merges identical (x, t_x, T) rows into one row carrying the summed weight, in first-seen order.
 * `rowOf`, when given (length = rows), receives each input row's index among the merged rows, so that
 * predictions made once per merged row can be spread back to every customer.
 */
export function collapseSummary(summary: CustomerSummary, rowOf?: Int32Array): CollapsedSummary {
  // A summary this made has no two rows alike: collapsing it again would copy it row for row (the fits collapse what
  // they are given, and the pipeline gives them its collapsed summary). Such summaries are read, never written.
  if (collapsed.has(summary)) {
    if (rowOf) for (let i = 0; i < rowOf.length; i++) rowOf[i] = i;
    return summary as CollapsedSummary;
  }
  // Open addressing on the raw bits of the three doubles: no per-row strings or objects for 1M rows.
  const { x, tx, T, weights } = summary;
  const rows = x.length;
  let capacity = 16;
  while (capacity < rows * 2) capacity *= 2;
  const mask = capacity - 1;
  const slots = new Int32Array(capacity).fill(-1);
  const outX = new Float64Array(rows);
  const outTx = new Float64Array(rows);
  const outT = new Float64Array(rows);
  const outW = new Float64Array(rows);
  const bits = new Float64Array(3);
  const words = new Uint32Array(bits.buffer);
  let unique = 0;
  for (let i = 0; i < rows; i++) {
    // +0 turns −0 into 0 so the two hash alike, as they compare equal.
    bits[0] = x[i] + 0;
    bits[1] = tx[i] + 0;
    bits[2] = T[i] + 0;
    let h = 0x811c9dc5;
    for (let k = 0; k < 6; k++) h = Math.imul(h ^ words[k], 0x01000193);
    h ^= h >>> 15;
    let slot = h & mask;
    for (;;) {
      const j = slots[slot];
      if (j === -1) {
        slots[slot] = unique;
        if (rowOf) rowOf[i] = unique;
        outX[unique] = bits[0];
        outTx[unique] = bits[1];
        outT[unique] = bits[2];
        outW[unique] = weights ? weights[i] : 1;
        unique++;
        break;
      }
      if (outX[j] === bits[0] && outTx[j] === bits[1] && outT[j] === bits[2]) {
        outW[j] += weights ? weights[i] : 1;
        if (rowOf) rowOf[i] = j;
        break;
      }
      slot = (slot + 1) & mask;
    }
  }
  const out: CollapsedSummary = {
    x: outX.slice(0, unique),
    tx: outTx.slice(0, unique),
    T: outT.slice(0, unique),
    weights: outW.slice(0, unique),
  };
  collapsed.add(out);
  return out;
}

/** The summaries collapseSummary made. */
const collapsed = new WeakSet<object>();
