// The memory scope of one Learner batch (Note [Per-batch scope] in learner.ts).
import { MemoryScope } from '../backend/scope.js';
import { keepUnder } from '../backend/tidy.js';

export class BatchScope {
  private readonly scope = new MemoryScope('the Learner\'s per-batch scope');
  /** Inside the library's own synchronous segments (run): reads there are not user code's. */
  private trusted = 0;
  /** User code read one of the batch's tensors: they are left to the GC at the end. */
  private seen = false;

  /** Run a synchronous segment of the batch with the scope current. */
  run<T>(fn: () => T): T {
    this.trusted++;
    try {
      return this.scope.run(fn);
    } finally {
      this.trusted--;
    }
  }

  /** Called by the Learner's accessors of the batch tensors. */
  noteRead(): void {
    if (this.trusted === 0) this.seen = true;
  }

  /**
   * End the batch: free what it allocated except what is under `roots` (model, optimizer, callbacks,
   * metrics), and the batch tensors `exposed` if user code saw them (they then go to the GC). Returns
   * whether the exposed tensors were freed.
   */
  end(roots: readonly unknown[], exposed: readonly unknown[], skip: readonly object[]): boolean {
    const keepExposed = this.seen;
    this.scope.dispose(keepUnder(() => (keepExposed ? [...roots, ...exposed] : roots), skip));
    return !keepExposed;
  }
}
