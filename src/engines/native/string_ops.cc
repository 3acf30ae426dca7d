// StringNormalizer: drops stopwords from a [C] or [1, C] string tensor, then
// changes case (LOWER, UPPER or NONE).
//
// Strings are UTF-8. Case mapping and case-insensitive matching use the C
// library's wide-character tables of a UTF-8 locale (C.UTF-8 for the default
// en_US), through a locale_t object so no global locale is touched and
// threads can share it. Bytes that are not valid UTF-8 pass through as is.
// When every string is a stopword the output is a single empty string,
// shaped [1] or [1, 1] (as ONNX Runtime does).
#include <clocale>
#include <cwctype>
#include <locale.h>
#include <string>
#include <unordered_set>
#include <vector>

#include "engines/kernel.h"

namespace skiff {
namespace {

enum class CaseChange { kNone, kLower, kUpper };

// Decodes one UTF-8 code point at s[i]; returns its length, 0 if invalid.
size_t decode_utf8(const std::string& s, size_t i, char32_t& cp) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char b0 = byte(i);
  size_t len = b0 < 0x80 ? 1 : (b0 >> 5) == 0x6 ? 2 : (b0 >> 4) == 0xe ? 3 : (b0 >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || i + len > s.size()) return 0;
  cp = len == 1 ? b0 : len == 2 ? (b0 & 0x1f) : len == 3 ? (b0 & 0x0f) : (b0 & 0x07);
  for (size_t k = 1; k < len; ++k) {
    if ((byte(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3f);
  }
  return len;
}

void encode_utf8(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

class StringNormalizerKernel final : public Kernel {
 public:
  explicit StringNormalizerKernel(const KernelInfo& info)
      : action_(parse_action(info)),
        case_sensitive_(info.attr_int("is_case_sensitive", 0) != 0),
        locale_(open_locale(info)) {
    for (const std::string& w : info.attr_strings("stopwords"))
      stopwords_.insert(case_sensitive_ ? w : map_case(w, CaseChange::kLower));
  }
  ~StringNormalizerKernel() override {
    if (locale_ != nullptr) freelocale(locale_);
  }
  StringNormalizerKernel(const StringNormalizerKernel&) = delete;
  StringNormalizerKernel& operator=(const StringNormalizerKernel&) = delete;

  void prepare(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    if (x.dtype() != DataType::kString) ctx.fail(ctx.input_label(0), " must be a string tensor");
    if (x.rank() != 1 && !(x.rank() == 2 && x.dim(0) == 1))
      ctx.fail(ctx.input_label(0), " must have shape [C] or [1, C]");
  }

  void compute(KernelContext& ctx) const override {
    const Tensor& x = ctx.input(0);
    const std::string* in = x.data<std::string>();
    std::vector<std::string> kept;
    for (int64_t i = 0; i < x.numel(); ++i) {
      const bool stop = !stopwords_.empty() &&
          stopwords_.count(case_sensitive_ ? in[i] : map_case(in[i], CaseChange::kLower)) > 0;
      if (!stop) kept.push_back(map_case(in[i], action_));
    }
    if (kept.empty()) kept.emplace_back();
    const int64_t count = static_cast<int64_t>(kept.size());
    Shape shape = x.rank() == 1 ? Shape{count} : Shape{1, count};
    std::string* out = ctx.allocate_output(0, DataType::kString, shape).data<std::string>();
    for (int64_t i = 0; i < count; ++i) out[i] = std::move(kept[static_cast<size_t>(i)]);
  }

 private:
  static CaseChange parse_action(const KernelInfo& info) {
    const std::string a = info.attr_string("case_change_action", "NONE");
    if (a == "NONE") return CaseChange::kNone;
    if (a == "LOWER") return CaseChange::kLower;
    if (a == "UPPER") return CaseChange::kUpper;
    info.fail("case_change_action '", a, "' is not one of NONE, LOWER, UPPER");
  }

  // The default en_US (and C) map to C.UTF-8; other locales must exist in
  // their UTF-8 form on this system.
  static locale_t open_locale(const KernelInfo& info) {
    const std::string name = info.attr_string("locale", "en_US");
    const bool plain = name.empty() || name == "en_US" || name == "C" || name == "en_US.UTF-8";
    locale_t loc = newlocale(LC_CTYPE_MASK, plain ? "C.UTF-8" : (name + ".UTF-8").c_str(),
                             static_cast<locale_t>(nullptr));
    if (loc == nullptr && !plain)
      loc = newlocale(LC_CTYPE_MASK, name.c_str(), static_cast<locale_t>(nullptr));
    if (loc == nullptr && !plain) info.unsupported("locale '", name, "' is not available");
    return loc;  // nullptr for the default when C.UTF-8 is missing: ASCII only
  }

  std::string map_case(const std::string& s, CaseChange change) const {
    if (change == CaseChange::kNone) return s;
    std::string out;
    out.reserve(s.size());
    for (size_t i = 0; i < s.size();) {
      char32_t cp = 0;
      const size_t len = decode_utf8(s, i, cp);
      if (len == 0) {  // not UTF-8: keep the byte
        out += s[i++];
        continue;
      }
      i += len;
      encode_utf8(map_char(cp, change), out);
    }
    return out;
  }

  char32_t map_char(char32_t cp, CaseChange change) const {
    if (locale_ == nullptr) {
      if (cp >= 0x80) return cp;
      const char c = static_cast<char>(cp);
      return change == CaseChange::kLower ? (c >= 'A' && c <= 'Z' ? cp + 32 : cp)
                                          : (c >= 'a' && c <= 'z' ? cp - 32 : cp);
    }
    const wint_t w = static_cast<wint_t>(cp);
    return static_cast<char32_t>(change == CaseChange::kLower ? towlower_l(w, locale_)
                                                              : towupper_l(w, locale_));
  }

  CaseChange action_;
  bool case_sensitive_;
  locale_t locale_;
  std::unordered_set<std::string> stopwords_;
};

}  // namespace

// 10: introduced; unchanged through 21.
SKIFF_KERNEL(native, "StringNormalizer", 10, kLatestOpset, StringNormalizerKernel);
SKIFF_KERNEL_TYPES(native, "StringNormalizer", 10, "string");

}  // namespace skiff
