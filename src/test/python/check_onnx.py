#!/usr/bin/env python3
"""Runs the ONNX checker, with its full check (shape inference too), over every model the ONNX tests write.

OnnxExportTest and OnnxBundleExportTest export each network and bundle they test into target/onnx-check (one
.onnx file per case); this script
loads each file given (or each .onnx file of the directories given, target/onnx-check by default) and runs
onnx.checker.check_model(model, full_check=True). It also checks what the exporter promises beyond validity:
IR version 8, the default opset 17, one input "input" and one output "output" of rank 2 whose first
dimension is the symbol "batch".

    mvn -o test -Dtest=OnnxExportTest && /usr/bin/python3 src/test/python/check_onnx.py [FILE_OR_DIRECTORY ...]

Exits non-zero if a file fails, or if there is no file to check. Needs Debian's python3-onnx (1.12).
"""
import glob
import os
import sys

import onnx

DEFAULT = os.path.join("target", "onnx-check")


def files(arguments):
    found = []
    for a in arguments or [DEFAULT]:
        found += sorted(glob.glob(os.path.join(a, "*.onnx"))) if os.path.isdir(a) else [a]
    return found


def problems(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    found = []
    if model.ir_version != 8:
        found.append("IR version %d, expected 8" % model.ir_version)
    opsets = {o.domain: o.version for o in model.opset_import}
    if opsets != {"": 17}:
        found.append("opsets %s, expected only the default domain at 17" % opsets)
    graph = model.graph
    for values, name in ((graph.input, "input"), (graph.output, "output")):
        if [v.name for v in values] != [name]:
            found.append("graph %ss %s, expected [%s]" % (name, [v.name for v in values], name))
            continue
        dims = values[0].type.tensor_type.shape.dim
        if len(dims) != 2 or dims[0].dim_param != "batch" or dims[1].dim_value < 1:
            found.append("%s shape %s, expected [batch, n]" % (name, [str(d).strip() for d in dims]))
    return found


def main():
    paths = files(sys.argv[1:])
    if not paths:
        print("check_onnx: no .onnx file found (run OnnxExportTest first)", file=sys.stderr)
        return 1
    failed = 0
    for path in paths:
        try:
            found = problems(path)
        except Exception as e:  # the checker raises ValidationError, and load DecodeError, on a bad file
            found = ["%s: %s" % (type(e).__name__, e)]
        if found:
            failed += 1
            print("FAIL %s: %s" % (path, "; ".join(found)))
    print("check_onnx: %d of %d files pass onnx.checker.check_model(full_check=True) (onnx %s)"
          % (len(paths) - failed, len(paths), onnx.__version__))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
