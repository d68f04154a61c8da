"""Golden data for src/tensor/random.ts: torch CPU generator outputs (PyTorch 1.13, Debian python3-torch).

Run with /usr/bin/python3 tools/golden/random.py; writes test/golden/random.json.
Every case starts from torch.manual_seed(seed) unless it is part of a `seq` case.
Values are stored as Python floats/ints (repr round-trips, so float32 values are exact).
"""
import json
import os
import sys

# This file is named random.py: drop its folder from sys.path so `import random` (used by torch) finds the stdlib.
sys.path = [p for p in sys.path if os.path.abspath(p or '.') != os.path.dirname(os.path.abspath(__file__))]
import torch  # noqa: E402

SEEDS = [0, 1, 42, 442, 12345, 0xDEADBEEFCAFEBABE]
SIZES = [1, 2, 7, 15, 16, 17, 31, 33, 100, 1000]
DTYPES = {'float32': torch.float32, 'float64': torch.float64}

cases = []


def add(op, seed, dtype, n, values, **params):
    cases.append({'op': op, 'seed': str(seed), 'dtype': dtype, 'n': n, 'params': params, 'values': values})


def vals(t):
    return [float(v) if t.is_floating_point() else int(v) for v in t.tolist()]


for seed in SEEDS:
    # Big sizes only for two seeds, to keep the JSON small.
    sizes = SIZES if seed in (0, 442) else [s for s in SIZES if s <= 100]
    for dname, dt in DTYPES.items():
        for n in sizes:
            torch.manual_seed(seed)
            add('rand', seed, dname, n, vals(torch.rand(n, dtype=dt)))
            torch.manual_seed(seed)
            add('randn', seed, dname, n, vals(torch.randn(n, dtype=dt)))
        for n in [1, 7, 16, 17, 33, 100]:
            for a, b in [(-2.0, 3.0), (0.1, 0.7), (-1e-3, 5e4)]:
                torch.manual_seed(seed)
                add('uniform', seed, dname, n, vals(torch.empty(n, dtype=dt).uniform_(a, b)), from_=a, to=b)
            for m, s in [(2.5, 0.3), (-1.0, 3.0), (0.1, 1e-2)]:
                torch.manual_seed(seed)
                add('normal', seed, dname, n, vals(torch.empty(n, dtype=dt).normal_(m, s)), mean=m, std=s)
        for n in [1, 7, 33, 100]:
            for p in [0.5, 0.1, 0.9]:
                torch.manual_seed(seed)
                add('bernoulli', seed, dname, n, vals(torch.empty(n, dtype=dt).bernoulli_(p)), p=p)
    for n in [1, 7, 33, 100]:
        torch.manual_seed(seed)
        add('bernoulli', seed, 'uint8', n, vals(torch.empty(n, dtype=torch.uint8).bernoulli_(0.3)), p=0.3)
    for lo, hi in [(0, 10), (-5, 5), (0, 2**31 - 1), (-1000, 7)]:
        for n in [1, 7, 33, 100]:
            torch.manual_seed(seed)
            add('randint', seed, 'int32', n, vals(torch.randint(lo, hi, (n,))), low=lo, high=hi)
    for lo, hi in [(0, 10), (-5, 5), (3, 2**24)]:
        torch.manual_seed(seed)
        add('randint', seed, 'float32', 33, vals(torch.randint(lo, hi, (33,), dtype=torch.float32)), low=lo, high=hi)
    for lo, hi in [(0, 10), (0, 2**40), (-2**33, 2**33)]:  # range >= 2**32 uses random64()
        torch.manual_seed(seed)
        add('randint', seed, 'float64', 33, vals(torch.randint(lo, hi, (33,), dtype=torch.float64)), low=lo, high=hi)
    for lo, hi in [(0, 10), (0, 256)]:
        torch.manual_seed(seed)
        add('randint', seed, 'uint8', 33, vals(torch.randint(lo, hi, (33,), dtype=torch.uint8)), low=lo, high=hi)
    for n in [1, 2, 10, 891, 5000]:
        torch.manual_seed(seed)
        add('randperm', seed, 'int32', n, vals(torch.randperm(n)))

# Sequences from one seed: each step continues the generator state (and its cached normal sample).
SEQS = [
    [('rand', 'float32', 3), ('randn', 'float32', 20), ('randperm', 'int32', 10), ('rand', 'float32', 5)],
    # odd small randn leaves a cached normal that the next small randn consumes first
    [('randn', 'float32', 3), ('randn', 'float32', 1), ('randn', 'float64', 5), ('rand', 'float64', 2),
     ('randn', 'float32', 17), ('randn', 'float64', 3), ('bernoulli', 'float32', 9), ('randn', 'float32', 2)],
    [('randn', 'float64', 1), ('manual_seed', None, 0), ('randn', 'float64', 1)],  # manual_seed drops the cache
    [('rand', 'float32', 700), ('randn', 'float32', 100), ('randint', 'int32', 50), ('rand', 'float64', 3)],
]


def run_step(op, dt, n):
    d = {'float32': torch.float32, 'float64': torch.float64, 'int32': torch.int64}.get(dt)
    if op == 'rand':
        return vals(torch.rand(n, dtype=d))
    if op == 'randn':
        return vals(torch.randn(n, dtype=d))
    if op == 'randperm':
        return vals(torch.randperm(n))
    if op == 'randint':
        return vals(torch.randint(0, 1000, (n,)))
    if op == 'bernoulli':
        return vals(torch.empty(n, dtype=d).bernoulli_(0.5))
    raise ValueError(op)


seqs = []
for steps in SEQS:
    for seed in [0, 42, 442]:
        torch.manual_seed(seed)
        out = []
        for op, dt, n in steps:
            if op == 'manual_seed':
                torch.manual_seed(n)
                out.append({'op': op, 'seed': str(n)})
            else:
                out.append({'op': op, 'dtype': dt, 'n': n, 'values': run_step(op, dt, n)})
        seqs.append({'seed': str(seed), 'steps': out})

meta = {
    'torch': torch.__version__,
    'capability': torch._C._get_cpu_capability() if hasattr(torch._C, '_get_cpu_capability') else None,
    'generator_default_seed': torch.Generator().initial_seed(),
}
here = os.path.dirname(os.path.abspath(__file__))
path = os.path.join(here, '..', '..', 'test', 'golden', 'random.json')
with open(path, 'w') as f:
    json.dump({'meta': meta, 'cases': cases, 'seqs': seqs}, f, separators=(',', ':'))
print(f'wrote {len(cases)} cases, {len(seqs)} sequences to {os.path.normpath(path)}')
