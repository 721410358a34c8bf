"""The warm-up and median method of Tersor's `tersor bench` (cli/.../Timing.java), for the anchors.

Warm-up: call in windows of `window` seconds until two consecutive windows have medians within
5% and at least 5 calls ran, or until `warmup_seconds` passed. Timed phase: at least `min_reps`
calls, more until `time_seconds` passed. Returns per-call milliseconds statistics.
"""
import platform
import statistics
import sys
import time


def measure(body, setup=None, warmup_seconds=10.0, min_reps=10, time_seconds=1.0,
            tolerance=0.05, min_warmup_calls=5, log=sys.stderr):
    window = max(1e-3, min(1.0, warmup_seconds / 4))

    def once():
        if setup is not None:
            setup()
        t0 = time.perf_counter()
        body()
        return (time.perf_counter() - t0) * 1e3

    start = window_start = time.perf_counter()
    calls, windows, previous, steady, current = 0, 0, None, False, []
    while True:
        current.append(once())
        calls += 1
        now = time.perf_counter()
        if now - window_start >= window:
            m = statistics.median(current)
            windows += 1
            print(f"warm-up window {windows}: median {m:.3f} ms over {len(current)} calls", file=log)
            if previous is not None and abs(m - previous) <= tolerance * min(m, previous) \
                    and calls >= min_warmup_calls:
                steady = True
                break
            previous, current, window_start = m, [], now
        if now - start >= warmup_seconds:
            break
    warmup_s = time.perf_counter() - start
    print(f"warm-up: {calls} calls in {warmup_s:.2f} s, "
          f"{'steady' if steady else 'not steady within the cap; timing anyway'}", file=log)

    times = []
    timed_start = time.perf_counter()
    while len(times) < min_reps or time.perf_counter() - timed_start < time_seconds:
        times.append(once())
    return {
        "reps": len(times),
        "median_ms": round(statistics.median(times), 4),
        "min_ms": round(min(times), 4),
        "mean_ms": round(sum(times) / len(times), 4),
        "warmup_calls": calls,
        "warmup_s": round(warmup_s, 2),
        "steady": steady,
    }


def add_timing_args(parser):
    parser.add_argument("--threads", type=int, default=1, help="threads for the library (default 1)")
    parser.add_argument("--min-reps", type=int, default=10)
    parser.add_argument("--warmup-seconds", type=float, default=10.0)
    parser.add_argument("--time-seconds", type=float, default=1.0)
    parser.add_argument("--json", action="store_true", help="accepted for symmetry; output is always JSON")


def check_timing_args(parser, args):
    if args.threads < 1:
        parser.error(f"--threads must be >= 1, got {args.threads}")
    if args.min_reps < 1:
        parser.error(f"--min-reps must be >= 1, got {args.min_reps}")
    if args.warmup_seconds < 0 or args.time_seconds < 0:
        parser.error("--warmup-seconds and --time-seconds must be >= 0")


def environment():
    return {"python_version": platform.python_version(), "cpus": __import__("os").cpu_count()}
