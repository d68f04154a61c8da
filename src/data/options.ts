// Checking an options object without zod: the core entry's only validation need is a handful of
// flat options (DataLoader, DataLoaders.fromDatasets), and zod costs ~100 ms of import time.
// Messages follow validate.ts: the call, the option, what was expected and what was given.
import { FastgradError } from '../errors.js';

/** What an option must be: a positive integer, a boolean, a function, or an instance of a class. */
export type OptionKind = 'positiveInt' | 'boolean' | 'function' | (abstract new (...args: never[]) => unknown);

const describe = (v: unknown): string =>
  v === null ? 'null' : typeof v === 'object' ? `an object of class ${v.constructor?.name ?? 'Object'}` : `${typeof v} ${String(v)}`;

function problem(kind: OptionKind, v: unknown): string | null {
  if (kind === 'positiveInt') return Number.isSafeInteger(v) && (v as number) > 0 ? null : `expected a positive integer, got ${describe(v)}`;
  if (kind === 'boolean') return typeof v === 'boolean' ? null : `expected a boolean, got ${describe(v)}`;
  if (kind === 'function') return typeof v === 'function' ? null : `expected a function, got ${describe(v)}`;
  return v instanceof kind ? null : `expected an instance of ${kind.name}, got ${describe(v)}`;
}

/**
 * Check `opts` against `spec` (every option optional; undefined counts as absent); throw one
 * FastgradError naming `where` and every bad or unknown option. Returns `opts` typed.
 */
export function checkOptions<T extends object>(opts: T, spec: { readonly [K in keyof T]-?: OptionKind }, where: string): T {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) throw new FastgradError(`${where}: invalid options: expected an object, got ${describe(opts)}`);
  const errors: string[] = [];
  for (const [k, v] of Object.entries(opts)) {
    const kind = (spec as Record<string, OptionKind | undefined>)[k];
    if (kind === undefined) errors.push(`options: Unrecognized key '${k}' (known: ${Object.keys(spec).join(', ')})`);
    else if (v !== undefined) {
      const p = problem(kind, v);
      if (p) errors.push(`option '${k}': ${p}`);
    }
  }
  if (errors.length) throw new FastgradError(`${where}: invalid ${errors.join('; ')}`);
  return opts;
}
