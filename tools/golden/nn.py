#!/usr/bin/python3
"""Golden data for src/nn and src/optim (PyTorch 1.13, Debian python3-torch).

Run with /usr/bin/python3 tools/golden/nn.py; writes test/golden/nn.json. Case groups:
- init:     torch.manual_seed(s) then nn.Linear / nn.Conv2d / nn.init.* draws; fastgrad must be bit-identical.
- repr:     str(module) for the modules fastgrad mirrors, and torch's load_state_dict error text.
- loss:     F.* losses (values, grads w.r.t. input and target, grad_fn names) for each reduction.
- dropout:  F.dropout masks for a seed (CPU dropout = empty_like(x).bernoulli_(1-p).div_(1-p), x * noise).
- optim:    parameters after each step of torch.optim and of fastai's optimizers, whose formulas
            (fastai/optimizer.py) are written out below because fastai is not installed.
"""
import os

from common import tensor_json, write_cases, torch  # common must come before torch (see common.py)

import torch.nn as nn  # noqa: E402
import torch.nn.functional as F  # noqa: E402

torch.set_num_threads(1)
cases = []
T = tensor_json


def opt_t(t):
    return None if t is None else T(t)


def digest(t):
    """Big init draws: full values up to 512 elements, else the first/last 64 values and the float64 sums
    of the values and their squares, summed in order (fastgrad sums the same way, so equality is exact)."""
    if t.numel() <= 512:
        return T(t)
    vals = t.detach().float().reshape(-1).tolist()
    s = s2 = 0.0
    for v in vals:
        s += v
        s2 += v * v
    return {'numel': len(vals), 'head': vals[:64], 'tail': vals[-64:], 'sum': s, 'sumsq': s2}


# ---------------------------------------------------------------- init
for seed in [0, 42]:
    for (i, o, bias) in [(784, 30, True), (30, 1, True), (3, 2, True), (3, 2, False), (1, 1, True)]:
        torch.manual_seed(seed)
        m = nn.Linear(i, o, bias=bias)
        cases.append({'group': 'init', 'kind': 'linear', 'name': f'Linear({i}, {o}, bias={bias}) seed={seed}', 'seed': seed,
                      'args': [i, o], 'bias': bias, 'weight': digest(m.weight), 'bias_value': opt_t(m.bias)})
CONVS = [
    (3, 16, 3, {}), (4, 8, (3, 5), {'groups': 2, 'bias': False}), (6, 6, 3, {'groups': 6}),
    (1, 4, 5, {'stride': 2, 'padding': 2}), (2, 3, (1, 2), {'dilation': 2}),
]
for seed in [0, 7]:
    for (ci, co, k, kw) in CONVS:
        torch.manual_seed(seed)
        m = nn.Conv2d(ci, co, k, **kw)
        cases.append({'group': 'init', 'kind': 'conv2d', 'name': f'Conv2d({ci}, {co}, {k}, {kw}) seed={seed}', 'seed': seed,
                      'args': [ci, co, list(k) if isinstance(k, tuple) else k], 'kwargs': kw,
                      'weight': digest(m.weight), 'bias_value': opt_t(m.bias)})
# the book's simple_net, built after one seed (draws continue across layers)
torch.manual_seed(42)
net = nn.Sequential(nn.Linear(784, 30), nn.ReLU(), nn.Linear(30, 1))
cases.append({'group': 'init', 'kind': 'simple_net', 'name': 'simple_net seed=42', 'seed': 42,
              'state': {k: digest(v) for k, v in net.state_dict().items()}})

