#!/usr/bin/python3
"""The second path through ONNX's conformance cases: drives
`skiff run MODEL --inputs test_data_set_N --outputs TMP` case by case and
compares the outputs here, with numpy, as ONNX's backend test runner does
(dtypes equal; shapes exact; floats within rtol 1e-3, atol 1e-7 with NaNs
matching; integers, bools and strings exact). It enforces the same
must_pass.txt and prints the same closing line as check_conformance.py, so
a case on which the two disagree points at `skiff test` or at `skiff run`'s
tensor I/O rather than at a kernel.

    run_cases.py --skiff build/bin/skiff [--jobs N] [--verbose] [CASE...]

CASE is group/name (node/test_abs); without any, all 1,072 cases run.
As in `skiff test`, a case needing an operator skiff lacks (exit status 4)
fails, and only a case without test data is a SKIP.
"""
import argparse
import concurrent.futures
import glob
import os
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

import conformance_common as common

RTOL = 1e-3
ATOL = 1e-7
CASE_TIMEOUT_S = 300


def read_value(path, type_proto):
    """An input/output file as the ONNX runner reads it: by the graph's type."""
    with open(path, "rb") as f:
        data = f.read()
    kind = type_proto.WhichOneof("value")
    if kind == "sequence_type":
        proto = onnx.SequenceProto()
        proto.ParseFromString(data)
        return numpy_helper.to_list(proto)
    if kind == "optional_type":
        proto = onnx.OptionalProto()
        proto.ParseFromString(data)
        return numpy_helper.to_optional(proto)
    if kind == "map_type":
        proto = onnx.MapProto()
        proto.ParseFromString(data)
        return numpy_helper.to_dict(proto)
    proto = onnx.TensorProto()
    proto.ParseFromString(data)
    return numpy_helper.to_array(proto)


def compare_arrays(want, got):
    """None when equal within the runner's tolerances, else why not."""
    if not isinstance(got, np.ndarray):
        return "expected a tensor, got %s" % type(got).__name__
    if want.dtype != got.dtype:
        return "dtype %s, expected %s" % (got.dtype, want.dtype)
    if want.shape != got.shape:
        return "shape %s, expected %s" % (list(got.shape), list(want.shape))
    if want.dtype.kind in "fc":
        w = want.astype(np.complex128 if want.dtype.kind == "c" else np.float64)
        g = got.astype(w.dtype)
        with np.errstate(invalid="ignore", over="ignore"):
            close = np.isclose(g, w, rtol=RTOL, atol=ATOL, equal_nan=True)
        if close.all():
            return None
        diff = np.abs(g - w)
        diff = np.where(close, 0.0, np.where(np.isnan(diff), np.inf, diff))
        worst = np.unravel_index(int(np.argmax(diff)), w.shape)
        return ("%d of %d values differ beyond rtol %g atol %g; e.g. at %s: %r, expected %r"
                % (int((~close).sum()), w.size, RTOL, ATOL, list(map(int, worst)), g[worst], w[worst]))
    equal = want == got
    if np.all(equal):
        return None
    first = np.unravel_index(int(np.argmin(equal)), want.shape)
    return ("%d of %d values differ (exact match required); e.g. at %s: %r, expected %r"
            % (int((~equal).sum()), want.size, list(map(int, first)), got[first], want[first]))


def compare_values(want, got):
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            return "expected a sequence of %d tensors, got %s" % (len(want), describe(got))
        for i, (w, g) in enumerate(zip(want, got)):
            error = compare_values(w, g)
            if error:
                return "element %d: %s" % (i, error)
        return None
    if want is None:
        return None if got is None else "expected an empty optional, got %s" % describe(got)
    if isinstance(want, dict):
        if not isinstance(got, dict) or sorted(got) != sorted(want):
            return "map keys differ"
        for key in want:
            error = compare_values(want[key], got[key])
            if error:
                return "key %r: %s" % (key, error)
        return None
    return compare_arrays(want, got)


def describe(value):
    if isinstance(value, np.ndarray):
        return "a tensor of shape %s" % list(value.shape)
    return "a %s" % type(value).__name__


def run_data_set(skiff, model_path, graph, data_dir):
    """(status, reason) for one test_data_set_N."""
    with tempfile.TemporaryDirectory(prefix="skiff-case-") as out_dir:
        status, _, stderr = common.run_captured(
            [skiff, "run", model_path, "--inputs", data_dir, "--outputs", out_dir], CASE_TIMEOUT_S)
        message = (stderr.strip().splitlines() or ["(no message)"])[-1]
        if status is None:
            return common.FAIL, "ERROR: `skiff run` timed out after %d s" % CASE_TIMEOUT_S
        if status not in (0, 2, 3, 4):
            return common.FAIL, "CRASH: `skiff run` %s: %s" % (common.describe_status(status), message)
        if status != 0:
            return common.FAIL, "exit status %d: %s" % (status, message)
        expected = sorted(glob.glob(os.path.join(data_dir, "output_*.pb")))
        for k in range(len(expected)):
            want_path = os.path.join(data_dir, "output_%d.pb" % k)
            got_path = os.path.join(out_dir, "output_%d.pb" % k)
            type_proto = graph.output[k].type
            if not os.path.isfile(got_path):
                return common.FAIL, "skiff wrote no output_%d.pb" % k
            try:
                got = read_value(got_path, type_proto)
            except Exception as error:  # a file numpy_helper cannot read is skiff's fault
                return common.FAIL, "output_%d.pb unreadable: %s" % (k, error)
            error = compare_values(read_value(want_path, type_proto), got)
            if error:
                return common.FAIL, "output %d '%s': %s" % (k, graph.output[k].name, error)
        return common.PASS, ""


def run_case(skiff, root, key):
    case_dir = os.path.join(root, key)
    model_path = os.path.join(case_dir, "model.onnx")
    graph = onnx.load(model_path, load_external_data=False).graph
    data_sets = sorted(glob.glob(os.path.join(case_dir, "test_data_set_*")))
    if not data_sets:
        return common.SKIP, "no test_data_set_* folders"
    for data_dir in data_sets:
        status, reason = run_data_set(skiff, model_path, graph, data_dir)
        if status != common.PASS:
            if len(data_sets) > 1:
                reason = "%s: %s" % (os.path.basename(data_dir), reason)
            return status, reason
    return common.PASS, ""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skiff", required=True, help="path to the skiff binary")
    parser.add_argument("--data", default=common.DATA_ROOT, help="ONNX backend test data root")
    parser.add_argument("--jobs", type=int, default=1, help="cases run at once")
    parser.add_argument("--verbose", action="store_true", help="print every case's result")
    parser.add_argument("cases", nargs="*", metavar="CASE", help="group/name; default: all")
    args = parser.parse_args()
    common.check_skiff_binary(args.skiff)
    header, must_pass = common.read_must_pass()
    all_names = ["%s/%s" % (g, n) for g, names in common.list_cases(args.data).items() for n in names]
    if args.cases:
        unknown = sorted(set(args.cases) - set(all_names))
        if unknown:
            sys.exit("run_cases: no such case: %s" % ", ".join(unknown))
        all_names = args.cases
        must_pass = [name for name in must_pass if name in set(args.cases)]

    results = {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        futures = {name: pool.submit(run_case, args.skiff, args.data, name) for name in all_names}
        for name in all_names:
            results[name] = futures[name].result()
            status, reason = results[name]
            if args.verbose:
                print("%s %s%s" % (status, name, ": " + reason if reason else ""), flush=True)
    return common.verdict(results, all_names, must_pass, header, False, "run_cases")


if __name__ == "__main__":
    sys.exit(main())
