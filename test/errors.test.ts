// Bad input gets a typed error (src/errors.ts) whose message names the argument and the shapes/dtypes
// involved, and suggests a fix where one is obvious (DESIGN.md, "Errors").
import { expectError } from './helpers/expect-error.js';
import { describe, expect, test } from 'vitest';
import { arange, cat, conv2d, errors, ones, stack, tensor, where, zeros, type Tensor } from '../src/index.js';

const { FastgradError, ShapeError, DTypeError, IndexError, AutogradError } = errors;

const f32 = (shape: number[]): Tensor => zeros(shape);
const i32 = (shape: number[]): Tensor => zeros(shape, { dtype: 'int32' });

describe('shape errors name both shapes', () => {
  test('mismatched broadcast (binary ops, where, in place)', () => {
    expectError(() => f32([2, 3]).add(f32([4, 3])), ShapeError, /\[2, 3\]/, /\[4, 3\]/, /cannot be broadcast/, /add/);
    expectError(() => f32([5]).mul(f32([2, 1, 3])), ShapeError, /\[5\] and \[2, 1, 3\]/);
    expectError(() => where(f32([2]).gt(0), f32([3]), 0), ShapeError, /where/, /\[2\] and \[3\]/);
    expectError(() => f32([3]).add_(f32([2, 3])), ShapeError, /add_/, /output with shape \[3\]/, /broadcast shape \[2, 3\]/);
    expectError(() => f32([2, 3]).expand(4, 3), ShapeError, /\[2, 3\]/, /\[4, 3\]/);
  });

  test('matmul shape mismatch', () => {
    expectError(() => f32([2, 3]).matmul(f32([4, 5])), ShapeError, /\[2, 3\]/, /\[4, 5\]/, /2x3 and 4x5/);
    expectError(() => f32([3]).matmul(f32([4])), ShapeError, /\[3\]/, /\[4\]/);
    expectError(() => f32([2, 3, 4]).matmul(f32([5, 4, 2])), ShapeError, /batch/, /\[2\]/, /\[5\]/);
    expectError(() => f32([2, 3]).mm(f32([4, 5])), ShapeError, /\[2, 3\]/, /\[4, 5\]/);
    expectError(() => f32([2, 2, 3]).bmm(f32([3, 3, 2])), ShapeError, /\[2, 2, 3\]/, /\[3, 3, 2\]/);
    expectError(() => f32([]).matmul(f32([2])), ShapeError, /at least 1 dimension/, /\[\]/, /\[2\]/);
  });

  test('view of an incompatible layout suggests reshape', () => {
    expectError(() => f32([2, 3]).t().view(-1), ShapeError, /view size \[6\]/, /size \[3, 2\]/, /stride \[1, 3\]/, /\.reshape/);
    expectError(() => f32([2, 3]).view(4, 2), ShapeError, /shape \[4, 2\] is invalid for input of size 6/, /\[2, 3\]/);
    expectError(() => f32([2, 3]).view(-1, -1), ShapeError, /only one dimension can be inferred/);
  });

  test('cat / stack size mismatch', () => {
    expectError(() => cat([f32([2, 3]), f32([2, 4])]), ShapeError, /dimension 0/, /\[2, 3\]/, /tensor 1 has shape \[2, 4\]/);
    expectError(() => cat([f32([2, 3]), f32([3, 3])], 1), ShapeError, /dimension 1/, /\[2, 3\]/, /\[3, 3\]/);
    expectError(() => stack([f32([2]), f32([3])]), ShapeError, /\[2\] at entry 0/, /\[3\] at entry 1/);
  });

  test('split sizes that do not sum to the dim size', () => {
    expectError(() => f32([5, 2]).split([2, 2]), ShapeError, /sum exactly to 5/, /dimension 0/, /\[2, 2\]/);
    expectError(() => f32([2, 5]).split([3, 3], 1), ShapeError, /sum exactly to 5/, /dimension 1/, /\[3, 3\]/);
  });

  test('conv2d channel mismatch names the weight and the input', () => {
    expectError(() => conv2d(f32([1, 3, 5, 5]), f32([4, 2, 3, 3])), ShapeError, /weight of size \[4, 2, 3, 3\]/, /\[1, 3, 5, 5\]/, /2 channels/, /got 3 channels/);
    expectError(() => conv2d(f32([1, 2, 5, 5]), f32([4, 2, 3, 3]), f32([3])), ShapeError, /bias must have shape \[4\]/, /got \[3\]/);
    expectError(() => conv2d(f32([5, 5]), f32([4, 2, 3, 3])), ShapeError, /3-D or 4-D input/, /\[5, 5\]/);
  });

  test('gather index rank mismatch', () => {
    expectError(() => f32([2, 3]).gather(1, i32([2])), ShapeError, /gather/, /same number of dimensions/, /index \[2\]/, /input \[2, 3\]/);
    expectError(() => f32([3, 2]).gather(0, i32([3, 4])), ShapeError, /gather/, /\[3, 4\]/, /\[3, 2\]/);
  });

  test('setitem value that does not broadcast to the indexed shape', () => {
    expectError(() => f32([3, 2]).set([0], f32([3])), ShapeError, /value tensor of shape \[3\]/, /indexing result of shape \[2\]/);
    expectError(() => f32([3, 2]).set([[0, 1]], f32([3, 3])), ShapeError, /\[3, 3\]/, /\[2, 2\]/);
  });

  test('item() on a multi-element tensor', () => {
    expectError(() => f32([2, 3]).item(), ShapeError, /6 elements/, /scalar/, /\[2, 3\]/);
    expectError(() => f32([0]).item(), ShapeError, /0 elements/);
  });

  test('tensor() with ragged nested arrays points at the offending element', () => {
    expectError(() => tensor([[1, 2], [3]]), ShapeError, /ragged/, /length 2 at dim 1/, /got 1 at data\[1\]/);
    expectError(() => tensor([[1, 2], 3] as never), ShapeError, /ragged/, /data\[1\]/);
    expectError(() => tensor([1, [2, 3]] as never), ShapeError, /ragged/, /data\[1\]/);
    expectError(() => tensor([['a']] as never), DTypeError, /could not infer dtype/, /string/);
  });
});

