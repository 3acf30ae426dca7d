// Could one oneDNN primitive serve a 1x1 convolution at every width? oneDNN
// 2.6 has run-time sizes for matmul only, so this times the PaddleOCR v4
// recognizer's 1x1 convolutions (channels-last, hardswish and two
// per-channel binary post-ops, as skiff builds them) two ways at one thread:
// the fixed-shape convolution oneDNN picks (brgconv_1x1) and a matmul with a
// run-time M on the same data. Medians of 201 warm runs.
//
//   g++ -O2 -std=c++20 bench/onednn_1x1_matmul.cc -o /tmp/onednn_1x1_matmul -ldnnl -fopenmp
//   OMP_NUM_THREADS=1 /tmp/onednn_1x1_matmul
#include <dnnl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <class F>
double median_ms(F f, int runs) {
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    const double start = now_ms();
    f();
    t.push_back(now_ms() - start);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

dnnl::post_ops recognizer_post_ops(const memory::desc& channels) {
  dnnl::post_ops po;
  po.append_eltwise(1.f, dnnl::algorithm::eltwise_hardswish, 0, 0);
  po.append_binary(dnnl::algorithm::binary_mul, channels);
  po.append_binary(dnnl::algorithm::binary_add, channels);
  return po;
}

}  // namespace

int main() {
  dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(engine);
  struct Shape {
    memory::dim h, w, c, k;
  };
  for (memory::dim width : {64, 320, 1024}) {
    // The recognizer's backbone at input width `width`: feature map height
    // and width, input and output channels.
    const std::vector<Shape> shapes = {{24, width / 2, 16, 32},   {24, width / 2, 32, 64},   {24, width / 2, 64, 64},
                                       {12, width / 2, 64, 128},  {12, width / 2, 128, 128}, {12, width / 4, 128, 240},
                                       {12, width / 4, 240, 240}, {6, width / 4, 240, 480},  {6, width / 4, 480, 480},
                                       {3, width / 4, 480, 480}};
    double conv_total = 0, matmul_total = 0;
    for (const Shape& s : shapes) {
      const memory::desc src({1, s.c, s.h, s.w}, dt::f32, tag::nhwc), dst({1, s.k, s.h, s.w}, dt::f32, tag::nhwc);
      const memory::desc bias({s.k}, dt::f32, tag::a), channels({1, s.k, 1, 1}, dt::f32, tag::nhwc);
      dnnl::primitive_attr conv_attr;
      conv_attr.set_post_ops(recognizer_post_ops(channels));
      const dnnl::convolution_forward::primitive_desc conv_pd(
          dnnl::convolution_forward::desc(dnnl::prop_kind::forward_inference, dnnl::algorithm::convolution_direct, src,
                                          memory::desc({s.k, s.c, 1, 1}, dt::f32, tag::any), bias, dst, {1, 1}, {0, 0},
                                          {0, 0}),
          conv_attr, engine);
      memory x(src, engine), y(dst, engine), w(conv_pd.weights_desc(), engine), b(bias, engine), c1(channels, engine),
          c2(channels, engine);
      std::fill_n(static_cast<float*>(x.get_data_handle()), s.c * s.h * s.w, 0.1f);
      const dnnl::convolution_forward conv(conv_pd);
      auto run_conv = [&] {
        conv.execute(stream, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_BIAS, b}, {DNNL_ARG_DST, y},
                              {DNNL_ARG_ATTR_MULTIPLE_POST_OP(1) | DNNL_ARG_SRC_1, c1},
                              {DNNL_ARG_ATTR_MULTIPLE_POST_OP(2) | DNNL_ARG_SRC_1, c2}});
        stream.wait();
      };
      // The same product as a matmul [M, C] x [C, K], M = h * w known only at run time.
      const memory::dim m = s.h * s.w;
      const memory::desc row_channels({1, s.k}, dt::f32, tag::ab);
      dnnl::primitive_attr matmul_attr;
      matmul_attr.set_post_ops(recognizer_post_ops(row_channels));
      const dnnl::matmul::primitive_desc matmul_pd(
          dnnl::matmul::desc(memory::desc({DNNL_RUNTIME_DIM_VAL, s.c}, dt::f32, tag::ab),
                             memory::desc({s.c, s.k}, dt::f32, tag::ba), row_channels,
                             memory::desc({DNNL_RUNTIME_DIM_VAL, s.k}, dt::f32, tag::ab)),
          matmul_attr, engine);
      const dnnl::matmul matmul(matmul_pd);
      memory xm({{m, s.c}, dt::f32, tag::ab}, engine, x.get_data_handle());
      memory ym({{m, s.k}, dt::f32, tag::ab}, engine, y.get_data_handle());
      memory wm({{s.c, s.k}, dt::f32, tag::ba}, engine), bm(row_channels, engine), d1(row_channels, engine),
          d2(row_channels, engine);
      auto run_matmul = [&] {
        matmul.execute(stream, {{DNNL_ARG_SRC, xm}, {DNNL_ARG_WEIGHTS, wm}, {DNNL_ARG_BIAS, bm}, {DNNL_ARG_DST, ym},
                                {DNNL_ARG_ATTR_MULTIPLE_POST_OP(1) | DNNL_ARG_SRC_1, d1},
                                {DNNL_ARG_ATTR_MULTIPLE_POST_OP(2) | DNNL_ARG_SRC_1, d2}});
        stream.wait();
      };
      for (int i = 0; i < 20; ++i) {
        run_conv();
        run_matmul();
      }
      const double conv_ms = median_ms(run_conv, 201), matmul_ms = median_ms(run_matmul, 201);
      conv_total += conv_ms;
      matmul_total += matmul_ms;
      std::printf("width %4lld  %2lldx%-4lld %3lld->%3lld  conv %.4f ms  run-time-M matmul (%s) %.4f ms  %.2fx\n",
                  static_cast<long long>(width), static_cast<long long>(s.h), static_cast<long long>(s.w),
                  static_cast<long long>(s.c), static_cast<long long>(s.k), conv_ms, matmul_pd.impl_info_str(),
                  matmul_ms, matmul_ms / conv_ms);
    }
    std::printf("width %4lld  all ten: conv %.3f ms, matmul %.3f ms, %.2fx\n", static_cast<long long>(width), conv_total,
                matmul_total, matmul_total / conv_total);
  }
}
