// Special functions for the CLV models: log-gamma, digamma, log-beta, log-sum-exp and the Gauss hypergeometric 2F1.

const LANCZOS_G = 671 / 128;
// Numerical Recipes 3rd ed. (gammln) coefficients: relative error below 1e-15 in Γ for x > 0.
const LANCZOS_COEF = [
  57.1562356658629235, -59.5979603554754912, 14.1360979747417471, -0.491913816097620199,
  0.339946499848118887e-4, 0.465236289270485756e-4, -0.983744753048795646e-4,
  0.158088703224912494e-3, -0.210264441724104883e-3, 0.217439618115212643e-3,
  -0.164318106536763890e-3, 0.844182239838527433e-4, -0.261908384015814087e-4,
  0.368991826595316234e-5,
];
const SQRT_2PI = 2.5066282746310005;
const LN_PI = 1.1447298858494002;

/** ln|Γ(x)| for real x (Lanczos; reflection for x < 0.5); Infinity at the poles 0, −1, −2, …. */
export function lgamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0.5) {
    // Reflection keeps the Lanczos sum in its accurate range; sin(πx) vanishes exactly at the poles.
    if (x === Math.floor(x)) return Infinity;
    return LN_PI - Math.log(Math.abs(Math.sin(Math.PI * x))) - lgamma(1 - x);
  }
  if (x === 1 || x === 2) return 0;
  let y = x;
  const tmp0 = x + LANCZOS_G;
  const tmp = (x + 0.5) * Math.log(tmp0) - tmp0;
  let ser = 0.999999999999997092;
  for (let j = 0; j < 14; j++) ser += LANCZOS_COEF[j] / ++y;
  return tmp + Math.log((SQRT_2PI * ser) / x);
}

/** Digamma ψ(x) = d/dx ln Γ(x) for real x (recurrence to x ≥ 10, then the asymptotic series). */
export function digamma(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x <= 0) {
    if (x === Math.floor(x)) return NaN;
    return digamma(1 - x) - Math.PI / Math.tan(Math.PI * x);
  }
  let acc = 0;
  while (x < 10) {
    acc -= 1 / x;
    x += 1;
  }
  const inv2 = 1 / (x * x);
  // Bernoulli terms B2k/(2k x^2k), k = 1..7: truncation error < 1e-16 for x ≥ 10.
  const series =
    inv2 *
    (1 / 12 -
      inv2 *
        (1 / 120 -
          inv2 * (1 / 252 - inv2 * (1 / 240 - inv2 * (1 / 132 - inv2 * (691 / 32760 - inv2 / 12))))));
  return acc + Math.log(x) - 0.5 / x - series;
}

/** ln B(a, b) = ln Γ(a) + ln Γ(b) − ln Γ(a + b). */
export function logBeta(a: number, b: number): number {
  return lgamma(a) + lgamma(b) - lgamma(a + b);
}

/** Beta function B(a, b) for positive a, b. */
export function beta(a: number, b: number): number {
  return Math.exp(logBeta(a, b));
}

/** ln(e^a + e^b) without overflow. */
export function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** ln(e^a − e^b) for a ≥ b; −Infinity when a = b, NaN when a < b. */
export function logSubExp(a: number, b: number): number {
  if (b === -Infinity) return a;
  if (a < b) return NaN;
  if (a === b) return -Infinity;
  const d = b - a;
  // log(-expm1(d)) loses accuracy as d → 0⁻; log1p(-exp(d)) does for d ≪ 0 (Mächler 2012).
  return a + (d > -Math.LN2 ? Math.log(-Math.expm1(d)) : Math.log1p(-Math.exp(d)));
}

/** ln Σ e^{values[i]} without overflow; −Infinity for an empty list. */
export function logSumExp(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i] > max) max = values[i];
  if (max === -Infinity || !Number.isFinite(max)) return max;
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += Math.exp(values[i] - max);
  return max + Math.log(sum);
}

const HYP_MAX_TERMS = 1_000_000;
const HYP_EPS = 1e-16;
// Terms are rescaled past this size so that huge intermediate terms (large a, b, z near 1) do not overflow.
const HYP_RESCALE = 1e280;

// The term ratio tends to z, from above or below; while it stays under ρ = max(ratio, z) < 1 the tail
// after this term is at most term·ρ/(1−ρ).
function tailBelowEps(ratio: number, z: number, term: number, sum: number): boolean {
  const rho = Math.max(ratio, z);
  return rho < 1 && (term * rho) / (1 - rho) <= HYP_EPS * sum;
}

/** ln 2F1(a, b; c; z) by the all-positive Gauss series for a, b, c > 0 and 0 ≤ z < 1 (every 2F1 the purchase models use). */
export function logHyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(a > 0 && b > 0 && c > 0) || !(z >= 0 && z < 1)) {
    throw new RangeError(`logHyp2f1 needs a, b, c > 0 and 0 ≤ z < 1 (got a=${a}, b=${b}, c=${c}, z=${z})`);
  }
  if (z === 0) return 0;
  let term = 1;
  let sum = 1;
  let logScale = 0;
  for (let n = 0; n < HYP_MAX_TERMS; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    if (sum > HYP_RESCALE) {
      sum /= HYP_RESCALE;
      term /= HYP_RESCALE;
      logScale += Math.log(HYP_RESCALE);
    }
    if (term <= HYP_EPS * sum && tailBelowEps(ratio, z, term, sum)) return logScale + Math.log(sum);
  }
  throw new RangeError(`logHyp2f1 series did not converge in ${HYP_MAX_TERMS} terms (z=${z})`);
}

/** Gauss hypergeometric 2F1(a, b; c; z) for real a, b, c (c ∉ {0, −1, …}) and z < 1. */
export function hyp2f1(a: number, b: number, c: number, z: number): number {
  if (!(z < 1)) throw new RangeError(`hyp2f1 needs z < 1 (got ${z})`);
  if (c <= 0 && c === Math.floor(c)) throw new RangeError(`hyp2f1 undefined for c = ${c}`);
  // Pfaff: 2F1(a,b;c;z) = (1−z)^(−a) 2F1(a, c−b; c; z/(z−1)) keeps the series argument in [0, 1) for z < 0.
  if (z < 0) return Math.pow(1 - z, -a) * hyp2f1Series(a, c - b, c, z / (z - 1));
  return hyp2f1Series(a, b, c, z);
}

function hyp2f1Series(a: number, b: number, c: number, z: number): number {
  if (a > 0 && b > 0 && c > 0) return Math.exp(logHyp2f1(a, b, c, z));
  let term = 1;
  let sum = 1;
  for (let n = 0; n < HYP_MAX_TERMS; n++) {
    const ratio = (((a + n) * (b + n)) / ((c + n) * (n + 1))) * z;
    term *= ratio;
    sum += term;
    // A zero term means a or b is a non-positive integer: the series is a polynomial and has ended.
    if (term === 0) return sum;
    if (tailBelowEps(Math.abs(ratio), z, Math.abs(term), Math.abs(sum))) return sum;
  }
  throw new RangeError(`hyp2f1 series did not converge in ${HYP_MAX_TERMS} terms (z=${z})`);
}
