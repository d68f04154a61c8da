"""Golden values for the Titanic-from-scratch lesson (course22 "Linear model and neural net from scratch"),
computed with Debian's torch 1.13 on Kaggle's train.csv/test.csv, following the notebook step by step.

Data: $FASTGRAD_DATA/titanic, else ../shared/data/titanic (relative to the repo root); skipped when absent.
pandas is not installed here, so the frame steps (mode, fillna, get_dummies) are written out with the csv
module, keeping pandas' semantics (mode ties -> the smallest value). Writes test/golden/titanic.json.
"""
import csv
import json
import math
import os
import sys
from collections import Counter

from common import torch  # noqa: F401  (imports torch without this folder shadowing `random`)
import torch.nn.functional as F  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
data = os.path.join(os.environ.get('FASTGRAD_DATA') or os.path.join(root, '..', 'shared', 'data'), 'titanic')
if not os.path.exists(os.path.join(data, 'train.csv')):
    print(f'titanic.py: skipped, no train.csv in {data}')
    sys.exit(0)

NUMERIC = {'PassengerId', 'Survived', 'Pclass', 'Age', 'SibSp', 'Parch', 'Fare'}


def read(path):
    with open(path, newline='') as f:
        rows = list(csv.DictReader(f))
    return [{k: (None if v == '' else float(v) if k in NUMERIC else v) for k, v in r.items()} for r in rows]


def modes(rows):
    """pandas df.mode().iloc[0]: the most frequent value per column, the smallest on ties."""
    out = {}
    for k in rows[0]:
        c = Counter(r[k] for r in rows if r[k] is not None)
        top = max(c.values())
        out[k] = min(v for v, n in c.items() if n == top)
    return out


added_cols = ['Sex_male', 'Sex_female', 'Pclass_1', 'Pclass_2', 'Pclass_3', 'Embarked_C', 'Embarked_Q', 'Embarked_S']
indep_cols = ['Age', 'SibSp', 'Parch', 'LogFare'] + added_cols


def prepare(rows, mode):
    for r in rows:
        for k, v in r.items():
            if v is None:
                r[k] = mode[k]
        r['LogFare'] = math.log(r['Fare'] + 1)  # np.log on float64, like the notebook
        for col in ('Sex', 'Pclass', 'Embarked'):
            for d in added_cols:
                if d.startswith(col + '_'):
                    v = r[col]
                    r[d] = 1.0 if (str(int(v)) if col == 'Pclass' else v) == d[len(col) + 1:] else 0.0
    return torch.tensor([[r[c] for c in indep_cols] for r in rows], dtype=torch.float)


train = read(os.path.join(data, 'train.csv'))
missing = {k: sum(r[k] is None for r in train) for k in train[0]}
mode = modes(train)
t_indep = prepare(train, mode)
t_dep = torch.tensor([int(r['Survived']) for r in train])

torch.manual_seed(442)
n_coeff = t_indep.shape[1]
coeffs = torch.rand(n_coeff) - 0.5
first_coeffs = coeffs.clone()
vals, indices = t_indep.max(dim=0)
t_indep = t_indep / vals


def calc_loss(coeffs, indeps, deps): return torch.abs(calc_preds(coeffs, indeps) - deps).mean()
def calc_preds(coeffs, indeps): return (indeps * coeffs).sum(axis=1)


# The notebook calls backward() three times before its first step (twice to show that gradients add up).
coeffs.requires_grad_()
loss0 = calc_loss(coeffs, t_indep, t_dep)
loss0.backward()
grad1 = coeffs.grad.clone()
calc_loss(coeffs, t_indep, t_dep).backward()
calc_loss(coeffs, t_indep, t_dep).backward()
with torch.no_grad():
    coeffs.sub_(coeffs.grad * 0.1)
    coeffs.grad.zero_()
    loss1 = calc_loss(coeffs, t_indep, t_dep)

# fastai RandomSplitter(seed=42)(df)
torch.manual_seed(42)
rand_idx = torch.randperm(len(train)).tolist()
cut = int(0.2 * len(train))
trn_split, val_split = rand_idx[cut:], rand_idx[:cut]
trn_indep, val_indep = t_indep[trn_split], t_indep[val_split]
trn_dep, val_dep = t_dep[trn_split], t_dep[val_split]

losses = []


def update_coeffs(coeffs, lr):
    coeffs.sub_(coeffs.grad * lr)
    coeffs.grad.zero_()


def one_epoch(coeffs, lr):
    loss = calc_loss(coeffs, trn_indep, trn_dep)
    loss.backward()
    with torch.no_grad(): update_coeffs(coeffs, lr)
    losses.append(loss.item())


def init_coeffs(): return (torch.rand(n_coeff) - 0.5).requires_grad_()


def train_model(epochs=30, lr=0.01):
    torch.manual_seed(442)
    coeffs = init_coeffs()
    for i in range(epochs): one_epoch(coeffs, lr=lr)
    return coeffs


def acc(coeffs): return (val_dep.bool() == (calc_preds(coeffs, val_indep) > 0.5)).float().mean().item()


