// Add, Sub, Mul, Div, Max, Min with numpy broadcasting on oneDNN's binary
// primitive. oneDNN broadcasts only the second operand, so a broadcast first
// operand is swapped for the commutative ops; Sub and Div with a broadcast
// first operand run natively.
#include "engines/dnnl/op.h"

namespace skiff::dnnl_engine {

namespace {

using alg = dnnl::algorithm;

bool algorithm_of(const std::string& op, alg* a, bool* commutative) {
  *commutative = true;
  if (op == "Add") *a = alg::binary_add;
  else if (op == "Mul") *a = alg::binary_mul;
  else if (op == "Max") *a = alg::binary_max;
  else if (op == "Min") *a = alg::binary_min;
  else if (op == "Sub") *a = alg::binary_sub, *commutative = false;
  else if (op == "Div") *a = alg::binary_div, *commutative = false;
  else return false;
  return true;
}

class BinaryOp final : public DnnlOp {
 public:
  explicit BinaryOp(const OpInfo& info) { algorithm_of(info.node.op_type, &algorithm_, &commutative_); }

  static bool accepts(const OpInfo& info) {
    alg a;
    bool commutative;
    return algorithm_of(info.node.op_type, &a, &commutative) && info.node.inputs.size() == 2 &&
           info.node.has_input(1);
  }
  bool takes_post_ops() const override { return true; }

  bool build(OpBuilder& b) const override {
    Shape y;
    try {
      y = broadcast_shapes(b.input_shape(0), b.input_shape(1));
    } catch (const Error&) {
      return false;  // the native kernel reports the mismatch
    }
    size_t first = 0, second = 1;
    if (b.input_shape(0) != y) {
      if (!commutative_ || b.input_shape(1) != y) return false;
      std::swap(first, second);
    }
    if (!b.post_ops_fit(y)) return false;
    // The second operand at the output's rank, 1 where it broadcasts.
    Shape other = b.input_shape(second);
    other.insert(other.begin(), y.size() - other.size(), 1);
    // Both operands in the first's layout (oneDNN's fast kernels want the
    // broadcast operand in the same layout too), plain when that layout is
    // padded or unusual.
    md src0 = b.constant(first) ? plain_md(y) : b.input_md(first);
    tag layout = layout_tag(src0);
    if (layout == tag::undef || has_padding(src0)) {
      src0 = plain_md(y);
      layout = layout_tag(src0);
    }
    const md src1(to_dims(other), dt::f32, layout);
    const dnnl::binary::desc desc(algorithm_, src0, src1, any_md(y));
    const dnnl::binary::primitive_desc pd(desc, b.attr(true), cpu_engine());
    const Arg a = b.input(first, pd.src0_desc());
    const Arg c = b.input(second, pd.src1_desc());
    b.add(dnnl::binary(pd), pd, {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, c}, {DNNL_ARG_DST, b.output(0, y, pd.dst_desc())}});
    return true;
  }

 private:
  alg algorithm_ = alg::binary_add;
  bool commutative_ = true;
};

}  // namespace

// From opset 7 on: numpy broadcasting (1-6 had the legacy broadcast/axis
// attributes, left to the native kernels). Later versions add types only.
SKIFF_DNNL_OP("", "Add", 7, kLatestOpset, BinaryOp, BinaryOp::accepts);
SKIFF_DNNL_OP("", "Sub", 7, kLatestOpset, BinaryOp, BinaryOp::accepts);
SKIFF_DNNL_OP("", "Mul", 7, kLatestOpset, BinaryOp, BinaryOp::accepts);
SKIFF_DNNL_OP("", "Div", 7, kLatestOpset, BinaryOp, BinaryOp::accepts);
SKIFF_DNNL_OP("", "Max", 8, kLatestOpset, BinaryOp, BinaryOp::accepts);  // 8: broadcasting
SKIFF_DNNL_OP("", "Min", 8, kLatestOpset, BinaryOp, BinaryOp::accepts);

}  // namespace skiff::dnnl_engine
