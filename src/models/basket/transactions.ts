// Compact transaction table (CSR layout of distinct integer item ids) for market basket analysis.

/**
 * Transactions in CSR layout: the items of transaction t are `items[offsets[t] .. offsets[t + 1])`,
 * distinct ids in `[0, nItems)`; `labels[id]` is the item's label, kept exactly as written.
 */
export interface Transactions {
  nItems: number;
  labels: string[];
  offsets: Int32Array;
  items: Int32Array;
}

/** Number of transactions (baskets) in a table, empty ones included. */
export function transactionCount(tx: Transactions): number {
  return Math.max(0, tx.offsets.length - 1);
}

/**
 * Builds a CSR table from baskets of labels: ids in order of first appearance, repeated labels within
 * a basket counted once, labels kept exactly (no trimming; only the empty string is skipped), ids
 * ascending within each transaction. Empty baskets stay (they count in N).
 */
export function buildTransactions(baskets: Iterable<readonly string[]>): Transactions {
  const ids = new Map<string, number>();
  const labels: string[] = [];
  let offsets = new Int32Array(1024);
  let items = new Int32Array(4096);
  let nTx = 0;
  let nOcc = 0;
  let stamp = new Int32Array(256); // stamp[id] = last transaction (1-based) that contained id
  for (const basket of baskets) {
    if (nTx + 2 > offsets.length) offsets = grow(offsets, nTx + 2);
    const start = nOcc;
    for (const label of basket) {
      if (label === '') continue;
      let id = ids.get(label);
      if (id === undefined) {
        id = labels.length;
        ids.set(label, id);
        labels.push(label);
        if (id >= stamp.length) stamp = grow(stamp, id + 1);
      }
      if (stamp[id] === nTx + 1) continue;
      stamp[id] = nTx + 1;
      if (nOcc + 1 > items.length) items = grow(items, nOcc + 1);
      items[nOcc++] = id;
    }
    if (nOcc - start > 1) items.subarray(start, nOcc).sort();
    nTx++;
    offsets[nTx] = nOcc;
  }
  return {
    nItems: labels.length,
    labels,
    offsets: offsets.slice(0, nTx + 1),
    items: items.slice(0, nOcc),
  };
}

/**
 * Checks a CSR table (offsets start at 0, never decrease and end at items.length; ids in range and
 * distinct within each transaction; one label per item) and throws a RangeError naming the first problem.
 */
export function validateTransactions(tx: Transactions): void {
  const { nItems, labels, offsets, items } = tx;
  if (!Number.isInteger(nItems) || nItems < 0) throw new RangeError(`nItems must be a non-negative integer, got ${nItems}`);
  if (labels.length !== nItems) throw new RangeError(`labels has ${labels.length} entries, expected nItems = ${nItems}`);
  if (offsets.length < 1 || offsets[0] !== 0) throw new RangeError('offsets must start with 0');
  const n = offsets.length - 1;
  if (offsets[n] !== items.length) throw new RangeError(`offsets end at ${offsets[n]}, expected items.length = ${items.length}`);
  const stamp = new Int32Array(nItems);
  for (let t = 0; t < n; t++) {
    const a = offsets[t];
    const b = offsets[t + 1];
    if (b < a) throw new RangeError(`offsets decrease at transaction ${t}`);
    for (let i = a; i < b; i++) {
      const id = items[i];
      if (!(id >= 0 && id < nItems)) throw new RangeError(`item id ${id} out of range in transaction ${t}`);
      if (stamp[id] === t + 1) throw new RangeError(`item ${id} repeated in transaction ${t}`);
      stamp[id] = t + 1;
    }
  }
}

function grow(a: Int32Array, need: number): Int32Array<ArrayBuffer> {
  let cap = Math.max(16, a.length);
  while (cap < need) cap *= 2;
  const b = new Int32Array(cap);
  b.set(a);
  return b;
}
