// Small unconstrained minimizers (BFGS, Nelder–Mead) for fitting CLV models on log-parameters.

/** An objective to minimize; it may return NaN or Infinity where it is undefined. */
export type Objective = (x: Float64Array) => number;
/** Objective value at x, writing its gradient into `gradient`. */
export type ValueAndGradient = (x: Float64Array, gradient: Float64Array) => number;

/** Settings of bfgs, nelderMead and minimize. */
export interface MinimizeOptions {
  /** Analytic value-and-gradient; without it BFGS uses central differences. */
  gradient?: ValueAndGradient;
  /** Iteration cap per method (BFGS default 200; Nelder–Mead default 2000 × dimension). */
  maxIterations?: number;
  /**
   * BFGS stops when max |∂f/∂x_i| ≤ this × max(|f|, 1) (default 1e-6 with numeric gradients, 1e-8 with analytic):
   * relative to the objective, so that a log-likelihood summed over a million customers and its mean per
   * customer are judged alike. It also stops, as converged, when the decrease the next step promises is
   * below the rounding of f itself (see bfgs).
   */
  gradientTolerance?: number;
  /** Largest move of any coordinate in one BFGS step (default 10: e^10 on log-parameters). */
  maxStep?: number;
  /** Nelder–Mead stops when both the simplex spread in f and in x are below these (defaults 1e-12, 1e-9). */
  functionTolerance?: number;
  stepTolerance?: number;
  /** Nelder–Mead initial simplex edge (default 0.1). */
  initialSimplexStep?: number;
}

/** Outcome of a minimization; `converged: false` always comes with the reason in `message`. */
export interface MinimizeResult {
  x: Float64Array;
  fx: number;
  iterations: number;
  evaluations: number;
  converged: boolean;
  message: string;
  /** Max |∂f/∂x_i| at x (NaN when only Nelder–Mead ran). */
  gradientNorm: number;
  /** gradientNorm ÷ max(|f|, 1): the measure the gradient test compares with the tolerance. */
  relativeGradient: number;
}

const EPS = 2.220446049250313e-16;
// The rounding of f, relative to |f|, below which a predicted decrease cannot be told from noise: a log-likelihood
// summed over many customers carries tens of ulps of rounding even when the sum itself is compensated.
const RESOLUTION = 64 * EPS;

/** Central-difference gradient of f at x into out; returns the number of evaluations used. */
export function numericalGradient(f: Objective, x: Float64Array, out: Float64Array): number {
  const probe = Float64Array.from(x);
  const scale = Math.cbrt(EPS);
  for (let i = 0; i < x.length; i++) {
    const h = scale * Math.max(1, Math.abs(x[i]));
    probe[i] = x[i] + h;
    const up = f(probe);
    probe[i] = x[i] - h;
    const down = f(probe);
    probe[i] = x[i];
    // Step actually taken after rounding x ± h, so the quotient is exact in the denominator.
    out[i] = (up - down) / (x[i] + h - (x[i] - h));
  }
  return 2 * x.length;
}

function maxAbs(v: Float64Array): number {
  let m = 0;
  for (let i = 0; i < v.length; i++) m = Math.max(m, Math.abs(v[i]));
  return m;
}

function dot(u: Float64Array, v: Float64Array): number {
  let s = 0;
  for (let i = 0; i < u.length; i++) s += u[i] * v[i];
  return s;
}

/**
 * BFGS with an inverse-Hessian update and an Armijo backtracking line search (quadratic/cubic interpolation).
 * Converged means one of: the gradient is small relative to f (MinimizeOptions.gradientTolerance); or no step
 * along the search direction lowers f any more while the decrease that direction promises (−gᵀd, twice the
 * quasi-Newton estimate of what is left to gain) is within the rounding of f: the optimum is then found to the
 * precision f can be computed in. Both are relative to |f| (when |f| ≥ 1, as a negative log-likelihood over
 * customers is), so multiplying the objective by a constant (the number of customers, say) changes neither the
 * verdict nor the point. A step is taken only when it lowers f:
 * one that merely keeps f equal at the rounding level would leave x where it is and the search would spin.
 */
