#!/usr/bin/env python3
"""Golden cases for src/tensor/print.ts: repr() of PyTorch 1.13 tensors.

Run with /usr/bin/python3 (Debian python3-torch 1.13); writes test/golden/print.json, a list of
{name, shape, dtype, values, requiresGrad, gradFn, device, opts, expected}.

fastgrad's int32 stands in for torch's default int64, so non-empty int cases are built as int64
(no dtype suffix) and recorded as 'int32'. Empty int cases are built as torch.int32 because
an empty tensor always shows its dtype and fastgrad reports its own dtype name there.
Values are stored as Python floats of the exact tensor values (float32 -> float round-trips through
JSON); nan/inf are stored as the strings "nan", "inf", "-inf".
"""
import json
import math
import os

import torch

DT = {torch.float32: 'float32', torch.float64: 'float64', torch.int64: 'int32', torch.int32: 'int32',
      torch.uint8: 'uint8', torch.bool: 'bool'}
OPT_NAMES = {'precision': 'precision', 'threshold': 'threshold', 'edgeitems': 'edgeitems',
             'linewidth': 'linewidth', 'sci_mode': 'sciMode'}

cases = []


def enc(v):
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, float) and not math.isfinite(v):
        return 'nan' if math.isnan(v) else ('inf' if v > 0 else '-inf')
    return v


def add(name, t, opts=None, device=None):
    """Record repr(t) (under print options `opts`)."""
    if opts:
        torch.set_printoptions(**opts)
    try:
        expected = repr(t)
    finally:
        torch.set_printoptions(profile='default')
    grad_fn = t.grad_fn.name() if t.grad_fn is not None else None
    if grad_fn is not None:
        assert f'grad_fn=<{grad_fn}>' in expected, (grad_fn, expected)
    vals = t.detach().reshape(-1).tolist()
    case = {
        'name': name,
        'shape': list(t.shape),
        'dtype': DT[t.dtype],
        'values': [enc(v) for v in vals],
        'requiresGrad': bool(t.requires_grad and t.grad_fn is None),
        'gradFn': grad_fn,
        'expected': expected,
    }
    if device is not None:
        case['device'] = device
    if opts:
        case['opts'] = {OPT_NAMES[k]: v for k, v in opts.items()}
    cases.append(case)


g = torch.Generator().manual_seed(1234)


def randn(*shape, scale=1.0, dtype=torch.float32):
    return (torch.randn(*shape, generator=g, dtype=torch.float64) * scale).to(dtype)


def randint(lo, hi, *shape, dtype=torch.int64):
    return torch.randint(lo, hi, shape, generator=g, dtype=torch.int64).to(dtype)


# --- book vectors -------------------------------------------------------------------------------
xb = torch.tensor([3., 4., 10.], requires_grad=True)
add('book: requires_grad leaf', xb)
x0 = torch.tensor(3., requires_grad=True)
add('book: 0-d pow grad_fn', x0 ** 2)
add('book: precision 4', torch.tensor([0.1, 0.4, 0.8]))

# --- floats at many scales, several shapes --------------------------------------------------------
for scale in [1e-12, 1e-6, 1e-4, 1e-3, 0.01, 0.1, 1.0, 10.0, 123.0, 1e3, 1e4, 1e5, 1e7, 1e8, 1e9, 1e12, 1e30]:
    for shape in [(5,), (3, 4), (2, 3, 2)]:
        add(f'randn scale={scale} shape={shape}', randn(*shape, scale=scale))
for shape in [(1,), (7,), (1, 1), (4, 1), (1, 6), (2, 2, 2, 2), (1, 2, 1, 3, 2)]:
    add(f'randn shape={shape}', randn(*shape))
