#!/usr/bin/python3
"""Golden trajectories for dev.tersor.nn.optim, from PyTorch 1.13 (Debian's python3-torch).

Run from this folder:  /usr/bin/python3 generate.py > golden.txt

Optimizers run 5 steps in float64 on parameters and gradients that are exact float32 values
(the Java side computes in float32). Schedulers record the learning rate of each group before
each of 100 steps. Keep the case tables in OptimizerCases.java and SchedulerTest.java in sync.

File format, one record per line, fields separated by single spaces:
  param  <name> <shape, comma-separated> <values...>
  grad   <name> <step 1..5> <values...>         (no line: the parameter has no grad that step)
  expect <case> <name> <step 1..5> <values...>  (parameter values after that step)
  lr     <case> <group> <100 values>            (lr before step t = 0..99)
"""
import math

import torch

torch.set_default_dtype(torch.float64)
STEPS = 5


def f32(t):
    return t.float().double()


gen = torch.Generator().manual_seed(1234)
PARAMS = {
    # kept away from 0 so that relative comparison is meaningful
    "a": f32(torch.randn(2, 3, generator=gen).sign() * (0.5 + torch.rand(2, 3, generator=gen))),
    "b": f32(torch.randn(4, generator=gen).sign() * (0.5 + torch.rand(4, generator=gen))),
}
# gradient magnitudes vary by step (large, then small) so AMSGrad's max differs from the average
SCALES = [1.0, 2.0, 0.5, 0.05, 0.02]
GRADS = {
    name: [f32(torch.randn(*p.shape, generator=gen) * s) for s in SCALES] for name, p in PARAMS.items()
}
MISSING = {("b", 3)}  # parameter b has no gradient at step 3 (it must be skipped)

O = torch.optim
CASES = [
    # name, optimizer class, [(param names, options)]
    ("sgd_plain", O.SGD, [(["a"], dict(lr=0.1))]),
    ("sgd_momentum", O.SGD, [(["a"], dict(lr=0.1, momentum=0.9))]),
    ("sgd_dampening", O.SGD, [(["a"], dict(lr=0.1, momentum=0.9, dampening=0.3))]),
    ("sgd_nesterov", O.SGD, [(["a"], dict(lr=0.1, momentum=0.9, nesterov=True))]),
    ("sgd_weight_decay", O.SGD, [(["a"], dict(lr=0.1, weight_decay=0.05))]),
    ("sgd_momentum_weight_decay", O.SGD, [(["a"], dict(lr=0.1, momentum=0.5, weight_decay=0.05))]),
    ("adam", O.Adam, [(["a"], dict(lr=0.01))]),
    ("adam_betas_eps", O.Adam, [(["a"], dict(lr=0.02, betas=(0.8, 0.99), eps=1e-3))]),
    ("adam_amsgrad", O.Adam, [(["a"], dict(lr=0.01, amsgrad=True))]),
    ("adam_weight_decay", O.Adam, [(["a"], dict(lr=0.01, weight_decay=0.1))]),
    ("adam_amsgrad_weight_decay", O.Adam, [(["a"], dict(lr=0.01, amsgrad=True, weight_decay=0.1, eps=1e-6))]),
    ("adamw", O.AdamW, [(["a"], dict(lr=0.01, weight_decay=0.1))]),
    ("adamw_amsgrad", O.AdamW, [(["a"], dict(lr=0.01, weight_decay=0.1, amsgrad=True))]),
    ("rmsprop", O.RMSprop, [(["a"], dict(lr=0.01))]),
    ("rmsprop_centered", O.RMSprop, [(["a"], dict(lr=0.01, alpha=0.9, centered=True))]),
    ("rmsprop_momentum", O.RMSprop, [(["a"], dict(lr=0.01, momentum=0.9))]),
    ("rmsprop_centered_momentum_weight_decay", O.RMSprop,
     [(["a"], dict(lr=0.01, alpha=0.95, centered=True, momentum=0.5, weight_decay=0.1, eps=1e-4))]),
    ("sgd_groups", O.SGD, [(["a"], dict(lr=0.1, momentum=0.9)),
                           (["b"], dict(lr=0.01, momentum=0.9, weight_decay=0.1))]),
    ("adam_groups", O.Adam, [(["a"], dict(lr=0.01)),
                             (["b"], dict(lr=0.001, weight_decay=0.1, amsgrad=True))]),
    ("rmsprop_groups", O.RMSprop, [(["a"], dict(lr=0.01, centered=True)),
                                   (["b"], dict(lr=0.02, momentum=0.9))]),
]


