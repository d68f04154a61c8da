#!/usr/bin/env python3
"""Golden cases for the elementwise and reduction op families (src/ops/elementwise.ts, src/ops/reduce.ts).

Run with /usr/bin/python3 tools/golden/ops_elementwise.py (Debian python3-torch 1.13); writes
test/golden/ops_elementwise.json, read by test/ops/elementwise.test.ts and test/ops/reduce.test.ts.

A case: {family, name, op, args, kwargs, out, error, grads, grad_fn, weight, ...}
- family: 'elementwise' | 'reduce' | 'book'.
- op: a torch name ('add', 'add_', '__rsub__', 'sum', ...); the TS tests map it to a fastgrad call.
- args: tensors (common.tensor_json plus "requires_grad": true for leaves, and "view": a list of steps
  applied to the leaf before the op: ["t"], ["transpose", d0, d1], ["permute", dims], ["slice", dim,
  start, end, step], ["expand", shape], ["unsqueeze", d], ["clone"]) or Python scalars (numbers, bools,
  "nan"/"inf"/"-inf"). Float scalars are never integer-valued: JSON (and JS) cannot tell 2.0 from 2.
- kwargs: options by torch name (dim, keepdim, alpha, rounding_mode, min, max, correction, unbiased, p,
  dtype as a dtype name).
- out: the result tensor, a list [values, indices] for max/min with dim, null when torch raises.
- error: torch's message (first line) when it raises; match: substrings fastgrad's message must contain.
- grads: when an input requires grad and the output has a grad_fn: per arg, the gradient of
  (out * weight).sum() w.r.t. that leaf (null for other args); weight is a fixed random tensor.
- base_after: for in-place ops on a view, the leaf's values after the op (the write must show through).
- skip: a reason, where fastgrad deliberately differs from torch (the test lists it as skipped).
- tol: {atol, rtol} where the default float32 tolerance does not fit.
"""
import os
import warnings

from common import enc, tensor_json, torch, write_cases

warnings.simplefilter('ignore')
nan, inf = float('nan'), float('inf')
f32, f64, i64, u8, bl = torch.float32, torch.float64, torch.int64, torch.uint8, torch.bool
DT = {'float32': f32, 'float64': f64, 'int32': i64, 'uint8': u8, 'bool': bl}

g = torch.Generator().manual_seed(20240611)
gw = torch.Generator().manual_seed(7)


def _shape(shape):
    return tuple(shape[0]) if len(shape) == 1 and isinstance(shape[0], tuple) else tuple(shape)


def rn(*shape, scale=1.0, dtype=f32):
    return (torch.randn(_shape(shape), generator=g, dtype=f64) * scale).to(dtype)


def ri(lo, hi, *shape, dtype=i64):
    return torch.randint(lo, hi, _shape(shape), generator=g, dtype=i64).to(dtype)


class A:
    """A tensor argument: leaf values, requires_grad, and view steps applied to the leaf before the op."""

    def __init__(self, data, dtype=None, rg=False, view=()):
        t = data if isinstance(data, torch.Tensor) else torch.tensor(data, dtype=dtype)
        self.base = t.to(dtype) if dtype is not None else t
        self.rg = rg
        self.view = [list(s) for s in view]

    def make(self):
        b = self.base.clone().requires_grad_(self.rg)
        return b, apply_view(b, self.view)

    def json(self):
        j = tensor_json(self.base)
        if self.rg:
            j['requires_grad'] = True
        if self.view:
            j['view'] = self.view
        return j

    def desc(self):
        s = f"{tensor_json(self.base)['dtype']}{list(self.base.shape)}"
        return s + ''.join(f'.{v[0]}' for v in self.view)


def apply_view(t, steps):
    for s in steps:
        k, p = s[0], s[1:]
        if k == 't':
            t = t.t()
        elif k == 'transpose':
            t = t.transpose(p[0], p[1])
        elif k == 'permute':
            t = t.permute(*p[0])
        elif k == 'slice':
            dim, start, end, step = p
            t = t[(slice(None),) * dim + (slice(start, end, step),)]
        elif k == 'expand':
            t = t.expand(*p[0])
        elif k == 'unsqueeze':
            t = t.unsqueeze(p[0])
        elif k == 'clone':
            t = t.clone()
        else:
            raise ValueError(k)
    return t


def scal(v):
    if isinstance(v, float) and v == v and abs(v) != inf and v == int(v):
        raise ValueError(f'float scalar {v} is integer-valued: JSON cannot keep it a float')
    return enc(v)


def kwj(kw):
    out = {}
    for k, v in kw.items():
        if isinstance(v, torch.dtype):
            v = {f32: 'float32', f64: 'float64', i64: 'int32', u8: 'uint8', bl: 'bool'}[v]
        elif isinstance(v, float):
            v = enc(v)
        out[k] = v
    return out


UNARY = ['neg', 'abs', 'exp', 'log', 'sqrt', 'rsqrt', 'sigmoid', 'tanh', 'relu', 'sin', 'cos', 'tan', 'asin', 'acos',
         'atan', 'sinh', 'cosh', 'floor', 'ceil', 'round', 'trunc', 'frac', 'sign', 'reciprocal', 'expm1', 'log1p',
         'log2', 'exp2', 'erf', 'square', 'isnan', 'isinf', 'logical_not']
BINARY = ['add', 'sub', 'mul', 'div', 'pow', 'maximum', 'minimum', 'remainder', 'floor_divide', 'atan2', 'eq', 'ne',
          'lt', 'le', 'gt', 'ge', 'logical_and', 'logical_or', 'logical_xor', 'bitwise_and', 'bitwise_or',
          'bitwise_xor']

