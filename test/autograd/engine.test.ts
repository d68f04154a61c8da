// Autograd semantics as PyTorch 1.13 (expected values and messages checked with /usr/bin/python3 + torch):
// the book's vectors, accumulation, grad modes, detach/.data, error cases, graph structure (grad_fn
// names, nextFunctions, isLeaf), diamonds, multi-output nodes, autograd.grad, freeing the graph,
// in-place ops on non-leaves and views (CopySlices), and edge-case gradients at kinks.
import { describe, expect, it } from 'vitest';
import {
  Node, Tensor, enableGrad, errors, grad, isGradEnabled, maximum, noGrad, pow, setGradEnabled, stack, tensor, where,
} from '../../src/index.js';
import { OPS_READ_ON_HOST, casesFor, describeBackends, itOn } from '../helpers/backends.js';
import { expectAllClose } from '../helpers/close.js';
import { val } from '../helpers/read.js';

const f32 = (v: number | number[] | number[][]): Tensor => tensor(v, { dtype: 'float32' });
const f64 = (v: number | number[] | number[][]): Tensor => tensor(v, { dtype: 'float64' });
const leaf = (v: number | number[] | number[][], dtype: 'float32' | 'float64' = 'float32'): Tensor => tensor(v, { dtype }).requiresGrad_();
/** How torch prints t, read asynchronously; the device= suffix of a non-host device left out (as torch's cpu print). */
const printed = async (t: Tensor): Promise<string> => (await t.toStringAsync()).replace(/, device='[^']*'/, '');

