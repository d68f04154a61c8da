// Runner for the PyTorch golden cases of test/golden/ops_elementwise.json (tools/golden/ops_elementwise.py):
// decode the JSON tensors, build the arguments (leaf + view steps), call fastgrad through an op table,
// and check value, dtype, shape, grad_fn name, gradients and errors against what torch 1.13 did.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { type DType, Tensor, fromArray } from '../../src/index.js';
import { typedArrayFor } from '../../src/tensor/dtype.js';

export type Json = number | boolean | string;
export interface TensorJson {
  shape: number[];
  dtype: DType;
  data: Json[];
  torch_dtype?: string;
  requires_grad?: boolean;
  view?: (string | number | number[])[][];
}
export type ArgJson = TensorJson | Json;
export interface GoldenCase {
  family: 'elementwise' | 'reduce' | 'book';
  name: string;
  op: string;
  args: ArgJson[];
  kwargs: Record<string, Json | number[] | null>;
  out: TensorJson | TensorJson[] | null;
  error: string | null;
  match?: string[];
  grads: (TensorJson | null)[] | null;
  grad_fn: string | null;
  weight?: TensorJson;
  base_after?: TensorJson;
  skip?: string;
  tol?: { atol: number; rtol: number };
  [extra: string]: unknown;
}

export function loadCases(): GoldenCase[] {
  const raw = JSON.parse(readFileSync(new URL('../golden/ops_elementwise.json', import.meta.url), 'utf8')) as { cases: GoldenCase[] };
  return raw.cases;
}

export const num = (v: Json): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : typeof v === 'boolean' ? (v ? 1 : 0) : (v as number));
const isTensorJson = (a: unknown): a is TensorJson => typeof a === 'object' && a !== null && 'shape' in a;

/** A fastgrad tensor with the JSON's values, dtype and shape (a fresh contiguous leaf). */
export function fromJson(j: TensorJson): Tensor {
  const arr = typedArrayFor(j.dtype, j.data.length);
  j.data.forEach((v, i) => (arr[i] = num(v)));
  return fromArray(arr, j.shape, { dtype: j.dtype });
}

export type Value = Tensor | number | boolean;

function applyView(t: Tensor, steps: readonly (string | number | number[])[][]): Tensor {
  for (const [k, ...p] of steps) {
    if (k === 't') t = t.t();
    else if (k === 'transpose') t = t.transpose(p[0] as number, p[1] as number);
    else if (k === 'permute') t = t.permute(p[0] as number[]);
    else if (k === 'slice') t = t.slice(p[0] as number, p[1] as number, p[2] as number, p[3] as number);
    else if (k === 'expand') t = t.expand(p[0] as number[]);
    else if (k === 'unsqueeze') t = t.unsqueeze(p[0] as number);
    else if (k === 'clone') t = t.clone();
    else throw new Error(`unknown view step ${String(k)}`);
  }
  return t;
}

/** Build the op's arguments: leaves (requiring grad where torch's did) and the values passed to the op. */
export function buildArgs(c: GoldenCase): { leaves: (Tensor | null)[]; values: Value[] } {
  const leaves: (Tensor | null)[] = [], values: Value[] = [];
  for (const a of c.args) {
    if (isTensorJson(a)) {
      const leaf = fromJson(a);
      if (a.requires_grad) leaf.requiresGrad_();
      leaves.push(leaf);
      values.push(a.view ? applyView(leaf, a.view) : leaf);
    } else {
      leaves.push(null);
      values.push(typeof a === 'boolean' ? a : num(a));
    }
  }
  return { leaves, values };
}

export type OpFn = (args: Value[], kw: Record<string, any>) => Tensor | Tensor[];
export const T = (v: Value): Tensor => {
  if (!(v instanceof Tensor)) throw new Error(`expected a tensor argument, got ${String(v)}`);
  return v;
};

const DEFAULT_TOL: Record<string, { atol: number; rtol: number }> = {
  float32: { atol: 1e-6, rtol: 1e-5 },
  float64: { atol: 1e-12, rtol: 1e-10 },
};

/** Values of `t` equal `j` (exact for ints/bools; NaN-aware, tolerance for floats), and dtype/shape match. */
export function expectTensor(t: Tensor, j: TensorJson, what: string, tol?: { atol: number; rtol: number }): void {
  expect(t, what).toBeInstanceOf(Tensor);
  expect(t.dtype, `${what}: dtype`).toBe(j.dtype);
  expect(t.shape, `${what}: shape`).toEqual(j.shape);
  const got = Array.from(t.dataSync() as ArrayLike<number>);
  const want = j.data.map(num);
  expect(got.length, `${what}: numel`).toBe(want.length);
  const { atol, rtol } = tol ?? DEFAULT_TOL[j.dtype] ?? { atol: 0, rtol: 0 };
  for (let i = 0; i < want.length; i++) {
    const x = got[i]!, y = want[i]!;
    if (Number.isNaN(y)) {
      if (!Number.isNaN(x)) expect.fail(`${what}: element ${i}: got ${x}, expected NaN`);
    } else if (!Number.isFinite(y) || atol === 0) {
      if (x !== y) expect.fail(`${what}: element ${i}: got ${x}, expected ${y}`);
    } else if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) {
      expect.fail(`${what}: element ${i}: got ${x}, expected ${y} (atol ${atol}, rtol ${rtol})`);
    }
  }
}