add('abs mixed scales', randn(8).abs() * torch.tensor([1e-3, 1, 10, 100, 0.5, 2, 3, 4]))
add('ratio just under 1000', torch.tensor([0.1, 99.9]))
add('ratio over 1000', torch.tensor([0.1, 100.5]))
add('min just over 1e-4', torch.tensor([1.5e-4, 0.5]))
add('sci small', torch.tensor([1.0e-05, 1.0e+03]))
add('max over 1e8 non-int', torch.tensor([1.5, 2.5e8]))
add('rounding carry', torch.tensor([9.99996, 0.5]))
add('rounding carry sci', torch.tensor([9.99996e-6, 0.5]))
add('ties to even', torch.tensor([0.03125, 0.09375, 0.15625, 1.03125]))
add('ties to even sci', torch.tensor([1.03125e-5, 0.5]) * 1.0)
add('ties to even int sci', torch.tensor([1250005., 1e-2]))
add('subnormal', torch.tensor([1e-45, 1.0]))
add('float32 max', torch.tensor([3.4028234663852886e38, -1.0]))

# --- integer-valued floats -------------------------------------------------------------------------
add('int floats', torch.tensor([3., 4., 10.]))
add('int floats neg', torch.tensor([-3., 4., -100.]))
add('int floats big', torch.tensor([1e7, 2., 3.]))
add('int floats ratio > 1000 -> sci', torch.tensor([1., 2000.]))
add('int floats > 1e8 -> sci', torch.tensor([1e9, 1e9]))
add('int floats 2-D', randint(-50, 50, 4, 5, dtype=torch.float32))
add('int floats 3-D', randint(0, 9, 2, 2, 3, dtype=torch.float32))
add('int float 0-d', torch.tensor(9.))
add('zeros', torch.zeros(4))
add('zeros 2-D', torch.zeros(2, 3))
add('negative zero', torch.tensor([-0., 1.]))
add('negative zero only', torch.tensor([-0., 0.]))
add('negative zero fixed', torch.tensor([-0., 1.5]))
add('negative zero sci', torch.tensor([-0., 1.5e-6]))
add('negative zero 0-d', torch.tensor(-0.))
add('zero with fractions', torch.tensor([0., 0.25, -0.75]))

# --- nan / inf ----------------------------------------------------------------------------------------
nan, inf = float('nan'), float('inf')
add('nan inf -inf', torch.tensor([nan, inf, -inf]))
add('nan with int', torch.tensor([1., nan]))
add('nan with wide int', torch.tensor([100., nan, -inf]))
add('inf with fraction', torch.tensor([1.5, inf, -2.25]))
add('nan with sci', torch.tensor([1e-5, nan, 3.0]))
add('nan 0-d', torch.tensor(nan))
add('-inf 0-d', torch.tensor(-inf))
add('nan 2-D', torch.tensor([[nan, 1.], [2., inf]]))
add('nan float64', torch.tensor([nan, 0.5], dtype=torch.float64))

# --- ints -----------------------------------------------------------------------------------------------
add('ints', torch.tensor([1, -20, 300]))
for hi in [10, 1000, 100000, 2 ** 31 - 1]:
    add(f'randint +-{hi}', randint(-hi, hi, 6))
    add(f'randint +-{hi} 2-D', randint(-hi, hi, 3, 4))
add('int32 extremes', torch.tensor([-2 ** 31, 2 ** 31 - 1, 0]))
add('int 0-d', torch.tensor(7))
add('int 0-d neg', torch.tensor(-12))
add('int 3-D', randint(0, 100, 2, 3, 4))
add('uint8', torch.tensor([1, 2], dtype=torch.uint8))
add('uint8 wide', randint(0, 256, 10, dtype=torch.uint8))
add('uint8 2-D', randint(0, 256, 3, 5, dtype=torch.uint8))
add('uint8 0-d', torch.tensor(200, dtype=torch.uint8))

# --- bool -----------------------------------------------------------------------------------------------
add('bool', torch.tensor([True, False]))
add('bool all true', torch.tensor([True, True]))
add('bool 2-D', randint(0, 2, 3, 4, dtype=torch.bool))
add('bool 0-d', torch.tensor(False))
add('bool long', randint(0, 2, 40, dtype=torch.bool))

# --- float64 --------------------------------------------------------------------------------------------
add('float64', torch.tensor([0.1, 0.2, 0.3], dtype=torch.float64))
add('float64 randn', randn(3, 4, dtype=torch.float64))
add('float64 sci', randn(5, scale=1e-7, dtype=torch.float64))
add('float64 int', torch.tensor([1., 2.], dtype=torch.float64))
add('float64 0-d', torch.tensor(2.5, dtype=torch.float64))
add('float64 tiny', torch.tensor([1e-300, 5e-324, 1.0], dtype=torch.float64))
add('float64 huge', torch.tensor([1e300, -1.7976931348623157e308], dtype=torch.float64))

