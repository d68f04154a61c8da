// The notebook's models, line for line: calc_preds, calc_loss (MAE), one_epoch, train_model (which reseeds
// with 442 before init_coeffs), acc; then the linear model, with sigmoid, in matrix form, one hidden layer, deep.
import { F, type Tensor, manualSeed, noGrad, rand } from '../../node.js';

/** What train_model needs: the notebook's trn_indep/trn_dep and val_indep/val_dep. */
export interface Split {
  trnIndep: Tensor;
  trnDep: Tensor;
  valIndep: Tensor;
  valDep: Tensor;
}

/** One of the notebook's models: its init_coeffs and calc_preds (update_coeffs is the same for all: every leaf). */
export interface Model {
  name: string;
  title: string;
  bookAccuracy: number;
  /** train_model is called once per lr; the last run is the model kept (the neural net: 1.4, then 20). */
  lrs: number[];
  epochs: number;
  /** Matrix forms predict [n, 1]: targets become trn_dep[:,None]. */
  column: boolean;
  init(nCoeff: number): Tensor[];
  preds(coeffs: Tensor[], indeps: Tensor): Tensor;
}

/** calc_loss: torch.abs(calc_preds(coeffs, indeps)-deps).mean() */
export const calcLoss = (m: Model, coeffs: Tensor[], indeps: Tensor, deps: Tensor): Tensor =>
  m.preds(coeffs, indeps).sub(deps).abs().mean();

/** update_coeffs: for each leaf, `layer.sub_(layer.grad * lr); layer.grad.zero_()`. */
function updateCoeffs(coeffs: Tensor[], lr: number): void {
  for (const c of coeffs) {
    c.sub_(c.grad!.mul(lr));
    c.grad!.zero_();
  }
}

const deps = (m: Model, d: Tensor): Tensor => (m.column ? d.unsqueeze(1) : d);

export interface Trained {
  coeffs: Tensor[];
  /** The loss one_epoch prints each epoch (before its update). */
  losses: number[];
}

/** train_model(epochs, lr): torch.manual_seed(442); coeffs = init_coeffs(); one_epoch × epochs. */
export function trainModel(m: Model, s: Split, lr: number, seed = 442, epochs = m.epochs): Trained {
  manualSeed(seed);
  const coeffs = m.init(s.trnIndep.shape[1]!);
  const trnDep = deps(m, s.trnDep), losses: number[] = [];
  for (let i = 0; i < epochs; i++) {
    const loss = calcLoss(m, coeffs, s.trnIndep, trnDep);
    loss.backward();
    noGrad(() => updateCoeffs(coeffs, lr));
    losses.push(loss.item());
  }
  return { coeffs, losses };
}

/** acc: (val_dep.bool()==(calc_preds(coeffs, val_indep)>0.5)).float().mean() */
export function acc(m: Model, coeffs: Tensor[], s: Split): number {
  return noGrad(() => deps(m, s.valDep).bool().eq(m.preds(coeffs, s.valIndep).gt(0.5)).float().mean().item());
}

const leaf = (t: Tensor): Tensor => t.requiresGrad_();

/** `(indeps*coeffs).sum(axis=1)`: the first linear model, no sigmoid. */
export const linear: Model = {
  name: 'linear', title: 'linear model, 18 epochs, lr 0.2', bookAccuracy: 0.7865, lrs: [0.2], epochs: 18, column: false,
  init: (n) => [leaf(rand([n]).sub(0.5))],
  preds: ([c], x) => x.mul(c!).sum(1),
};

/** `torch.sigmoid((indeps*coeffs).sum(axis=1))`, trained with lr 100. */
export const sigmoid: Model = {
  ...linear, name: 'sigmoid', title: 'linear model + sigmoid, 30 epochs, lr 100', bookAccuracy: 0.8258, lrs: [100], epochs: 30,
  preds: ([c], x) => x.mul(c!).sum(1).sigmoid(),
};

/** Matrix form: `init_coeffs = (torch.rand(n_coeff, 1)*0.1)`, `torch.sigmoid(indeps@coeffs)`, targets [:,None]. */
export const matrix: Model = {
  name: 'matrix', title: 'matrix form (indeps@coeffs, coeffs [12, 1]), 30 epochs, lr 100', bookAccuracy: 0.8258, lrs: [100], epochs: 30, column: true,
  init: (n) => [leaf(rand([n, 1]).mul(0.1))],
  preds: ([c], x) => x.matmul(c!).sigmoid(),
};

/** One hidden layer of 20: relu(indeps@l1)@l2 + const, then sigmoid. */
export const neuralNet: Model = {
  name: 'neural-net', title: 'neural net, one hidden layer of 20, lr 1.4 then lr 20', bookAccuracy: 0.8258, lrs: [1.4, 20], epochs: 30, column: true,
  init: (n, nHidden = 20) => {
    const layer1 = rand([n, nHidden]).sub(0.5).div(nHidden);
    const layer2 = rand([nHidden, 1]).sub(0.3);
    const konst = rand([1]).get(0);
    return [leaf(layer1), leaf(layer2), leaf(konst)];
  },
  preds: ([l1, l2, konst], x) => F.relu(x.matmul(l1!)).matmul(l2!).add(konst!).sigmoid(),
};

/** Deep learning: hiddens [10, 10]; layers (rand-0.3)/sizes[i+1]*4, consts (rand(1)[0]-0.5)*0.1. */
export function deep(hiddens: readonly number[] = [10, 10]): Model {
  const k = hiddens.length + 1; // number of layers; coeffs = [...layers, ...consts]
  return {
    name: 'deep', title: `deep learning, hidden layers [${hiddens.join(', ')}], lr 4`, bookAccuracy: 0.8258, lrs: [4], epochs: 30, column: true,
    init: (n) => {
      const sizes = [n, ...hiddens, 1];
      const layers = sizes.slice(0, -1).map((s, i) => rand([s, sizes[i + 1]!]).sub(0.3).div(sizes[i + 1]!).mul(4));
      const consts = layers.map(() => rand([1]).get(0).sub(0.5).mul(0.1));
      return [...layers, ...consts].map(leaf);
    },
    preds: (coeffs, x) => {
      let res = x;
      for (let i = 0; i < k; i++) {
        res = res.matmul(coeffs[i]!).add(coeffs[k + i]!);
        if (i !== k - 1) res = F.relu(res);
      }
      return res.sigmoid();
    },
  };
}

export const MODELS: readonly Model[] = [linear, sigmoid, matrix, neuralNet, deep()];
