#!/usr/bin/python3
"""Where a change of width costs time: oneDNN primitive times of the calls
of a `skiff bench --sweep` run, each width's call after another width
(*sweep*) against its call right after itself (*fixed*), step by step.

    ONEDNN_VERBOSE=1 build/bin/skiff bench REC --threads 1 --runs 1 --idle 0 \\
        --sweep x:3:64:1024:50 --sweep-rounds 5 --shape x=1,3,48,320 > sweep.log 2>&1
    bench/sweep_steps.py sweep.log 64 103 [--input 1x3x48]

A call starts at the reorder of the input (its first step; `--input` gives
the input's dims but the last, 1x3x48 by default), or, with `--start
REGEX`, at the first step whose shape field matches REGEX, its group 1
being the width (when the input reorder is skiff's own and so not in the
log: `--start 'mb1_ic3oc16_ih48.*_iw(\d+)'`, the recognizer's first
convolution); calls
pair up when two in a row have the same width and step count. The first
round (which builds each width's primitives) is left out; medians over the
other rounds. Printing the verbose lines costs time in both calls alike, so
read the differences, not the totals.
"""
import collections
import re
import statistics
import sys


def calls(path, prefix, start_re=None):
    """[(width, [(step name, ms)])] in the order the calls ran."""
    start = re.compile(start_re or (re.escape(prefix) + r"x(\d+)$"))
    out = []
    for line in open(path):
        if not line.startswith("onednn_verbose,exec"):
            continue
        f = line.rstrip("\n").split(",")
        m = start.match(f[-2]) if start_re or f[3] == "reorder" else None
        if m:
            out.append((int(m.group(1)), []))
        if out:
            out[-1][1].append((f"{f[3]}:{f[4].split(':')[0]} {f[-2][:48]}", float(f[-1])))
    return out


def main():
    args = sys.argv[1:]
    prefix = "1x3x48"
    if "--input" in args:
        k = args.index("--input")
        prefix = args[k + 1]
        del args[k:k + 2]
    start_re = None
    if "--start" in args:
        k = args.index("--start")
        start_re = args[k + 1]
        del args[k:k + 2]
    if not args:
        sys.exit(__doc__)
    seq = calls(args[0], prefix, start_re)
    pairs = collections.defaultdict(list)
    i = 0
    while i + 1 < len(seq):
        (w0, s0), (w1, s1) = seq[i], seq[i + 1]
        if w0 == w1 and len(s0) == len(s1):
            pairs[w0].append((s0, s1))
            i += 2
        else:
            i += 1
    widths = [int(w) for w in args[1:]] or sorted(pairs)
    for w in widths:
        runs = pairs.get(w, [])[1:]
        if not runs:
            print(f"width {w}: no measured pairs")
            continue
        sweep = statistics.median(sum(t for _, t in s) for s, _ in runs)
        fixed = statistics.median(sum(t for _, t in f) for _, f in runs)
        print(f"width {w}: {len(runs)} rounds, {len(runs[0][0])} steps; primitive time sweep {sweep:.3f} ms, "
              f"fixed {fixed:.3f} ms (+{sweep - fixed:.3f})")
        steps = []
        for k, (name, _) in enumerate(runs[0][0]):
            extra = statistics.median(s[k][1] - f[k][1] for s, f in runs)
            steps.append((extra, k, name, statistics.median(f[k][1] for _, f in runs)))
        kinds = collections.defaultdict(lambda: [0.0, 0])
        for extra, _, name, _ in steps:
            kinds[name.split(" ")[0]][0] += extra
            kinds[name.split(" ")[0]][1] += 1
        print("  by kind: " + ", ".join(f"{k} x{n} {v:+.3f}" for k, (v, n) in
                                        sorted(kinds.items(), key=lambda kv: -kv[1][0])))
        for extra, k, name, f in sorted(steps, reverse=True)[:10]:
            print(f"  step {k:3d} {name:58s} fixed {f:.4f} ms  {extra:+.4f}")


if __name__ == "__main__":
    main()
