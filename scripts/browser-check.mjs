#!/usr/bin/env node
// Manual check of the wasm backend in a real page (not part of `npm test`; the package's browser test
// is test/browser). Bundles a small training script with esbuild, serves it on 127.0.0.1 twice, as a
// plain page and as a cross-origin isolated one (COOP/COEP headers), and runs both in headless
// Chromium through playwright-core: the plain page must take the single-threaded -st build, the
// isolated one the shared build with its Web Worker pool; both must train to the same losses, bit for
// bit. Needs Debian's `chromium` and, not saved in package.json:
//   npm install --no-save playwright-core   (esbuild comes with tsx)
// Usage: node scripts/browser-check.mjs [--chromium /usr/bin/chromium]
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (k, d) => (process.argv.includes(k) ? process.argv[process.argv.indexOf(k) + 1] : d);
const [{ build }, { chromium }] = await Promise.all([import('esbuild'), import('playwright-core')]).catch((e) => {
  console.error(`browser-check: needs esbuild and playwright-core (npm install --no-save playwright-core): ${e.message}`);
  process.exit(2);
});

// The page: register (optionally with wasmBase), init, train an MLP whose matmuls are large enough to
// be split across the pool, and report the device, the build and the losses.
const page = `
import { initBackend, getBackend, setDefaultDevice } from './src/backend/backend.ts';
import { registerWasmBackend } from './src/backend/wasm/register.ts';
import { randn } from './src/tensor/creation.ts';
import { manualSeed } from './src/tensor/random.ts';
import * as nn from './src/nn/index.ts';
import * as optim from './src/optim/index.ts';
import * as F from './src/nn/functional.ts';
import { createWasmBackend } from './src/backend/wasm/index.ts';
const q = new URLSearchParams(location.search);
// ?faults=1: the pool watchdog on a page (the caller spins: a page's main thread may not Atomics.wait)
async function faults() {
  const out = {};
  const product = (be) => {
    const M = 384, v = (d) => ({ storage: d ? be.fromArray(d) : be.alloc('float32', M * M), shape: [1, M, M], strides: [M * M, M, 1], offset: 0 });
    const a = v(Float32Array.from({ length: M * M }, (_, i) => (i % 7) - 3)), o = v(null);
    return () => (be.matmul(a, a, o), Array.from(be.read(o.storage)).join());
  };
  const want = product(await createWasmBackend({ threads: 1 }))();
  for (const fault of ['throw-in-chunk', 'exit-in-chunk']) {
    const be = await createWasmBackend({ threads: 2, faults: [{ worker: 1, fault }] });
    const run = product(be);
    let err = null, runs = 0;
    const t0 = performance.now();
    while (!err && performance.now() - t0 < 10000) { runs++; try { run(); } catch (e) { err = e; } }
    const ms = Math.round(performance.now() - t0);
    const after = run() === want;
    const t1 = performance.now();
    while (be.liveThreads < 2 && performance.now() - t1 < 10000) await new Promise((r) => setTimeout(r, 10));
    out[fault] = { error: err && err.name + ': ' + err.message, runs, ms, after, liveThreads: be.liveThreads };
  }
  return out;
}
try {
  if (q.get('faults')) throw { faults: await faults() };
  const t0 = performance.now();
  registerWasmBackend(q.get('base') ? { wasmBase: q.get('base') } : {});
  await initBackend('wasm');
  setDefaultDevice('wasm');
  const be = getBackend('wasm');
  const tInit = performance.now() - t0;
  manualSeed(0);
  const x = randn([512, 64]), w = randn([64, 1]), y = x.matmul(w).add(randn([512, 1]).mul(0.1));
  const model = new nn.Sequential(new nn.Linear(64, 256), new nn.ReLU(), new nn.Linear(256, 1));
  const opt = new optim.SGD(model.parameters(), { lr: 0.01 });
  const losses = [];
  const t1 = performance.now();
  for (let i = 0; i < 20; i++) {
    const loss = F.mseLoss(model.call(x), y);
    loss.backward();
    opt.step();
    opt.zeroGrad();
    losses.push(loss.item());
  }
  const big = randn([384, 384]).matmul(randn([384, 384]));
  window.result = { coi: self.crossOriginIsolated === true, info: be.info, liveThreads: be.liveThreads, device: x.device, losses, bigSum: big.sum().item(),
    initMs: Math.round(tInit), trainMs: Math.round(performance.now() - t1) };
} catch (e) {
  window.result = e && e.faults ? e : { error: String(e && e.stack || e) };
}
`;
const out = await build({
  stdin: { contents: page, resolveDir: root, loader: 'js', sourcefile: 'page.js' },
  bundle: true, format: 'esm', platform: 'browser', target: 'es2022', write: false, logLevel: 'error',
  // NOTE: until the package's browser entry lands (pkg), src/tensor/tensor.ts imports node:util for
  // inspect.custom only: stub it
  plugins: [{ name: 'stub-node-util', setup(b) {
    b.onResolve({ filter: /^node:util$/ }, () => ({ path: 'util', namespace: 'stub' }));
    b.onLoad({ filter: /.*/, namespace: 'stub' }, () => ({ contents: "export const inspect = { custom: Symbol.for('nodejs.util.inspect.custom') };", loader: 'js' }));
  } }],
});
const app = out.outputFiles[0].text;
const generated = join(root, 'src/backend/wasm/generated');
const fetched = [];
const server = createServer((req, res) => {
  const u = new URL(req.url, 'http://x');
  const [, mode, ...rest] = u.pathname.split('/'); // /plain/... or /coi/...
  const path = rest.join('/');
  const headers = mode === 'coi' ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {};
  let body = null, type = 'text/plain';
  if (path === 'index.html') (body = '<!doctype html><script type="module" src="./app.js"></script>'), (type = 'text/html');
  else if (path === 'app.js') (body = app), (type = 'text/javascript');
  else if (/^(generated|assets\/fg)\/[\w.-]+$/.test(path)) {
    try {
      body = readFileSync(join(generated, path.split('/').pop()));
      type = path.endsWith('.wasm') ? 'application/wasm' : 'application/json';
      fetched.push(`${mode}:${path}`);
    } catch { /* 404 */ }
  }
  if (u.pathname.endsWith('/favicon.ico')) return void res.writeHead(204, headers).end();
  if (body === null) return void res.writeHead(404, headers).end();
  res.writeHead(200, { ...headers, 'content-type': type }).end(body);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({ executablePath: arg('--chromium', '/usr/bin/chromium'), args: ['--no-sandbox'] });
const results = {};
let failed = false;
try {
  for (const [name, path] of [['plain', '/plain/index.html'], ['coi', '/coi/index.html'], ['coi+wasmBase', '/coi/index.html?base=/coi/assets/fg/'], ['coi+faults', '/coi/index.html?faults=1']]) {
    const p = await browser.newPage();
    const errs = [];
    p.on('pageerror', (e) => errs.push(String(e)));
    p.on('console', (m) => m.type() === 'error' && errs.push(m.text()));
    fetched.length = 0;
    await p.goto(origin + path);
    await p.waitForFunction(() => window.result !== undefined, null, { timeout: 60_000 });
    const r = await p.evaluate(() => window.result);
    results[name] = { ...r, fetched: [...fetched], errors: errs };
    await p.close();
  }
} finally {
  await browser.close();
  server.close();
}
for (const [name, r] of Object.entries(results)) {
  if (r.faults) {
    for (const [f, x] of Object.entries(r.faults)) console.log(`${name} ${f}: after ${x.runs} run(s), ${x.ms} ms: ${x.error}; next op same as 1 thread: ${x.after}; liveThreads ${x.liveThreads}`);
    continue;
  }
  if (r.error) {
    failed = true;
    console.log(`${name}: ERROR ${r.error}`);
    continue;
  }
  console.log(`${name}: crossOriginIsolated=${r.coi} ${JSON.stringify(r.info)} liveThreads=${r.liveThreads} device=${r.device} init ${r.initMs} ms, 20 steps ${r.trainMs} ms`);
  console.log(`  fetched ${r.fetched.join(', ')}${r.errors.length ? `; page errors: ${r.errors.join(' | ')}` : ''}`);
  console.log(`  loss ${r.losses[0].toFixed(5)} -> ${r.losses.at(-1).toFixed(5)}; big matmul sum ${r.bigSum}`);
}
const { plain, coi, 'coi+wasmBase': based } = results;
const checks = [
  ['plain page: single-threaded -st build', plain?.info?.shared === false && plain.info.threads === 1 && /-st\.wasm$/.test(plain.info.file)],
  ['isolated page: shared build with workers', coi?.info?.shared === true && coi.info.threads > 1 && coi.liveThreads === coi.info.threads],
  ['wasmBase: files fetched from /assets/fg/', based?.fetched?.length > 0 && based.fetched.every((f) => f.includes('assets/fg/'))],
  ['the loss falls', plain?.losses?.at(-1) < plain?.losses?.[0] / 2],
  ['same losses and products, bit for bit, on every page', JSON.stringify([plain?.losses, plain?.bigSum]) === JSON.stringify([coi?.losses, coi?.bigSum]) && JSON.stringify([coi?.losses, coi?.bigSum]) === JSON.stringify([based?.losses, based?.bigSum])],
  ['no page errors', Object.values(results).every((r) => !r.errors?.length)],
  ['page watchdog: a throwing kernel and a dying worker give WorkerErrors; the pool recovers', ['throw-in-chunk', 'exit-in-chunk'].every((f) => {
    const x = results['coi+faults']?.faults?.[f];
    return x && /^WorkerError: wasm backend: (kernel 'sgemmPrepacked' threw on worker thread 1|worker thread 1 died while running kernel 'sgemmPrepacked')/.test(x.error) && x.liveThreads === 2 && x.after === true;
  })],
];
for (const [what, ok] of checks) {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  failed ||= !ok;
}
process.exit(failed ? 1 : 0);
