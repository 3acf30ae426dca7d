// Engines: who runs which nodes.
//
// An engine says which nodes it can run (supports) and turns a region, a
// connected group of its nodes, into one Kernel (compile). The partitioner
// (partition.h) asks the engines in the configured order, node by node, and
// groups neighbours of one engine into a region node, so that an engine with
// its own memory layouts (oneDNN's blocked formats) converts layouts only at
// region boundaries. The native engine is the fallback: it runs one node at a
// time with the kernels of engines/native and forms no regions.
//
//   PlanOptions options;
//   options.engines = {"dnnl", "native"};   // first engine that supports a node wins
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engines/kernel.h"
#include "ir/graph.h"

namespace skiff {

// Best-effort element types of a graph's values (declared types, weights,
// and forward propagation through the ops), for engines that run only some
// types. kUndefined when unknown.
class ValueTypes {
 public:
  // `outer`: the dtypes of values the graph reads from enclosing scopes
  // (a subgraph's captured values), when known.
  explicit ValueTypes(const ir::Graph& graph, const std::map<std::string, DataType>& outer = {});
  DataType dtype(const std::string& value) const;
  // The graph the types describe (its initializers are the constants).
  const ir::Graph& graph() const { return graph_; }

 private:
  const ir::Graph& graph_;
  std::map<std::string, DataType> types_;
};

// A group of nodes one engine runs as a unit. `body` is a graph: its inputs
// are the values the region reads from outside (weights excluded: they are
// body.initializers), its outputs the values read after it.
struct Region {
  const ir::Graph& body;
  const std::map<std::string, int64_t>& opsets;  // domain -> version, as the model imports
  std::string name;                              // for messages: "dnnl region 3 (12 nodes)"
};

struct EngineOptions {
  // Shape-dependent state (oneDNN primitives) kept per region for this many
  // input-shape signatures, least recently used evicted first.
  size_t primitive_cache_capacity = 64;
  // The model's inputs have dims not fixed when it was loaded (OCR images
  // of every width). Engines then prefer kernels whose code serves every
  // shape over code generated per shape, where the former are as fast:
  // with many shapes, generated code is slow to make at each new shape and
  // cold in the caches at each change (docs/kernels.md).
  bool dynamic_shapes = false;
};

class Engine {
 public:
  virtual ~Engine() = default;
  virtual std::string_view name() const = 0;
  // True when the engine can run `node` at `opset` (the version of the
  // node's domain). `types` gives the element types known before running.
  virtual bool supports(const ir::Node& node, int64_t opset, const ValueTypes& types) const = 0;
  // True for engines that run connected groups of nodes as one region node;
  // false for the native engine, which runs single nodes from the registry.
  virtual bool forms_regions() const { return true; }
  // The op_type of the region nodes this engine's partitions produce, in
  // domain com.skiff ("DnnlRegion").
  virtual std::string region_op() const { return ""; }
  // One kernel that runs the whole region. Kernels are immutable and
  // thread-safe like every Kernel.
  virtual std::unique_ptr<Kernel> compile(const Region& region, const EngineOptions& options) const = 0;
};

class EngineRegistry {
 public:
  static EngineRegistry& global();
  bool add(std::unique_ptr<Engine> engine);
  const Engine* find(std::string_view name) const;
  // The engine whose region nodes have this op_type (domain com.skiff).
  const Engine* find_region_engine(std::string_view region_op) const;
  std::vector<std::string> names() const;

 private:
  std::vector<std::unique_ptr<Engine>> engines_;
};

// Engines tried by default: "dnnl" (when built in) then "native".
std::vector<std::string> default_engines();
// The engine list for a command-line choice: "native" -> {native},
// "dnnl" -> {dnnl, native}; throws kInvalidInput for other names.
std::vector<std::string> engines_for_choice(const std::string& choice);

inline constexpr const char* kSkiffDomain = "com.skiff";

}  // namespace skiff
