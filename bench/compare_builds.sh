#!/usr/bin/env bash
# A/B of two builds of backprop4j on the dense rows of the side-by-side benchmark (bench/FitBench: Trainer.fit
# epochs over the bundled MNIST digits, Network.predict of 1 and of 1000 samples), for a change that must not cost
# the dense path anything. The two builds run in alternating JVMs, ROUNDS times, so that the machine's drift
# falls on both; the summary gives each row's median over the rounds and the ratio new/old.
#
# usage: bench/compare_builds.sh OLD_CHECKOUT NEW_CHECKOUT
#   each checkout built with: mvn -B -q -o -P bench test-compile, and its class path written with
#   mvn -B -q -o -P bench org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
#       -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
# environment: ROUNDS (default 3), PATHS (default "float32-vector float32-noflag float64-vector"),
#   THREADS (default 1), OUT (default target/compare), EPOCHS (default "--epochs 5 --min-epochs 3")
set -euo pipefail
OLD=$(realpath "$1")
NEW=$(realpath "$2")
ROUNDS=${ROUNDS:-3}
PATHS=${PATHS:-float32-vector float32-noflag float64-vector}
THREADS=${THREADS:-1}
OUT=${OUT:-target/compare}
EPOCHS=${EPOCHS:---epochs 5 --min-epochs 3}
MNIST=$(realpath "$(dirname "$0")/../src/test/resources/data/mnist")
mkdir -p "$OUT"
: > "$OUT/old.jsonl"
: > "$OUT/new.jsonl"
run() { # run CHECKOUT OUTFILE LABEL
  local dir=$1 out=$2 label=$3 flags=()
  [[ $label == *-vector ]] && flags+=(--add-modules jdk.incubator.vector)
  java -Xmx2g "${flags[@]}" -Dmnist.dir="$MNIST" \
      -cp "$dir/target/classes:$dir/target/test-classes:$(cat "$dir/target/bench-classpath.txt")" \
      io.github.backprop4j.bench.FitBench --path "$label" --precision "${label%%-*}" --rows fit,predict \
      --threads "$THREADS" $EPOCHS >> "$out" 2> /dev/null
}
for round in $(seq 1 "$ROUNDS"); do
  for label in $PATHS; do
    echo "round $round/$ROUNDS: $label" >&2
    if [ $((round % 2)) = 1 ]; then run "$OLD" "$OUT/old.jsonl" "$label"; run "$NEW" "$OUT/new.jsonl" "$label"
    else run "$NEW" "$OUT/new.jsonl" "$label"; run "$OLD" "$OUT/old.jsonl" "$label"; fi
  done
done
python3 - "$OUT/old.jsonl" "$OUT/new.jsonl" <<'PY'
import json, statistics, sys
def rows(path):
    by = {}
    for line in open(path):
        m = json.loads(line)
        if "value" not in m:
            continue
        key = (m["path"], m["row"], m.get("batch"), m.get("threads"))
        by.setdefault(key, []).append((m["value"], m["unit"]))
    return by
old, new = rows(sys.argv[1]), rows(sys.argv[2])
print("| path | row | batch | threads | old (median) | new (median) | new/old | unit |")
print("| --- | --- | --- | --- | --- | --- | --- | --- |")
for key in sorted(old):
    if key not in new:
        continue
    o = statistics.median(v for v, _ in old[key]); n = statistics.median(v for v, _ in new[key])
    unit = old[key][0][1]
    print(f"| {key[0]} | {key[1]} | {key[2]} | {key[3]} | {o:,.1f} | {n:,.1f} | {n / o:.3f} | {unit} |")
PY
