// The package as a user installs it: `npm pack` (prepack builds dist/), a fresh project installs the
// tarball offline, then plain node imports it (ESM and CommonJS), the repo's tsc checks a user's files
// under strict + nodenext without skipLibCheck, the default device is wasm, and the CLI runs.
// NOTE: the install is offline and exact: the project gets a lockfile made from this repository's (the
// runtime dependencies only, same versions and integrity hashes), whose tarballs `npm ci` left in the
// npm cache; `npm install --prefer-offline` is the fallback when that cannot work.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = mkdtempSync(join(tmpdir(), 'fastgrad-tarball-'));
const project = join(tmp, 'project');

interface Run {
  stdout: string;
  stderr: string;
}
/** Run a command; on failure throw with the command, its exit code and its whole output. */
function run(cmd: string, args: readonly string[], opts: { cwd: string; timeout?: number; env?: NodeJS.ProcessEnv }): Promise<Run> {
  return new Promise((ok, fail) => {
    execFile(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, timeout: opts.timeout ?? 120_000, maxBuffer: 64 * 2 ** 20 }, (err, stdout, stderr) => {
      if (err) fail(new Error(`\`${cmd} ${args.join(' ')}\` in ${opts.cwd} failed (${err.code ?? err.signal}):\n--- stdout\n${stdout}\n--- stderr\n${stderr}`));
      else ok({ stdout, stderr });
    });
  });
}
const node = (args: readonly string[], env?: NodeJS.ProcessEnv) => run(process.execPath, args, { cwd: project, env });

interface PackResult {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: { path: string }[];
}
let pack: PackResult;
let installMode = '';

