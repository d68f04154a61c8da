// Runs the PyTorch golden cases of test/golden/ops_shape.json (tools/golden/ops_shape.py) against
// fastgrad: values, dtype, shape, gradients, grad_fn names, view-ness and errors. Each op name in the
// JSON maps to one fastgrad call in OPS below; deliberate deviations from torch live in SKIPS (whole
// case) or in the per-aspect tables, each with its reason.
import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import * as fg from '../../src/index.js';
import { Slice, type IndexItem, Tensor } from '../../src/index.js';
import type { DType, TypedArray } from '../../src/tensor/dtype.js';
import { READS_SYNC, describeBackends } from '../helpers/backends.js';

type Num = number | 'nan' | 'inf' | '-inf' | boolean;
interface TJ {
  shape: number[];
  dtype: DType;
  data: Num[];
  requires_grad?: boolean;
  pre?: [string, ...unknown[]][];
}
export interface GoldenCase {
  name: string;
  family: string;
  op: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  out: TJ | TJ[] | null;
  error: string | null;
  error_match: string[];
  grads: (TJ | null)[] | null;
  grad_fn: string | null | (string | null)[];
  is_view: boolean | boolean[] | null;
  index_str?: string;
  note?: string;
}

const golden = JSON.parse(readFileSync(new URL('../golden/ops_shape.json', import.meta.url), 'utf8')) as { meta: { torch: string }; cases: GoldenCase[] };

/** Whole cases fastgrad deliberately answers differently from torch 1.13 (case name → reason). */
export const SKIPS: Record<string, string> = {
  'getitem(x[3, 4], [..., 0, ...])':
    'torch 1.13 accepts two ellipses (treating the index as x[:, 0]); fastgrad follows numpy and rejects an ambiguous index',
  'getitem(x[2, 3, 4], [x[2, 3]:bool, 1:3])':
    'torch 1.13 applies the slice after a 2-D mask to the wrong dim and raises; fastgrad follows numpy (the mask consumes 2 dims)',
  'masked_fill(x[3, 4], x[4]:int32, 0.0)':
    'torch 1.13 accepts an int64 mask; fastgrad (like torch 2.x) requires a bool mask',
  'conv2d(x[1, 1, 5, 5]:int32, x[1, 1, 3, 3]:int32)':
    "torch's CPU conv accepts int64; fastgrad's conv2d primitive is floating point only (throws a DTypeError naming both dtypes)",
  'conv2d(x[1, 2, 5, 5]:int32, x[2, 2, 3, 3]:int32, x[2]:int32, padding=1)':
    "torch's CPU conv accepts int64; fastgrad's conv2d primitive is floating point only (throws a DTypeError naming both dtypes)",
  'tensor([1.0, 2.0]) (float literals)':
    'JS has no float literal for integral values: [1.0, 2.0] is [1, 2] and infers int32; pass {dtype: "float32"}',
};

/** Equivalent grad_fn names: torch 1.13 version artifacts (left) and the names fastgrad uses (right). */
const GRAD_FN_ALIASES: Record<string, string> = {
  // torch 1.11–1.13 route contiguous reshape through _reshape_alias; torch ≥ 2.0 (and fastgrad) say ViewBackward0
  ReshapeAliasBackward0: 'ViewBackward0',
  // torch's grad_fn.name() spells the C++ namespace; repr shows <CopySlices>
  'torch::autograd::CopySlices': 'CopySlices',
};
const normName = (n: string | null): string | null => (n === null ? null : GRAD_FN_ALIASES[n] ?? n);

const ARR: Record<DType, (n: number) => TypedArray> = {
  float32: (n) => new Float32Array(n),
  float64: (n) => new Float64Array(n),
  int32: (n) => new Int32Array(n),
  uint8: (n) => new Uint8Array(n),
  bool: (n) => new Uint8Array(n),
};

const num = (v: Num): number => (v === 'nan' ? NaN : v === 'inf' ? Infinity : v === '-inf' ? -Infinity : typeof v === 'boolean' ? (v ? 1 : 0) : v);

const isTJ = (v: unknown): v is TJ => typeof v === 'object' && v !== null && 'shape' in v && 'dtype' in v && 'data' in v;

function makeTensor(s: TJ): Tensor {
  const a = ARR[s.dtype](s.data.length);
  s.data.forEach((v, i) => (a[i] = num(v)));
  return fg.fromArray(a, s.shape, { dtype: s.dtype === 'bool' ? 'bool' : undefined });
}

function applyPre(x: Tensor, p: [string, ...unknown[]]): Tensor {
  const [op, ...a] = p as [string, ...any[]];
  switch (op) {
    case 't': return x.t();
    case 'transpose': return x.transpose(a[0], a[1]);
    case 'permute': return x.permute(a[0]);
    case 'slice': return x.slice(a[0], a[1], a[2], a[3] ?? 1);
    case 'expand': return x.expand(a[0]);
    case 'select': return x.select(a[0], a[1]);
  }
  throw new Error(`unknown pre op ${op}`);
}

