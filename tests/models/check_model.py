#!/usr/bin/python3
"""Runs one real model through skiff and through ONNX Runtime (ort_run.js) on
the same deterministic input and requires every output to match:

    shapes equal, and max |skiff - ort| <= 1e-4 * (max(ort) - min(ort))

(integer and bool outputs must match exactly).

    check_model.py --skiff build/bin/skiff --model det --input x=1,3,640,640 [--seed 0] [--engine native]

--model is a path, det / rec / cls for the PaddleOCR models that
scripts/fetch-models.sh installs (it is asked for the path, and installs them
when missing), or zoo:NAME for a benchmark model bench/build_zoo.py exported
into ${SKIFF_CACHE:-~/.cache/skiff}/zoo. Exit status: 0 match, 1 mismatch or either side failed,
2 bad usage or missing tools.
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

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
FETCH_MODELS = os.path.join(REPO, "scripts", "fetch-models.sh")
RELATIVE_TOLERANCE = 1e-4
RUN_TIMEOUT_S = 600  # below the CTest timeout, so a hang is reported here


class CheckError(Exception):
    """A failure to report as one line, then exit 1."""


def usage_error(message):
    print("check_model: " + message, file=sys.stderr)
    sys.exit(2)


def resolve_model(model):
    if model.startswith("zoo:"):
        cache = os.environ.get("SKIFF_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "skiff"))
        path = os.path.join(cache, "zoo", model[4:] + ".onnx")
        if not os.path.isfile(path):
            usage_error("zoo model not found: %s (build it with bench/build_zoo.py)" % path)
        return path
    if model not in ("det", "rec", "cls"):
        if not os.path.isfile(model):
            usage_error("model file not found: " + model)
        return model
    proc = subprocess.run([FETCH_MODELS, "--print-path", model], stdout=subprocess.PIPE)
    path = proc.stdout.decode().strip()
    if proc.returncode != 0 or not os.path.isfile(path):
        usage_error("could not get the '%s' model from %s (see its message above)" % (model, FETCH_MODELS))
    return path


def parse_input_spec(spec):
    name, sep, dims = spec.partition("=")
    try:
        shape = [int(d) for d in dims.split(",")]
    except ValueError:
        shape = None
    if not sep or not name or not shape or min(shape) < 0:
        usage_error("--input wants NAME=D0,D1,... (got '%s')" % spec)
    return name, shape


def draw_glyph(page, top, left, size, ink, rng):
    """A few strokes (bars and a diagonal) in a size x size cell."""
    thick = max(1, size // 8)
    for _ in range(int(rng.integers(2, 5))):
        kind = rng.integers(0, 3)
        at = int(rng.integers(0, max(1, size - thick)))
        lo, hi = sorted(int(v) for v in rng.integers(0, size + 1, size=2))
        hi = max(hi, lo + thick + 1)
        if kind == 0:
            page[top + at:top + at + thick, left + lo:left + hi] = ink
        elif kind == 1:
            page[top + lo:top + hi, left + at:left + at + thick] = ink
        else:
            for i in range(size):
                page[top + i, left + i * (hi - lo) // size + lo:left + i * (hi - lo) // size + lo + thick] = ink


def draw_text_line(page, top, left, height, width, rng):
    size = max(2, int(height * 0.75))
    ink = rng.uniform(0.0, 0.25)
    x = left
    while x + size <= left + width:
        draw_glyph(page, top + (height - size) // 2, x, size, ink, rng)
        x += size + max(1, int(size * rng.uniform(0.1, 0.5)))


def image_like(shape, rng):
    """Dark glyph-like strokes in lines of text on a lit, shaded page, scaled
    to [-1, 1] as PaddleOCR normalises images. Unlike white noise it gives the
    detector text to find and the recogniser strokes to read, so outputs span
    a real range. Crops 64 pixels high or less hold one line, as the
    recogniser and classifier see; taller images hold several."""
    n, c, h, w = shape
    ys = np.linspace(-0.5, 0.5, h, dtype=np.float32)[:, None]
    xs = np.linspace(-0.5, 0.5, w, dtype=np.float32)[None, :]
    images = np.empty(shape, dtype=np.float32)
    for b in range(n):
        tilt = rng.uniform(-0.15, 0.15, size=2)
        page = np.broadcast_to(0.85 + tilt[0] * ys + tilt[1] * xs, (h, w)).copy()
        if h <= 64:
            margin = h // 8
            draw_text_line(page, margin, margin, h - 2 * margin, w - 2 * margin, rng)
        else:
            for _ in range(int(rng.integers(3, 9))):
                line_h = int(rng.integers(max(4, h // 40), max(5, h // 8)))
                line_w = int(w * rng.uniform(0.2, 0.8))
                top = int(rng.integers(0, h - line_h))
                left = int(rng.integers(0, w - line_w))
                draw_text_line(page, top, left, line_h, line_w, rng)
        for ch in range(c):
            noisy = page * rng.uniform(0.9, 1.0) + rng.normal(0.0, 0.02, size=(h, w))
            images[b, ch] = np.clip(noisy, 0.0, 1.0) * 2.0 - 1.0
    return images


def make_input(shape, dtype, rng):
    if dtype.kind == "f":
        if len(shape) == 4 and min(shape) > 0:
            return image_like(shape, rng).astype(dtype)
        return rng.uniform(-1.0, 1.0, size=shape).astype(dtype)
    if dtype.kind == "b":
        return rng.integers(0, 2, size=shape).astype(bool)
    return rng.integers(0, 10, size=shape).astype(dtype)


def graph_inputs(model_path):
    """(name, numpy dtype) of each non-initializer input, in position order."""
    model = onnx.load(model_path, load_external_data=False)
    initializers = {t.name for t in model.graph.initializer}
    inputs = []
    for value in model.graph.input:
        if value.name in initializers:
            continue
        elem_type = value.type.tensor_type.elem_type
        inputs.append((value.name, np.dtype(onnx.mapping.TENSOR_TYPE_TO_NP_TYPE[elem_type])))
    return inputs


def write_inputs(tensors, skiff_dir, ort_dir):
    manifest = []
    for position, (name, array) in enumerate(tensors):
        with open(os.path.join(skiff_dir, "input_%d.pb" % position), "wb") as f:
            f.write(numpy_helper.from_array(array, name).SerializeToString())
        raw = "input_%d.bin" % position
        np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tofile(os.path.join(ort_dir, raw))
        manifest.append({"name": name, "dtype": array.dtype.name, "shape": list(array.shape), "file": raw})
    with open(os.path.join(ort_dir, "manifest.json"), "w") as f:
        json.dump(manifest, f)


def run(label, command):
    try:
        proc = subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise CheckError("%s timed out after %d s" % (label, RUN_TIMEOUT_S))
    if proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip() or "(no message)"
        raise CheckError("%s failed with exit status %d: %s" % (label, proc.returncode, detail))


def read_skiff_outputs(out_dir, count):
    outputs = []
    for k in range(count):
        path = os.path.join(out_dir, "output_%d.pb" % k)
        if not os.path.isfile(path):
            raise CheckError("skiff wrote no %s" % os.path.basename(path))
        tensor = onnx.TensorProto()
        with open(path, "rb") as f:
            tensor.ParseFromString(f.read())
        outputs.append(numpy_helper.to_array(tensor))
    return outputs


def read_ort_outputs(out_dir):
    with open(os.path.join(out_dir, "manifest.json")) as f:
        manifest = json.load(f)
    outputs = []
    for entry in manifest:
        dtype = np.dtype("bool" if entry["dtype"] == "bool" else entry["dtype"]).newbyteorder("<")
        data = np.fromfile(os.path.join(out_dir, entry["file"]), dtype=dtype)
        outputs.append((entry["name"], data.reshape(entry["shape"])))
    return outputs


def compare(k, name, got, want):
    """Returns an error string, or None when output k matches."""
    head = "output %d '%s'" % (k, name)
    if list(got.shape) != list(want.shape):
        return "%s: shape %s, ONNX Runtime %s" % (head, list(got.shape), list(want.shape))
    if want.dtype.kind not in "fc":
        mismatches = int(np.count_nonzero(got != want))
        print("%s %s %s: %d of %d elements differ (exact match required)"
              % (head, list(want.shape), want.dtype, mismatches, want.size))
        return "%s: %d elements differ" % (head, mismatches) if mismatches else None
    got = got.astype(np.float64)
    want = want.astype(np.float64)
    if want.size == 0:
        print("%s %s: empty, shapes match" % (head, list(want.shape)))
        return None
    if not np.all(np.isfinite(want)):
        return "%s: ONNX Runtime produced non-finite values; the bound is undefined" % head
    value_range = float(want.max() - want.min())
    bound = RELATIVE_TOLERANCE * value_range
    diff = np.abs(got - want)
    max_diff = float(np.max(np.where(np.isfinite(got), diff, np.inf)))
    worst = np.unravel_index(int(np.argmax(np.where(np.isfinite(got), diff, np.inf))), want.shape)
    print("%s %s: max diff %.3g at %s (skiff %.7g, ORT %.7g), bound %.3g = %g x ORT range %.4g"
          % (head, list(want.shape), max_diff, list(map(int, worst)), got[worst], want[worst],
             bound, RELATIVE_TOLERANCE, value_range))
    if max_diff > bound:
        return "%s: max diff %.3g exceeds bound %.3g" % (head, max_diff, bound)
    return None


def check(args, model_path, workdir):
    inputs = graph_inputs(model_path)
    specs = dict(args.input)
    unknown = sorted(set(specs) - {name for name, _ in inputs})
    if unknown:
        usage_error("model has no input named %s (inputs: %s)" % (unknown, [n for n, _ in inputs]))
    rng = np.random.default_rng(args.seed)
    tensors = []
    for name, dtype in inputs:
        if name not in specs:
            usage_error("give a shape for input '%s' with --input %s=D0,D1,..." % (name, name))
        tensors.append((name, make_input(specs[name], dtype, rng)))

    dirs = {key: os.path.join(workdir, key) for key in ("skiff_in", "skiff_out", "ort_in", "ort_out")}
    for d in dirs.values():
        os.makedirs(d)
    write_inputs(tensors, dirs["skiff_in"], dirs["ort_in"])
    run("skiff", [args.skiff, "run", model_path, "--engine", args.engine, "--inputs", dirs["skiff_in"],
                  "--outputs", dirs["skiff_out"]])
    run("ONNX Runtime (ort_run.js)", [args.node, os.path.join(HERE, "ort_run.js"),
                                      model_path, dirs["ort_in"], dirs["ort_out"]])
    want = read_ort_outputs(dirs["ort_out"])
    got = read_skiff_outputs(dirs["skiff_out"], len(want))
    errors = [compare(k, name, g, w) for k, ((name, w), g) in enumerate(zip(want, got))]
    errors = [e for e in errors if e]
    if errors:
        raise CheckError("; ".join(errors))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skiff", required=True, help="path to the skiff binary")
    parser.add_argument("--model", required=True, help="model file, det / rec / cls, or zoo:NAME")
    parser.add_argument("--input", action="append", type=parse_input_spec, required=True,
                        metavar="NAME=D0,D1,...", help="shape of a graph input (repeat per input)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", default="dnnl", choices=["dnnl", "native"],
                        help="skiff's engines: dnnl (oneDNN regions, the default) or native")
    parser.add_argument("--node", default="node", help="Node.js binary for ort_run.js")
    parser.add_argument("--keep", metavar="DIR", help="keep inputs and outputs in DIR (must not exist)")
    args = parser.parse_args()
    if not (os.path.isfile(args.skiff) and os.access(args.skiff, os.X_OK)):
        usage_error("skiff binary not found or not executable: %s (build it with `make build`)" % args.skiff)
    model_path = resolve_model(args.model)
    label = "%s %s seed %d" % (os.path.basename(model_path),
                               " ".join("%s=%s" % (n, ",".join(map(str, s))) for n, s in args.input), args.seed)
    try:
        if args.keep:
            os.makedirs(args.keep)
            check(args, model_path, args.keep)
        else:
            with tempfile.TemporaryDirectory(prefix="skiff-model-") as workdir:
                check(args, model_path, workdir)
    except CheckError as error:
        print("FAIL %s: %s" % (label, error))
        return 1
    print("PASS %s" % label)
    return 0


if __name__ == "__main__":
    sys.exit(main())
