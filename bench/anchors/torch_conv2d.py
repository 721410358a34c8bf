#!/usr/bin/python3
"""Anchor for `tersor bench conv2d`: torch.nn.functional.conv2d on CPU, forward or forward+backward.

    /usr/bin/python3 bench/anchors/torch_conv2d.py --batch 64 --in 3 --out 64 --hw 32 \\
        --kernel 3 --pad 1 --threads 1 --backward

Same tensors shapes and method as Tersor: x [N, C, H, H], weight [K, C/g, k, k], bias [K];
with --backward, y.backward(ones) fills x, weight and bias gradients (set to None, untimed,
before every call). Prints progress on stderr and one JSON line on stdout with median_ms and
gflops (2·N·K·(C/g)·k²·Hout·Wout per forward, ×3 with --backward).
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import add_timing_args, check_timing_args, environment, measure  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name, meta in (("batch", "N"), ("in", "C"), ("out", "K"), ("hw", "H"), ("kernel", "k")):
        p.add_argument("--" + name, type=int, required=True, metavar=meta, dest=name + "_")
    p.add_argument("--stride", type=int, default=1)
    p.add_argument("--pad", type=int, default=0)
    p.add_argument("--groups", type=int, default=1)
    p.add_argument("--backward", action="store_true")
    p.add_argument("--seed", type=int, default=1)
    add_timing_args(p)
    args = p.parse_args()
    check_timing_args(p, args)
    n, c, k, hw, ks = args.batch_, args.in_, args.out_, args.hw_, args.kernel_
    for name, v in (("--batch", n), ("--in", c), ("--out", k), ("--hw", hw), ("--kernel", ks),
                    ("--stride", args.stride), ("--groups", args.groups)):
        if v < 1:
            p.error(f"{name} must be a positive integer, got {v}")
    if args.pad < 0:
        p.error(f"--pad must be >= 0, got {args.pad}")
    if c % args.groups or k % args.groups:
        p.error(f"--in ({c}) and --out ({k}) must both divide by --groups ({args.groups})")
    if hw + 2 * args.pad < ks:
        p.error(f"--kernel {ks} is larger than the padded input ({hw} + 2·{args.pad})")

    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    g = args.groups
    out_hw = (hw + 2 * args.pad - ks) // args.stride + 1
    x = torch.randn(n, c, hw, hw, requires_grad=args.backward)
    w = (torch.randn(k, c // g, ks, ks) / ((c // g) * ks * ks) ** 0.5).requires_grad_(args.backward)
    b = (torch.randn(k) * 0.1).requires_grad_(args.backward)
    ones = torch.ones(n, k, out_hw, out_hw)

    def setup():
        x.grad = w.grad = b.grad = None

    def forward():
        return F.conv2d(x, w, b, stride=args.stride, padding=args.pad, groups=g)

    if args.backward:
        def body():
            forward().backward(ones)
    else:
        def body():
            with torch.no_grad():
                forward()

    print(f"torch conv2d: x [{n}, {c}, {hw}, {hw}], w [{k}, {c // g}, {ks}, {ks}], stride {args.stride}, "
          f"pad {args.pad}, {'forward + backward' if args.backward else 'forward'}, {args.threads} threads",
          file=sys.stderr)
    r = measure(body, setup=setup if args.backward else None, warmup_seconds=args.warmup_seconds,
                min_reps=args.min_reps, time_seconds=args.time_seconds)
    flops = 2.0 * n * k * (c // g) * ks * ks * out_hw * out_hw * (3 if args.backward else 1)
    record = {"bench": "conv2d", "impl": "torch", "batch": n, "in": c, "out": k, "hw": hw, "kernel": ks,
              "stride": args.stride, "pad": args.pad, "groups": g, "backward": args.backward,
              "out_hw": out_hw, "threads": torch.get_num_threads(), "backend": "torch " + torch.__version__}
    record.update(environment())
    record.update(r)
    record["gflops"] = round(flops / (r["median_ms"] * 1e6), 3)
    print(json.dumps(record, separators=(",", ":")))


if __name__ == "__main__":
    main()
