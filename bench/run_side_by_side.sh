#!/usr/bin/env bash
# The side-by-side run of issue 12 and docs/performance.md: backprop4j and PyTorch on the same MNIST files, the
# same networks and the same two cores, one after the other, then the targets table (bench/summarize.py).
#
# usage: bench/run_side_by_side.sh [MNIST_DIR] [OPENBLAS_LIB_DIR]
#   MNIST_DIR         the IDX files (default src/test/resources/data/mnist)
#   OPENBLAS_LIB_DIR  only if PyTorch does not load OpenBLAS by itself (Debian's libblas.so.3 alternative may be
#                     the reference BLAS): a directory holding OpenBLAS's libblas.so.3, put on LD_LIBRARY_PATH.
#                     Without it the script looks for the OpenBLAS that ldconfig knows.
# environment:
#   QUICK=1           reduced repetitions, to try the harness (the numbers are then only a smoke test)
#   OUT               where the results go (default target/bench): *.jsonl (one JSON line per measurement),
#                     jmh-*.json, run.log, table.md
#   JVM_DIR           where the installed JDKs are (default: the directory holding the JDK of `java` on PATH)
#   CORETYPES         the OpenBLAS kernel sets tried for PyTorch (default: auto-detected, Zen, Haswell, SkylakeX,
#                     Cooperlake); the fastest on a 128×784·784×128 product is kept, per precision
#   BUDGET_SECONDS    after this many seconds (default 780) every phase still to start runs with the reduced
#                     repetitions of QUICK=1, so that the whole run stays within about 15 minutes even with slow
#                     kernels; the table says so if it happened
#   LINEAR=1          also LinearCostBench (JDK 17, vector path; about 3 minutes more)
#   OPTIMIZER_PATHS   the backprop4j paths that run the optimizer rows on JDK 17 (default: float32-vector
#                     float64-vector; the others are float32-noflag float64-noflag)
#
# What runs, in this order (each JVM is one path; every path with Engine.setThreads 1 and 2 inside it):
#   peak          PeakFlops: register-only FMA loop, float32 and float64, on JDK 17 and the newest JDK
#   PyTorch       bench/pytorch_mnist_bench.py with 1 thread, and with 1 torch + 2 OpenBLAS threads, on the
#                 OpenBLAS kernel set that a probe found fastest
#   backprop4j    FitBench on JDK 17: float32 with the Vector API module, float32 without it, float64 with and
#                 without it (Trainer.fit, Network.predict); then the optimizer rows (784-256-10)
#   raw step      JMH MnistBench.trainStep on JDK 17 (the session step that Trainer.fit runs), for the
#                 "Trainer.fit ≥ 90 % of the raw step" and "% of peak" rows
#   newest JDK    FitBench's training and prediction rows on the newest JDK installed, every path
set -euo pipefail
cd "$(dirname "$0")/.."
START=$(date +%s)
MNIST=$(realpath "${1:-src/test/resources/data/mnist}")
OPENBLAS_DIR=${2:-}
OUT=${OUT:-target/bench}
QUICK=${QUICK:-0}
mkdir -p "$OUT"
rm -f "$OUT"/*.jsonl "$OUT"/*.json "$OUT"/*.log "$OUT"/table.md "$OUT"/machine.txt "$OUT"/classpath.txt
LOG=$OUT/run.log
say() { echo "[$(date -u +%H:%M:%S) +$(( $(date +%s) - START ))s] $*" | tee -a "$LOG" >&2; }

# Timed epochs per row: 7 (at least 3, then only while the row's timed epochs took under 15 s); the optimizer
# rows 5 (at least 3, under 6 s), so that today's slow paths keep the whole run within about 15 minutes.
BUDGET_SECONDS=${BUDGET_SECONDS:-780}
reduce() {
  EPOCHS="--epochs 3 --min-epochs 2 --seconds 4 --runs 3 --run-seconds 0.1 --warmup-seconds 0.5"
  OPT_EPOCHS="--epochs 2 --min-epochs 1 --seconds 2 --warmup 1 --warmup-seconds 0.5"
  JMH_ARGS="-wi 2 -w 1 -i 2 -r 1"
  PEAK_ARGS="--runs 3"
  PROBE_ROUNDS=1
}
if [ "$QUICK" = 1 ]; then
  reduce
else
  EPOCHS="--epochs 7 --min-epochs 3 --seconds 15 --runs 7 --run-seconds 0.2"
  OPT_EPOCHS="--epochs 5 --min-epochs 3 --seconds 6"
  JMH_ARGS="-wi 5 -w 1 -i 5 -r 1"  # the Vector API runs boxed until C2 has compiled it: seconds
  PEAK_ARGS="--runs 7"
  PROBE_ROUNDS=2
fi
REDUCED=$QUICK
check_budget() { # from the first phase that starts after BUDGET_SECONDS on, reduced repetitions
  if [ "$REDUCED" = 0 ] && [ $(( $(date +%s) - START )) -gt "$BUDGET_SECONDS" ]; then
    REDUCED=1
    reduce
    say "over the budget of $BUDGET_SECONDS s: the phases from here on run with reduced repetitions"
    echo "reduced repetitions from $(( $(date +%s) - START )) s on (over BUDGET_SECONDS=$BUDGET_SECONDS):" \
        "from \"$1\"" >> "$OUT/machine.txt"
  fi
}

# ---------------------------------------------------------------- JDKs: by the major version of their release file
# The JVM directory is the parent of the JDK that runs `java` on PATH (or JAVA_HOME), unless JVM_DIR says.
if [ -z "${JVM_DIR:-}" ]; then
  if [ -n "${JAVA_HOME:-}" ]; then
    JVM_DIR=$(dirname "$(realpath "$JAVA_HOME")")
  else
    JVM_DIR=$(dirname "$(dirname "$(dirname "$(realpath "$(command -v java)")")")")
  fi
fi
J17=""
NEWEST=""
NEWEST_MAJOR=17
declare -A SEEN=()
for home in "$JVM_DIR"/*/; do
  home=$(realpath "$home")
  [ -n "${SEEN[$home]:-}" ] && continue
  SEEN[$home]=1
  [ -x "$home/bin/java" ] && [ -f "$home/release" ] || continue
  major=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release")
  [ -n "$major" ] || continue
  if [ "$major" = 17 ] && [ -z "$J17" ]; then
    J17=$home/bin/java
  elif [ "$major" -gt "$NEWEST_MAJOR" ]; then
    NEWEST=$home/bin/java
    NEWEST_MAJOR=$major
  fi