export function bfgs(f: Objective, x0: ArrayLike<number>, options: MinimizeOptions = {}): MinimizeResult {
  const n = x0.length;
  const maxIterations = options.maxIterations ?? 200;
  const gtol = options.gradientTolerance ?? (options.gradient ? 1e-8 : 1e-6);
  const maxStep = options.maxStep ?? 10;
  let evaluations = 0;
  const valueAndGradient: ValueAndGradient =
    options.gradient ??
    ((x, g) => {
      evaluations += numericalGradient(f, x, g);
      return f(x);
    });
  const evalBoth = (x: Float64Array, g: Float64Array): number => {
    evaluations++;
    return valueAndGradient(x, g);
  };
  const evalValue = (x: Float64Array): number => {
    evaluations++;
    return f(x);
  };

  const x = Float64Array.from(x0);
  const g = new Float64Array(n);
  let fx = evalBoth(x, g);
  const done = (iterations: number, converged: boolean, message: string): MinimizeResult => ({
    x,
    fx,
    iterations,
    evaluations,
    converged,
    message,
    gradientNorm: maxAbs(g),
    relativeGradient: relativeGradient(),
  });
  const relativeGradient = () => maxAbs(g) / Math.max(Math.abs(fx), 1);
  const gradientMet = () => relativeGradient() <= gtol;
  const gradientSaid = () => `converged: gradient ${maxAbs(g).toExponential(2)} ≤ ${gtol} × max(|f|, 1) (f = ${fx.toPrecision(6)})`;
  if (!Number.isFinite(fx)) return done(0, false, `objective is not finite at the starting point (${fx})`);
  if (!g.every(Number.isFinite)) return done(0, false, 'gradient is not finite at the starting point');

  const H = new Float64Array(n * n);
  const resetH = (scale: number) => {
    H.fill(0);
    for (let i = 0; i < n; i++) H[i * n + i] = scale;
  };
  resetH(1);
  let firstUpdate = true;
  const d = new Float64Array(n);
  const xNew = new Float64Array(n);
  const gNew = new Float64Array(n);
  const s = new Float64Array(n);
  const y = new Float64Array(n);
  const Hy = new Float64Array(n);

  for (let iter = 0; iter < maxIterations; iter++) {
    if (gradientMet()) return done(iter, true, gradientSaid());

    for (let i = 0; i < n; i++) {
      let v = 0;
      for (let j = 0; j < n; j++) v -= H[i * n + j] * g[j];
      d[i] = v;
    }
    let slope = dot(g, d);
    if (!(slope < 0)) {
      // The inverse Hessian lost positive definiteness through rounding: restart from steepest descent.
      resetH(1);
      firstUpdate = true;
      for (let i = 0; i < n; i++) d[i] = -g[i];
      slope = dot(g, d);
    }
    const longest = maxAbs(d);
    let step = longest > maxStep ? maxStep / longest : 1;

    // Armijo backtracking; non-finite values (overflow far from the optimum) count as failures.
    const c1 = 1e-4;
    let fNew = NaN;
    let accepted = false;
    let prevStep = NaN;
    let prevF = NaN;
    for (let tries = 0; tries < 60; tries++) {
      for (let i = 0; i < n; i++) xNew[i] = x[i] + step * d[i];
      fNew = evalValue(xNew);
      // fNew < fx as well: near the optimum fx + c1·step·slope rounds to fx, and a step back to f's own value is no step.
      if (Number.isFinite(fNew) && fNew <= fx + c1 * step * slope && fNew < fx) {
        accepted = true;
        break;
      }
      let next: number;
      if (!Number.isFinite(fNew)) next = step * 0.1;
      else if (Number.isNaN(prevStep) || !Number.isFinite(prevF)) {
        next = (-slope * step * step) / (2 * (fNew - fx - slope * step));
      } else {
        next = cubicMinimizer(fx, slope, step, fNew, prevStep, prevF);
      }
      // What this step promises is already below the rounding of f: shorter steps cannot show a decrease either.
      if (-step * slope <= RESOLUTION * Math.max(1, Math.abs(fx))) break;
      prevStep = step;
      prevF = fNew;
      step = Number.isFinite(next) ? Math.min(0.5 * step, Math.max(0.1 * step, next)) : 0.5 * step;
    }
    if (!accepted) {
      // Near the optimum the predicted decrease can fall below the rounding of f itself: that is convergence.
      const resolution = RESOLUTION * Math.max(1, Math.abs(fx));
      if (Math.abs(slope) <= resolution) {
        return done(
          iter,
          true,
          `converged: the decrease left (${Math.abs(slope).toExponential(2)}) is within the rounding of f = ${fx.toPrecision(6)} (gradient ${maxAbs(g).toExponential(2)})`,
        );
      }
      return done(iter, false, `line search failed to decrease the objective (gradient ${maxAbs(g).toExponential(2)})`);
    }

    const gNewF = evalBoth(xNew, gNew);
    if (!Number.isFinite(gNewF) || !gNew.every(Number.isFinite)) {
      return done(iter, false, 'gradient became non-finite during the search');
    }
    for (let i = 0; i < n; i++) {
      s[i] = xNew[i] - x[i];
      y[i] = gNew[i] - g[i];
    }
    const sy = dot(s, y);
    const yy = dot(y, y);
    // Skip the update when curvature is not positive: it would break positive definiteness.
    if (sy > 1e-10 * Math.sqrt(dot(s, s) * yy)) {
      if (firstUpdate) {
        resetH(sy / yy);
        firstUpdate = false;
      }
      for (let i = 0; i < n; i++) {
        let v = 0;
        for (let j = 0; j < n; j++) v += H[i * n + j] * y[j];
        Hy[i] = v;
      }
      const yHy = dot(y, Hy);
      const rho = 1 / sy;
      const coef = (1 + rho * yHy) * rho;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          H[i * n + j] += coef * s[i] * s[j] - rho * (Hy[i] * s[j] + s[i] * Hy[j]);
        }
      }
    }
    x.set(xNew);
    g.set(gNew);
    fx = fNew;
  }
  if (gradientMet()) return done(maxIterations, true, gradientSaid());
  return done(maxIterations, false, `BFGS reached ${maxIterations} iterations (gradient ${maxAbs(g).toExponential(2)} > ${gtol} × max(|f|, 1))`);
}

