// Quick conv probe: GFLOP/s of each conv2d pass on the wasm backend (M4 shapes), no Tensor overhead.
//   npx tsx bench/conv-tune.ts [threads]
import { createWasmBackend } from '../src/backend/wasm/index.js';
const threads = Number(process.argv[2] ?? 2);
const be = await createWasmBackend({ threads });
for (const hw of [28, 56]) {
  const N = 64, C = 64, O = 64;
  const x = be.fromArray(new Float32Array(N * C * hw * hw).map(() => Math.random() - 0.5));
  const w = be.fromArray(new Float32Array(O * C * 9).map(() => Math.random() - 0.5));
  const g = be.fromArray(new Float32Array(N * O * hw * hw).map(() => Math.random() - 0.5));
  const o = be.alloc('float32', N * O * hw * hw), gi = be.alloc('float32', N * C * hw * hw), gw = be.alloc('float32', O * C * 9);
  const v4 = (s: any, sh: number[]) => ({ storage: s, shape: sh, strides: [sh[1]! * sh[2]! * sh[3]!, sh[2]! * sh[3]!, sh[3]!, 1], offset: 0 });
  const p = { stride: [1, 1] as [number, number], padding: [1, 1] as [number, number], dilation: [1, 1] as [number, number], groups: 1 };
  const fl = 2 * N * O * C * 9 * hw * hw / 1e9;
  const t = (f: () => void) => { f(); let b = Infinity; for (let r = 0; r < 3; r++) { const t0 = performance.now(); f(); b = Math.min(b, performance.now() - t0); } return (fl / (b / 1e3)).toFixed(1); };
  console.log(hw, 'fwd', t(() => be.conv2d(v4(x, [N, C, hw, hw]), v4(w, [O, C, 3, 3]), v4(o, [N, O, hw, hw]), p)),
    'bwdIn', t(() => be.conv2dBackwardInput(v4(g, [N, O, hw, hw]), v4(w, [O, C, 3, 3]), v4(gi, [N, C, hw, hw]), p)),
    'bwdW', t(() => be.conv2dBackwardWeight(v4(x, [N, C, hw, hw]), v4(g, [N, O, hw, hw]), v4(gw, [O, C, 3, 3]), p)), 'GFLOP/s');
}
process.exit(0);
