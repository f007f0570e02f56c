import { describe, expect, it } from 'vitest';
import { fitBgNbd } from '../../src/models/clv/bgnbd.ts';
import { collapseSummary } from '../../src/models/clv/summary.ts';
import { syntheticCustomers } from '../../src/models/clv/synthetic.ts';

describe('BG/NBD at scale', () => {
  const truth = { r: 0.25, alpha: 4, a: 0.8, b: 2.5 };
  const n = 1_000_000;
  const started = performance.now();
  // Purchases counted by distinct day and times in whole days, as the SQL summary gives them.
  const summary = syntheticCustomers(n, { purchases: truth, seed: 20240607 });
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
