// Cast and CastLike: every pair among the numeric types, bool and string.
//
// Numbers format to strings like ONNX's reference (numpy's str of the value in
// its own type: the shortest digits that round-trip, "0.1", "1e-05", "1e+16",
// "nan", "-inf"); strings parse with "NaN", "INF",
// "+INF", "-inf", ... accepted in any case. Narrowing to float16/bfloat16
// rounds to nearest even, also from double (see narrow_to_float).
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>

#include "engines/native/elementwise.h"

namespace skiff {
namespace {

using StringDigits = std::pair<std::string, int>;  // significant digits, decimal exponent

// Shortest digits that read back as the same value of type T.
template <class T>
StringDigits shortest_digits(T value) {
  char buf[64];
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    const auto r = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    *r.ptr = '\0';
  } else {
    // 16-bit floats: the fewest digits (up to 9) whose float parse narrows back
    // to the same bits, as numpy prints float16.
    for (int precision = 0; precision < 9; ++precision) {
      std::snprintf(buf, sizeof buf, "%.*e", precision, static_cast<double>(value));
      if (T(std::strtof(buf, nullptr)).bits == value.bits) break;
    }
  }
  // buf is "-d.ddde[+-]xx": collect the digits and the exponent.
  std::string digits;
  const char* p = buf;
  if (*p == '-') ++p;
  for (; *p != 'e'; ++p)
    if (*p != '.') digits += *p;
  const int exponent = std::atoi(p + 1);
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  return {digits, exponent};
}

// numpy's layout for a float scalar: positional when 1e-4 <= |x| < 1e16
// (compared on the value, so float32 0.0001, just below 1e-4, prints
// "1e-04"), scientific otherwise.
template <class T>
std::string format_float(T value) {
  const double v = static_cast<double>(value);
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::string s = std::signbit(v) ? "-" : "";
  if (v == 0) return s + "0.0";
  const auto [digits, exponent] = shortest_digits(value);
  if (std::fabs(v) >= 1e-4 && std::fabs(v) < 1e16) {
    if (exponent < 0)
      return s + "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    const size_t point = static_cast<size_t>(exponent) + 1;  // digits before the point
    if (point >= digits.size()) return s + digits + std::string(point - digits.size(), '0') + ".0";
    return s + digits.substr(0, point) + "." + digits.substr(point);
  }
  s += digits[0];
  if (digits.size() > 1) {
    s += '.';
    s.append(digits, 1);
  }
  const std::string magnitude = std::to_string(std::abs(exponent));
  s += exponent < 0 ? "e-" : "e+";
  if (magnitude.size() < 2) s += '0';
  return s + magnitude;
}

template <class T>
std::string to_string_value(const T& v) {
  if constexpr (std::is_same_v<T, std::string>)
    return v;
  else if constexpr (std::is_same_v<T, bool>)
    return v ? "True" : "False";  // numpy's astype(str)
  else if constexpr (is_float_v<T>)
    return format_float(v);
  else
    return std::to_string(v);
}

// Parses a whole string as a double ("+INF", "NaN", " 1.5" included);
// false when it is not a number.
bool parse_double(const std::string& text, double* out) {
  const char* begin = text.c_str();
  const char* end = begin + text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(*begin))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(end[-1]))) --end;
  if (begin < end && *begin == '+') ++begin;
  const auto r = std::from_chars(begin, end, *out);
  return begin < end && r.ec == std::errc() && r.ptr == end;
}

// Reading double's value into float in round-to-odd mode, then rounding that
// float to 16 bits, equals rounding the double directly: float keeps more
// than two extra bits, and the odd last bit remembers any discarded tail.
float narrow_to_float(double d) {
  float f = static_cast<float>(d);
  if (std::isnan(d) || static_cast<double>(f) == d) return f;
  if (std::fabs(static_cast<double>(f)) > std::fabs(d)) f = std::nextafter(f, 0.0f);
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  bits |= 1;
  std::memcpy(&f, &bits, 4);
  return f;
}

// Numeric conversions (no strings): defined for every input, never UB.
template <class To, class From>
To convert(From v) {
  if constexpr (std::is_same_v<To, From>) {
    return v;
  } else if constexpr (std::is_same_v<To, bool>) {
    return static_cast<compute_t<From>>(v) != 0;  // NaN is true, as in C and numpy
  } else if constexpr (std::is_integral_v<To>) {
    if constexpr (is_float_v<From>)
      return float_to_int<To>(static_cast<compute_t<From>>(v));
    else
      return static_cast<To>(v);  // modulo 2^bits, as numpy
  } else if constexpr (std::is_same_v<From, double> && !std::is_floating_point_v<To>) {
    return static_cast<To>(narrow_to_float(v));  // to float16 or bfloat16
  } else if constexpr (std::is_same_v<From, bool>) {
    return static_cast<To>(v ? 1.0f : 0.0f);
  } else if constexpr (std::is_integral_v<From> && !std::is_floating_point_v<To>) {
    return static_cast<To>(narrow_to_float(static_cast<double>(v)));
  } else {
    return static_cast<To>(static_cast<compute_t<From>>(v));
  }
}

