#!/usr/bin/python3
"""Writes single-layer LSTM/GRU models (random weights as initializers, like a
trained layer's) for measuring the recurrent kernels alone:

    bench/build_rnn_layers.py [--out DIR]   (default ~/.cache/skiff/rnn)

Each file is named OP_H<hidden>_I<input>_T<steps>_B<batch>_D<directions>.onnx
(GRU files add _lbr<0|1>); its input x has shape [T, B, I]. See the
"Recurrent layers" section of docs/performance.md for how they are used.
"""
import argparse
import os

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

# (op, hidden, input, steps, batch, directions, linear_before_reset)
LAYERS = [
    ("LSTM", 256, 128, 128, 1, 1, 0),   # lstm_classifier's layer
    ("LSTM", 256, 512, 40, 1, 2, 0),    # one of crnn_ctc's layers
    ("LSTM", 256, 128, 128, 3, 1, 0),
    ("LSTM", 256, 128, 128, 8, 1, 0),
    ("LSTM", 256, 128, 128, 64, 1, 0),
    ("LSTM", 256, 128, 32, 256, 1, 0),
    ("GRU", 256, 128, 128, 1, 1, 0),
    ("GRU", 256, 128, 128, 1, 1, 1),
]
# The grid that placed the oneDNN engine's GRU threshold (gru_forward and
# lbr_gru_forward against the fast path).
LAYERS += [("GRU", hidden, 128, 64, batch, 1, lbr)
           for hidden in (128, 256) for batch in (1, 2, 4, 8, 16, 64) for lbr in (0, 1)]
LAYERS += [("GRU", 256, 128, 32, 256, 1, lbr) for lbr in (0, 1)]


def build(op, hidden, inputs, steps, batch, directions, lbr, path):
    gates = 4 if op == "LSTM" else 3
    rng = np.random.default_rng(0)
    w = (rng.standard_normal((directions, gates * hidden, inputs)) / np.sqrt(inputs)).astype(np.float32)
    r = (rng.standard_normal((directions, gates * hidden, hidden)) / np.sqrt(hidden)).astype(np.float32)
    b = (rng.standard_normal((directions, 2 * gates * hidden)) * 0.1).astype(np.float32)
    attrs = {"hidden_size": hidden, "direction": "bidirectional" if directions == 2 else "forward"}
    if op == "GRU":
        attrs["linear_before_reset"] = lbr
    # Zero initial states given and Y, Y_h, Y_c all produced, as torch
    # exports them (the oneDNN engine's lstm_forward op, now removed, ran
    # natively otherwise).
    state = np.zeros((directions, batch, hidden), np.float32)
    states = ["h0", "c0"] if op == "LSTM" else ["h0"]
    outputs = ["y", "y_h", "y_c"][: len(states) + 1]
    node = helper.make_node(op, ["x", "W", "R", "B", ""] + states, outputs, **attrs)
    graph = helper.make_graph(
        [node], op.lower(), [helper.make_tensor_value_info("x", TensorProto.FLOAT, [steps, batch, inputs])],
        [helper.make_tensor_value_info(name, TensorProto.FLOAT, None) for name in outputs],
        [numpy_helper.from_array(w, "W"), numpy_helper.from_array(r, "R"), numpy_helper.from_array(b, "B")] +
        [numpy_helper.from_array(state, name) for name in states])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14)])
    model.ir_version = 8
    onnx.save(model, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.expanduser("~/.cache/skiff/rnn"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for op, hidden, inputs, steps, batch, directions, lbr in LAYERS:
        name = f"{op}_H{hidden}_I{inputs}_T{steps}_B{batch}_D{directions}" + (f"_lbr{lbr}" if op == "GRU" else "")
        path = os.path.join(args.out, name + ".onnx")
        build(op, hidden, inputs, steps, batch, directions, lbr, path)
        print(path)


if __name__ == "__main__":
    main()
