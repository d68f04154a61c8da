#!/usr/bin/env python3
"""Golden cases for the shape/view, indexing, creation, linalg and sort op families.

Run with /usr/bin/python3 (Debian python3-torch 1.13); writes test/golden/ops_shape.json through
common.write_cases: {"meta": {...}, "cases": [{name, family, op, args, kwargs, out, error, error_match,
grads, grad_fn, is_view, index_str?, note?}]}:

- Tensors (in args, outputs, grads) are {"shape", "dtype", "data"} with data flat row-major;
  nan/inf are the strings "nan"/"inf"/"-inf"; torch's int64 is recorded as "int32" (fastgrad's
  default integer dtype) with "torch_dtype": "int64"; float32 values are written in their shortest
  float32 round-trip form. Input tensors add "requires_grad" and optionally "pre": a list of view ops
  applied to the fresh leaf before the op (to get non-contiguous inputs), e.g. [["t"]],
  [["transpose", 0, 2]], [["slice", dim, start, stop, step]], [["expand", [2, 3]]].
- Index items: int, null (None), "..." (Ellipsis), {"slice": [start, stop, step]}, a tensor, or a
  plain JSON array (a Python list index).
- out: one tensor, a list of tensors (split/chunk/unbind/sort/topk...) or null when torch raises.
- error: torch's message (or null); error_match: substrings fastgrad's message must contain
  (shapes are written as fastgrad writes them: "[2, 3]").
- grads: the gradient of sum_k (out_k * w_k).sum() over the float outputs w.r.t. each input tensor
  that requires grad, in the order the input tensors appear in args (depth first); w_k is the fixed
  weight w[i] = 1 + 0.25 * ((7 * i) % 11) over out_k's flat row-major positions.
- grad_fn: torch's grad_fn name of the output (list for multi-output ops).
- is_view: whether the output shares storage with the first input (list for multi-output ops).
- index_str (getitem only): the same index written as a Python expression, for t.get('1, 1:3').
"""
import json
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import torch, write_cases  # noqa: E402  (imports torch without this folder shadowing stdlib random)
import numpy as np  # noqa: E402

DT_OUT = {torch.float32: 'float32', torch.float64: 'float64', torch.int64: 'int32', torch.int32: 'int32',
          torch.uint8: 'uint8', torch.bool: 'bool'}
DT_IN = {'float32': torch.float32, 'float64': torch.float64, 'int32': torch.int64, 'uint8': torch.uint8,
         'bool': torch.bool}


def enc_num(v, dtype):
    if dtype == 'bool':
        return bool(v)
    if isinstance(v, float):
        if math.isnan(v):
            return 'nan'
        if math.isinf(v):
            return 'inf' if v > 0 else '-inf'
        if dtype == 'float32':
            # shortest repr that round-trips through float32 (Math.fround / Float32Array on the TS side)
            return float(repr(np.float32(v)))
        return v
    return int(v)


def tj(t):
    """Serialize a tensor (values only)."""
    t = t.detach()
    dtype = DT_OUT[t.dtype]
    out = {'shape': list(t.shape), 'dtype': dtype, 'data': [enc_num(v, dtype) for v in t.reshape(-1).tolist()]}
    if t.dtype == torch.int64:
        out['torch_dtype'] = 'int64'
    return out


def fmt(shape):
    return '[' + ', '.join(str(s) for s in shape) + ']'


# ---------------------------------------------------------------- inputs

class Inp:
    """An input tensor: a leaf (optionally requiring grad) plus view ops applied before the op."""

    def __init__(self, t, rg=None, pre=None):
        self.t = t
        self.rg = (t.is_floating_point() if rg is None else rg)
        self.pre = pre or []

    def spec(self):
        s = tj(self.t)
        s['requires_grad'] = bool(self.rg)
        if self.pre:
            s['pre'] = self.pre
        return s

    def make(self):
        leaf = self.t.detach().clone().requires_grad_(bool(self.rg))
        x = leaf
        for p in self.pre:
            x = apply_pre(x, p)
        return leaf, x


def apply_pre(x, p):
    op, *a = p
    if op == 't':
        return x.t()
    if op == 'transpose':
        return x.transpose(a[0], a[1])
    if op == 'permute':
        return x.permute(a[0])
    if op == 'slice':
        d, s, e, st = a
        idx = [slice(None)] * x.ndim
        idx[d] = slice(s, e, st)
        return x[tuple(idx)]
    if op == 'expand':
        return x.expand(a[0])
    if op == 'select':
        return x.select(a[0], a[1])
    raise ValueError(op)


class Sl:
    def __init__(self, start=None, stop=None, step=None):
        self.s = slice(start, stop, step)


gen = torch.Generator().manual_seed(1234)


def R(*shape, dtype='float32', rg=None, pre=None, scale=1.0):
    """A random input (values rounded to 2 decimals so the JSON stays short)."""
    r = torch.randn(tuple(shape), generator=gen, dtype=torch.float64)
    if dtype == 'bool':
        t = r > 0
    elif dtype in ('int32', 'uint8'):
        t = (r.abs() if dtype == 'uint8' else r).mul(5).round().to(DT_IN[dtype])
    else:
        t = ((r * scale * 100).round() / 100).to(DT_IN[dtype])
    return Inp(t, rg=rg, pre=pre)


def A(*shape, dtype='float32', rg=None, pre=None, start=0):
    """arange input with a shape."""
    n = int(np.prod(shape)) if shape else 1
    t = torch.arange(start, start + n, dtype=torch.float64).reshape(shape).to(DT_IN[dtype])
    return Inp(t, rg=rg, pre=pre)


def I(data, dtype='int32'):
    return Inp(torch.tensor(data, dtype=DT_IN[dtype]), rg=False)


def B(data):
    return Inp(torch.tensor(data, dtype=torch.bool), rg=False)


def F(data, dtype='float32', rg=None, pre=None):
    return Inp(torch.tensor(data, dtype=DT_IN[dtype]), rg=rg, pre=pre)


# ---------------------------------------------------------------- arg encoding

def enc_arg(a):
    if isinstance(a, Inp):
        return a.spec()
    if isinstance(a, Sl):
        return {'slice': [a.s.start, a.s.stop, a.s.step]}
    if a is Ellipsis:
        return '...'
    if isinstance(a, (list, tuple)):
        return [enc_arg(v) for v in a]
    if isinstance(a, dict):
        return {k: enc_arg(v) for k, v in a.items()}
    if isinstance(a, float) and not math.isfinite(a):
        return 'nan' if math.isnan(a) else ('inf' if a > 0 else '-inf')
    return a


def materialize(a, leaves):
    if isinstance(a, Inp):
        leaf, x = a.make()
        leaves.append((leaf, a.rg))
        return x
    if isinstance(a, Sl):
        return a.s
    if isinstance(a, list):
        return [materialize(v, leaves) for v in a]
    if isinstance(a, tuple):
        return tuple(materialize(v, leaves) for v in a)
    if isinstance(a, dict):
        return {k: materialize(v, leaves) for k, v in a.items()}
    return a


def index_tuple(items):
    return tuple(items)


def setitem(x, items, v):
    y = x.clone()
    y[index_tuple(items)] = v
    return y


def dt(kw):
    kw = dict(kw)
    if 'dtype' in kw:
        kw['dtype'] = DT_IN[kw['dtype']]
    return kw


