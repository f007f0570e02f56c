// Synthetic customers drawn from the BG/NBD and Gamma-Gamma models with a seed: the benchmark's workload.

import type { BgNbdParams } from './bgnbd.ts';
import type { GammaGammaParams } from './gammagamma.ts';
import { scoreCustomers, type ClvInput, type ClvScores, type ScoreOptions } from './pipeline.ts';

/** How to draw the customers. */
export interface SyntheticOptions {
  seed?: number;
  /** Purchase process (weeks); default close to the CDNOW estimates. */
  purchases?: BgNbdParams;
  /** Spend per purchase; default close to the CDNOW estimates. */
  spend?: GammaGammaParams;
  /** Ages at the calibration end are whole days, uniform in 1 … maxAgeDays (default 273, CDNOW's 39 weeks). */
  maxAgeDays?: number;
}

/** Seeded uniform generator on (0, 1) (xorshift32 mixed with a Weyl sequence). */
export function uniformSource(seed: number): () => number {
  let a = seed >>> 0 || 1;
  let b = 0x9e3779b9;
  return () => {
    a ^= a << 13;
    a ^= a >>> 17;
    a ^= a << 5;
    b = (b + 0x6d2b79f5) >>> 0;
    return (((a >>> 0) ^ b) >>> 0) / 4294967296 + 1e-12;
  };
}

// Marsaglia–Tsang Gamma(shape, 1); shape < 1 through the U^(1/shape) boost.
function gammaSampler(uniform: () => number): (shape: number) => number {
  const normal = () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
  const sample = (shape: number): number => {
    if (shape < 1) return sample(shape + 1) * uniform() ** (1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let z: number;
      let v: number;
      do {
        z = normal();
        v = 1 + c * z;
      } while (v <= 0);
      v = v * v * v;
      if (Math.log(uniform()) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  return sample;
}

/**
 * n customers in weeks, as the SQL summary would give them: purchases happen in continuous time but are
 * counted by distinct day, t_x and T are whole days / 7, and each purchase day's value is drawn from the
 * Gamma-Gamma model (z ~ Gamma(p, ν), ν ~ Gamma(q, v)). No holdout.
 */
export function syntheticCustomers(n: number, options: SyntheticOptions = {}): ClvInput {
  const truth = options.purchases ?? { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
  const spend = options.spend ?? { p: 6, q: 4, v: 15 };
  const maxAge = options.maxAgeDays ?? 273;
  const uniform = uniformSource(options.seed ?? 1);
  const gamma = gammaSampler(uniform);
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  const monetary = new Float64Array(n);
  const dayValue = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ageDays = 1 + Math.floor(uniform() * maxAge);
    const lambda = gamma(truth.r) / truth.alpha;
    const g = gamma(truth.a);
    const dropout = g / (g + gamma(truth.b));
    const nu = gamma(spend.q) / spend.v;
    let t = 0;
    let days = 0;
    let lastDay = 0;
    let repeatValue = 0;
    for (;;) {
      t += -Math.log(uniform()) / lambda;
      const day = Math.floor(t * 7);
      if (day >= ageDays) break;
      if (day > lastDay) {
        days++;
        lastDay = day;
        repeatValue += gamma(spend.p) / nu;
      }
      if (uniform() < dropout) break;
    }
    const firstValue = gamma(spend.p) / nu;
    x[i] = days;
    tx[i] = lastDay / 7;
    T[i] = ageDays / 7;
    monetary[i] = days > 0 ? repeatValue / days : 0;
    dayValue[i] = (firstValue + repeatValue) / (days + 1);
  }
  return { x, tx, T, monetary, dayValue };
}

/** Timings (ms) of one synthetic run. */
export interface SyntheticRun {
  input: ClvInput;
  scores: ClvScores;
  generateMs: number;
  /** Fit of the purchase model(s) and the spend model, and scoring of every customer. */
  fitAndScoreMs: number;
}

/** Draws n customers and fits and scores them (BG/NBD alone unless `compare` is set): the benchmark entry point. */
export function fitAndScoreSynthetic(n: number, options: SyntheticOptions & Partial<ScoreOptions> = {}): SyntheticRun {
  let started = performance.now();
  const input = syntheticCustomers(n, options);
  const generateMs = performance.now() - started;
  started = performance.now();
  const scores = scoreCustomers(input, {
    model: options.model ?? 'bgnbd',
    timeUnit: 'week',
    horizonMonths: options.horizonMonths ?? 12,
    monthlyDiscount: options.monthlyDiscount ?? 0.01,
    marginRate: options.marginRate ?? 1,
    holdoutLength: 0,
    compare: options.compare ?? false,
    onProgress: options.onProgress,
  });
  return { input, scores, generateMs, fitAndScoreMs: performance.now() - started };
}
