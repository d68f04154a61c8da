// The nn.Module protocol against PyTorch 1.13 (golden: tools/golden/nn.py, group "repr"): names and order of
// parameters, buffers, children and modules, reprs, state dicts and their errors, hooks, train/eval, to().
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { F, Tensor, errors, initBackend, manualSeed, nn, ones, optim, randn, zeros } from '../../src/index.js';
import { registerWasmBackend } from '../../src/backend/wasm/register.js';
import { describeBackends } from '../helpers/backends.js';
import { val, vals } from '../helpers/read.js';
import { casesOf } from './golden.js';

class Net extends nn.Module {
  conv = new nn.Conv2d(1, 4, 3, { padding: 1 });
  body = new nn.Sequential(new nn.Linear(4, 4), new nn.ReLU(), new nn.Dropout(0.25));
  head = new nn.Linear(4, 2);
  declare scale: Tensor;
  declare tmp: Tensor;
  constructor() {
    super();
    this.registerBuffer('scale', ones([2]));
    this.registerBuffer('tmp', zeros([1]), false);
  }
  forward(x: Tensor): Tensor {
    return this.head.call(this.body.call(this.conv.call(x).mean([2, 3]))).mul(this.scale);
  }
}

class Tied extends nn.Module {
  enc = new nn.Linear(3, 3);
  dec = new nn.Linear(3, 3);
  constructor() {
    super();
    this.dec.weight = this.enc.weight;
  }
  forward(x: Tensor): Tensor {
    return this.dec.call(this.enc.call(x));
  }
}

const sharedTwice = (): nn.Sequential => {
  const shared = new nn.Linear(2, 2);
  return new nn.Sequential(shared, new nn.ReLU(), shared);
};
const MODULES: Record<string, () => nn.Module> = {
  simple_net: () => new nn.Sequential(new nn.Linear(784, 30), new nn.ReLU(), new nn.Linear(30, 1)),
  linear_nobias: () => new nn.Linear(3, 2, { bias: false }),
  conv_basic: () => new nn.Conv2d(3, 16, 3),
  conv_full: () => new nn.Conv2d(4, 8, [3, 5], { stride: 2, padding: [1, 2], dilation: [2, 1], groups: 2, bias: false }),
  dropout: () => new nn.Dropout(0.25),
  dropout_default: () => new nn.Dropout(),
  flatten: () => new nn.Flatten(),
  flatten_0_2: () => new nn.Flatten(0, 2),
  softmax: () => new nn.Softmax(1),
  leaky_relu: () => new nn.LeakyReLU(0.2),
  leaky_relu_default: () => new nn.LeakyReLU(),
  identity: () => new nn.Identity(),
  tanh: () => new nn.Tanh(),
  sigmoid: () => new nn.Sigmoid(),
  module_list: () => new nn.ModuleList([new nn.Linear(2, 2), new nn.ReLU()]),
  empty_sequential: () => new nn.Sequential(),
  nested: () => new nn.Sequential(new nn.Sequential(new nn.Conv2d(1, 8, 3, { stride: 2, padding: 1 }), new nn.ReLU()), new nn.Flatten(), new nn.Linear(8, 10)),
  net: () => new Net(),
  tied: () => new Tied(),
  shared_module: sharedTwice,
  mse: () => new nn.MSELoss(), l1: () => new nn.L1Loss(), ce: () => new nn.CrossEntropyLoss(), nll: () => new nn.NLLLoss(),
  bce: () => new nn.BCELoss(), bce_logits: () => new nn.BCEWithLogitsLoss(),
};

const reprCases = casesOf('repr').filter((c) => c.repr !== undefined);
const simpleNet = (): nn.Sequential => new nn.Sequential(new nn.Linear(784, 30), new nn.ReLU(), new nn.Linear(30, 1));

