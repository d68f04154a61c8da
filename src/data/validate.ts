// zod validation with fastgrad's error style: the message names the call, the option and what was wrong.
import type { z } from 'zod';
import { FastgradError } from '../errors.js';

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
