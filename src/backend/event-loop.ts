// One turn of the event loop, for code that must let other work run (a page's UI, timers, another task):
// Node's setImmediate (before timers), elsewhere setTimeout 0. A leaf: the backends, data and the
// Learner use it.

/** Resolve on the next macrotask. */
export const nextTurn = (): Promise<void> =>
  new Promise((r) => (typeof setImmediate === 'function' ? setImmediate(r) : setTimeout(r, 0)));