INITS = [
    ('kaiming_normal_', (30, 784), {}),
    ('kaiming_normal_', (16, 3, 3, 3), {'mode': 'fan_out', 'nonlinearity': 'relu'}),
    ('kaiming_normal_', (7, 5), {'a': 0.1}),
    ('kaiming_uniform_', (30, 784), {}),
    ('kaiming_uniform_', (8, 4, 3, 3), {'a': 5 ** 0.5, 'mode': 'fan_out'}),
    ('xavier_uniform_', (30, 784), {}),
    ('xavier_uniform_', (8, 4, 3, 3), {'gain': nn.init.calculate_gain('relu')}),
    ('xavier_normal_', (20, 10), {}),
    ('xavier_normal_', (5, 3), {'gain': 2.0}),
    ('normal_', (30, 784), {}),
    ('normal_', (13,), {'mean': 1.0, 'std': 0.01}),
    ('uniform_', (17, 3), {'a': -0.1, 'b': 0.2}),
]
for seed in [0, 42]:
    for fn, shape, kw in INITS:
        torch.manual_seed(seed)
        t = getattr(nn.init, fn)(torch.empty(shape), **kw)
        cases.append({'group': 'init', 'kind': 'fn', 'fn': fn, 'name': f'{fn}{shape} {kw} seed={seed}', 'seed': seed,
                      'shape': list(shape), 'kwargs': kw, 'out': digest(t)})
for nl, p in [('linear', None), ('sigmoid', None), ('tanh', None), ('relu', None), ('leaky_relu', None),
              ('leaky_relu', 0.2), ('selu', None), ('conv2d', None)]:
    cases.append({'group': 'init', 'kind': 'gain', 'name': f'calculate_gain({nl}, {p})', 'args': [nl, p],
                  'out': nn.init.calculate_gain(nl, p)})

# ---------------------------------------------------------------- repr


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(1, 4, 3, padding=1)
        self.body = nn.Sequential(nn.Linear(4, 4), nn.ReLU(), nn.Dropout(0.25))
        self.head = nn.Linear(4, 2)
        self.register_buffer('scale', torch.ones(2))
        self.register_buffer('tmp', torch.zeros(1), persistent=False)

    def forward(self, x):
        return self.head(self.body(self.conv(x).mean((2, 3)))) * self.scale


class Tied(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Linear(3, 3)
        self.dec = nn.Linear(3, 3)
        self.dec.weight = self.enc.weight

    def forward(self, x):
        return self.dec(self.enc(x))


_shared = nn.Linear(2, 2)
REPRS = {
    'simple_net': nn.Sequential(nn.Linear(784, 30), nn.ReLU(), nn.Linear(30, 1)),
    'linear_nobias': nn.Linear(3, 2, bias=False),
    'conv_basic': nn.Conv2d(3, 16, 3),
    'conv_full': nn.Conv2d(4, 8, (3, 5), stride=2, padding=(1, 2), dilation=(2, 1), groups=2, bias=False),
    'dropout': nn.Dropout(0.25),
    'dropout_default': nn.Dropout(),
    'flatten': nn.Flatten(),
    'flatten_0_2': nn.Flatten(0, 2),
    'softmax': nn.Softmax(dim=1),
    'leaky_relu': nn.LeakyReLU(0.2),
    'leaky_relu_default': nn.LeakyReLU(),
    'identity': nn.Identity(),
    'tanh': nn.Tanh(),
    'sigmoid': nn.Sigmoid(),
    'module_list': nn.ModuleList([nn.Linear(2, 2), nn.ReLU()]),
    'empty_sequential': nn.Sequential(),
    'nested': nn.Sequential(nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU()), nn.Flatten(), nn.Linear(8, 10)),
    'net': Net(),
    'tied': Tied(),
    'shared_module': nn.Sequential(_shared, nn.ReLU(), _shared),
    'mse': nn.MSELoss(), 'l1': nn.L1Loss(), 'ce': nn.CrossEntropyLoss(), 'nll': nn.NLLLoss(),
    'bce': nn.BCELoss(), 'bce_logits': nn.BCEWithLogitsLoss(),
}
for name, m in REPRS.items():
    entry = {'group': 'repr', 'name': name, 'repr': str(m),
             'named_parameters': [k for k, _ in m.named_parameters()],
             'state_dict': list(m.state_dict().keys()),
             'named_modules': [k for k, _ in m.named_modules()],
             'named_children': [k for k, _ in m.named_children()]}
    cases.append(entry)

m = nn.Sequential(nn.Linear(2, 2), nn.ReLU(), nn.Linear(2, 1))
try:
    m.load_state_dict({'0.weight': torch.zeros(3, 2), '2.weight': torch.zeros(1, 2), 'extra': torch.zeros(1), 'extra2': torch.zeros(1)})
