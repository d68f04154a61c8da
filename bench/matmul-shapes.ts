// The matmul primitive on the chapter 4 shapes (bs 256, 784-30-1), forward and backward layouts:
// microseconds per call, best of many, for a given thread count (no Tensor overhead).
//   npx tsx bench/matmul-shapes.ts [threads]
import { createWasmBackend } from '../src/backend/wasm/index.js';

const threads = Number(process.argv[2] ?? 1);
const be = await createWasmBackend({ threads });
console.log(be.info);
type L = { shape: number[]; strides: number[] };
const rm = (r: number, c: number): L => ({ shape: [1, r, c], strides: [0, c, 1] });
const tr = (r: number, c: number): L => ({ shape: [1, r, c], strides: [0, 1, r] }); // transposed view of a [c, r] row-major
const cases: [string, L, L][] = [
  ['x@W1   256x784 @ 784x30', rm(256, 784), rm(784, 30)],
  ['N32    256x784 @ 784x32', rm(256, 784), rm(784, 32)],
  ['xT@g32 784x256 @ 256x32', tr(784, 256), rm(256, 32)],
  ['xT@W1  256x784T @ 784x30', tr(256, 784), rm(784, 30)],
  ['xT@g   784x256 @ 256x30', tr(784, 256), rm(256, 30)],
  ['g@W1T  256x30 @ 30x784', rm(256, 30), tr(30, 784)],
  ['x@WT   256x784 @ (30x784)T', rm(256, 784), tr(784, 30)],
  ['gT@x   30x256 @ 256x784', tr(30, 256), rm(256, 784)],
  ['h@W2   256x30 @ 30x1', rm(256, 30), rm(30, 1)],
  ['hT@g   30x256 @ 256x1', tr(30, 256), rm(256, 1)],
  ['g@W2T  256x1 @ 1x30', rm(256, 1), tr(1, 30)],
  ['x@w    256x784 @ 784x1', rm(256, 784), rm(784, 1)],
  ['xT@g   784x256 @ 256x1', tr(784, 256), rm(256, 1)],
];
for (const [name, la, lb] of cases) {
  const [M, K] = [la.shape[1]!, la.shape[2]!], N = lb.shape[2]!;
  const a = be.fromArray(new Float32Array(M * K).map(() => Math.random() - 0.5));
  const b = be.fromArray(new Float32Array(K * N).map(() => Math.random() - 0.5));
  const c = be.alloc('float32', M * N);
  const av = { storage: a, ...la, offset: 0 }, bv = { storage: b, ...lb, offset: 0 }, cv = { storage: c, ...rm(M, N), offset: 0 };
  for (let i = 0; i < 50; i++) be.matmul(av, bv, cv);
  const ts: number[] = [];
  for (let r = 0; r < 300; r++) {
    const t0 = performance.now();
    be.matmul(av, bv, cv);
    ts.push(performance.now() - t0);
  }
  ts.sort((x, y) => x - y);
  const g = (2 * M * N * K) / 1e3;
  console.log(`${name.padEnd(26)} best ${(ts[0]! * 1e3).toFixed(1).padStart(7)} us  median ${(ts[ts.length >> 1]! * 1e3).toFixed(1).padStart(7)} us  (${(g / (ts[0]! * 1e3)).toFixed(1)} GFLOP/s best)`);
}
process.exit(0);
