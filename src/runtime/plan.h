// A compiled graph: kernels created once, value names turned into slots, and
// for every step the slots that die after it. A Plan is immutable after
// compile and run() keeps all per-call state on its own stack, so one Plan
// serves many threads at once.
//
// In place: an output of a kernel that declares Kernel::in_place for an
// input takes that input's buffer when, at compile time, the input's slot
// dies at this step and is not a graph input, a constant, a captured value or
// a graph output, and is read by no other input of the step; and, at run
// time, the buffer is a whole allocation of this run's memory (never the
// caller's memory or a weight) that no other slot holds, with the output's
// dtype and element count.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/value.h"
#include "engines/engine.h"
#include "engines/kernel.h"
#include "ir/graph.h"
#include "runtime/memory_plan.h"

namespace skiff::runtime {

// Sees every step of a run as it finishes (profiling, --dump). Called on the
// running thread; a run with an observer is otherwise unchanged.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  // `start_us`/`end_us` are microseconds on a steady clock.
  virtual void after_step(const ir::Node& node, double start_us, double end_us,
                          const std::vector<Value>& outputs) = 0;
};

struct PlanOptions {
  // Engines tried in order for each node (names from EngineRegistry);
  // region-forming engines ("dnnl") get connected groups of the nodes they
  // support, the rest run node by node ("native" when none is listed).
  std::vector<std::string> engines = default_engines();
  EngineOptions engine_options;
  // Most bytes one run may hold at once for the tensors it computes
  // (intermediates, outputs, kernels' scratch); 0: no limit. See
  // Config::memory_limit in <skiff/skiff.h>.
  size_t memory_limit = 0;
};

class Plan {
 public:
  // Compiles `graph`. `captured` names the values the graph reads from
  // enclosing scopes; run() receives them in that order, and
  // `captured_types` gives their dtypes where known (nodes fed by them can
  // then join oneDNN regions). Throws
  // kUnsupported naming the node when no kernel exists, kInvalidModel when
  // a kernel rejects its attributes.
  static std::shared_ptr<const Plan> compile(const ir::Graph& graph,
                                             const std::map<std::string, int64_t>& opsets,
                                             const PlanOptions& options,
                                             const std::vector<std::string>& captured = {},
                                             const std::map<std::string, DataType>& captured_types = {});

  // The graph the plan runs: after partitioning, with region nodes.
  const ir::Graph& graph() const { return graph_; }
  const std::vector<std::string>& captured_names() const { return captured_names_; }
  // Input-shape signatures whose memory pattern is cached (bounded).
  size_t cached_memory_patterns() const { return patterns_->size(); }

  // Runs with `inputs` in the order of graph().inputs. Outputs follow
  // graph().outputs. Outputs never alias the caller's inputs or the model's
  // weights.
  std::vector<Value> run(std::vector<Value> inputs, const std::vector<const Value*>& captured = {},
                         RunObserver* observer = nullptr) const;

 private:
  struct Step {
    const ir::Node* node;
    int64_t opset;
    std::unique_ptr<Kernel> kernel;
    std::vector<int> inputs;    // slot per node input, -1 when omitted
    std::vector<int> outputs;   // slot per node output, -1 when unused
    std::vector<int> captured;  // slots the node's subgraphs capture
    std::vector<int> release;   // slots whose last reader is this step
    std::vector<std::vector<int>> in_place;  // per output: inputs whose buffer it may take (checked at run time)
  };

  Plan() = default;
  void validate_input(size_t index, const Value& value) const;
  void plan_in_place();
  void drop_unused_constants();

  ir::Graph graph_;  // a private copy: kernels keep references into it
  std::vector<std::string> captured_names_;
  size_t num_slots_ = 0;
  std::vector<std::pair<int, Value>> constants_;  // initializer slots
  std::vector<int> input_slots_;
  std::vector<int> captured_slots_;
  std::vector<int> output_slots_;
  std::vector<Step> steps_;
  size_t memory_limit_ = 0;
  // Memory patterns by input-shape signature, and the arenas they use:
  // internally synchronised, so run() stays const and thread-safe.
  // As many signatures as the engines keep primitives for: an OCR stream
  // of 50 widths with 32 patterns re-recorded a pattern on every call
  // (recognizer at width 64, 1 thread: a call after another width cost
  // 1.17x a repeated call with 32 patterns, 1.10x with 64).
  std::unique_ptr<PatternCache> patterns_;
  std::unique_ptr<ArenaPool> arenas_ = std::make_unique<ArenaPool>();
  // Recycled buffers for a run's large heap allocations (graph outputs, and
  // everything of a run that records a pattern): a 3.4 MB recognizer output
  // at width 1024 took ~240 page faults a call when freshly allocated.
  std::unique_ptr<ArenaPool> heap_buffers_ = std::make_unique<ArenaPool>();
};

}  // namespace skiff::runtime
