#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

// The pool of ONNX's examples: unigrams 2 3 5 4, bigrams (5 6) (7 8) (6 7).
OpSpec tfidf(const char* mode, int64_t min_gram, int64_t max_gram, int64_t max_skip,
             std::vector<int64_t> ngram_counts = {0, 4},
             std::vector<int64_t> ngram_indexes = {0, 1, 2, 3, 4, 5, 6},
             std::vector<int64_t> pool = {2, 3, 5, 4, 5, 6, 7, 8, 6, 7}) {
  return OpSpec("TfIdfVectorizer")
      .opset(9)
      .attr("mode", mode)
      .attr("min_gram_length", min_gram)
      .attr("max_gram_length", max_gram)
      .attr("max_skip_count", max_skip)
      .attr("ngram_counts", std::move(ngram_counts))
      .attr("ngram_indexes", std::move(ngram_indexes))
      .attr("pool_int64s", std::move(pool));
}

const std::vector<int32_t> kRow = {1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8};

TEST(TfIdfVectorizer, BigramsWithoutSkips) {
  auto out = run_op(tfidf("TF", 2, 2, 0), {make<int32_t>({12}, kRow)});
  EXPECT_EQ(out[0].shape(), (Shape{7}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{0, 0, 0, 0, 1, 1, 1}));
}

TEST(TfIdfVectorizer, SkipsFindMoreBigramsButUnigramsCountOnce) {
  auto bigrams = run_op(tfidf("TF", 2, 2, 5), {make<int32_t>({12}, kRow)});
  EXPECT_EQ(values<float>(bigrams[0]), (std::vector<float>{0, 0, 0, 0, 1, 3, 1}));
  auto both = run_op(tfidf("TF", 1, 2, 5), {make<int32_t>({12}, kRow)});
  EXPECT_EQ(values<float>(both[0]), (std::vector<float>{0, 3, 1, 0, 1, 3, 1}));
}

TEST(TfIdfVectorizer, RowsOfA2DInputAreCountedSeparately) {
  std::vector<int64_t> rows(kRow.begin(), kRow.end());
  auto out = run_op(tfidf("TF", 1, 2, 5), {make<int64_t>({2, 6}, rows)});
  EXPECT_EQ(out[0].shape(), (Shape{2, 7}));
  EXPECT_EQ(values<float>(out[0]),
            (std::vector<float>{0, 3, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 1, 1}));
}

TEST(TfIdfVectorizer, IdfAndTfidfApplyWeightsByOutputIndex) {
  const std::vector<float> weights = {1, 2, 3, 4, 5, 6, 7};
  auto idf = run_op(tfidf("IDF", 1, 2, 5).attr("weights", weights), {make<int32_t>({12}, kRow)});
  EXPECT_EQ(values<float>(idf[0]), (std::vector<float>{0, 2, 3, 0, 5, 6, 7}));
  auto tfidf_out = run_op(tfidf("TFIDF", 1, 2, 5).attr("weights", weights), {make<int32_t>({12}, kRow)});
  EXPECT_EQ(values<float>(tfidf_out[0]), (std::vector<float>{0, 6, 3, 0, 5, 18, 7}));
  auto unweighted = run_op(tfidf("IDF", 1, 2, 5), {make<int32_t>({12}, kRow)});
  EXPECT_EQ(values<float>(unweighted[0]), (std::vector<float>{0, 1, 1, 0, 1, 1, 1}));
}

TEST(TfIdfVectorizer, NgramIndexesPermuteOutputsAndLongerGramsFollowPrefixes) {
  // Trigram (1 1 3) only: its prefixes are not in the pool yet still lead to it.
  auto out = run_op(tfidf("TF", 1, 3, 0, {0, 1, 1}, {2, 0}, {3, 1, 1, 3}), {make<int32_t>({12}, kRow)});
  EXPECT_EQ(out[0].shape(), (Shape{3}));
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{1, 0, 3}));
}

TEST(TfIdfVectorizer, StringPool) {
  OpSpec spec = OpSpec("TfIdfVectorizer")
                    .opset(9)
                    .attr("mode", "TF")
                    .attr("min_gram_length", 1)
                    .attr("max_gram_length", 2)
                    .attr("max_skip_count", 1)
                    .attr("ngram_counts", std::vector<int64_t>{0, 2})
                    .attr("ngram_indexes", std::vector<int64_t>{0, 1, 2});
  ir::Attribute pool;
  pool.name = "pool_strings";
  pool.type = ir::Attribute::Type::kStrings;
  pool.strings = {"a", "b", "a", "c"};
  spec.node.attributes.push_back(pool);
  auto out = run_op(spec, {make<std::string>({5}, {"a", "b", "c", "a", "a"})});
  // Unigrams a x3, b x1; bigram (a c) at distance 2: a_b_c.
  EXPECT_EQ(values<float>(out[0]), (std::vector<float>{3, 1, 1}));
}

TEST(TfIdfVectorizer, EmptyRowsGiveZeros) {
  auto out = run_op(tfidf("TF", 1, 2, 5), {Tensor(DataType::kInt64, {3, 0})});
  EXPECT_EQ(out[0].shape(), (Shape{3, 7}));
  EXPECT_EQ(values<float>(out[0]), std::vector<float>(21, 0.0f));
  auto shorter = run_op(tfidf("TF", 2, 2, 5), {make<int32_t>({1}, {5})});
  EXPECT_EQ(values<float>(shorter[0]), std::vector<float>(7, 0.0f));
  const int64_t huge = int64_t{1} << 62;
  auto longer = run_op(tfidf("TF", huge, huge, huge), {make<int32_t>({12}, kRow)});
  EXPECT_EQ(values<float>(longer[0]), std::vector<float>(7, 0.0f));
}

ErrorCode code_of(const OpSpec& spec, const Tensor& x) {
  try {
    run_op(spec, {x});
  } catch (const Error& e) {
    return e.code();
  }
  return ErrorCode::kInternal;
}

TEST(TfIdfVectorizer, RejectsBadAttributesAndInputs) {
  const Tensor x = make<int32_t>({12}, kRow);
  EXPECT_EQ(code_of(tfidf("BM25", 1, 2, 0), x), ErrorCode::kInvalidModel);
  EXPECT_EQ(code_of(tfidf("TF", 3, 2, 0), x), ErrorCode::kInvalidModel);
  EXPECT_EQ(code_of(tfidf("TF", 1, 2, 0, {0, 3}), x),
            ErrorCode::kInvalidModel);  // 7 tokens left for bigrams
  EXPECT_EQ(code_of(tfidf("TF", 1, 2, 0, {0, 4}, {0, 1}), x),
            ErrorCode::kInvalidModel);
  EXPECT_EQ(code_of(tfidf("TF", 1, 2, 0).attr("weights", std::vector<float>{1, 2}), x),
            ErrorCode::kInvalidModel);
  EXPECT_EQ(code_of(tfidf("TF", 1, 2, 0, {0, 4}, {0, 1, 2, 3, 4, 5, 6}, {2, 3, 5, 2, 5, 6, 7, 8, 6, 7}), x),
            ErrorCode::kInvalidModel);  // unigram 2 twice
  EXPECT_EQ(code_of(tfidf("TF", 1, 2, 0), make<float>({2}, {1, 2})), ErrorCode::kInvalidInput);
  EXPECT_EQ(code_of(tfidf("TF", 1, 2, 0), make<int32_t>({1, 1, 2}, {1, 2})), ErrorCode::kInvalidInput);
}

}  // namespace
}  // namespace skiff
