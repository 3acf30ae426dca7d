#!/usr/bin/env bash
# Installs skiff into a scratch prefix, builds examples/ against the
# installed package (CMake find_package and pkg-config), and runs the
# consumers: the C++ and C APIs, and an application with its own OpenMP and
# BLAS in the same process.
set -euo pipefail
build="$1"; source_dir="$2"
work="$build/embed"
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build" --prefix "$work/prefix" > "$work/install.log"
/usr/bin/python3 "$source_dir/tests/embed/make_model.py" "$work"
cmake -S "$source_dir/examples" -B "$work/examples" -G Ninja -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_PREFIX_PATH="$work/prefix" > "$work/configure.log"
ninja -C "$work/examples" > "$work/build.log"
export LD_LIBRARY_PATH="$work/prefix/lib"
"$work/examples/hello_skiff" "$work/model.onnx" x 4,64
"$work/examples/hello_skiff_c" "$work/model.onnx"
"$work/examples/embed_openmp_blas" "$work/model.onnx" "$work/weights.bin"
# pkg-config, as a Makefile-based project would use it.
PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" c++ -std=c++17 "$source_dir/examples/hello_skiff.cc" \
  -o "$work/hello_pkgconfig" $(PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig" pkg-config --cflags --libs skiff)
"$work/hello_pkgconfig" "$work/model.onnx" x 1,64
echo "embed: all consumers built against the installed package and ran"
