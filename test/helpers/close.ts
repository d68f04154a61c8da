// Numeric comparison helpers for tests: nested arrays with tolerances, NaN-aware.
import { expect } from 'vitest';
import type { Tensor } from '../../src/index.js';

export function flat(x: unknown): number[] {
  if (Array.isArray(x)) return x.flatMap(flat);
  if (typeof x === 'boolean') return [x ? 1 : 0];
  return [x as number];
}

/** Assert a tensor equals expected values (nested arrays) within atol + rtol*|expected|. */
export function expectClose(actual: Tensor | number[] | number, expected: unknown, atol = 1e-5, rtol = 1e-5): void {
  const a = typeof actual === 'number' ? [actual] : Array.isArray(actual) ? actual : flat(actual.tolist());
  const e = flat(expected);
  expect(a.length, 'number of elements').toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const x = a[i]!, y = e[i]!;
    if (Number.isNaN(y)) expect(Number.isNaN(x), `element ${i}: expected NaN, got ${x}`).toBe(true);
    else if (!Number.isFinite(y)) expect(x, `element ${i}`).toBe(y);
    else if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) expect.fail(`element ${i}: got ${x}, expected ${y} (atol ${atol}, rtol ${rtol})`);
  }
}

/** expectClose with an awaited read, for suites that run on devices without synchronous reads. */
export async function expectAllClose(actual: Tensor, expected: unknown, atol = 1e-5, rtol = 1e-5): Promise<void> {
  expectClose(flat(await actual.tolistAsync()), expected, atol, rtol);
}
