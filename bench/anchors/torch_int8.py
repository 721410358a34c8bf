#!/usr/bin/python3
"""Anchor for `tersor bench conv2d --mode int8` and `tersor bench linear --mode int8`: PyTorch's
quantized conv2d and linear (torch.ao.nn.quantized) against its float ones on the same shapes.

    /usr/bin/python3 bench/anchors/torch_int8.py conv2d --batch 1 --in 256 --out 256 --hw 14 \\
        --kernel 3 --pad 1 --mode int8 --threads 1
    /usr/bin/python3 bench/anchors/torch_int8.py linear --batch 1 --in 4096 --out 4096 --mode int8

Same contract as Tersor's int8 layers: float input in, float output out. One int8 call is
quantize_per_tensor(x) (quint8, zero point 128) → the quantized op (per-channel symmetric qint8
weights, float bias) → dequantize(); `op_only_median_ms` times the quantized op alone on a
pre-quantized input. The engine is fbgemm or x86 where this build has them, else onednn (Debian's
PyTorch 1.13 has qnnpack and onednn); --engine picks one. The float mode runs F.conv2d / F.linear
under no_grad. Same warm-up and median method as the other anchors (timing.py). Prints progress
on stderr and one JSON line on stdout.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from timing import add_timing_args, check_timing_args, environment, measure  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("op", choices=("conv2d", "linear"))
    p.add_argument("--batch", type=int, default=1)
    p.add_argument("--in", type=int, required=True, dest="in_")
    p.add_argument("--out", type=int, required=True)
    p.add_argument("--hw", type=int, default=0, help="conv2d: input height and width")
    p.add_argument("--kernel", type=int, default=0, help="conv2d: kernel height and width")
    p.add_argument("--stride", type=int, default=1)
    p.add_argument("--pad", type=int, default=0)
    p.add_argument("--mode", choices=("float", "int8"), default="int8")
    p.add_argument("--engine", default=None, help="quantized engine (default: fbgemm, x86, then onednn)")
    p.add_argument("--seed", type=int, default=1)
    add_timing_args(p)
    args = p.parse_args()
    check_timing_args(p, args)
    n, c, k = args.batch, args.in_, args.out
    for name, v in (("--batch", n), ("--in", c), ("--out", k), ("--stride", args.stride)):
        if v < 1:
            p.error(f"{name} must be a positive integer, got {v}")
    if args.op == "conv2d":
        if args.hw < 1 or args.kernel < 1:
            p.error("conv2d needs --hw and --kernel (positive)")
        if args.hw + 2 * args.pad < args.kernel:
            p.error(f"--kernel {args.kernel} is larger than the padded input ({args.hw} + 2·{args.pad})")

    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import torch
    import torch.nn.functional as F
    try:
        import torch.ao.nn.quantized as nnq
    except ImportError:  # before 1.13
        import torch.nn.quantized as nnq
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    engines = torch.backends.quantized.supported_engines
    engine = args.engine or next((e for e in ("fbgemm", "x86", "onednn") if e in engines), engines[0])
    if engine not in engines:
        p.error(f"--engine {engine} is not in this build's {engines}")
    torch.backends.quantized.engine = engine

    if args.op == "conv2d":
        ks, hw = args.kernel, args.hw
        out_hw = (hw + 2 * args.pad - ks) // args.stride + 1
        x = torch.randn(n, c, hw, hw)
        w = torch.randn(k, c, ks, ks) / (c * ks * ks) ** 0.5
        macs = n * k * c * ks * ks * out_hw * out_hw
    else:
        x = torch.randn(n, c)
        w = torch.randn(k, c) / c ** 0.5
        macs = n * k * c
    b = torch.randn(k) * 0.1

    if args.mode == "float":
        def body():
            with torch.no_grad():
                if args.op == "conv2d":
                    F.conv2d(x, w, b, stride=args.stride, padding=args.pad)
                else:
                    F.linear(x, w, b)
        op_only = None
    else:
        w_scale = w.abs().flatten(1).amax(1).clamp(min=1e-8) / 127
        qw = torch.quantize_per_channel(w, w_scale, torch.zeros(k, dtype=torch.long), 0, torch.qint8)
        x_scale = float(x.abs().max()) / 127
        out_scale = x_scale * float(w_scale.max()) * 16   # any fixed output scale: the int8 op requantizes its output
        if args.op == "conv2d":
            layer = nnq.Conv2d(c, k, args.kernel, stride=args.stride, padding=args.pad)
        else:
            layer = nnq.Linear(c, k)
        layer.set_weight_bias(qw, b)
        layer.scale, layer.zero_point = out_scale, 128

        def body():
            qx = torch.quantize_per_tensor(x, x_scale, 128, torch.quint8)
            layer(qx).dequantize()
        qx_fixed = torch.quantize_per_tensor(x, x_scale, 128, torch.quint8)

        def op_only():
            layer(qx_fixed)

    shape = f"x {list(x.shape)}, w {list(w.shape)}" + (f", stride {args.stride}, pad {args.pad}" if args.op == "conv2d" else "")
    print(f"torch {args.op} {args.mode}: {shape}, engine {engine}, {args.threads} threads", file=sys.stderr)
    r = measure(body, warmup_seconds=args.warmup_seconds, min_reps=args.min_reps, time_seconds=args.time_seconds)
    record = {"bench": args.op, "impl": "torch", "mode": args.mode, "batch": n, "in": c, "out": k}
    if args.op == "conv2d":
        record.update({"hw": args.hw, "kernel": args.kernel, "stride": args.stride, "pad": args.pad, "out_hw": out_hw})
    record.update({"threads": torch.get_num_threads(), "backend": "torch " + torch.__version__,
                   "quantized_engine": engine if args.mode == "int8" else None})
    record.update(environment())
    record.update(r)
    record["gflops"] = round(2.0 * macs / (r["median_ms"] * 1e6), 3)
    if op_only is not None:
        o = measure(op_only, warmup_seconds=min(args.warmup_seconds, 3.0), min_reps=args.min_reps,
                    time_seconds=args.time_seconds, log=open(os.devnull, "w"))
        record["op_only_median_ms"] = o["median_ms"]
    print(json.dumps(record, separators=(",", ":")))


if __name__ == "__main__":
    main()
