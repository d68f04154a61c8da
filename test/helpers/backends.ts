// Run a suite once per backend (tfjs describeWithFlags / torch instantiate_device_type_tests), with the
// backends a suite does not run on listed as data, each with its reason, visible in the suite's name:
//
//   describeBackends('optim', (device) => { ... }, { skip: { wasm: 'why' } });
//   describeBackends('gradcheck', fn, { only: ['cpu'], skip: { ... } });
//
// The backends: 'cpu' (the reference), 'wasm' (the fast CPU one; both registered by the library) and
// 'cpu-async', the reference kernels with only an asynchronous read (registered here): the stand-in for
// WebGPU, on which a synchronous read throws. Inside a suite new tensors go to its device (the default
// device is set for the suite). FASTGRAD_TEST_BACKENDS=cpu,wasm selects backends.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createAsyncCpuBackend, getDefaultDevice, initBackend, registerBackend, setDefaultDevice } from '../../src/index.js';

registerBackend('cpu-async', createAsyncCpuBackend);

export const ALL_BACKENDS = ['cpu', 'wasm', 'cpu-async'] as const;
export type TestBackend = (typeof ALL_BACKENDS)[number];

export const testBackends: readonly string[] = process.env.FASTGRAD_TEST_BACKENDS
  ? process.env.FASTGRAD_TEST_BACKENDS.split(',').map((s) => s.trim()).filter(Boolean)
  : ALL_BACKENDS;

export interface BackendSuiteOpts {
  /** Backends this suite does not run on, each with the reason (shown as a skipped suite). */
  skip?: Partial<Record<TestBackend, string>>;
  /** The only backends the suite runs on (others are listed as skipped, unless `skip` gives a reason). */
  only?: readonly TestBackend[];
}

/** Why `device` is skipped, or null when the suite runs there. */
export function skipReason(device: string, opts: BackendSuiteOpts = {}): string | null {
  const reason = opts.skip?.[device as TestBackend];
  if (reason) return reason;
  if (opts.only && !opts.only.includes(device as TestBackend)) return `runs only on ${opts.only.join(', ')}`;
  return null;
}

/** describe.each over backends: inside, new tensors are created on that backend. */
export function describeBackends(name: string, fn: (device: string) => void, opts: BackendSuiteOpts = {}): void {
  for (const b of Object.keys(opts.skip ?? {}))
    if (!(ALL_BACKENDS as readonly string[]).includes(b)) throw new Error(`describeBackends('${name}'): skip names unknown backend '${b}' (known: ${ALL_BACKENDS.join(', ')})`);
  for (const device of testBackends) {
    const reason = skipReason(device, opts);
    if (reason !== null) {
      describe(`${name} [${device}: skipped, ${reason}]`, () => it.skip(`skipped on ${device}: ${reason}`, () => {}));
      continue;
    }
    describe(`${name} [${device}]`, () => {
      let prev = 'cpu';
      beforeAll(async () => {
        prev = getDefaultDevice();
        await initBackend(device);
        setDefaultDevice(device);
      });
      afterAll(() => setDefaultDevice(prev));
      fn(device);
    });
  }
}

/**
 * Why an op in src/ops cannot run on a device without synchronous reads yet: it reads values on the host
 * (sort/argsort/topk, nonzero and boolean masks, the bounds check of advanced indexing).
 */
export const OPS_READ_ON_HOST = 'the op reads values synchronously in src/ops (host sort, nonzero/masks, index bounds check)';

/** `it`, or `it.skip` with the reason in the name when `skip` lists `device` (per-test skips as data). */
export function itOn(device: string, skip: Partial<Record<TestBackend, string>>): (name: string, fn: () => unknown) => void {
  const reason = skip[device as TestBackend];
  return (name, fn) => (reason ? it.skip(`${name} [${device}: skipped, ${reason}]`, fn) : it(name, fn));
}

/**
 * The rows of an it.each table to run on `device`; the others become skipped tests named by their
 * first column and the reason `skip(row)` gives (null: run it). Call inside a describe.
 */
export function casesFor<T extends readonly unknown[]>(device: string, rows: readonly T[], skip: (row: T) => string | null): T[] {
  const run: T[] = [];
  for (const r of rows) {
    const reason = skip(r);
    if (reason === null) run.push(r);
    else it.skip(`${String(r[0])} [${device}: skipped, ${reason}]`, () => {});
  }
  return run;
}

/** Why an op suite that still reads results synchronously skips cpu-async (same kernels as cpu, checked there). */
export const READS_SYNC = 'the suite reads results synchronously (cpu-async runs the reference kernels, checked on cpu)';
