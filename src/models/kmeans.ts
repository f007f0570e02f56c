/**
 * k-means on points packed in one Float64Array (point i at [i·dim, (i+1)·dim)): k-means++ seeding from a
 * seeded PRNG, then Lloyd's iterations. Deterministic: the same points, k and seed give the same result.
 */

export interface KMeansOptions {
  /** PRNG seed (mulberry32); default 20240618. */
  seed?: number;
  /** Independent k-means++ starts; the one with the lowest inertia wins (ties: the earliest). Default 4. */
  starts?: number;
  /** Most Lloyd iterations per start (default 300); runs stop earlier when they settle (see `lloyd`). */
  maxIterations?: number;
}

export interface KMeansFit {
  k: number;
  dim: number;
  /** Cluster index 0..k−1 of every point. */
  labels: Int32Array;
  /** k centers, packed like the points. */
  centers: Float64Array;
  /** Sum of squared distances of the points to their centers. */
  inertia: number;
  /** Lloyd iterations of the winning start. */
  iterations: number;
}

export const DEFAULT_SEED = 20240618;

/** mulberry32: a small, fast 32-bit PRNG with a good spread, returning numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cluster `points` (n = points.length / dim) into k groups. */
export function kmeans(points: Float64Array, dim: number, k: number, options: KMeansOptions = {}): KMeansFit {
  const n = points.length / dim;
  if (!Number.isInteger(n)) throw new Error('points must hold a whole number of points');
  if (!Number.isInteger(k) || k < 1) throw new Error(`k must be a positive whole number, got ${k}`);
  if (k > n) throw new Error(`k (${k}) exceeds the number of points (${n})`);
  const rand = mulberry32(options.seed ?? DEFAULT_SEED);
  const starts = Math.max(1, Math.floor(options.starts ?? 4));
  const tol = tolerance(points, dim);
  let best: KMeansFit | null = null;
  for (let s = 0; s < starts; s++) {
    const fit = lloyd(points, dim, k, seedCenters(points, dim, k, rand), options.maxIterations ?? 300, tol);
    if (!best || fit.inertia < best.inertia) best = fit;
  }
  return best!;
}

/** k-means++ (Arthur & Vassilvitskii 2007): each next center drawn with probability ∝ squared distance to the nearest chosen one. */
function seedCenters(points: Float64Array, dim: number, k: number, rand: () => number): Float64Array {
  const n = points.length / dim;
  const centers = new Float64Array(k * dim);
  const nearest = new Float64Array(n);
  let pick = Math.floor(rand() * n);
  for (let c = 0; c < k; c++) {
    centers.set(points.subarray(pick * dim, pick * dim + dim), c * dim);
    let total = 0;
    for (let i = 0; i < n; i++) {
      const d = dist2(points, i, centers, c, dim);
      if (c === 0 || d < nearest[i]) nearest[i] = d;
      total += nearest[i];
    }
    if (c === k - 1) break;
    if (total === 0) {
      pick = Math.floor(rand() * n);
      continue;
    }
    const target = rand() * total;
    let acc = 0;
    pick = -1;
    for (let i = 0; i < n; i++) {
      if (nearest[i] === 0) continue;
      acc += nearest[i];
      pick = i;
      if (acc > target) break;
    }
  }
  return centers;
}

/**
 * Lloyd's iterations from the given centers, until no assignment changes or the centers move less than
 * `tol` (sum of squared shifts, as scikit-learn: 1e-4 × the mean variance of the features), then a final
 * assignment to the last centers. An emptied cluster takes the point farthest from its center.
 *
 * Each point is assigned to its nearest center, the first one on ties, exactly as comparing every center
 * would; Hamerly's bounds (2010) only skip comparisons that cannot change the answer: an upper bound on the
 * distance to the point's center and a lower bound on the distance to any other, kept through the centers'
 * moves by the triangle inequality. A skip needs a clear margin (far above rounding), so ties and near-ties
 * are always compared in full; the squared distance to the chosen center is computed exactly as the full
 * comparison computes it, so inertia and the farthest point are the same too.
 */