interface Decoded {
  leaves: Tensor[]; // leaves that require grad, in args order
  inputs: Tensor[]; // every input tensor after its pre ops, in args order
}

function decode(v: unknown, d: Decoded): unknown {
  if (v === '...') return '...';
  if (v === 'nan' || v === 'inf' || v === '-inf') return num(v);
  if (Array.isArray(v)) return v.map((e) => decode(e, d));
  if (isTJ(v)) {
    const leaf = makeTensor(v);
    if (v.requires_grad) {
      leaf.requiresGrad_();
      d.leaves.push(leaf);
    }
    let x = leaf;
    for (const p of v.pre ?? []) x = applyPre(x, p);
    d.inputs.push(x);
    return x;
  }
  if (typeof v === 'object' && v !== null) {
    if ('slice' in v) {
      const [a, b, c] = (v as { slice: (number | null)[] }).slice;
      return new Slice(a ?? null, b ?? null, c ?? null);
    }
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, decode(e, d)]));
  }
  return v;
}

type Out = Tensor | Tensor[];
type Op = (a: any[], kw: any) => Out;

const factory = (kw: any): fg.FactoryOpts => (kw.dtype ? { dtype: kw.dtype } : {});

export const OPS: Record<string, Op> = {
  view: ([x, s]) => x.view(s),
  reshape: ([x, s]) => x.reshape(s),
  permute: ([x, d]) => x.permute(d),
  transpose: ([x, a, b]) => x.transpose(a, b),
  t: ([x]) => x.t(),
  T: ([x]) => x.T,
  unsqueeze: ([x, d]) => x.unsqueeze(d),
  squeeze: ([x, d]) => x.squeeze(d),
  expand: ([x, s]) => x.expand(s),
  expand_as: ([x, y]) => x.expandAs(y),
  broadcast_to: ([x, s]) => x.broadcastTo(s),
  flatten: ([x, s, e]) => x.flatten(s, e),
  unflatten: ([x, d, s]) => x.unflatten(d, s),
  narrow: ([x, d, s, n]) => x.narrow(d, s, n),
  select: ([x, d, i]) => x.select(d, i),
  contiguous: ([x]) => x.contiguous(),
  clone: ([x]) => x.clone(),
  flip: ([x, d]) => x.flip(d),
  repeat: ([x, s]) => x.repeat(s),
  cat: ([ts, d]) => fg.cat(ts, d),
  stack: ([ts, d]) => fg.stack(ts, d),
  split: ([x, s, d]) => x.split(s, d),
  chunk: ([x, n, d]) => x.chunk(n, d),
  unbind: ([x, d]) => x.unbind(d),
  getitem: ([x, items]) => x.get(...(items as IndexItem[])),
  setitem: ([x, items, v]) => x.clone().set(items as IndexItem[], v),
  gather: ([x, d, i]) => x.gather(d, i),
  scatter: ([x, d, i, s]) => x.scatter(d, i, s),
  scatter_add: ([x, d, i, s]) => x.scatterAdd(d, i, s),
  index_select: ([x, d, i]) => x.indexSelect(d, i),
  masked_fill: ([x, m, v]) => x.maskedFill(m, v),
  nonzero: ([x]) => x.nonzero(),
  arange: (a, kw) => (a.length === 1 ? fg.arange(a[0], undefined, 1, factory(kw)) : fg.arange(a[0], a[1], a[2] ?? 1, factory(kw))),
  linspace: ([s, e, n], kw) => fg.linspace(s, e, n, factory(kw)),
  eye: ([n, m], kw) => fg.eye(n, m ?? n, factory(kw)),
  full: ([s, v], kw) => fg.full(s, v, factory(kw)),
  zeros: ([s], kw) => fg.zeros(s, factory(kw)),
  ones: ([s], kw) => fg.ones(s, factory(kw)),
  tensor: ([d], kw) => fg.tensor(d, factory(kw)),
  matmul: ([a, b]) => fg.matmul(a, b),
  mm: ([a, b]) => fg.mm(a, b),
  bmm: ([a, b]) => fg.bmm(a, b),
  dot: ([a, b]) => fg.dot(a, b),
  mv: ([a, b]) => fg.mv(a, b),
  conv2d: ([x, w, b], kw) => fg.conv2d(x, w, b ?? null, kw),
  sort: ([x, d], kw) => [...x.sort(d ?? -1, kw)],
  argsort: ([x, d], kw) => x.argsort(d ?? -1, kw),
  topk: ([x, k], kw) => [...x.topk(k, kw)],
};

/** The fixed weight of the golden loss: w[i] = 1 + 0.25 * ((7 i) % 11). */
function weightFor(o: Tensor): Tensor {
  const n = o.numel();
  const a = o.dtype === 'float64' ? new Float64Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = 1 + 0.25 * ((7 * i) % 11);
  return fg.fromArray(a, o.shape.slice());
}

