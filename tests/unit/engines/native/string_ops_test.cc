#include <gtest/gtest.h>

#include "support/op_test.h"

namespace skiff {
namespace {

using testing::make;
using testing::OpSpec;
using testing::run_op;
using testing::values;

Tensor strings(Shape shape, std::vector<std::string> v) { return make<std::string>(std::move(shape), v); }

OpSpec normalizer(const char* action, int64_t case_sensitive, std::vector<std::string> stopwords) {
  OpSpec spec("StringNormalizer");
  spec.opset(10).attr("case_change_action", action).attr("is_case_sensitive", case_sensitive);
  ir::Attribute a;
  a.name = "stopwords";
  a.type = ir::Attribute::Type::kStrings;
  a.strings = std::move(stopwords);
  spec.node.attributes.push_back(std::move(a));
  return spec;
}

TEST(StringNormalizer, CaseSensitiveStopwordsThenLower) {
  auto out = run_op(normalizer("LOWER", 1, {"monday"}),
                    {strings({4}, {"monday", "tuesday", "Monday", "WEDNESDAY"})});
  EXPECT_EQ(values<std::string>(out[0]), (std::vector<std::string>{"tuesday", "monday", "wednesday"}));
}

TEST(StringNormalizer, CaseInsensitiveStopwordsKeepsTwoDims) {
  auto out = run_op(normalizer("UPPER", 0, {"MONDAY"}),
                    {strings({1, 3}, {"Monday", "tuesday", "monDAY"})});
  EXPECT_EQ(out[0].shape(), (Shape{1, 1}));
  EXPECT_EQ(values<std::string>(out[0]), (std::vector<std::string>{"TUESDAY"}));
}

TEST(StringNormalizer, AllStopwordsLeaveOneEmptyString) {
  auto out = run_op(normalizer("NONE", 1, {"x"}), {strings({2}, {"x", "x"})});
  EXPECT_EQ(out[0].shape(), (Shape{1}));
  EXPECT_EQ(values<std::string>(out[0]), (std::vector<std::string>{""}));
  auto empty = run_op(normalizer("NONE", 1, {}), {strings({1, 0}, {})});
  EXPECT_EQ(empty[0].shape(), (Shape{1, 1}));
}

TEST(StringNormalizer, Utf8CaseMappingAndInvalidBytes) {
  auto out = run_op(normalizer("UPPER", 1, {}), {strings({2}, {"caf\xc3\xa9", "a\xff" "b"})});
  EXPECT_EQ(values<std::string>(out[0]), (std::vector<std::string>{"CAF\xc3\x89", "A\xff" "B"}));
}

TEST(StringNormalizer, RejectsBadActionAndShape) {
  EXPECT_THROW(run_op(normalizer("TITLE", 1, {}), {strings({1}, {"a"})}), Error);
  try {
    run_op(normalizer("NONE", 1, {}), {strings({2, 1}, {"a", "b"})});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), ErrorCode::kInvalidInput);
  }
}

}  // namespace
}  // namespace skiff