except RuntimeError as e:
    cases.append({'group': 'repr', 'name': 'load_state_dict_error', 'message': str(e)})

# ---------------------------------------------------------------- losses
REDS = ['mean', 'sum', 'none']


def gen(shape, seed, scale=1.0):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(shape, generator=g) * scale).float()


def loss_case(name, fn, inp, tgt, kw, grad_target=False, opts_json=None):
    for red in REDS:
        x = inp.clone().requires_grad_(True)
        t = tgt.clone().requires_grad_(grad_target) if tgt.is_floating_point() else tgt.clone()
        out = getattr(F, fn)(x, t, reduction=red, **kw)
        gout = None
        if red == 'none':
            gout = gen(out.shape, 99)
            out.backward(gout)
        else:
            out.backward()
        cases.append({'group': 'loss', 'fn': fn, 'name': f'{name} reduction={red}', 'reduction': red,
                      'input': T(inp), 'target': T(tgt), 'target_requires_grad': grad_target,
                      'opts': opts_json or {}, 'gout': opt_t(gout), 'out': T(out), 'grad_input': T(x.grad),
                      'grad_target': opt_t(t.grad) if grad_target else None,
                      'grad_fn': type(out.grad_fn).__name__})


loss_case('l1 [3, 4]', 'l1_loss', gen((3, 4), 1), gen((3, 4), 2), {}, grad_target=True)
loss_case('l1 [5]', 'l1_loss', gen((5,), 3), gen((5,), 4), {})
loss_case('mse [3, 4]', 'mse_loss', gen((3, 4), 1), gen((3, 4), 2), {}, grad_target=True)
loss_case('mse [2, 3, 2]', 'mse_loss', gen((2, 3, 2), 5), gen((2, 3, 2), 6), {})

logp = F.log_softmax(gen((5, 4), 7), 1)
tg = torch.tensor([0, 3, 1, 1, 2])
w = torch.tensor([0.2, 1.0, 2.5, 0.7])
loss_case('nll [5, 4]', 'nll_loss', logp, tg, {})
loss_case('nll weight', 'nll_loss', logp, tg, {'weight': w}, opts_json={'weight': T(w)})
loss_case('nll ignore_index=1', 'nll_loss', logp, tg, {'ignore_index': 1}, opts_json={'ignore_index': 1})
loss_case('nll ignore -100 + weight', 'nll_loss', logp, torch.tensor([0, -100, 1, -100, 2]), {'weight': w}, opts_json={'weight': T(w)})
loss_case('nll all ignored', 'nll_loss', logp, torch.tensor([-100] * 5), {})
loss_case('nll 1-D input', 'nll_loss', logp[2].contiguous(), torch.tensor(3), {})
loss_case('nll 1-D input weight', 'nll_loss', logp[2].contiguous(), torch.tensor(2), {'weight': w}, opts_json={'weight': T(w)})

torch.random.manual_seed(42)
acts = torch.randn((6, 2)) * 2
targ = torch.tensor([0, 1, 0, 1, 1, 0])
loss_case('book acts', 'cross_entropy', acts, targ, {})
logits = gen((5, 4), 8, 3.0)
loss_case('ce [5, 4]', 'cross_entropy', logits, tg, {})
loss_case('ce weight', 'cross_entropy', logits, tg, {'weight': w}, opts_json={'weight': T(w)})
loss_case('ce ignore_index=3', 'cross_entropy', logits, tg, {'ignore_index': 3}, opts_json={'ignore_index': 3})
loss_case('ce large logits', 'cross_entropy', torch.tensor([[100., -100., 0.], [-80., 80., 81.]]), torch.tensor([1, 2]), {})
loss_case('ce 1-D input', 'cross_entropy', logits[1].contiguous(), torch.tensor(2), {})
loss_case('ce label_smoothing=0.1', 'cross_entropy', logits, tg, {'label_smoothing': 0.1}, opts_json={'label_smoothing': 0.1})
loss_case('ce label_smoothing ignore', 'cross_entropy', logits, torch.tensor([0, 3, -100, 1, 2]),
          {'label_smoothing': 0.3}, opts_json={'label_smoothing': 0.3})