/** package-lock.json for a project depending on the tarball: fastgrad's runtime closure from the repo's lockfile. */
function projectLock(tgz: string): object {
  const lock = JSON.parse(readFileSync(join(repo, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
  const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Record<string, unknown>;
  const bytes = readFileSync(join(project, tgz));
  const packages: Record<string, unknown> = {
    '': { name: 'user-project', dependencies: { fastgrad: `file:${tgz}` } },
    'node_modules/fastgrad': {
      version: pkg.version, resolved: `file:${tgz}`, integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
      license: pkg.license, dependencies: pkg.dependencies, bin: pkg.bin, engines: pkg.engines,
    },
  };
  // Without the dev-only entries this is the layout `npm ci --omit=dev` makes: valid for the runtime deps.
  for (const [k, v] of Object.entries(lock.packages)) if (k !== '' && !v.dev) packages[k] = v;
  return { name: 'user-project', lockfileVersion: 3, requires: true, packages };
}

beforeAll(async () => {
  const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const packed = await run('npm', ['pack', '--json', '--pack-destination', tmp], { cwd: repo, timeout: 240_000, env: npmEnv });
  const json = packed.stdout.slice(packed.stdout.search(/^\[/m)); // lifecycle scripts may print first
  pack = (JSON.parse(json) as PackResult[])[0]!;

  rmSync(project, { recursive: true, force: true });
  mkdirSync(project, { recursive: true });
  copyFileSync(join(tmp, pack.filename), join(project, pack.filename));
  const manifest = { name: 'user-project', private: true, type: 'module', dependencies: { fastgrad: `file:${pack.filename}` } };
  writeFileSync(join(project, 'package.json'), JSON.stringify(manifest, null, 2));
  writeFileSync(join(project, 'package-lock.json'), JSON.stringify(projectLock(pack.filename), null, 2));
  try {
    await run('npm', ['ci', '--offline', '--no-audit', '--no-fund'], { cwd: project, timeout: 240_000, env: npmEnv });
    installMode = 'npm ci --offline';
  } catch (offline) {
    console.warn(`offline install failed, trying --prefer-offline: ${(offline as Error).message.slice(0, 2000)}`);
    rmSync(join(project, 'package-lock.json'), { force: true });
    rmSync(join(project, 'node_modules'), { recursive: true, force: true });
    await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', `./${pack.filename}`], { cwd: project, timeout: 240_000, env: npmEnv });
    installMode = 'npm install --prefer-offline';
  }
}, 600_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the npm tarball', () => {
  it('holds the library only: dist/ (JavaScript, .d.ts, the .wasm kernels), bin/, README.md, package.json', () => {
    const paths = pack.files.map((f) => f.path);
    const outside = paths.filter((p) => !/^(dist\/|bin\/fastgrad\.mjs$|README\.md$|package\.json$|LICENSE)/.test(p));
    expect(outside).toEqual([]);
    expect(paths.filter((p) => /(^|\/)(test|tests|tools|bench|fixtures|golden|assembly|examples)\//.test(p) || (/\.ts$/.test(p) && !p.endsWith('.d.ts')))).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining([
      'dist/index.js', 'dist/index.d.ts', 'dist/node.js', 'dist/node.d.ts', 'dist/cli/main.js',
      'dist/backend/wasm/generated/fastgrad-simd.wasm', 'dist/backend/wasm/generated/fastgrad-relaxed.wasm',
    ]));
    expect(pack.size).toBeLessThan(1024 * 1024); // 4 MB of tests and fixtures once; about 0.3 MB now
  });

  it('installs into a fresh project, offline from the npm cache, without any build tool', () => {
    expect(installMode).toBe('npm ci --offline');
    const installed = join(project, 'node_modules/fastgrad');
    expect(existsSync(join(installed, 'dist/backend/wasm/generated/fastgrad-simd.wasm'))).toBe(true);
    expect(existsSync(join(installed, 'src'))).toBe(false);
    // nothing of the build toolchain comes along
    for (const dev of ['tsx', 'typescript', 'assemblyscript', 'vitest', 'esbuild']) expect(existsSync(join(project, 'node_modules', dev)), dev).toBe(false);
  });

  it('imports with plain node as ESM: training works on the default device, wasm', async () => {
    writeFileSync(join(project, 'esm.mjs'), `
import * as fg from 'fastgrad';
import * as fgNode from 'fastgrad/node';
const x = fg.tensor([[1, 2], [3, 4]], { dtype: 'float32' }).requiresGrad_();
const y = x.mul(x).sum();
y.backward();
fg.manualSeed(0);
const model = new fg.nn.Linear(2, 1);
const opt = new fg.optim.SGD(model.parameters(), { lr: 0.1 });
const xs = fg.randn([64, 2]), ys = xs.matmul(fg.tensor([[2], [-1]], { dtype: 'float32' }));
const losses = [];
for (let i = 0; i < 20; i++) {
  const loss = fg.F.mseLoss(model.call(xs), ys);
  loss.backward(); opt.step(); opt.zeroGrad();
  losses.push((await loss.tolistAsync()));
}
console.log(JSON.stringify({
  device: fg.getDefaultDevice(), y: (await y.tolistAsync()), grad: await x.grad.tolistAsync(), first: losses[0], last: losses.at(-1),
  sameTensor: fg.Tensor === fgNode.Tensor, nodeParts: [typeof fgNode.viz.savePlot, typeof fgNode.tabular.readCsv, typeof fgNode.data.untarData],
  coreHasNoNodeParts: [typeof fg.viz.savePlot, 'tabular' in fg, typeof fg.data.untarData],
}));
`);
    const { stdout, stderr } = await node(['esm.mjs']);
    const r = JSON.parse(stdout) as Record<string, unknown>;
    expect(r).toMatchObject({ device: 'wasm', y: 30, grad: [[2, 4], [6, 8]], sameTensor: true });
    expect(r.last as number).toBeLessThan((r.first as number) / 4);
    expect(r.nodeParts).toEqual(['function', 'function', 'function']);
    expect(r.coreHasNoNodeParts).toEqual(['undefined', false, 'undefined']);
    expect(stderr).toBe(''); // no wasm fallback notice, no warning
  });

  it('requires with plain node as CommonJS (require of ESM), without an ExperimentalWarning', async () => {
    writeFileSync(join(project, 'cjs.cjs'), `
const fg = require('fastgrad');
const { viz } = require('fastgrad/node');
const t = fg.arange(6).reshape(2, 3).float();
console.log(JSON.stringify({ device: fg.getDefaultDevice(), sum: t.sum().tolist(), viz: typeof viz.renderSvg }));
`);
    const { stdout, stderr } = await node(['cjs.cjs']);
    expect(JSON.parse(stdout)).toEqual({ device: 'wasm', sum: 15, viz: 'function' });
    expect(stderr).not.toMatch(/ExperimentalWarning/);
  });

  it("type-checks a user's ESM and CommonJS files: strict, module/moduleResolution nodenext, no skipLibCheck", async () => {
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, types: [] },
      files: ['main.ts', 'main.cts'],
    }));
    writeFileSync(join(project, 'main.ts'), `
import { F, Learner, data, getDefaultDevice, nn, optim, tensor, viz, type Tensor } from 'fastgrad';
import { tabular, viz as nodeViz, data as nodeData } from 'fastgrad/node';

const x: Tensor = tensor([[1, 2, 3]], { dtype: 'float32' });
const model = new nn.Sequential(new nn.Linear(3, 4), new nn.ReLU(), new nn.Linear(4, 1));
const y: Tensor = model.call(x);
const loss: Tensor = F.mseLoss(y, tensor([[1]], { dtype: 'float32' }));
const dl = new data.DataLoader(data.zip(x, tensor([[1]], { dtype: 'float32' })), { batchSize: 1 });
const learn = new Learner(new data.DataLoaders(dl, dl), model, { lossFunc: F.mseLoss, optFunc: optim.sgd() });
const spec: viz.TopLevelSpec = viz.lossSpec({ trainLoss: [1, 0.5, 0.25] });
const df: tabular.DataFrame = tabular.parseCsv('a,b\\n1,x\\n');
const rows: number = df.numRows();
const url: string = nodeData.URLs.MNIST_SAMPLE;
const svg: Promise<string> = nodeViz.renderSvg(spec);
const device: string = getDefaultDevice();
// @ts-expect-error: the types are real, not any (Linear takes sizes)
new nn.Linear('three', 1);
export { learn, loss, rows, url, svg, device };
`);
    writeFileSync(join(project, 'main.cts'), `
import fg = require('fastgrad');
import fgNode = require('fastgrad/node');
const t: fg.Tensor = fg.zeros([2, 2]);
const frame: fgNode.tabular.DataFrame | null = null;
export = { t, frame };
`);
    const tsc = join(repo, 'node_modules/typescript/bin/tsc');
    await node([tsc, '-p', join(project, 'tsconfig.json')]); // throws with tsc's messages on any error
  }, 120_000);

  it('runs `npx fastgrad --help` and `npx fastgrad mnist --quick` with plain node (no tsx)', async () => {
    const env = { ...process.env };
    delete env.FASTGRAD_DATA;
    delete env.FASTGRAD_BACKEND;
    const help = await run('npx', ['--no', '--', 'fastgrad', '--help'], { cwd: project, env });
    expect(help.stdout).toMatch(/Usage: fastgrad[\s\S]*mnist[\s\S]*titanic/);
    const out = join(project, 'run');
    const quick = await run('npx', ['--no', '--', 'fastgrad', 'mnist', '--quick', '--out', out], { cwd: project, env, timeout: 120_000 });
    expect(quick.stdout).toMatch(/summary[\s\S]*simple-net/);
    const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { stages: { name: string; accuracy: number }[]; data: { kind: string }; quick: boolean };
    expect(results.quick).toBe(true);
    expect(results.data.kind).toBe('npm-mnist');
    expect(results.stages.map((s) => s.name)).toEqual(['pixel-similarity', 'sgd-loop', 'basic-optim', 'learner-linear', 'simple-net']);
    for (const s of results.stages) expect(s.accuracy, s.name).toBeGreaterThan(0.8);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
  }, 150_000);
});
