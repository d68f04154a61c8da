// Every test file runs with this (vitest setupFiles): the memory harness of DESIGN.md "Tensor and memory".
// - Strict memory: every storage is tracked (weakly), on every backend.
// - At the end of each test, every storage the test allocated and did not keep() is freed. So a tensor
//   that leaks from one test into another, or a library cache that forgets to keep() its tensors, fails
//   loudly as a UseAfterFreeError (the reference cpu backend poisons freed storages just as wasm does).
// - At the end of the file, what the file allocated outside its tests (describe bodies, beforeAll) is
//   freed too, and the file checks that no storage it allocated is left live.
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import type { Storage } from '../../src/backend/backend.js';
import { freeTracked, isKept, setStrictMemory, trackedStorages } from '../../src/backend/scope.js';

setStrictMemory(true);

let before = new Set<Storage>();
beforeEach(() => {
  before = new Set(trackedStorages());
});
afterEach(() => {
  freeTracked('the test harness at the end of the test that created it', (s) => !before.has(s));
});
afterAll(() => {
  freeTracked('the test harness at the end of the test file');
  const left = trackedStorages().filter((s) => !isKept(s));
  expect(left.map((s) => `${s.backend.name} ${s.dtype}[${s.size}]`), 'storages left live by this test file').toEqual([]);
});
