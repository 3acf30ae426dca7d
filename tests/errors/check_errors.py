#!/usr/bin/python3
"""Runs `skiff run MODEL --inputs DIR` on every case in cases.py and requires
a clean run-time error: exit status 3 and exactly one stderr line, starting
`skiff: `, that names the node (every node is named after its case) and
contains each substring the case expects (the offending index, axis, shape or
input). A crash (a signal), a sanitizer report, a hang or any other status
fails. Each case runs once per engine (oneDNN regions, then native kernels
only), since either may meet the bad data first.

    check_errors.py --skiff build/bin/skiff --dir WORKDIR [--engines dnnl,native] [CASE...]

The models and their input files are written to WORKDIR/<case>/ first
(model.onnx, inputs/input_K.pb), so a failing case can be rerun by hand.
"""
import argparse
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "support"))
from refusal import run_refused  # noqa: E402

from onnx import TensorProto, helper, mapping, numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import CASES  # noqa: E402

TIMEOUT_S = 60
EXPECTED_STATUS = 3


def write_case(case, folder):
    """Writes folder/model.onnx (one node named after the case) and its inputs."""
    inputs_dir = os.path.join(folder, "inputs")
    os.makedirs(inputs_dir, exist_ok=True)
    node_inputs, graph_inputs = [], []
    for name, array in case.inputs:
        if array is None:
            node_inputs.append("")
            continue
        node_inputs.append(name)
        elem_type = mapping.NP_TYPE_TO_TENSOR_TYPE[array.dtype]
        graph_inputs.append(helper.make_tensor_value_info(name, elem_type, list(array.shape)))
        tensor = numpy_helper.from_array(array, name)
        with open(os.path.join(inputs_dir, "input_%d.pb" % (len(graph_inputs) - 1)), "wb") as f:
            f.write(tensor.SerializeToString())
    outputs = ["out%d" % k for k in range(case.outputs)]
    node = helper.make_node(case.op, node_inputs, outputs, name=case.name, **case.attrs)
    graph = helper.make_graph(
        [node], case.name, graph_inputs,
        [helper.make_tensor_value_info(o, TensorProto.UNDEFINED, None) for o in outputs])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", case.opset)],
                              producer_name="skiff-tests")
    model_path = os.path.join(folder, "model.onnx")
    with open(model_path, "wb") as f:
        f.write(model.SerializeToString())
    return model_path, inputs_dir


def check_one(skiff, case, model, inputs_dir, engine):
    """Returns (ok, reason) for one case on one engine."""
    folder = os.path.dirname(model)
    reason, message = run_refused([skiff, "run", model, "--inputs", inputs_dir, "--engine", engine],
                                  EXPECTED_STATUS, TIMEOUT_S)
    if reason:
        return False, reason
    # The paths hold the case name, which must not be what names the node.
    message = message.replace(folder, "")
    if "'%s'" % case.name not in message:
        return False, "message does not name node '%s': %s" % (case.name, message)
    missing = [word for word in case.expect if word not in message.replace("'%s'" % case.name, "")]
    if missing:
        return False, "message lacks %s: %s" % (missing, message)
    return True, message


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skiff", required=True, help="path to the skiff binary")
    parser.add_argument("--dir", required=True, help="work folder for the models and inputs")
    parser.add_argument("--engines", default="dnnl,native", help="engines to run each case on")
    parser.add_argument("cases", nargs="*", help="run only these cases")
    args = parser.parse_args()
    if not (os.path.isfile(args.skiff) and os.access(args.skiff, os.X_OK)):
        print("check_errors: skiff binary not found or not executable: %s" % args.skiff, file=sys.stderr)
        return 2
    names = [c.name for c in CASES]
    assert len(set(names)) == len(names), "duplicate case names"
    unknown = set(args.cases) - set(names)
    if unknown:
        print("check_errors: unknown cases %s" % sorted(unknown), file=sys.stderr)
        return 2
    selected = [c for c in CASES if not args.cases or c.name in args.cases]
    engines = args.engines.split(",")
    runs = failed = 0
    for case in selected:
        model, inputs_dir = write_case(case, os.path.join(os.path.abspath(args.dir), case.name))
        for engine in engines:
            ok, reason = check_one(args.skiff, case, model, inputs_dir, engine)
            print("%s %s [%s]: %s" % ("PASS" if ok else "FAIL", case.name, engine, reason))
            runs += 1
            failed += not ok
    print("%d passed, %d failed (%d cases x %d engines)" % (runs - failed, failed, len(selected), len(engines)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