OPS = {
    'view': lambda x, s: x.view(s),
    'reshape': lambda x, s: x.reshape(s),
    'permute': lambda x, d: x.permute(d),
    'transpose': lambda x, a, b: x.transpose(a, b),
    't': lambda x: x.t(),
    'T': lambda x: x.T,
    'unsqueeze': lambda x, d: x.unsqueeze(d),
    'squeeze': lambda x, d=None: x.squeeze() if d is None else x.squeeze(d),
    'expand': lambda x, s: x.expand(s),
    'expand_as': lambda x, y: x.expand_as(y),
    'broadcast_to': lambda x, s: torch.broadcast_to(x, s),
    'flatten': lambda x, s=0, e=-1: x.flatten(s, e),
    'unflatten': lambda x, d, s: x.unflatten(d, s),
    'narrow': lambda x, d, s, n: x.narrow(d, s, n),
    'select': lambda x, d, i: x.select(d, i),
    'contiguous': lambda x: x.contiguous(),
    'clone': lambda x: x.clone(),
    'flip': lambda x, d: x.flip(d),
    'repeat': lambda x, s: x.repeat(s),
    'cat': lambda ts, d=0: torch.cat(ts, d),
    'stack': lambda ts, d=0: torch.stack(ts, d),
    'split': lambda x, s, d=0: list(torch.split(x, s, d)),
    'chunk': lambda x, n, d=0: list(torch.chunk(x, n, d)),
    'unbind': lambda x, d=0: list(torch.unbind(x, d)),
    'getitem': lambda x, items: x[index_tuple(items)],
    'setitem': setitem,
    'gather': lambda x, d, i: torch.gather(x, d, i),
    'scatter': lambda x, d, i, s: torch.scatter(x, d, i, s),
    'scatter_add': lambda x, d, i, s: torch.scatter_add(x, d, i, s),
    'index_select': lambda x, d, i: torch.index_select(x, d, i),
    'masked_fill': lambda x, m, v: x.masked_fill(m, v),
    'nonzero': lambda x: torch.nonzero(x),
    'arange': lambda *a, **kw: torch.arange(*a, **dt(kw)),
    'linspace': lambda *a, **kw: torch.linspace(*a, **dt(kw)),
    'eye': lambda *a, **kw: torch.eye(*a, **dt(kw)),
    'full': lambda s, v, **kw: torch.full(s, v, **dt(kw)),
    'zeros': lambda s, **kw: torch.zeros(s, **dt(kw)),
    'ones': lambda s, **kw: torch.ones(s, **dt(kw)),
    'tensor': lambda d, **kw: torch.tensor(d, **dt(kw)),
    'matmul': lambda a, b: torch.matmul(a, b),
    'mm': lambda a, b: torch.mm(a, b),
    'bmm': lambda a, b: torch.bmm(a, b),
    'dot': lambda a, b: torch.dot(a, b),
    'mv': lambda a, b: torch.mv(a, b),
    'conv2d': lambda x, w, b=None, **kw: torch.nn.functional.conv2d(x, w, b, **kw),
    'sort': lambda x, d=-1, **kw: list(torch.sort(x, dim=d, **kw)),
    'argsort': lambda x, d=-1, **kw: torch.argsort(x, dim=d, **kw),
    'topk': lambda x, k, **kw: list(torch.topk(x, k, **kw)),
}

cases = []
names = set()


def weight(n, dtype):
    return (1 + 0.25 * ((torch.arange(n, dtype=torch.float64) * 7) % 11)).to(dtype)


def base_of(t):
    return t._base if t._base is not None else t


def shares(out, x):
    if not isinstance(x, torch.Tensor):
        return False
    return out is x or base_of(out) is base_of(x)


def first_tensor(args):
    for a in args:
        if isinstance(a, torch.Tensor):
            return a
        if isinstance(a, (list, tuple)):
            t = first_tensor(a)
            if t is not None:
                return t
    return None


def case(family, op, *args, name=None, error_match=None, note=None, index_str=None, **kwargs):
    nm = name or f"{op}({', '.join(short(a) for a in args)}{''.join(f', {k}={short(v)}' for k, v in kwargs.items())})"
    base = nm
    k = 2
    while nm in names:
        nm = f'{base} #{k}'
        k += 1
    names.add(nm)
    leaves = []
    margs = materialize(list(args), leaves)
    mkw = materialize(kwargs, leaves)
    c = {'name': nm, 'family': family, 'op': op, 'args': enc_arg(list(args)), 'kwargs': enc_arg(kwargs),
         'out': None, 'error': None, 'error_match': error_match or [], 'grads': None, 'grad_fn': None,
         'is_view': None}
    if note:
        c['note'] = note
    if index_str is not None:
        c['index_str'] = index_str
    try:
        out = OPS[op](*margs, **mkw)
    except Exception as e:  # noqa: BLE001
        c['error'] = str(e).split('\n')[0]
        cases.append(c)
        return c
    if error_match:
        raise AssertionError(f'{nm}: expected an error, got {out}')
    outs = out if isinstance(out, list) else [out]
    c['out'] = [tj(o) for o in outs] if isinstance(out, list) else tj(out)
    x0 = first_tensor(margs)
    views = [shares(o, x0) for o in outs]
    c['is_view'] = views if isinstance(out, list) else views[0]
    gfs = [o.grad_fn.name() if o.grad_fn is not None else None for o in outs]
    c['grad_fn'] = gfs if isinstance(out, list) else gfs[0]
    float_outs = [o for o in outs if o.is_floating_point() and o.requires_grad]
    grad_leaves = [l for l, rg in leaves if rg]
    if float_outs and grad_leaves:
        loss = sum((o * weight(o.numel(), o.dtype).reshape(o.shape)).sum() for o in float_outs)
        gs = torch.autograd.grad(loss, grad_leaves, allow_unused=True)
        c['grads'] = [tj(g) if g is not None else None for g in gs]
    cases.append(c)
    return c


def short(a):
    if isinstance(a, Inp):
        s = 'x' + fmt(a.t.shape)
        if a.t.dtype != torch.float32:
            s += ':' + DT_OUT[a.t.dtype]
        if a.pre:
            s += '.' + '.'.join(p[0] + (str(p[1:]) if len(p) > 1 else '') for p in a.pre)
        return s
    if isinstance(a, Sl):
        s = a.s
        return f"{'' if s.start is None else s.start}:{'' if s.stop is None else s.stop}" + (
            '' if s.step is None else f':{s.step}')
    if a is Ellipsis:
        return '...'
    if isinstance(a, list):
        return '[' + ', '.join(short(v) for v in a) + ']'
    if isinstance(a, tuple):
        return '(' + ', '.join(short(v) for v in a) + ')'
    return repr(a)


E = Ellipsis


