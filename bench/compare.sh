#!/usr/bin/env bash
# Tersor against its local anchors, in one run, on one machine:
#   gemm 1024×1024×1024          tersor bench gemm      vs numpy (OpenBLAS)   bench/anchors/numpy_gemm.py
#   conv2d forward + backward    tersor bench conv2d    vs PyTorch (CPU)      bench/anchors/torch_conv2d.py
#     N64 3→64 32×32, N128 16→16 32×32, N1 256→256 14×14; 3×3 kernel, stride 1, pad 1
# each with 1 and 2 threads, same warm-up/median method on both sides. Prints a markdown table
# (medians; ratio > 1 means Tersor is faster) and writes every measurement and every table row
# as JSON lines to --out.
#
#   bench/compare.sh [--out FILE] [--threads "1 2"] [--quick]
#
# The JVM is $JAVA_HOME's, else Temurin 25 when installed, else `java` on the PATH. Python is
# /usr/bin/python3 (Debian's numpy and python3-torch). Takes several minutes; --quick (short
# warm-up, 3 reps) only checks the machinery. Progress goes to stderr.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
OUT=""
THREADS="1 2"
QUICK=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) OUT="${2:?--out needs a file name}"; shift 2 ;;
    --out=*) OUT="${1#--out=}"; shift ;;
    --threads) THREADS="${2:?--threads needs a list, e.g. \"1 2\"}"; shift 2 ;;
    --quick) QUICK=1; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; exit 0 ;;
    *) echo "compare.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for t in $THREADS; do
  [[ "$t" =~ ^[1-9][0-9]*$ ]] || { echo "compare.sh: --threads must list positive integers, got '$t'" >&2; exit 2; }
done