describeBackends('autograd engine', (device) => {
  // ops that read on the host: sort/topk and advanced indexing (see OPS_READ_ON_HOST)
  const hostRead = (name: unknown): string | null => (device === 'cpu-async' && /sort|topk|x\[\[/.test(String(name)) ? OPS_READ_ON_HOST : null);
  describe("the book's vectors (fastbook ch. 4)", () => {
    it('f(x) = x² at 3: 9, gradient 6, printed like torch', async () => {
      const x = leaf(3);
      const y = x.pow(2);
      expect(await val(y)).toBe(9);
      expect(await printed(y)).toBe('tensor(9., grad_fn=<PowBackward0>)');
      expect(await printed(x)).toBe('tensor(3., requires_grad=True)');
      y.backward();
      expect(await printed(x.grad!)).toBe('tensor(6.)');
    });
    it('(x**2).sum() at [3, 4, 10]: 125, gradient [6, 8, 20]', async () => {
      const x = leaf([3, 4, 10]);
      expect(await printed(x)).toBe('tensor([ 3.,  4., 10.], requires_grad=True)');
      const y = x.pow(2).sum();
      expect(await printed(y)).toBe('tensor(125., grad_fn=<SumBackward0>)');
      y.backward();
      expect(await printed(x.grad!)).toBe('tensor([ 6.,  8., 20.])');
    });
  });

  describe('gradient accumulation and resetting', () => {
    it('accumulates over two backward calls', async () => {
      const x = leaf([1, 2]);
      x.mul(3).sum().backward();
      x.mul(x).sum().backward();
      await expectAllClose(x.grad!, [5, 7]);
    });
    it('grad.zero_() resets in place; grad = null starts fresh', async () => {
      const x = leaf([1, 2]);
      x.mul(3).sum().backward();
      const g = x.grad!;
      g.zero_();
      x.mul(2).sum().backward();
      expect(x.grad).toBe(g); // accumulated into the same tensor
      await expectAllClose(x.grad!, [2, 2]);
      x.grad = null;
      x.mul(5).sum().backward();
      await expectAllClose(x.grad!, [5, 5]);
    });
    it('.grad is a plain tensor: no grad, contiguous, never aliases graph tensors', async () => {
      const x = leaf([1, 2, 3]);
      const y = x.expand([2, 3]);
      y.sum().backward();
      expect(x.grad!.requiresGrad).toBe(false);
      expect(x.grad!.isContiguous()).toBe(true);
      x.grad!.add_(1); // would corrupt an expanded view if it aliased one
      await expectAllClose(x.grad!, [3, 3, 3]);
    });
    it('backward(gradient) seeds a non-scalar output; a float32 seed is cast to a float64 output', async () => {
      const x = leaf([1, 2, 3], 'float64');
      x.mul(2).backward(f32([1, 0.5, 2]));
      expect(x.grad!.dtype).toBe('float64');
      await expectAllClose(x.grad!, [2, 1, 4]);
    });
    it('backward on a leaf itself', async () => {
      const x = leaf([1, 2]);
      x.backward(f32([3, 4]));
      await expectAllClose(x.grad!, [3, 4]);
    });
    it('backward works inside noGrad (the graph was built before), like torch', async () => {
      const x = leaf([1, 2, 3]);
      const y = x.mul(x).sum();
      noGrad(() => y.backward());
      await expectAllClose(x.grad!, [2, 4, 6]);
    });
  });

  describe('grad mode', () => {
    it('noGrad records nothing', async () => {
      const x = leaf([1, 2]);
      const z = noGrad(() => x.mul(2));
      expect(z.requiresGrad).toBe(false);
      expect(z.gradFn).toBeNull();
      expect(z.isLeaf).toBe(true);
      expect(isGradEnabled()).toBe(true);
    });
    it('enableGrad inside noGrad records again', async () => {
      const x = leaf([1, 2]);
      const z = noGrad(() => enableGrad(() => x.mul(2)));
      expect(z.requiresGrad).toBe(true);
      expect(z.gradFn?.name).toBe('MulBackward0');
    });
    it('grad mode is restored when fn throws', async () => {
      expect(() => noGrad(() => { throw new Error('boom'); })).toThrow('boom');
      expect(isGradEnabled()).toBe(true);
      setGradEnabled(false);
      try {
        expect(isGradEnabled()).toBe(false);
      } finally {
        setGradEnabled(true);
      }
    });
  });

  describe('detach and .data', () => {
    it('detach() shares storage, is cut from the graph, and is a leaf', async () => {
      const x = leaf([1, 2, 3]);
      const y = x.mul(2);
      const d = y.detach();
      expect(d.requiresGrad).toBe(false);
      expect(d.gradFn).toBeNull();
      expect(d.isLeaf).toBe(true);
      expect(d._base).toBeNull(); // torch: x.detach()._base is None
      noGrad(() => d.set([0], 10));
      expect(await val(y.get(0))).toBe(10);
    });
    it('modifying a detached copy of a saved tensor is caught (shared version counter)', async () => {
      const x = leaf([1, 2, 3]);
      const y = x.exp();
      const z = y.mul(2).sum();
      y.detach().add_(1);
      expect(() => z.backward()).toThrow(/modified by an inplace operation/);
    });
    it('p.data.sub_(...) updates a leaf outside the graph (the SGD step)', async () => {
      const p = leaf([1, 2]);
      p.mul(p).sum().backward();
      p.data.sub_(p.grad!.mul(0.5));
      await expectAllClose(p, [0, 0]);
      expect(p.requiresGrad).toBe(true);
      expect(p.isLeaf).toBe(true);
      expect(p.gradFn).toBeNull();
    });
    it('in-place ops on a leaf that requires grad work under noGrad', async () => {
      const p = leaf([1, 2]);
      noGrad(() => p.mul_(2));
      await expectAllClose(p, [2, 4]);
      expect(p.isLeaf).toBe(true);
    });
  });

  describe('errors (clear, torch-like)', () => {
    it('requiresGrad_ on an int tensor names the dtype', async () => {
      expect(() => tensor([1, 2]).requiresGrad_()).toThrow(errors.AutogradError);
      expect(() => tensor([1, 2]).requiresGrad_()).toThrow(/floating point.*int32/);
      expect(() => tensor([true]).requiresGrad_()).toThrow(/bool/);
    });
    it("requiresGrad_(false) on a non-leaf is refused; detach() is the way", async () => {
      expect(() => leaf([1]).mul(2).requiresGrad_(false)).toThrow(/leaf/);
    });
    it('an in-place op on a leaf that requires grad', async () => {
      const x = leaf([1, 2]);
      expect(() => x.add_(1)).toThrow(/leaf.*in-place/);
      expect(() => x.fill_(0)).toThrow(/leaf.*in-place/);
      expect(() => x.set([0], 5)).toThrow(/leaf.*in-place/);
    });
    it('an in-place op on a view of a leaf that requires grad', async () => {
      const x = leaf([[1, 2], [3, 4]]);
      expect(() => x.get(0).mul_(2)).toThrow(/view of a leaf/);
    });
    it('a second backward without retainGraph mentions retainGraph', async () => {
      const x = leaf([1, 2]);
      const y = x.pow(2).sum();
      y.backward();
      expect(() => y.backward()).toThrow(errors.AutogradError);
      expect(() => y.backward()).toThrow(/second time.*retainGraph/s);
    });
    it('with retainGraph the graph can be walked again and gradients accumulate', async () => {
      const x = leaf([3]);
      const y = x.pow(2);
      y.backward(null, { retainGraph: true });
      y.backward();
      await expectAllClose(x.grad!, [12]);
      expect(() => y.backward()).toThrow(/retainGraph/);
    });
    it('a graph that saved no tensors can be walked twice (as torch)', async () => {
      const x = leaf([1, 2]);
      const z = x.add(1).sum();
      z.backward();
      z.backward();
      await expectAllClose(x.grad!, [2, 2]);
    });
    it('modifying a tensor saved for backward names the op and the versions', async () => {
      const x = leaf([1, 2, 3]);
      const y = x.exp();
      y.add_(1);
      let msg = '';
      try {
        y.sum().backward();
      } catch (e) {
        msg = (e as Error).message;
      }
      expect(msg).toMatch(/modified by an inplace operation/);
      expect(msg).toMatch(/output 0 of ExpBackward0/);
      expect(msg).toMatch(/is at version 1; expected version 0/);
    });
    it('non-scalar backward without a gradient', async () => {
      expect(() => leaf([1, 2]).mul(2).backward()).toThrow(/implicitly created only for scalar outputs/);
    });
    it('backward(gradient) of the wrong shape names both shapes', async () => {
      expect(() => leaf([1, 2, 3]).mul(2).backward(f32([1, 1]))).toThrow(errors.ShapeError);
      expect(() => leaf([1, 2, 3]).mul(2).backward(f32([1, 1]))).toThrow(/\[2\].*\[3\]/);
    });
    it('backward on a tensor that does not require grad', async () => {
      expect(() => f32([1, 2]).sum().backward()).toThrow(/does not require grad/);
    });
    it('a backward rule returning a wrongly shaped gradient is caught at the node (validate_outputs)', async () => {
      const { record1 } = await import('../../src/autograd/node.js');
      const x = leaf([[1, 2, 3], [4, 5, 6]]);
      const y = record1('WrongBackward', [x], noGrad(() => x.mul(2)), (g) => [g.sum(0)]);
      // [3] broadcasts to [2, 3]? no: a gradient must be summable *down* to the input's shape
      expect(() => y.sum().backward()).toThrow(/WrongBackward returned an invalid gradient at index 0.*\[3\].*\[2, 3\]/);
    });
  });

  describe('graph structure', () => {
    it('(a*b + c).grad_fn: AddBackward0 → [MulBackward0, AccumulateGrad]', async () => {
      const [a, b, c] = [leaf([1, 2]), leaf([3, 4]), leaf([1, 1])];
      const o = a.mul(b).add(c);
      const fn = o.gradFn!;
      expect(fn.name).toBe('AddBackward0');
      expect(String(fn)).toBe('AddBackward0');
      const next = fn.nextFunctions;
      expect(next.map(([n, i]) => [n?.name, i])).toEqual([['MulBackward0', 0], ['AccumulateGrad', 0]]);
      expect(next[1]![0]!.variable).toBe(c);
      const mulNext = next[0]![0]!.nextFunctions;
      expect(mulNext.map(([n]) => n!.variable)).toEqual([a, b]);
    });
    it('an input that does not require grad gives a [null, 0] next function', async () => {
      const a = leaf(2);
      const p = a.mul(f32(3));
      expect(p.gradFn!.nextFunctions.map(([n, i]) => [n?.name ?? null, i])).toEqual([['AccumulateGrad', 0], [null, 0]]);
    });
    it('one AccumulateGrad node per leaf', async () => {
      const a = leaf([1]);
      const n1 = a.mul(2).gradFn!.nextFunctions[0]![0];
      const n2 = a.exp().gradFn!.nextFunctions[0]![0];
      expect(n1).toBe(n2);
      expect(n1).toBeInstanceOf(Node);
    });
    it.each(casesFor(device, [
      ['sum', (x: Tensor) => x.sum(), 'SumBackward0'],
      ['sum(dim)', (x: Tensor) => x.sum(0), 'SumBackward1'],
      ['mean', (x: Tensor) => x.mean(), 'MeanBackward0'],
      ['max()', (x: Tensor) => x.max(), 'MaxBackward1'],
      ['max(dim)', (x: Tensor) => x.max(0).values, 'MaxBackward0'],
      ['amax', (x: Tensor) => x.amax(), 'AmaxBackward0'],
      ['x ** 2', (x: Tensor) => x.pow(2), 'PowBackward0'],
      ['x ** y', (x: Tensor) => x.pow(x), 'PowBackward1'],
      ['2 ** x', (x: Tensor) => pow(2, x), 'PowBackward2'],
      ['1 - x', (x: Tensor) => x.rsub(1), 'RsubBackward1'],
      ['x.T', (x: Tensor) => x.T, 'PermuteBackward0'],
      ['x.t()', (x: Tensor) => x.t(), 'TBackward0'],
      ['expand', (x: Tensor) => x.expand([2, 3]), 'ExpandBackward0'],
      ['x[None]', (x: Tensor) => x.get(null), 'UnsqueezeBackward0'],
      ['x[[0, 1]]', (x: Tensor) => x.get([0, 1]), 'IndexBackward0'],
      ['x[0]', (x: Tensor) => x.get(0), 'SelectBackward0'],
      ['x[0:1]', (x: Tensor) => x.get('0:1'), 'SliceBackward0'],
      ['clone', (x: Tensor) => x.clone(), 'CloneBackward0'],
      ['to(float64)', (x: Tensor) => x.to('float64'), 'ToCopyBackward0'],
      ['norm', (x: Tensor) => x.norm(), 'NormBackward1'],
      ['split', (x: Tensor) => x.split(1)[0]!, 'SplitBackward0'],
      ['unbind', (x: Tensor) => x.unbind()[0]!, 'UnbindBackward0'],
      ['relu', (x: Tensor) => x.relu(), 'ReluBackward0'],
      ['softmax', (x: Tensor) => x.softmax(0), 'SoftmaxBackward0'],
    ] as [string, (x: Tensor) => Tensor, string][], (r) => hostRead(r[0])))('%s has grad_fn %s', (_n, f, name) => {
      expect(f(leaf([1, 2, 3])).gradFn!.name).toBe(name);
    });
    it('float(): no new node when the dtype already matches (torch: grad_fn None on a leaf)', async () => {
      const x = leaf([1, 2]);
      expect(x.float()).toBe(x);
      expect(x.contiguous()).toBe(x);
    });
    it('isLeaf: user tensors, noGrad results, detached tensors and int results are leaves; op results on grad tensors are not', async () => {
      const x = leaf([1, 2]);
      expect(x.isLeaf).toBe(true);
      expect(f32([1]).isLeaf).toBe(true);
      expect(x.mul(2).isLeaf).toBe(false);
      expect(x.mul(2).detach().isLeaf).toBe(true);
      expect(x.detach().requiresGrad_().isLeaf).toBe(true);
      expect(x.gt(1).isLeaf).toBe(true);
    });
    it('int/bool outputs never require grad (comparisons, argmax, indices)', async () => {
      const x = leaf([1, 2, 3]);
      for (const t of [x.gt(1), x.eq(x), x.isnan(), x.argmax(), x.max(0).indices, x.floorDivide(2).int()]) {
        expect(t.requiresGrad).toBe(false);
        expect(t.gradFn).toBeNull();
      }
    });
    itOn(device, { 'cpu-async': OPS_READ_ON_HOST })('int outputs of sort and topk never require grad', () => {
      const x = leaf([1, 2, 3]);
      for (const t of [x.sort().indices, x.topk(2).indices]) expect([t.requiresGrad, t.gradFn]).toEqual([false, null]);
    });
    it('retainGrad keeps .grad on a non-leaf; without it a non-leaf has none', async () => {
      const x = leaf([1, 2, 3]);
      const y = x.pow(2);
      const z = y.mul(2);
      y.retainGrad();
      z.sum().backward();
      await expectAllClose(y.grad!, [2, 2, 2]);
      expect(y.isLeaf).toBe(false);
      expect(z.grad).toBeNull();
      await expectAllClose(x.grad!, [4, 8, 12]);
    });
    it('retained grads are also filled by grad() (torch 1.13)', async () => {
      const x = leaf([1, 2, 3]);
      const y = x.mul(1);
      y.retainGrad();
      grad(y.mul(2).sum(), x);
      await expectAllClose(y.grad!, [2, 2, 2]);
      expect(x.grad).toBeNull();
    });
  });

  describe('graph shapes', () => {
    it('diamond: a tensor used twice gets both contributions', async () => {
      const x = leaf([1, 2]);
      const y = x.mul(3);
      const z = y.mul(y).add(y.exp()).sum(); // dz/dy = 2y + e^y
      z.backward();
      await expectAllClose(x.grad!, [3 * (2 * 3 + Math.exp(3)), 3 * (2 * 6 + Math.exp(6))], 1e-3, 1e-5);
    });
    it('deep chain (no recursion limits)', async () => {
      const x = leaf([1]);
      let y = x;
      for (let i = 0; i < 5000; i++) y = y.mul(1);
      y.sum().backward();
      await expectAllClose(x.grad!, [1]);
    });
    it('split with only some outputs used: zeros for the others (as torch)', async () => {
      const x = leaf([1, 2, 3]);
      const [s1, s2] = x.mul(1).split(2);
      expect(s1!.gradFn).toBe(s2!.gradFn);
      expect(s2!.gradFn!.name).toBe('SplitBackward0');
      expect(s2!.outputNr).toBe(1);
      s2!.sum().backward();
      await expectAllClose(x.grad!, [0, 0, 1]);
    });
    it('unbind with one output used twice and another once', async () => {
      const x = leaf([[1, 2], [3, 4], [5, 6]]);
      const [a, , c] = x.unbind();
      a!.mul(a!).add(c!).sum().backward();
      await expectAllClose(x.grad!, [[2, 4], [0, 0], [1, 1]]);
    });
    it('multi-output node: both outputs feed one result', async () => {
      const x = leaf([1, 2, 3, 4]);
      const [a, b] = x.chunk(2);
      a!.mul(b!).sum().backward();
      await expectAllClose(x.grad!, [3, 4, 1, 2]);
    });
  });

  describe('autograd.grad', () => {
    it('returns gradients without touching .grad', async () => {
      const x = leaf([1, 2, 3]);
      const [g] = grad(x.pow(2).sum(), x);
      await expectAllClose(g!, [2, 4, 6]);
      expect(x.grad).toBeNull();
    });
    it('allowUnused: null for an input the output does not depend on, error otherwise', async () => {
      const [x, y] = [leaf([1, 2]), leaf([3])];
      expect(() => grad(x.mul(2).sum(), [x, y])).toThrow(/appears to not have been used in the graph.*allowUnused/);
      const r = grad(x.mul(2).sum(), [x, y], { allowUnused: true });
      await expectAllClose(r[0]!, [2, 2]);
      expect(r[1]).toBeNull();
    });
    it('an input that does not require grad', async () => {
      expect(() => grad(leaf([1]).sum(), f32([1]))).toThrow(/does not require grad/);
    });
    it('w.r.t. a non-leaf, without running the graph below it', async () => {
      const x = leaf([1, 2]);
      const h = x.exp();
      const y = h.mul(h).sum();
      const [gh] = grad(y, h, { retainGraph: true });
      await expectAllClose(gh!, [2 * Math.exp(1), 2 * Math.exp(2)], 1e-4);
      // the ExpBackward0 node below h was neither run nor freed
      y.backward();
      await expectAllClose(x.grad!, [2 * Math.exp(2), 2 * Math.exp(4)], 1e-3);
    });
    it('gradOutputs for a non-scalar output', async () => {
      const x = leaf([1, 2]);
      const [g] = grad(x.mul(x), x, { gradOutputs: [f32([1, 10])] });
      await expectAllClose(g!, [2, 40]);
    });
    it('createGraph: second derivative of x³ is 6x', async () => {
      const x = leaf([1, 2, 3], 'float64');
      const [g] = grad(x.pow(3).sum(), x, { createGraph: true });
      expect(g!.requiresGrad).toBe(true);
      expect(g!.gradFn).not.toBeNull();
      const [g2] = grad(g!.sum(), x);
      await expectAllClose(g2!, [6, 12, 18]);
    });
    it('backward with createGraph leaves a differentiable .grad', async () => {
      const x = leaf([1, 2, 3], 'float64');
      x.pow(3).sum().backward(null, { createGraph: true });
      expect(x.grad!.requiresGrad).toBe(true);
      const [g2] = grad(x.grad!.sum(), x);
      await expectAllClose(g2!, [6, 12, 18]);
    });
  });

  describe('freeing the graph', () => {
    it("saved tensors are released after backward: the node is marked and a second walk throws", async () => {
      const x = leaf([1, 2]);
      const y = x.mul(x);
      const node = y.gradFn!;
      expect(node.released).toBe(false);
      y.sum().backward();
      expect(node.released).toBe(true);
      expect(() => y.sum().backward()).toThrow(/second time/);
    });
    it('retainGraph keeps them', async () => {
      const x = leaf([1, 2]);
      const y = x.mul(x);
      y.sum().backward(null, { retainGraph: true });
      expect(y.gradFn!.released).toBe(false);
    });
    it('grad() frees only what it ran', async () => {
      const x = leaf([1, 2]);
      const h = x.exp();
      const y = h.mul(h).sum();
      grad(y, h);
      expect(y.gradFn!.nextFunctions[0]![0]!.released).toBe(true); // MulBackward0 ran
      expect(h.gradFn!.released).toBe(false); // ExpBackward0 did not
    });
  });

  describe('in-place ops under autograd', () => {
    it('on a non-leaf: history is rebased onto the new node', async () => {
      const x = leaf([1, 2, 3]);
      const y = x.mul(2);
      y.mul_(y.detach().add(1)); // y = 2x * (2x + 1) with the factor a constant
      expect(y.gradFn!.name).toBe('MulBackward0');
      y.sum().backward();
      await expectAllClose(x.grad!, [6, 10, 14]);
    });
    it('on a view of a non-leaf: the base gets CopySlices', async () => {
      const x = leaf([1, 2, 3, 4]);
      const b = x.mul(1);
      b.get('1:3').mul_(10);
      expect(b.gradFn!.name).toBe('CopySlices');
      b.sum().backward();
      await expectAllClose(x.grad!, [1, 10, 10, 1]);
    });
    it('two overlapping in-place writes through views, and a write through a transposed view', async () => {
      const b = leaf([1, 2, 3, 4], 'float64');
      const c = b.mul(1);
      c.get('0:2').mul_(3);
      c.get('1:3').mul_(5);
      c.sum().backward();
      await expectAllClose(b.grad!, [3, 15, 5, 1]);
      const d = leaf([[1, 2], [3, 4]], 'float64');
      const e = d.mul(1);
      e.t().get(0).mul_(10); // column 0 of e
      e.sum().backward();
      await expectAllClose(d.grad!, [[10, 1], [10, 1]]);
    });
    it('grad() w.r.t. the output itself is the seed', async () => {
      const y = leaf([1, 2]).mul(2);
      await expectAllClose(grad(y.sum(), y)[0]!, [1, 1]);
    });
    it('float32 and float64 paths into one leaf accumulate in the leaf dtype', async () => {
      const a = leaf([1, 2]);
      a.double().mul(3).sum().add(a.mul(2).sum()).backward();
      expect(a.grad!.dtype).toBe('float32');
      await expectAllClose(a.grad!, [5, 5]);
    });
    it('on a view of a plain tensor with a grad operand: the base joins the graph', async () => {
      const w = leaf([5, 6]);
      const buf = f32([[0, 0], [0, 0]]);
      buf.get(1).copy_(w);
      expect(buf.requiresGrad).toBe(true);
      expect(buf.gradFn!.name).toBe('CopySlices');
      buf.mul(f32([[1, 2], [3, 4]])).sum().backward();
      await expectAllClose(w.grad!, [3, 4]);
    });
    it('plain tensor multiplied in place by a grad tensor (self saved before the write)', async () => {
      const w = leaf([1, 2, 3]);
      const a = f32([2, 2, 2]);
      a.mul_(w);
      expect(a.gradFn!.name).toBe('MulBackward0');
      a.sum().backward();
      await expectAllClose(w.grad!, [2, 2, 2]);
    });
    it('zero_/fill_ on a non-leaf cut the gradient to the old history (ZeroBackward0, FillBackward2)', async () => {
      const x = leaf([1, 2, 3]);
      const y = x.mul(2);
      y.zero_();
      expect(y.gradFn!.name).toBe('ZeroBackward0');
      y.sum().backward();
      await expectAllClose(x.grad!, [0, 0, 0]);
      const z = x.mul(2).fill_(2);
      expect(z.gradFn!.name).toBe('FillBackward2');
    });
    it('copy_ from a grad leaf into a plain tensor (CopyBackwards)', async () => {
      const x = leaf([1, 2, 3]);
      const y = f32([0, 0, 0]);
      y.copy_(x);
      expect(y.gradFn!.name).toBe('CopyBackwards');
      expect(y.requiresGrad).toBe(true);
      y.mul(y).sum().backward();
      await expectAllClose(x.grad!, [2, 4, 6]);
    });
    it('set() on a non-leaf sends gradient to both the base and the value', async () => {
      const x = leaf([[1, 2], [3, 4]]);
      const v = leaf([10, 20]);
      const y = x.mul(1);
      y.set([0], v);
      y.mul(f32([[1, 2], [3, 4]])).sum().backward();
      await expectAllClose(x.grad!, [[0, 0], [3, 4]]);
      await expectAllClose(v.grad!, [1, 2]);
    });
    it('pow saves its result: modifying 2 ** x in place is caught', async () => {
      const x = leaf([1, 2]);
      const y = pow(2, x);
      y.add_(1);
      expect(() => y.sum().backward()).toThrow(/PowBackward2/);
    });
    it('stack of grad tensors after an in-place op on one of them', async () => {
      const x = leaf([1, 2]);
      const a = x.mul(1);
      a.add_(x);
      stack([a, x]).sum().backward();
      await expectAllClose(x.grad!, [3, 3]);
    });
  });

  describe('gradients at kinks and edge cases match torch 1.13', () => {
    // expected values from torch (see the file header)
    const cases: [string, (x: Tensor) => Tensor, number[], number[]][] = [
      ['x ** 0 at 0', (x) => x.pow(0), [0, 2], [0, 0]],
      ['x ** 2 at 0', (x) => x.pow(2), [0, 2], [0, 4]],
      ['x ** y with base 0', (x) => pow(x, f64([0, 2])), [0, 0], [0, 0]],
      ['norm of zeros', (x) => x.norm(), [0, 0], [0, 0]],
      ['1-norm of zeros', (x) => x.norm(1), [0, 0], [0, 0]],
      ['3-norm with zeros', (x) => x.norm(3), [0, 0, 1], [0, 0, 1]],
      ['inf-norm ties', (x) => x.norm(Infinity), [2, -2, 1], [0.5, -0.5, 0]],
      ['std of a constant', (x) => x.std(), [1, 1], [0, 0]],
      ['amax ties share evenly', (x) => x.amax(), [1, 3, 3], [0, 0.5, 0.5]],
      ['max() ties share evenly', (x) => x.max(), [1, 3, 3], [0, 0.5, 0.5]],
      ['max(dim) ties: first index', (x) => x.max(0).values, [1, 3, 3], [0, 1, 0]],
      ['maximum ties: half each', (x) => maximum(x, f64([1, 3, 0])), [1, 3, 3], [0.5, 0.5, 1]],
      ['abs and relu at 0', (x) => x.abs().add(x.relu()), [0, 1], [0, 2]],
      ['clamp at its bounds passes', (x) => x.clamp(0, 1), [0, 1, 2], [1, 1, 0]],
      ['sort with ties (stable)', (x) => x.sort().values.mul(f64([1, 2, 3])), [2, 1, 2], [2, 1, 3]],
      ['topk with ties', (x) => x.topk(1).values, [2, 1, 2], [1, 0, 0]],
      ['logsumexp with -inf', (x) => x.logsumexp(0), [-Infinity, 0], [0, 1]],
      ['prod with two zeros', (x) => x.prod(), [0, 0, 2], [0, 0, 0]],
      ['remainder w.r.t. the divisor', (x) => f64([5, 7]).remainder(x), [2, 3], [-2, -2]],
      ['where masks a NaN branch', (x) => where(x.gt(0), x.log(), x.zerosLike()), [-1, 1], [0, 1]],
      ['sign', (x) => x.sign(), [0, 1], [0, 0]],
      ['sqrt at 0', (x) => x.sqrt(), [0], [Infinity]],
    ];
    it.each(casesFor(device, cases, (r) => hostRead(r[0])))('%s', async (_n, f, v, expected) => {
      const x = leaf(v, 'float64');
      f(x).sum().backward();
      await expectAllClose(x.grad!, expected, 1e-12);
    });
  });
});
