#!/usr/bin/python3
"""Checks `skiff optimize` on a real model against ONNX Runtime running the
original model, on the same deterministic input (check_model.py's):

  1. --portable output: only standard ONNX ops, loads in ONNX Runtime, and
     ORT's outputs on it match ORT's on the original;
  2. default output (may hold com.skiff ops): loads back in skiff and
     skiff's outputs on it match ORT's on the original;
  3. with --prune VALUE: the model optimized to that intermediate value
     holds only nodes the value needs (no more nodes than its ancestors in
     the original) and skiff's result matches ORT's value of it.

Matching is check_model.py's: max |a - b| <= 1e-4 * (max(ORT) - min(ORT)).

    check_optimize.py --skiff build/bin/skiff --model rec --input x=1,3,48,320 [--prune NAME] [--opt-level L] [--engine E]

Exit status 0 when every check passes, 1 otherwise, 2 bad usage.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_model as cm  # noqa: E402

STANDARD_DOMAINS = {"", "ai.onnx", "ai.onnx.ml"}


def optimize(args, model, out, *extra):
    # Input shapes stay dynamic: the optimized model must serve any size.
    cmd = [args.skiff, "optimize", model, "-o", out] + list(extra)
    if args.opt_level and "--opt-level" not in extra:
        cmd += ["--opt-level", args.opt_level]
    if args.engine:
        cmd += ["--engine", args.engine]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise cm.CheckError("skiff optimize %s failed: %s" % (" ".join(extra), proc.stderr.decode().strip()))
    print("optimize %s: %s" % (" ".join(extra) or "(default)", proc.stdout.decode().strip().splitlines()[0]))


def ort_outputs(args, model, dirs, tag):
    out = os.path.join(dirs, "ort_" + tag)
    cm.run("ONNX Runtime on " + tag, [args.node, os.path.join(cm.HERE, "ort_run.js"), model,
                                       os.path.join(dirs, "ort_in"), out])
    return cm.read_ort_outputs(out)


def skiff_outputs(args, model, dirs, tag, count):
    out = os.path.join(dirs, "skiff_" + tag)
    # --opt-level none: run exactly the model skiff optimize wrote.
    cm.run("skiff on " + tag, [args.skiff, "run", model, "--opt-level", "none", "--inputs",
                               os.path.join(dirs, "skiff_in"), "--outputs", out, "-q"]
           + (["--engine", args.engine] if args.engine else []))
    return cm.read_skiff_outputs(out, count)


def compare_all(label, got, want):
    errors = [cm.compare(k, name, g, w) for k, ((name, w), g) in enumerate(zip(want, got))]
    errors = [e for e in errors if e]
    if errors:
        raise cm.CheckError("%s: %s" % (label, "; ".join(errors)))


def ancestors(model, value):
    producer = {out: node for node in model.graph.node for out in node.output}
    seen, stack, count = set(), [value], 0
    while stack:
        v = stack.pop()
        node = producer.get(v)
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if node.op_type != "Constant":
            count += 1
        stack.extend(node.input)
    return count


def check(args, model_path, work):
    for d in ("skiff_in", "ort_in"):
        os.makedirs(os.path.join(work, d))
    rng = np.random.default_rng(args.seed)
    specs = dict(args.input)
    tensors = [(name, cm.make_input(specs[name], dtype, rng)) for name, dtype in cm.graph_inputs(model_path)]
    cm.write_inputs(tensors, os.path.join(work, "skiff_in"), os.path.join(work, "ort_in"))
    reference = ort_outputs(args, model_path, work, "original")

    portable = os.path.join(work, "portable.onnx")
    optimize(args, model_path, portable, "--portable")
    custom = sorted({n.domain for n in onnx.load(portable).graph.node} - STANDARD_DOMAINS)
    if custom:
        raise cm.CheckError("--portable output uses domains %s" % custom)
    compare_all("ORT on the --portable model", [w for _, w in ort_outputs(args, portable, work, "portable")],
                reference)

    default = os.path.join(work, "optimized.onnx")
    optimize(args, model_path, default)
    compare_all("skiff on the optimized model", skiff_outputs(args, default, work, "optimized", len(reference)),
                reference)

    if args.prune:
        pruned = os.path.join(work, "pruned.onnx")
        optimize(args, model_path, pruned, "--outputs", args.prune, "--opt-level", "basic")
        needed, kept = ancestors(onnx.load(model_path), args.prune), len(onnx.load(pruned).graph.node)
        print("pruned to '%s': %d nodes (the original computes it with %d)" % (args.prune, kept, needed))
        if kept > needed:
            raise cm.CheckError("pruned model has %d nodes, more than the %d the value needs" % (kept, needed))
        original = onnx.load(model_path)
        original.graph.output.append(onnx.helper.make_empty_tensor_value_info(args.prune))
        with_value = os.path.join(work, "with_value.onnx")
        onnx.save(original, with_value)
        want = [o for o in ort_outputs(args, with_value, work, "value") if o[0] == args.prune]
        compare_all("skiff on the pruned model", skiff_outputs(args, pruned, work, "pruned", 1), want)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skiff", required=True)
    parser.add_argument("--model", required=True, help="model file, or det / rec / cls")
    parser.add_argument("--input", action="append", type=cm.parse_input_spec, required=True,
                        metavar="NAME=D0,D1,...")
    parser.add_argument("--prune", metavar="VALUE", help="also check pruning to this intermediate value")
    parser.add_argument("--opt-level", help="level for the portable and default outputs (default: skiff's)")
    parser.add_argument("--engine", help="engines the optimized model is for and runs on: dnnl or native")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--node", default="node")
    args = parser.parse_args()
    model_path = cm.resolve_model(args.model)
    label = os.path.basename(model_path)
    try:
        with tempfile.TemporaryDirectory(prefix="skiff-optimize-") as work:
            check(args, model_path, work)
    except cm.CheckError as error:
        print("FAIL %s: %s" % (label, error))
        return 1
    print("PASS %s" % label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
