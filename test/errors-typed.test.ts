// Every error the library throws is a FastgradError subclass (src/errors.ts), so callers can tell a
// bad argument from a bug: no plain Error / RangeError / TypeError is constructed in src/, except in
// the files below, each with its count and why it is still allowed.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect, test } from 'vitest';
import { errors } from '../src/index.js';

const SRC = new URL('../src/', import.meta.url).pathname;
const PLAIN = /\bnew (Error|RangeError|TypeError)\(/g;

/** Files that may still construct plain errors, at most this many times: owned by other work in flight. */
const ALLOWED: Record<string, { count: number; why: string }> = {
  'backend/wasm/worker.ts': { count: 5, why: "the worker's own source text (no imports): its errors stay in the worker and reach users as a WorkerError from the pool" },
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

test('src/ constructs no plain Error, RangeError or TypeError outside the allowed files', () => {
  const found: string[] = [];
  for (const f of files(SRC)) {
    const rel = relative(SRC, f).split('\\').join('/');
    const n = [...readFileSync(f, 'utf8').matchAll(PLAIN)].length;
    if (n > (ALLOWED[rel]?.count ?? 0)) found.push(`${rel}: ${n} (allowed ${ALLOWED[rel]?.count ?? 0})`);
  }
  expect(found, 'throw a FastgradError subclass from src/errors.ts instead (ArgumentError, IndexError, FormatError, ...)').toEqual([]);
});

test('the typed errors are FastgradErrors with their own names', () => {
  const classes = [
    errors.ShapeError, errors.DTypeError, errors.IndexError, errors.AutogradError, errors.DeviceError, errors.FormatError,
    errors.ArgumentError, errors.ZeroDivisionError,
  ];
  for (const C of classes) {
    const e = new C('m');
    expect(e).toBeInstanceOf(errors.FastgradError);
    expect(e.name).toBe(C.name);
  }
});