describe('dims and indices name the dim, the rank or size', () => {
  test('bad dim names the argument, the dim and the rank', () => {
    expectError(() => f32([2, 3]).sum(3), IndexError, /dim=3 .*rank 2/, /\[-2, 1\]/);
    expectError(() => f32([2, 3]).softmax(-3), IndexError, /dim=-3 .*rank 2/);
    expectError(() => f32([2, 3]).transpose(0, 5), IndexError, /dim1=5 .*rank 2/);
    expectError(() => f32([2, 3]).unsqueeze(4), IndexError, /dim=4 .*rank 3/);
    expectError(() => f32([2, 3]).squeeze(2), IndexError, /dim=2 .*rank 2/);
    expectError(() => f32([2, 3]).flatten(0, 2), IndexError, /end_dim=2 .*rank 2/);
    expectError(() => f32([2, 3]).permute(0), ShapeError, /permute/, /rank 2/, /\[2, 3\]/);
  });

  test('too many indices', () => {
    expectError(() => f32([2, 3]).get(0, 0, 0), IndexError, /too many indices/, /dimension 2/, /got 3/, /\[2, 3\]/);
    expectError(() => f32([2, 3]).get('0, :, None, 1'), IndexError, /too many indices/);
  });

  test('index out of range names the index, the dim of the tensor and its size', () => {
    expectError(() => f32([2, 3]).get(5), IndexError, /index 5 is out of bounds for dimension 0 with size 2/);
    expectError(() => f32([2, 3]).get(0, 5), IndexError, /index 5 is out of bounds for dimension 1 with size 3/);
    expectError(() => f32([2, 3]).get(':', -4), IndexError, /index -4 .*dimension 1 with size 3/);
    expectError(() => f32([2, 3, 4]).get(0, ':', [0, 9]), IndexError, /index 9 .*dimension 2 with size 4/);
    expectError(() => f32([2, 3]).get(tensor([0, 7])), IndexError, /index 7 .*dimension 0 with size 2/);
    expectError(() => f32([2, 3]).select(1, 3), IndexError, /index 3 .*dimension 1 with size 3/);
    expectError(() => f32([2, 3]).narrow(1, 2, 3), IndexError, /start \(2\) \+ length \(3\)/, /size \(3\)/, /dim 1/);
    expectError(() => f32([3, 2]).gather(0, tensor([[5, 0]])), IndexError, /index 5 .*dimension 0 with size 3/);
    expectError(() => f32([3]).indexSelect(0, tensor([7])), IndexError, /index 7 .*size 3/);
  });

  test('bad index items', () => {
    expectError(() => f32([2, 3]).get(tensor([0.5])), IndexError, /long, int, byte or bool/, /float32/);
    expectError(() => f32([3]).get([0.5]), IndexError, /long, int, byte or bool/, /0\.5/);
    expectError(() => f32([2, 3]).get(tensor([true, false, true])), IndexError, /mask \[3\]/, /\[2\] at dim 0/);
    expectError(() => f32([2, 3]).get('..., ...'), IndexError, /single ellipsis/);
    expectError(() => f32([2, 3]).get('1:x'), IndexError, /invalid slice bound 'x'/);
    expectError(() => f32([2, 3]).get('::-1'), IndexError, /step must be greater than zero/);
  });
});

