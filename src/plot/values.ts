// Turning tensors or plain arrays into the plain numbers a Vega-Lite spec holds.
// Structural typing (anything with tolist()) keeps viz free of tensor internals.
import { FastgradError, ShapeError, fmtShape } from '../errors.js';

/** Anything with a PyTorch-style `tolist()`, e.g. a fastgrad Tensor. */
export interface Listable {
  tolist(): unknown;
}
/** A 1-D series: a tensor, a typed array or a plain array. */
export type Vec = Listable | ArrayLike<number>;
/** A 2-D grid (rows of values): a tensor or nested arrays. */
export type Mat = Listable | ArrayLike<ArrayLike<number>>;
/** A scalar: a number or a one-element tensor. */
export type Num = number | Listable;

const isListable = (v: unknown): v is Listable =>
  typeof v === 'object' && v !== null && typeof (v as Listable).tolist === 'function';

/** JSON cannot hold NaN/Infinity; Vega-Lite reads null as "missing" and breaks the line there. */
export const finiteOrNull = (x: number): number | null => (Number.isFinite(x) ? x : null);

/** A scalar from a number or one-element tensor/array. */
export function toNum(v: Num, arg: string): number {
  let x: unknown = isListable(v) ? v.tolist() : v;
  while (Array.isArray(x) && x.length === 1) x = x[0];
  if (typeof x === 'boolean') x = Number(x);
  if (typeof x !== 'number') throw new FastgradError(`${arg}: expected a number or a one-element tensor, got ${describe(x)}`);
  return x;
}

/** A flat number[] from a 1-D tensor/array (size-1 leading dims are squeezed). */
export function toVec(v: Vec, arg: string): number[] {
  let x: unknown = isListable(v) ? v.tolist() : Array.from(v as ArrayLike<number>);
  while (Array.isArray(x) && x.length === 1 && Array.isArray(x[0])) x = x[0];
  if (!Array.isArray(x)) x = [x];
  const out = (x as unknown[]).map((e) => (typeof e === 'boolean' ? Number(e) : e));
  if (!out.every((e) => typeof e === 'number'))
    throw new ShapeError(`${arg}: expected a 1-D series of numbers, got ${describe(x)}`);
  return out as number[];
}

/** Rows of numbers from a 2-D tensor/array; leading dims of size 1 are squeezed (a 1×28×28 image is fine). */
export function toMat(v: Mat, arg: string): number[][] {
  let x: unknown = isListable(v) ? v.tolist() : Array.from(v as ArrayLike<ArrayLike<number>>, (r) => Array.from(r));
  while (Array.isArray(x) && x.length === 1 && Array.isArray(x[0]) && Array.isArray(x[0][0])) x = x[0];
  const rows = Array.isArray(x) ? x : [];
  const w = Array.isArray(rows[0]) ? rows[0].length : -1;
  const ok = rows.length > 0 && w > 0 && rows.every((r) => Array.isArray(r) && r.length === w && r.every((e) => typeof e === 'number' || typeof e === 'boolean'));
  if (!ok) throw new ShapeError(`${arg}: expected a non-empty 2-D grid of numbers (e.g. a 28×28 image tensor), got ${describe(x)}`);
  return (rows as (number | boolean)[][]).map((r) => r.map(Number));
}

/** Shape for error messages: [2, 3] for nested arrays, the type name otherwise. */
function describe(x: unknown): string {
  if (!Array.isArray(x)) return typeof x;
  const shape: number[] = [];
  for (let e: unknown = x; Array.isArray(e); e = e[0]) shape.push(e.length);
  return `an array of shape ${fmtShape(shape)}`;
}

/** torch.linspace's values: the first half counts up from start, the second down from end, so both ends are exact. */
export function linspace(start: number, end: number, steps: number): number[] {
  if (!Number.isInteger(steps) || steps < 1) throw new FastgradError(`points: expected an integer >= 1, got ${steps}`);
  if (steps === 1) return [start];
  const step = (end - start) / (steps - 1);
  return Array.from({ length: steps }, (_, i) => (i < steps / 2 ? start + i * step : end - (steps - 1 - i) * step));
}

/** fastai's Recorder smoothing: debiased exponential moving average (beta 0.98). */
export function smoothLoss(values: readonly number[], beta = 0.98): number[] {
  let avg = 0;
  return values.map((v, i) => {
    avg = beta * avg + (1 - beta) * v;
    return avg / (1 - beta ** (i + 1));
  });
}