// Minimizer of the cubic through φ(0)=f0, φ'(0)=slope, φ(a)=fa, φ(b)=fb (Nocedal & Wright §3.5).
function cubicMinimizer(f0: number, slope: number, a: number, fa: number, b: number, fb: number): number {
  const ra = fa - f0 - slope * a;
  const rb = fb - f0 - slope * b;
  const denom = a * a * b * b * (a - b);
  const c3 = (b * b * ra - a * a * rb) / denom;
  const c2 = (-b * b * b * ra + a * a * a * rb) / denom;
  if (c3 === 0) return -slope / (2 * c2);
  const disc = c2 * c2 - 3 * c3 * slope;
  if (disc < 0) return NaN;
  return (-c2 + Math.sqrt(disc)) / (3 * c3);
}

/** Nelder–Mead simplex search with dimension-adaptive coefficients (Gao & Han 2012). */
export function nelderMead(f: Objective, x0: ArrayLike<number>, options: MinimizeOptions = {}): MinimizeResult {
  const n = x0.length;
  const maxIterations = options.maxIterations ?? 2000 * n;
  const ftol = options.functionTolerance ?? 1e-12;
  const xtol = options.stepTolerance ?? 1e-9;
  const edge = options.initialSimplexStep ?? 0.1;
  const alpha = 1;
  const gamma = 1 + 2 / n;
  const rhoC = 0.75 - 1 / (2 * n);
  const sigma = 1 - 1 / n;
  let evaluations = 0;
  const value = (p: Float64Array): number => {
    evaluations++;
    const v = f(p);
    // Treat undefined regions as +∞ so the simplex retreats from them.
    return Number.isNaN(v) ? Infinity : v;
  };

  const points: Float64Array[] = [];
  const values: number[] = [];
  for (let k = 0; k <= n; k++) {
    const p = Float64Array.from(x0);
    if (k > 0) p[k - 1] += edge;
    points.push(p);
    values.push(value(p));
  }
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const trial = new Float64Array(n);
  const trial2 = new Float64Array(n);
  const along = (target: Float64Array, t: number) => {
    const worst = points[order[n]];
    for (let i = 0; i < n; i++) target[i] = centroid[i] + t * (centroid[i] - worst[i]);
  };

  let iterations = 0;
  let converged = false;
  for (; iterations < maxIterations; iterations++) {
    order.sort((i, j) => values[i] - values[j]);
    const best = points[order[0]];
    let fSpread = 0;
    let xSpread = 0;
    for (let k = 1; k <= n; k++) {
      fSpread = Math.max(fSpread, Math.abs(values[order[k]] - values[order[0]]));
      const p = points[order[k]];
      for (let i = 0; i < n; i++) xSpread = Math.max(xSpread, Math.abs(p[i] - best[i]));
    }
    if (Number.isFinite(values[order[0]]) && fSpread <= ftol * Math.max(1, Math.abs(values[order[0]])) && xSpread <= xtol) {
      converged = true;
      break;
    }
    centroid.fill(0);
    for (let k = 0; k < n; k++) {
      const p = points[order[k]];
      for (let i = 0; i < n; i++) centroid[i] += p[i] / n;
    }
    const fBest = values[order[0]];
    const fSecondWorst = values[order[n - 1]];
    const fWorst = values[order[n]];
    along(trial, alpha);
    const fr = value(trial);
    if (fr < fBest) {
      along(trial2, alpha * gamma);
      const fe = value(trial2);
      if (fe < fr) replaceWorst(trial2, fe);
      else replaceWorst(trial, fr);
      continue;
    }
    if (fr < fSecondWorst) {
      replaceWorst(trial, fr);
      continue;
    }
    const outside = fr < fWorst;
    along(trial2, outside ? alpha * rhoC : -rhoC);
    const fc = value(trial2);
    if (fc < (outside ? fr : fWorst)) {
      replaceWorst(trial2, fc);
      continue;
    }
    for (let k = 1; k <= n; k++) {
      const p = points[order[k]];
      for (let i = 0; i < n; i++) p[i] = best[i] + sigma * (p[i] - best[i]);
      values[order[k]] = value(p);
    }
  }

  function replaceWorst(p: Float64Array, fp: number) {
    points[order[n]].set(p);
    values[order[n]] = fp;
  }

  let bestIndex = 0;
  for (let k = 1; k <= n; k++) if (values[k] < values[bestIndex]) bestIndex = k;
  const fx = values[bestIndex];
  return {
    x: Float64Array.from(points[bestIndex]),
    fx,
    iterations,
    evaluations,
    converged: converged && Number.isFinite(fx),
    message: converged
      ? 'converged: simplex collapsed below the tolerances'
      : `Nelder–Mead reached ${maxIterations} iterations without the simplex collapsing`,
    gradientNorm: NaN,
    relativeGradient: NaN,
  };
}