loss_case('ce label_smoothing 1-D input', 'cross_entropy', logits[1].contiguous(), torch.tensor(2),
          {'label_smoothing': 0.1}, opts_json={'label_smoothing': 0.1})
loss_case('ce label_smoothing weight ignore', 'cross_entropy', logits, torch.tensor([0, 3, -100, 1, 2]),
          {'label_smoothing': 0.2, 'weight': w}, opts_json={'label_smoothing': 0.2, 'weight': T(w)})
probs = F.softmax(gen((5, 4), 9), 1)
loss_case('ce probability targets', 'cross_entropy', logits, probs, {}, grad_target=True)
loss_case('ce probability targets weight', 'cross_entropy', logits, probs, {'weight': w}, grad_target=True, opts_json={'weight': T(w)})

p = torch.sigmoid(gen((3, 4), 10))
p[0, 0], p[1, 1], p[2, 2] = 0.0, 1.0, 1.0
y = torch.rand((3, 4), generator=torch.Generator().manual_seed(11))
y[0, 0], y[1, 1], y[2, 2] = 0.0, 1.0, 0.0  # the last one: probability 1 for target 0 → the -100 clamp
loss_case('bce with 0 and 1', 'binary_cross_entropy', p, y, {})
pt = torch.sigmoid(gen((6,), 12))
yt = torch.rand((6,), generator=torch.Generator().manual_seed(13))
loss_case('bce target grad', 'binary_cross_entropy', pt, yt, {}, grad_target=True)
bw = torch.tensor([1.0, 0.5, 2.0, 0.0, 1.5, 3.0])
loss_case('bce weight', 'binary_cross_entropy', pt, yt, {'weight': bw}, opts_json={'weight': T(bw)})

z = gen((3, 4), 14, 3.0)
z[0, 0], z[0, 1], z[1, 0], z[1, 1] = 100.0, -100.0, 30.0, -30.0
yz = (torch.rand((3, 4), generator=torch.Generator().manual_seed(15)) > 0.5).float()
yz[0, 0], yz[0, 1] = 0.0, 1.0
loss_case('bce logits', 'binary_cross_entropy_with_logits', z, yz, {}, grad_target=True)
pw = torch.tensor([1.0, 2.0, 0.5, 3.0])
loss_case('bce logits pos_weight', 'binary_cross_entropy_with_logits', z, yz, {'pos_weight': pw}, grad_target=True,
          opts_json={'pos_weight': T(pw)})
wz = torch.tensor([[0.5], [1.0], [2.0]])
loss_case('bce logits weight', 'binary_cross_entropy_with_logits', z, yz, {'weight': wz}, opts_json={'weight': T(wz)})

# ---------------------------------------------------------------- dropout
for seed, p_, shape in [(0, 0.5, (4, 5)), (42, 0.2, (3, 7)), (1, 0.9, (50,)), (7, 0.5, (2, 3, 40)), (3, 0.1, (1000,))]:
    x = gen(shape, seed + 100)
    torch.manual_seed(seed)
    xr = x.clone().requires_grad_(True)
    out = F.dropout(xr, p_, training=True)
    gout = gen(shape, 5)
    out.backward(gout)
    cases.append({'group': 'dropout', 'name': f'dropout p={p_} {shape} seed={seed}', 'seed': seed, 'p': p_,
                  'input': T(x), 'out': T(out), 'gout': T(gout), 'grad_input': T(xr.grad), 'grad_fn': type(out.grad_fn).__name__})

# ---------------------------------------------------------------- optimizers
# fastai/optimizer.py, written out (fastai 2.7): each callback takes the parameter, its state and the hypers.


def weight_decay(p, lr, wd, do_wd=True, **kw):
    "Weight decay as decaying `p` with `lr*wd`"
    if do_wd and wd != 0:
        p.data.mul_(1 - lr * wd)


def l2_reg(p, lr, wd, do_wd=True, **kw):
    "L2 regularization as adding `wd*p` to `p.grad`"
    if do_wd and wd != 0:
        p.grad.data.add_(p.data, alpha=wd)


