// Run a suite once per available backend (tfjs describeWithFlags / torch instantiate_device_type_tests).
// The reference 'cpu' backend is always present; others join when registered and initialisable, and are
// listed as skipped with the reason otherwise. Select with FASTGRAD_TEST_BACKENDS=cpu,wasm.
import { afterAll, beforeAll, describe } from 'vitest';
import { getDefaultDevice, initBackend, registeredBackends, setDefaultDevice } from '../../src/index.js';
import { registerWasmBackend } from '../../src/backend/wasm/index.js';

// The wasm backend is registered explicitly (never by importing the library); initBackend below
// compiles its kernels and starts its worker threads once per test file.
registerWasmBackend();

export const testBackends: string[] = (process.env.FASTGRAD_TEST_BACKENDS?.split(',') ?? registeredBackends()).filter(Boolean);

/** describe.each over backends: inside, new tensors are created on that backend. */
export function describeBackends(name: string, fn: (device: string) => void): void {
  for (const device of testBackends) {
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