describe('dtype errors name the dtypes', () => {
  test('requiresGrad on an int tensor names the dtype and suggests .float()', () => {
    expectError(() => i32([2]).requiresGrad_(), AutogradError, /floating point/, /int32/, /\.float\(\)/);
    expectError(() => zeros([2], { dtype: 'int32', requiresGrad: true }), AutogradError, /int32/);
    expectError(() => zeros([2], { dtype: 'bool' }).requiresGrad_(), AutogradError, /bool/);
  });

  test('mean (and softmax, var) on ints names the dtype and suggests .float()', () => {
    expectError(() => i32([2]).mean(), DTypeError, /mean/, /int32/, /\.float\(\)/);
    expectError(() => i32([2, 2]).mean(0), DTypeError, /int32/);
    expectError(() => i32([3]).softmax(0), DTypeError, /softmax/, /int32/, /\.float\(\)/);
    expectError(() => i32([3]).var(), DTypeError, /var/, /int32/);
  });

  test('where with a non-bool condition', () => {
    expectError(() => where(f32([2]), f32([2]), f32([2])), DTypeError, /condition must be a bool/, /float32/, /gt\(0\)/);
    expectError(() => where(i32([2]), 1, 0), DTypeError, /int32/);
    expectError(() => f32([3]).maskedFill(f32([3]), 1), DTypeError, /boolean masks/, /float32/);
  });

  test('bitwise ops on floats name both operands', () => {
    expectError(() => f32([2]).bitwiseAnd(f32([2])), DTypeError, /bitwiseAnd/, /float32 tensor of shape \[2\] and float32 tensor/);
    expectError(() => i32([2]).bitwiseOr(f32([3, 2])), DTypeError, /int32 tensor of shape \[2\] and float32 tensor of shape \[3, 2\]/);
    expectError(() => i32([2]).bitwiseXor(1.5), DTypeError, /int32/, /scalar 1\.5/);
  });

  test('in-place op whose float result cannot be stored in an int tensor names both dtypes', () => {
    expectError(() => i32([2]).add_(f32([2]).add(0.5)), DTypeError, /add_/, /float32/, /int32/);
    expectError(() => i32([2]).mul_(1.5), DTypeError, /mul_/, /float32/, /int32/);
    expectError(() => i32([2]).div_(2), DTypeError, /div_/, /float32/, /int32/);
  });

  test('other dtype misuse', () => {
    expectError(() => conv2d(i32([1, 2, 5, 5]), i32([4, 2, 3, 3])), DTypeError, /floating point/, /int32 and int32/);
    expectError(() => f32([3]).gather(0, f32([3])), DTypeError, /index/, /float32/);
    expectError(() => zeros([2], { dtype: 'bool' }).neg(), DTypeError, /bool/, /logicalNot/);
    expectError(() => zeros([2], { dtype: 'bool' }).sub(zeros([2], { dtype: 'bool' })), DTypeError, /bool/, /logicalXor/);
  });
});

describe('autograd misuse', () => {
  test('backward on a non-scalar without a gradient names the shape', () => {
    expectError(() => ones([2]).requiresGrad_().mul(2).backward(), AutogradError, /scalar outputs/, /\[2\]/);
  });
  test('backward on a tensor that does not require grad', () => {
    expectError(() => ones([2]).sum().backward(), AutogradError, /does not require grad/);
  });
  test('in-place on a leaf that requires grad suggests noGrad', () => {
    expectError(() => ones([2]).requiresGrad_().add_(1), AutogradError, /add_/, /leaf/, /noGrad/);
  });
  test('a second backward through a freed graph suggests retainGraph', () => {
    const x = arange(3, undefined, 1, { dtype: 'float32' }).requiresGrad_();
    const y = x.exp().sum();
    y.backward();
    expectError(() => y.backward(), AutogradError, /second time/, /retainGraph/);
  });
});
