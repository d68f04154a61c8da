// The book's "An End-to-End SGD Example" (fastbook 04_mnist_basics): a roller coaster's speed over 20
// seconds, fitted with a quadratic by the seven steps of SGD, written as the book writes it.
import { type Tensor, arange, manualSeed, randn } from '../../src/index.js';

export interface Coaster {
  time: Tensor;
  speed: Tensor;
}

/**
 * `time = torch.arange(0,20).float()`; `speed = torch.randn(20)*3 + 0.75*(time-9.5)**2 + 1`.
 * NOTE: the book's code does not seed. Its printed params, tensor([-0.7658, -0.7506, 1.3525]), are what
 * torch.manual_seed(42) followed by these draws gives, so seed 42 reproduces the book's data and numbers.
 */
export function coasterData(seed: number): Coaster {
  manualSeed(seed);
  const time = arange(0, 20).float();
  const speed = randn([20]).mul(3).add(time.sub(9.5).pow(2).mul(0.75)).add(1);
  return { time, speed };
}

/** `def f(t, params): a,b,c = params; return a*(t**2) + (b*t) + c` */
export function f(t: Tensor, params: Tensor): Tensor {
  const [a, b, c] = params.unbind(0) as [Tensor, Tensor, Tensor];
  return a.mul(t.pow(2)).add(b.mul(t)).add(c);
}

/** `def mse(preds, targets): return ((preds-targets)**2).mean()` */
export function mse(preds: Tensor, targets: Tensor): Tensor {
  return preds.sub(targets).pow(2).mean();
}

/** Step 1: `params = torch.randn(3).requires_grad_()` (drawn right after `speed`, from the same generator). */
export function initParams(): Tensor {
  return randn([3]).requiresGrad_();
}

/**
 * The book's `apply_step(params, prn=True)`: predict, loss, backward, `params.data -= lr * params.grad.data`,
 * `params.grad = None`; prints the loss (before the update) when `prn`; returns the predictions.
 */
export function applyStep(data: Coaster, params: Tensor, lr: number, prn: ((loss: number) => void) | null): { preds: Tensor; loss: number } {
  const preds = f(data.time, params);
  const loss = mse(preds, data.speed);
  loss.backward();
  params.data.sub_(params.grad!.data.mul(lr));
  params.grad = null;
  const l = loss.item();
  prn?.(l);
  return { preds, loss: l };
}