# ================================================================ SHAPE / VIEW
def shape_cases():
    S = 'shape'
    # view
    case(S, 'view', R(2, 3, 4), [6, 4])
    case(S, 'view', R(2, 3, 4), [-1])
    case(S, 'view', R(2, 3, 4), [4, -1])
    case(S, 'view', R(2, 3, 4), [2, -1, 2])
    case(S, 'view', R(6), [1, 6, 1])
    case(S, 'view', R(), [1])
    case(S, 'view', R(1), [])
    case(S, 'view', R(0, 3), [3, 0])
    case(S, 'view', R(0, 3), [-1, 3])
    case(S, 'view', R(2, 3, 4), [5, -1], error_match=['[5, -1]', '24'])
    case(S, 'view', R(2, 3), [-1, -1], error_match=['-1'])
    case(S, 'view', R(2, 3), [7], error_match=['[7]', '6'])
    case(S, 'view', R(3, 4, pre=[['t']]), [12], error_match=['[12]', '[4, 3]'])
    case(S, 'view', R(3, 4, pre=[['t']]), [2, 2, 3])
    case(S, 'view', R(3, 4, pre=[['t']]), [4, 3, 1])
    case(S, 'view', R(2, 3, 4, pre=[['transpose', 1, 2]]), [2, 12], error_match=['[2, 12]', '[2, 4, 3]'])
    case(S, 'view', R(2, 3, 4, pre=[['transpose', 1, 2]]), [2, 2, 2, 3])
    case(S, 'view', R(4, 6, pre=[['slice', 1, 0, 4, 1]]), [16], error_match=['[16]'])
    case(S, 'view', R(4, 6, pre=[['slice', 1, 0, 6, 2]]), [12])
    case(S, 'view', R(4, 6, pre=[['slice', 0, 0, 4, 2]]), [2, 3, 2])
    case(S, 'view', R(3, pre=[['expand', [2, 3]]]), [6], error_match=['[6]'])
    case(S, 'view', R(1, 3, pre=[['expand', [4, 3]]]), [4, 3, 1])
    case(S, 'view', R(2, 3, dtype='int32'), [3, 2])
    case(S, 'view', R(2, 3, dtype='float64'), [-1])
    # reshape
    case(S, 'reshape', R(2, 3, 4), [4, 6])
    case(S, 'reshape', R(2, 3, 4), [-1, 2])
    case(S, 'reshape', R(3, 4, pre=[['t']]), [12])
    case(S, 'reshape', R(3, 4, pre=[['t']]), [-1, 6])
    case(S, 'reshape', R(3, 4, pre=[['t']]), [2, 2, 3])
    case(S, 'reshape', R(2, 3, 4, pre=[['transpose', 0, 2]]), [4, 6])
    case(S, 'reshape', R(4, 6, pre=[['slice', 1, 1, 6, 2]]), [12])
    case(S, 'reshape', R(3, pre=[['expand', [2, 3]]]), [6])
    case(S, 'reshape', R(), [1, 1])
    case(S, 'reshape', R(2, 3), [4], error_match=['[4]', '6'])
    case(S, 'reshape', R(2, 3), [-1, 4], error_match=['[-1, 4]', '6'])
    case(S, 'reshape', R(2, 3, dtype='bool'), [6])
    # permute / transpose / t / T
    case(S, 'permute', R(2, 3, 4), [2, 0, 1])
    case(S, 'permute', R(2, 3, 4), [-1, -3, -2])
    case(S, 'permute', R(2, 3, 4), [0, 1, 2])
    case(S, 'permute', R(2, 3, 4, pre=[['transpose', 0, 1]]), [1, 2, 0])
    case(S, 'permute', R(2, 3), [0], error_match=['[0]'])
    case(S, 'permute', R(2, 3), [0, 0], error_match=['[0, 0]'])
    case(S, 'permute', R(2, 3, dtype='int32'), [1, 0])
    case(S, 'transpose', R(2, 3, 4), 0, 2)
    case(S, 'transpose', R(2, 3, 4), -1, -2)
    case(S, 'transpose', R(2, 3, 4), 1, 1)
    case(S, 'transpose', R(2, 3), 0, 2, error_match=['2'])
    case(S, 'transpose', R(), 0, -1)
    case(S, 't', R(2, 3))
    case(S, 't', R(3))
    case(S, 't', R())
    case(S, 't', R(2, 3, 4), error_match=['[2, 3, 4]'])
    case(S, 't', R(2, 3, pre=[['t']]))
    case(S, 'T', R(2, 3))
    case(S, 'T', R(4))
    case(S, 'T', R(2, 3, 4))
    # unsqueeze / squeeze
    for d in [0, 1, 2, -1, -3]:
        case(S, 'unsqueeze', R(2, 3), d)
    case(S, 'unsqueeze', R(2, 3), 3, error_match=['3'])
    case(S, 'unsqueeze', R(2, 3), -4, error_match=['-4'])
    case(S, 'unsqueeze', R(), 0)
    case(S, 'unsqueeze', R(3, 4, pre=[['t']]), 1)
    case(S, 'squeeze', R(1, 3, 1, 2))
    case(S, 'squeeze', R(1, 3, 1, 2), 0)
    case(S, 'squeeze', R(1, 3, 1, 2), 2)
    case(S, 'squeeze', R(1, 3, 1, 2), -2)
    case(S, 'squeeze', R(1, 3, 1, 2), 1)
    case(S, 'squeeze', R(1, 1))
    case(S, 'squeeze', R())
    case(S, 'squeeze', R(2, 3), 5, error_match=['5'])
    # expand / expand_as / broadcast_to
    case(S, 'expand', R(3, 1), [3, 4])
    case(S, 'expand', R(3, 1), [2, 3, 4])
    case(S, 'expand', R(3, 1), [-1, 4])
    case(S, 'expand', R(3, 1), [2, -1, 5])
    case(S, 'expand', R(), [2, 2])
    case(S, 'expand', R(3), [3])
    case(S, 'expand', R(3, 2), [3, 4], error_match=['[3, 2]', '[3, 4]'])
    case(S, 'expand', R(3, 1), [4], error_match=['[3, 1]', '[4]'])
    case(S, 'expand', R(3, 1), [-1, 3, 4], error_match=['-1'])
    case(S, 'expand', R(1, 3, pre=[['t']]), [3, 5])
    case(S, 'expand', R(2, 1, dtype='int32'), [2, 3])
    case(S, 'expand_as', R(3, 1), R(2, 3, 4, rg=False))
    case(S, 'expand_as', R(1), R(5, rg=False))
    case(S, 'expand_as', R(2), R(3, rg=False), error_match=['[2]', '[3]'])
    case(S, 'broadcast_to', R(3), [2, 3])
    case(S, 'broadcast_to', R(1, 3), [4, 2, 3])
    case(S, 'broadcast_to', R(2, 3), [3, 3], error_match=['[2, 3]', '[3, 3]'])
    # flatten / unflatten
    case(S, 'flatten', R(2, 3, 4))
    case(S, 'flatten', R(2, 3, 4), 1)
    case(S, 'flatten', R(2, 3, 4), 0, 1)
    case(S, 'flatten', R(2, 3, 4), -2, -1)
    case(S, 'flatten', R(2, 3, 4), 1, 1)
    case(S, 'flatten', R(5))
    case(S, 'flatten', R())
    case(S, 'flatten', R(2, 3, 4), 2, 1, error_match=['start_dim'])
    case(S, 'flatten', R(2, 3, 4, pre=[['transpose', 0, 2]]), 0, 1)
    case(S, 'flatten', R(2, 3, 4, pre=[['transpose', 0, 2]]), 1, 2)
    case(S, 'unflatten', R(2, 12), 1, [3, 4])
    case(S, 'unflatten', R(2, 12), -1, [2, -1, 3])
    case(S, 'unflatten', R(6, 2), 0, [2, 3])
    case(S, 'unflatten', R(2, 12), 1, [5, -1], error_match=['12'])
    # narrow / select
    case(S, 'narrow', R(4, 5), 0, 1, 2)
    case(S, 'narrow', R(4, 5), 1, -3, 2)
    case(S, 'narrow', R(4, 5), -1, 0, 5)
    case(S, 'narrow', R(4, 5), 1, 0, 0)
    case(S, 'narrow', R(4, 5), 0, 3, 2, error_match=['3', '2'])
    case(S, 'narrow', R(4, 5, pre=[['t']]), 0, 1, 3)
    case(S, 'select', R(4, 5), 0, 2)
    case(S, 'select', R(4, 5), 1, -1)
    case(S, 'select', R(4), 0, 3)
    case(S, 'select', R(4, 5), 0, 4, error_match=['4'])
    case(S, 'select', R(4, 5), 1, -6, error_match=['-6'])
    case(S, 'select', R(2, 3, 4, pre=[['transpose', 0, 2]]), 1, 1)
    # contiguous / clone
    case(S, 'contiguous', R(2, 3))
    case(S, 'contiguous', R(2, 3, pre=[['t']]))
    case(S, 'contiguous', R(2, 3, 4, pre=[['permute', [2, 0, 1]]]))
    case(S, 'contiguous', R(3, pre=[['expand', [2, 3]]]))
    case(S, 'clone', R(2, 3))
    case(S, 'clone', R(2, 3, pre=[['t']]))
    case(S, 'clone', R(2, 3, dtype='int32'))
    # flip
    case(S, 'flip', R(2, 3, 4), [0])
    case(S, 'flip', R(2, 3, 4), [-1, 0])
    case(S, 'flip', R(2, 3, 4), [0, 1, 2])
    case(S, 'flip', R(5), [0])
    case(S, 'flip', R(2, 3, pre=[['t']]), [1])
    case(S, 'flip', R(2, 3, dtype='int32'), [1])
    case(S, 'flip', R(2, 3), [0, 0], error_match=['0'])
    # repeat
    case(S, 'repeat', R(2, 3), [2, 1])
    case(S, 'repeat', R(2, 3), [1, 3])
    case(S, 'repeat', R(2, 3), [2, 2, 2])
    case(S, 'repeat', R(3), [4])
    case(S, 'repeat', R(3), [2, 2])
    case(S, 'repeat', R(), [3])
    case(S, 'repeat', R(2, 3), [0, 2])
    case(S, 'repeat', R(2, 3), [2], error_match=['2'])
    case(S, 'repeat', R(2, 3, pre=[['t']]), [2, 1])
    case(S, 'repeat', R(2, 2, dtype='int32'), [1, 2])
    # cat / stack
    case(S, 'cat', [R(2, 3), R(1, 3)])
    case(S, 'cat', [R(2, 3), R(2, 2)], 1)
    case(S, 'cat', [R(2, 3), R(2, 2)], -1)
    case(S, 'cat', [R(2, 3), R(2, 3), R(2, 3)], 0)
    case(S, 'cat', [R(2, 3)], 0)
    case(S, 'cat', [R(2, 3), R(0, 3)], 0)
    case(S, 'cat', [R(2, 3), R(0)], 0)
    case(S, 'cat', [R(0), R(2, 3)], 1)
    case(S, 'cat', [R(2, 3), R(2, 3, dtype='int32')], 0)
    case(S, 'cat', [R(2, dtype='int32'), R(2, dtype='float64')])
    case(S, 'cat', [R(2, dtype='int32'), R(3, dtype='int32')])
    case(S, 'cat', [R(2, dtype='bool'), R(2, dtype='int32')])
    case(S, 'cat', [R(2, 3), R(2, 3, rg=False)], 1)
    case(S, 'cat', [R(3, 2, pre=[['t']]), R(2, 1)], 1)
    case(S, 'cat', [R(2, 3), R(2, 2)], 0, error_match=['[2, 3]', '[2, 2]'])
    case(S, 'cat', [R(2, 3), R(3)], 0, error_match=['[2, 3]', '[3]'])
    case(S, 'cat', [R(2, 3), R(2, 3)], 2, error_match=['2'])
    case(S, 'cat', [R(), R()], 0, error_match=['zero-dim'])
    case(S, 'stack', [R(2, 3), R(2, 3)])
    case(S, 'stack', [R(2, 3), R(2, 3)], 1)
    case(S, 'stack', [R(2, 3), R(2, 3)], 2)
    case(S, 'stack', [R(2, 3), R(2, 3), R(2, 3)], -1)
    case(S, 'stack', [R(2, 3), R(2, 3)], -3)
    case(S, 'stack', [R(), R(), R()])
    case(S, 'stack', [R(3), R(3, dtype='int32')])
    case(S, 'stack', [R(2, 3), R(3, 2)], 0, error_match=['[2, 3]', '[3, 2]'])
    case(S, 'stack', [R(2, 3), R(2, 3)], 3, error_match=['3'])
    # split / chunk / unbind
    case(S, 'split', R(5, 2), 2)
    case(S, 'split', R(5, 2), 5)
    case(S, 'split', R(5, 2), 7)
    case(S, 'split', R(5, 2), 1, 1)
    case(S, 'split', R(5, 2), [1, 4])
    case(S, 'split', R(5, 2), [2, 0, 3])
    case(S, 'split', R(2, 6), [3, 3], -1)
    case(S, 'split', R(5, 2), [2, 2], error_match=['[2, 2]', '5'])
    case(S, 'split', R(2, 6, pre=[['t']]), 4, 0)
    case(S, 'chunk', R(5, 2), 2)
    case(S, 'chunk', R(5, 2), 3)
    case(S, 'chunk', R(6, 2), 3)
    case(S, 'chunk', R(6, 2), 4)
    case(S, 'chunk', R(2, 7), 3, 1)
    case(S, 'chunk', R(2, 2), 5)
    case(S, 'chunk', R(2, 2), 0, error_match=['0'])
    case(S, 'unbind', R(3, 2))
    case(S, 'unbind', R(3, 2), 1)
    case(S, 'unbind', R(2, 3, 4), -1)
    case(S, 'unbind', R(2, 3, dtype='int32'), 0)


