#!/usr/bin/python3
"""Runs `skiff test --verbose` over ONNX's conformance cases (node, simple,
pytorch-converted, pytorch-operator: 1,072 cases from Debian's
libonnx-testdata) and fails when a case listed in must_pass.txt did not pass,
when skiff crashed on a case, or when its output cannot be accounted for.
Newly passing cases are listed with a hint to add them.

    check_conformance.py --skiff build/bin/skiff [--update]

--update rewrites must_pass.txt from the cases that pass now.
"""
import argparse
import os
import re
import sys

import conformance_common as common

GROUP_TIMEOUT_S = 3600
CASE_TIMEOUT_S = 300
RESULT_LINE = re.compile(r"^(PASS|FAIL|SKIP) (\S+?)(?:: (.*))?$")
SUMMARY_LINE = re.compile(r"^(\d+) passed, (\d+) failed, (\d+) skipped$")


def case_name(token, group, names):
    """Maps what skiff printed for a case (a name or a path) to group/name."""
    for part in reversed(token.rstrip("/").split("/")):
        if part in names:
            return "%s/%s" % (group, part)
    return None


def parse_run(stdout, group, names, problems):
    """{case: (status, reason)} from one `skiff test` output; problems gets
    a line for anything that does not add up."""
    results, summary = {}, None
    counts = {common.PASS: 0, common.FAIL: 0, common.SKIP: 0}
    for line in stdout.splitlines():
        match = RESULT_LINE.match(line)
        if match:
            status, token, reason = match.groups()
            name = case_name(token, group, names)
            if name is None:
                problems.append("unrecognised case in skiff output: %s" % line)
                continue
            counts[status] += 1
            results[name] = (status, reason or "")
            continue
        match = SUMMARY_LINE.match(line)
        if match:
            summary = tuple(int(n) for n in match.groups())
    if summary is not None and summary != (counts[common.PASS], counts[common.FAIL], counts[common.SKIP]):
        problems.append("%s: skiff's summary says %d passed, %d failed, %d skipped but it printed %d/%d/%d result lines"
                        % ((group,) + summary + (counts[common.PASS], counts[common.FAIL], counts[common.SKIP])))
    return results, summary


def run_group(skiff, root, group, names, problems):
    group_dir = os.path.join(root, group)
    status, stdout, stderr = common.run_captured([skiff, "test", "--verbose", group_dir], GROUP_TIMEOUT_S)
    results, summary = parse_run(stdout, group, set(names), problems)
    if status is None:
        problems.append("%s: `skiff test` timed out after %d s" % (group, GROUP_TIMEOUT_S))
    elif status not in (0, 1):
        problems.append("%s: `skiff test` %s: %s"
                        % (group, common.describe_status(status), stderr.strip().splitlines()[-1:] or ""))
    elif summary is None:
        problems.append("%s: `skiff test` printed no 'N passed, N failed, N skipped' line" % group)
    elif (status == 1) != any(s == common.FAIL for s, _ in results.values()):
        problems.append("%s: `skiff test` exit status %d disagrees with its FAIL lines" % (group, status))
    # A crash or hang hides every case after it: run those one at a time so
    # one bad case cannot hide the others.
    unreported = [name for name in names if "%s/%s" % (group, name) not in results]
    if unreported and status is not None and status in (0, 1):
        problems.append("%s: `skiff test` reported no result for %d cases" % (group, len(unreported)))
    for name in unreported:
        results.update(run_single(skiff, root, group, name))
    return results


def run_single(skiff, root, group, name):
    key = "%s/%s" % (group, name)
    status, stdout, stderr = common.run_captured(
        [skiff, "test", "--verbose", os.path.join(root, group, name)], CASE_TIMEOUT_S)
    if status is None:
        return {key: (common.FAIL, "ERROR: `skiff test` timed out after %d s" % CASE_TIMEOUT_S)}
    results, _ = parse_run(stdout, group, {name}, [])
    if status in (0, 1) and key in results:
        return results
    last = (stderr.strip().splitlines() or ["(no stderr)"])[-1]
    return {key: (common.FAIL, "CRASH: `skiff test` on this case alone %s: %s"
                  % (common.describe_status(status), last))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skiff", required=True, help="path to the skiff binary")
    parser.add_argument("--update", action="store_true", help="rewrite must_pass.txt from the current passes")
    parser.add_argument("--data", default=common.DATA_ROOT, help="ONNX backend test data root")
    args = parser.parse_args()
    common.check_skiff_binary(args.skiff)
    header, must_pass = common.read_must_pass()
    cases = common.list_cases(args.data)

    results, problems = {}, []
    for group, names in cases.items():
        results.update(run_group(args.skiff, args.data, group, names, problems))
    all_names = ["%s/%s" % (g, n) for g, names in cases.items() for n in names]
    status = common.verdict(results, all_names, must_pass, header, args.update, "check_conformance")
    for problem in problems:
        print("ERROR %s" % problem)
    if problems and not args.update:
        return 1
    return status


if __name__ == "__main__":
    sys.exit(main())
