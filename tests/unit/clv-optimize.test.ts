import { describe, expect, it } from 'vitest';
import { bfgs, minimize, nelderMead, numericalGradient, type Objective } from '../../src/models/clv/optimize.ts';

const rosenbrock: Objective = (x) => 100 * (x[1] - x[0] ** 2) ** 2 + (1 - x[0]) ** 2;
const rosenbrockGradient = (x: Float64Array, g: Float64Array): number => {
  g[0] = -400 * x[0] * (x[1] - x[0] ** 2) - 2 * (1 - x[0]);
  g[1] = 200 * (x[1] - x[0] ** 2);
  return rosenbrock(x);
};

describe('numericalGradient', () => {
  it('matches the analytic gradient of Rosenbrock to 1e-7', () => {
    const x = Float64Array.of(-0.7, 1.3);
    const numeric = new Float64Array(2);
    const analytic = new Float64Array(2);
    numericalGradient(rosenbrock, x, numeric);
    rosenbrockGradient(x, analytic);
    for (let i = 0; i < 2; i++) expect(numeric[i]).toBeCloseTo(analytic[i], 7);
  });
});

describe('bfgs', () => {
  it('finds the Rosenbrock minimum from (-1.2, 1) with numeric gradients', () => {
    const result = bfgs(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 5);
    expect(result.x[1]).toBeCloseTo(1, 5);
    expect(result.message).toMatch(/^converged/);
  });

  it('uses an analytic gradient when given one', () => {
    const result = bfgs(rosenbrock, [-1.2, 1], { gradient: rosenbrockGradient });
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 7);
    expect(result.gradientNorm).toBeLessThanOrEqual(1e-8);
  });

  it('minimizes a badly scaled quadratic in 5 dimensions', () => {
    const scales = [1, 10, 100, 1000, 1e4];
    const f: Objective = (x) => scales.reduce((s, c, i) => s + c * (x[i] - i) ** 2, 0);
    const result = bfgs(f, [5, 5, 5, 5, 5]);
    expect(result.converged).toBe(true);
    result.x.forEach((v, i) => expect(v).toBeCloseTo(i, 5));
  });

  it('reports non-convergence when the iteration cap is hit', () => {
    const result = bfgs(rosenbrock, [-1.2, 1], { maxIterations: 3 });
    expect(result.converged).toBe(false);
    expect(result.iterations).toBe(3);
    expect(result.message).toMatch(/reached 3 iterations/);
  });

  it('reports non-convergence on an objective without a minimum', () => {
    const result = bfgs((x) => x[0] + x[1], [0, 0], { maxIterations: 50 });
    expect(result.converged).toBe(false);
  });

  it('reports a non-finite starting value instead of iterating', () => {
    const result = bfgs((x) => Math.log(x[0]), [-1]);
    expect(result.converged).toBe(false);
    expect(result.message).toMatch(/not finite at the starting point/);
  });

  it('backs off from regions where the objective is undefined', () => {
    // Minimum at x = 1, undefined for x ≤ 0: an overlong first step lands in NaN territory.
    const result = bfgs((x) => x[0] - Math.log(x[0]) + (x[0] > 0 ? 0 : NaN), [30]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
  });
});

describe('nelderMead', () => {
  it('finds the Rosenbrock minimum', () => {
    const result = nelderMead(rosenbrock, [-1.2, 1]);
    expect(result.converged).toBe(true);
    expect(result.x[0]).toBeCloseTo(1, 6);
    expect(result.x[1]).toBeCloseTo(1, 6);
  });

  it('reports non-convergence when the iteration cap is hit', () => {
    const result = nelderMead(rosenbrock, [-1.2, 1], { maxIterations: 10 });
    expect(result.converged).toBe(false);
    expect(result.message).toMatch(/reached 10 iterations/);
  });
});

describe('minimize', () => {
  it('falls back to Nelder–Mead and polishes with BFGS when BFGS stops early', () => {
    const result = minimize(rosenbrock, [-1.2, 1], { maxIterations: 5 });
    expect(result.converged).toBe(true);
    expect(result.message).toMatch(/after fallback/);
    expect(result.x[0]).toBeCloseTo(1, 5);
  });

  it('still reports failure when no method converges', () => {
    const result = minimize((x) => x[0], [0], { maxIterations: 20 });
    expect(result.converged).toBe(false);
    expect(result.message).toMatch(/not converged/);
  });
});
