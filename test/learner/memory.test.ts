// The memory model on every backend (the reference one poisons freed storages, as wasm frees them):
// a kept result's graph survives its tidy, scopes never capture other tasks' tensors, a tensor a user
// callback keeps in a closure survives the Learner's per-batch scope, and two Learners train at once.
import { describe, expect, it } from 'vitest';
import {
  F, Generator, Learner, type Tensor, cat, data, errors, keep, manualSeed, nn, noGrad, optim, randn, stack, tensor, tidy, where,
} from '../../src/index.js';
import { Callback } from '../../src/learner/callback.js';
import { describeBackends } from '../helpers/backends.js';
import { data as readData, val } from '../helpers/read.js';

/** Ops whose backward closures capture tensors (inputs, outputs, masks, indices): each must survive. */
const OPS: [string, (x: Tensor, w: Tensor) => Tensor][] = [
  ['matmul relu sigmoid', (x, w) => x.matmul(w).relu().sigmoid()],
  ['binary ops', (x, w) => x.matmul(w).mul(x.sum(1, true)).div(x.abs().add(1).sum(1, true)).sub(w.mean()).pow(2)],
  ['pow tensor exponent', (x, w) => x.abs().add(0.5).matmul(w.abs().add(0.1)).pow(w.mean().add(1))],
  ['where/maskedFill', (x, w) => { const y = x.matmul(w); return where(y.gt(0), y, y.mul(0.1)).maskedFill(y.lt(-1), 0); }],
  ['softmax/logSoftmax/logsumexp', (x, w) => x.matmul(w).softmax(-1).add(x.matmul(w).logSoftmax(1)).add(x.matmul(w).logsumexp(1, true))],
  ['crossEntropy', (x, w) => F.crossEntropy(x.matmul(w), tensor([0, 2, 1, 2]))],
  ['mseLoss/bce', (x, w) => F.mseLoss(x.matmul(w), x.matmul(w).detach().mul(0.5)).add(F.binaryCrossEntropyWithLogits(x.matmul(w), x.matmul(w).detach().sigmoid()))],
  ['max/min/amax/sort/topk', (x, w) => { const y = x.matmul(w); return y.max(1).values.add(y.min(0).values.sum()).add(y.amax(1)).add(y.sort(1).values.sum(1)).add(y.topk(2).values.sum(1)); }],
  ['var/std/norm/cumsum/prod', (x, w) => { const y = x.matmul(w); return y.var(1).add(y.std(0).sum()).add(y.norm()).add(y.cumsum(1).sum(1)).add(y.prod(1)); }],
  ['indexing get/set', (x, w) => { const y = x.matmul(w).clone(); y.set([0, ':'], x.matmul(w).get(1, ':').mul(2)); return y.get(tensor([0, 2, 3]), tensor([1, 0, 2])).add(y.get('1:3, ::2').sum()); }],
  ['gather/scatter/indexSelect', (x, w) => { const y = x.matmul(w); return y.gather(1, tensor([[0], [1], [2], [0]])).add(y.indexSelect(0, tensor([3, 1, 0, 2])).sum(1, true)).add(y.scatterAdd(1, tensor([[0, 0, 1], [1, 2, 2], [0, 1, 2], [2, 2, 2]]), y).sum(1, true)); }],
  ['cat/stack/split/chunk/views', (x, w) => { const y = x.matmul(w); const [a, b] = y.split(2, 0); return cat([a!, b!.flip(0)], 1).add(stack([a!, b!]).sum(0).repeat(1, 2)).permute(1, 0).reshape(1, -1).expand(2, 12).t(); }],
  ['clamp/in-place on non-leaf', (x, w) => { const y = x.matmul(w).mul(1); y.clamp_(-0.5, 0.5).mul_(2).add_(x.matmul(w).abs().mul(0.5)); return y.tanh(); }],
  ['conv2d', (x, w) => F.conv2d(x.reshape(1, 1, 4, 5), w.reshape(1, 1, 5, 3).narrow(2, 0, 3), null, { padding: 1 })],
  ['dropout', (x, w) => { manualSeed(3); return F.dropout(x.matmul(w), 0.5, true); }],
];

/** Ops that compute on the host (sort, advanced-index bounds): not on devices without synchronous reads. */
const HOST_READS = new Set(['max/min/amax/sort/topk', 'indexing get/set']);