def fmt(values):
    return " ".join(repr(float(v)) for v in values)


def optimizer_lines():
    for name, p in PARAMS.items():
        yield "param %s %s %s" % (name, ",".join(str(s) for s in p.shape), fmt(p.flatten()))
    for name, grads in GRADS.items():
        for step, g in enumerate(grads, 1):
            if (name, step) not in MISSING:
                yield "grad %s %d %s" % (name, step, fmt(g.flatten()))
    for case, cls, groups in CASES:
        tensors = {n: PARAMS[n].clone().requires_grad_(True) for names, _ in groups for n in names}
        opt = cls([dict(params=[tensors[n] for n in names], **options) for names, options in groups])
        for step in range(1, STEPS + 1):
            for n, t in tensors.items():
                t.grad = None if (n, step) in MISSING else GRADS[n][step - 1].clone()
            opt.step()
            for n, t in tensors.items():
                yield "expect %s %s %d %s" % (case, n, step, fmt(t.detach().flatten()))


S = O.lr_scheduler


def hf_cosine(warmup, total, min_ratio):
    def factor(t):
        if t < warmup:
            return t / warmup
        progress = (t - warmup) / (total - warmup)
        return min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * progress))
    return factor


SCHEDULES = [
    # name, base lrs of the groups, scheduler factory
    ("step_lr", [0.1], lambda o: S.StepLR(o, step_size=30, gamma=0.1)),
    ("multistep_lr", [0.1], lambda o: S.MultiStepLR(o, milestones=[30, 80], gamma=0.1)),
    ("multistep_lr_repeated", [0.1], lambda o: S.MultiStepLR(o, milestones=[50, 20, 50], gamma=0.5)),
    ("cosine", [0.1], lambda o: S.CosineAnnealingLR(o, T_max=100, eta_min=0.001)),
    ("cosine_no_min", [0.1], lambda o: S.CosineAnnealingLR(o, T_max=100)),
    ("cosine_warmup", [0.1], lambda o: S.LambdaLR(o, hf_cosine(10, 100, 0.0))),
    ("cosine_warmup_min", [0.1], lambda o: S.LambdaLR(o, hf_cosine(10, 100, 0.01))),
    ("onecycle", [0.1], lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=100, cycle_momentum=False)),
    ("onecycle_custom", [0.1], lambda o: S.OneCycleLR(
        o, max_lr=0.05, total_steps=100, pct_start=0.25, div_factor=10.0, final_div_factor=100.0,
        anneal_strategy="linear", three_phase=True, cycle_momentum=False)),
    ("onecycle_cos_three_phase", [0.1], lambda o: S.OneCycleLR(
        o, max_lr=0.2, total_steps=100, pct_start=0.4, three_phase=True, cycle_momentum=False)),
    ("step_lr_groups", [0.1, 0.02], lambda o: S.StepLR(o, step_size=10, gamma=0.5)),
    ("cosine_groups", [0.1, 0.02], lambda o: S.CosineAnnealingLR(o, T_max=100)),
    ("onecycle_groups", [0.1, 0.02], lambda o: S.OneCycleLR(
        o, max_lr=[0.1, 0.01], total_steps=100, cycle_momentum=False)),
]


def scheduler_lines():
    for case, bases, make in SCHEDULES:
        opt = O.SGD([dict(params=[torch.zeros(1, requires_grad=True)], lr=b) for b in bases], lr=bases[0])
        sched = make(opt)
        rows = []
        for _ in range(100):
            rows.append(sched.get_last_lr())
            opt.step()
            sched.step()
        for g in range(len(bases)):
            yield "lr %s %d %s" % (case, g, fmt(r[g] for r in rows))


if __name__ == "__main__":
    print("# generated by generate.py with torch %s; do not edit" % torch.__version__)
    for line in optimizer_lines():
        print(line)
    for line in scheduler_lines():
        print(line)