/** grad_fn names that differ because JS has no operator overloading (the nearest fastgrad call is used). */
const GRAD_FN_ALIASES: Record<string, Record<string, string>> = {
  // torch: `s / t` is `t.reciprocal() * s`; fastgrad: div(s, t)
  __rtruediv__: { MulBackward0: 'DivBackward0' },
  // torch: `s ** t` wraps s in a tensor (PowBackward1); fastgrad: pow(s, t), like torch.pow(s, t)
  __rpow__: { PowBackward1: 'PowBackward2' },
};
// NOTE: torch records a NotImplemented grad_fn (and raises on backward) for floor_divide and for
// remainder with a scalar dividend; fastgrad treats them as non-differentiable (no grad_fn).
const NOT_IMPLEMENTED = 'torch::autograd::NotImplemented';

/** Run one golden case against fastgrad. */
export function runCase(c: GoldenCase, ops: Record<string, OpFn>): void {
  const fn = ops[c.op];
  if (!fn) throw new Error(`no fastgrad mapping for op '${c.op}'`);
  const { leaves, values } = buildArgs(c);
  const kw = Object.fromEntries(Object.entries(c.kwargs).map(([k, v]) => [k, v === 'nan' || v === 'inf' || v === '-inf' ? num(v) : v]));
  if (c.error !== null) {
    let err: unknown = null;
    try {
      fn(values, kw);
    } catch (e) {
      err = e;
    }
    if (err === null) expect.fail(`fastgrad did not throw; torch raised: ${c.error}`);
    const msg = (err as Error).message;
    for (const m of c.match ?? []) expect(msg, `error message (torch: ${c.error})`).toContain(m);
    return;
  }
  const res = fn(values, kw);
  const outs = Array.isArray(res) ? res : [res];
  const wants = Array.isArray(c.out) ? c.out : [c.out!];
  expect(outs.length, 'number of outputs').toBe(wants.length);
  outs.forEach((o, i) => expectTensor(o, wants[i]!, `out[${i}]`, c.tol));
  if (c.op.endsWith('_') && !c.op.startsWith('__')) {
    expect(outs[0], 'in-place op returns self').toBe(values[0]);
    if (c.base_after) expectTensor(leaves[0]!, c.base_after, 'base after in-place write', c.tol);
  }
  const out = outs[0]!;
  const name = out.gradFn?.name ?? null;
  let want = c.grad_fn === NOT_IMPLEMENTED ? null : GRAD_FN_ALIASES[c.op]?.[c.grad_fn ?? ''] ?? c.grad_fn;
  // NOTE: after an in-place op on a view torch reports the view's grad_fn as AsStridedBackward0 (a view
  // replayed on the base's CopySlices); fastgrad's view carries the in-place op's own node. Gradients agree.
  if (want === 'AsStridedBackward0' && isInplaceOnView(c)) want = name;
  expect(name, 'grad_fn').toBe(want);
  if (c.grads) {
    const w = fromJson(c.weight!);
    out.mul(w).sum().backward();
    const gtol = c.tol ?? (out.dtype === 'float64' ? { atol: 1e-12, rtol: 1e-10 } : { atol: 1e-6, rtol: 1e-5 });
    c.grads.forEach((g, i) => {
      const leaf = leaves[i];
      if (!leaf || !leaf.requiresGrad) return;
      if (g) {
        expect(leaf.grad, `grad of arg ${i}`).not.toBeNull();
        expectTensor(leaf.grad!, g, `grad of arg ${i}`, gtol);
      } else if (leaf.grad) {
        // torch gives no gradient (no path); fastgrad may give zeros
        expect(leaf.grad.abs().sum().item(), `grad of arg ${i} should be absent or zero`).toBe(0);
      }
    });
  }
}

function isInplaceOnView(c: GoldenCase): boolean {
  const a = c.args[0];
  return c.op.endsWith('_') && !c.op.startsWith('__') && isTensorJson(a) && (a.view ?? []).some((s) => s[0] !== 'clone');
}

/** Register one vitest test per case (skips listed with their reason). */
export function registerCases(cases: readonly GoldenCase[], ops: Record<string, OpFn>): void {
  for (const c of cases) {
    if (c.skip) it.skip(`${c.name} — deviation: ${c.skip}`, () => {});
    else it(c.name, () => runCase(c, ops));
  }
}
