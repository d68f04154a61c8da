// Tensor printing: a port of the behaviour of PyTorch 1.13's `torch/_tensor_str.py`.
//
// It formats plain data (shape, dtype, row-major values) so it has no dependency on the Tensor class.
// The quirks of the original are kept on purpose, because the goal is byte-identical `repr` output:
//  - the column width is measured over nonzero finite values only (nan/inf/0 may stick out),
//  - the `sciMode` option overrides the chosen mode *after* the width was measured in the auto mode,
//    and not at all when there is no nonzero finite value,
//  - in a summarized 1-D row the " ..." marker counts as an element when lines are wrapped.

import { type DType, isFloating, torchName } from './dtype.js';

export interface PrintOptions {
  precision: number;
  threshold: number;
  edgeitems: number;
  linewidth: number;
  sciMode: boolean | null;
}

export const defaultPrintOptions: Readonly<PrintOptions> = Object.freeze({
  precision: 4,
  threshold: 1000,
  edgeitems: 3,
  linewidth: 80,
  sciMode: null,
});

export interface TensorPrintInfo {
  shape: readonly number[];
  dtype: DType;
  /** Contiguous row-major values; bool as 0/1. */
  values: ArrayLike<number>;
  /** Leaf requiring grad -> ", requires_grad=True" (ignored when gradFn is set). */
  requiresGrad?: boolean;
  /** e.g. 'PowBackward0' -> ", grad_fn=<PowBackward0>". */
  gradFn?: string | null;
  /** 'cpu' (or absent) prints nothing; anything else prints ", device='...'". */
  device?: string;
}

// ---------------------------------------------------------------------------------------------
// Python's `{:.Nf}` / `{:.Ne}`: correctly rounded from the exact binary value, ties to even.
// JS toFixed/toExponential round ties away from zero (0.03125 -> "0.0313", Python "0.0312") and
// drop the sign of -0, so we round ourselves on the exact decimal expansion (every double has one).

const f64 = new DataView(new ArrayBuffer(8));

/** |x| === BigInt(digits) * 10^-scale exactly, for finite x. */
function exactDecimal(x: number): { digits: string; scale: number } {
  f64.setFloat64(0, x);
  const hi = f64.getUint32(0), lo = f64.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp = -1074; // subnormal
  if (biased !== 0) { mant |= 1n << 52n; exp = biased - 1075; }
  if (exp >= 0) return { digits: (mant << BigInt(exp)).toString(), scale: 0 };
  // m * 2^-k == m * 5^k / 10^k
  return { digits: (mant * 5n ** BigInt(-exp)).toString(), scale: -exp };
}

/** The integer formed by the first n digits of `d` (n may exceed its length), rounded half-even. */
function roundDigits(d: string, n: number): bigint {
  if (n >= d.length) return BigInt(d) * 10n ** BigInt(n - d.length);
  if (n < 0) return 0n; // below half a unit
  const head = n > 0 ? BigInt(d.slice(0, n)) : 0n;
  const first = d[n]!;
  const up = first > '5' || (first === '5' && (/[1-9]/.test(d.slice(n + 1)) || (head & 1n) === 1n));
  return up ? head + 1n : head;
}

