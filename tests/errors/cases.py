"""The run-time error cases for check_errors.py: one ONNX node each, fed data
that the node cannot accept (an index past the end, an axis past the rank,
shapes that do not fit, mixed types, an integer division by zero, an empty
tensor where one is invalid). Every case must end `skiff run` with exit status
3 and one stderr line naming the node and the offending value.

A case is Case(name, op, inputs, expect, attrs, opset, outputs):
  inputs  [(input name, numpy array or None for an omitted optional input)],
          all fed through `--inputs` so nothing is known before the run;
  expect  substrings the message must contain besides the node's name
          (the offending index, axis, shape or input).
"""
from collections import namedtuple

import numpy as np

Case = namedtuple("Case", "name op inputs expect attrs opset outputs")


def case(name, op, inputs, expect, attrs=None, opset=17, outputs=1):
    return Case(name, op, inputs, expect, attrs or {}, opset, outputs)


def f32(*shape):
    return np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)


def i64(*values):
    return np.array(values, dtype=np.int64)


def i32(*values):
    return np.array(values, dtype=np.int32)


CASES = [
    # --- indices out of range -------------------------------------------------
    case("gather_index_past_end", "Gather", [("data", f32(3, 4)), ("indices", i64(0, 5))],
         ["index 5", "indices"]),
    case("gather_negative_index", "Gather", [("data", f32(3, 4)), ("indices", i32(-4))],
         ["index -4", "indices"]),
    case("gather_elements_index", "GatherElements",
         [("data", f32(2, 3)), ("indices", np.array([[0, 3]], np.int64))], ["index 3", "indices"],
         {"axis": 1}),
    case("gathernd_index", "GatherND",
         [("data", f32(2, 2)), ("indices", np.array([[0, 2]], np.int64))], ["2", "indices"]),
    case("scatter_elements_index", "ScatterElements",
         [("data", f32(3)), ("indices", i64(4)), ("updates", f32(1))], ["index 4", "indices"]),
    case("scatternd_index", "ScatterND",
         [("data", f32(4)), ("indices", np.array([[7]], np.int64)), ("updates", f32(1))],
         ["7", "indices"]),
    case("topk_k_past_axis", "TopK", [("x", f32(5)), ("k", i64(6))], ["k = 6", "5"], outputs=2),
    case("cumsum_axis", "CumSum", [("x", f32(2, 3)), ("axis", i64(2))], ["axis 2"]),
    case("onehot_zero_depth", "OneHot",
         [("indices", i64(0, 1)), ("depth", i64(0)), ("values", f32(2))], ["depth", "0"]),
    case("onehot_axis", "OneHot",
         [("indices", i64(0, 1)), ("depth", i64(3)), ("values", f32(2))], ["axis 2"],
         {"axis": 2}),
    case("compress_axis", "Compress",
         [("input", f32(2, 3)), ("condition", np.array([True, False]))], ["axis 2"], {"axis": 2}),
    case("tile_negative_repeat", "Tile", [("input", f32(2, 3)), ("repeats", i64(1, -1))],
         ["-1", "repeats"]),
    case("sequence_reverse_length", "ReverseSequence",
         [("input", f32(2, 3)), ("sequence_lens", i64(3, 1, 1))], ["sequence_lens"],
         {"batch_axis": 1, "time_axis": 0}),

    # --- bad axes ---------------------------------------------------------------
    case("concat_axis", "Concat", [("a", f32(2, 3)), ("b", f32(2, 3))], ["axis 2"], {"axis": 2}),
    case("concat_negative_axis", "Concat", [("a", f32(2, 3)), ("b", f32(2, 3))], ["axis -3"],
         {"axis": -3}),
    case("softmax_axis", "Softmax", [("x", f32(2, 3))], ["axis 2"], {"axis": 2}),
    case("reducesum_axes_input", "ReduceSum", [("data", f32(2, 3)), ("axes", i64(5))],
         ["axis 5"]),
    case("reducemax_axes_attribute", "ReduceMax", [("data", f32(2, 3))], ["axis -3"],
         {"axes": [-3]}),
    case("argmax_axis", "ArgMax", [("data", f32(2, 3))], ["axis 2"], {"axis": 2}),
    case("squeeze_non_one_dim", "Squeeze", [("data", f32(2, 3)), ("axes", i64(1))],
         ["axis 1", "not 1"]),
    case("squeeze_axis_past_rank", "Squeeze", [("data", f32(1, 3)), ("axes", i64(4))],
         ["axis 4"]),
    case("unsqueeze_axis_past_rank", "Unsqueeze", [("data", f32(2, 3)), ("axes", i64(4))],
         ["axis 4"]),
    case("transpose_perm_rank", "Transpose", [("data", f32(2, 3))], ["perm", "[0,2,1]"],
         {"perm": [0, 2, 1]}),
    case("split_sum_mismatch", "Split", [("input", f32(5)), ("split", i64(2, 2))],
         ["[2,2]", "5"], outputs=2),
    case("split_uneven", "Split", [("input", f32(5))], ["5", "2 outputs"], outputs=2),
    case("flatten_axis", "Flatten", [("input", f32(2, 3))], ["axis 3"], {"axis": 3}),
    case("lpnormalization_axis", "LpNormalization", [("input", f32(2, 3))], ["axis 2"],
         {"axis": 2}),

    # --- shapes that do not fit -------------------------------------------------
    case("add_not_broadcastable", "Add", [("a", f32(2, 3)), ("b", f32(4))], ["[2,3]", "[4]"]),
    case("mul_not_broadcastable", "Mul", [("a", f32(2, 3)), ("b", f32(3, 2))], ["[2,3]", "[3,2]"]),
    case("matmul_inner_dims", "MatMul", [("a", f32(2, 3)), ("b", f32(4, 5))], ["[2,3]", "[4,5]"]),
    case("gemm_inner_dims", "Gemm", [("a", f32(2, 3)), ("b", f32(4, 5))], ["[2,3]", "[4,5]"]),
    case("conv_channels", "Conv", [("x", f32(1, 3, 5, 5)), ("w", f32(2, 4, 3, 3))],
         ["[1,3,5,5]", "[2,4,3,3]"]),
    case("conv_kernel_past_input", "Conv", [("x", f32(1, 1, 2, 2)), ("w", f32(1, 1, 3, 3))],
         ["[1,1,2,2]"]),
    case("maxpool_kernel_past_input", "MaxPool", [("x", f32(1, 1, 2, 2))], ["[1,1,2,2]"],
         {"kernel_shape": [3, 3]}),
    case("concat_other_dims", "Concat", [("a", f32(2, 3)), ("b", f32(3, 3))], ["[2,3]", "[3,3]"],
         {"axis": 1}),
    case("reshape_element_count", "Reshape", [("data", f32(2, 3)), ("shape", i64(4, 2))],
         ["[4,2]", "6"]),
    case("reshape_empty_infer", "Reshape", [("data", f32(0, 3)), ("shape", i64(-1, 0))],
         ["[-1,0]"], {"allowzero": 1}),
    case("expand_incompatible", "Expand", [("input", f32(2, 3)), ("shape", i64(4, 4))],
         ["[2,3]", "[4,4]"]),
    case("where_shapes", "Where",
         [("condition", np.array([True, False])), ("x", f32(3)), ("y", f32(3))], ["[2]", "[3]"]),
    case("batchnorm_scale_size", "BatchNormalization",
         [("x", f32(1, 3, 2)), ("scale", f32(2)), ("b", f32(3)), ("mean", f32(3)), ("var", f32(3))],
         ["scale", "3"]),
    case("einsum_dims", "Einsum", [("a", f32(2, 3)), ("b", f32(4, 5))], ["label 'j'"],
         {"equation": "ij,jk->ik"}),
    case("depth_to_space_channels", "DepthToSpace", [("input", f32(1, 3, 2, 2))], ["3", "4"],
         {"blocksize": 2}),
    case("slice_zero_step", "Slice",
         [("data", f32(4)), ("starts", i64(0)), ("ends", i64(4)), ("axes", i64(0)), ("steps", i64(0))],
         ["step", "0"]),

    # --- wrong element types ------------------------------------------------------
    case("add_float_int64", "Add", [("a", f32(2)), ("b", i64(1, 2))], ["float", "int64"]),
    case("concat_mixed_types", "Concat", [("a", f32(2)), ("b", i64(1, 2))], ["int64"],
         {"axis": 0}),
    case("matmul_float_double", "MatMul", [("a", f32(2, 2)), ("b", np.ones((2, 2), np.float64))],
         ["double"]),
    case("where_condition_float", "Where", [("condition", f32(2)), ("x", f32(2)), ("y", f32(2))],
         ["condition", "bool"]),
    case("gather_float_indices", "Gather",
         [("data", f32(3)), ("indices", np.array([0.0], np.float32))], ["indices", "int64"]),

    # --- integer division by zero --------------------------------------------------
    case("div_int32_by_zero", "Div", [("a", i32(1, 2)), ("b", i32(1, 0))], ["division by zero", "b"]),
    case("mod_int64_by_zero", "Mod", [("a", i64(7, 3)), ("b", i64(0, 2))], ["division by zero", "b"]),
    case("fmod_int_by_zero", "Mod", [("a", i32(7)), ("b", i32(0))], ["division by zero", "b"],
         {"fmod": 1}),

    # --- empty tensors where they are invalid ---------------------------------------
    case("argmax_empty_axis", "ArgMax", [("data", f32(2, 0))], ["axis 1", "[2,0]"], {"axis": 1}),
    case("topk_empty_axis", "TopK", [("x", f32(0)), ("k", i64(1))], ["k = 1", "0"], outputs=2),
    case("pad_reflect_empty", "Pad", [("data", f32(0, 2)), ("pads", i64(1, 0, 1, 0))],
         ["axis 0", "empty"], {"mode": "reflect"}),
    case("range_zero_delta", "Range",
         [("start", np.array(0, np.int64)), ("limit", np.array(5, np.int64)),
          ("delta", np.array(0, np.int64))], ["delta"]),
    case("constant_of_shape_negative", "ConstantOfShape", [("input", i64(2, -1))], ["-1"]),
]
