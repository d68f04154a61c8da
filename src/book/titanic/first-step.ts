// The notebook's first coefficients, first loss and first gradient-descent step, before any splitting.
import { type Tensor, manualSeed, noGrad, rand } from '../../node.js';

/** The notebook's printed values (course22 "Linear model and neural net from scratch"). */
export const BOOK = {
  firstCoeffs: [-0.4629, 0.1386, 0.2409, -0.2262, -0.2632, -0.3147, 0.4876, 0.3136, 0.2799, -0.4392, 0.2103, 0.3625],
  firstLoss: 0.5382,
  lossAfterStep: 0.4945,
  split: { train: 713, valid: 178 },
} as const;

export interface FirstStep {
  /** torch.manual_seed(442); coeffs = torch.rand(n_coeff)-0.5 */
  coeffs: number[];
  /** calc_loss(coeffs, t_indep, t_dep): MAE over all 891 rows. */
  loss: number;
  /** coeffs.grad after the first backward. */
  grad: number[];
  /** calc_loss after `coeffs.sub_(coeffs.grad * 0.1)`. */
  lossAfterStep: number;
}

const calcLoss = (c: Tensor, x: Tensor, y: Tensor): Tensor => x.mul(c).sum(1).sub(y).abs().mean();

/**
 * NOTE: the notebook calls loss.backward() three times before its step (twice to show that gradients add
 * up in .grad), so the step of lr 0.1 uses three times the gradient; that is how it reaches 0.4945.
 */
export function firstStep(tIndep: Tensor, tDep: Tensor, seed = 442, lr = 0.1): FirstStep {
  manualSeed(seed);
  const coeffs = rand([tIndep.shape[1]!]).sub(0.5);
  const first = coeffs.tolist() as number[];
  coeffs.requiresGrad_();
  const loss = calcLoss(coeffs, tIndep, tDep);
  loss.backward();
  const grad = coeffs.grad!.tolist() as number[];
  calcLoss(coeffs, tIndep, tDep).backward();
  calcLoss(coeffs, tIndep, tDep).backward();
  const lossAfterStep = noGrad(() => {
    coeffs.sub_(coeffs.grad!.mul(lr));
    coeffs.grad!.zero_();
    return calcLoss(coeffs, tIndep, tDep).item();
  });
  return { coeffs: first, loss: loss.item(), grad, lossAfterStep };
}
