// Reference NCHW conv2d (cross-correlation, like torch) and its two backward passes, as direct loops.
import type { Conv2dParams, View } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';

interface Geo {
  N: number; C: number; H: number; W: number; O: number; KH: number; KW: number; OH: number; OW: number; cg: number; og: number;
}

function geometry(x: View, w: View, out: View, p: Conv2dParams): Geo {
  const [N, C, H, W] = x.shape as [number, number, number, number];
  const [O, cg, KH, KW] = w.shape as [number, number, number, number];
  const [, , OH, OW] = out.shape as [number, number, number, number];
  return { N, C, H, W, O, KH, KW, OH, OW, cg, og: O / p.groups };
}

/** Visit every (output position, kernel tap) pair that lands inside the input. */
function forEachTap(g: Geo, p: Conv2dParams, fn: (n: number, o: number, oy: number, ox: number, c: number, ky: number, kx: number, iy: number, ix: number) => void): void {
  const [sh, sw] = p.stride, [ph, pw] = p.padding, [dh, dw] = p.dilation;
  for (let n = 0; n < g.N; n++)
    for (let o = 0; o < g.O; o++) {
      const grp = Math.floor(o / g.og);
      for (let oy = 0; oy < g.OH; oy++)
        for (let ox = 0; ox < g.OW; ox++)
          for (let ci = 0; ci < g.cg; ci++) {
            const c = grp * g.cg + ci;
            for (let ky = 0; ky < g.KH; ky++) {
              const iy = oy * sh - ph + ky * dh;
              if (iy < 0 || iy >= g.H) continue;
              for (let kx = 0; kx < g.KW; kx++) {
                const ix = ox * sw - pw + kx * dw;
                if (ix < 0 || ix >= g.W) continue;
                fn(n, o, oy, ox, c, ky, kx, iy, ix);
              }
            }
          }
    }
}

const at4 = (v: View, a: number, b: number, c: number, d: number): number =>
  v.offset + a * v.strides[0]! + b * v.strides[1]! + c * v.strides[2]! + d * v.strides[3]!;

export function conv2d(xd: TypedArray, x: View, wd: TypedArray, w: View, od: TypedArray, out: View, p: Conv2dParams): void {
  const g = geometry(x, w, out, p);
  const acc = new Float64Array(g.N * g.O * g.OH * g.OW);
  forEachTap(g, p, (n, o, oy, ox, c, ky, kx, iy, ix) => {
    acc[((n * g.O + o) * g.OH + oy) * g.OW + ox]! += xd[at4(x, n, c, iy, ix)]! * wd[at4(w, o, c % g.cg, ky, kx)]!;
  });
  let k = 0;
  for (let n = 0; n < g.N; n++)
    for (let o = 0; o < g.O; o++)
      for (let oy = 0; oy < g.OH; oy++) for (let ox = 0; ox < g.OW; ox++) od[at4(out, n, o, oy, ox)] = acc[k++]!;
}

export function conv2dBackwardInput(gd: TypedArray, gOut: View, wd: TypedArray, w: View, gid: TypedArray, gIn: View, p: Conv2dParams): void {
  const g = geometry(gIn, w, gOut, p);
  const acc = new Float64Array(g.N * g.C * g.H * g.W);
  forEachTap(g, p, (n, o, oy, ox, c, ky, kx, iy, ix) => {
    acc[((n * g.C + c) * g.H + iy) * g.W + ix]! += gd[at4(gOut, n, o, oy, ox)]! * wd[at4(w, o, c % g.cg, ky, kx)]!;
  });
  let k = 0;
  for (let n = 0; n < g.N; n++)
    for (let c = 0; c < g.C; c++)
      for (let y = 0; y < g.H; y++) for (let x = 0; x < g.W; x++) gid[at4(gIn, n, c, y, x)] = acc[k++]!;
}

export function conv2dBackwardWeight(xd: TypedArray, x: View, gd: TypedArray, gOut: View, gwd: TypedArray, gW: View, p: Conv2dParams): void {
  const g = geometry(x, gW, gOut, p);
  const acc = new Float64Array(g.O * g.cg * g.KH * g.KW);
  forEachTap(g, p, (n, o, oy, ox, c, ky, kx, iy, ix) => {
    acc[((o * g.cg + (c % g.cg)) * g.KH + ky) * g.KW + kx]! += xd[at4(x, n, c, iy, ix)]! * gd[at4(gOut, n, o, oy, ox)]!;
  });
  let k = 0;
  for (let o = 0; o < g.O; o++)
    for (let c = 0; c < g.cg; c++)
      for (let y = 0; y < g.KH; y++) for (let x2 = 0; x2 < g.KW; x2++) gwd[at4(gW, o, c, y, x2)] = acc[k++]!;
}
