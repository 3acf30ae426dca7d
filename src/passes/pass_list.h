// Factories of every pass, one per file; pass_manager.cc puts them in
// pipeline order.
#pragma once

#include <memory>

#include "passes/pass.h"

namespace skiff::passes {

// basic
std::unique_ptr<Pass> make_eliminate_identity();
std::unique_ptr<Pass> make_fold_constants();
std::unique_ptr<Pass> make_shape_inference();
std::unique_ptr<Pass> make_eliminate_redundant_ops();
std::unique_ptr<Pass> make_eliminate_neutral_ops();
std::unique_ptr<Pass> make_eliminate_common_subexpressions();
std::unique_ptr<Pass> make_merge_duplicate_initializers();
std::unique_ptr<Pass> make_eliminate_dead_code();

// extended
std::unique_ptr<Pass> make_fold_batch_norm();
std::unique_ptr<Pass> make_fold_affine_into_conv();
std::unique_ptr<Pass> make_fold_residual_into_scale();
std::unique_ptr<Pass> make_fuse_conv_add();
std::unique_ptr<Pass> make_fuse_activation();
std::unique_ptr<Pass> make_fuse_matmul_add();
std::unique_ptr<Pass> make_fuse_layer_norm();
std::unique_ptr<Pass> make_fuse_attention();
std::unique_ptr<Pass> make_fold_transpose_into_gemm();

// all
std::unique_ptr<Pass> make_fold_affine_into_next_conv();

}  // namespace skiff::passes
