// Concat on oneDNN's concat primitive: inputs stay in their layouts and the
// output layout is oneDNN's choice (blocked when the inputs are).
#include "engines/dnnl/op.h"

namespace skiff::dnnl_engine {

namespace {

class ConcatOp final : public DnnlOp {
 public:
  explicit ConcatOp(const OpInfo& info) : axis_(attr_int(info.node, "axis", 1)) {}

  static bool accepts(const OpInfo& info) {
    if (info.node.inputs.empty()) return false;
    for (const auto& in : info.node.inputs)
      if (in.empty()) return false;
    return info.opset >= 4 || info.node.attr("axis") != nullptr;
  }

  bool build(OpBuilder& b) const override {
    const Shape& first = b.input_shape(0);
    const int64_t rank = static_cast<int64_t>(first.size());
    if (rank < 1 || axis_ < -rank || axis_ >= rank) return false;
    const int64_t axis = axis_ < 0 ? axis_ + rank : axis_;
    const size_t count = b.node().inputs.size();
    Shape y = first;
    y[axis] = 0;
    std::vector<md> sources;
    for (size_t i = 0; i < count; ++i) {
      const Shape& s = b.input_shape(i);
      if (static_cast<int64_t>(s.size()) != rank) return false;
      for (int64_t d = 0; d < rank; ++d)
        if (d != axis && s[d] != first[d]) return false;
      if (s[axis] == 0) return false;  // oneDNN takes no empty sources
      y[axis] += s[axis];
      sources.push_back(b.input_md(i));
    }
    // Mixed or padded layouts would send oneDNN to its reference concat;
    // plain copies are faster.
    bool uniform = true;
    for (const md& s : sources)
      uniform = uniform && layout_tag(s) != tag::undef && layout_tag(s) == layout_tag(sources[0]) && !has_padding(s);
    if (!uniform)
      for (size_t i = 0; i < count; ++i) sources[i] = plain_md(b.input_shape(i));
    const dnnl::concat::primitive_desc pd(any_md(y), static_cast<int>(axis), sources, cpu_engine(), b.attr(false));
    std::vector<std::pair<int, Arg>> args;
    for (size_t i = 0; i < count; ++i) args.emplace_back(DNNL_ARG_MULTIPLE_SRC + static_cast<int>(i), b.input(i, pd.src_desc(static_cast<int>(i))));
    args.emplace_back(DNNL_ARG_DST, b.output(0, y, pd.dst_desc()));
    b.add(dnnl::concat(pd), pd, std::move(args));
    return true;
  }

 private:
  int64_t axis_;
};

}  // namespace

// 4: axis required; 11: negative axis; 13: bfloat16.
SKIFF_DNNL_OP("", "Concat", 1, kLatestOpset, ConcatOp, ConcatOp::accepts);

}  // namespace skiff::dnnl_engine