def average_grad(p, mom, dampening=False, grad_avg=None, **kw):
    "Keeps track of the avg grads of `p` in `state` with `mom`."
    if grad_avg is None:
        grad_avg = torch.zeros_like(p.grad.data)
    damp = 1 - mom if dampening else 1.
    grad_avg.mul_(mom).add_(p.grad.data, alpha=damp)
    return {'grad_avg': grad_avg}


def average_sqr_grad(p, sqr_mom, dampening=True, sqr_avg=None, **kw):
    if sqr_avg is None:
        sqr_avg = torch.zeros_like(p.grad.data)
    damp = 1 - sqr_mom if dampening else 1.
    sqr_avg.mul_(sqr_mom).addcmul_(p.grad.data, p.grad.data, value=damp)
    return {'sqr_avg': sqr_avg}


def step_stat(p, step=0, **kw):
    "Register the number of steps done in `state` for `p`"
    step += 1
    return {'step': step}


def debias(mom, damp, step):
    return damp * (1 - mom ** step) / (1 - mom)


def adam_step(p, lr, mom, step, sqr_mom, grad_avg, sqr_avg, eps, **kw):
    "Step for Adam with `lr` on `p`"
    debias1 = debias(mom, 1 - mom, step)
    debias2 = debias(sqr_mom, 1 - sqr_mom, step)
    p.data.addcdiv_(grad_avg, (sqr_avg / debias2).sqrt() + eps, value=-lr / debias1)


def sgd_step(p, lr, **kw):
    p.data.add_(p.grad.data, alpha=-lr)


def momentum_step(p, lr, grad_avg, **kw):
    "Step for SGD with momentum with `lr`"
    p.data.add_(grad_avg, alpha=-lr)


class FastaiOptimizer:
    def __init__(self, params, cbs, **hypers):
        self.params, self.cbs, self.hypers = list(params), cbs, hypers
        self.state = {p: {} for p in self.params}

    @torch.no_grad()
    def step(self):
        for p in self.params:
            if p.grad is None:
                continue
            state = self.state[p]
            for cb in self.cbs:
                upd = cb(p, **{**state, **self.hypers})
                if upd:
                    state.update(upd)


def fastai_sgd(params, lr, mom=0., wd=0., decouple_wd=True):
    cbs = [weight_decay] if decouple_wd else [l2_reg]
    if mom != 0:
        cbs.append(average_grad)
    cbs.append(sgd_step if mom == 0 else momentum_step)
    return FastaiOptimizer(params, cbs, lr=lr, mom=mom, wd=wd)


def fastai_adam(params, lr, mom=0.9, sqr_mom=0.99, eps=1e-5, wd=0.01, decouple_wd=True):
    cbs = [weight_decay] if decouple_wd else [l2_reg]
    cbs += [lambda p, **kw: average_grad(p, dampening=True, **kw), average_sqr_grad, step_stat, adam_step]
    return FastaiOptimizer(params, cbs, lr=lr, mom=mom, sqr_mom=sqr_mom, eps=eps, wd=wd)


def make_model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 1))


xo = gen((8, 4), 20)
yo = gen((8, 1), 21)
STEPS = 5
OPTS = [
    # name, fastgrad constructor + opts, torch optimizer or None, fastai optimizer
    ('SGD lr=0.1', 'SGD', {'lr': 0.1},
     lambda ps: torch.optim.SGD(ps, lr=0.1), lambda ps: fastai_sgd(ps, 0.1)),
    ('SGD lr=0.1 mom=0.9', 'SGD', {'lr': 0.1, 'mom': 0.9},
     lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9), lambda ps: fastai_sgd(ps, 0.1, mom=0.9)),
    ('SGD lr=0.1 mom=0.9 wd=0.01 decoupled', 'SGD', {'lr': 0.1, 'mom': 0.9, 'wd': 0.01},
     None, lambda ps: fastai_sgd(ps, 0.1, mom=0.9, wd=0.01)),
    ('SGD lr=0.1 mom=0.9 wd=0.01 l2', 'SGD', {'lr': 0.1, 'mom': 0.9, 'wd': 0.01, 'decoupleWd': False},
     lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.01), lambda ps: fastai_sgd(ps, 0.1, mom=0.9, wd=0.01, decouple_wd=False)),
    ('SGD lr=0.05 wd=0.1 decoupled', 'SGD', {'lr': 0.05, 'wd': 0.1},
     None, lambda ps: fastai_sgd(ps, 0.05, wd=0.1)),
    ('Adam lr=0.01 (fastai defaults)', 'Adam', {'lr': 0.01},
     lambda ps: torch.optim.AdamW(ps, lr=0.01, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01), lambda ps: fastai_adam(ps, 0.01)),
    ('Adam lr=0.01 wd=0.01 l2', 'Adam', {'lr': 0.01, 'decoupleWd': False},
     lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.9, 0.99), eps=1e-5, weight_decay=0.01), lambda ps: fastai_adam(ps, 0.01, decouple_wd=False)),
    ('Adam lr=0.003 wd=0 mom=0.8 sqrMom=0.95', 'Adam', {'lr': 0.003, 'wd': 0, 'mom': 0.8, 'sqrMom': 0.95},
     lambda ps: torch.optim.Adam(ps, lr=0.003, betas=(0.8, 0.95), eps=1e-5), lambda ps: fastai_adam(ps, 0.003, mom=0.8, sqr_mom=0.95, wd=0.)),
]