const nonFinite = (x: number): string => (Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf');
const signOf = (x: number): string => (x < 0 || Object.is(x, -0) ? '-' : '');

/** Python `'{:.pf}'.format(x)`. */
function pyFixed(x: number, p: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  const { digits, scale } = exactDecimal(x);
  const s = roundDigits(digits, digits.length - scale + p).toString().padStart(p + 1, '0');
  return signOf(x) + (p > 0 ? `${s.slice(0, -p)}.${s.slice(-p)}` : s);
}

/** Python `'{:.pe}'.format(x)`. */
function pyExp(x: number, p: number): string {
  if (!Number.isFinite(x)) return nonFinite(x);
  let m = '0'.repeat(p + 1), e = 0;
  if (x !== 0) {
    const { digits, scale } = exactDecimal(x);
    e = digits.length - 1 - scale;
    m = roundDigits(digits, p + 1).toString();
    if (m.length > p + 1) { m = m.slice(0, p + 1); e++; } // carry: 9.99996 -> 1.0000e+01
  }
  const mant = p > 0 ? `${m[0]}.${m.slice(1)}` : m;
  return `${signOf(x)}${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

// ---------------------------------------------------------------------------------------------

interface Formatter { width: number; format(v: number): string }

/** torch's `_Formatter`, built over exactly the elements that will be printed. */
function makeFormatter(vals: readonly number[], dtype: DType, o: PrintOptions): Formatter {
  let width = 1;
  if (!isFloating(dtype)) {
    const str = dtype === 'bool' ? (v: number) => (v ? 'True' : 'False') : (v: number) => String(v);
    for (const v of vals) width = Math.max(width, str(v).length);
    return { width, format: (v) => str(v).padStart(width) };
  }
  const p = o.precision;
  let intMode = true, sci = false;
  const nz = vals.filter((v) => Number.isFinite(v) && v !== 0);
  if (nz.length > 0) {
    let min = Infinity, max = 0;
    for (const v of nz) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
      if (v !== Math.ceil(v)) intMode = false;
    }
    // Integer-valued tensors never switch to sci mode just because a value is small.
    sci = max / min > 1000 || max > 1e8 || (!intMode && min < 1e-4);
    for (const v of nz) {
      const s = sci ? pyExp(v, p) : intMode ? pyFixed(v, 0) + '.' : pyFixed(v, p);
      width = Math.max(width, s.length);
    }
    if (o.sciMode !== null) sci = o.sciMode; // after the width: torch measures in the auto mode
  }
  const w = width;
  return {
    width: w,
    format(v) {
      // int mode appends '.' so integer-valued floats still read as floats (but not to nan/inf).
      const s = sci ? pyExp(v, p) : intMode ? pyFixed(v, 0) + (Number.isFinite(v) ? '.' : '') : pyFixed(v, p);
      return s.padStart(w);
    },
  };
}

/**
 * Indices printed along one dim; -1 marks the ellipsis. `lastDim` reproduces torch's 1-D slice
 * `self[-edgeitems:]`, which with edgeitems=0 is the whole row.
 */
function pick(size: number, summarize: boolean, edge: number, lastDim: boolean): number[] {
  const all = Array.from({ length: size }, (_, i) => i);
  if (!summarize || size <= 2 * edge) return all;
  const tail = lastDim && edge === 0 ? all : all.slice(size - edge);
  return [...all.slice(0, edge), -1, ...tail];
}

/** torch's `_tensor_str` for a non-empty tensor: the bracketed body, indented under `indent` columns. */
function tensorBody(t: TensorPrintInfo, o: PrintOptions, indent: number): string {
  const { shape, dtype } = t;
  const ndim = shape.length;
  const numel = shape.reduce((a, b) => a * b, 1);
  const summarize = numel > o.threshold;
  const read = (i: number): number => {
    const v = Number(t.values[i]);
    return dtype === 'float32' ? Math.fround(v) : v;
  };
  const strides: number[] = new Array<number>(ndim);
  for (let d = ndim - 1, s = 1; d >= 0; d--) { strides[d] = s; s *= shape[d]!; }
  const picks = (d: number) => pick(shape[d]!, summarize, o.edgeitems, d === ndim - 1);

  // The formatter sees the summarized data (torch's get_summarized_data), i.e. the printed elements.
  const shown: number[] = [];
  const collect = (d: number, off: number): void => {
    if (d === ndim) { shown.push(read(off)); return; }
    for (const i of picks(d)) if (i >= 0) collect(d + 1, off + i * strides[d]!);
  };
  collect(0, 0);
  const f = makeFormatter(shown, dtype, o);
  if (ndim === 0) return f.format(read(0));

  const render = (d: number, off: number, ind: number): string => {
    if (d === ndim - 1) {
      const items = picks(d).map((i) => (i < 0 ? ' ...' : f.format(read(off + i))));
      // Each element costs width + ", "; torch wraps the row at a fixed count per line.
      const perLine = Math.max(1, Math.floor((o.linewidth - ind) / (f.width + 2)));
      const lines: string[] = [];
      for (let i = 0; i < items.length; i += perLine) lines.push(items.slice(i, i + perLine).join(', '));
      return `[${lines.join(',\n' + ' '.repeat(ind + 1))}]`;
    }
    const slices = picks(d).map((i) => (i < 0 ? '...' : render(d + 1, off + i * strides[d]!, ind + 1)));
    // One blank line per extra dimension between slices (none for rows of a matrix).
    return `[${slices.join(',' + '\n'.repeat(ndim - d - 1) + ' '.repeat(ind + 1))}]`;
  };
  return render(0, 0, indent);
}

/** torch's `_add_suffixes`: each suffix goes on the current line unless it would pass linewidth. */
function addSuffixes(s: string, suffixes: readonly string[], indent: number, linewidth: number): string {
  const out = [s];
  // Same arithmetic as torch (rfind gives -1 without a newline, hence the "+ 1").
  let last = s.length - s.lastIndexOf('\n') + 1;
  for (const suf of suffixes) {
    if (last + suf.length + 2 > linewidth) {
      out.push(',\n' + ' '.repeat(indent) + suf);
      last = indent + suf.length;
    } else {
      out.push(', ' + suf);
      last += suf.length + 2;
    }
  }
  return out.join('') + ')';
}

/** `repr(tensor)` / `str(tensor)` as PyTorch 1.13 prints it. */
export function formatTensor(t: TensorPrintInfo, opts: Partial<PrintOptions> = {}): string {
  const o: PrintOptions = { ...defaultPrintOptions };
  for (const k of Object.keys(opts) as (keyof PrintOptions)[]) {
    if (opts[k] !== undefined) (o as unknown as Record<string, unknown>)[k] = opts[k];
  }
  const prefix = 'tensor(';
  const indent = prefix.length;
  const numel = t.shape.reduce((a, b) => a * b, 1);
  // Order as torch: device, size (empty only), dtype, then grad_fn or requires_grad.
  const suffixes: string[] = [];
  if (t.device !== undefined && t.device !== 'cpu') suffixes.push(`device='${t.device}'`);
  let body: string;
  if (numel === 0) {
    // Empty: shape shown unless 1-D, and the dtype is shown for anything but the default float
    // (there are no elements to tell an integer tensor apart).
    if (t.shape.length !== 1) suffixes.push(`size=(${t.shape.join(', ')})`);
    if (t.dtype !== 'float32') suffixes.push(`dtype=${torchName(t.dtype)}`);
    body = '[]';
  } else {
    // float32, int32 (our stand-in for torch's int64) and bool are "default" dtypes.
    if (t.dtype === 'float64' || t.dtype === 'uint8') suffixes.push(`dtype=${torchName(t.dtype)}`);
    body = tensorBody(t, o, indent);
  }
  if (t.gradFn) suffixes.push(`grad_fn=<${t.gradFn}>`);
  else if (t.requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(prefix + body, suffixes, indent, o.linewidth);
}
