// Run a suite once per available backend (tfjs describeWithFlags / torch instantiate_device_type_tests).
// The reference 'cpu' and the 'wasm' backend are registered by the library (wasm is the default device;
// FASTGRAD_BACKEND=cpu makes cpu the default for every other test); initBackend below creates a backend
// once per test file. Select with FASTGRAD_TEST_BACKENDS=cpu,wasm.
import { afterAll, beforeAll, describe } from 'vitest';
import { getDefaultDevice, initBackend, registeredBackends, setDefaultDevice } from '../../src/index.js';

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

