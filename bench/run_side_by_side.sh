#!/usr/bin/env bash
# The side-by-side run of docs/performance.md: PyTorch and backprop4j on the same MNIST files, one after the
# other on an otherwise idle machine as far as possible.
#
# usage: bench/run_side_by_side.sh [MNIST_DIR] [OPENBLAS_LIB_DIR]
#   MNIST_DIR         the IDX files (default src/test/resources/data/mnist)
#   OPENBLAS_LIB_DIR  optional: a directory holding OpenBLAS's libblas.so.3, put on LD_LIBRARY_PATH for the
#                     PyTorch runs that use it (Debian's PyTorch otherwise uses the reference BLAS)
# JMH results go to target/bench/*.json; bench/summarize.py prints the medians.
set -euo pipefail
cd "$(dirname "$0")/.."
MNIST=$(realpath "${1:-src/test/resources/data/mnist}")
OPENBLAS=${2:-}
OUT=target/bench
J17=/usr/lib/jvm/java-17-openjdk-amd64/bin/java
J25=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java
mkdir -p "$OUT"
mvn -B -q -o -P bench test-compile

py() { /usr/bin/python3 bench/pytorch_mnist_bench.py "$MNIST" "$@"; }
echo "== PyTorch, Debian's default BLAS, 1 thread"
OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 py --threads 1
if [ -n "$OPENBLAS" ]; then
  echo "== PyTorch, OpenBLAS, 1 thread"
  LD_LIBRARY_PATH=$OPENBLAS OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 py --threads 1
  echo "== PyTorch, OpenBLAS, 1 torch thread + 2 BLAS threads"
  LD_LIBRARY_PATH=$OPENBLAS OPENBLAS_NUM_THREADS=2 OMP_NUM_THREADS=2 py --threads 1
fi

# JMH forks inherit the host JVM's arguments, so the flags go to the host (bench.vector).
jmh() {
  local label=$1 jvm=$2 flags=$3 args=$4
  echo "== backprop4j, $label"
  mvn -B -q -o -P bench exec:exec -Dbench.jvm="$jvm" -Dbench.vector="$flags -Dmnist.dir=$MNIST" \
      -Dbench.args="$args -rf json -rff $OUT/$label.json" | grep -E "^(Benchmark|MnistBench|LinearCostBench)" || true
}
RUN="MnistBench -wi 3 -w 1 -i 7 -r 1 -p batchSize=32,128 -p threads=1,2"
jmh jdk17-vector "$J17" "--add-modules=jdk.incubator.vector" "$RUN -prof gc"
jmh jdk17-scalar "$J17" "-Dbackprop4j.vector=false" "$RUN"
if [ -x "$J25" ]; then
  jmh jdk25-vector "$J25" "--add-modules=jdk.incubator.vector" "$RUN"
fi
if [ "${LINEAR:-1}" = 1 ]; then
  jmh linear-jdk17-vector "$J17" "--add-modules=jdk.incubator.vector" "LinearCostBench"
fi