OPS = {name: getattr(torch, name) for name in UNARY + BINARY}
OPS.update({
    'rsub': torch.rsub, 'where': torch.where, 'clamp': torch.clamp, 'clip': torch.clip,
    '__radd__': lambda t, s: s + t, '__rsub__': lambda t, s: s - t, '__rmul__': lambda t, s: s * t,
    '__rtruediv__': lambda t, s: s / t, '__rpow__': lambda t, s: s ** t,
    'sum': torch.sum, 'mean': torch.mean, 'prod': torch.prod, 'amax': torch.amax, 'amin': torch.amin,
    'max': torch.max, 'min': torch.min, 'argmax': torch.argmax, 'argmin': torch.argmin, 'var': torch.var,
    'std': torch.std, 'cumsum': torch.cumsum, 'logsumexp': torch.logsumexp, 'softmax': torch.softmax,
    'log_softmax': torch.log_softmax, 'all': torch.all, 'any': torch.any, 'norm': torch.norm,
})
for n in ['add_', 'sub_', 'mul_', 'div_', 'pow_', 'clamp_', 'neg_', 'abs_', 'exp_', 'log_', 'sqrt_', 'sigmoid_', 'tanh_',
          'relu_']:
    OPS[n] = (lambda name: lambda x, *a, **k: getattr(x, name)(*a, **k))(n)

cases = []
names = set()


def case(op, *args, kw=None, fam='elementwise', name=None, match=None, skip=None, tol=None, fn=None, extra=None):
    kw = kw or {}
    tk = {k: (DT[v] if k == 'dtype' and isinstance(v, str) else v) for k, v in kw.items()}
    leaves, targs = [], []
    for a in args:
        if isinstance(a, A):
            b, v = a.make()
            leaves.append(b)
            targs.append(v)
        else:
            leaves.append(None)
            targs.append(a)
    c = {
        'family': fam, 'name': None, 'op': op,
        'args': [a.json() if isinstance(a, A) else scal(a) for a in args], 'kwargs': kwj(kw),
        'out': None, 'error': None, 'grads': None, 'grad_fn': None,
    }
    base = name or f"{op}({', '.join(a.desc() if isinstance(a, A) else repr(a) for a in args)}" + \
        (''.join(f', {k}={v}' for k, v in kw.items())) + ')'
    n, k = base, 2
    while n in names:
        n, k = f'{base} #{k}', k + 1
    names.add(n)
    c['name'] = n
    try:
        r = (fn or OPS[op])(*targs, **tk)
    except Exception as e:  # torch raises: fastgrad must too
        c['error'] = str(e).split('\n')[0]
        c['match'] = match if match is not None else default_match(c['error'])
        r = None
    if r is not None:
        if isinstance(r, tuple):
            c['out'] = [tensor_json(r[0]), tensor_json(r[1])]
            r = r[0]
        else:
            c['out'] = tensor_json(r)
        if op.endswith('_') and not op.startswith('__'):
            assert r is targs[0]
            if args[0].view and not args[0].rg:
                c['base_after'] = tensor_json(leaves[0])
        if r.grad_fn is not None:
            c['grad_fn'] = r.grad_fn.name()
            if r.is_floating_point() and c['grad_fn'] != 'torch::autograd::NotImplemented':
                w = torch.randn(r.shape, generator=gw, dtype=f64).to(r.dtype)
                c['weight'] = tensor_json(w)
                (r * w).sum().backward()
                c['grads'] = [tensor_json(lf.grad) if isinstance(a, A) and a.rg and lf.grad is not None else None
                              for a, lf in zip(args, leaves)]
    if skip:
        c['skip'] = skip
    if tol:
        c['tol'] = tol
    if extra:
        c.update(extra)
    cases.append(c)
    return c


def default_match(err):
    """What fastgrad's message must name when the case does not say: the dtype torch complains about."""
    for torch_name, ours in [("'Bool'", 'bool'), ("'Long'", 'int32'), ("'Float'", 'float32'), ('Bool', 'bool'),
                             ('ZeroDivisionError', 'zero')]:
        if torch_name in err:
            return [ours]
    return []


def ar(data, dtype=f32, rg=None, view=()):
    """Tensor arg; float args require grad unless told otherwise."""
    if rg is None:
        rg = dtype in (f32, f64)
    return A(data, dtype, rg, view)


# =========================================== UNARY =================================================
GEN = [-2.5, -1.5, -0.7, -0.5, 0.0, 0.3, 0.5, 1.5, 2.5, 3.7, -3.2, 1.0]
DOMAIN = {
    'log': [0.1, 0.5, 1.0, 2.0, 7.5, 100.0], 'sqrt': [0.01, 0.5, 1.0, 2.0, 9.0, 100.0],
    'rsqrt': [0.01, 0.5, 1.0, 2.0, 9.0, 100.0], 'log2': [0.1, 0.5, 1.0, 2.0, 8.0, 100.0],
    'log1p': [-0.9, -0.5, 0.0, 1e-4, 2.0, 100.0], 'asin': [-0.9, -0.5, 0.0, 0.2, 0.5, 0.99],
    'acos': [-0.9, -0.5, 0.0, 0.2, 0.5, 0.99], 'reciprocal': [-4.0, -0.5, 0.25, 1.0, 3.0, 10.0],
    'tan': [-1.2, -0.5, 0.0, 0.3, 1.0, 1.4],
}
SPECIAL = [nan, inf, -inf, 0.0, -0.0, 1e-30, 50.0, -50.0, 100.0, -100.0]
NON_DIFF = {'isnan', 'isinf', 'logical_not'}
for op in UNARY:
    vals = DOMAIN.get(op, GEN)
    data = torch.tensor(vals, dtype=f32)
    rg = op not in NON_DIFF
    case(op, ar(data.reshape(2, -1), rg=rg))
    case(op, ar(torch.tensor(vals, dtype=f64).reshape(-1, 2), f64, rg=rg))
    case(op, ar(data.reshape(2, -1), rg=rg, view=[['t']]))  # non-contiguous
    case(op, ar(data[2:3].reshape(()), rg=rg))  # 0-d
    case(op, ar(torch.zeros(0, 3), rg=rg))  # empty
    case(op, ar(torch.tensor(SPECIAL), rg=rg))  # nan / inf / -0 / large, gradients there too
    if op in ('sqrt', 'rsqrt', 'log', 'log2', 'log1p', 'asin', 'acos', 'reciprocal', 'abs', 'sign', 'relu', 'frac'):
        case(op, ar([0.0, -0.0, 1.0, -1.0, 2.0, -2.0]))  # domain edges
    case(op, ar([[-3, -1, 0], [1, 2, 7]], i64))  # int input: dtype rules
    case(op, ar([True, False, True], bl))
    if op in ('neg', 'abs', 'sign', 'square', 'floor', 'relu', 'logical_not', 'exp', 'isnan'):
        case(op, ar([0, 1, 200, 255], u8))