done
if [ -z "$J17" ]; then
  echo "no JDK 17 found under $JVM_DIR (set JVM_DIR)" >&2
  exit 1
fi
JDKS=("$J17")
[ -n "$NEWEST" ] && JDKS+=("$NEWEST")
say "JDK 17: $("$J17" -version 2>&1 | sed -n 2p)"
[ -n "$NEWEST" ] && say "newest JDK ($NEWEST_MAJOR): $("$NEWEST" -version 2>&1 | sed -n 2p)" \
    || say "no JDK newer than 17 installed: no newest-JDK column"

# ---------------------------------------------------------------- machine
{
  echo "cpu: $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs"
  echo "flags: $(grep -m1 -o -w -E 'avx512f|avx2|amx_tile' /proc/cpuinfo | sort -u | tr '\n' ' ')"
  echo "load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "python: $(/usr/bin/python3 --version 2>&1)"
} > "$OUT/machine.txt"
cat "$OUT/machine.txt" | tee -a "$LOG" >&2

# ---------------------------------------------------------------- build once; run the JVMs directly
say "building (mvn -o -P bench test-compile)"
mvn -B -q -o -P bench test-compile
if ! mvn -B -q -o -P bench org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
    -Dmdep.includeScope=test -Dmdep.outputFile="$OUT/classpath.txt" > "$OUT/classpath.log" 2>&1; then
  cat "$OUT/classpath.log" >&2
  echo "could not write the class path offline: run once online (mvn -P bench" \
      "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath) to fetch the plugin" >&2
  exit 1
