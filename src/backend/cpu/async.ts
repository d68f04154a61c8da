// The async-only reference backend, device 'cpu-async': the reference kernels and storages, but reads
// only through `read()`, which resolves a macrotask later, like a GPU's buffer map. It stands in for
// WebGPU in the tests (DESIGN.md "Tensor and memory" → Reads): code that reads synchronously throws
// SyncReadError here, and code that forgets to await a read sees a Promise, not a value.
//
//   registerBackend('cpu-async', createAsyncCpuBackend);
//   await initBackend('cpu-async');
//   setDefaultDevice('cpu-async');
//
// It is not registered by the library (test/helpers/backends.ts registers it for the suites).
import type { Backend, Storage } from '../backend.js';
import type { TypedArray } from '../../tensor/dtype.js';
import { nextTurn } from '../event-loop.js';
import { createCpuBackend } from './index.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };


/**
 * A reference backend whose only read is asynchronous: no `readSync`, no `hostArray`, `isCpu` false
 * (its tensors print `device='cpu-async'`). Allocation, free and scopes are those of the cpu backend.
 */
export function createAsyncCpuBackend(): Backend {
  // NOTE: the cpu backend's storages point at the object that made them, so it is changed in place
  // (not wrapped): allocation, free and scope tracking stay exactly the reference backend's.
  const be = createCpuBackend('cpu-async') as Mutable<Backend>;
  const copyNow = be.readSync!;
  delete be.readSync;
  delete be.hostArray;
  be.isCpu = false;
  // The copy is taken at the call: every kernel dispatched before it has run (cpu executes at once),
  // and a free() right after the call cannot change what the read resolves to.
  be.read = async (s: Storage): Promise<TypedArray> => {
    const values = copyNow(s);
    await nextTurn();
    return values;
  };
  return be;
}
