// The memory scope of one Learner batch (Note [Per-batch scope] in learner.ts).
import { MemoryScope } from '../backend/scope.js';
import { keepUnder } from '../backend/tidy.js';

export class BatchScope {
  private readonly scope = new MemoryScope('the Learner\'s per-batch scope');

  /** Run a synchronous segment of the batch with the scope current. */
  run<T>(fn: () => T): T {
    return this.scope.run(fn);
  }

  /**
   * End the batch: free what it allocated except what is under `roots` (model, optimizer, callbacks,
   * metrics) or under `escaped` (batch tensors user code may hold), whose storages go to the GC.
   */
  end(roots: readonly unknown[], escaped: readonly unknown[], skip: readonly object[]): void {
    this.scope.dispose(keepUnder(() => [...roots, ...escaped], skip));
  }
}