# ================================================================ INDEXING
def indexing_cases():
    X = 'indexing'
    t = lambda: A(3, 4)  # noqa: E731
    # basic
    case(X, 'getitem', A(3, 4), [1, Sl(1, 3)], index_str='1, 1:3')
    case(X, 'getitem', A(3, 4), [1])
    case(X, 'getitem', A(3, 4), [-1])
    case(X, 'getitem', A(3, 4), [1, 2])
    case(X, 'getitem', A(3, 4), [-1, -1], index_str='-1, -1')
    case(X, 'getitem', A(3, 4), [Sl(), None], index_str=':, None')
    case(X, 'getitem', A(3, 4), [None])
    case(X, 'getitem', A(3, 4), [None, E, None], index_str='None, ..., None')
    case(X, 'getitem', A(2, 3, 4), [E, 0], index_str='..., 0')
    case(X, 'getitem', A(2, 3, 4), [E, Sl(1, None)])
    case(X, 'getitem', A(2, 3, 4), [0, E])
    case(X, 'getitem', A(2, 3, 4), [0, E, 1], index_str='0, ..., 1')
    case(X, 'getitem', A(2, 3, 4), [E])
    case(X, 'getitem', A(2, 3, 4), [Sl(), None, 1, None], index_str=':, None, 1, None')
    case(X, 'getitem', A(10), [Sl(None, None, 2)], index_str='::2')
    case(X, 'getitem', A(10), [Sl(1, None, 3)])
    case(X, 'getitem', A(10), [Sl(-3, None)], index_str='-3:')
    case(X, 'getitem', A(10), [Sl(None, -3)], index_str=':-3')
    case(X, 'getitem', A(10), [Sl(-100, 100)], index_str='-100:100')
    case(X, 'getitem', A(10), [Sl(5, 2)])
    case(X, 'getitem', A(10), [Sl(20, 30)])
    case(X, 'getitem', A(10), [Sl(-2, -5)])
    case(X, 'getitem', A(10), [Sl(2, 9, 4)])
    case(X, 'getitem', A(4, 6), [Sl(1, None, 2), Sl(None, None, 3)], index_str='1::2, ::3')
    case(X, 'getitem', A(4, 6), [Sl(None, None, -1)], error_match=['step'])
    case(X, 'getitem', A(4, 6, pre=[['t']]), [Sl(1, 4), 2])
    case(X, 'getitem', A(3, 4), [3], error_match=['3'])
    case(X, 'getitem', A(3, 4), [0, -5], error_match=['-5'])
    case(X, 'getitem', A(3, 4), [0, 0, 0], error_match=['too many'])
    case(X, 'getitem', A(3, 4), [E, 0, E])
    case(X, 'getitem', A(2, 3), [B(True)])
    case(X, 'getitem', A(2, 3), [B(False)])
    case(X, 'getitem', A(2, 3), [0, B(True)])
    case(X, 'getitem', A(), [None])
    case(X, 'getitem', A(), [E])
    # integer-array indexing
    case(X, 'getitem', A(5, 3), [I([0, 2, 4])])
    case(X, 'getitem', A(5, 3), [I([4, 4, 0])])
    case(X, 'getitem', A(5, 3), [I([-1, -5])])
    case(X, 'getitem', A(5, 3), [I([[0, 1], [2, 3]])])
    case(X, 'getitem', A(5, 3), [I(2)])
    case(X, 'getitem', A(5, 3), [[0, 2]])
    case(X, 'getitem', A(5, 3), [Sl(), I([2, 0])])
    case(X, 'getitem', A(5, 3), [I([0, 1, 2]), I([2, 1, 0])])
    case(X, 'getitem', A(5, 3), [I([[0], [4]]), I([0, 2])])
    case(X, 'getitem', A(5, 3), [I([1, 3]), 1])
    case(X, 'getitem', A(5, 3), [I([1, 3]), Sl(0, 2)])
    case(X, 'getitem', A(2, 3, 4), [I([0, 1]), I([1, 2])])
    case(X, 'getitem', A(2, 3, 4), [Sl(), I([0, 2]), I([1, 3])])
    case(X, 'getitem', A(2, 3, 4), [I([0, 1]), Sl(), I([1, 3])])
    case(X, 'getitem', A(2, 3, 4), [I([[0], [1]]), Sl(), I([1, 3, 2])])
    case(X, 'getitem', A(2, 3, 4), [0, Sl(), I([1, 3])])
    case(X, 'getitem', A(2, 3, 4), [I([1, 0]), 0, I([1, 3])])
    case(X, 'getitem', A(2, 3, 4), [Sl(), 1, I([1, 3])])
    case(X, 'getitem', A(2, 3, 4), [E, I([3, 0])])
    case(X, 'getitem', A(2, 3, 4), [None, I([1]), Sl(), I([0])])
    case(X, 'getitem', A(2, 3, 4), [I([0, 1]), None, I([1, 2])])
    case(X, 'getitem', A(2, 3, 4, pre=[['transpose', 0, 2]]), [I([3, 1]), Sl(1, 3)])
    case(X, 'getitem', R(3, pre=[['expand', [4, 3]]]), [I([0, 0, 3]), I([1, 2, 2])])
    case(X, 'getitem', R(4, 1, pre=[['expand', [4, 5]]]), [Sl(), I([4, 0, 4])])
    case(X, 'getitem', R(2, 3, pre=[['t']]), [B([True, False, True]), I([1, 0])])
    case(X, 'getitem', A(5, 3), [I([5])], error_match=['5'])
    case(X, 'getitem', A(5, 3), [Sl(), I([-4])], error_match=['-4'])
    case(X, 'getitem', A(5, 3), [I([0, 1]), I([0, 1, 2])], error_match=['[2]', '[3]'])
    case(X, 'getitem', A(5, 3), [F([0.0, 1.0])], error_match=['float'])
    case(X, 'getitem', A(5, 3), [I([], dtype='int32')])
    # the book: sm_acts[range(6), targ]
    sm = R(6, 2).t.softmax(-1)
    case(X, 'getitem', Inp(sm), [list(range(6)), I([0, 1, 0, 1, 1, 0])], name='sm_acts[range(6), targ]')
    case(X, 'getitem', Inp(sm), [I(list(range(6))), I([1, 1, 0, 0, 1, 0])], name='sm_acts[arange(6), targ]')
    # boolean masks
    case(X, 'getitem', A(5), [B([True, False, True, False, True])])
    case(X, 'getitem', A(5), [[True, False, True, False, True]])
    case(X, 'getitem', A(5), [B([False] * 5)])
    case(X, 'getitem', A(3, 4), [B([True, False, True])])
    case(X, 'getitem', A(3, 4), [Sl(), B([True, False, True, True])])
    case(X, 'getitem', A(3, 4), [B([[True, False, True, False], [False, False, True, True], [True, True, False, False]])])
    case(X, 'getitem', A(2, 3, 4), [B([[True, False, True], [False, True, True]])])
    case(X, 'getitem', A(2, 3, 4), [B([[True, False, True], [False, True, True]]), Sl(1, 3)])
    case(X, 'getitem', A(2, 3, 4), [Sl(), B([[True, False, True, False], [False, True, True, True], [True, False, False, False]])])
    case(X, 'getitem', A(2, 3, 4), [B([True, False]), 1])
    case(X, 'getitem', A(2, 3, 4), [B([True, True]), I([0, 2])])
    case(X, 'getitem', A(2, 3, 4), [E, B([True, False, False, True])])
    case(X, 'getitem', A(3, 4), [B([True, False])], error_match=['[2]', '[3]'])
    case(X, 'getitem', A(3, 4), [B([[True, False], [False, True]])], error_match=['[2, 2]', '[3, 4]'])
    xm = A(3, 4)
    case(X, 'getitem', xm, [Inp(xm.t > 5, rg=False)], name='x[x > 5]')
    # int dtypes
    case(X, 'getitem', A(3, 4, dtype='int32'), [I([2, 0]), Sl(1, None)])
    case(X, 'getitem', A(3, 4, dtype='int32'), [B([True, False, True])])
    case(X, 'getitem', R(3, 4, dtype='bool'), [1])
    case(X, 'getitem', R(3, 4, dtype='float64'), [I([1, 1]), I([0, 3])])

    # setitem
    case(X, 'setitem', R(3, 4), [0], 5.0)
    case(X, 'setitem', R(3, 4), [Sl(), 1], -1.0)
    case(X, 'setitem', R(3, 4), [Sl(1, None), Sl(None, None, 2)], 0.5)
    case(X, 'setitem', R(3, 4), [E, -1], 2.0)
    case(X, 'setitem', R(3, 4), [1], R(4))
    case(X, 'setitem', R(3, 4), [Sl(0, 2)], R(4))
    case(X, 'setitem', R(3, 4), [Sl(0, 2)], R(2, 1))
    case(X, 'setitem', R(3, 4), [Sl(), Sl(1, 3)], R(3, 2))
    case(X, 'setitem', R(3, 4), [Sl(), Sl(1, 3)], R(3, 2, rg=False))
    case(X, 'setitem', R(3, 4), [0], R(3), error_match=['[3]', '[4]'])
    case(X, 'setitem', R(3, 4), [B([True, False, True])], 0.0)
    case(X, 'setitem', R(3, 4), [B([True, False, True])], R(4))
    case(X, 'setitem', R(3, 4), [Sl(), B([True, False, True, True])], R(3, 1))
    xs = R(3, 4)
    case(X, 'setitem', xs, [Inp(xs.t > 0, rg=False)], 0.0, name='x[x > 0] = 0')
    case(X, 'setitem', R(3, 4), [I([0, 2])], 1.5)
    case(X, 'setitem', R(3, 4), [I([0, 2]), I([1, 3])], R(2))
    case(X, 'setitem', R(3, 4), [I([0, 2]), I([1, 3])], 7.0)
    case(X, 'setitem', R(3, 4), [Sl(), I([3, 0])], R(3, 2))
    case(X, 'setitem', R(3, 4), [I([-1]), Sl(None, 2)], R(2))
    case(X, 'setitem', R(2, 3, 4), [I([0, 1]), Sl(), I([1, 2])], R(2, 3))
    case(X, 'setitem', R(2, 3, 4), [Sl(), I([0, 2]), I([1, 2])], R(2, 2))
    case(X, 'setitem', R(3, 4), [I([3])], 0.0, error_match=['3'])
    case(X, 'setitem', R(3, 4, dtype='int32'), [1, Sl(1, 3)], 9)
    case(X, 'setitem', R(3, 4, dtype='int32'), [I([0, 2])], 9)
    case(X, 'setitem', R(3, 4, dtype='int32'), [0], 2.7)
    case(X, 'setitem', R(3, 4, dtype='int32'), [0], F([1.5, 2.5, -3.5, 4.9]))
    case(X, 'setitem', R(3, 4, dtype='bool'), [Sl(), 0], True)
    case(X, 'setitem', R(3, 4, dtype='float64'), [B([False, True, True]), 1], 3.25)
    case(X, 'setitem', R(4, 3, pre=[['t']]), [0, Sl(1, None)], 4.0)
    case(X, 'setitem', R(4, 3, pre=[['t']]), [I([1, 2])], R(2, 4))

    # gather / scatter / scatter_add / index_select / masked_fill / nonzero
    case(X, 'gather', R(3, 4), 1, I([[0, 1], [3, 3], [2, 0]]))
    case(X, 'gather', R(3, 4), 0, I([[0, 1, 2, 0], [2, 2, 1, 0]]))
    case(X, 'gather', R(3, 4), -1, I([[1], [2], [3]]))
    case(X, 'gather', R(3, 4), 1, I([[0, 4], [0, 0], [0, 0]]), error_match=['4'])
    case(X, 'gather', R(3, 4), 1, I([0, 1]), error_match=['[2]', '[3, 4]'])
    case(X, 'gather', R(3, 4, dtype='int32'), 1, I([[0], [1], [2]]))
    case(X, 'gather', R(4, 3, pre=[['t']]), 1, I([[3, 0], [1, 1], [0, 2]]))
    case(X, 'scatter', R(3, 4), 1, I([[0, 1], [3, 2], [2, 0]]), R(3, 2))
    case(X, 'scatter', R(3, 4), 0, I([[0, 1, 2, 0]]), R(1, 4))
    case(X, 'scatter', R(3, 4), 1, I([[0], [3], [2]]), 9.5)
    case(X, 'scatter', R(3, 4), 1, I([[0, 1], [3, 2], [2, 0]]), R(3, 3, rg=False))
    case(X, 'scatter', R(3, 4, dtype='int32'), 1, I([[0], [3], [2]]), 7)
    case(X, 'scatter_add', R(3, 4), 1, I([[0, 1], [3, 3], [2, 0]]), R(3, 2))
    case(X, 'scatter_add', R(3, 4), 0, I([[0, 0, 0, 0], [0, 2, 1, 0]]), R(2, 4))
    case(X, 'scatter_add', R(3, 4), 0, I([[0, 0, 0, 0], [0, 2, 1, 0]]), R(3, 4, rg=False))
    case(X, 'scatter_add', Inp(torch.zeros(5)), 0, I([0, 1, 0, 4, 4, 4]), R(6))
    case(X, 'scatter_add', R(3, 4, dtype='int32'), 1, I([[1], [1], [1]]), R(3, 1, dtype='int32'))
    case(X, 'index_select', R(4, 3), 0, I([3, 0, 0]))
    case(X, 'index_select', R(4, 3), 1, I([2, 1]))
    case(X, 'index_select', R(4, 3), -1, I([], dtype='int32'))
    case(X, 'index_select', R(4, 3), 0, I([4]), error_match=['4'])
    case(X, 'index_select', R(4, 3), 0, I([[0, 1]]), error_match=['[1, 2]'])
    case(X, 'index_select', R(4, 3, dtype='int32'), 0, I([1, 1]))
    case(X, 'index_select', R(3, 4, pre=[['t']]), 0, I([3, 1]))
    case(X, 'masked_fill', R(3, 4), B([[True, False, True, False]] * 3), -1.0)
    case(X, 'masked_fill', R(3, 4), B([[True], [False], [True]]), 0.0)
    case(X, 'masked_fill', R(3, 4), B(True), 2.0)
    case(X, 'masked_fill', R(3, 4), B([True, False, True]), 0.0, error_match=['[3]', '[3, 4]'])
    case(X, 'masked_fill', R(3, 4), I([1, 0, 1, 0]), 0.0)
    case(X, 'masked_fill', R(3, 4, dtype='int32'), B([False, True, True, False]), 5)
    case(X, 'masked_fill', R(3, 4), B([False, True, True, False]), float('-inf'))
    case(X, 'masked_fill', R(3, 4), B([False, True, True, False]), R())
    case(X, 'masked_fill', R(3, 1), B([[True, False, True, False]] * 3), 0.5)
    case(X, 'masked_fill', R(3, 4), B([False, True, True, False]), R(2), error_match=['[2]'])
    case(X, 'nonzero', F([0.0, 1.5, 0.0, -2.0]))
    case(X, 'nonzero', F([[0.0, 1.0], [2.0, 0.0], [0.0, 0.0]]))
    case(X, 'nonzero', B([[True, False, True], [False, False, True]]))
    case(X, 'nonzero', I([[0, 3], [4, 0]]))
    case(X, 'nonzero', F([0.0, 0.0]))
    case(X, 'nonzero', F(5.0))
    case(X, 'nonzero', R(2, 3, 2))


