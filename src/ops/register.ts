// Fills the Tensor methods' implementation table (Note [Tensor impl] in ../tensor/impl.ts) with the op
// families and autograd's backward. Importing this module once is enough: the entries (src/index.ts,
// src/node.ts) and the base modules of the layers above ops import it, for its side effect.
import { backward } from '../autograd/engine.js';
import { registerOps } from '../tensor/impl.js';
import { castTo, copyRaw, emptyTensor, movedTo } from './core.js';
import { addSub, binary, clamp, divRounding, isinf, rsub, unary, where } from './elementwise.js';
import { binaryInplace, copyInto, fill_, inplace } from './inplace.js';
import { gather, getItem, indexSelect, maskedFill, nonzero, scatter, scatterAdd, setItem } from './indexing.js';
import { bmm, dot, matmul, mm, mv } from './linalg.js';
import * as mo from './movement.js';
import * as red from './reduce.js';
import { argsort, sort, topk } from './sort.js';

registerOps({
  emptyTensor, copyRaw, castTo, movedTo,
  unary, binary, addSub, rsub, divRounding, isinf, clamp, where,
  fill_, binaryInplace, inplace, copyInto,
  sum: red.sum, mean: red.mean, prod: red.prod, amaxmin: red.amaxmin, maxminDim: red.maxminDim, argReduce: red.argReduce,
  variance: red.variance, cumsum: red.cumsum, logsumexp: red.logsumexp, softmax: red.softmax, logSoftmax: red.logSoftmax,
  allAny: red.allAny, norm: red.norm,
  view: mo.view, reshape: mo.reshape, permute: mo.permute, transpose: mo.transpose, unsqueeze: mo.unsqueeze, squeeze: mo.squeeze,
  expand: mo.expand, flatten: mo.flatten, unflatten: mo.unflatten, narrow: mo.narrow, select: mo.select, slice: mo.slice,
  flip: mo.flip, repeat: mo.repeat, split: mo.split, chunk: mo.chunk, unbind: mo.unbind, clone: mo.clone, contiguous: mo.contiguousOp,
  getItem, setItem, gather, scatter, scatterAdd, indexSelect, maskedFill, nonzero, sort, argsort, topk,
  matmul, mm, bmm, dot, mv,
  backward,
});
