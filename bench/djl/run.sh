#!/usr/bin/env bash
# Tersor beside DJL (PyTorch engine 2.7.1 through DJL 0.35.1, CPU, offline) on the same LeNet-5 and
# ResNet-20 (1 channel, 28×28) with the same SGD recipe: LeNet-5 MNIST epoch, ResNet-20 training
# step at batch 128, batch-1 inference, time to first inference of a fresh JVM, jar and native sizes.
#
#   bench/djl/run.sh [--threads T] [--data DIR] [--rounds R] [--launches L] [--quick]
#
# DIR holds MNIST's IDX files (raw or .gz; default: the bundled 8,000-image sample). Builds the
# bench module with -Pdjl (the first build downloads ~118 MB of DJL jars, later ones run offline
# when MAVEN_OPTS/-o allow), then runs dev.tersor.bench.djl.SideBySide from the reactor's class
# path on $JAVA_HOME's JVM (default: Temurin 25 when installed). Prints a markdown table, then one
# JSON line. About two minutes on full MNIST with the defaults; --quick: one round, short timings.
set -euo pipefail

ROOT="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
if [[ -z "${JAVA_HOME:-}" && -x /usr/lib/jvm/temurin-25-jdk-amd64/bin/java ]]; then
  export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64
fi
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

cd "$ROOT"
echo "run.sh: building bench with -Pdjl ..." >&2
mvn -B -q ${TERSOR_MVN_OPTS:-} -Pdjl -pl bench -am -DskipTests package dependency:build-classpath \
    -Dmdep.outputFile=target/djl.classpath -Dmdep.includeScope=runtime 2>&1 | sed -e 's/\x1b\[0m//g' >&2
CP="$ROOT/bench/target/classes:$(cat "$ROOT/bench/target/djl.classpath")"
echo "run.sh: $("$JAVA" -version 2>&1 | head -n 1); $(lscpu 2>/dev/null | sed -n 's/^Model name: *//p' | head -n 1)" >&2
exec "$JAVA" --add-modules jdk.incubator.vector -Dai.djl.offline=true -cp "$CP" dev.tersor.bench.djl.SideBySide "$@"