# unary in-place (on a clone of a leaf, so gradients flow; and on a transposed view without grad)
for op in ['neg_', 'abs_', 'exp_', 'log_', 'sqrt_', 'sigmoid_', 'tanh_', 'relu_']:
    vals = DOMAIN.get(op[:-1], GEN)
    case(op, ar(torch.tensor(vals).reshape(2, -1), view=[['clone']]))
    case(op, ar(torch.tensor(vals).reshape(2, -1), rg=False, view=[['t']]))
case('exp_', ar([1, 2], i64), match=['exp_', 'int32'])
case('neg_', ar([1, 2], i64))
case('relu_', ar([-1, 2], i64))

# =========================================== BINARY ================================================
A23, B23 = rn(2, 3), rn(2, 3)
POS23 = rn(2, 3).abs() + 0.5
for op in BINARY:
    isbit = op.startswith('bitwise')
    if not isbit:
        if op == 'pow':
            case(op, ar(POS23), ar(B23))
        else:
            case(op, ar(A23), ar(B23))
        case(op, ar(rn(3, 1)), ar(rn(1, 4)))  # two-sided broadcast
        case(op, ar(rn(2, 3, 4).abs() + 0.1), ar(rn(4)))  # rank broadcast
        case(op, ar(rn(2, 1, 4).abs() + 0.1), ar(rn(3, 1)))  # rank + two-sided
        case(op, ar(rn(5).abs() + 0.1), ar(rn(()).abs() + 0.5))  # with 0-d
        case(op, ar(rn(()).abs() + 0.5), ar(rn(()).abs() + 0.5))  # 0-d both
        case(op, ar(torch.zeros(0, 3)), ar(rn(3)))  # empty
        case(op, ar(torch.zeros(1, 0)), ar(rn(3, 1)))  # empty via broadcast -> [3, 0]
        case(op, ar(rn(3, 2).abs() + 0.2, view=[['t']]), ar(rn(2, 3)))  # transposed
        case(op, ar(rn(2, 6).abs() + 0.2, view=[['slice', 1, 0, 6, 2]]), ar(rn(2, 3)))  # sliced with step
        case(op, ar(rn(3).abs() + 0.2, view=[['expand', [2, 3]]]), ar(rn(2, 3)))  # expanded
        case(op, ar(rn(2, 3)), ar(rn(3, 2)), match=['[2, 3]', '[3, 2]'])  # broadcast error
        case(op, ar(rn(4)), ar(rn(5)), match=['[4]', '[5]'])
        case(op, ar([[-7, 3, 0], [5, -2, 9]], i64), ar([[2, -4, 3], [3, 5, -2]], i64))  # ints
        case(op, ar([1.5, -2.5, nan, inf, -inf, 0.0, 3.0, nan]), ar([nan, 1.0, 2.0, inf, 1.0, 0.0, -inf, nan]))
        case(op, ar([0.0, -0.0, 2.0, -2.0, 0.0, 1.0]), ar([0.0, 2.0, 0.0, -1.0, -0.5, -0.0]))  # zeros: grads at the edges
        case(op, ar([True, False, True, False], bl), ar([True, True, False, False], bl))
        case(op, ar([200, 3, 7], u8), ar([100, 5, 2], u8))
    else:
        case(op, ar([[12, -5, 0], [7, 255, -1]], i64), ar([[10, 3, 9], [-8, 15, 6]], i64))
        case(op, ar([True, False, True, False], bl), ar([True, True, False, False], bl))
        case(op, ar([200, 3, 7], u8), ar([100, 5, 2], u8))
        case(op, ar([[12, -5, 0]], i64), ar([[1], [6]], i64))
        case(op, ar([12, -5, 0], i64), 6)
        case(op, ar([1.5, 2.5]), ar([1.0, 2.0]), match=['float32'])
        case(op, ar([True, False], bl), ar([1, 3], i64))
        case(op, ar([True, False], bl), True)

# scalar operands on either side
for op in ['add', 'sub', 'mul', 'div', 'pow', 'remainder', 'floor_divide', 'eq', 'lt', 'ge']:
    case(op, ar(POS23), 2.5)
    case(op, ar(POS23), 3)
    case(op, ar([[-7, 3, 0], [5, -2, 9]], i64), 2)
    case(op, ar([[-7, 3, 0], [5, -2, 9]], i64), 2.5)
    case(op, ar([[1, 3, 0], [5, 2, 9]], u8), 3)
    case(op, ar([True, False], bl), 2)
for op in ['__radd__', '__rsub__', '__rmul__', '__rtruediv__', '__rpow__']:
    case(op, ar(POS23), 2.5)
    case(op, ar(POS23), 3)
    case(op, ar([[-7, 3, 0], [5, -2, 9]], i64), 2)
    case(op, ar([[1, 3, 0], [5, 2, 9]], i64), 1.5)
case('rsub', ar(A23), 2.5)
case('rsub', ar(A23), ar(B23))
case('rsub', ar(A23), ar(B23), kw={'alpha': 3})
case('pow', 2.5, ar(A23), fn=lambda s, t: torch.pow(s, t))
case('pow', 2, ar(A23), fn=lambda s, t: torch.pow(s, t))
case('pow', 0.5, ar([[0.0, 1.0, -2.0]]), fn=lambda s, t: torch.pow(s, t))
case('remainder', 7.5, ar(POS23), fn=lambda s, t: torch.remainder(s, t))

