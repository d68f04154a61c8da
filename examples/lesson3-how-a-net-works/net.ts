// The functions of the course22 notebook "How does a neural net really work?", as it writes them.
import { type Tensor, fromArray, linspace } from '../../src/index.js';
import type { NumpyRandomState } from './np-random.js';

type Num = number | Tensor;

/** `def f(x): return 3*x**2 + 2*x + 1` */
export const f = (x: Tensor): Tensor => x.pow(2).mul(3).add(x.mul(2)).add(1);

/** `def quad(a, b, c, x): return a*x**2 + b*x + c` (a, b, c numbers or 0-d tensors). */
export function quad(a: Num, b: Num, c: Num, x: Tensor): Tensor {
  return x.pow(2).mul(a).add(x.mul(b)).add(c);
}

/** `def mk_quad(a,b,c): return partial(quad, a,b,c)` */
export const mkQuad = (a: Num, b: Num, c: Num) => (x: Tensor): Tensor => quad(a, b, c, x);

/** `def noise(x, scale): return np.random.normal(scale=scale, size=x.shape)` (float64, as NumPy's). */
export const noise = (rng: NumpyRandomState, x: Tensor, scale: number): Tensor => fromArray(rng.normal(0, scale, x.numel()), x.shape);

/** `def add_noise(x, mult, add): return x * (1+noise(x,mult)) + noise(x,add)` */
export const addNoise = (rng: NumpyRandomState, x: Tensor, mult: number, add: number): Tensor =>
  x.mul(noise(rng, x, mult).add(1)).add(noise(rng, x, add));

/** `x = torch.linspace(-2, 2, steps=20)[:,None]; y = add_noise(f(x), 0.15, 1.5)` after `np.random.seed(42)`. */
export function noisyData(rng: NumpyRandomState): { x: Tensor; y: Tensor } {
  const x = linspace(-2, 2, 20).unsqueeze(1);
  return { x, y: addNoise(rng, f(x), 0.15, 1.5) };
}

/** `def mae(preds, acts): return (torch.abs(preds-acts)).mean()` */
export const mae = (preds: Tensor, acts: Tensor): Tensor => preds.sub(acts).abs().mean();

/** `def quad_mae(params): f = mk_quad(*params); return mae(f(x), y)` */
export function quadMae(params: Tensor | number[], x: Tensor, y: Tensor): Tensor {
  const [a, b, c] = Array.isArray(params) ? params : params.unbind(0);
  return mae(mkQuad(a!, b!, c!)(x), y);
}

/** `def rectified_linear(m,b,x): y = m*x+b; return torch.clip(y, 0.)` */
export function rectifiedLinear(m: number, b: number, x: Tensor): Tensor {
  return x.mul(m).add(b).clip(0);
}

/** `def double_relu(m1,b1,m2,b2,x): return rectified_linear(m1,b1,x) + rectified_linear(m2,b2,x)` */
export function doubleRelu(m1: number, b1: number, m2: number, b2: number, x: Tensor): Tensor {
  return rectifiedLinear(m1, b1, x).add(rectifiedLinear(m2, b2, x));
}
