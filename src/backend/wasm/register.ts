// Registers the wasm backend as the device 'wasm'. The package entry imports this module; backend.ts
// knows nothing of wasm, so the dependencies run one way: register → backend.ts, register → wasm/index.
//
// Note [Registering wasm]: on Node the factory is synchronous, so 'wasm' is a default-device candidate:
// created on first use, with no await, straight from `import 'fastgrad'` (backend.ts, Note [Default
// device]). Elsewhere (a browser) the factory returns a promise and is not tried by default: nothing is
// fetched until the page asks for it with `await initBackend('wasm')`, and then only the build this
// page can run (the single-threaded one without cross-origin isolation).
import { DeviceError } from '../../errors.js';
import { liveBackends, registerBackend } from '../backend.js';
import { type WasmOptions, createWasmBackend, createWasmBackendSync } from './index.js';
import { isNode } from './loader.js';

export type { WasmOptions } from './index.js';

const factory = (opts: WasmOptions) => () => (isNode ? createWasmBackendSync(opts) : createWasmBackend(opts));

registerBackend('wasm', factory({}), { preferDefault: isNode });

/**
 * Register the 'wasm' device with options (it is registered with the defaults already); call it before
 * the backend is created (the first tensor op on Node, or `initBackend('wasm')`). In a page:
 *
 *   registerWasmBackend({ wasmBase: '/assets/fastgrad/' });  // where manifest.json and the .wasm files are
 *   await initBackend('wasm');
 *   setDefaultDevice('wasm');
 */
export function registerWasmBackend(opts?: WasmOptions): void {
  if (opts === undefined) return;
  if (liveBackends().some((b) => b.name === 'wasm'))
    throw new DeviceError(
      "registerWasmBackend: the 'wasm' backend is already running (created by the first tensor op or initBackend('wasm')), so these options would not apply; call registerWasmBackend first",
    );
  registerBackend('wasm', factory(opts));
}
