// TfIdfVectorizer (opset 9): counts the pool's n-grams in each row of a 1-D
// or 2-D int32/int64/string tensor, optionally with skips, then weights them.
//
// The pool is a trie (as in ONNX Runtime): walking it from a start position
// with one skip distance finds every pooled n-gram of every length beginning
// there in a single pass, and stops at the first token no pooled n-gram
// continues with. Quirks kept from ONNX Runtime and ONNX's reference:
//  - unigrams do not depend on the skip, so they are counted once, not once
//    per skip distance;
//  - `weights` are read by output coordinate (weights[ngram_indexes[i]] for
//    the i-th n-gram), which is what the spec's "i-th n-gram" means whenever
//    ngram_indexes is the identity, and what exported models rely on.
#include <algorithm>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/dispatch.h"
#include "core/parallel.h"
#include "engines/kernel.h"

namespace skiff {
namespace {

enum class Weighting { kTF, kIDF, kTFIDF };

// Trie over pooled n-grams; node 0 is the root. `output` is the output
// coordinate of the n-gram ending at this node, or -1 for a mere prefix.
template <class Key>
class NgramTrie {
 public:
  struct Node {
    std::unordered_map<Key, int32_t> children;
    int64_t output = -1;
  };

  NgramTrie() : nodes_(1) {}

  // Returns false when the n-gram is already present.
  bool insert(const Key* tokens, int64_t n, int64_t output) {
    int32_t at = 0;
    for (int64_t i = 0; i < n; ++i) {
      auto [it, added] = nodes_[at].children.try_emplace(tokens[i], static_cast<int32_t>(nodes_.size()));
      const int32_t next = it->second;
      if (added) nodes_.emplace_back();
      at = next;
    }
    if (nodes_[at].output >= 0) return false;
    nodes_[at].output = output;
    return true;
  }

  // The child of `node` for `token`, or -1.
  int32_t child(int32_t node, const Key& token) const {
    const auto& children = nodes_[node].children;
    auto it = children.find(token);
    return it == children.end() ? -1 : it->second;
  }
  int64_t output(int32_t node) const { return nodes_[node].output; }

 private:
  std::vector<Node> nodes_;
};

class TfIdfVectorizerKernel final : public Kernel {
 public:
  explicit TfIdfVectorizerKernel(const KernelInfo& info)
      : min_gram_length_(info.attr_int("min_gram_length")),
        max_gram_length_(info.attr_int("max_gram_length")),
        max_skip_count_(info.attr_int("max_skip_count")),
        weights_(info.attr_floats("weights")) {
    const std::string mode = info.attr_string("mode");
    if (mode == "TF") weighting_ = Weighting::kTF;
    else if (mode == "IDF") weighting_ = Weighting::kIDF;
    else if (mode == "TFIDF") weighting_ = Weighting::kTFIDF;
    else info.fail("attribute 'mode' is '", mode, "', expected TF, IDF or TFIDF");
    if (min_gram_length_ < 1 || max_gram_length_ < min_gram_length_)
      info.fail("min_gram_length ", min_gram_length_, " and max_gram_length ", max_gram_length_,
                " must satisfy 1 <= min_gram_length <= max_gram_length");
    if (max_skip_count_ < 0) info.fail("max_skip_count ", max_skip_count_, " must not be negative");

    const std::vector<int64_t> pool_int64s = info.attr_ints("pool_int64s");
    const std::vector<std::string> pool_strings = info.attr_strings("pool_strings");
    if (pool_int64s.empty() == pool_strings.empty())
      info.fail("exactly one of 'pool_int64s' and 'pool_strings' must be given");
    strings_ = !pool_strings.empty();
    const int64_t pool_size = static_cast<int64_t>(strings_ ? pool_strings.size() : pool_int64s.size());
    const std::vector<int64_t> ngram_counts = info.attr_ints("ngram_counts");
    const std::vector<int64_t> ngram_indexes = info.attr_ints("ngram_indexes");
    for (int64_t index : ngram_indexes) {
      if (index < 0) info.fail("ngram_indexes holds ", index, ", which is negative");
      output_size_ = std::max(output_size_, index + 1);
    }
    if (!weights_.empty() && output_size_ > static_cast<int64_t>(weights_.size()))
      info.fail("'weights' has ", weights_.size(), " values but ngram_indexes reaches output ",
                output_size_ - 1);

    // ngram_counts[i] is where the (i+1)-grams start in the pool.
    int64_t ngram = 0;
    for (size_t i = 0; i < ngram_counts.size(); ++i) {
      const int64_t n = static_cast<int64_t>(i) + 1;
      const int64_t begin = ngram_counts[i];
      const int64_t end = i + 1 < ngram_counts.size() ? ngram_counts[i + 1] : pool_size;
      if (begin < 0 || end < begin || end > pool_size || (end - begin) % n != 0)
        info.fail("ngram_counts ", i, " gives ", n, "-grams at pool [", begin, ", ", end,
                  ") of a pool of ", pool_size, ": not a whole number of ", n, "-grams");
      for (int64_t at = begin; at < end; at += n, ++ngram) {
        if (ngram >= static_cast<int64_t>(ngram_indexes.size()))
          info.fail("the pool holds more n-grams than ngram_indexes has entries (",
                    ngram_indexes.size(), ")");
        const bool added =
            strings_ ? string_pool_.insert(pool_strings.data() + at, n, ngram_indexes[ngram])
                     : int_pool_.insert(pool_int64s.data() + at, n, ngram_indexes[ngram]);
        if (!added) info.fail("the pool holds ", n, "-gram ", ngram, " twice");
      }
    }
    if (ngram != static_cast<int64_t>(ngram_indexes.size()))
      info.fail("ngram_indexes has ", ngram_indexes.size(), " entries but the pool holds ", ngram,
                " n-grams");
  }

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.rank() != 1 && x.rank() != 2) ctx.fail(ctx.input_label(0), " must be 1-D or 2-D");
    const bool string_input = x.dtype() == DataType::kString;
    if (string_input != strings_ || (!string_input && x.dtype() != DataType::kInt32 &&
                                     x.dtype() != DataType::kInt64))
      ctx.fail(ctx.input_label(0), " must be ", strings_ ? "string (the pool is pool_strings)"
                                                          : "int32 or int64 (the pool is pool_int64s)");
    if (x.rank() == 1) ctx.set_output(0, DataType::kFloat, {output_size_});
    else ctx.set_output(0, DataType::kFloat, {x.dim(0), output_size_});
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    Tensor& y = ctx.output(0);
    const int64_t rows = x.rank() == 1 ? 1 : x.dim(0);
    const int64_t row_size = x.rank() == 1 ? x.dim(0) : x.dim(1);
    float* out = y.data<float>();
    std::fill(out, out + y.numel(), 0.0f);
    // Skips longer than the row find no n-gram beyond unigrams.
    const int64_t max_distance = std::min(max_skip_count_, std::max<int64_t>(row_size - 1, 0)) + 1;
    const int64_t cost = std::min<int64_t>(row_size, 1 << 20) * std::min<int64_t>(max_distance, 64) * 20;
    auto run = [&](const auto& trie, const auto* data) {
      parallel_for(rows, cost, [&](int64_t b, int64_t e) {
        for (int64_t r = b; r < e; ++r) {
          count_row(trie, data + r * row_size, row_size, max_distance, out + r * output_size_);
          apply_weights(out + r * output_size_);
        }
      });
    };
    if (strings_) {
      run(string_pool_, x.data<std::string>());
    } else if (x.dtype() == DataType::kInt32) {
      run(int_pool_, x.data<int32_t>());
    } else {
      run(int_pool_, x.data<int64_t>());
    }
  }

