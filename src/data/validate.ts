// zod validation with fastgrad's error style: the message names the call, the option and what was wrong.
// NOTE: zod costs ~100 ms to import, so it loads on the first validation (a schema is built then), not
// when 'fastgrad/node' is imported; it comes through require (zod ships CommonJS too).
import { createRequire } from 'node:module';
import type { z } from 'zod';
import { FastgradError } from '../errors.js';

let zod: typeof z | undefined;
/** zod's `z`, loaded on first use. */
export const lazyZod = (): typeof z => (zod ??= (createRequire(import.meta.url)('zod') as { z: typeof z }).z);

/** A schema built on first use: `const Schema = lazySchema((z) => z.object({...}))`, then `Schema()`. */
export function lazySchema<S extends z.ZodType>(make: (zz: typeof z) => S): () => S {
  let s: S | undefined;
  return () => (s ??= make(lazyZod()));
}

/** Parse `value` with `schema`; on failure throw a FastgradError naming `where` and each bad option. */
export function validate<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const lines = r.error.issues.map((i) => {
    const at = i.path.length ? `option '${i.path.map(String).join('.')}'` : 'options';
    return `${at}: ${i.message}`;
  });
  throw new FastgradError(`${where}: invalid ${lines.join('; ')}`);
}
