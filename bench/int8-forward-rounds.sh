#!/bin/bash
# Whole-model int8 against float, the way docs/compress.md measures it:
#   bench/int8-forward-rounds.sh MODEL FLOAT_WEIGHTS INT8_FILE [ROUNDS]
# Each round runs every (batch, threads) case once, in turn, the float and the int8 launch
# alternated (`tersor bench forward`, 10 s warm-up cap, 3 s timed), and prints the int8 speed
# relative to float per case. Run it on a quiet machine; JAVA_HOME picks the JDK.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 MODEL FLOAT_WEIGHTS INT8_FILE [ROUNDS]" >&2
  exit 2
fi
model=$1 float=$2 int8=$3 rounds=${4:-3}
tersor="$(cd "$(dirname "$0")/.." && pwd)/tersor"
median_ms() {
  "$tersor" bench forward --model "$model" --weights "$1" --batch "$2" --threads "$3" \
    --warmup-seconds 10 --time-seconds 3 --json 2>/dev/null | tail -1 | sed -n 's/.*"median_ms":\([0-9.eE+-]*\).*/\1/p'
}
for r in $(seq 1 "$rounds"); do
  for batch in 1 64; do
    for threads in 1 2; do
      f=$(median_ms "$float" "$batch" "$threads")
      q=$(median_ms "$int8" "$batch" "$threads")
      awk -v r="$r" -v b="$batch" -v t="$threads" -v f="$f" -v q="$q" 'BEGIN {
        printf "round %s batch %s threads %s: float %s ms, int8 %s ms, int8 speed vs float %.2f\n", r, b, t, f, q, f / q }'
    done
  done
done
