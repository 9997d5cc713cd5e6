#!/usr/bin/env python3
"""Recomputes every "layers-1" fixture from its own inputs and compares it with what the file stores.

For each JSON file of src/test/resources/golden/layers (or the directories/files given), it rebuilds the
network from the file's `layers` (parameters and buffers), takes its `input`, `categories` and `target`,
recomputes every other value with generate_layer_fixtures.compute (PyTorch autograd and torch.optim in
float64, the same code that writes the new cases) and compares the two trees key by key: the same keys, the
same shapes, equal integers and strings, and every number within |got - want| <= 1e-12·|want| + 1e-15.
It also runs torch.autograd.gradcheck on each case (training mode, and eval mode for batch_norm networks)
and the README's "left out on purpose" rules on the stored forward and eval.forward passes.

    /usr/bin/python3 src/test/python/check_layer_fixtures.py [FILE_OR_DIRECTORY ...]

Exits non-zero if any file disagrees. Uses torch only (no numpy re-implementation).
"""
import glob
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import generate_layer_fixtures as gen  # noqa: E402

REL, FLOOR = 1e-12, 1e-15


def files(arguments):
    found = []
    for a in arguments or [gen.OUT]:
        found += sorted(glob.glob(os.path.join(a, "*.json"))) if os.path.isdir(a) else [a]
    return found


def check(path):
    with open(path) as f:
        stored = json.load(f)
    if stored.get("format") != gen.FORMAT:
        return ["format %r, not %r" % (stored.get("format"), gen.FORMAT)], None
    model, loss, x, categories, y = gen.from_file(stored)
    got, records = gen.compute(stored["name"], stored["seed"], model, loss, x, categories, y)
    report = gen.compare(stored, got, REL, FLOOR)
    problems = report["structure"] + report["out_of_bound"]
    problems += gen.rule_violations(model, loss, stored, records)
    modes = gen.gradcheck(model, loss, x, categories, y)
    report["gradcheck"] = "+".join(modes)
    return problems, report


def main():
    failed = 0
    paths = files(sys.argv[1:])
    if not paths:
        sys.exit("no fixture files found")
    print("torch", gen.torch.__version__)
    for path in paths:
        problems, report = check(path)
        name = os.path.basename(path)
        if report is not None:
            print("%s: %d numbers, worst relative %.2g (%s), worst absolute %.2g, worst %.2f of the bound; "
                  "gradcheck %s: %s" % (name, report["numbers"], report["worst_rel"], report["worst_rel_at"] or "-",
                                        report["worst_abs"], report["worst_bound"], report["gradcheck"],
                                        "FAILED" if problems else "ok"))
        for p in problems[:10]:
            print("    " + p)
        if problems:
            failed += 1
    if failed:
        sys.exit("%d of %d files disagree" % (failed, len(paths)))
    print("all %d files agree" % len(paths))


if __name__ == "__main__":
    main()
