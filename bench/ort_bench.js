#!/usr/bin/env node
// Benchmarks one model with ONNX Runtime (npm onnxruntime-node, CPU) the way
// `skiff bench --json` does, for bench/race.py:
//
//   node ort_bench.js MODEL --threads N --runs N --warmup N [--duration S] [--shape NAME=D0,D1]...
//                           [--sweep NAME:AXIS:FROM:TO:COUNT [--sweep-rounds N]]
//
// --sweep runs the dynamic-shape protocol of `skiff bench --sweep`
// (tools/bench_sweep.cc) instead of the fixed-shape timing: COUNT sizes of
// axis AXIS of input NAME from FROM to TO, every round feeding each size
// twice in a row (the first call follows another size, the second the same
// size); round 0 is the warm-up. It prints the same "sweep" JSON object.
//
// Prints one JSON object: median_ms, p90_ms, p99_ms, mean_ms, min_ms, runs,
// and memory as `skiff bench` measures it: peak_rss_bytes (the process's
// VmHWM) and baseline_rss_bytes (VmRSS with onnxruntime-node loaded, before
// the session is created), so that peak - baseline is what the model costs.
// Inputs are seeded pseudo-random (floats in [-1, 1), integers in [0, 10)).
// onnxruntime-node is found like tests/models/ort_run.js finds it:
// $SKIFF_ORT_NODE or ${SKIFF_CACHE:-~/.cache/skiff}/npm/node_modules/onnxruntime-node.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');

function fail(message) {
  process.stderr.write(`ort_bench: ${message}\n`);
  process.exit(1);
}

function loadOrt() {
  const cache = process.env.SKIFF_CACHE || path.join(os.homedir(), '.cache', 'skiff');
  const where = process.env.SKIFF_ORT_NODE || path.join(cache, 'npm', 'node_modules', 'onnxruntime-node');
  if (!fs.existsSync(path.join(where, 'package.json'))) fail(`onnxruntime-node not found at ${where}`);
  return require(where);
}

function parseArgs(argv) {
  const o = {threads: 1, runs: 0, warmup: 3, duration: 0, shapes: {}, sweep: null, sweepRounds: 5};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) fail(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--threads') o.threads = parseInt(value(), 10);
    else if (a === '--runs') o.runs = parseInt(value(), 10);
    else if (a === '--warmup') o.warmup = parseInt(value(), 10);
    else if (a === '--duration') o.duration = parseFloat(value());
    else if (a === '--sweep-rounds') o.sweepRounds = Math.max(1, parseInt(value(), 10));
    else if (a === '--sweep') {
      const parts = value().split(':');
      if (parts.length !== 5) fail('--sweep wants NAME:AXIS:FROM:TO:COUNT');
      const [input, axis, from, to, count] = [parts[0], ...parts.slice(1).map((v) => parseInt(v, 10))];
      if (!(count >= 1 && from <= to)) fail('--sweep wants FROM <= TO and COUNT >= 1');
      o.sweep = {input, axis, from, to, count};
    } else if (a === '--shape') {
      const [name, dims] = value().split('=');
      o.shapes[name] = dims.split(',').map((d) => parseInt(d, 10));
    } else if (!o.model) o.model = a;
    else fail(`unexpected argument ${a}`);
  }
  if (!o.model) fail('usage: node ort_bench.js MODEL [--threads N] [--runs N] [--duration S] [--shape NAME=D0,D1]');
  if (!o.runs && !o.duration) o.duration = 10;
  return o;
}

// A small deterministic generator (mulberry32), so runs are repeatable.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const kTypes = {
  float: [Float32Array, 'float32'], double: [Float64Array, 'float64'],
  int64: [BigInt64Array, 'int64'], int32: [Int32Array, 'int32'], bool: [Uint8Array, 'bool'],
};

function makeInput(ort, name, meta, shape, next) {
  const type = (meta && meta.type) || 'float32';
  const entry = Object.values(kTypes).find((t) => t[1] === type) || kTypes.float;
  const count = shape.reduce((a, b) => a * b, 1);
  const data = new entry[0](count);
  for (let i = 0; i < count; ++i) {
    if (entry[1] === 'int64') data[i] = BigInt(Math.floor(next() * 10));
    else if (entry[1] === 'int32' || entry[1] === 'bool') data[i] = Math.floor(next() * (entry[1] === 'bool' ? 2 : 10));
    else data[i] = next() * 2 - 1;
  }
  return new ort.Tensor(entry[1], data, shape);
}

