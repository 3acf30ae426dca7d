#!/usr/bin/env node
// Silero VAD v5 through ONNX Runtime (onnxruntime-node from the model
// cache), window by window exactly as skiff-vad feeds it: 512 new samples
// after the previous window's last 64, the LSTM state carried over, the last
// window zero-padded. The oracle for tests/demos/check_vad.py.
//
//   node ort_vad.js MODEL AUDIO.wav     (16 kHz mono 16-bit PCM)
//
// Prints {"probabilities": [...], "inference_ms": T} on stdout.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

const kWindow = 512;
const kContext = 64;

function fail(message) {
  process.stderr.write(`ort_vad: ${message}\n`);
  process.exit(1);
}

function ortPath() {
  if (process.env.SKIFF_ORT_NODE) return path.resolve(process.env.SKIFF_ORT_NODE);
  const cache = process.env.SKIFF_CACHE || path.join(os.homedir(), '.cache', 'skiff');
  return path.join(cache, 'npm', 'node_modules', 'onnxruntime-node');
}

// Samples of a 16 kHz mono 16-bit PCM WAV file, scaled to [-1, 1).
function readWav(file) {
  const bytes = fs.readFileSync(file);
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') fail(`${file}: not a WAV file`);
  let format = null;
  for (let at = 12; at + 8 <= bytes.length;) {
    const id = bytes.toString('ascii', at, at + 4);
    const size = Math.min(bytes.readUInt32LE(at + 4), bytes.length - at - 8);
    if (id === 'fmt ') {
      format = {tag: bytes.readUInt16LE(at + 8), channels: bytes.readUInt16LE(at + 10),
                rate: bytes.readUInt32LE(at + 12), bits: bytes.readUInt16LE(at + 22)};
    } else if (id === 'data') {
      if (!format || format.tag !== 1 || format.channels !== 1 || format.rate !== 16000 || format.bits !== 16) {
        fail(`${file}: expected 16 kHz mono 16-bit PCM`);
      }
      const samples = new Float32Array(size >> 1);
      for (let i = 0; i < samples.length; ++i) samples[i] = bytes.readInt16LE(at + 8 + 2 * i) / 32768;
      return samples;
    }
    at += 8 + size + (size & 1);
  }
  return fail(`${file}: no data chunk`);
}

async function main() {
  const [model, wav] = process.argv.slice(2);
  if (!wav) fail('usage: node ort_vad.js MODEL AUDIO.wav');
  const ort = require(ortPath());
  const samples = readWav(wav);
  const session = await ort.InferenceSession.create(model, {executionProviders: ['cpu']});
  const sr = new ort.Tensor('int64', BigInt64Array.from([16000n]), []);
  let state = new ort.Tensor('float32', new Float32Array(2 * 128), [2, 1, 128]);
  const frame = new Float32Array(kContext + kWindow);
  const probabilities = [];
  const start = process.hrtime.bigint();
  for (let at = 0; at < samples.length; at += kWindow) {
    const n = Math.min(kWindow, samples.length - at);
    frame.fill(0, kContext);
    frame.set(samples.subarray(at, at + n), kContext);
    const out = await session.run({input: new ort.Tensor('float32', frame.slice(), [1, frame.length]), state, sr});
    probabilities.push(out.output.data[0]);
    state = out.stateN;
    frame.copyWithin(0, kWindow);  // the next window's context: this one's tail
  }
  const inference_ms = Number(process.hrtime.bigint() - start) / 1e6;
  process.stdout.write(JSON.stringify({probabilities, inference_ms}) + '\n');
}

main().catch((err) => fail(err && err.message ? err.message : String(err)));