# ================================================================ CREATION
def creation_cases():
    C = 'creation'
    case(C, 'arange', 5)
    case(C, 'arange', 0)
    case(C, 'arange', 2, 7)
    case(C, 'arange', 1, 10, 3)
    case(C, 'arange', 10, 0, -3)
    case(C, 'arange', 0, -5, -1)
    case(C, 'arange', 0, 1, 0.1)
    case(C, 'arange', 1, 2.5, 0.5)
    case(C, 'arange', -1.5, 1.0, 0.25)
    case(C, 'arange', 1.0, 0.0, -0.3)
    case(C, 'arange', 0.5)
    case(C, 'arange', 5, dtype='float32')
    case(C, 'arange', 0, 3, 0.5, dtype='float64')
    case(C, 'arange', 5, dtype='uint8')
    # long enough for torch's vectorised kernels (their bits differ from element-by-element)
    case(C, 'arange', 0, 5, 0.1)
    case(C, 'arange', -1.5, 10, 0.37)
    case(C, 'arange', 1, 0, -0.013)
    case(C, 'arange', 0.3, 100, 0.7, dtype='float64')
    case(C, 'arange', 0, 1, 0.001, dtype='float64')
    case(C, 'arange', -7, 50, 3)
    case(C, 'arange', 0, 5, -1, error_match=['step'])
    case(C, 'arange', 0, 5, 0, error_match=['step'])
    case(C, 'linspace', 0, 1, 5)
    case(C, 'linspace', -1, 1, 1)
    case(C, 'linspace', 3, 7, 1)
    case(C, 'linspace', 0, 1, 0)
    case(C, 'linspace', 0, 1, 2)
    case(C, 'linspace', 0, 10, 11)
    case(C, 'linspace', 1, 0, 4)
    case(C, 'linspace', 0, 1, 7)
    case(C, 'linspace', -3.3, 2.7, 13)
    case(C, 'linspace', 0.1, 0.9, 9)
    case(C, 'linspace', 0, 1, 100)
    case(C, 'linspace', 0, 10, 6, dtype='float64')
    case(C, 'linspace', 0, 10, 4, dtype='int32')
    case(C, 'linspace', 0, 1, 1000)
    case(C, 'linspace', -5, 7.3, 77)
    case(C, 'linspace', 3, -2.2, 64)
    case(C, 'linspace', 0.123, 9.87, 333)
    case(C, 'linspace', -1, 1, 999, dtype='float64')
    case(C, 'linspace', 0.1, 0.9, 17, dtype='float64')
    case(C, 'linspace', 0, 7, 100, dtype='int32')
    case(C, 'linspace', 10, 0, 41, dtype='int32')
    case(C, 'linspace', 0, 1, -1, error_match=['steps'])
    case(C, 'eye', 3)
    case(C, 'eye', 2, 4)
    case(C, 'eye', 4, 2)
    case(C, 'eye', 0)
    case(C, 'eye', 3, dtype='int32')
    case(C, 'eye', 2, dtype='bool')
    case(C, 'full', [2, 3], 7)
    case(C, 'full', [2, 3], 1.5)
    case(C, 'full', [2], True)
    case(C, 'full', [], 4.25)
    case(C, 'full', [2, 2], 3, dtype='float32')
    case(C, 'full', [2, 2], 3.7, dtype='int32')
    case(C, 'full', [3], float('nan'))
    case(C, 'full', [3], float('-inf'))
    case(C, 'full', [0, 2], 1)
    case(C, 'zeros', [2, 3])
    case(C, 'zeros', [2, 3], dtype='int32')
    case(C, 'zeros', [], dtype='float64')
    case(C, 'zeros', [3], dtype='bool')
    case(C, 'ones', [2, 3])
    case(C, 'ones', [4], dtype='uint8')
    case(C, 'ones', [2, 0])
    case(C, 'tensor', [1, 2, 3])
    case(C, 'tensor', [1.5, 2, 3])
    case(C, 'tensor', [[1, 2], [3, 4]])
    case(C, 'tensor', [[1.25, -2], [3, 4.5]])
    case(C, 'tensor', [True, False, True])
    case(C, 'tensor', [True, 2])
    case(C, 'tensor', [])
    case(C, 'tensor', [[], []])
    case(C, 'tensor', 3)
    case(C, 'tensor', 2.5)
    case(C, 'tensor', False)
    case(C, 'tensor', [1, 2], dtype='float32')
    case(C, 'tensor', [1.7, -2.7], dtype='int32')
    case(C, 'tensor', [0, 2, 0], dtype='bool')
    case(C, 'tensor', [1.5, 2.5], dtype='float64')
    case(C, 'tensor', [[1, 2], [3]], error_match=['length'])
    case(C, 'tensor', [1.0, 2.0], name='tensor([1.0, 2.0]) (float literals)')


