"""Shared by check_conformance.py and run_cases.py: the list of ONNX test
cases, must_pass.txt, and the verdict both scripts print."""
import os
import subprocess
import sys

DATA_ROOT = "/usr/lib/python3/dist-packages/onnx/backend/test/data"
# `real` is left out: its cases download models at test time.
GROUPS = ("node", "simple", "pytorch-converted", "pytorch-operator")
MUST_PASS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "must_pass.txt")
KNOWN_FAILURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "known_failures.txt")

PASS, FAIL, SKIP = "PASS", "FAIL", "SKIP"


def list_cases(root=DATA_ROOT):
    """{group: [case names]} for every case dir (one holding model.onnx)."""
    cases = {}
    for group in GROUPS:
        group_dir = os.path.join(root, group)
        if not os.path.isdir(group_dir):
            sys.exit("conformance: %s not found (install Debian's libonnx-testdata)" % group_dir)
        cases[group] = sorted(name for name in os.listdir(group_dir)
                              if os.path.isfile(os.path.join(group_dir, name, "model.onnx")))
    return cases


def read_must_pass(path=MUST_PASS):
    """(header comment lines, case names). A missing file is an error: the
    list is what the test enforces."""
    if not os.path.isfile(path):
        sys.exit("conformance: %s not found" % path)
    header, names = [], []
    with open(path) as f:
        for line in f:
            text = line.strip()
            if text.startswith("#") and not names:
                header.append(line.rstrip("\n"))
            elif text and not text.startswith("#"):
                names.append(text)
    return header, names


def read_known_failures(path=KNOWN_FAILURES):
    """{case: reason} for the cases that are expected to fail, and why."""
    failures = {}
    if os.path.isfile(path):
        with open(path) as f:
            for line in f:
                text = line.strip()
                if text and not text.startswith("#"):
                    name, _, reason = text.partition(" ")
                    failures[name] = reason.strip()
    return failures


def write_must_pass(path, header, names):
    with open(path, "w") as f:
        for line in header:
            f.write(line + "\n")
        for name in sorted(names):
            f.write(name + "\n")


def check_skiff_binary(path):
    if not (os.path.isfile(path) and os.access(path, os.X_OK)):
        sys.exit("conformance: skiff binary not found or not executable: %s (build it with `make build`)" % path)


def describe_status(status):
    return "was killed by signal %d" % -status if status < 0 else "exited with status %d" % status


def run_captured(command, timeout):
    """(status, stdout, stderr); status None on timeout."""
    try:
        proc = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", ""
    return proc.returncode, proc.stdout.decode(errors="replace"), proc.stderr.decode(errors="replace")


def verdict(results, all_names, must_pass, header, update, label):
    """Prints what matters and returns the exit status.

    results: {case: (PASS|FAIL|SKIP, reason)}; cases missing from it had no
    result at all. problems (crashes, unparseable output) are FAIL results
    whose reason starts with 'CRASH' or 'ERROR' and fail the run on their own.
    """
    known = set(all_names)
    unknown = sorted(set(must_pass) - known)
    passed = sorted(name for name, (status, _) in results.items() if status == PASS)
    counts = {s: sum(1 for status, _ in results.values() if status == s) for s in (PASS, FAIL, SKIP)}
    missing = sorted(known - set(results))
    crashes = sorted(name for name, (status, reason) in results.items()
                     if status == FAIL and reason.startswith(("CRASH", "ERROR")))
    regressions = [name for name in must_pass if name in known and results.get(name, (None,))[0] != PASS]
    explained = read_known_failures()
    unexplained = sorted(known - set(must_pass) - set(passed) - set(explained))
    both = sorted(set(must_pass) & set(explained))

    if update:
        dropped = sorted(set(must_pass) - set(passed))
        write_must_pass(MUST_PASS, header, passed)
        print("%s: wrote %d cases to %s" % (label, len(passed), MUST_PASS))
        for name in dropped:
            print("  dropped (no longer passes): %s: %s" % (name, results.get(name, (None, "no result"))[1]))
    else:
        for name in regressions:
            status, reason = results.get(name, ("MISSING", "no result reported"))
            print("MUST-PASS %s %s: %s" % (status, name, reason))
        for name in unknown:
            print("MUST-PASS UNKNOWN %s: no such case under %s" % (name, DATA_ROOT))
        new = sorted(set(passed) - set(must_pass))
        if new:
            print("%d passing cases are not in must_pass.txt yet (add them with "
                  "tests/conformance/check_conformance.py --skiff BIN --update):" % len(new))
            for name in new:
                print("  NEW %s" % name)
        for name in unexplained:
            print("UNEXPLAINED FAIL %s: %s (fix it, or list it with its reason in known_failures.txt)"
                  % (name, results.get(name, (None, "no result"))[1]))
        for name in both:
            print("LISTED TWICE %s: in must_pass.txt and known_failures.txt" % name)
        for name in sorted(set(explained) & set(passed)):
            print("NOW PASSES %s: remove it from known_failures.txt" % name)
    for name in crashes:
        print("%s %s" % (name, results[name][1]))
    for name in missing:
        print("NO RESULT %s" % name)

    print("%s: %d of %d cases pass (%d in must_pass.txt)" % (label, len(passed), len(known), len(must_pass)))
    print("%d passed, %d failed, %d skipped" % (counts[PASS], counts[FAIL] + len(missing), counts[SKIP]))
    if update:
        return 0
    if regressions or unknown or crashes or missing or unexplained or both:
        print("%s: FAILED: %d must-pass cases did not pass, %d unknown must-pass names, "
              "%d cases crashed or errored, %d had no result, %d failures unexplained"
              % (label, len(regressions), len(unknown), len(crashes), len(missing), len(unexplained)))
        return 1
    return 0