# add/sub with alpha
case('add', ar(A23), ar(B23), kw={'alpha': 2.5})
case('sub', ar(A23), ar(rn(3)), kw={'alpha': -2})
case('add', ar([1, 2, 3], i64), ar([4, 5, 6], i64), kw={'alpha': 3})
case('add', ar([1, 2, 3], i64), ar([4, 5, 6], i64), kw={'alpha': 2.5}, match=['alpha'])
case('sub', ar([1, 2, 3], i64), 2, kw={'alpha': 3})

# div rounding modes
for mode in ['floor', 'trunc']:
    case('div', ar([[-7.5, 3.2, -0.5], [5.0, -2.25, 9.0]]), ar([[2.0, -4.0, 3.0], [3.0, 0.5, -2.0]]), kw={'rounding_mode': mode})
    case('div', ar([[-7, 3, 0], [5, -2, 9]], i64), ar([[2, -4, 3], [3, 5, -2]], i64), kw={'rounding_mode': mode})
    case('div', ar([-7, 3, 0], i64), 2, kw={'rounding_mode': mode})
    case('div', ar([-7.5, 3.2, 1.0]), 2.5, kw={'rounding_mode': mode})
    case('div', ar([1.0, -1.0, 0.0], rg=False), ar([0.0, 0.0, 0.0], rg=False), kw={'rounding_mode': mode})
    case('div', ar([1, -1], i64), ar([0, 2], i64), kw={'rounding_mode': mode}, match=['zero'])
    case('div', ar([200, 7], u8), ar([3, 2], u8), kw={'rounding_mode': mode})
    case('div', ar(rn(3, 1)), ar(rn(4)), kw={'rounding_mode': mode})
case('div', ar([1, 2, 3], i64), ar([2, 0, -2], i64))  # true division of ints -> float, 1/0 = inf
case('floor_divide', ar([1, 2], i64), ar([0, 1], i64), match=['zero'])
case('remainder', ar([1, 2], i64), ar([0, 1], i64), match=['zero'])
case('floor_divide', ar([1.0, -1.0, 7.0, -7.0, 0.3], rg=False), ar([0.1, 0.1, 0.7, 0.7, 0.1], rg=False))
case('remainder', ar([1.0, -1.0, 7.0, -7.0, 0.3, -0.0], rg=False), ar([0.1, 0.1, 0.7, -0.7, 0.1, 2.0], rg=False))

# pow specials: zero bases with zero / negative / fractional exponents, gradients there
case('pow', ar([0.0, 1.0, -2.0, 3.0]), 2)
case('pow', ar([0.0, 1.0, -2.0, 3.0]), 0)
case('pow', ar([0.0, 1.0, -2.0, 3.0]), 1)
case('pow', ar([0.0, 1.0, 4.0, 3.0]), 0.5)
case('pow', ar([0.0, 1.0, -2.0, 3.0]), -1)
case('pow', ar([0.0, 1.0, -2.0, 3.0]), ar([0.0, 0.0, 2.0, 1.5]))
case('pow', ar([0.0, 0.0, 2.0, 2.0]), ar([2.0, -1.0, 0.0, 3.0]))
case('pow', ar([-8.0, -2.0]), ar([1.0 / 3.0, 2.0]))
case('pow', ar([2, 3, -2], i64), 3)
case('pow', ar([2, 3, -2], i64), -1, match=['negative'])
case('pow', ar([2, 1, -1, 0], i64), ar([-1, -3, -3, 2], i64))
case('pow', ar([2, 3, 5], i64), 0.5)
case('pow', ar([True, False], bl), 2)
case('pow', ar([2, 3], u8), ar([3, 2], u8))

# maximum/minimum ties and nan propagation (gradients)
for op in ['maximum', 'minimum']:
    case(op, ar([1.0, 2.0, 3.0, nan, 5.0, -0.0]), ar([1.0, 3.0, 2.0, 1.0, nan, 0.0]))
    case(op, ar([[1.0, 2.0], [2.0, 2.0]]), ar([2.0, 1.0]))
    case(op, ar([1, 5, 3], i64), ar([2.5, 1.5, 3.0]))
    case(op, ar([1, 5, 3], i64), ar([2, 1, 3], u8))
    case(op, ar([True, False], bl), ar([False, False], bl))
case('atan2', ar([0.0, 1.0, -1.0, 0.0, -0.0]), ar([1.0, 0.0, 0.0, -1.0, -1.0]))

# comparisons / logical with nan, mixed dtypes, scalars
for op in ['eq', 'ne', 'lt', 'le', 'gt', 'ge']:
    case(op, ar([1, 2, 3], i64), ar([1.0, 2.5, 2.9], rg=False))
    case(op, ar([1.0, nan, 3.0], rg=False), nan)
    case(op, ar([1, 2, 3], u8), ar([True, False, True], bl))
    case(op, ar([0.5, 1.5, 2.5], f64), ar(1.5))
for op in ['logical_and', 'logical_or', 'logical_xor']:
    case(op, ar([0.0, nan, 2.0, -0.0], rg=False), ar([1, 0, 3, 1], i64))
    case(op, ar([[0, 1, 2]], u8), ar([[True], [False]], bl))