def run(make_opt):
    model = make_model()
    names = [k for k, _ in model.named_parameters()]
    opt = make_opt(list(model.parameters()))
    steps = []
    for _ in range(STEPS):
        for p_ in model.parameters():
            p_.grad = None
        loss = F.mse_loss(model(xo), yo)
        loss.backward()
        grads = [T(p_.grad.clone()) for p_ in model.parameters()]
        opt.step()
        steps.append({'loss': loss.item(), 'grads': grads, 'params': [T(p_.detach().clone()) for p_ in model.parameters()]})
    return names, steps


def max_rel(a, b):
    return max(((x - y).abs() / y.abs().clamp_min(1e-6)).max().item() for x, y in zip(a, b))


init = make_model()
for name, ctor, opts, torch_opt, fastai_opt in OPTS:
    names, steps = run(fastai_opt)
    if torch_opt is not None:  # the written-out fastai formulas agree with torch.optim where torch has the same optimizer
        _, tsteps = run(torch_opt)
        for s, ts in zip(steps, tsteps):
            a = [torch.tensor(q['data']) for q in s['params']]
            b = [torch.tensor(q['data']) for q in ts['params']]
            assert max_rel(a, b) < 1e-5, (name, max_rel(a, b))
    cases.append({'group': 'optim', 'name': name, 'ctor': ctor, 'opts': opts, 'torch_equivalent': torch_opt is not None,
                  'x': T(xo), 'y': T(yo), 'param_names': names, 'init': [T(p_) for p_ in init.parameters()], 'steps': steps})

# two param groups with their own lr (torch.optim groups; fastai splits)
model = make_model()
opt = torch.optim.SGD([{'params': model[0].parameters(), 'lr': 0.01}, {'params': model[2].parameters()}], lr=0.2, momentum=0.5)
steps = []
for _ in range(STEPS):
    opt.zero_grad()
    loss = F.mse_loss(model(xo), yo)
    loss.backward()
    grads = [T(p_.grad.clone()) for p_ in model.parameters()]
    opt.step()
    steps.append({'loss': loss.item(), 'grads': grads, 'params': [T(p_.detach().clone()) for p_ in model.parameters()]})
cases.append({'group': 'optim', 'name': 'SGD param groups lr=[0.01, 0.2] mom=0.5', 'ctor': 'SGD', 'opts': {'lr': 0.2, 'mom': 0.5},
              'groups': [{'params': [0, 1], 'lr': 0.01}, {'params': [2, 3]}], 'torch_equivalent': True,
              'x': T(xo), 'y': T(yo), 'param_names': [k for k, _ in model.named_parameters()],
              'init': [T(p_) for p_ in init.parameters()], 'steps': steps})

here = os.path.dirname(os.path.abspath(__file__))
write_cases(os.path.join(here, '..', '..', 'test', 'golden', 'nn.json'), cases,
            {'groups': {g: sum(c['group'] == g for c in cases) for g in ['init', 'repr', 'loss', 'dropout', 'optim']}})
