// fastgrad benchmarks against the peers of ../shared/bench (not part of npm test).
//   npm run bench [-- --only M1,M2,M3,M4,W2,W3] [--quick] [--json out.json] [--baseline DIR]
// Measures the wasm backend and the reference cpu backend in this run, reads the peers' JSON from the
// baseline folder (../shared/bench/baseline: torch-t2.json, tfjs-wasm.json, numpy-debian-asis.json),
// and prints a table of speedups (> 1: fastgrad wasm is faster). The machine is shared and noisy:
// compare ratios, not absolute numbers, and rerun before drawing conclusions.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as fg from '../src/index.js';
import type { WasmBackend } from '../src/backend/wasm/index.js';
import { type Tensor } from '../src/index.js';
import { workloads, type Row } from './workloads.js';

const argv = process.argv.slice(2);
const arg = (k: string): string | undefined => {
  const i = argv.indexOf(`--${k}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const only = (arg('only') ?? 'M1,M2,M3,M4,W2,W3').split(',');
const quick = argv.includes('--quick');
const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const baseDir = arg('baseline') ?? process.env.FASTGRAD_BENCH_BASELINE ?? path.join(root, '../shared/bench/baseline');

const wasm = (await fg.initBackend('wasm')) as WasmBackend;
console.log(`fastgrad wasm: ${wasm.info.variant} SIMD, ${wasm.info.threads} thread(s); node ${process.version}; ${quick ? 'quick' : 'full'} run`);

interface PeerRow { w: string; case: string; threads?: number; best?: number; median?: number; unit?: string; error?: string }
function peer(file: string): PeerRow[] {
  try {
    return (JSON.parse(fs.readFileSync(path.join(baseDir, file), 'utf8')) as { rows: PeerRow[] }).rows;
  } catch {
    return [];
  }
}
const PEERS: [string, PeerRow[]][] = [
  ['torch', peer('torch-t2.json')],
  ['tfjs-wasm', peer('tfjs-wasm.json')],
  ['numpy', peer('numpy-debian-asis.json').filter((r) => r.threads === 2)],
];
if (PEERS.every(([, r]) => r.length === 0)) console.log(`(no peer baselines found in ${baseDir}: only fastgrad numbers and the cpu ratio are printed)`);

const rows: Row[] = [];
for (const w of workloads(wasm, quick)) {
  if (!only.includes(w.id)) continue;
  for (const r of w.run()) {
    rows.push(r);
    printRow(r);
  }
}

function find(rs: PeerRow[], r: Row): PeerRow | undefined {
  return rs.find((p) => p.w === r.w && r.peerCase.some((c) => p.case.startsWith(c)) && p.best !== undefined && !p.error);
}

/** Speedup of fastgrad over a peer (> 1 = fastgrad faster), on best values. */
function speedup(r: Row, other: number): number {
  return r.higherIsBetter ? r.best / other : other / r.best;
}

function fmt(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '-';
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

function printRow(r: Row): void {
  const cols = [`${r.w}`, r.case.padEnd(44), `${fmt(r.best)} / ${fmt(r.median)} ${r.unit}`.padEnd(24)];
  cols.push(`cpu ${fmt(r.cpu)}`.padEnd(11), `x${fmt(r.cpu === undefined ? undefined : speedup(r, r.cpu))}`.padEnd(7));
  for (const [name, rs] of PEERS) {
    const p = find(rs, r);
    cols.push(`${name} ${fmt(p?.best)}`.padEnd(name.length + 8), `x${fmt(p?.best === undefined ? undefined : speedup(r, p.best))}`.padEnd(7));
  }
  console.log(cols.join(' '));
}

console.log('\ncolumns: fastgrad wasm best / median, then each comparison value and the speedup of fastgrad wasm over it (x > 1: faster).');
console.log('peers: torch = PyTorch 1.13 CPU, 2 threads; tfjs-wasm = TensorFlow.js 4.22 wasm (SIMD, 1 thread); numpy = OpenBLAS 0.3.21, 2 threads (M1 only);');
console.log('cpu = the fastgrad reference backend, measured in this run (M4 on a reduced batch, rates are comparable).');
const out = arg('json');
if (out) fs.writeFileSync(out, JSON.stringify({ info: { ...wasm.info, node: process.version, date: new Date().toISOString() }, rows }, null, 1));
void (null as unknown as Tensor);
process.exit(0);