# ======================================== DTYPE PROMOTION ============================================
PROMO = {
    'float32': lambda shape: rn(*shape),
    'float64': lambda shape: rn(*shape, dtype=f64),
    'int32': lambda shape: ri(-5, 6, *shape),
    'uint8': lambda shape: ri(0, 20, *shape, dtype=u8),
    'bool': lambda shape: ri(0, 2, *shape, dtype=bl),
}
for da in PROMO:
    for db in PROMO:
        for sa, sb in [((2, 3), (2, 3)), ((2, 3), ()), ((), (2, 3)), ((), ())]:
            case('add', A(PROMO[da](sa), rg=False), A(PROMO[db](sb), rg=False))
        case('mul', A(PROMO[da]((3,)), rg=False), A(PROMO[db](()), rg=False))
        case('div', A(PROMO[da]((3,)), rg=False), A(PROMO[db]((3,)).abs() + 1 if db not in ('bool',) else PROMO[db]((3,)), rg=False))
        case('maximum', A(PROMO[da]((3,)), rg=False), A(PROMO[db](()), rg=False))
        case('where', A(ri(0, 2, 3, dtype=bl)), A(PROMO[da]((3,)), rg=False), A(PROMO[db](()), rg=False))
    for s in [True, 3, -2.5]:
        case('add', A(PROMO[da]((2, 2)), rg=False), s)
        case('mul', A(PROMO[da](()), rg=False), s)
        case('eq', A(PROMO[da]((2,)), rg=False), s)
# scalars that JS cannot represent as Python floats
case('add', ar([1, 2], i64), 2, fn=lambda t, s: torch.add(t, float(s)),
     skip='JS has no float literal 2.0: a JS number 2 is an int scalar, so int32 + 2 stays int32 (torch: 2.0 gives float32)')
case('add', A([1, 2], i64, rg=False), A(torch.tensor(1.0), rg=False))  # 0-d float wins over int category

# =========================================== WHERE / CLAMP ==========================================
C23 = torch.tensor([[True, False, True], [False, False, True]])
case('where', A(C23), ar(A23), ar(B23))
case('where', A(C23), ar(rn(3)), ar(rn(2, 1)))
case('where', A(C23[:, :1].contiguous()), ar(rn(2, 3)), ar(rn(3)))
case('where', A(C23), ar(A23), 0.5)
case('where', A(C23), 1.5, ar(B23))
case('where', A(C23), 1.5, -0.5)
case('where', A(C23), 1, 0)
case('where', A(C23), True, False)
case('where', A(C23), ar([[1, 2, 3]], i64), 0.5)
case('where', A(C23), ar([[1, 2, 3]], i64), ar(torch.tensor(0.5)))
case('where', A(C23), ar(A23, view=[['t'], ['t']]), ar(rn(3, 2), view=[['t']]))
case('where', A(C23.t().contiguous(), view=[['t']]), ar(A23), ar(B23))
case('where', A(torch.tensor(True)), ar(rn(3)), ar(rn(())))
case('where', A([[1, 0, 2]], u8), ar(rn(2, 3)), ar(rn(2, 3)))
case('where', A(C23), ar(rn(2, 2)), ar(rn(2, 3)), match=['[2, 3]', '[2, 2]'])
case('where', A(torch.zeros(0, 3, dtype=bl)), ar(rn(3)), ar(rn(0, 1)))
case('where', A([True, False, True]), ar([nan, inf, 1.0]), ar([0.0, nan, -inf]))
for op in ['clamp', 'clip']:
    X = torch.tensor([[-2.0, -0.5, 0.0, 0.5], [1.0, 1.5, nan, 3.0]])
    case(op, ar(X), kw={'min': -0.5})
    case(op, ar(X), kw={'max': 1.5})
    case(op, ar(X), kw={'min': -0.5, 'max': 1.5})
    case(op, ar(X), kw={'min': 1.0, 'max': -1.0})  # min > max -> max
    case(op, ar(X, view=[['t']]), kw={'min': 0.25, 'max': 0.75})
    case(op, ar([[-3, 0, 4, 9]], i64), kw={'min': 0, 'max': 5})
    case(op, ar([[-3, 0, 4, 9]], i64), kw={'min': 0.5})
    case(op, ar([0, 4, 200], u8), kw={'min': 2, 'max': 100})
    case(op, ar([True, False], bl), kw={'min': 0, 'max': 1})
    case(op, ar(X), kw={'min': -inf, 'max': inf})
    case(op, ar(X), kw={'min': nan})
    case(op, ar(X), kw={}, match=['min', 'max'])
    case(op, ar(rn(())), kw={'min': 0.25})
    case(op, ar(torch.zeros(0, 2)), kw={'max': 0.25})
case('clamp_min', ar(torch.tensor([[-2.0, -0.5, 0.0, 0.5], [1.0, 1.5, nan, 3.0]])), -0.25, fn=lambda x, v: x.clamp_min(v))
case('clamp_max', ar(torch.tensor([[-2.0, -0.5, 0.0, 0.5], [1.0, 1.5, nan, 3.0]])), 0.75, fn=lambda x, v: x.clamp_max(v))

# =========================================== IN-PLACE ================================================
for op in ['add_', 'sub_', 'mul_', 'div_', 'pow_']:
    other = rn(3).abs() + 0.5
    case(op, ar(rn(2, 3).abs() + 0.1, view=[['clone']]), ar(other))  # graph target (clone of a leaf)
    case(op, ar(rn(3, 2).abs() + 0.1, rg=False, view=[['t']]), ar(other, rg=False))  # transposed view target
    case(op, ar(rn(2, 6).abs() + 0.1, rg=False, view=[['slice', 1, 1, 6, 2]]), 1.5)  # strided slice target
    case(op, ar(rn(2, 3).abs() + 0.1, view=[['clone']]), 2.5)
    case(op, ar(rn(3, 1).abs() + 0.1, rg=False), ar(rn(1, 4), rg=False), match=['[3, 1]', '[3, 4]'])  # broadcast target
    case(op, ar([1, 2, 3], i64), ar([4, 5, 6], i64) if op != 'div_' else 2)
    case(op, ar([1, 2, 3], i64), 0.5, match=['int32', 'float32'])
    case(op, ar([1, 2, 3], i64), ar([0.5, 1.5, 2.5], rg=False), match=['int32', 'float32'])
    case(op, ar([1.0, 2.0, 3.0], rg=False), ar([1, 2, 3], i64))
    case(op, ar([1.0, 2.0, 3.0], f64, rg=False), ar([0.5, 1.5, 2.5], f32, rg=False))
    case(op, ar([True, False], bl), ar([1, 2], i64), match=['bool'])
    case(op, ar(rn(2, 3).abs() + 0.1, view=[['clone'], ['t']]), ar(rn(3, 1).abs() + 0.5))  # view of a graph tensor
    case(op, ar(rn(2, 3), rg=True), 1.5, match=['leaf'])  # leaf that requires grad