# ================================================================ LINALG
def linalg_cases():
    L = 'linalg'
    case(L, 'matmul', R(3), R(3))
    case(L, 'matmul', R(2, 3), R(3))
    case(L, 'matmul', R(3), R(3, 4))
    case(L, 'matmul', R(2, 3), R(3, 4))
    case(L, 'matmul', R(2, 3), R(3, 4, rg=False))
    case(L, 'matmul', R(1, 1), R(1, 1))
    case(L, 'matmul', R(5, 2, 3), R(5, 3, 4))
    case(L, 'matmul', R(5, 2, 3), R(3, 4))
    case(L, 'matmul', R(2, 3), R(5, 3, 4))
    case(L, 'matmul', R(5, 2, 3), R(3))
    case(L, 'matmul', R(3), R(5, 3, 4))
    case(L, 'matmul', R(2, 1, 2, 3), R(4, 3, 2))
    case(L, 'matmul', R(1, 2, 3), R(4, 3, 2))
    case(L, 'matmul', R(3, 1, 2, 3), R(1, 4, 3, 5))
    case(L, 'matmul', R(3, 2, pre=[['t']]), R(4, 3, pre=[['t']]))
    case(L, 'matmul', R(2, 4, 3, pre=[['transpose', 1, 2]]), R(2, 4, 5, pre=[['slice', 2, 0, 5, 2]]))
    case(L, 'matmul', R(2, 3, dtype='float64'), R(3, 2, dtype='float64'))
    case(L, 'matmul', R(2, 3), R(3, 2, dtype='float64'))
    case(L, 'matmul', A(2, 3, dtype='int32'), A(3, 2, dtype='int32'))
    case(L, 'matmul', A(3, dtype='int32'), A(3, dtype='int32'))
    case(L, 'matmul', A(2, 3, dtype='int32'), R(3, 2), error_match=['int32', 'float32'],
         note='torch: expected scalar type Long but found Float')
    case(L, 'matmul', R(0, 3), R(3, 2))
    case(L, 'matmul', R(2, 2, dtype='bool'), R(2, 2, dtype='bool'), error_match=['bool'])
    case(L, 'matmul', R(1, 3), R(4, 3, 5))
    case(L, 'matmul', R(2, 3), R(4, 3, 1))
    case(L, 'matmul', R(4, 2, 3), R(3, 1))
    case(L, 'matmul', R(2, 0), R(0, 3))
    case(L, 'matmul', R(3), R(4), error_match=['[3]', '[4]'])
    case(L, 'matmul', R(2, 3), R(4, 5), error_match=['[2, 3]', '[4, 5]'])
    case(L, 'matmul', R(2, 3), R(4), error_match=['[2, 3]', '[4]'])
    case(L, 'matmul', R(4), R(2, 3), error_match=['[4]', '[2, 3]'])
    case(L, 'matmul', R(2, 2, 3), R(3, 3, 4), error_match=['[2, 2, 3]', '[3, 3, 4]'])
    case(L, 'matmul', R(5, 2, 3), R(5, 4, 4), error_match=['[5, 2, 3]', '[5, 4, 4]'])
    case(L, 'matmul', R(), R(3), error_match=['[]', '[3]'])
    case(L, 'mm', R(2, 3), R(3, 4))
    case(L, 'mm', R(2, 3), R(3), error_match=['[2, 3]', '[3]'])
    case(L, 'mm', R(2, 3), R(2, 3), error_match=['[2, 3]'])
    case(L, 'bmm', R(2, 2, 3), R(2, 3, 4))
    case(L, 'bmm', R(2, 2, 3), R(3, 4), error_match=['[2, 2, 3]', '[3, 4]'])
    case(L, 'bmm', R(2, 2, 3), R(3, 3, 4), error_match=['[2, 2, 3]', '[3, 3, 4]'])
    case(L, 'bmm', R(2, 2, 3), R(2, 4, 4), error_match=['[2, 2, 3]', '[2, 4, 4]'])
    case(L, 'dot', R(4), R(4))
    case(L, 'dot', R(4), R(3), error_match=['[4]', '[3]'])
    case(L, 'dot', R(2, 2), R(4), error_match=['[2, 2]'])
    case(L, 'mv', R(2, 4), R(4))
    case(L, 'mv', R(2, 4), R(3), error_match=['[2, 4]', '[3]'])
    case(L, 'mv', R(4), R(4), error_match=['[4]'])

    # conv2d
    case(L, 'conv2d', R(1, 1, 5, 5), R(1, 1, 3, 3))
    case(L, 'conv2d', R(2, 3, 6, 5), R(4, 3, 3, 2), R(4))
    case(L, 'conv2d', R(2, 3, 7, 7), R(2, 3, 3, 3), R(2), stride=2)
    case(L, 'conv2d', R(1, 2, 5, 6), R(3, 2, 3, 3), None, stride=(2, 1), padding=1)
    case(L, 'conv2d', R(1, 2, 5, 6), R(3, 2, 3, 3), R(3), padding=(2, 0))
    case(L, 'conv2d', R(1, 1, 7, 7), R(2, 1, 3, 3), None, dilation=2)
    case(L, 'conv2d', R(1, 2, 8, 7), R(2, 2, 2, 3), R(2), stride=2, padding=1, dilation=(2, 1))
    case(L, 'conv2d', R(2, 4, 5, 5), R(4, 2, 3, 3), R(4), groups=2)
    case(L, 'conv2d', R(1, 4, 5, 5), R(8, 1, 3, 3), None, groups=4, padding=1)
    case(L, 'conv2d', R(1, 6, 4, 4), R(3, 2, 1, 1), R(3), groups=3)
    case(L, 'conv2d', R(3, 5, 5), R(2, 3, 3, 3), R(2))
    case(L, 'conv2d', R(3, 5, 5), R(2, 3, 3, 3), None, padding=1, stride=2)
    case(L, 'conv2d', R(1, 1, 4, 4), R(1, 1, 4, 4))
    case(L, 'conv2d', R(1, 1, 3, 3), R(1, 1, 1, 1), R(1))
    case(L, 'conv2d', R(1, 2, 5, 5, dtype='float64'), R(3, 2, 3, 3, dtype='float64'), R(3, dtype='float64'), padding=1)
    case(L, 'conv2d', R(1, 3, 5, 5), R(2, 3, 3, 3, rg=False), R(2, rg=False))
    case(L, 'conv2d', R(1, 3, 5, 5, rg=False), R(2, 3, 3, 3), R(2))
    case(L, 'conv2d', R(1, 3, 5, 4, pre=[['transpose', 2, 3]]), R(2, 3, 3, 3), R(2))
    case(L, 'conv2d', R(1, 2, 5, 5), R(2, 3, 3, 3), error_match=['[2, 3, 3, 3]', '[1, 2, 5, 5]'])
    case(L, 'conv2d', R(1, 1, 2, 2), R(1, 1, 3, 3), error_match=['[1, 1, 2, 2]'])
    case(L, 'conv2d', R(1, 4, 5, 5), R(4, 3, 3, 3), None, groups=2, error_match=['[4, 3, 3, 3]'])
    case(L, 'conv2d', R(1, 1, 5, 5), R(1, 1, 3), error_match=['[1, 1, 3]'])
    case(L, 'conv2d', R(5, 5), R(1, 1, 3, 3), error_match=['[5, 5]'])
    case(L, 'conv2d', R(1, 1, 5, 5), R(2, 1, 3, 3), R(3), error_match=['[3]'])
    case(L, 'conv2d', R(1, 1, 5, 5), R(1, 1, 3, 3, dtype='float64'), error_match=['float32', 'float64'])
    case(L, 'conv2d', R(1, 1, 5, 5), R(1, 1, 3, 3), None, stride=0, error_match=['stride'])
    case(L, 'conv2d', R(1, 1, 5, 5), R(1, 1, 3, 3), None, padding=-1, error_match=['padding'])
    case(L, 'conv2d', R(1, 1, 5, 5), R(1, 1, 3, 3), None, dilation=0, error_match=['dilation'])
    case(L, 'conv2d', R(1, 2, 5, 5), R(2, 1, 3, 3), None, groups=0, error_match=['groups'])
    case(L, 'conv2d', R(1, 1, 5, 5), R(1, 1, 3, 3), R(1, dtype='float64'), error_match=['float32', 'float64'])
    case(L, 'conv2d', R(1, 1, 5, 5, dtype='int32'), R(1, 1, 3, 3, dtype='int32'))
    case(L, 'conv2d', R(1, 2, 5, 5, dtype='int32'), R(2, 2, 3, 3, dtype='int32'), R(2, dtype='int32'), padding=1)
    case(L, 'conv2d', R(1, 1, 5, 5, dtype='bool'), R(1, 1, 3, 3, dtype='bool'), error_match=['bool'])
    # the book's edge kernels on a synthetic 28x28 "digit": a bright bar from row 5 down
    img = torch.zeros(28, 28)
    img[6:22, 5:10] = 254.0
    img[10:14, 10:18] = 128.0
    # rows 4..6, cols 6..8: [[0,0,0],[0,0,0],[254,254,254]] -> top edge = 762
    top = torch.tensor([[-1.0, -1.0, -1.0], [0.0, 0.0, 0.0], [1.0, 1.0, 1.0]])
    left = torch.tensor([[-1.0, 1.0, 0.0], [-1.0, 1.0, 0.0], [-1.0, 1.0, 0.0]])
    assert float((img[4:7, 6:9] * top).sum()) == 762.0
    case(L, 'conv2d', Inp(img[None, None], rg=False), Inp(top[None, None], rg=False), name='book top-edge kernel (762 at rows 4..6, cols 6..8)')
    case(L, 'conv2d', Inp(img[None, None], rg=False), Inp(left[None, None], rg=False), name='book left-edge kernel')
    edges = torch.stack([top, top.t(), left, left.flip(1)])[:, None]
    case(L, 'conv2d', Inp(img[None, None].expand(2, 1, 28, 28).contiguous(), rg=False), Inp(edges), name='book 4 edge kernels, batch 2')
    case(L, 'conv2d', Inp(img[None, None], rg=False), Inp(edges), stride=2, padding=1, name='book edge kernels stride 2 padding 1')


