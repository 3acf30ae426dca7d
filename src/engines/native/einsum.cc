// Einsum: explicit ("ij,jk->ik") and implicit ("ij,jk") forms, ellipsis,
// repeated labels within one operand (diagonals) and size-1 broadcasting.
//
// A straightforward loop nest, chosen for correctness over speed: every label
// becomes a loop; each operand gets, per label, the sum of its strides over
// the label's occurrences (so a repeated label walks the diagonal, and a
// broadcast size-1 dim gets stride 0). Outputs are parallel; the summed labels
// are walked with an odometer that updates operand offsets incrementally.
#include <algorithm>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

// One operand's or the output's subscripts: label characters, with '.'
// standing for the whole ellipsis.
struct Term {
  std::string labels;
  bool ellipsis = false;
};

// The equation resolved against actual input ranks: each dim of each operand
// gets a label id; ids [0, ell_rank) are the ellipsis dims, then letters.
struct Resolved {
  std::vector<std::vector<int>> operand_labels;  // per operand, per dim
  std::vector<int> output_labels;
  int num_labels = 0;
  std::vector<std::string> names;  // per id, for messages: "..." or the letter
};

Term parse_term(const KernelInfo& info, const std::string& s) {
  Term t;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      if (t.ellipsis || s.compare(i, 3, "...") != 0) info.fail("malformed ellipsis in equation term '", s, "'");
      t.ellipsis = true;
      t.labels.push_back('.');
      i += 2;
    } else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) {
      t.labels.push_back(c);
    } else {
      info.fail("invalid character '", c, "' in equation");
    }
  }
  return t;
}