case('add_', ar(rn(2, 3), view=[['clone']]), ar(rn(3)), kw={'alpha': 2.5})
case('sub_', ar(rn(3, 2), rg=False, view=[['t']]), ar(rn(3)), kw={'alpha': -1.5})
case('sub_', ar([5, 6], i64), ar([1, 2], i64), kw={'alpha': 2})
case('add_', ar(torch.zeros(2, 3), rg=False), ar(rn(2, 3)))  # target without grad, other with grad
case('mul_', ar(rn(2, 3) + 2, rg=False), ar(rn(2, 3)))  # saved self must be the value before the write
case('clamp_', ar(rn(2, 3), view=[['clone']]), kw={'min': -0.3, 'max': 0.3})
case('clamp_', ar(rn(3, 2), rg=False, view=[['t']]), kw={'min': 0.0})
case('clamp_', ar([1, 5, 9], i64), kw={'min': 0.5}, match=['int32', 'float32'])
case('add_', ar(rn(3), rg=False, view=[['expand', [2, 3]]]), 1.0 + 0.5, match=['single memory location'])

# ============================================ REDUCTIONS =============================================
R = 'reduce'
X234 = rn(2, 3, 4)
for op in ['sum', 'mean', 'prod', 'amax', 'amin']:
    case(op, ar(X234), fam=R)
    for dim in [0, 1, -1, 2]:
        case(op, ar(X234), kw={'dim': dim}, fam=R)
        case(op, ar(X234), kw={'dim': dim, 'keepdim': True}, fam=R)
    if op != 'prod':
        case(op, ar(X234), kw={'dim': [0, 2]}, fam=R)
        case(op, ar(X234), kw={'dim': [-1, 0], 'keepdim': True}, fam=R)
        case(op, ar(X234), kw={'dim': [0, 0]}, fam=R, match=['dim'])
    case(op, ar(X234), kw={'dim': 3}, fam=R, match=['3'])
    case(op, ar(X234, view=[['permute', [2, 0, 1]]]), kw={'dim': 1}, fam=R)
    case(op, ar(rn(3, 8), view=[['slice', 1, 0, 8, 3]]), kw={'dim': -1}, fam=R)
    case(op, ar(rn(4), view=[['expand', [3, 4]]]), kw={'dim': 0}, fam=R)
    case(op, ar(rn(())), fam=R)
    case(op, ar(rn(())), kw={'dim': 0}, fam=R)
    case(op, ar(torch.zeros(0, 3)), kw={'dim': 1}, fam=R)
    case(op, ar(torch.zeros(0, 3)), kw={'dim': 0}, fam=R)
    case(op, ar(torch.zeros(0, 3)), fam=R)
    case(op, ar(torch.tensor([[1.0, nan, 2.0], [inf, -inf, 3.0]])), kw={'dim': 1}, fam=R)
    case(op, ar([[3, -1, 2], [5, 5, 0]], i64), kw={'dim': 1}, fam=R)
    case(op, ar([[True, False, True], [True, True, True]], bl), kw={'dim': 0}, fam=R)
    case(op, ar([[3, 1, 2], [5, 5, 0]], u8), fam=R)
    case(op, ar(torch.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=f64)), kw={'dim': 0}, fam=R)
# ties: gradient distribution
T = torch.tensor([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0], [-1.0, 5.0, 4.0, 5.0]])
for op in ['amax', 'amin']:
    case(op, ar(T), fam=R)
    case(op, ar(T), kw={'dim': 1}, fam=R)
    case(op, ar(T), kw={'dim': [0, 1], 'keepdim': True}, fam=R)
for op in ['max', 'min']:
    case(op, ar(T), fam=R)  # full: ties share the gradient
    case(op, ar(T), kw={'dim': 1}, fam=R)  # dim: the first index wins and takes it all
    case(op, ar(T), kw={'dim': 0, 'keepdim': True}, fam=R)
    case(op, ar(X234), kw={'dim': -2}, fam=R)
    case(op, ar(X234, view=[['transpose', 0, 2]]), kw={'dim': 1}, fam=R)
    case(op, ar(torch.tensor([[1.0, nan, 2.0], [0.0, -1.0, 4.0]])), kw={'dim': 1}, fam=R)
    case(op, ar(torch.tensor([1.0, nan, 2.0])), fam=R)
    case(op, ar([[3, -1, 2], [5, 5, 0]], i64), kw={'dim': 1}, fam=R)
    case(op, ar([[3, 1, 2], [5, 5, 0]], u8), fam=R)
    case(op, ar([True, False], bl), fam=R)
    case(op, ar(rn(())), kw={'dim': 0}, fam=R)
    case(op, ar(torch.zeros(0, 3)), fam=R, match=['empty'])
    case(op, ar(torch.zeros(0, 3)), kw={'dim': 1}, fam=R)
    case(op, ar(torch.zeros(0, 3)), kw={'dim': 0}, fam=R, match=['0'])
for op in ['argmax', 'argmin']:
    case(op, A(T), fam=R)
    case(op, A(T), kw={'dim': 1}, fam=R)
    case(op, A(T), kw={'dim': 0, 'keepdim': True}, fam=R)
    case(op, A(T), kw={'dim': -1, 'keepdim': True}, fam=R)
    case(op, A(T), kw={'keepdim': True}, fam=R)
    case(op, A(X234, view=[['permute', [1, 2, 0]]]), kw={'dim': 2}, fam=R)
    case(op, A(torch.tensor([[1.0, nan, 2.0, nan], [0.0, -1.0, 4.0, 4.0]])), kw={'dim': 1}, fam=R)
    case(op, A([[3, -1, 2], [5, 5, 0]], i64), kw={'dim': 1}, fam=R)
    case(op, A([3, 7, 7], u8), fam=R)
    case(op, A(rn(())), fam=R)
    case(op, A(torch.zeros(0, 3)), fam=R, match=['empty'])
    case(op, A([True, False], bl), fam=R)