# --- long rows that wrap -----------------------------------------------------------------------------
for n in [10, 11, 12, 13, 20, 30, 57, 100, 999, 1000]:
    add(f'wrap randn {n}', randn(n))
for n in [26, 27, 50, 300]:
    add(f'wrap ints {n}', torch.arange(n))
add('wrap int floats 40', torch.arange(40.))
add('wrap sci 25', randn(25, scale=1e-6))
add('wrap 2-D rows', randn(3, 20))
add('wrap 3-D rows', randn(2, 2, 15))
add('wrap bool 2-D', randint(0, 2, 2, 30, dtype=torch.bool))
add('wrap uint8', randint(0, 256, 30, dtype=torch.uint8))

# --- summarization (> threshold) --------------------------------------------------------------------
add('big 1-D 1001', randn(1001))
add('big 1-D arange', torch.arange(10000))
add('big 1-D arange float', torch.arange(2000.))
add('big 1-D mixed scales', torch.cat([randn(600, scale=1e-6), randn(600, scale=100)]))
add('big 2-D 40x40', randn(40, 40))
add('big 2-D 1001x1', randn(1001, 1))
add('big 2-D 1x1001', randn(1, 1001))
add('big 2-D 3x500', randn(3, 500))
add('big 2-D 500x3', randn(500, 3))
add('big 2-D 6x200', randn(6, 200))
add('big 2-D 7x200', randn(7, 200))
add('big 3-D 11x11x11', randn(11, 11, 11))
add('big 3-D 2x30x20', randn(2, 30, 20))
add('big 3-D int', randint(-1000, 1000, 10, 10, 11))
add('big 4-D 7x7x7x7', randn(7, 7, 7, 7))
add('big 4-D 2x2x2x200', randn(2, 2, 2, 200))
add('big 4-D int floats', randint(-9, 9, 8, 5, 6, 5, dtype=torch.float32))
add('big bool', randint(0, 2, 1200, dtype=torch.bool))
add('big uint8 2-D', randint(0, 256, 40, 30, dtype=torch.uint8))
add('big float64', randn(35, 35, dtype=torch.float64))
big_nan = randn(2000)
big_nan[1000] = nan  # hidden by the summary: must not affect the formatter
big_nan[1] = inf
add('big with nan', big_nan)
add('big sci hidden', torch.cat([torch.ones(3), torch.full((1000,), 1e-9), torch.ones(3) * 2]))
add('exactly threshold', randn(1000))
add('exactly threshold 2-D', randn(10, 100))

# --- 0-d -------------------------------------------------------------------------------------------------
for v in [0.5, -1.25, 1e-5, 123456.789, 1e10, 3.0, 0.0, 1e-20]:
    add(f'0-d {v}', torch.tensor(v))

# --- empty ------------------------------------------------------------------------------------------------
add('empty', torch.tensor([]))
add('empty 0x3', torch.zeros(0, 3))
add('empty 2x0', torch.zeros(2, 0))
add('empty 0x0x2', torch.zeros(0, 0, 2))
add('empty float64', torch.zeros(0, dtype=torch.float64))
add('empty int', torch.zeros(0, dtype=torch.int32))
add('empty int 2-D', torch.zeros(3, 0, dtype=torch.int32))
add('empty bool', torch.zeros(0, dtype=torch.bool))
add('empty uint8 2-D', torch.zeros(0, 4, dtype=torch.uint8))
add('empty requires_grad', torch.zeros(0, 3, requires_grad=True))
add('empty float64 requires_grad', torch.zeros(2, 0, dtype=torch.float64, requires_grad=True))

# --- requires_grad / grad_fn ----------------------------------------------------------------------------
for n in [1, 3, 5, 6, 7, 8, 9, 10, 11, 12, 20]:
    add(f'requires_grad randn {n}', randn(n).requires_grad_())
