// The partitioner: assigns every node to the first engine (in the configured
// order) that supports it, then replaces each maximal connected group of one
// region-forming engine's nodes with a single region node
//
//   com.skiff::DnnlRegion(inputs...) -> (outputs...)   attribute "body": the group's graph
//
// Groups never create a cycle: two groups of one engine are merged only when
// no path between them leaves the group (a path A -> native -> B keeps A and
// B apart, since the merged node would have to run both before and after
// the native node).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "engines/engine.h"
#include "ir/graph.h"

namespace skiff {

struct PartitionRegion {
  std::string engine;
  std::string node_name;             // the region node in the partitioned graph
  std::vector<std::string> members;  // labels of the nodes it holds, in order
  std::vector<std::string> inputs, outputs;
};

struct Partition {
  ir::Graph graph;  // the input graph with region nodes in place of their members
  std::vector<PartitionRegion> regions;
  // Nodes left to single-node engines: engine name -> count.
  std::map<std::string, int> single_nodes;
};

// Partitions `graph` (not its subgraphs: an If/Loop body is partitioned
// when its own plan is compiled). `engines` are names from EngineRegistry;
// throws kInvalidInput naming an unknown one. Identity nodes that only
// rename a weight are dropped (their outputs become weights too).
// `outer_types` gives the dtypes of values a subgraph reads from enclosing
// scopes, so that nodes fed by them can join regions.
Partition partition_graph(const ir::Graph& graph, const std::map<std::string, int64_t>& opsets,
                          const std::vector<std::string>& engines,
                          const std::map<std::string, DataType>& outer_types = {});

// Opset of `node`'s domain ("" and "ai.onnx" are the same), 0 when the model
// does not import it.
int64_t node_opset(const ir::Node& node, const std::map<std::string, int64_t>& opsets);

}  // namespace skiff
