#!/usr/bin/env bash
# libskiff.so must export skiff's API and nothing else: no protobuf, oneDNN,
# ONNX, OpenMP or standard-library symbols.
set -euo pipefail
lib="$1"
exported=$(nm -D --defined-only "$lib" | awk '{print $3}' | c++filt)
count=$(echo "$exported" | grep -c . || true)
foreign=$(echo "$exported" | grep -v -E '^(skiff::|skiff_|typeinfo for skiff::|typeinfo name for skiff::|vtable for skiff::)' || true)
if [[ -n "$foreign" ]]; then
  echo "libskiff.so exports symbols outside skiff:: and skiff_:"
  echo "$foreign" | head -50
  exit 1
fi
for needed in 'skiff::Predictor::create' 'skiff_predictor_run' 'skiff::Tensor::view'; do
  echo "$exported" | grep -q "$needed" || { echo "missing export: $needed"; exit 1; }
done
echo "libskiff.so exports $count symbols, all skiff:: or skiff_"