describeBackends('nn.Module', (device) => {
  describe('names, order and repr as torch prints them', () => {
    it('every golden module has a fastgrad counterpart', () => {
      expect(reprCases.map((c) => c.name).sort()).toEqual(Object.keys(MODULES).sort());
    });
    it.each(reprCases.map((c) => [c.name, c] as const))('%s', (name, c) => {
      const m = MODULES[name]!();
      expect(String(m)).toBe(c.repr);
      expect(inspect(m), 'console.log(model) prints the repr').toBe(c.repr);
      expect(m.namedParameters().map(([k]) => k), 'namedParameters').toEqual(c.named_parameters);
      expect([...m.stateDict().keys()], 'stateDict').toEqual(c.state_dict);
      expect(m.namedModules().map(([k]) => k), 'namedModules').toEqual(c.named_modules);
      expect(m.namedChildren().map(([k]) => k), 'namedChildren').toEqual(c.named_children);
      expect(m.parameters()).toEqual(m.namedParameters().map(([, p]) => p));
    });
    it('shared parameters and modules are listed once, and saved under every name (as torch)', () => {
      const t = new Tied();
      expect(t.parameters().length).toBe(3);
      expect(t.stateDict().get('dec.weight')!.storage).toBe(t.enc.weight.storage);
      const s = sharedTwice();
      expect(s.modules().length).toBe(3);
      expect(s.children().length).toBe(2);
    });
    it('numParameters counts elements (the book\'s simple_net has 23,581)', () => {
      const m = simpleNet();
      expect(m.numParameters()).toBe(784 * 30 + 30 + 30 + 1);
      m.at(0).requiresGrad_(false);
      expect(m.numParameters(true)).toBe(31);
    });
  });

  describe('custom modules register their fields', () => {
    it('Parameter and Module fields become parameters and children, in definition order; plain tensors do not', () => {
      class M extends nn.Module {
        w = new nn.Parameter(randn([2, 2]));
        notAParam = randn([3]);
        lin = new nn.Linear(2, 1);
        layers = [new nn.Linear(1, 1)]; // a plain array is not registered (like a Python list; use ModuleList)
        forward(x: Tensor): Tensor {
          return this.lin.call(x.matmul(this.w));
        }
      }
      const m = new M();
      expect(m.namedParameters().map(([k]) => k)).toEqual(['w', 'lin.weight', 'lin.bias']);
      expect(m.w.requiresGrad).toBe(true);
      expect(m.namedChildren().map(([k]) => k)).toEqual(['lin']);
      expect(String(m)).toBe('M(\n  (lin): Linear(in_features=2, out_features=1, bias=True)\n)');
      m.lin = new nn.Linear(2, 1, { bias: false }); // reassigning a field replaces the child
      expect(m.namedParameters().map(([k]) => k)).toEqual(['w', 'lin.weight']);
    });
    it('buffers: persistent ones are in stateDict, non-persistent ones are not; reassigning the field replaces the buffer', async () => {
      const n = new Net();
      expect(n.namedBuffers().map(([k]) => k)).toEqual(['scale', 'tmp']);
      expect([...n.stateDict().keys()]).toContain('scale');
      expect([...n.stateDict().keys()]).not.toContain('tmp');
      n.scale = ones([2]).mul(3);
      expect(await vals(n.stateDict().get('scale')!)).toEqual([3, 3]);
      expect(n.buffers()).not.toContain(n.parameters()[0]);
    });
  });

  describe('train/eval, apply, zeroGrad', () => {
    it('train(false)/eval() recurse; Dropout is the identity in eval mode', async () => {
      const n = new Net();
      expect(n.modules().every((m) => m.training)).toBe(true);
      n.eval();
      expect(n.modules().every((m) => !m.training)).toBe(true);
      const x = randn([5, 4]);
      expect(await val(n.body.call(x).sub(n.body.at(1).call(n.body.at(0).call(x))).abs().max())).toBe(0);
      n.train();
      expect(n.body.at(2).training).toBe(true);
    });
    it('apply visits children first, then the module itself (torch order)', async () => {
      const seen: string[] = [];
      const m = new nn.Sequential(new nn.Linear(2, 2), new nn.Sequential(new nn.ReLU()));
      m.apply((x) => seen.push(x.constructor.name));
      expect(seen).toEqual(['Linear', 'ReLU', 'Sequential', 'Sequential']);
      m.apply((x) => {
        if (x instanceof nn.Linear) nn.init.zeros_(x.weight);
      });
      expect(await val((m.at(0) as nn.Linear).weight.abs().sum())).toBe(0);
    });
    it('zeroGrad sets grads to null by default, or zeros them in place', async () => {
      const m = new nn.Linear(3, 2);
      m.call(randn([4, 3])).sum().backward();
      const g = m.weight.grad!;
      m.zeroGrad(false);
      expect(m.weight.grad).toBe(g);
      expect(await val(g.abs().sum())).toBe(0);
      m.zeroGrad();
      expect(m.weight.grad).toBeNull();
    });
  });

  describe('stateDict / loadStateDict', () => {
    it('round trip copies values in place and keeps parameter identity', async () => {
      manualSeed(1);
      const a = simpleNet();
      manualSeed(2);
      const b = simpleNet();
      const p0 = b.parameters()[0]!;
      const res = b.loadStateDict(a.stateDict());
      expect(res).toEqual({ missingKeys: [], unexpectedKeys: [] });
      expect(b.parameters()[0]).toBe(p0);
      for (const [k, v] of a.stateDict()) expect(await vals(b.stateDict().get(k)!)).toEqual(await vals(v));
      expect(p0.requiresGrad).toBe(true);
      const obj = Object.fromEntries(a.stateDict()); // a plain object works too
      expect(() => b.loadStateDict(obj)).not.toThrow();
    });
    it("missing, unexpected and mis-sized keys are all reported together, worded as torch's", async () => {
      const want = casesOf('repr').find((c) => c.name === 'load_state_dict_error')!.message as string;
      const m = new nn.Sequential(new nn.Linear(2, 2), new nn.ReLU(), new nn.Linear(2, 1));
      const before = await vals(m.stateDict().get('2.weight')!);
      let msg = '';
      try {
        m.loadStateDict({ '0.weight': zeros([3, 2]), '2.weight': zeros([1, 2]), extra: zeros([1]), extra2: zeros([1]) });
      } catch (e) {
        expect(e).toBeInstanceOf(nn.StateDictError);
        msg = (e as Error).message;
      }
      // fastgrad prints shapes as [3, 2] where torch prints torch.Size([3, 2])
      expect(msg).toBe(want.replace(/torch\.Size\((\[[^\]]*\])\)/g, '$1'));
      expect(await vals(m.stateDict().get('2.weight')!), 'nothing is copied when loading fails').toEqual(before);
    });
    it('strict=false loads what matches and returns the missing and unexpected keys', async () => {
      const m = new nn.Sequential(new nn.Linear(2, 2));
      const res = m.loadStateDict({ '0.weight': ones([2, 2]), foo: zeros([1]) }, false);
      expect(res).toEqual({ missingKeys: ['0.bias'], unexpectedKeys: ['foo'] });
      expect(await val((m.at(0) as nn.Linear).weight.sum())).toBe(4);
      expect(() => m.loadStateDict({ '0.weight': ones([3, 2]) }, false)).toThrow(/size mismatch for 0.weight/);
    });
    it('loss modules keep class weights as buffers (in stateDict, as torch)', () => {
      const ce = new nn.CrossEntropyLoss({ weight: ones([3]) });
      expect([...ce.stateDict().keys()]).toEqual(['weight']);
      expect(String(ce)).toBe('CrossEntropyLoss()');
    });
  });

  describe('forward hooks', () => {
    it('run after forward with (module, inputs, output), may replace the output, and can be removed', () => {
      const m = new nn.Linear(2, 2);
      const calls: unknown[][] = [];
      const h = m.registerForwardHook((mod, inp, out) => void calls.push([mod, inp.length, (out as Tensor).shape]));
      const x = randn([3, 2]);
      m.call(x);
      expect(calls).toEqual([[m, 1, [3, 2]]]);
      const h2 = m.registerForwardHook(() => zeros([1]));
      expect(m.call(x).shape).toEqual([1]);
      h2.remove();
      h2.remove(); // a second remove is a no-op and leaves other hooks alone
      h.remove();
      expect(m.call(x).shape).toEqual([3, 2]);
      expect(calls.length).toBe(2);
    });
    it('pre-hooks may replace the inputs; hooks on children fire inside Sequential', async () => {
      const lin = new nn.Linear(2, 2);
      const seq = new nn.Sequential(lin, new nn.ReLU());
      lin.registerForwardPreHook((_m, inp) => [(inp[0] as Tensor).mul(0)]);
      const out = seq.call(randn([3, 2]));
      expect(await val(out.sub(lin.bias!.relu()).abs().max())).toBeLessThan(1e-7);
    });
  });

  describe('layers: errors, containers, wrappers', () => {
    it('Linear with the wrong number of input features names both shapes', () => {
      const m = new nn.Linear(3, 4);
      expect(() => m.call(randn([2, 5]))).toThrow(errors.ShapeError);
      expect(() => m.call(randn([2, 5]))).toThrow(/input shape \[2, 5\] does not fit weight shape \[4, 3\].*in_features=3, got 5/);
    });
    it('Sequential: at, negative index, append, iteration, length; ModuleList has no forward', () => {
      const s = new nn.Sequential(new nn.Linear(2, 3), new nn.ReLU());
      expect(s.at(-1)).toBeInstanceOf(nn.ReLU);
      s.append(new nn.Linear(3, 1));
      expect(s.length).toBe(3);
      expect([...s].map((m) => m.constructor.name)).toEqual(['Linear', 'ReLU', 'Linear']);
      expect(s.namedParameters().map(([k]) => k)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
      expect(s.call(randn([4, 2])).shape).toEqual([4, 1]);
      expect(() => s.at(3)).toThrow(/out of range/);
      expect(() => new nn.ModuleList().forward()).toThrow(/no forward/);
    });
    it('loss modules equal their F counterparts and carry reduction and options', async () => {
      const x = randn([4, 3]), t = randn([4, 3]), y = F.softmax(randn([4, 3]), 1);
      const lbl = new Tensor(x.argmax(1).storage, [4], [1], 0);
      const near = async (a: Tensor, b: Tensor): Promise<void> => expect(await val(a.sub(b).abs().max())).toBeLessThan(1e-6);
      await near(new nn.MSELoss().call(x, t), F.mseLoss(x, t));
      await near(new nn.L1Loss({ reduction: 'sum' }).call(x, t), F.l1Loss(x, t, { reduction: 'sum' }));
      await near(new nn.CrossEntropyLoss({ labelSmoothing: 0.1 }).call(x, lbl), F.crossEntropy(x, lbl, { labelSmoothing: 0.1 }));
      await near(new nn.NLLLoss({ reduction: 'none' }).call(x.logSoftmax(1), lbl), F.nllLoss(x.logSoftmax(1), lbl, { reduction: 'none' }));
      await near(new nn.BCELoss().call(x.sigmoid(), y), F.binaryCrossEntropy(x.sigmoid(), y));
      await near(new nn.BCEWithLogitsLoss({ posWeight: ones([3]).mul(2) }).fn(x, y), F.binaryCrossEntropyWithLogits(x, y, { posWeight: ones([3]).mul(2) }));
      expect(new nn.MSELoss().call(x, t).gradFn).toBeNull();
    });
    it('LeakyReLU module and Dropout module follow training', async () => {
      const x = randn([1000]);
      expect(await val(new nn.LeakyReLU(0.2).call(x).sub(F.leakyRelu(x, 0.2)).abs().max())).toBe(0);
      const d = new nn.Dropout(0.5);
      expect(await val(d.call(x).eq(0).any())).toBeTruthy();
      d.eval();
      expect(d.call(x)).toBe(x);
      expect(() => new nn.Dropout(2)).toThrow(/between 0 and 1, but got 2/);
    });
  });

  describe('Module.to', () => {
    it("to('float64') casts parameters and buffers in place of their storage; identity is kept", () => {
      const n = new Net();
      const p = n.parameters()[0]!;
      n.to('float64');
      expect(n.parameters()[0]).toBe(p);
      expect(n.parameters().every((q) => q.dtype === 'float64')).toBe(true);
      expect(n.scale.dtype).toBe('float64');
      expect(n.call(randn([2, 1, 5, 5]).double()).dtype).toBe('float64');
      n.to('float32');
      expect(p.dtype).toBe('float32');
    });
    it("to(device) moves parameters, grads and buffers; an optimizer built before keeps working", async () => {
      registerWasmBackend();
      await initBackend('wasm');
      manualSeed(0);
      const m = new nn.Linear(3, 2);
      const w0 = await vals(m.weight);
      const opt = new optim.SGD(m.parameters(), { lr: 0.1 });
      m.call(randn([4, 3])).sum().backward();
      const other = device === 'wasm' ? 'cpu' : 'wasm';
      if (device === 'cpu-async') {
        // a move off a device without synchronous reads needs its values: tensors move with await t.toAsync(device)
        expect(() => m.to(other)).toThrow(errors.SyncReadError);
        expect(() => m.to(other)).toThrow(/use await t\.toAsync\('wasm'\)/);
        return;
      }
      m.to(other);
      expect(m.weight.device).toBe(other);
      expect(m.weight.grad!.device).toBe(other);
      expect(await vals(m.weight)).toEqual(w0);
      opt.step();
      expect(m.weight.device).toBe(other);
      m.to(device);
      expect(m.weight.device).toBe(device);
    });
  });
});