function lloyd(points: Float64Array, dim: number, k: number, centers: Float64Array, maxIterations: number, tol: number): KMeansFit {
  const n = points.length / dim;
  const labels = new Int32Array(n).fill(-1);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n);
  const half = new Float64Array(k);
  const moved = new Float64Array(k);
  const sums = new Float64Array(k * dim);
  const counts = new Int32Array(k);
  let dists: Float64Array | null = null;
  let bounded = false;
  // The largest center move and the largest of the others: what a lower bound loses per iteration.
  let most = 0;
  let next = 0;
  let iterations = 0;
  let settled = false;
  for (;;) {
    if (bounded) halfGaps(centers, dim, k, half);
    let changed = 0;
    sums.fill(0);
    counts.fill(0);
    for (let i = 0; i < n; i++) {
      let a = labels[i];
      let skip = false;
      if (bounded) {
        upper[i] += moved[a];
        lower[i] -= a === most ? next : moved[most];
        const bound = Math.max(half[a], lower[i]);
        if (!clearlyBelow(upper[i], bound)) upper[i] = Math.sqrt(dist2(points, i, centers, a, dim));
        skip = clearlyBelow(upper[i], bound);
      }
      if (!skip) {
        let bestD = Infinity;
        let secondD = Infinity;
        a = 0;
        for (let c = 0; c < k; c++) {
          const d = dist2(points, i, centers, c, dim);
          if (d < bestD) {
            secondD = bestD;
            bestD = d;
            a = c;
          } else if (d < secondD) {
            secondD = d;
          }
        }
        if (labels[i] !== a) changed++;
        labels[i] = a;
        upper[i] = Math.sqrt(bestD);
        lower[i] = Math.sqrt(secondD);
      }
      counts[a]++;
      for (let j = 0; j < dim; j++) sums[a * dim + j] += points[i * dim + j];
    }
    if (changed === 0 || settled || iterations >= maxIterations) break;
    iterations++;
    let shift = 0;
    for (let c = 0; c < k; c++) {
      if (counts[c] === 0) {
        dists ??= Float64Array.from({ length: n }, (_, i) => dist2(points, i, centers, labels[i], dim));
        let far = 0;
        for (let i = 1; i < n; i++) if (dists[i] > dists[far]) far = i;
        for (let j = 0; j < dim; j++) sums[c * dim + j] = points[far * dim + j];
        counts[c] = 1;
        dists[far] = 0;
      }
      let own = 0;
      for (let j = 0; j < dim; j++) {
        const next = sums[c * dim + j] / counts[c];
        const step = (next - centers[c * dim + j]) ** 2;
        shift += step;
        own += step;
        centers[c * dim + j] = next;
      }
      moved[c] = Math.sqrt(own);
    }
    dists = null;
    settled = shift <= tol;
    most = 0;
    for (let c = 1; c < k; c++) if (moved[c] > moved[most]) most = c;
    next = 0;
    for (let c = 0; c < k; c++) if (c !== most && moved[c] > next) next = moved[c];
    bounded = true;
  }
  let inertia = 0;
  for (let i = 0; i < n; i++) inertia += dist2(points, i, centers, labels[i], dim);
  return { k, dim, labels, centers, inertia, iterations };
}

/** Whether distance bound u is below `bound` by a margin far above the rounding of the bounds' arithmetic. */
function clearlyBelow(u: number, bound: number): boolean {
  return u * (1 + 1e-9) + 1e-12 < bound;
}

/** Half the distance from each center to its nearest other center (Infinity when there is no other). */
function halfGaps(centers: Float64Array, dim: number, k: number, out: Float64Array): void {
  out.fill(Infinity);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const gap = Math.sqrt(dist2(centers, a, centers, b, dim)) / 2;
      if (gap < out[a]) out[a] = gap;
      if (gap < out[b]) out[b] = gap;
    }
  }
}

/** 1e-4 × the mean over features of their variance. */
function tolerance(points: Float64Array, dim: number): number {
  const n = points.length / dim;
  let total = 0;
  for (let j = 0; j < dim; j++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += points[i * dim + j];
    mean /= n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (points[i * dim + j] - mean) ** 2;
    total += ss / n;
  }
  return (1e-4 * total) / dim;
}

function dist2(points: Float64Array, i: number, centers: Float64Array, c: number, dim: number): number {
  let d = 0;
  for (let j = 0; j < dim; j++) {
    const x = points[i * dim + j] - centers[c * dim + j];
    d += x * x;
  }
  return d;
}