# var / std
V = rn(3, 5)
for op in ['var', 'std']:
    case(op, ar(V), fam=R)
    case(op, ar(V), kw={'dim': 1}, fam=R)
    case(op, ar(V), kw={'dim': 0, 'keepdim': True}, fam=R)
    case(op, ar(V), kw={'dim': 1, 'unbiased': False}, fam=R)
    case(op, ar(V), kw={'dim': [0, 1], 'correction': 0}, fam=R)
    case(op, ar(V), kw={'dim': -1, 'correction': 2}, fam=R)
    case(op, ar(V, view=[['t']]), kw={'dim': 0}, fam=R)
    case(op, ar(X234), kw={'dim': [0, 2], 'keepdim': True}, fam=R)
    case(op, ar(torch.tensor([[1.5], [2.0]])), kw={'dim': 1}, fam=R)  # single element: 0/0
    case(op, ar(torch.tensor([[1.5], [2.0]])), kw={'dim': 1, 'unbiased': False}, fam=R)
    case(op, ar(torch.full((2, 3), 0.5)), kw={'dim': 1}, fam=R)  # zero spread
    case(op, ar(torch.tensor([1.0, nan, 2.0])), fam=R)
    case(op, ar(V.double(), f64), kw={'dim': 1}, fam=R)
    case(op, ar([1, 2, 3], i64), fam=R, match=['int32'])
# cumsum
for d in [0, 1, -1]:
    case('cumsum', ar(rn(3, 4)), kw={'dim': d}, fam=R)
case('cumsum', ar(rn(4, 3), view=[['t']]), kw={'dim': 1}, fam=R)
case('cumsum', ar(rn(2, 3, 4)), kw={'dim': 1}, fam=R)
case('cumsum', ar([[1, -2, 3], [4, 5, 6]], i64), kw={'dim': 1}, fam=R)
case('cumsum', ar([200, 100, 7], u8), kw={'dim': 0}, fam=R)
case('cumsum', ar([True, True, False, True], bl), kw={'dim': 0}, fam=R)
case('cumsum', ar(rn(())), kw={'dim': 0}, fam=R)
case('cumsum', ar(torch.zeros(0, 3)), kw={'dim': 0}, fam=R)
case('cumsum', ar([1.0, nan, 2.0, inf]), kw={'dim': 0}, fam=R)
case('cumsum', ar(rn(3)), kw={'dim': 1}, fam=R, match=['1'])
case('cumsum', ar([1, 2, 3], i64), kw={'dim': 0, 'dtype': 'float32'}, fam=R)
# logsumexp / softmax / log_softmax
BIG = torch.tensor([[1000.0, 1000.5, 999.0], [-1000.0, -999.0, -1001.0]])
NEG = torch.tensor([[-inf, 0.0, 1.0], [-inf, -inf, 2.0], [-inf, -inf, -inf]])
for op in ['logsumexp', 'softmax', 'log_softmax']:
    kd = (lambda d, **k: {'dim': d, **k})
    case(op, ar(rn(3, 4)), kw=kd(1), fam=R)
    case(op, ar(rn(3, 4)), kw=kd(0), fam=R)
    case(op, ar(rn(2, 3, 4)), kw=kd(-2), fam=R)
    case(op, ar(rn(4, 3), view=[['t']]), kw=kd(1), fam=R)
    case(op, ar(BIG), kw=kd(1), fam=R)
    case(op, ar(NEG), kw=kd(1), fam=R)
    case(op, ar(torch.tensor([[inf, 1.0], [nan, 0.0]])), kw=kd(1), fam=R)
    case(op, ar(rn(())), kw=kd(0), fam=R)
    case(op, ar(torch.zeros(0, 3)), kw=kd(1), fam=R)
    case(op, ar(rn(2, 3, dtype=f64), f64), kw=kd(1), fam=R)
    case(op, ar([[1, 2, 3]], i64), kw=kd(1), fam=R, match=['int32'])
    if op == 'logsumexp':
        case(op, ar(rn(2, 3, 4)), kw=kd([0, 2]), fam=R)
        case(op, ar(rn(2, 3, 4)), kw=kd(1, keepdim=True), fam=R)
# all / any
for op in ['all', 'any']:
    case(op, A([[True, False, True], [True, True, True]]), fam=R)
    case(op, A([[True, False, True], [True, True, True]]), kw={'dim': 1}, fam=R)
    case(op, A([[True, False, True], [True, True, True]]), kw={'dim': 0, 'keepdim': True}, fam=R)
    case(op, A([[True, False, True], [True, True, True]]), kw={'dim': -1}, fam=R)
    case(op, A([[1.0, 0.0, nan], [2.0, -0.0, 3.0]]), kw={'dim': 1}, fam=R)
    case(op, A([[1, 0, 5], [2, 3, 4]], i64), fam=R)
    case(op, A([[1, 0, 5], [2, 3, 4]], u8), kw={'dim': 1}, fam=R)
    case(op, A([[1, 0, 5], [2, 3, 4]], u8), fam=R)
    case(op, A(torch.zeros(0, 3, dtype=bl)), fam=R)
    case(op, A(torch.zeros(0, 3, dtype=bl)), kw={'dim': 0}, fam=R)
    case(op, A(torch.tensor(False)), fam=R)
    case(op, A(torch.tensor([[True, False], [True, True]]), view=[['t']]), kw={'dim': 1}, fam=R)