template <class To>
To parse_value(const KernelContext& ctx, const std::string& text) {
  if constexpr (std::is_same_v<To, std::string>) {
    return text;
  } else {
    if constexpr (std::is_integral_v<To> && !std::is_same_v<To, bool>) {
      To exact;
      const char* begin = text.c_str() + (text.size() > 1 && text[0] == '+' ? 1 : 0);
      const auto r = std::from_chars(begin, text.c_str() + text.size(), exact);
      if (r.ec == std::errc() && r.ptr == text.c_str() + text.size()) return exact;
    }
    if constexpr (std::is_same_v<To, bool>) {
      if (text == "True" || text == "true") return true;
      if (text == "False" || text == "false") return false;
    }
    double d;
    if (!parse_double(text, &d))
      ctx.fail_runtime("cannot parse string '", text, "' of ", ctx.input_label(0), " as ",
                       dtype_name(dtype_of<To>()));
    return convert<To>(d);
  }
}

void cast_tensor(const KernelContext& ctx, const Tensor& x, Tensor& y) {
  const auto what = ctx.describe_input(0);
  dispatch(
      kAllTypes, x.dtype(),
      [&](auto from_tag) {
        using From = typename decltype(from_tag)::type;
        dispatch(
            kAllTypes, y.dtype(),
            [&](auto to_tag) {
              using To = typename decltype(to_tag)::type;
              const From* in = x.data<From>();
              To* out = y.data<To>();
              if constexpr (std::is_same_v<From, std::string>) {
                // Serial: a bad string throws, which a parallel loop must not do.
                for (int64_t i = 0; i < x.numel(); ++i) out[i] = parse_value<To>(ctx, in[i]);
              } else if constexpr (std::is_same_v<To, std::string>) {
                map_elements(
                    in, out, x.numel(), [](From v) { return to_string_value(v); }, 100);
              } else {
                map_elements(in, out, x.numel(), [](From v) { return convert<To>(v); });
              }
            },
            [&] { return what() + " target type"; });
      },
      what);
}

// Cast before opset 6 named the target type as a string ("FLOAT", "INT64").
DataType cast_target(const KernelInfo& info) {
  if (info.opset() < 6 && info.has_attr("to") &&
      info.node().attr("to")->type == ir::Attribute::Type::kString) {
    std::string name = info.attr_string("to");
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const DataType dt = dtype_from_name(name);
    if (dt == DataType::kUndefined) info.fail("attribute 'to' names unknown type '", name, "'");
    return dt;
  }
  const int64_t to = info.attr_int("to");
  if (to > INT32_MAX || !dtype_is_valid(static_cast<int32_t>(to)))
    info.fail("attribute 'to' is ", to, ", not an ONNX data type");
  return static_cast<DataType>(to);
}

class CastKernel final : public Kernel {
 public:
  explicit CastKernel(const KernelInfo& info) : to_(cast_target(info)) {
    if (!dtype_in(kAllTypes, to_)) info.unsupported("cannot cast to ", dtype_name(to_));
  }

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (!dtype_in(kAllTypes, x.dtype()))
      ctx.unsupported(ctx.input_label(0), " has unsupported type ", dtype_name(x.dtype()));
    ctx.set_output(0, to_, x.shape());
  }

  void compute(KernelContext& ctx) const override { cast_tensor(ctx, ctx.input(0), ctx.output(0)); }

 private:
  DataType to_;
};

// CastLike: Cast to the type of input 1 (whose values are ignored).
class CastLikeKernel final : public Kernel {
 public:
  explicit CastLikeKernel(const KernelInfo& info) {}

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const DataType to = ctx.input(1).dtype();
    for (size_t i = 0; i < 2; ++i)
      if (!dtype_in(kAllTypes, ctx.input(i).dtype()))
        ctx.unsupported(ctx.input_label(i), " has unsupported type ",
                        dtype_name(ctx.input(i).dtype()));
    ctx.set_output(0, to, x.shape());
  }

  void compute(KernelContext& ctx) const override { cast_tensor(ctx, ctx.input(0), ctx.output(0)); }
};

}  // namespace

SKIFF_KERNEL(native, "Cast", 1, 5, CastKernel);    // 1: `to` is a type name string
SKIFF_KERNEL_TYPES(native, "Cast", 1, "T1: all; T2: all");
SKIFF_KERNEL(native, "Cast", 6, 8, CastKernel);    // 6: `to` is a TensorProto data type
SKIFF_KERNEL_TYPES(native, "Cast", 6, "T1: all; T2: all");
SKIFF_KERNEL(native, "Cast", 9, 12, CastKernel);   // 9: string
SKIFF_KERNEL_TYPES(native, "Cast", 9, "T1: all; T2: all");
SKIFF_KERNEL(native, "Cast", 13, 18, CastKernel);  // 13: bfloat16
SKIFF_KERNEL_TYPES(native, "Cast", 13, "T1: all; T2: all");
SKIFF_KERNEL(native, "Cast", 19, kLatestOpset,
             CastKernel);  // 19: float8 and `saturate` (unsupported types)
SKIFF_KERNEL_TYPES(native, "Cast", 19, "T1: all; T2: all");
SKIFF_KERNEL(native, "CastLike", 15, 18, CastLikeKernel);
SKIFF_KERNEL_TYPES(native, "CastLike", 15, "T1: all; T2: all");
SKIFF_KERNEL(native, "CastLike", 19, kLatestOpset, CastLikeKernel);  // 19: float8 and `saturate`
SKIFF_KERNEL_TYPES(native, "CastLike", 19, "T1: all; T2: all");

}  // namespace skiff
