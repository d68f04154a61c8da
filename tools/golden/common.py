"""Shared helpers for the golden-fixture generators in tools/golden/ (run them with /usr/bin/python3,
Debian's python3-torch 1.13).

Import this module BEFORE torch (`from common import torch, tensor_json, write_cases`): this folder holds
a random.py, which would shadow the stdlib module torch imports; common imports torch with this folder
left off sys.path.

A tensor in the JSON is {"shape": [...], "dtype": ..., "data": [flat row-major values]}:
- dtype is one of "float32", "float64", "int32", "uint8", "bool". fastgrad has no int64, so torch's
  int64 (its default integer dtype) is written as "int32" and the tensor also gets "torch_dtype": "int64";
  values must fit int32.
- floats are Python floats (json writes repr, which round-trips exactly, also for float32 values);
  nan / inf / -inf are the strings "nan", "inf", "-inf". ints are ints; bools are true/false.
"""
import json
import math
import os
import sys

_here = os.path.dirname(os.path.abspath(__file__))
_saved_path = sys.path[:]
sys.path = [p for p in sys.path if os.path.abspath(p or '.') != _here]
import torch  # noqa: E402

sys.path = _saved_path

DTYPE_NAMES = {
    torch.float32: 'float32', torch.float64: 'float64', torch.int64: 'int32', torch.int32: 'int32',
    torch.uint8: 'uint8', torch.bool: 'bool',
}

INT32_MIN, INT32_MAX = -2 ** 31, 2 ** 31 - 1


def enc(v):
    """A Python scalar as JSON: non-finite floats become "nan"/"inf"/"-inf"."""
    if isinstance(v, float) and not math.isfinite(v):
        return 'nan' if math.isnan(v) else ('inf' if v > 0 else '-inf')
    return v


def tensor_json(t):
    """Serialise a tensor (any layout, detached) to the JSON form described above."""
    t = t.detach().cpu()
    if t.dtype not in DTYPE_NAMES:
        raise TypeError(f'tensor_json: unsupported dtype {t.dtype}')
    vals = t.reshape(-1).tolist()
    if t.dtype == torch.int64:
        bad = [v for v in vals if not INT32_MIN <= v <= INT32_MAX]
        if bad:
            raise ValueError(f'tensor_json: int64 values {bad[:3]} do not fit fastgrad\'s int32')
    out = {'shape': list(t.shape), 'dtype': DTYPE_NAMES[t.dtype], 'data': [enc(v) for v in vals]}
    if t.dtype == torch.int64:
        out['torch_dtype'] = 'int64'
    return out


def write_cases(path, cases, meta=None):
    """Write {"meta": {...}, "cases": [...]} with one case per line (reviewable diffs), no NaN literals."""
    head = {
        'generator': os.path.relpath(os.path.abspath(sys.argv[0]), os.path.dirname(os.path.dirname(_here))),
        'torch': torch.__version__,
        'int64': 'torch int64 tensors are written as dtype "int32" with "torch_dtype": "int64"',
    }
    head.update(meta or {})
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, 'w') as f:
        f.write('{"meta": ' + json.dumps(head, allow_nan=False) + ',\n "cases": [\n')
        f.write(',\n'.join('  ' + json.dumps(c, allow_nan=False) for c in cases))
        f.write('\n]}\n')
    print(f'wrote {len(cases)} cases to {path}')
