#!/usr/bin/python3
"""Floating-point operations of one inference of an ONNX model at given input
shapes, counting 2 per multiply-add of the ops that dominate: Conv,
ConvTranspose, MatMul, Gemm (and their com.skiff fused forms), LSTM, GRU.
Element-wise work is left out, so GFLOP/s figures are slight underestimates.

    bench/flops.py MODEL NAME=D0,D1,... [NAME=...]
"""
import sys

import numpy as np
import onnx
from onnx import numpy_helper, shape_inference


def _shapes(model, input_shapes):
    graph = model.graph
    for vi in graph.input:
        if vi.name in input_shapes:
            dims = vi.type.tensor_type.shape.dim
            del dims[:]
            for d in input_shapes[vi.name]:
                dims.add().dim_value = d
    inferred = shape_inference.infer_shapes(model)
    shapes = {}
    for vi in list(inferred.graph.value_info) + list(inferred.graph.input) + list(inferred.graph.output):
        dims = [d.dim_value if d.HasField("dim_value") else None for d in vi.type.tensor_type.shape.dim]
        shapes[vi.name] = dims
    for init in graph.initializer:
        shapes[init.name] = list(init.dims)
    for node in graph.node:
        if node.op_type == "Constant":
            for a in node.attribute:
                if a.name == "value":
                    shapes[node.output[0]] = list(numpy_helper.to_array(a.t).shape)
    return shapes


def _known(*dims_lists):
    return all(d is not None for dims in dims_lists if dims is not None for d in dims) and all(
        dims is not None for dims in dims_lists)


def count_flops(path, input_shapes):
    model = onnx.load(path)
    shapes = _shapes(model, input_shapes)
    total = 0
    for node in model.graph.node:
        get = lambda i: shapes.get(node.input[i]) if len(node.input) > i and node.input[i] else None
        out = shapes.get(node.output[0]) if node.output else None
        op = node.op_type
        if op in ("Conv", "FusedConv", "ConvTranspose"):
            w = get(1)
            x = get(0)
            if op == "ConvTranspose":
                if _known(x, w):
                    total += 2 * int(np.prod(x)) * int(np.prod(w[1:]))
            elif _known(w, out):
                total += 2 * int(np.prod(out)) * int(np.prod(w[1:]))
        elif op in ("MatMul", "Gemm", "FusedGemm"):
            a, b = get(0), get(1)
            if _known(a, b, out) and len(a) >= 1:
                trans_a = any(at.name == "transA" and at.i for at in node.attribute)
                k = a[-2] if trans_a else a[-1]
                total += 2 * int(np.prod(out)) * int(k)
        elif op in ("LSTM", "GRU"):
            x, w, r = get(0), get(1), get(2)
            if _known(x, w, r):
                steps, batch = x[0], x[1]
                total += 2 * steps * batch * (int(np.prod(w)) + int(np.prod(r)))
    return total


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    shapes = {}
    for spec in sys.argv[2:]:
        name, dims = spec.split("=")
        shapes[name] = [int(d) for d in dims.split(",")]
    print(count_flops(sys.argv[1], shapes))


if __name__ == "__main__":
    main()
