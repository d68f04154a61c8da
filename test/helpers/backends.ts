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
      describe(`${name} [${device}: skipped, ${reason}]`, () => it.skip(reason, () => {}));
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
