// Quick sgemm probe: GFLOP/s of the wasm backend's matmul primitive (no Tensor overhead).
//   npx tsx bench/sgemm-tune.ts [threads] [sizes...]
import { createWasmBackend } from '../src/backend/wasm/index.js';

const threads = Number(process.argv[2] ?? 1);
const sizes = process.argv.length > 3 ? process.argv.slice(3).map(Number) : [128, 256, 512, 1024, 2048];
const be = await createWasmBackend({ threads });
console.log(be.info);
for (const n of sizes) {
  const a = be.fromArray(new Float32Array(n * n).map(() => Math.random() - 0.5));
  const b = be.fromArray(new Float32Array(n * n).map(() => Math.random() - 0.5));
  const c = be.alloc('float32', n * n);
  const v = (s: typeof a) => ({ storage: s, shape: [1, n, n], strides: [0, n, 1], offset: 0 });
  const bt = { storage: b, shape: [1, n, n], strides: [0, 1, n], offset: 0 };
  for (const [name, bv] of [['NN', v(b)], ['NT', bt]] as const) {
    be.matmul(v(a), bv, v(c));
    const reps = Math.max(3, Math.ceil(2e9 / (2 * n ** 3)));
    const ts: number[] = [];
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      be.matmul(v(a), bv, v(c));
      ts.push(performance.now() - t0);
    }
    ts.sort((x, y) => x - y);
    const g = (2 * n ** 3) / 1e6;
    console.log(`n=${n} ${name}: best ${(g / ts[0]!).toFixed(1)} GFLOP/s, median ${(g / ts[ts.length >> 1]!).toFixed(1)}`);
  }
}
process.exit(0);
