// IDX reader (the original MNIST file format, http://yann.lecun.com/exdb/mnist/).
// Layout: 0x00 0x00 <type code> <ndim>, then ndim big-endian uint32 dims, then the
// row-major payload, big-endian for multi-byte types. Inputs are treated as hostile:
// every length is checked before it is used, and sizes are capped.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzip, gunzipSync } from 'node:zlib';
import { promisify } from 'node:util';
import { FormatError } from '../errors.js';

export type IdxDtype = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';
/** The array type of each IDX dtype; every one is accepted by `fromArray` (int8/int16 are widened to int32). */
export interface IdxDataOf {
  uint8: Uint8Array;
  int8: Int8Array;
  int16: Int16Array;
  int32: Int32Array;
  float32: Float32Array;
  float64: Float64Array;
}
export type IdxData = IdxDataOf[IdxDtype];
/**
 * A parsed IDX array: `fromArray(a.data, a.shape)` takes it as it is, and checking `a.dtype` narrows
 * `a.data` (`if (a.dtype === 'uint8') a.data` is a Uint8Array).
 */
export type IdxArray = { [D in IdxDtype]: { dtype: D; shape: number[]; data: IdxDataOf[D] } }[IdxDtype];

const TYPES: Record<number, { dtype: IdxDtype; size: number }> = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
};

/** Largest payload accepted, in bytes (2 GiB): far above MNIST, well below memory trouble. */
export const IDX_MAX_BYTES = 2 ** 31;
// Largest possible header: 4-byte magic + 255 dims × 4 bytes.
const MAX_HEADER = 4 + 255 * 4;
// gunzip output cap; one byte over the limit so oversize input is reported, not truncated.
const MAX_GUNZIP = MAX_HEADER + IDX_MAX_BYTES + 1;

const hex = (b: number) => '0x' + b.toString(16).padStart(2, '0');

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gzipError(name: string, err: unknown): FormatError {
  const msg = err instanceof Error ? err.message : String(err);
  return new FormatError(`IDX input '${name}' looks gzipped (starts 1f 8b) but could not be decompressed: ${msg}`, {
    cause: err,
  });
}

/** Parse an IDX buffer, gzipped (detected by the 1f 8b magic) or raw. `name` labels errors. */
export function parseIdx(bytes: Uint8Array, name = 'input'): IdxArray {
  if (!isGzip(bytes)) return parseRaw(bytes, name);
  let raw: Uint8Array;
  try {
    raw = gunzipSync(bytes, { maxOutputLength: MAX_GUNZIP });
  } catch (err) {
    throw gzipError(name, err);
  }
  return parseRaw(raw, name);
}

/** Read and parse an IDX file (gzipped or raw); errors name the path. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  const bytes = await readFile(path);
  if (!isGzip(bytes)) return parseRaw(bytes, path);
  let raw: Uint8Array;
  try {
    raw = await promisify(gunzip)(bytes, { maxOutputLength: MAX_GUNZIP });
  } catch (err) {
    throw gzipError(path, err);
  }
  return parseRaw(raw, path);
}

export function readIdxFileSync(path: string): IdxArray {
  return parseIdx(readFileSync(path), path);
}

function parseRaw(bytes: Uint8Array, name: string): IdxArray {
  const where = `IDX input '${name}'`;
  if (bytes.length < 4) {
    throw new FormatError(`${where} is truncated: ${bytes.length} bytes, shorter than the 4-byte IDX magic`);
  }
  const [z0, z1, code, ndim] = [bytes[0]!, bytes[1]!, bytes[2]!, bytes[3]!];
  if (z0 !== 0 || z1 !== 0) {
    const got = [z0, z1, code, ndim].map(hex).join(' ');
    throw new FormatError(`${where} has bad magic ${got}: an IDX file starts with two zero bytes, a type code and ndim`);
  }
  const type = TYPES[code];
  if (!type) {
    const known = Object.entries(TYPES).map(([c, t]) => `${hex(Number(c))} ${t.dtype}`).join(', ');
    throw new FormatError(`${where} has unknown type code ${hex(code)} (expected one of ${known})`);
  }
  if (ndim === 0) throw new FormatError(`${where} declares 0 dimensions; IDX arrays need at least one`);
  const headerLen = 4 + 4 * ndim;
  if (bytes.length < headerLen) {
    throw new FormatError(
      `${where} is truncated: header declares ${ndim} dims (${headerLen} header bytes) but the input is ${bytes.length} bytes`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  let count = 1;
  for (let i = 0; i < ndim; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    shape.push(d);
    count *= d; // exact: checked against the cap after each step, so it stays far below 2^53
    if (count * type.size > IDX_MAX_BYTES) {
      throw new FormatError(`${where} declares dims ${shape.join('×')}${i + 1 < ndim ? '×…' : ''}, over the ${IDX_MAX_BYTES}-byte limit`);
    }
  }
  const need = count * type.size;
  const have = bytes.length - headerLen;
  const says =
    type.size === 1
      ? `${shape.join('×')} = ${need} bytes of ${type.dtype}`
      : `${shape.join('×')} = ${count} ${type.dtype} values = ${need} bytes`;
  if (have < need) throw new FormatError(`${where} is truncated: header says ${says} but only ${have} bytes follow`);
  if (have > need) {
    throw new FormatError(`${where} has ${have - need} trailing bytes: header says ${says} but ${have} bytes follow`);
  }
  return { dtype: type.dtype, shape, data: decode(view, headerLen, count, type.dtype) } as IdxArray;
}

// Copies into a fresh, aligned array (never aliases the caller's buffer), swapping to host order.
function decode(view: DataView, off: number, n: number, dtype: IdxDtype): IdxData {
  switch (dtype) {
    case 'uint8':
      return new Uint8Array(view.buffer.slice(view.byteOffset + off, view.byteOffset + off + n));
    case 'int8':
      return new Int8Array(view.buffer.slice(view.byteOffset + off, view.byteOffset + off + n));
    case 'int16': {
      const out = new Int16Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt16(off + 2 * i, false);
      return out;
    }
    case 'int32': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(off + 4 * i, false);
      return out;
    }
    case 'float32': {
      const out = new Float32Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat32(off + 4 * i, false);
      return out;
    }
    case 'float64': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = view.getFloat64(off + 8 * i, false);
      return out;
    }
  }
}
