#include "core/dtype.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace skiff {

TEST(Float16, RoundTripsEveryHalfValueExactly) {
  for (uint32_t bits = 0; bits < 0x10000; ++bits) {
    const float f = Float16::to_float(static_cast<uint16_t>(bits));
    if (std::isnan(f)) {
      EXPECT_TRUE(std::isnan(Float16::to_float(Float16::from_float(f))));
      continue;
    }
    EXPECT_EQ(Float16::from_float(f), bits) << "bits " << bits;
  }
}

TEST(Float16, RoundsToNearestEvenAndSaturatesToInfinity) {
  EXPECT_EQ(Float16::from_float(1.0f), 0x3c00);
  // 1 + 2^-11 is halfway between 1 and the next half: ties go to even (1).
  EXPECT_EQ(Float16::from_float(1.0f + std::ldexp(1.0f, -11)), 0x3c00);
  EXPECT_EQ(Float16::from_float(1.0f + 3 * std::ldexp(1.0f, -11)), 0x3c02);
  EXPECT_EQ(Float16::from_float(65504.0f), 0x7bff);
  EXPECT_EQ(Float16::from_float(65520.0f), 0x7c00);
  EXPECT_EQ(Float16::from_float(-1e10f), 0xfc00);
  EXPECT_EQ(Float16::from_float(std::ldexp(1.0f, -24)), 0x0001);  // smallest subnormal
  EXPECT_EQ(Float16::from_float(std::ldexp(1.0f, -26)), 0x0000);  // underflows to zero
}

TEST(BFloat16, RoundsToNearestEvenAndKeepsNaN) {
  EXPECT_EQ(BFloat16::from_float(1.0f), 0x3f80);
  EXPECT_EQ(BFloat16(3.0f).bits, 0x4040);
  EXPECT_FLOAT_EQ(static_cast<float>(BFloat16(-2.5f)), -2.5f);
  EXPECT_TRUE(std::isnan(static_cast<float>(BFloat16(std::numeric_limits<float>::quiet_NaN()))));
  // 1 + 2^-8 is halfway between two bfloat16 values; ties go to even.
  EXPECT_EQ(BFloat16::from_float(1.0f + std::ldexp(1.0f, -8)), 0x3f80);
}

TEST(DataType, NamesAndSizesFollowOnnx) {
  EXPECT_EQ(dtype_name(DataType::kFloat), "float");
  EXPECT_EQ(dtype_name(DataType::kBFloat16), "bfloat16");
  EXPECT_EQ(dtype_size(DataType::kInt64), 8u);
  EXPECT_EQ(dtype_size(DataType::kBool), 1u);
  EXPECT_EQ(dtype_from_name("uint16"), DataType::kUInt16);
  EXPECT_EQ(dtype_from_name("nope"), DataType::kUndefined);
  EXPECT_FALSE(dtype_is_valid(0));
  EXPECT_FALSE(dtype_is_valid(17));
  EXPECT_TRUE(dtype_is_float(DataType::kFloat16));
  EXPECT_TRUE(dtype_is_integer(DataType::kUInt8));
  EXPECT_FALSE(dtype_is_integer(DataType::kBool));
}

}  // namespace skiff
