#!/usr/bin/python3
"""Finds the first node whose output diverges between two value dumps.

A dump is a folder written by `skiff run MODEL --dump DIR` (index.tsv lists
values in execution order, one .pb file per value). Compare, for example,
the unoptimized and the optimized graph:

    skiff run det.onnx --inputs in --opt-level none --dump /tmp/a
    skiff run det.onnx --inputs in --opt-level all  --dump /tmp/b
    scripts/compare_dumps.py /tmp/a /tmp/b

or skiff against ONNX Runtime (the model is run with every node output made
a graph output, through tests/models/ort_run.js):

    scripts/compare_dumps.py --ort-dump det.onnx in /tmp/ort
    scripts/compare_dumps.py /tmp/ort /tmp/a

Values are matched by name (fused graphs lack the values they fused away);
they are walked in the first dump's order. A value diverges when
max |a - b| > atol + rtol * (max(a) - min(a)). Exit status: 0 no
divergence, 1 a divergence (printed), 2 bad usage.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ORT_RUN = os.path.join(REPO, "tests", "models", "ort_run.js")


def read_index(folder):
    path = os.path.join(folder, "index.tsv")
    if not os.path.isfile(path):
        sys.exit("compare_dumps: %s has no index.tsv (not a dump)" % folder)
    entries = []
    with open(path) as f:
        next(f)
        for line in f:
            step, value, file, node, op = line.rstrip("\n").split("\t")
            entries.append({"step": int(step), "value": value, "file": file, "node": node, "op": op})
    return entries


def load(folder, entry):
    tensor = onnx.TensorProto()
    with open(os.path.join(folder, entry["file"]), "rb") as f:
        tensor.ParseFromString(f.read())
    return numpy_helper.to_array(tensor)


def describe(entry):
    return "%s node '%s' (step %d)" % (entry["op"], entry["node"], entry["step"])


def difference(a, b, rtol, atol):
    """None when equal within tolerance, else a reason."""
    if a.shape != b.shape:
        return "shape %s vs %s" % (list(a.shape), list(b.shape))
    if a.size == 0:
        return None
    if a.dtype.kind not in "fc" or b.dtype.kind not in "fc":
        n = int(np.count_nonzero(a != b))
        return "%d of %d elements differ" % (n, a.size) if n else None
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    if not np.array_equal(np.isnan(a64), np.isnan(b64)):
        return "NaNs in different places"
    finite = np.isfinite(a64) & np.isfinite(b64)
    if not np.array_equal(a64[~finite & ~np.isnan(a64)], b64[~finite & ~np.isnan(b64)]):
        return "infinities differ"
    if not finite.any():
        return None
    diff = np.abs(a64 - b64)[finite]
    span = float(a64[finite].max() - a64[finite].min())
    bound = atol + rtol * span
    worst = float(diff.max())
    if worst > bound:
        return "max diff %.3g > bound %.3g (range %.4g, %d of %d elements over)" % (
            worst, bound, span, int(np.count_nonzero(diff > bound)), a.size)
    return None


def compare(args):
    first, second = read_index(args.a), read_index(args.b)
    by_name = {e["value"]: e for e in second}
    compared = missing = 0
    for entry in first:
        other = by_name.get(entry["value"])
        if other is None:
            missing += 1
            continue
        compared += 1
        reason = difference(load(args.a, entry), load(args.b, other), args.rtol, args.atol)
        if reason:
            print("first divergence: value '%s'\n  %s: %s\n  %s: %s\n  %s"
                  % (entry["value"], args.a, describe(entry), args.b, describe(other), reason))
            return 1
    print("no divergence: %d values compared, %d only in %s, %d only in %s"
          % (compared, missing, args.a, len(second) - compared, args.b))
    return 0


def ort_dump(args):
    """Runs MODEL in ONNX Runtime with every node output as a graph output
    and writes a dump in skiff's format."""
    model = onnx.load(args.model)
    graph = model.graph
    declared = {o.name for o in graph.output}
    entries = []
    for step, node in enumerate(graph.node):
        for out in node.output:
            if not out:
                continue
            entries.append((step, out, node.name, node.op_type if not node.domain else node.domain + "::" + node.op_type))
            if out not in declared and node.op_type != "Constant":
                graph.output.append(onnx.helper.make_empty_tensor_value_info(out))
                declared.add(out)
    inputs = [i for i in graph.input if i.name not in {t.name for t in graph.initializer}]
    os.makedirs(args.out, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="skiff-ort-dump-") as work:
        model_path = os.path.join(work, "model.onnx")
        onnx.save(model, model_path)
        in_dir, out_dir = os.path.join(work, "in"), os.path.join(work, "out")
        os.makedirs(in_dir)
        manifest = []
        for k, vi in enumerate(inputs):
            tensor = onnx.TensorProto()
            with open(os.path.join(args.inputs, "input_%d.pb" % k), "rb") as f:
                tensor.ParseFromString(f.read())
            array = numpy_helper.to_array(tensor)
            array.astype(array.dtype.newbyteorder("<")).tofile(os.path.join(in_dir, "input_%d.bin" % k))
            manifest.append({"name": vi.name, "dtype": array.dtype.name, "shape": list(array.shape),
                             "file": "input_%d.bin" % k})
        with open(os.path.join(in_dir, "manifest.json"), "w") as f:
            json.dump(manifest, f)
        subprocess.run(["node", ORT_RUN, model_path, in_dir, out_dir], check=True)
        with open(os.path.join(out_dir, "manifest.json")) as f:
            outputs = {e["name"]: e for e in json.load(f)}
        with open(os.path.join(args.out, "index.tsv"), "w") as index:
            index.write("step\tvalue\tfile\tnode\top\n")
            for number, (step, name, node, op) in enumerate(entries):
                e = outputs.get(name)
                if e is None:
                    continue
                data = np.fromfile(os.path.join(out_dir, e["file"]), dtype=np.dtype(e["dtype"]).newbyteorder("<"))
                file = "%d.pb" % number
                with open(os.path.join(args.out, file), "wb") as f:
                    f.write(numpy_helper.from_array(data.reshape(e["shape"]), name).SerializeToString())
                index.write("%d\t%s\t%s\t%s\t%s\n" % (step, name, file, node, op))
    print("wrote %s" % args.out)
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("a", nargs="?", help="first dump folder")
    parser.add_argument("b", nargs="?", help="second dump folder")
    parser.add_argument("--rtol", type=float, default=1e-4, help="relative to the value range (default 1e-4)")
    parser.add_argument("--atol", type=float, default=1e-6)
    parser.add_argument("--ort-dump", nargs=3, metavar=("MODEL", "INPUTS_DIR", "OUT_DIR"),
                        help="write ONNX Runtime's dump of MODEL on INPUTS_DIR/input_K.pb")
    args = parser.parse_args()
    if args.ort_dump:
        args.model, args.inputs, args.out = args.ort_dump
        return ort_dump(args)
    if not args.a or not args.b:
        parser.print_usage(sys.stderr)
        return 2
    return compare(args)


if __name__ == "__main__":
    sys.exit(main())