function percentile(sorted, p) {
  const rank = p * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo);
}

// A /proc/self/status field in bytes ('VmHWM', 'VmRSS'), 0 when unknown.
function statusBytes(field) {
  try {
    const m = fs.readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return m ? parseInt(m[1], 10) * 1024 : 0;
  } catch (e) {
    return 0;
  }
}

function median(values) {
  return percentile([...values].sort((a, b) => a - b), 0.5);
}

// The protocol of tools/bench_sweep.cc, with the same JSON keys.
async function runSweep(ort, session, feeds, spec, rounds, next) {
  const base = feeds[spec.input];
  if (!base) fail(`--sweep names '${spec.input}', which is not an input`);
  if (spec.axis >= base.dims.length) fail(`--sweep axis ${spec.axis} is past the input's rank`);
  const sizes = [];
  const tensors = [];
  for (let k = 0; k < spec.count; ++k) {
    const shape = [...base.dims];
    shape[spec.axis] = spec.count === 1 ? spec.from : spec.from + Math.floor((spec.to - spec.from) * k / (spec.count - 1));
    sizes.push(shape[spec.axis]);
    tensors.push(makeInput(ort, spec.input, {type: base.type}, shape, next));
  }
  const timed = async (tensor) => {
    const t0 = process.hrtime.bigint();
    await session.run({...feeds, [spec.input]: tensor});
    return Number(process.hrtime.bigint() - t0) / 1e6;
  };
  const first = [], changed = sizes.map(() => []), fixed = sizes.map(() => []);
  let rssAfterFirst = 0;
  for (let round = 0; round <= rounds; ++round) {
    for (let k = 0; k < tensors.length; ++k) {
      const a = await timed(tensors[k]);
      const b = await timed(tensors[k]);
      if (round === 0) first.push(a);
      else {
        changed[k].push(a);
        fixed[k].push(b);
      }
    }
    if (round === 0) rssAfterFirst = statusBytes('VmRSS');
  }
  return {
    input: spec.input, axis: spec.axis, rounds, sizes, first_ms: first,
    sweep_ms: changed.map(median), fixed_ms: fixed.map(median),
    sweep_min_ms: changed.map((v) => Math.min(...v)), fixed_min_ms: fixed.map((v) => Math.min(...v)),
    rss_after_first_round_bytes: rssAfterFirst, rss_after_bytes: statusBytes('VmRSS'),
  };
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  const ort = loadOrt();
  const baseline = statusBytes('VmRSS');
  const session = await ort.InferenceSession.create(o.model, {
    executionProviders: ['cpu'], intraOpNumThreads: o.threads, interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  });
  const next = rng(1);
  const feeds = {};
  for (const name of session.inputNames) {
    const shape = o.shapes[name];
    if (!shape) fail(`pass --shape ${name}=...`);
    const meta = session.inputMetadata ? session.inputMetadata.find((m) => m.name === name) : undefined;
    feeds[name] = makeInput(ort, name, meta, shape, next);
  }
  if (o.sweep) {
    const sweep = await runSweep(ort, session, feeds, o.sweep, o.sweepRounds, next);
    process.stdout.write(JSON.stringify({
      engine: 'onnxruntime', version: ort.env && ort.env.versions ? ort.env.versions.common : '',
      threads: o.threads, sweep, peak_rss_bytes: statusBytes('VmHWM'), baseline_rss_bytes: baseline,
    }) + '\n');
    return;
  }
  for (let i = 0; i < o.warmup; ++i) await session.run(feeds);
  const latencies = [];
  const start = process.hrtime.bigint();
  for (;;) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    const t1 = process.hrtime.bigint();
    latencies.push(Number(t1 - t0) / 1e6);
    const elapsed = Number(t1 - start) / 1e9;
    if (o.runs && latencies.length >= o.runs) break;
    if (o.duration && elapsed >= o.duration) break;
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  process.stdout.write(JSON.stringify({
    engine: 'onnxruntime', version: ort.env && ort.env.versions ? ort.env.versions.common : '',
    threads: o.threads, runs: latencies.length, median_ms: percentile(sorted, 0.5),
    p90_ms: percentile(sorted, 0.9), p99_ms: percentile(sorted, 0.99), mean_ms: mean, min_ms: sorted[0],
    peak_rss_bytes: statusBytes('VmHWM'), baseline_rss_bytes: baseline,
  }) + '\n');
}

main().catch((err) => fail(err && err.message ? err.message : String(err)));
