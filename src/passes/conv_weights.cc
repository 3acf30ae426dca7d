#include "passes/conv_weights.h"

#include "passes/graph_util.h"

namespace skiff::passes {

int64_t output_channels(const ir::Node& conv, const Tensor& w) {
  if (w.dtype() != DataType::kFloat || w.rank() < 3) return -1;
  if (is_op(conv, "Conv")) return w.dim(0);
  const int64_t group = attr_int(conv, "group", 1);
  if (!is_op(conv, "ConvTranspose") || group <= 0 || w.dim(0) % group != 0) return -1;
  return w.dim(1) * group;
}

Tensor scale_output_channels(const ir::Node& conv, const Tensor& w, const std::vector<double>& scale) {
  const int64_t channels = output_channels(conv, w);
  if (channels < 0 || channels != static_cast<int64_t>(scale.size())) return Tensor();
  Tensor out = w.clone();
  float* p = out.data<float>();
  auto mul = [](float& v, double s) { v = static_cast<float>(v * s); };
  if (is_op(conv, "Conv")) {
    const int64_t per = w.numel() / std::max<int64_t>(1, channels);
    for (int64_t m = 0; m < channels; ++m)
      for (int64_t i = 0; i < per; ++i) mul(p[m * per + i], scale[static_cast<size_t>(m)]);
    return out;
  }
  // ConvTranspose: output channel = group index * (M/group) + m.
  const int64_t group = attr_int(conv, "group", 1);
  const int64_t c_per_group = w.dim(0) / group, m_per_group = w.dim(1);
  const int64_t spatial = w.numel() / std::max<int64_t>(1, w.dim(0) * m_per_group);
  for (int64_t c = 0; c < w.dim(0); ++c)
    for (int64_t m = 0; m < m_per_group; ++m) {
      const double s = scale[static_cast<size_t>((c / c_per_group) * m_per_group + m)];
      float* block = p + (c * m_per_group + m) * spatial;
      for (int64_t i = 0; i < spatial; ++i) mul(block[i], s);
    }
  return out;
}

bool keeps_shift_outside(const ir::Node& conv, const Tensor& w) {
  if (!is_op(conv, "ConvTranspose") || conv.has_input(2)) return false;
  // Every value of an optional ints attribute equals `v` (absent: yes).
  auto all = [&](const char* name, int64_t v) {
    for (int64_t x : attr_ints(conv, name))
      if (x != v) return false;
    return true;
  };
  const std::string auto_pad = attr_string(conv, "auto_pad", "NOTSET");
  const bool pixel_shuffle = w.rank() == 4 && attr_int(conv, "group", 1) == 1 &&
                             (auto_pad == "NOTSET" || auto_pad == "VALID") && !conv.attr("output_shape") &&
                             attr_ints(conv, "strides") == std::vector<int64_t>{w.dim(2), w.dim(3)} &&
                             all("pads", 0) && all("dilations", 1) && all("output_padding", 0);
  return !pixel_shuffle;
}

std::optional<std::vector<double>> per_channel_values(const Tensor& c, int64_t channels, int64_t rank) {
  if (c.dtype() != DataType::kFloat || c.rank() > rank) return std::nullopt;
  for (int64_t d = 0; d < c.rank(); ++d) {
    const int64_t axis = rank - c.rank() + d;
    if (c.dim(d) != 1 && !(axis == 1 && c.dim(d) == channels)) return std::nullopt;
  }
  const auto v = to_doubles(c);
  if (v.empty()) return std::nullopt;
  std::vector<double> out(static_cast<size_t>(channels));
  for (int64_t m = 0; m < channels; ++m) out[static_cast<size_t>(m)] = v.size() == 1 ? v[0] : v[static_cast<size_t>(m)];
  return out;
}

}  // namespace skiff::passes
