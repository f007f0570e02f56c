// Discounted customer lifetime value over a horizon of months from any purchase model's conditional expectation.

/** Time unit the purchase model was fitted in. */
export type TimeUnit = 'week' | 'day';

/** Days in an average calendar month (MODELS.md §6), not lifetimes' 30 time units. */
export const DAYS_PER_MONTH = 365.25 / 12;

/** Model time units in one month: 365.25/12 days, or that divided by 7 for weeks. */
export function unitsPerMonth(unit: TimeUnit): number {
  return unit === 'week' ? DAYS_PER_MONTH / 7 : DAYS_PER_MONTH;
}

/** E[purchases in (T, T + t] | x, t_x, T]: what every purchase model provides. */
export type ConditionalExpectation = (t: number, x: number, tx: number, T: number) => number;

/** CLV horizon, discounting and the time unit of the purchase model. */
export interface ClvOptions {
  timeUnit: TimeUnit;
  /** Horizon H in whole months (default 12). */
  horizonMonths?: number;
  /** Monthly discount rate d (default 0.01). */
  monthlyDiscountRate?: number;
  /** Override of the month length in model units, e.g. 30 to reproduce lifetimes' convention in a cross-check. */
  unitsPerMonth?: number;
}

function resolve(options: ClvOptions): { horizon: number; discount: number; month: number } {
  const horizon = options.horizonMonths ?? 12;
  const discount = options.monthlyDiscountRate ?? 0.01;
  const month = options.unitsPerMonth ?? unitsPerMonth(options.timeUnit);
  if (!(horizon >= 0) || horizon !== Math.floor(horizon)) throw new RangeError(`horizonMonths must be a whole number ≥ 0 (got ${horizon})`);
  if (!(discount > -1) || !Number.isFinite(discount)) throw new RangeError(`monthlyDiscountRate must be > −1 (got ${discount})`);
  if (!(month > 0) || !Number.isFinite(month)) throw new RangeError(`month length must be positive (got ${month})`);
  return { horizon, discount, month };
}

/** CLV = Σ_{i=1..H} (E(i months) − E(i−1 months)) × spend / (1 + d)^i, where expectedBy(t) = E[purchases in the next t units]. */
export function lifetimeValue(expectedBy: (t: number) => number, expectedSpend: number, options: ClvOptions): number {
  const { horizon, discount, month } = resolve(options);
  let value = 0;
  let previous = 0;
  let factor = 1;
  for (let i = 1; i <= horizon; i++) {
    const cumulative = expectedBy(i * month);
    factor /= 1 + discount;
    value += (cumulative - previous) * factor;
    previous = cumulative;
  }
  return value * expectedSpend;
}

/** lifetimeValue for every customer of a summary, from a model's conditional expectation and per-customer expected spend. */
export function lifetimeValues(
  conditionalExpected: ConditionalExpectation,
  summary: { x: ArrayLike<number>; tx: ArrayLike<number>; T: ArrayLike<number> },
  expectedSpend: ArrayLike<number>,
  options: ClvOptions,
): Float64Array {
  const { x, tx, T } = summary;
  if (expectedSpend.length !== x.length) {
    throw new RangeError(`expectedSpend has ${expectedSpend.length} values for ${x.length} customers`);
  }
  const { horizon, discount, month } = resolve(options);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    let value = 0;
    let previous = 0;
    let factor = 1;
    for (let k = 1; k <= horizon; k++) {
      const cumulative = conditionalExpected(k * month, x[i], tx[i], T[i]);
      factor /= 1 + discount;
      value += (cumulative - previous) * factor;
      previous = cumulative;
    }
    out[i] = value * expectedSpend[i];
  }
  return out;
}