if [[ -z "${JAVA_HOME:-}" && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
PY=/usr/bin/python3
[[ -x "$PY" ]] || PY="$(command -v python3 || true)"
[[ -n "$PY" ]] || { echo "compare.sh: python3 is needed for the anchors" >&2; exit 1; }
for mod in numpy torch; do
  "$PY" -c "import $mod" 2>/dev/null || { echo "compare.sh: $PY cannot import $mod (apt-get install python3-numpy python3-torch)" >&2; exit 1; }
done

if [[ -z "$OUT" ]]; then
  mkdir -p "$ROOT/bench/target"
  OUT="$ROOT/bench/target/compare-$(date +%Y%m%d-%H%M%S).jsonl"
fi
mkdir -p "$(dirname "$OUT")"
: > "$OUT"

if [[ $QUICK == 1 ]]; then
  TIMING=(--warmup-seconds 1 --time-seconds 0.2 --min-reps 3)
else
  TIMING=(--warmup-seconds 10 --time-seconds 1 --min-reps 10)
fi

JDK="$("$JAVA" -version 2>&1 | head -n 1)"
if COMMIT="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null)"; then
  [[ -z "$(git -C "$ROOT" status --porcelain 2>/dev/null)" ]] || COMMIT="$COMMIT + uncommitted changes"
else
  COMMIT="no commit yet (working tree)"
fi
echo "compare.sh: JDK: $JDK; commit: $COMMIT; results: $OUT" >&2

# Build (if needed) once, before anything is timed, then run a private copy of the jar: a
# rebuild or `mvn clean` in this checkout during the run cannot change what is measured.
"$ROOT/tersor" --version >&2
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
cp "$ROOT/cli/target/tersor.jar" "$WORK/tersor.jar"
read -r -a JAVA_OPTS <<< "${TERSOR_JAVA_OPTS:-}"
TERSOR=("$JAVA" --add-modules jdk.incubator.vector ${JAVA_OPTS[@]+"${JAVA_OPTS[@]}"} -jar "$WORK/tersor.jar")

FAILED=0

# record CASE IMPL JSON-LINE: appends the measurement, tagged, to $OUT.
record() {
  "$PY" - "$1" "$2" "$3" "$JDK" "$COMMIT" >> "$OUT" <<'EOF'
import json, sys
case, impl, line, jdk, commit = sys.argv[1:6]
r = json.loads(line)
r = {"kind": "measurement", "case": case, "impl": impl, **r, "jdk": jdk, "commit": commit}
print(json.dumps(r, separators=(",", ":")))
EOF
}

# measure CASE IMPL COMMAND...: runs COMMAND (progress to stderr), records its last stdout line.
measure() {
  local case="$1" impl="$2"; shift 2
  echo "compare.sh: $case, $impl: $*" >&2
  local line
  if line="$("$@" | tail -n 1)" && [[ "$line" == "{"* ]]; then
    record "$case" "$impl" "$line"
  else
    echo "compare.sh: FAILED: $case, $impl" >&2
    record "$case" "$impl" '{"error":"failed"}'
    FAILED=1
  fi
}

CONVS=(
  "conv N64 3→64 32×32|--batch 64 --in 3 --out 64 --hw 32 --kernel 3 --stride 1 --pad 1"
  "conv N128 16→16 32×32|--batch 128 --in 16 --out 16 --hw 32 --kernel 3 --stride 1 --pad 1"
  "conv N1 256→256 14×14|--batch 1 --in 256 --out 256 --hw 14 --kernel 3 --stride 1 --pad 1"
)

for t in $THREADS; do
  measure "gemm 1024" tersor "${TERSOR[@]}" bench gemm --size 1024 --threads "$t" --json "${TIMING[@]}"
  measure "gemm 1024" numpy "$PY" "$ROOT/bench/anchors/numpy_gemm.py" --size 1024 --threads "$t" "${TIMING[@]}"
  for c in "${CONVS[@]}"; do
    label="${c%%|*} fwd+bwd"
    read -r -a args <<< "${c#*|}"
    measure "$label" tersor "${TERSOR[@]}" bench conv2d "${args[@]}" --backward --threads "$t" --json "${TIMING[@]}"
    measure "$label" torch "$PY" "$ROOT/bench/anchors/torch_conv2d.py" "${args[@]}" --backward --threads "$t" "${TIMING[@]}"
  done
done

# The table, from the measurements; its rows are appended to $OUT too.
"$PY" - "$OUT" "$JDK" "$COMMIT" <<'EOF'
import datetime, json, sys
path, jdk, commit = sys.argv[1:4]
rows = [json.loads(l) for l in open(path) if l.strip()]
meas = [r for r in rows if r.get("kind") == "measurement"]
def find(case, impl, threads):
    for r in meas:
        if r["case"] == case and r["impl"] == impl and r.get("threads", threads) == threads and "error" not in r:
            return r
    return None
order, seen = [], set()
for r in meas:
    key = (r["case"], r.get("threads"))
    if r["impl"] == "tersor" and key not in seen and r.get("threads") is not None:
        seen.add(key); order.append(key)
for r in meas:   # failed Tersor runs have no threads field: take the anchor's
    key = (r["case"], r.get("threads"))
    if r["impl"] != "tersor" and key not in seen and r.get("threads") is not None:
        seen.add(key); order.append(key)
fmt = lambda x, d=2: "—" if x is None else f"{x:.{d}f}"
print(f"Measured {datetime.date.today().isoformat()}, {jdk}, commit {commit}; "
      f"backend {next((r['backend'] for r in meas if r['impl'] == 'tersor' and 'backend' in r), '?')}.")
print()
print("| case | threads | Tersor median ms | Tersor GFLOP/s | anchor | anchor median ms | anchor GFLOP/s | ratio (>1: Tersor faster) |")
print("|---|---:|---:|---:|---|---:|---:|---:|")
out = []
for case, threads in order:
    anchor_impl = "numpy" if case.startswith("gemm") else "torch"
    t, a = find(case, "tersor", threads), find(case, anchor_impl, threads)
    tm = t and t["median_ms"]; am = a and a["median_ms"]
    tg = t and t.get("gflops"); ag = a and a.get("gflops")
    if case.startswith("gemm"):
        ratio = tg / ag if tg and ag else None      # tersor GFLOP/s / numpy GFLOP/s
        what = "tersor_gflops/numpy_gflops"
    else:
        ratio = am / tm if am and tm else None      # torch ms / tersor ms
        what = "torch_ms/tersor_ms"
    print(f"| {case} | {threads} | {fmt(tm)} | {fmt(tg)} | {anchor_impl} | {fmt(am)} | {fmt(ag)} | {fmt(ratio, 3)} |")
    out.append({"kind": "comparison", "case": case, "threads": threads, "tersor_median_ms": tm,
                "tersor_gflops": tg, "anchor": anchor_impl, "anchor_median_ms": am, "anchor_gflops": ag,
                "ratio": None if ratio is None else round(ratio, 4), "ratio_is": what, "jdk": jdk, "commit": commit,
                "date": datetime.date.today().isoformat()})
with open(path, "a") as f:
    for r in out:
        f.write(json.dumps(r, separators=(",", ":")) + "\n")
EOF
echo "compare.sh: wrote $OUT" >&2
exit "$FAILED"
