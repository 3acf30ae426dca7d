#!/usr/bin/env node
// Runs one ONNX model with ONNX Runtime (CPU) as the oracle for skiff's model
// tests. Tensors travel as raw little-endian files described by a JSON
// manifest, so neither side needs the other's tensor format:
//
//   node ort_run.js MODEL IN_DIR OUT_DIR
//
//   IN_DIR/manifest.json   [{"name": "x", "dtype": "float32", "shape": [1,3,640,640],
//                            "file": "input_0.bin"}, ...]
//   OUT_DIR/manifest.json  the same for every graph output, in graph order
//                          (files output_K.bin)
//
// onnxruntime-node is loaded by absolute path from the model cache that
// scripts/fetch-models.sh fills: $SKIFF_ORT_NODE, or
// ${SKIFF_CACHE:-$HOME/.cache/skiff}/npm/node_modules/onnxruntime-node.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

// dtype name (numpy's spelling, also ORT's) -> typed array constructor.
const kArrays = {
  float32: Float32Array,
  float64: Float64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  bool: Uint8Array,  // ORT's JS API carries bool tensors as one byte each
};

function fail(message) {
  process.stderr.write(`ort_run: ${message}\n`);
  process.exit(1);
}

function ortPath() {
  if (process.env.SKIFF_ORT_NODE) return path.resolve(process.env.SKIFF_ORT_NODE);
  const cache = process.env.SKIFF_CACHE || path.join(os.homedir(), '.cache', 'skiff');
  return path.join(cache, 'npm', 'node_modules', 'onnxruntime-node');
}

function loadOrt() {
  const where = ortPath();
  if (!fs.existsSync(path.join(where, 'package.json'))) {
    fail(`onnxruntime-node not found at ${where}; run scripts/fetch-models.sh`);
  }
  return require(where);
}

function readTensor(ort, dir, entry) {
  const ArrayType = kArrays[entry.dtype];
  if (!ArrayType) fail(`input '${entry.name}': unsupported dtype ${entry.dtype}`);
  const bytes = fs.readFileSync(path.join(dir, entry.file));
  const count = entry.shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== count * ArrayType.BYTES_PER_ELEMENT) {
    fail(`input '${entry.name}': ${entry.file} has ${bytes.length} bytes, ` +
         `shape [${entry.shape}] of ${entry.dtype} needs ${count * ArrayType.BYTES_PER_ELEMENT}`);
  }
  // Copy into a fresh, aligned buffer: Buffer slices may be unaligned.
  const data = new ArrayType(count);
  new Uint8Array(data.buffer).set(bytes);
  return new ort.Tensor(entry.dtype, data, entry.shape);
}

function writeTensor(dir, name, index, tensor) {
  if (!kArrays[tensor.type]) fail(`output '${name}': unsupported dtype ${tensor.type}`);
  const file = `output_${index}.bin`;
  const data = tensor.data;
  fs.writeFileSync(path.join(dir, file), Buffer.from(data.buffer, data.byteOffset, data.byteLength));
  return {name, dtype: tensor.type, shape: Array.from(tensor.dims), file};
}

async function main() {
  const [model, inDir, outDir] = process.argv.slice(2);
  if (!outDir) fail('usage: node ort_run.js MODEL IN_DIR OUT_DIR');
  const ort = loadOrt();
  const manifest = JSON.parse(fs.readFileSync(path.join(inDir, 'manifest.json'), 'utf8'));
  const feeds = {};
  for (const entry of manifest) feeds[entry.name] = readTensor(ort, inDir, entry);

  const session = await ort.InferenceSession.create(model, {executionProviders: ['cpu']});
  const results = await session.run(feeds);
  fs.mkdirSync(outDir, {recursive: true});
  const written = session.outputNames.map((name, k) => writeTensor(outDir, name, k, results[name]));
  fs.writeFileSync(path.join(outDir, 'manifest.json'), JSON.stringify(written) + '\n');
}

main().catch((err) => fail(err && err.message ? err.message : String(err)));
