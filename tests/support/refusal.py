"""What tests/malformed and tests/errors both require of a refused run: the
skiff CLI ends with one expected exit status and exactly one stderr line
starting 'skiff: ', within a time limit, with no crash and no sanitizer
report (ASan/UBSan findings are made fatal and visible, so either fails)."""
import os
import subprocess


def sanitizer_env():
    env = dict(os.environ)
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:abort_on_error=0")
    return env


def run_refused(command, expected_status, timeout_s):
    """Runs command; returns (None, message) when it was refused as required,
    else (reason, None)."""
    try:
        proc = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=timeout_s, env=sanitizer_env())
    except subprocess.TimeoutExpired:
        return "hung: no exit within %d s" % timeout_s, None
    stderr = proc.stderr.decode(errors="replace")
    lines = stderr.splitlines()
    status = proc.returncode
    if status < 0:
        return "crashed with signal %d; stderr: %s" % (-status, " | ".join(lines[-5:])), None
    if "Sanitizer" in stderr or "runtime error:" in stderr:
        return "sanitizer report (status %d): %s" % (status, " | ".join(lines[:8])), None
    if status != expected_status:
        return "exit status %d, expected %d; stderr: %s" % (status, expected_status, " | ".join(lines[:5])), None
    if len(lines) != 1 or not lines[0].startswith("skiff: "):
        return "expected one stderr line starting 'skiff: ', got: %s" % " | ".join(lines[:5]), None
    return None, lines[0]
