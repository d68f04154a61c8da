// Grad mode: whether ops record the graph (torch.no_grad / enable_grad / set_grad_enabled).
import { ArgumentError } from '../errors.js';

let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

export function setGradEnabled(on: boolean): void {
  enabled = on;
}

function withMode<T>(on: boolean, fn: () => T): T {
  const prev = enabled;
  enabled = on;
  try {
    const r = fn();
    if (r instanceof Promise) throw new ArgumentError('noGrad/enableGrad take a synchronous function; for async code call setGradEnabled');
    return r;
  } finally {
    enabled = prev;
  }
}

/** Run `fn` without recording the graph (torch.no_grad()). */
export function noGrad<T>(fn: () => T): T {
  return withMode(false, fn);
}

/** Run `fn` with the graph recorded even inside noGrad (torch.enable_grad()). */
export function enableGrad<T>(fn: () => T): T {
  return withMode(true, fn);
}
