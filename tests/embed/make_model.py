#!/usr/bin/python3
"""Writes the embed test's model, y = Relu(x W + b) with x: float[batch, 64],
and its weights as raw floats (W row-major 64x32, then b) for the
application's own reference computation."""
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper, save

out_dir = sys.argv[1]
rng = np.random.default_rng(7)
w = rng.standard_normal((64, 32)).astype(np.float32)
b = rng.standard_normal(32).astype(np.float32)
graph = helper.make_graph(
    [helper.make_node("MatMul", ["x", "W"], ["xw"]), helper.make_node("Add", ["xw", "b"], ["s"]),
     helper.make_node("Relu", ["s"], ["y"])],
    "embed",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 64])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["batch", 32])],
    [numpy_helper.from_array(w, "W"), numpy_helper.from_array(b, "b")])
save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), out_dir + "/model.onnx")
with open(out_dir + "/weights.bin", "wb") as f:
    f.write(w.tobytes() + b.tobytes())