fi
CP=target/classes:target/test-classes:$(cat "$OUT/classpath.txt")
VECTOR="--add-modules=jdk.incubator.vector"
HEAP="-Xms1g -Xmx1g"

java_run() { # java_run JAVA OUTFILE JVM-FLAGS... -- MAIN ARGS...; a failure is logged, and the run goes on
  local jvm=$1 out=$2
  shift 2
  local flags=()
  while [ "$1" != "--" ]; do flags+=("$1"); shift; done
  shift
  "$jvm" "${flags[@]}" -Dmnist.dir="$MNIST" -cp "$CP" "$@" >> "$out" 2>> "$LOG" \
      || say "WARNING: $* failed (exit $?); its rows will be missing from the table: see $LOG"
}

# ---------------------------------------------------------------- the core's peak
for jvm in "${JDKS[@]}"; do
  say "peak FLOP/s on $("$jvm" -version 2>&1 | sed -n 1p)"
  java_run "$jvm" "$OUT/backprop4j.jsonl" $VECTOR -- io.github.backprop4j.bench.PeakFlops $PEAK_ARGS
done

# ---------------------------------------------------------------- PyTorch
py() { /usr/bin/python3 bench/pytorch_mnist_bench.py "$MNIST" "$@"; }
PY_ENV=(env OMP_NUM_THREADS=1 MKL_NUM_THREADS=1)
if ! py --probe 2> /dev/null | grep -q '"openblas": true'; then
  if [ -z "$OPENBLAS_DIR" ]; then
    lib=$(ldconfig -p | sed -n 's/.*libopenblas[a-z]*\.so\.0 .*=> //p' | head -1)
    [ -n "$lib" ] && OPENBLAS_DIR=$(dirname "$(realpath "$lib")")
  fi
  if [ -n "$OPENBLAS_DIR" ] && [ -e "$OPENBLAS_DIR/libblas.so.3" ]; then
    say "PyTorch does not load OpenBLAS by itself: LD_LIBRARY_PATH=$OPENBLAS_DIR"
    PY_ENV+=(LD_LIBRARY_PATH="$OPENBLAS_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}")
  else
    say "WARNING: PyTorch does not load OpenBLAS and none was found: its BLAS may be the slow reference one"
  fi
fi
# The kernel set: each candidate on a 128×784·784×128 product, one thread; the fastest per precision is kept.
CORETYPES=${CORETYPES:-auto Zen Haswell SkylakeX Cooperlake}
for round in $(seq "$PROBE_ROUNDS"); do
  for c in $CORETYPES; do
    if [ "$c" = auto ]; then ct=(); else ct=(OPENBLAS_CORETYPE="$c"); fi
    "${PY_ENV[@]}" "${ct[@]}" OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/pytorch_mnist_bench.py "$MNIST" --probe \
        >> "$OUT/probe.jsonl" 2>> "$LOG" || say "probe of OPENBLAS_CORETYPE=$c failed"
  done
done
best_coretype() { # the OPENBLAS_CORETYPE (or auto) whose probe was fastest in the given precision
  /usr/bin/python3 - "$OUT/probe.jsonl" "$1" <<'EOF'
import json, sys
best = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    key = r["coretype_env"] or "auto"
    best[key] = max(best.get(key, 0), r[sys.argv[2] + "_gflops"])
print(max(best, key=best.get) if best else "auto")
EOF
}
for precision in float32 float64; do
  check_budget "PyTorch $precision"
  c=$(best_coretype $precision)
  say "PyTorch $precision: OPENBLAS_CORETYPE=$c (fastest probe: $(grep -c . "$OUT/probe.jsonl") probes)"
  if [ "$c" = auto ]; then ct=(); else ct=(OPENBLAS_CORETYPE="$c"); fi
  for blas in 1 2; do
    label=$([ $blas = 1 ] && echo "1 thread" || echo "1 torch + 2 BLAS threads")
    for rows in fit,predict optimizers; do
      say "PyTorch $precision, $label: $rows"
      epochs=$([ $rows = optimizers ] && echo "$OPT_EPOCHS" || echo "$EPOCHS")
      "${PY_ENV[@]}" "${ct[@]}" OPENBLAS_NUM_THREADS=$blas /usr/bin/python3 bench/pytorch_mnist_bench.py \
          "$MNIST" --threads 1 --blas-threads $blas --config "$label" --precisions $precision --rows $rows \
          $epochs >> "$OUT/pytorch.jsonl" 2>> "$LOG"
    done
  done
