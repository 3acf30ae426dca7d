#!/usr/bin/env node
// Times ONNX Runtime (CPU, onnxruntime-node from the model cache) on the
// input shapes a skiff-ocr or skiff-vad run used, for docs/performance.md:
//
//   node ort_timing.js [--repeat N] MODEL SHAPE [SHAPE...] [-- MODEL SHAPE...]
//
// SHAPE is 1x3x224x576 (float32 input named as the model's first input).
// Prints, per model, the fastest of N runs (default 5) of all its shapes in
// sequence, after one warm-up run. Inputs are seeded pseudo-random: the
// time of these models does not depend on the values.
'use strict';

const os = require('os');
const path = require('path');

function ortPath() {
  if (process.env.SKIFF_ORT_NODE) return path.resolve(process.env.SKIFF_ORT_NODE);
  const cache = process.env.SKIFF_CACHE || path.join(os.homedir(), '.cache', 'skiff');
  return path.join(cache, 'npm', 'node_modules', 'onnxruntime-node');
}

function parseArgs(argv) {
  let repeat = 5;
  const groups = [];
  let current = null;
  for (let i = 0; i < argv.length; ++i) {
    if (argv[i] === '--repeat') { repeat = Number(argv[++i]); continue; }
    if (argv[i] === '--') { current = null; continue; }
    if (!current) { current = {model: argv[i], shapes: []}; groups.push(current); continue; }
    current.shapes.push(argv[i].split('x').map(Number));
  }
  if (!groups.length || groups.some((g) => !g.shapes.length) || !(repeat >= 1)) {
    process.stderr.write('usage: node ort_timing.js [--repeat N] MODEL SHAPE [SHAPE...] [-- MODEL SHAPE...]\n');
    process.exit(64);
  }
  return {repeat, groups};
}

function randomTensor(ort, shape, seed) {
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(count);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < count; ++i) {
    state ^= state << 13; state ^= state >>> 17; state ^= state << 5;
    data[i] = ((state >>> 0) / 4294967296) * 2 - 1;
  }
  return new ort.Tensor('float32', data, shape);
}

async function main() {
  const {repeat, groups} = parseArgs(process.argv.slice(2));
  const ort = require(ortPath());
  for (const group of groups) {
    const session = await ort.InferenceSession.create(group.model, {executionProviders: ['cpu']});
    const name = session.inputNames[0];
    const feeds = group.shapes.map((shape, k) => ({[name]: randomTensor(ort, shape, k + 1)}));
    for (const feed of feeds) await session.run(feed);  // warm-up
    let best = Infinity;
    for (let r = 0; r < repeat; ++r) {
      const start = process.hrtime.bigint();
      for (const feed of feeds) await session.run(feed);
      best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6);
    }
    const shapes = group.shapes.map((s) => s.join('x')).join(' ');
    console.log(`${path.basename(group.model)}  ${shapes}  ${best.toFixed(2)} ms`);
  }
}

main().catch((err) => { process.stderr.write(`ort_timing: ${err.message || err}\n`); process.exit(1); });
