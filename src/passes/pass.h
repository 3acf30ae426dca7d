// Graph passes: each rewrites an ir::Graph in place and says whether it
// changed anything. A pass lives in its own file (src/passes/<name>.cc) and
// is listed, in pipeline order, in pass_manager.cc.
//
// Rules every pass keeps:
//   - graph inputs and outputs are never removed or renamed;
//   - a node is only removed when every value it produces that the rewrite
//     drops has no other reader (another node, a subgraph, a graph output);
//   - results stay equal up to float rounding (1e-5 relative).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "ir/graph.h"

namespace skiff::passes {

// basic: hardware-independent simplifications whose output is standard ONNX.
// extended: fusions (some emit com.skiff ops, see docs/skiff_ops.md).
// all: extended plus the rewrites that change how floats are rounded more
// than a fusion does (see docs/passes.md).
enum class OptLevel : int { kNone = 0, kBasic = 1, kExtended = 2, kAll = 3 };

// "none" | "basic" | "extended" | "all"; throws kInvalidInput otherwise.
OptLevel parse_opt_level(const std::string& text);
const char* opt_level_name(OptLevel level);

// The domain of skiff's fused operators and the opset the passes emit.
inline constexpr const char* kSkiffDomain = "com.skiff";
inline constexpr int64_t kSkiffOpset = 1;

struct PassOptions {
  OptLevel level = OptLevel::kExtended;
  std::set<std::string> disabled;  // pass names
  // Only passes whose output is standard ONNX (no com.skiff ops).
  bool portable = false;
  // Fixed shapes for graph inputs (their declarations are updated), which
  // lets shape inference fold Shape -> Gather -> Concat -> Reshape chains.
  std::map<std::string, Shape> input_shapes;
  // The engines the model will run on, in order ("dnnl", "native"). A
  // fusion is skipped when the first region-forming engine runs the node it
  // starts from but not the fused node (it would move work to a slower
  // engine: FusedConv with a residual Z runs natively, not in oneDNN).
  // Empty: fuse regardless of engines.
  std::vector<std::string> engines;
  // Constant folding leaves alone results larger than this (bytes), so that
  // folding an Expand or a Tile does not bloat the model.
  int64_t fold_limit_bytes = int64_t{16} << 20;
};

// What one pass run changed, for `skiff optimize --report`.
struct PassRecord {
  std::string pass;
  int64_t nodes_before = 0, nodes_after = 0;
  std::vector<std::string> changes;  // one line per rewrite
};

// A shape as shape inference knows it: rank known or not; each dim a
// number, a symbol from the model ("batch") or an expression over symbols
// ("((H+1)/2)"). Two dims with the same symbol are equal.
struct ShapeInfo {
  DataType dtype = DataType::kUndefined;
  std::optional<std::vector<ir::Dim>> dims;  // nullopt: rank unknown
  // For small integer tensors that hold shapes (Shape -> Gather -> Concat),
  // the element values when known or symbolic: lets a Reshape whose target
  // has one unknown entry get a constant target with -1 there.
  std::optional<std::vector<ir::Dim>> value;

  bool rank_known() const { return dims.has_value(); }
  bool fully_known() const;  // every dim a number
  Shape shape() const;       // requires fully_known()
};

class PassContext {
 public:
  PassContext(std::map<std::string, int64_t>& opsets, const PassOptions& options);

  const PassOptions& options() const { return options_; }
  // The opset the model imports for `domain` ("" = ai.onnx), 0 when none.
  int64_t opset(const std::string& domain = "") const;
  // Adds the com.skiff import (a pass that emits a fused op calls this).
  void use_skiff_domain();
  const std::map<std::string, int64_t>& opsets() const { return opsets_; }

  // Runs `node` on constant inputs with the native kernels. Returns nullopt
  // when it cannot (no kernel, a kernel error, a non-tensor output): the
  // caller then leaves the node alone.
  std::optional<std::vector<Tensor>> evaluate(const ir::Node& node,
                                              const std::vector<Tensor>& inputs) const;

  // False when options().engines say the fusion of `original` into `fused`
  // would move it out of the first region-forming engine.
  bool fusion_keeps_engine(const ir::Graph& graph, const ir::Node& original, const ir::Node& fused) const;

  // Shape inference over `graph`, recomputed when a pass changed the graph
  // since the last call.
  const std::map<std::string, ShapeInfo>& shapes(const ir::Graph& graph);
  // The known shape info of `value`, or nullptr (recomputing shapes first
  // if the graph changed; find_shape reads a snapshot from shapes()).
  const ShapeInfo* shape_of(const ir::Graph& graph, const std::string& value);
  void invalidate_shapes() { shapes_valid_ = false; }
  // While a subgraph is optimized: what is known about the enclosing
  // graphs' values it reads (seeds its shape inference).
  void set_outer_shapes(std::map<std::string, ShapeInfo> outer);
  const std::map<std::string, ShapeInfo>& outer_shapes() const { return outer_shapes_; }

  // Records one rewrite of the running pass.
  void note(std::string change);
  std::vector<std::string> take_notes();

  // A value or node name not yet used in `graph` ("<base>_skiff_N").
  std::string fresh_name(const ir::Graph& graph, const std::string& base);

 private:
  std::map<std::string, int64_t>& opsets_;
  PassOptions options_;
  std::map<std::string, ShapeInfo> shapes_, outer_shapes_;
  std::map<std::string, DataType> outer_types_;  // the known dtypes of outer_shapes_
  bool shapes_valid_ = false;
  std::vector<std::string> notes_;
  int64_t name_counter_ = 0;
};

class Pass {
 public:
  virtual ~Pass() = default;
  // For --disable-pass and the report: "fold_constants", "fuse_conv_bn"...
  virtual const char* name() const = 0;
  virtual OptLevel level() const = 0;
  // True when the pass may emit com.skiff ops (skipped in portable mode).
  virtual bool emits_skiff_ops() const { return false; }
  // Rewrites `graph`; returns whether anything changed.
  virtual bool run(ir::Graph& graph, PassContext& ctx) = 0;
};

// The shape info of `value` in a shapes() snapshot, or nullptr.
inline const ShapeInfo* find_shape(const std::map<std::string, ShapeInfo>& shapes, const std::string& value) {
  auto it = shapes.find(value);
  return it == shapes.end() ? nullptr : &it->second;
}

}  // namespace skiff::passes