done

# ---------------------------------------------------------------- backprop4j through its public API
OPTIMIZER_PATHS=${OPTIMIZER_PATHS:-float32-vector float64-vector}
fit_bench() { # fit_bench JAVA PATH-LABEL ROWS EPOCH-ARGS...
  local jvm=$1 label=$2 rows=$3 flags=() precision=${2%%-*}
  shift 3
  [[ $label == *-vector ]] && flags+=("$VECTOR")
  say "backprop4j $label on $("$jvm" -version 2>&1 | sed -n 1p): $rows"
  java_run "$jvm" "$OUT/backprop4j.jsonl" $HEAP "${flags[@]}" -- io.github.backprop4j.bench.FitBench \
      --path "$label" --precision "$precision" --rows "$rows" "$@"
}
for label in float32-vector float32-noflag float64-vector float64-noflag; do
  check_budget "backprop4j $label"
  fit_bench "$J17" "$label" fit,predict $EPOCHS
done
for label in $OPTIMIZER_PATHS; do
  check_budget "backprop4j $label optimizers"
  fit_bench "$J17" "$label" optimizers $OPT_EPOCHS
done

# ---------------------------------------------------------------- the raw step (JMH), JDK 17
# JMH forks inherit the host JVM's flags, so the flags go to the host. Two threads on the float32 vector path
# only: the step's overhead in Trainer.fit does not depend on the threads. JMH refuses to start while another
# JMH holds its lock (/tmp/jmh.lock): on a quiet machine none does.
for label in float32-vector float32-noflag float64-vector float64-noflag; do
  flags=()
  [[ $label == *-vector ]] && flags+=("$VECTOR")
  prec=$([[ $label == float64-* ]] && echo FLOAT64 || echo FLOAT32)
  threads=$([ $label = float32-vector ] && echo 1,2 || echo 1)
  prof=()
  [ "$QUICK" = 1 ] || prof=(-prof gc)
  check_budget "raw step $label"
  say "raw step (JMH MnistBench.trainStep), $label, threads $threads"
  java_run "$J17" "$OUT/jmh-$label.log" $HEAP "${flags[@]}" -- org.openjdk.jmh.Main 'MnistBench.trainStep' \
      $JMH_ARGS -p batchSize=32,128 -p threads=$threads -p precision=$prec "${prof[@]}" -rf json \
      -rff "$OUT/jmh-$label.json"
done

# ---------------------------------------------------------------- the newest JDK
if [ -n "$NEWEST" ]; then
  for label in float32-vector float32-noflag float64-vector float64-noflag; do
    check_budget "backprop4j $label on JDK $NEWEST_MAJOR"
    fit_bench "$NEWEST" "$label" fit,predict $EPOCHS
  done
fi

# ---------------------------------------------------------------- optional: cost against work (docs/performance.md)
if [ "${LINEAR:-0}" = 1 ]; then
  say "LinearCostBench (JMH), float32-vector"
  java_run "$J17" "$OUT/jmh-linear.log" $HEAP "$VECTOR" -- org.openjdk.jmh.Main LinearCostBench -rf json \
      -rff "$OUT/linear-float32-vector.json"
fi

echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg); the whole run took $(( $(date +%s) - START )) s" \
    >> "$OUT/machine.txt"
say "done in $(( $(date +%s) - START )) s; the table:"
/usr/bin/python3 bench/summarize.py "$OUT" | tee "$OUT/table.md"