stages = []


def stage(name, coeffs, book, lrs):
    def flat(c): return [x for t in c for x in flat(t)] if isinstance(c, (list, tuple)) else [c.detach().reshape(-1).tolist()]
    stages.append({'name': name, 'lrs': lrs, 'accuracy': acc(coeffs), 'bookAccuracy': book, 'losses': losses[:],
                   'coeffs': flat(coeffs)})
    losses.clear()


stage('linear', train_model(18, lr=0.2), 0.7865, [0.2])

def calc_preds(coeffs, indeps): return torch.sigmoid((indeps * coeffs).sum(axis=1))  # noqa: E302
sig = train_model(lr=100)
stage('sigmoid', sig, 0.8258, [100])

# Kaggle submission from the sigmoid model, as the notebook
test = read(os.path.join(data, 'test.csv'))
for r in test:
    if r['Fare'] is None: r['Fare'] = 0.0
tst_indep = prepare(test, mode) / vals
with torch.no_grad():
    submission = (calc_preds(tst_indep, sig) > 0.5).int().tolist()

def calc_preds(coeffs, indeps): return torch.sigmoid(indeps @ coeffs)  # noqa: E302
def init_coeffs(): return (torch.rand(n_coeff, 1) * 0.1).requires_grad_()  # noqa: E302
trn_dep = trn_dep[:, None]
val_dep = val_dep[:, None]
stage('matrix', train_model(lr=100), 0.8258, [100])


def init_coeffs(n_hidden=20):
    layer1 = (torch.rand(n_coeff, n_hidden) - 0.5) / n_hidden
    layer2 = torch.rand(n_hidden, 1) - 0.3
    const = torch.rand(1)[0]
    return layer1.requires_grad_(), layer2.requires_grad_(), const.requires_grad_()


def calc_preds(coeffs, indeps):
    l1, l2, const = coeffs
    res = F.relu(indeps @ l1)
    res = res @ l2 + const
    return torch.sigmoid(res)


def update_coeffs(coeffs, lr):
    for layer in coeffs:
        layer.sub_(layer.grad * lr)
        layer.grad.zero_()


train_model(lr=1.4)
first_nn_losses = losses[:]
losses.clear()
stage('neural-net', train_model(lr=20), 0.8258, [1.4, 20])
stages[-1]['lossesLr1_4'] = first_nn_losses


def init_coeffs():
    hiddens = [10, 10]
    sizes = [n_coeff] + hiddens + [1]
    n = len(sizes)
    layers = [(torch.rand(sizes[i], sizes[i + 1]) - 0.3) / sizes[i + 1] * 4 for i in range(n - 1)]
    consts = [(torch.rand(1)[0] - 0.5) * 0.1 for i in range(n - 1)]
    for l in layers + consts: l.requires_grad_()
    return layers, consts


def calc_preds(coeffs, indeps):
    layers, consts = coeffs
    n = len(layers)
    res = indeps
    for i, l in enumerate(layers):
        res = res @ l + consts[i]
        if i != n - 1: res = F.relu(res)
    return torch.sigmoid(res)


def update_coeffs(coeffs, lr):
    layers, consts = coeffs
    for layer in layers + consts:
        layer.sub_(layer.grad * lr)
        layer.grad.zero_()


stage('deep', train_model(lr=4), 0.8258, [4])

out = {
    'meta': {'generator': 'tools/golden/titanic.py', 'torch': torch.__version__,
             'data': 'Kaggle titanic train.csv (md5 2309cc5f04782ed9bb6016d9f4e381cf) and test.csv'},
    'rows': len(train), 'missing': missing,
    'modes': {k: mode[k] for k in ('Age', 'SibSp', 'Parch', 'Fare', 'Embarked', 'Sex', 'Pclass', 'Cabin')},
    'colMax': vals.tolist(), 'firstCoeffs': first_coeffs.tolist(),
    'firstLoss': loss0.item(), 'firstGrad': grad1.tolist(), 'lossAfterStep': loss1.item(),
    'split': {'train': len(trn_split), 'valid': len(val_split), 'trainIdx': trn_split, 'validIdx': val_split},
    'stages': stages, 'submission': {'passengerIds': [int(r['PassengerId']) for r in test], 'survived': submission},
}
path = os.path.join(root, 'test', 'golden', 'titanic.json')
with open(path, 'w') as f:  # one top-level key (and one stage) per line: reviewable diffs
    items = [f' {json.dumps(k)}: {json.dumps(v, allow_nan=False)}' for k, v in out.items() if k != 'stages']
    items.append(' "stages": [\n' + ',\n'.join('  ' + json.dumps(s_, allow_nan=False) for s_ in stages) + '\n ]')
    f.write('{\n' + ',\n'.join(items) + '\n}\n')
print(f'wrote {path}')
for s in stages:
    print(f"{s['name']:>10}: {s['accuracy']:.4f} (book {s['bookAccuracy']}), first losses {[round(x, 4) for x in s['losses'][:3]]}")
print('first loss', round(loss0.item(), 4), '-> after step', round(loss1.item(), 4))
