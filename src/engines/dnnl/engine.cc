// The oneDNN engine: claims float nodes its ops support and compiles each
// region into a RegionKernel.
#include "engines/dnnl/region.h"
#include "engines/partition.h"

namespace skiff::dnnl_engine {

namespace {

class DnnlEngine final : public Engine {
 public:
  std::string_view name() const override { return "dnnl"; }
  std::string region_op() const override { return "DnnlRegion"; }

  bool supports(const ir::Node& node, int64_t opset, const ValueTypes& types) const override {
    const DnnlOpDef* def = DnnlOpRegistry::global().find(node.domain, node.op_type, opset);
    if (!def) return false;
    // The data input must be known to be float; every other input is float
    // or a constant (shapes, scales, axes: the ops check which they take).
    if (node.inputs.empty() || types.dtype(node.inputs[0]) != DataType::kFloat) return false;
    for (const auto& in : node.inputs)
      if (!in.empty() && types.dtype(in) != DataType::kFloat && !types.graph().is_initializer(in))
        return false;
    for (const auto& out : node.outputs)
      if (!out.empty() && types.dtype(out) != DataType::kUndefined && types.dtype(out) != DataType::kFloat)
        return false;
    return def->accepts(OpInfo{node, opset, types.graph()});
  }

  std::unique_ptr<Kernel> compile(const Region& region, const EngineOptions& options) const override {
    return std::make_unique<RegionKernel>(region, options);
  }
};

const bool kRegistered = EngineRegistry::global().add(std::make_unique<DnnlEngine>());

}  // namespace

DnnlOpRegistry& DnnlOpRegistry::global() {
  static DnnlOpRegistry registry;
  return registry;
}

bool DnnlOpRegistry::add(const DnnlOpDef& def) {
  defs_.push_back(def);
  return true;
}

const DnnlOpDef* DnnlOpRegistry::find(std::string_view domain, std::string_view op, int64_t opset) const {
  for (const auto& d : defs_)
    if (d.domain == domain && d.op == op && d.since <= opset && opset <= d.until) return &d;
  return nullptr;
}

namespace {

// One node as a region of its own (the op-test harness runs ops this way):
// maps the node's inputs and outputs to the region's, whose inputs exclude
// weights and omitted inputs.
class SingleNodeKernel final : public Kernel {
 public:
  explicit SingleNodeKernel(const KernelInfo& info) {
    const ir::Node& node = info.node();
    body_.name = node.name;
    body_.nodes.push_back(node);
    for (size_t i = 0; i < node.inputs.size(); ++i) {
      if (!node.has_input(i)) continue;
      if (const Tensor* w = info.constant_input(i)) {
        body_.initializers[node.inputs[i]] = *w;
      } else if (!body_.find_input(node.inputs[i])) {
        inputs_.push_back(i);
        ir::ValueInfo vi;
        vi.name = node.inputs[i];
        body_.inputs.push_back(vi);
      }
    }
    for (size_t o = 0; o < node.outputs.size(); ++o) {
      if (!node.has_output(o)) continue;
      outputs_.push_back(o);
      ir::ValueInfo vi;
      vi.name = node.outputs[o];
      body_.outputs.push_back(vi);
    }
    const DnnlOpDef* def = DnnlOpRegistry::global().find(node.domain, node.op_type, info.opset());
    if (!def || !def->accepts(OpInfo{node, info.opset(), body_}))
      info.unsupported("the dnnl engine does not take this node");
    const std::map<std::string, int64_t> opsets{{node.domain, info.opset()}};
    // A node run alone has no model to fix its input shapes: every call may
    // bring new ones.
    EngineOptions options;
    options.dynamic_shapes = true;
    region_ = std::make_unique<RegionKernel>(Region{body_, opsets, node.label()}, options);
  }

  void compute(KernelContext& ctx) const override {
    std::vector<const Value*> inputs;
    for (size_t i : inputs_) inputs.push_back(&ctx.input_value(i));
    std::vector<Value> outputs(outputs_.size());
    KernelContext inner(ctx.node(), ctx.opset(), std::move(inputs), &outputs, {});
    region_->compute(inner);
    for (size_t k = 0; k < outputs_.size(); ++k) ctx.set_output_value(outputs_[k], std::move(outputs[k]));
  }

 private:
  ir::Graph body_;
  std::vector<size_t> inputs_, outputs_;
  std::unique_ptr<RegionKernel> region_;
};

}  // namespace

std::unique_ptr<Kernel> single_node_kernel(const KernelInfo& info) {
  return std::make_unique<SingleNodeKernel>(info);
}

}  // namespace skiff::dnnl_engine
