import { describe, expect, it } from 'vitest';
import {
  beta,
  digamma,
  hyp2f1,
  lgamma,
  logAddExp,
  logBeta,
  logHyp2f1,
  logSubExp,
  logSumExp,
} from '../../src/models/clv/special.ts';

// Reference values from mpmath at 40 digits.
describe('lgamma', () => {
  it.each([
    [1e-8, 18.420680738180208],
    [0.1, 2.252712651734206],
    [0.5, 0.5723649429247001],
    [1.5, -0.12078223763524522],
    [2.5, 0.2846828704729192],
    [10, 12.801827480081469],
    [100.5, 361.43554046777762],
    [1e4, 82099.71749644238],
    [-0.5, 1.2655121234846454],
    [-2.5, -0.05624371649767405],
  ])('lgamma(%d) matches to 1e-14 relative', (x, expected) => {
    expect(Math.abs(lgamma(x) - expected)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(expected)));
  });

  it('is exactly 0 at 1 and 2 and infinite at the poles', () => {
    expect(lgamma(1)).toBe(0);
    expect(lgamma(2)).toBe(0);
    expect(lgamma(0)).toBe(Infinity);
    expect(lgamma(-3)).toBe(Infinity);
  });

  it('satisfies the recurrence ln Γ(x+1) = ln Γ(x) + ln x near the minimum of Γ', () => {
    for (const x of [0.7, 1.3, 1.46, 2.9, 7.25]) expect(lgamma(x + 1)).toBeCloseTo(lgamma(x) + Math.log(x), 14);
  });
});

describe('digamma', () => {
  it.each([
    [0.001, -1000.5755719318103],
    [0.5, -1.9635100260214235],
    [1, -0.5772156649015329],
    [3.7, 1.1671535393615114],
    [33.3, 3.4904672385202428],
    [-2.5, 1.1031566406452432],
  ])('digamma(%d) matches to 1e-14 relative', (x, expected) => {
    expect(Math.abs(digamma(x) - expected)).toBeLessThanOrEqual(1e-14 * Math.max(1, Math.abs(expected)));
  });
});

describe('beta and log-sum-exp helpers', () => {
  it('computes B(a, b) from log-gammas', () => {
    expect(beta(2, 3)).toBeCloseTo(1 / 12, 15);
    expect(logBeta(0.5, 0.5)).toBeCloseTo(Math.log(Math.PI), 14);
  });

  it('adds and subtracts on the log scale without overflow', () => {
    expect(logAddExp(1000, 1000)).toBeCloseTo(1000 + Math.LN2, 12);
    expect(logAddExp(-Infinity, 3)).toBe(3);
    expect(logSubExp(1000, 1000 - Math.LN2)).toBeCloseTo(1000 - Math.LN2, 12);
    expect(logSubExp(2, 2)).toBe(-Infinity);
    expect(logSubExp(0, -1e-20)).toBeCloseTo(Math.log(1e-20), 10);
    expect(logSumExp([1000, 1000, 1000])).toBeCloseTo(1000 + Math.log(3), 12);
    expect(logSumExp([])).toBe(-Infinity);
  });
});

describe('hyp2f1', () => {
  // [a, b, c, z, mpmath 2F1(a, b; c; z)]
  const cases: [number, number, number, number, number][] = [
    [0.2426, 2.4258, 2.2187, 0.5, 1.2067390611567013],
    [0.2426, 2.4258, 2.2187, 0.946, 2.3803527166208561],
    [50.5, 52.4, 51.2, 0.7, 1.0661695698524315e27],
    [0.55, 1.6, 1.55, 0.999, 57.989903620486978],
    [27.2, 1.6, 28.2, 0.09, 1.156408394039536],
    [1, 2, 3, -0.5, 0.7562791351346849],
    [1, 2, 3, -5, 0.2566592424617556],
    [-3, 2, 1.5, 0.7, -0.0752],
  ];
  it.each(cases)('2F1(%d, %d; %d; %d) matches mpmath to 1e-12 relative', (a, b, c, z, expected) => {
    expect(Math.abs(hyp2f1(a, b, c, z) / expected - 1)).toBeLessThan(1e-12);
  });

  it('returns the logarithm when the value itself would overflow', () => {
    expect(logHyp2f1(300, 200, 301, 0.9)).toBeCloseTo(458.57519478524733, 9);
  });

  it('rejects arguments outside the convergent range', () => {
    expect(() => hyp2f1(1, 1, 2, 1)).toThrow(RangeError);
    expect(() => logHyp2f1(1, 1, 2, -0.5)).toThrow(RangeError);
  });
});
