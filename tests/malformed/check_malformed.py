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
TIMEOUT_S = 60
EXPECTED_STATUS = 2


def sanitizer_env():
    env = dict(os.environ)
    # Make UBSan findings fatal and ASan leak reports visible; a finding then
    # changes the status and adds stderr lines, both of which fail the check.
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    return env


def check_one(skiff, model, words):
    """Returns (ok, reason) for one malformed model."""
    command = [skiff, "run", model]
    try:
        proc = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=TIMEOUT_S, env=sanitizer_env())
    except subprocess.TimeoutExpired:
        return False, "hung: no exit within %d s" % TIMEOUT_S
    stderr = proc.stderr.decode(errors="replace")
    lines = stderr.splitlines()
    status = proc.returncode
    if status < 0:
        return False, "crashed with signal %d; stderr: %s" % (-status, " | ".join(lines[-5:]))
    if "Sanitizer" in stderr or "runtime error:" in stderr:
        return False, "sanitizer report (status %d): %s" % (status, " | ".join(lines[:8]))
    if status != EXPECTED_STATUS:
        return False, "exit status %d, expected %d; stderr: %s" % (status, EXPECTED_STATUS, " | ".join(lines[:5]))
    if len(lines) != 1 or not lines[0].strip():
        return False, "expected exactly one non-empty stderr line, got %d: %s" % (len(lines), " | ".join(lines[:5]))
    message = lines[0]
    if not message.startswith("skiff: "):
        return False, "stderr line does not start with 'skiff: ': %s" % message
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