/** BFGS first; if it does not converge, Nelder–Mead from its best point and a second BFGS to polish. */
export function minimize(f: Objective, x0: ArrayLike<number>, options: MinimizeOptions = {}): MinimizeResult {
  const first = bfgs(f, x0, options);
  if (first.converged) return first;
  const start = Number.isFinite(first.fx) ? first.x : Float64Array.from(x0);
  const simplex = nelderMead(f, start, { ...options, maxIterations: undefined });
  const polish = bfgs(f, simplex.fx <= first.fx || !Number.isFinite(first.fx) ? simplex.x : first.x, options);
  const iterations = first.iterations + simplex.iterations + polish.iterations;
  const evaluations = first.evaluations + simplex.evaluations + polish.evaluations;
  const trail = `BFGS: ${first.message}; Nelder–Mead: ${simplex.message}; BFGS again: ${polish.message}`;
  if (polish.converged || !simplex.converged || polish.fx < simplex.fx) {
    return { ...polish, iterations, evaluations, message: polish.converged ? `converged after fallback (${trail})` : `not converged (${trail})` };
  }
  // The simplex met its own tolerances but gradients could not confirm it: report it, not as converged.
  return { ...simplex, iterations, evaluations, converged: false, message: `not converged by the gradient test (${trail})` };
}
