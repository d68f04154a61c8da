// The Learner's progress output (fastai's ProgressCallback): the epoch table wherever the output goes,
// the bar only on a terminal; nothing with 'never' / false.
import { expect, it } from 'vitest';
import { type Tensor, optim } from '../../src/index.js';
import { Learner, ProgressCallback, type ProgressMode } from '../../src/learner/index.js';
import { describeBackends } from '../helpers/backends.js';
import { linearData, linearModel, mse } from './helpers.js';

describeBackends('progress output', () => {
  const run = async (mode: ProgressMode | boolean, tty: boolean) => {
    const out: string[] = [];
    const learn = new Learner(linearData({ nTrain: 4, nValid: 2, bs: 2 }), linearModel(), {
      lossFunc: mse, optFunc: optim.sgd(), metrics: [(p: Tensor, t: Tensor) => p.sub(t).abs().mean()],
      cbs: [new ProgressCallback(mode, (s) => out.push(s), { tty })],
    });
    await learn.fit(2, 0.1);
    return out.join('');
  };

  it("prints fastai's table (epoch train_loss valid_loss <metrics> time) off a terminal too, without a bar", async () => {
    const text = await run('auto', false);
    const lines = text.split('\n');
    expect(lines[0]).toBe('epoch     train_loss  valid_loss  metric    time');
    expect(lines[1]).toMatch(/^0 {9}\d+\.\d{6} {2,}\d+\.\d{6} {2,}\d+\.\d{6} {2,}\d\d:\d\d$/);
    expect(lines[2]).toMatch(/^1 {9}/);
    expect(lines).toHaveLength(4); // header, 2 rows, trailing ''
    expect(text).not.toContain('\r');
    for (const same of [true, 'always'] as const) expect((await run(same, false)).split('\n').map((l) => l.slice(0, 40))).toEqual(lines.map((l) => l.slice(0, 40)));
  });

  it("draws a bar on a terminal; 'never' and false print nothing", async () => {
    expect(await run('auto', true)).toMatch(/\rtrain \|█+-*\| 1\/2/);
    expect(await run('auto', true)).toContain('train_loss');
    expect(await run('never', true)).toBe('');
    expect(await run(false, false)).toBe('');
  });

  it('rejects an unknown mode', () => {
    expect(() => new ProgressCallback('quiet' as ProgressMode)).toThrow(/mode must be 'auto', 'always', 'never' or a boolean, got "quiet"/);
  });

  it('formats times as fastprogress does', async () => {
    const { formatTime } = await import('../../src/learner/index.js');
    expect([formatTime(0.4), formatTime(61.9), formatTime(3725)]).toEqual(['00:00', '01:01', '1:02:05']);
  });
});
