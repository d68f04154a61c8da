import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseIdx, readIdxFile, readIdxFileSync } from '../../src/data/idx.js';

// Build an IDX buffer by hand: magic, big-endian dims, big-endian payload.
function idx(code: number, shape: number[], payload: number[], put: (v: DataView, o: number, x: number) => number) {
  const head = 4 + 4 * shape.length;
  const size = payload.length ? put(new DataView(new ArrayBuffer(8)), 0, 0) : 0;
  const buf = new Uint8Array(head + payload.length * size);
  const v = new DataView(buf.buffer);
  buf.set([0, 0, code, shape.length]);
  shape.forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  payload.forEach((x, i) => put(v, head + i * size, x));
  return buf;
}
const u8 = (v: DataView, o: number, x: number) => (v.setUint8(o, x), 1);
const i16 = (v: DataView, o: number, x: number) => (v.setInt16(o, x, false), 2);
const i32 = (v: DataView, o: number, x: number) => (v.setInt32(o, x, false), 4);
const f32 = (v: DataView, o: number, x: number) => (v.setFloat32(o, x, false), 4);
const f64 = (v: DataView, o: number, x: number) => (v.setFloat64(o, x, false), 8);

const cube = Array.from({ length: 2 * 3 * 4 }, (_, i) => i * 10);
const imgs = idx(0x08, [2, 3, 4], cube, u8);

describe('parseIdx', () => {
  it('reads uint8 3-D, raw and gzipped alike', () => {
    for (const bytes of [imgs, gzipSync(imgs)]) {
      const a = parseIdx(bytes, 'cube');
      expect(a.dtype).toBe('uint8');
      expect(a.shape).toEqual([2, 3, 4]);
      expect(a.data).toBeInstanceOf(Uint8Array);
      expect(Array.from(a.data)).toEqual(cube);
    }
  });

  it('reads big-endian int32 1-D, int16, float32, float64, and empty arrays', () => {
    const ints = [1, -2, 0x01020304, -2147483648, 2147483647];
    const a = parseIdx(gzipSync(idx(0x0c, [5], ints, i32)));
    expect(a).toMatchObject({ dtype: 'int32', shape: [5] });
    expect(a.data).toBeInstanceOf(Int32Array);
    expect(Array.from(a.data)).toEqual(ints);

    expect(Array.from(parseIdx(idx(0x0b, [3], [-1, 258, 32767], i16)).data)).toEqual([-1, 258, 32767]);

    const fl = [0.5, -1.25, 2 ** 100, -0];
    const f = parseIdx(idx(0x0d, [2, 2], fl, f32));
    expect(f).toMatchObject({ dtype: 'float32', shape: [2, 2] });
    expect(Array.from(f.data)).toEqual(fl);

    const d = parseIdx(idx(0x0e, [2], [Math.PI, -1e-300], f64));
    expect(Array.from(d.data)).toEqual([Math.PI, -1e-300]);

    expect(parseIdx(idx(0x08, [0, 28, 28], [], u8)).shape).toEqual([0, 28, 28]);
  });

  it('does not alias the input buffer', () => {
    const copy = imgs.slice();
    const a = parseIdx(copy);
    copy[4 + 12] = 99;
    expect(a.data[0]).toBe(0);
  });

  const err = (bytes: Uint8Array) => () => parseIdx(bytes, 'train-images-idx3-ubyte.gz');

  it('rejects truncated payloads, saying what the header wanted', () => {
    const big = idx(0x08, [60000, 28, 28], [], u8);
    const short = new Uint8Array(big.length + 1234);
    short.set(big);
    expect(err(short)).toThrow(
      "IDX input 'train-images-idx3-ubyte.gz' is truncated: header says 60000×28×28 = 47040000 bytes of uint8 but only 1234 bytes follow",
    );
    expect(err(gzipSync(imgs.subarray(0, imgs.length - 1)))).toThrow(/'train-images-idx3-ubyte.gz' is truncated: .*23 bytes follow/);
    expect(err(idx(0x0c, [5], [1, 2, 3, 4, 5], i32).subarray(0, 20))).toThrow(/5 int32 values = 20 bytes but only 12 bytes follow/);
  });

  it('rejects truncated headers', () => {
    expect(err(new Uint8Array([0, 0]))).toThrow(/'train-images-idx3-ubyte.gz' is truncated: 2 bytes, shorter than the 4-byte IDX magic/);
    expect(err(imgs.subarray(0, 10))).toThrow(/'train-images-idx3-ubyte.gz' is truncated: header declares 3 dims \(16 header bytes\)/);
  });

  it('rejects bad magic and unknown type codes', () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]);
    expect(err(png)).toThrow(/IDX input 'train-images-idx3-ubyte.gz' has bad magic 0x89 0x50 0x4e 0x47/);
    const bad = imgs.slice();
    bad[2] = 0x0a;
    expect(err(bad)).toThrow(/IDX input 'train-images-idx3-ubyte.gz' has unknown type code 0x0a \(expected one of 0x08 uint8/);
    expect(err(new Uint8Array([0, 0, 8, 0]))).toThrow(/'train-images-idx3-ubyte.gz' declares 0 dimensions/);
  });

  it('rejects trailing bytes', () => {
    const long = new Uint8Array(imgs.length + 3);
    long.set(imgs);
    expect(err(long)).toThrow(
      "IDX input 'train-images-idx3-ubyte.gz' has 3 trailing bytes: header says 2×3×4 = 24 bytes of uint8 but 27 bytes follow",
    );
  });

  it('rejects absurd sizes before allocating', () => {
    expect(err(idx(0x0e, [65536, 65536], [], u8))).toThrow(/'train-images-idx3-ubyte.gz' declares dims 65536×65536, over the \d+-byte limit/);
  });

  it('wraps zlib errors for corrupt gzip, keeping the cause', () => {
    const gz = gzipSync(imgs);
    const corrupt = Uint8Array.from(gz); // (Buffer#slice would alias gz)
    corrupt.fill(0xff, 10, gz.length - 8); // mangle the deflate stream, keep the gzip magic
    let caught: unknown;
    try {
      err(corrupt)();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(Error);
    expect((caught as Error).message).toMatch(/^IDX input 'train-images-idx3-ubyte.gz' looks gzipped \(starts 1f 8b\) but could not be decompressed: /);
    expect((caught as Error).cause).toBeInstanceOf(Error);
    expect(err(gz.subarray(0, gz.length - 4))).toThrow(/looks gzipped .* could not be decompressed: unexpected end of file/);
  });
});

describe('readIdxFile / readIdxFileSync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fastgrad-idx-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('read raw and gz files and name the path in errors', async () => {
    const raw = join(dir, 'a-idx3-ubyte');
    const gz = join(dir, 'a-idx3-ubyte.gz');
    writeFileSync(raw, imgs);
    writeFileSync(gz, gzipSync(imgs));
    for (const p of [raw, gz]) {
      expect(Array.from(readIdxFileSync(p).data)).toEqual(cube);
      expect((await readIdxFile(p)).shape).toEqual([2, 3, 4]);
    }
    const bad = join(dir, 'bad.gz');
    writeFileSync(bad, gzipSync(imgs).subarray(0, 20));
    expect(() => readIdxFileSync(bad)).toThrow(`IDX input '${bad}' looks gzipped`);
    await expect(readIdxFile(bad)).rejects.toThrow(`IDX input '${bad}' looks gzipped`);
  });
});