class EinsumKernel final : public Kernel {
 public:
  explicit EinsumKernel(const KernelInfo& info) {
    std::string eq;
    for (char c : info.attr_string("equation")) if (c != ' ') eq.push_back(c);
    const size_t arrow = eq.find("->");
    const std::string lhs = eq.substr(0, arrow);
    size_t start = 0;
    while (true) {
      const size_t comma = lhs.find(',', start);
      inputs_.push_back(parse_term(info, lhs.substr(start, comma - start)));
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    if (inputs_.size() != info.num_inputs())
      info.fail("equation '", eq, "' has ", inputs_.size(), " operands but the node has ",
                info.num_inputs(), " inputs");
    if (arrow != std::string::npos) output_ = parse_term(info, eq.substr(arrow + 2));
    else output_ = implicit_output();
    for (char c : output_.labels) {
      if (c == '.') continue;
      if (std::count(output_.labels.begin(), output_.labels.end(), c) > 1)
        info.fail("label '", c, "' is repeated in the output of '", eq, "'");
      const bool used = std::any_of(inputs_.begin(), inputs_.end(), [c](const Term& t) {
        return t.labels.find(c) != std::string::npos;
      });
      if (!used) info.fail("output label '", c, "' does not appear in any input of '", eq, "'");
    }
  }

  void prepare(KernelContext& ctx) const override {
    const Resolved r = resolve(ctx);
    const std::vector<int64_t> sizes = label_sizes(ctx, r);
    Shape out;
    for (int id : r.output_labels) out.push_back(sizes[id]);
    ctx.set_output(0, ctx.input(0).dtype(), out);
  }

  void compute(KernelContext& ctx) const override {
    const Resolved r = resolve(ctx);
    const std::vector<int64_t> sizes = label_sizes(ctx, r);
    Tensor& y = ctx.output(0);
    for (size_t i = 1; i < r.operand_labels.size(); ++i)
      if (ctx.input(i).dtype() != ctx.input(0).dtype())
        ctx.fail(ctx.input_label(i), " must have the type of ", ctx.input_label(0));
    dispatch(kNumericTypes, y.dtype(), [&](auto tag) {
      using T = typename decltype(tag)::type;
      contract<T>(ctx, r, sizes, y.data<T>());
    }, ctx.describe_input(0));
  }

 private:
  // numpy's implicit output: the ellipsis, then labels used exactly once, in
  // ASCII order.
  Term implicit_output() const {
    std::map<char, int> count;
    bool ellipsis = false;
    for (const Term& t : inputs_) {
      ellipsis = ellipsis || t.ellipsis;
      for (char c : t.labels) if (c != '.') ++count[c];
    }
    Term out;
    out.ellipsis = ellipsis;
    if (ellipsis) out.labels.push_back('.');
    for (const auto& [c, n] : count) if (n == 1) out.labels.push_back(c);
    return out;
  }

  Resolved resolve(const KernelContext& ctx) const {
    Resolved r;
    int ell_rank = 0;
    std::vector<int> ell_ranks;
    for (size_t i = 0; i < inputs_.size(); ++i) {
      const Term& t = inputs_[i];
      const int64_t letters = static_cast<int64_t>(t.labels.size()) - (t.ellipsis ? 1 : 0);
      const int64_t rank = ctx.input(i).rank();
      if (t.ellipsis ? rank < letters : rank != letters)
        ctx.fail(ctx.input_label(i), " has rank ", rank, " but its equation term '", t.labels,
                 "' names ", letters, " dims");
      ell_ranks.push_back(static_cast<int>(rank - letters));
      ell_rank = std::max(ell_rank, ell_ranks.back());
    }
    std::map<char, int> ids;
    r.num_labels = ell_rank;
    r.names.assign(static_cast<size_t>(ell_rank), "...");
    auto id_of = [&](char c) {
      auto it = ids.find(c);
      if (it != ids.end()) return it->second;
      ids[c] = r.num_labels;
      r.names.emplace_back(1, c);
      return r.num_labels++;
    };
    for (size_t i = 0; i < inputs_.size(); ++i) {
      std::vector<int> labels;
      for (char c : inputs_[i].labels) {
        if (c != '.') { labels.push_back(id_of(c)); continue; }
        // Ellipsis dims are right-aligned across operands, as in broadcasting.
        for (int k = ell_rank - ell_ranks[i]; k < ell_rank; ++k) labels.push_back(k);
      }
      r.operand_labels.push_back(std::move(labels));
    }
    for (char c : output_.labels) {
      if (c != '.') { r.output_labels.push_back(ids.at(c)); continue; }
      for (int k = 0; k < ell_rank; ++k) r.output_labels.push_back(k);
    }
    return r;
  }

  // Size of each label; operands must agree, except size 1 broadcasts.
  std::vector<int64_t> label_sizes(const KernelContext& ctx, const Resolved& r) const {
    std::vector<int64_t> sizes(static_cast<size_t>(r.num_labels), 1);
    std::vector<bool> seen(sizes.size(), false);
    for (size_t i = 0; i < r.operand_labels.size(); ++i) {
      const Tensor& x = ctx.input(i);
      for (size_t d = 0; d < r.operand_labels[i].size(); ++d) {
        const int id = r.operand_labels[i][d];
        const int64_t n = x.dim(static_cast<int64_t>(d));
        if (!seen[id]) {
          sizes[id] = n;
          seen[id] = true;
        } else if (n != sizes[id] && n != 1) {
          if (sizes[id] != 1)
            ctx.fail("dim ", d, " of ", ctx.input_label(i), " has size ", n, " but its label '",
                     r.names[static_cast<size_t>(id)], "' has size ", sizes[id],
                     " elsewhere in the equation");
          sizes[id] = n;
        }
      }
    }
    return sizes;
  }

  template <class T>
  void contract(const KernelContext& ctx, const Resolved& r, const std::vector<int64_t>& sizes,
                T* out) const {
    using A = std::conditional_t<std::is_same_v<T, Float16> || std::is_same_v<T, BFloat16>, float, T>;
    const size_t nops = r.operand_labels.size();
    // strides[op][label]: summed over the label's occurrences in the operand.
    std::vector<std::vector<int64_t>> strides(nops, std::vector<int64_t>(sizes.size(), 0));
    std::vector<const T*> data(nops);
    for (size_t i = 0; i < nops; ++i) {
      const Tensor& x = ctx.input(i);
      data[i] = x.data<T>();
      const std::vector<int64_t> s = shape_strides(x.shape());
      for (size_t d = 0; d < s.size(); ++d)
        if (x.dim(static_cast<int64_t>(d)) != 1) strides[i][r.operand_labels[i][d]] += s[d];
    }
    std::vector<bool> in_output(sizes.size(), false);
    for (int id : r.output_labels) in_output[id] = true;
    std::vector<int> summed;
    for (int id = 0; id < static_cast<int>(sizes.size()); ++id)
      if (!in_output[id]) summed.push_back(id);
    int64_t out_numel = 1, sum_numel = 1;
    for (int id : r.output_labels) out_numel *= sizes[id];  // the output's size, checked in prepare
    for (int id : summed)
      if (__builtin_mul_overflow(sum_numel, sizes[id], &sum_numel) || sum_numel > (int64_t{1} << 48))
        ctx.fail_runtime("the summed labels span more than 2^48 products per output element");
    parallel_for(out_numel, sum_numel * static_cast<int64_t>(nops) * 2, [&](int64_t begin, int64_t end) {
      std::vector<int64_t> base(nops), off(nops);
      std::vector<int64_t> idx(summed.size());
      for (int64_t o = begin; o < end; ++o) {
        std::fill(base.begin(), base.end(), 0);
        int64_t rem = o;
        for (size_t k = r.output_labels.size(); k-- > 0;) {
          const int id = r.output_labels[k];
          const int64_t j = rem % sizes[id];
          rem /= sizes[id];
          for (size_t i = 0; i < nops; ++i) base[i] += j * strides[i][id];
        }
        off = base;
        std::fill(idx.begin(), idx.end(), 0);
        A acc = 0;
        for (int64_t s = 0; s < sum_numel; ++s) {
          A term = static_cast<A>(data[0][off[0]]);
          for (size_t i = 1; i < nops; ++i) term = static_cast<A>(term * static_cast<A>(data[i][off[i]]));
          acc = static_cast<A>(acc + term);
          // Odometer over the summed labels, innermost last.
          for (size_t k = summed.size(); k-- > 0;) {
            const int id = summed[k];
            if (++idx[k] < sizes[id]) {
              for (size_t i = 0; i < nops; ++i) off[i] += strides[i][id];
              break;
            }
            idx[k] = 0;
            for (size_t i = 0; i < nops; ++i) off[i] -= (sizes[id] - 1) * strides[i][id];
          }
        }
        out[o] = static_cast<T>(acc);
      }
    });
  }

  std::vector<Term> inputs_;
  Term output_;
};

}  // namespace

// 12: introduced; unchanged through 21.
SKIFF_KERNEL(native, "Einsum", 12, kLatestOpset, EinsumKernel);
SKIFF_KERNEL_TYPES(native, "Einsum", 12, "numeric");

}  // namespace skiff
