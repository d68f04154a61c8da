// expectError(f, Type, ...patterns): f throws a Type (and a FastgradError) whose message matches every pattern.
import { expect } from 'vitest';
import { errors } from '../../src/index.js';

type ErrorClass = new (...args: never[]) => Error;

export function expectError(f: () => unknown, type: ErrorClass, ...patterns: RegExp[]): void {
  let err: unknown = null;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(err, 'expected an error').not.toBeNull();
  expect(err, (err as Error).message).toBeInstanceOf(type);
  expect(err).toBeInstanceOf(errors.FastgradError);
  for (const p of patterns) expect((err as Error).message).toMatch(p);
}