describeBackends('memory: a kept result keeps its graph', (device) => {
  for (const [name, f] of OPS) {
    const skip = device === 'cpu-async' && HOST_READS.has(name);
    it.skipIf(skip)(`backward after tidy(() => ${name})${skip ? ' (skipped: the op reads on the host)' : ''}`, async () => {
      manualSeed(11);
      const x = randn([4, 5]), w = randn([5, 3]).requiresGrad_();
      const y = tidy(() => f(x, w));
      y.sum().backward();
      const w2 = w.detach().clone().requiresGrad_();
      f(x, w2).sum().backward();
      expect(await val(w.grad!.sub(w2.grad!).abs().max())).toBeLessThan(1e-6);
    });
  }

  it('a tidy frees what its result does not reach: using it throws UseAfterFreeError', () => {
    let inner: Tensor | null = null;
    const y = tidy(() => {
      inner = randn([3]);
      return inner.add(1).detach();
    });
    expect(y.shape).toEqual([3]);
    expect(() => inner!.add(1)).toThrow(errors.UseAfterFreeError);
    const kept = tidy(() => keep(randn([2])).mul(1));
    expect(kept.shape).toEqual([2]);
  });
});

/** A tiny classification problem, seeded: loaders with their own generator, a fresh model. */
function problem(seed: number): { dls: data.DataLoaders; model: nn.Module } {
  const g = new Generator().manualSeed(seed);
  const x = randn([96, 6], { generator: g }), y = x.sum(1).gt(0).int();
  const dls = new data.DataLoaders(
    new data.DataLoader(new data.TensorDataset(x, y), { batchSize: 16, shuffle: true, generator: new Generator().manualSeed(seed + 1) }),
    new data.DataLoader(new data.TensorDataset(x.slice(0, 0, 32), y.slice(0, 0, 32)), { batchSize: 16 }),
  );
  manualSeed(seed + 2);
  return { dls, model: new nn.Sequential(new nn.Linear(6, 8), new nn.ReLU(), new nn.Linear(8, 2)) };
}
const learner = (p: ReturnType<typeof problem>): Learner =>
  new Learner(p.dls, p.model, { lossFunc: F.crossEntropy, optFunc: optim.sgd({ mom: 0.9 }), lr: 0.1, progress: 'never' });
const params = async (m: nn.Module): Promise<number[]> => (await Promise.all(m.parameters().map(readData))).flatMap((a) => [...a]);

describeBackends('memory: the Learner per-batch scope', () => {
  it("a user callback's tensors kept only in a closure survive the batch (and the fit)", async () => {
    const p = problem(1);
    let lastPred: Tensor | null = null, lastX: Tensor | null = null, mine: Tensor | null = null;
    const cb = new (class extends Callback {
      afterBatch(): void {
        if (this.learn.training) return;
        lastPred = this.learn.pred as Tensor; // kept only in the closure
        lastX = this.learn.xb[0]!;
        mine = lastPred.softmax(1);
      }
    })();
    const learn = learner(p);
    await learn.fit(2, undefined, { cbs: [cb] });
    const again = noGrad(() => p.model.call(lastX!) as Tensor);
    expect(await val(lastPred!.sub(again).abs().max())).toBe(0);
    expect(await val(mine!.sum(1).sub(1).abs().max())).toBeLessThan(1e-6);
  });

  it('two Learners trained at once give the numbers each gives alone', async () => {
    const alone = async (seed: number): Promise<number[]> => {
      const p = problem(seed);
      await learner(p).fit(3);
      return await params(p.model);
    };
    const a1 = await alone(10), b1 = await alone(20);
    const pa = problem(10), pb = problem(20);
    const la = learner(pa), lb = learner(pb);
    await Promise.all([la.fit(3), lb.fit(3)]);
    expect(await params(pa.model)).toEqual(a1);
    expect(await params(pb.model)).toEqual(b1);
    expect(la.recorder.values).toHaveLength(3);
  });

  it('a prediction made while a training batch awaits is never freed by it', async () => {
    const p = problem(2);
    const other = new nn.Linear(6, 2);
    const x = randn([5, 6]);
    const preds: Tensor[] = [];
    const timer = setInterval(() => preds.push(noGrad(() => other.call(x) as Tensor)), 0);
    try {
      await learner(p).fit(2);
    } finally {
      clearInterval(timer);
    }
    expect(preds.length).toBeGreaterThan(0);
    const want = noGrad(() => other.call(x) as Tensor);
    for (const t of preds) expect(await val(t.sub(want).abs().max())).toBe(0);
  });
});

describe('memory: scopes are synchronous', () => {
  it('tidy refuses an async function', () => {
    expect(() => tidy(async () => 1)).toThrow(/synchronous function/);
  });
});
