// Tiny problems for Learner tests: a 1-D linear regression and an event log callback.
import { type Tensor, arange, manualSeed, nn, randn, tensor } from '../../src/index.js';
import { DataLoader, DataLoaders, zip } from '../../src/data/index.js';
import { Callback, EVENTS, type Event } from '../../src/learner/index.js';

/** y = 2x + 1 (+ small noise) on nTrain / nValid points; batches of bs (valid: validBs). */
export function linearData(opts: { nTrain?: number; nValid?: number; bs?: number; validBs?: number; noise?: number; seed?: number } = {}): DataLoaders {
  const { nTrain = 32, nValid = 8, bs = 8, validBs = bs, noise = 0, seed = 0 } = opts;
  manualSeed(seed);
  const mk = (n: number) => {
    const x = arange(n).float().div(n).mul(2).sub(1).unsqueeze(1);
    const y = x.mul(2).add(1).add(noise ? randn([n, 1]).mul(noise) : tensor(0));
    return zip(x, y);
  };
  return new DataLoaders(new DataLoader(mk(nTrain), { batchSize: bs }), new DataLoader(mk(nValid), { batchSize: validBs }));
}

/** nn.Linear(1, 1) with weight w and bias b. */
export function linearModel(w = 0, b = 0): nn.Linear {
  const m = new nn.Linear(1, 1);
  m.weight.data.fill_(w);
  m.bias!.data.fill_(b);
  return m;
}

export const mse = (p: Tensor, t: Tensor): Tensor => p.sub(t).pow(2).mean();

/** Records every event it sees (as `event` or `event:train` / `event:valid` for per-batch events when `phase`). */
export class EventLog extends Callback {
  events: string[] = [];
  constructor(order = 0) {
    super();
    this.order = order;
    for (const e of EVENTS) (this as unknown as Record<Event, () => void>)[e] = () => void this.events.push(e);
  }
}

/** Throws `make()` at the `at`-th time event `event` fires (0-based). */
export class Thrower extends Callback {
  private seen = 0;
  constructor(private readonly event: Event, private readonly make: () => Error, private readonly at = 0, order = 1) {
    super();
    this.order = order;
    (this as unknown as Record<Event, () => void>)[event] = () => {
      if (this.seen++ === this.at) throw this.make();
    };
  }
}

export const TRAIN_BATCH = ['beforeBatch', 'afterPred', 'afterLoss', 'beforeBackward', 'afterBackward', 'beforeStep', 'afterStep', 'afterBatch'];
export const VALID_BATCH = ['beforeBatch', 'afterPred', 'afterLoss', 'afterBatch'];
