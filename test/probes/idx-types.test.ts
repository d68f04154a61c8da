// `fromArray(readIdx(...).data, shape)` needed a cast: the IDX reader's arrays are now ones the factories
// take (this file is type-checked by `tsc --noEmit` in npm test: no cast appears below), and its errors
// are FormatErrors.
import { expect, expectTypeOf, test } from 'vitest';
import { errors, fromArray } from '../../src/index.js';
import { parseIdx } from '../../src/data/idx.js';
import { describeBackends } from '../helpers/backends.js';
import { expectError } from '../helpers/expect-error.js';

/** An IDX buffer: magic, big-endian dims, then the payload written by `put`. */
function idx(code: number, shape: number[], size: number, values: number[], put: (v: DataView, at: number, x: number) => void): Uint8Array {
  const head = 4 + 4 * shape.length;
  const buf = new Uint8Array(head + values.length * size);
  const v = new DataView(buf.buffer);
  buf.set([0, 0, code, shape.length]);
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  values.forEach((x, i) => put(v, head + i * size, x));
  return buf;
}

describeBackends('IDX arrays go straight into fromArray', () => {
  test('uint8 images and int16 / int8 values', () => {
    const images = parseIdx(idx(0x08, [2, 2, 3], 1, [0, 1, 2, 3, 4, 5, 250, 251, 252, 253, 254, 255], (v, o, x) => v.setUint8(o, x)));
    const t = fromArray(images.data, images.shape);
    expect(t.dtype).toBe('uint8');
    expect(t.shape).toEqual([2, 2, 3]);
    expect(t.get(1, 1).tolist()).toEqual([253, 254, 255]);
    if (images.dtype === 'uint8') expectTypeOf(images.data).toEqualTypeOf<Uint8Array>(); // the dtype narrows the array

    const shorts = parseIdx(idx(0x0b, [3], 2, [-1, 258, 32767], (v, o, x) => v.setInt16(o, x, false)));
    const s = fromArray(shorts.data, shorts.shape); // int16 widens to int32 (fastgrad has no int16)
    expect(s.dtype).toBe('int32');
    expect(s.tolist()).toEqual([-1, 258, 32767]);
    const bytes = parseIdx(idx(0x09, [2], 1, [-128, 127], (v, o, x) => v.setInt8(o, x)));
    expect(fromArray(bytes.data, [2, 1]).tolist()).toEqual([[-128], [127]]);
    const floats = parseIdx(idx(0x0d, [1, 2], 4, [0.5, -2], (v, o, x) => v.setFloat32(o, x, false)));
    expect(fromArray(floats.data, floats.shape).tolist()).toEqual([[0.5, -2]]);
  });

  test('bad IDX input is a FormatError', () => {
    expectError(() => parseIdx(new Uint8Array([0, 0, 8]), 'x.idx'), errors.FormatError, /IDX input 'x\.idx' is truncated/);
    expectError(() => parseIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0]), 'x.idx'), errors.FormatError, /bad magic/);
    expectError(() => parseIdx(new Uint8Array([0, 0, 0x42, 1]), 'x.idx'), errors.FormatError, /unknown type code 0x42/);
    expectError(() => parseIdx(new Uint8Array([0x1f, 0x8b, 1, 2]), 'x.gz'), errors.FormatError, /looks gzipped/);
  });
}, { skip: { 'cpu-async': 'these tests read results synchronously; cpu-async runs the same reference kernels as cpu' } });