add('requires_grad 2-D', randn(3, 4).requires_grad_())
add('requires_grad 0-d', torch.tensor(1.5, requires_grad=True))
add('requires_grad float64', randn(4, dtype=torch.float64).requires_grad_())
add('requires_grad float64 long', randn(8, dtype=torch.float64).requires_grad_())
add('requires_grad big', randn(2000).requires_grad_())
w = randn(9).requires_grad_()
add('grad_fn pow', w ** 2)
add('grad_fn mul', w * 2)
add('grad_fn add', w + 1)
add('grad_fn sum', w.sum())
add('grad_fn mean', w.mean())
add('grad_fn exp', w.exp())
add('grad_fn relu', w.relu())
add('grad_fn select', w[0])
add('grad_fn view', w.view(3, 3))
add('grad_fn t', w.view(3, 3).t())
add('grad_fn matmul', w.view(3, 3) @ w.view(3, 3))
add('grad_fn sigmoid long', randn(10).requires_grad_().sigmoid())
add('grad_fn float64', (randn(7, dtype=torch.float64).requires_grad_() * 3))
add('grad_fn float64 short', (randn(2, dtype=torch.float64).requires_grad_() * 3))
add('grad_fn 3-D', randn(2, 2, 3).requires_grad_() - 1)
add('grad_fn big', randn(30, 40).requires_grad_() * 1)

# --- print options ----------------------------------------------------------------------------------------
r = randn(6)
add('precision 2', r, {'precision': 2})
add('precision 0', r, {'precision': 0})
add('precision 8', r, {'precision': 8})
add('precision 2 sci', randn(4, scale=1e-6), {'precision': 2})
add('sci_mode True', r, {'sci_mode': True})
add('sci_mode False on small', randn(4, scale=1e-6), {'sci_mode': False})
add('sci_mode True int floats', torch.tensor([1., 20., 300.]), {'sci_mode': True})
add('sci_mode False int big', torch.tensor([1., 2e9]), {'sci_mode': False})
add('sci_mode True zeros', torch.zeros(3), {'sci_mode': True})
add('threshold 5', torch.arange(10), {'threshold': 5})
add('threshold 5 edge 2', randn(4, 7), {'threshold': 5, 'edgeitems': 2})
add('edgeitems 1', randn(3, 3, 3, 3, 3, 3), {'edgeitems': 1, 'threshold': 100})
add('edgeitems 0 1-D', torch.arange(10), {'edgeitems': 0, 'threshold': 5})
add('linewidth 40', randn(20), {'linewidth': 40})
add('linewidth 40 requires_grad', randn(5).requires_grad_(), {'linewidth': 40})
add('linewidth 120', randn(30), {'linewidth': 120})
add('linewidth 5', randn(3, 4), {'linewidth': 5})
add('linewidth 20 float64 grad_fn', randn(3, dtype=torch.float64).requires_grad_() + 1, {'linewidth': 20})

# --- device (torch prints the device when it is not the default one) ---------------------------------
# CPU is the only device here, so pretend the default is CUDA: CPU tensors then print device='cpu'.
# The expected text is rewritten to device='gpu' (same length, so wrapping is unchanged).
_get_default = torch._C._get_default_device
torch._C._get_default_device = lambda: 'cuda'
try:
    start = len(cases)
    add('device', torch.tensor([1., 2.]))
    add('device float64 requires_grad', randn(6, dtype=torch.float64).requires_grad_())
    add('device empty int', torch.zeros(0, 2, dtype=torch.int32))
    add('device 0-d grad_fn', torch.tensor(2., requires_grad=True) * 3)
    add('device long', randn(3, 9))
finally:
    torch._C._get_default_device = _get_default
for c in cases[start:]:
    assert "device='cpu'" in c['expected'], c['expected']
    c['expected'] = c['expected'].replace("device='cpu'", "device='gpu'")
    c['device'] = 'gpu'
add('cpu device prints nothing', torch.tensor([1., 2.]), device='cpu')

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'test', 'golden', 'print.json')
with open(out, 'w') as fh:
    json.dump(cases, fh, separators=(',', ':'))
    fh.write('\n')
print(f'wrote {len(cases)} cases to {os.path.normpath(out)}')