# norm
NV = torch.tensor([[3.0, -4.0, 0.0], [1.0, 2.0, -2.0]])
for p in [2, 1, inf, 3]:
    case('norm', ar(NV), kw={'p': p}, fam=R)
    case('norm', ar(NV), kw={'p': p, 'dim': 1}, fam=R)
    case('norm', ar(NV), kw={'p': p, 'dim': 0, 'keepdim': True}, fam=R)
for p in [0.5, 1.5, 0, -inf]:
    case('norm', ar(torch.tensor([[3.0, -4.0, 0.5], [1.0, 2.0, -2.0]])), kw={'p': p, 'dim': 1}, fam=R)
for p in [1.5, 0.5, 3]:
    case('norm', ar(torch.tensor([[3.0, 0.0, -4.0], [0.0, 0.0, 0.0]])), kw={'p': p, 'dim': 1}, fam=R)
case('norm', ar(torch.tensor([[3.0, nan, -4.0], [2.0, -2.0, 1.0]])), kw={'p': inf, 'dim': 1}, fam=R)
case('norm', ar(torch.zeros(2, 3)), fam=R)  # gradient at 0 is 0, not nan
case('norm', ar(torch.tensor([[0.0, 0.0], [3.0, 4.0]])), kw={'dim': 1}, fam=R)
case('norm', ar(NV, view=[['t']]), kw={'dim': 0}, fam=R)
case('norm', ar(NV), kw={'p': 2, 'dim': [0, 1]}, fam=R)
case('norm', ar([1, 2], i64), fam=R, match=['int32'])
# sum with dtype, int sums, mean of int
case('sum', ar([1, 2, 3], i64), kw={'dtype': 'float64'}, fam=R)
case('sum', ar([1.5, 2.5]), kw={'dtype': 'float64'}, fam=R)
case('sum', ar(X234), kw={'dim': []}, fam=R)
case('mean', ar([1, 2, 3], i64), fam=R, match=['int32'])
case('prod', ar(torch.tensor([[2.0, 0.0, 3.0], [0.0, 0.0, 4.0], [1.5, 2.0, -1.0]])), kw={'dim': 1}, fam=R)  # zeros
case('prod', ar(torch.tensor([[2.0, 0.0, 3.0], [1.0, 5.0, 4.0]])), fam=R)

# ============================================ BOOK VECTORS ============================================
B = 'book'
torch.manual_seed(42)
acts = torch.randn((6, 2)) * 2
targ = torch.tensor([0, 1, 0, 1, 1, 0])
case('randn_scaled', kw={'seed': 42, 'shape': [6, 2], 'scale': 2}, fam=B, name='book: torch.manual_seed(42); torch.randn((6,2))*2',
     fn=lambda seed, shape, scale: (torch.manual_seed(seed), torch.randn(tuple(shape)) * scale)[1],
     extra={'printed': [[0.6734, 0.2576], [0.4689, 0.4607], [-2.2457, -0.3727], [4.4164, -1.2760], [0.9233, 0.5347], [1.0698, 1.6187]]})
case('sigmoid', ar(acts), fam=B, name='book: acts.sigmoid()',
     extra={'printed': [[0.6623, 0.5641], [0.6151, 0.6132], [0.0957, 0.4079], [0.9881, 0.2182], [0.7157, 0.6306], [0.7446, 0.8346]]})
case('softmax', ar(acts), kw={'dim': 1}, fam=B, name='book: torch.softmax(acts, dim=1)',
     extra={'printed_col0': [0.6025, 0.5021, 0.1332, 0.9966, 0.5959, 0.3661]})
case('softmax_pick', ar(acts), A(targ), fam=B, name='book: sm_acts[range(6), targ]',
     fn=lambda a, t: torch.softmax(a, 1)[range(6), t], extra={'printed': [0.6025, 0.4979, 0.1332, 0.0034, 0.4041, 0.3661]})
case('cross_entropy_rows', ar(acts), A(targ), fam=B, name="book: F.cross_entropy(acts, targ, reduction='none') = -log_softmax[range(6), targ]",
     fn=lambda a, t: -torch.log_softmax(a, 1)[range(6), t],
     extra={'printed': [0.5067, 0.6973, 2.0160, 5.6958, 0.9062, 1.0048],
            'check': torch.nn.functional.cross_entropy(acts, targ, reduction='none').tolist()})
case('cross_entropy_mean', ar(acts), A(targ), fam=B, name='book: F.cross_entropy(acts, targ) = mean of the rows',
     fn=lambda a, t: (-torch.log_softmax(a, 1)[range(6), t]).mean(),
     extra={'printed': 1.8045, 'check': torch.nn.functional.cross_entropy(acts, targ).item()})
for prds, mean in [([0.9, 0.4, 0.2], 0.4333), ([0.9, 0.4, 0.8], 0.2333)]:
    case('mnist_where', A([1, 0, 1]), ar(prds), fam=B, name=f'book: torch.where(trgts==1, 1-prds, prds), prds={prds}',
         fn=lambda t, p: torch.where(t == 1, 1 - p, p))
    case('mnist_loss', A([1, 0, 1]), ar(prds), fam=B, name=f'book: mnist_loss(prds={prds}, trgts=[1, 0, 1])',
         fn=lambda t, p: torch.where(t == 1, 1 - p, p).mean(), extra={'printed': mean})
case('pow', ar(torch.tensor(3.0)), 2, fam=B, name='book: f(x)=x**2 at 3 (value 9, grad 6)')
case('pow_sum', ar([3.0, 4.0, 10.0]), fam=B, fn=lambda t: (t ** 2).sum(), name='book: (x**2).sum() at [3, 4, 10] (125, grad [6, 8, 20])')

for c in cases:
    for k in ('check',):
        if k in c:
            c[k] = [enc(v) for v in c[k]] if isinstance(c[k], list) else enc(c[k])

fams = {}
for c in cases:
    fams[c['family']] = fams.get(c['family'], 0) + 1
write_cases(os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'golden', 'ops_elementwise.json'),
            cases, {'counts': fams})
print(fams)