# ================================================================ SORT
def sort_cases():
    S = 'sort'
    case(S, 'sort', R(6))
    case(S, 'sort', R(6), descending=True)
    case(S, 'sort', R(3, 5), 0)
    case(S, 'sort', R(3, 5), 1, descending=True)
    case(S, 'sort', R(2, 3, 4), -2)
    case(S, 'sort', R(4, 3, pre=[['t']]), 1)
    case(S, 'sort', F([3.0, 1.0, 2.0, 1.0, 3.0, 1.0]), stable=True)
    case(S, 'sort', F([3.0, 1.0, 2.0, 1.0, 3.0, 1.0]), descending=True, stable=True)
    case(S, 'sort', F([1.0, float('nan'), -1.0, float('nan'), 0.0]))
    case(S, 'sort', F([1.0, float('nan'), -1.0, float('nan'), 0.0]), descending=True)
    case(S, 'sort', F([1.0, float('inf'), float('-inf'), float('nan'), 0.0]))
    case(S, 'sort', I([5, -2, 7, 0, -2]))
    case(S, 'sort', I([5, -2, 7, 0, -2]), descending=True, stable=True)
    case(S, 'sort', B([True, False, True, False]), stable=True)
    case(S, 'sort', R())
    case(S, 'sort', R(0))
    case(S, 'sort', R(3, 5, dtype='float64'), 0)
    case(S, 'sort', R(3), 1, error_match=['1'])
    case(S, 'argsort', R(7))
    case(S, 'argsort', R(3, 4), 0)
    case(S, 'argsort', R(3, 4), descending=True)
    case(S, 'argsort', I([2, 2, 1, 1, 3]), stable=True)
    case(S, 'argsort', F([float('nan'), 2.0, -1.0]))
    case(S, 'topk', R(8), 3)
    case(S, 'topk', R(8), 3, largest=False)
    case(S, 'topk', R(8), 8)
    case(S, 'topk', R(8), 0)
    case(S, 'topk', R(3, 6), 2)
    case(S, 'topk', R(3, 6), 2, dim=0)
    case(S, 'topk', R(3, 6), 1, dim=-2, largest=False)
    case(S, 'topk', R(2, 3, 4), 2, dim=1)
    case(S, 'topk', F([1.0, float('nan'), 3.0, 2.0]), 2)
    case(S, 'topk', F([1.0, float('nan'), 3.0, 2.0]), 2, largest=False)
    case(S, 'topk', I([4, 1, 9, 7]), 2)
    case(S, 'topk', R(6, 4, pre=[['t']]), 3, dim=1)
    case(S, 'topk', R(5), 6, error_match=['6'])
    case(S, 'topk', R(5, dtype='float64'), 2)


shape_cases()
indexing_cases()
creation_cases()
linalg_cases()
sort_cases()

out_path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'golden', 'ops_shape.json')
fam = {}
for c in cases:
    fam[c['family']] = fam.get(c['family'], 0) + 1
write_cases(os.path.normpath(out_path), cases, {'families': fam})
