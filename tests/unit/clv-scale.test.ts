import { describe, expect, it } from 'vitest';
import { fitBgNbd } from '../../src/models/clv/bgnbd.ts';
import { collapseSummary } from '../../src/models/clv/summary.ts';

// Seeded xorshift128+ style generator in [0, 1): reproducible synthetic customers without dependencies.
function uniformSource(seed: number): () => number {
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

// Marsaglia–Tsang gamma(shape, 1); shape < 1 via the U^(1/shape) boost.
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
      const u = uniform();
      if (Math.log(u) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
    }
  };
  return sample;
}

/** BG/NBD customers with ages of 1..273 whole days and purchase times rounded down to days, in weeks. */
function simulateBgNbd(n: number, truth: { r: number; alpha: number; a: number; b: number }, seed: number) {
  const uniform = uniformSource(seed);
  const gamma = gammaSampler(uniform);
  const x = new Float64Array(n);
  const tx = new Float64Array(n);
  const T = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ageDays = 1 + Math.floor(uniform() * 273);
    const lambda = gamma(truth.r) / truth.alpha;
    const g1 = gamma(truth.a);
    const dropout = g1 / (g1 + gamma(truth.b));
    let t = 0;
    let purchases = 0;
    let last = 0;
    for (;;) {
      t += -Math.log(uniform()) / lambda;
      if (t * 7 >= ageDays) break;
      purchases++;
      last = t;
      if (uniform() < dropout) break;
    }
    x[i] = purchases;
    tx[i] = purchases > 0 ? Math.floor(last * 7) / 7 : 0;
    T[i] = ageDays / 7;
  }
  return { x, tx, T };
}

describe('BG/NBD at scale', () => {
  const truth = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
  const n = 1_000_000;
  const started = performance.now();
  const summary = simulateBgNbd(n, truth, 20240607);
  const simulatedMs = performance.now() - started;

  it('fits 1,000,000 customers, collapsed and not, to the same optimum near the truth', () => {
    let t0 = performance.now();
    const collapsed = collapseSummary(summary);
    const collapseMs = performance.now() - t0;
    t0 = performance.now();
    const onCollapsed = fitBgNbd(collapsed, { collapse: false });
    const collapsedFitMs = performance.now() - t0;
    t0 = performance.now();
    const onRows = fitBgNbd(summary, { collapse: false });
    const rowsFitMs = performance.now() - t0;
    console.log(
      `1M synthetic BG/NBD: simulate ${simulatedMs.toFixed(0)} ms; collapse to ${collapsed.x.length} rows ${collapseMs.toFixed(0)} ms; ` +
        `fit on collapsed rows ${collapsedFitMs.toFixed(0)} ms (${onCollapsed.iterations} it, ${onCollapsed.evaluations} ev); ` +
        `fit on all rows ${rowsFitMs.toFixed(0)} ms (${onRows.iterations} it, ${onRows.evaluations} ev)`,
    );
    console.log('fitted', onRows.params, 'truth', truth);
    expect(onRows.converged).toBe(true);
    expect(onCollapsed.converged).toBe(true);
    expect(onCollapsed.customers).toBe(n);
    expect(Math.abs(onCollapsed.logLikelihood / onRows.logLikelihood - 1)).toBeLessThan(1e-10);
    for (const name of ['r', 'alpha', 'a', 'b'] as const) {
      expect(Math.abs(onCollapsed.params[name] / onRows.params[name] - 1)).toBeLessThan(1e-4);
      // Rounding purchase times down to whole days biases t_x slightly; 10% leaves room for that only.
      expect(Math.abs(onRows.params[name] / truth[name] - 1)).toBeLessThan(0.1);
    }
  });
});