 private:
  // Adds the counts of every pooled n-gram in one row to `counts`.
  template <class Trie, class T>
  void count_row(const Trie& trie, const T* row, int64_t row_size, int64_t max_distance,
                 float* counts) const {
    int64_t first_length = min_gram_length_;
    for (int64_t distance = 1; distance <= max_distance; ++distance) {
      for (int64_t start = 0; start < row_size; ++start) {
        // The shortest wanted n-gram must fit in the row (divided, not
        // multiplied: min_gram_length comes from the model and may be huge).
        if (first_length - 1 > (row_size - 1 - start) / distance) break;
        int32_t node = 0;
        for (int64_t n = 1, at = start; n <= max_gram_length_ && at < row_size; ++n, at += distance) {
          node = trie.child(node, row[at]);
          if (node < 0) break;
          const int64_t output = trie.output(node);
          if (n >= first_length && output >= 0) counts[output] += 1;
        }
      }
      // Unigrams do not depend on the skip: count them on the first pass only.
      if (first_length == 1 && ++first_length > max_gram_length_) break;
    }
  }

  void apply_weights(float* row) const {
    for (int64_t i = 0; i < output_size_; ++i) {
      const float w = weights_.empty() ? 1.0f : weights_[static_cast<size_t>(i)];
      switch (weighting_) {
        case Weighting::kTF: break;
        case Weighting::kIDF: row[i] = row[i] > 0 ? w : 0.0f; break;
        case Weighting::kTFIDF: row[i] *= w; break;
      }
    }
  }

  int64_t min_gram_length_, max_gram_length_, max_skip_count_;
  std::vector<float> weights_;
  Weighting weighting_ = Weighting::kTF;
  bool strings_ = false;
  int64_t output_size_ = 0;
  NgramTrie<int64_t> int_pool_;
  NgramTrie<std::string> string_pool_;
};

}  // namespace

// 9: introduced; unchanged through 21.
SKIFF_KERNEL(native, "TfIdfVectorizer", 9, kLatestOpset, TfIdfVectorizerKernel);
SKIFF_KERNEL_TYPES(native, "TfIdfVectorizer", 9, "T: string, int32, int64; T1: float");

}  // namespace skiff