const ATOL = 1e-5, RTOL = 1e-5;

export function expectTensor(got: Tensor, want: TJ, what: string, tol: { atol: number; rtol: number } = { atol: ATOL, rtol: RTOL }, bitExact = false): void {
  expect(got.dtype, `${what}: dtype`).toBe(want.dtype);
  expect(got.shape, `${what}: shape`).toEqual(want.shape);
  const g = got.contiguous().dataSync();
  const exact = bitExact || (want.dtype !== 'float32' && want.dtype !== 'float64');
  for (let i = 0; i < want.data.length; i++) {
    // float32 values are stored in their shortest float32 form: fround restores the exact value
    const y = want.dtype === 'float32' ? Math.fround(num(want.data[i]!)) : num(want.data[i]!), x = g[i]!;
    if (Number.isNaN(y)) {
      if (!Number.isNaN(x)) expect.fail(`${what}: element ${i}: got ${x}, expected NaN`);
    } else if (exact || !Number.isFinite(y)) {
      if (x !== y) expect.fail(`${what}: element ${i}: got ${x}, expected ${y}`);
    } else if (!(Math.abs(x - y) <= tol.atol + tol.rtol * Math.abs(y))) {
      expect.fail(`${what}: element ${i}: got ${x}, expected ${y} (atol ${tol.atol}, rtol ${tol.rtol})`);
    }
  }
}

const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

export function runCase(c: GoldenCase): void {
  const d: Decoded = { leaves: [], inputs: [] };
  const args = decode(c.args, d) as unknown[];
  const kwargs = decode(c.kwargs, d) as Record<string, unknown>;
  const op = OPS[c.op];
  if (!op) throw new Error(`no fastgrad mapping for op '${c.op}'`);
  if (c.error !== null) {
    let err: unknown = null;
    try {
      op(args, kwargs);
    } catch (e) {
      err = e;
    }
    expect(err, `torch raised "${c.error}", fastgrad did not`).toBeInstanceOf(Error);
    const msg = (err as Error).message;
    for (const m of c.error_match) expect(msg, `error message (torch: "${c.error}")`).toContain(m);
    return;
  }
  const out = op(args, kwargs);
  const outs = asList(out);
  const wants = asList(c.out!);
  expect(outs.length, 'number of outputs').toBe(wants.length);
  // factories are bit-exact with torch (arange/linspace compute like torch's kernels); everything else within tolerance
  outs.forEach((o, k) => expectTensor(o, wants[k]!, `output ${k}`, undefined, c.family === 'creation'));
  // views share storage with the first input
  const x0 = d.inputs[0];
  if (x0 && c.is_view !== null) {
    const views = asList(c.is_view);
    outs.forEach((o, k) => expect(o.storage === x0.storage, `output ${k}: shares storage with the input (torch: is view = ${views[k]})`).toBe(views[k]));
  }
  // the index written as a Python string gives the same result
  if (c.index_str !== undefined) expectTensor((args[0] as Tensor).get(c.index_str), wants[0]!, `get('${c.index_str}')`);
  // gradients
  if (c.grads) {
    const floats = outs.filter((o) => (o.dtype === 'float32' || o.dtype === 'float64') && o.requiresGrad);
    let loss: Tensor | null = null;
    for (const o of floats) {
      const term = o.mul(weightFor(o)).sum();
      loss = loss ? loss.add(term) : term;
    }
    expect(loss, 'an output requires grad').not.toBeNull();
    loss!.backward();
    c.grads.forEach((g, k) => {
      const leaf = d.leaves[k]!;
      if (g === null) expect(leaf.grad, `grad ${k}: torch has none`).toBeNull();
      else {
        expect(leaf.grad, `grad ${k}`).not.toBeNull();
        expectTensor(leaf.grad!, g, `grad of input ${k}`);
      }
    });
  } else {
    // no gradient flows in torch: no input requires grad, or the outputs are not differentiable
    for (const o of outs) if (!(c.grad_fn && asList(c.grad_fn).some((n) => n !== null))) expect(o.requiresGrad, 'output requires grad').toBe(false);
  }
  // grad_fn names
  const gfs = asList(c.grad_fn as string | null | (string | null)[]);
  outs.forEach((o, k) => expect(o.gradFn?.name ?? null, `output ${k}: grad_fn`).toBe(normName(gfs[k] ?? null)));
}

/** One describeBackends block per family; skipped cases are listed with their reason. */
export function goldenSuite(family: string, minCases: number): void {
  const cases = golden.cases.filter((c) => c.family === family);
  describeBackends(`${family} ops match torch ${golden.meta.torch}`, () => {
    it('has the golden cases', () => expect(cases.length).toBeGreaterThanOrEqual(minCases));
    for (const c of cases) {
      const skip = SKIPS[c.name];
      if (skip) it.skip(`${c.name} — deviation: ${skip}`, () => {});
      else it(c.name, () => runCase(c));
    }
  }, { skip: { 'cpu-async': READS_SYNC } });
}
