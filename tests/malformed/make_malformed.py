#!/usr/bin/python3
"""Writes models that skiff must refuse to load, each with one defect, into
OUTDIR, plus OUTDIR/expect.json: for each file (path relative to OUTDIR), the
words of which skiff's one-line error must contain at least one (so a generic
"error" is not enough).

    make_malformed.py OUTDIR

Each defect is built from a small valid model (checked with onnx.checker) so
that the defect, not something incidental, is what a loader has to catch.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13


def conv_model(weight=None, extra_nodes=(), x_dims=(1, 3, 8, 8)):
    """x -> Conv(conv_weight) -> Relu -> y: the valid base."""
    if weight is None:
        weight = numpy_helper.from_array(
            np.random.default_rng(0).standard_normal((16, 3, 3, 3)).astype(np.float32), "conv_weight")
    nodes = [helper.make_node("Conv", ["x", "conv_weight"], ["conv_out"], name="conv", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["conv_out"], ["y"], name="relu")]
    graph = helper.make_graph(
        nodes + list(extra_nodes), "malformed_base",
        [helper.make_tensor_value_info("x", TensorProto.FLOAT, list(x_dims))],
        [helper.make_tensor_value_info("y", TensorProto.FLOAT, [x_dims[0], 16, x_dims[2], x_dims[3]])],
        initializer=[weight])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="skiff-tests")


def small_graph(nodes, inputs, outputs, initializer=()):
    graph = helper.make_graph(nodes, "malformed", inputs, outputs, initializer=list(initializer))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)], producer_name="skiff-tests")


def float_info(name, dims=(2, 3)):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, list(dims))


def truncated():
    data = conv_model().SerializeToString()
    # Cut inside the weight's raw_data, so the length prefix promises bytes
    # that are not there (a cut on a field boundary would still parse).
    cut = data[: len(data) // 2]
    try:
        onnx.ModelProto().ParseFromString(cut)
    except Exception:
        return cut
    raise AssertionError("the truncated model still parses")


def plain_text():
    return b"This is a plain text file, not an ONNX model.\nir_version: 8\n"


def missing_initializer():
    model = small_graph([helper.make_node("Add", ["x", "bias_not_defined"], ["y"], name="add_bias")],
                        [float_info("x")], [float_info("y")])
    return model.SerializeToString()


def cycle():
    nodes = [helper.make_node("Add", ["x", "cycle_b"], ["cycle_a"], name="add_loop"),
             helper.make_node("Relu", ["cycle_a"], ["cycle_b"], name="relu_loop")]
    return small_graph(nodes, [float_info("x")], [float_info("cycle_a")]).SerializeToString()


def unknown_op():
    model = small_graph([helper.make_node("NoSuchOp", ["x"], ["y"], name="mystery")],
                        [float_info("x")], [float_info("y")])
    return model.SerializeToString()


def negative_dim():
    return conv_model(x_dims=(1, 3, -3, 8)).SerializeToString()


def duplicate_name():
    nodes = [helper.make_node("Relu", ["x"], ["dup_value"], name="first"),
             helper.make_node("Neg", ["x"], ["dup_value"], name="second")]
    return small_graph(nodes, [float_info("x")], [float_info("dup_value")]).SerializeToString()


def raw_data_size_mismatch():
    weight = TensorProto(name="conv_weight", data_type=TensorProto.FLOAT, dims=[16, 3, 3, 3])
    weight.raw_data = np.zeros(100, dtype=np.float32).tobytes()  # 432 floats promised
    return conv_model(weight=weight).SerializeToString()


def external_weight(location):
    weight = TensorProto(name="conv_weight", data_type=TensorProto.FLOAT, dims=[16, 3, 3, 3])
    weight.data_location = TensorProto.EXTERNAL
    for key, value in (("location", location), ("offset", "0"), ("length", str(16 * 3 * 3 * 3 * 4))):
        entry = weight.external_data.add()
        entry.key, entry.value = key, value
    return conv_model(weight=weight).SerializeToString()


def not_a_model():
    # A TensorProto's fields land on ModelProto's ir_version (dims, field 1)
    # and unknown fields, so it parses as a ModelProto with no graph.
    tensor = numpy_helper.from_array(np.arange(6, dtype=np.float32).reshape(2, 3))
    data = tensor.SerializeToString()
    model = onnx.ModelProto()
    model.ParseFromString(data)
    assert not model.HasField("graph")
    return data


def main():
    if len(sys.argv) != 2:
        print("usage: make_malformed.py OUTDIR", file=sys.stderr)
        return 2
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "external"), exist_ok=True)
    onnx.checker.check_model(conv_model())

    # The escaping location resolves to a real file with the right size, so
    # only a loader that confines external data to the model folder refuses.
    with open(os.path.join(out, "escape_target.bin"), "wb") as f:
        f.write(np.ones(16 * 3 * 3 * 3, dtype=np.float32).tobytes())

    cases = {
        "truncated.onnx": (truncated(), ["parse", "truncat", "protobuf", "corrupt", "invalid", "not a valid"]),
        "plain_text.onnx": (plain_text(), ["parse", "protobuf", "not an onnx", "invalid", "not a valid"]),
        "empty.onnx": (b"", ["empty", "graph", "ir_version", "no model"]),
        "not_a_model.onnx": (not_a_model(), ["graph", "ir_version", "opset", "not a model"]),
        "missing_initializer.onnx": (missing_initializer(), ["bias_not_defined"]),
        "cycle.onnx": (cycle(), ["cycle", "cyclic", "loop"]),
        "unknown_op.onnx": (unknown_op(), ["NoSuchOp"]),
        "negative_dim.onnx": (negative_dim(), ["-3", "negative"]),
        "duplicate_name.onnx": (duplicate_name(), ["dup_value"]),
        "raw_data_size_mismatch.onnx": (raw_data_size_mismatch(), ["conv_weight", "raw_data", "1728"]),
        "external/escape.onnx": (external_weight("../escape_target.bin"), ["escape_target", "outside", "../"]),
        "external/absolute.onnx": (external_weight(os.path.abspath(os.path.join(out, "escape_target.bin"))),
                                   ["escape_target", "outside", "absolute"]),
    }
    expect = {}
    for name, (data, words) in cases.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
        expect[name] = words
    with open(os.path.join(out, "expect.json"), "w") as f:
        json.dump(expect, f, indent=1, sort_keys=True)
        f.write("\n")
    print("make_malformed: wrote %d malformed models to %s" % (len(cases), out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
