// nn.Linear / nn.Conv2d default init and nn.init.* draws are bit-identical to PyTorch 1.13 for the same seed
// (golden: tools/golden/nn.py → test/golden/nn.json, group "init").
import { describe, expect, it } from 'vitest';
import { empty, manualSeed, nn, Generator } from '../../src/index.js';
import { describeBackends } from '../helpers/backends.js';
import { val, vals } from '../helpers/read.js';
import { casesOf, expectExact } from './golden.js';

const init = casesOf('init');
type Pair = number | [number, number];

const FNS: Record<string, (shape: number[], kw: Record<string, any>, g?: Generator) => ReturnType<typeof empty>> = {
  kaiming_normal_: (s, kw, g) => nn.init.kaimingNormal_(empty(s), { ...kw, generator: g }),
  kaiming_uniform_: (s, kw, g) => nn.init.kaimingUniform_(empty(s), { ...kw, generator: g }),
  xavier_uniform_: (s, kw, g) => nn.init.xavierUniform_(empty(s), kw.gain ?? 1, g),
  xavier_normal_: (s, kw, g) => nn.init.xavierNormal_(empty(s), kw.gain ?? 1, g),
  normal_: (s, kw, g) => nn.init.normal_(empty(s), kw.mean ?? 0, kw.std ?? 1, g),
  uniform_: (s, kw, g) => nn.init.uniform_(empty(s), kw.a ?? 0, kw.b ?? 1, g),
};

describeBackends('nn init', () => {
  describe('nn.Linear default init = torch.manual_seed(s); nn.Linear(i, o)', () => {
    it.each(init.filter((c) => c.kind === 'linear').map((c) => [c.name, c] as const))('%s', async (_n, c) => {
      manualSeed(c.seed);
      const m = new nn.Linear(c.args[0], c.args[1], { bias: c.bias });
      await expectExact(m.weight, c.weight, 'weight');
      if (c.bias_value) await expectExact(m.bias!, c.bias_value, 'bias');
      else expect(m.bias).toBeNull();
    });
  });

  describe('nn.Conv2d default init', () => {
    it.each(init.filter((c) => c.kind === 'conv2d').map((c) => [c.name, c] as const))('%s', async (_n, c) => {
      manualSeed(c.seed);
      const k = c.args[2] as Pair;
      const m = new nn.Conv2d(c.args[0], c.args[1], k, c.kwargs);
      await expectExact(m.weight, c.weight, 'weight');
      if (c.bias_value) await expectExact(m.bias!, c.bias_value, 'bias');
      else expect(m.bias).toBeNull();
    });
  });

  it("the book's simple_net: manualSeed(42); Sequential(Linear(784, 30), ReLU(), Linear(30, 1)) draws as torch", async () => {
    const c = init.find((x) => x.kind === 'simple_net')!;
    manualSeed(42);
    const net = new nn.Sequential(new nn.Linear(784, 30), new nn.ReLU(), new nn.Linear(30, 1));
    const sd = net.stateDict();
    expect([...sd.keys()]).toEqual(Object.keys(c.state));
    for (const [k, v] of sd) await expectExact(v, c.state[k], k);
  });

  describe('nn.init draws', () => {
    it.each(init.filter((c) => c.kind === 'fn').map((c) => [c.name, c] as const))('%s', async (_n, c) => {
      manualSeed(c.seed);
      await expectExact(FNS[c.fn]!(c.shape, c.kwargs), c.out, c.fn);
      // an explicit generator gives the same draws and leaves the default one alone
      manualSeed(c.seed + 1);
      await expectExact(FNS[c.fn]!(c.shape, c.kwargs, new Generator(BigInt(c.seed))), c.out, `${c.fn} (generator)`);
    });
    it.each(init.filter((c) => c.kind === 'gain').map((c) => [c.name, c] as const))('%s', async (_n, c) => {
      expect(nn.init.calculateGain(c.args[0], c.args[1] ?? undefined)).toBeCloseTo(c.out, 15);
    });
    it('zeros_/ones_/constant_ fill without recording a graph; fan errors name the shape', async () => {
      const p = new nn.Parameter(empty([2, 3]));
      nn.init.zeros_(p);
      expect(await vals(p)).toEqual([[0, 0, 0], [0, 0, 0]]);
      nn.init.constant_(p, 0.5);
      expect(await val(p.sum())).toBe(3);
      expect(p.gradFn).toBeNull();
      expect(() => nn.init.xavierUniform_(empty([5]))).toThrow(/fewer than 2 dimensions \(shape \[5\]\)/);
    });
  });
});
