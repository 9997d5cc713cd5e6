#!/usr/bin/python3
"""Prints the medians of JMH JSON results (target/bench/*.json): for throughput and average-time modes the
median of the measurement iterations, for sample-time mode the median sample; with gc.alloc.rate.norm if the
run used -prof gc. usage: /usr/bin/python3 bench/summarize.py target/bench/*.json"""
import json
import statistics
import sys

for path in sys.argv[1:]:
    print(f"== {path}")
    for r in json.load(open(path)):
        name = r["benchmark"].rsplit(".", 1)[1]
        params = ",".join(f"{k}={v}" for k, v in r.get("params", {}).items())
        m = r["primaryMetric"]
        if r["mode"] == "sample":
            value = m["scorePercentiles"]["50.0"]
        else:
            value = statistics.median(x for run in m["rawData"] for x in run)
        line = f"{name:14s} {params:28s} {value:14.3f} {m['scoreUnit']}"
        alloc = r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")
        if alloc:
            line += f"   alloc {alloc['score']:.0f} {alloc['scoreUnit']}"
        print(line)
