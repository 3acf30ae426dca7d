#!/usr/bin/python3
"""Runs `skiff run` on every model that make_malformed.py wrote and requires a
clean refusal: exit status 2 (model cannot be loaded) and exactly one
non-empty stderr line, starting `skiff: `, that contains one of the words
expect.json lists for that model. A crash (a signal, status 134/139), a
sanitizer report, a hang or any other status fails.

    check_malformed.py --skiff build/bin/skiff DIR

With no DIR made yet, pass --make to run make_malformed.py into DIR first.
"""
import argparse
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "support"))
from refusal import run_refused  # noqa: E402

TIMEOUT_S = 60
EXPECTED_STATUS = 2


def check_one(skiff, model, words):
    """Returns (ok, reason) for one malformed model."""
    reason, message = run_refused([skiff, "run", model], EXPECTED_STATUS, TIMEOUT_S)
    if reason:
        return False, reason
    # The file names (cycle.onnx, negative_dim.onnx...) echo the defect, so
    # they must not be what satisfies the check.
    lowered = message.replace(model, "").replace(os.path.basename(model), "").lower()
    if not any(word.lower() in lowered for word in words):
        return False, "message (file name aside) names none of %s: %s" % (words, message)
    return True, message


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skiff", required=True, help="path to the skiff binary")
    parser.add_argument("--make", action="store_true", help="write the models into DIR first")
    parser.add_argument("dir", help="folder written by make_malformed.py")
    args = parser.parse_args()
    if not (os.path.isfile(args.skiff) and os.access(args.skiff, os.X_OK)):
        print("check_malformed: skiff binary not found or not executable: %s" % args.skiff, file=sys.stderr)
        return 2
    if args.make:
        subprocess.run([sys.executable, os.path.join(HERE, "make_malformed.py"), args.dir], check=True)
    expect_path = os.path.join(args.dir, "expect.json")
    if not os.path.isfile(expect_path):
        print("check_malformed: %s missing; run make_malformed.py %s first (or pass --make)"
              % (expect_path, args.dir), file=sys.stderr)
        return 2
    with open(expect_path) as f:
        expect = json.load(f)

    failed = 0
    for name in sorted(expect):
        ok, reason = check_one(args.skiff, os.path.join(args.dir, name), expect[name])
        print("%s %s: %s" % ("PASS" if ok else "FAIL", name, reason))
        failed += not ok
    print("%d passed, %d failed" % (len(expect) - failed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
