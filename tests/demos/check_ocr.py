#!/usr/bin/python3
"""End-to-end check of the OCR demo: renders text images (English, digits and
Chinese; two font sizes; one rotated 180 degrees; one multi-line paragraph;
plus the bundled sample), runs `skiff-ocr --json` on each, and requires

  - every rendered line found: some recognised line within half its length
    in edit distance, matched one to one;
  - a character error rate <= 5% per image: edit distances of the matched
    pairs, plus unmatched rendered and recognised lines in full, over the
    rendered characters.

Whitespace is ignored, as in PaddleOCR's own RecMetric (ignore_space):
the Chinese recognizer often omits the space between words, and the report
gives the CER with spaces as well, for information.

    check_ocr.py --ocr build/bin/skiff-ocr [--keep DIR] [--only NAME]

Exit status 0 when every image passes, 1 otherwise, 2 on bad usage.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RENDERER = os.path.join(REPO, "scripts", "make-sample-image.py")
MAX_CER = 0.05
RUN_TIMEOUT_S = 600

INK = (20, 20, 20)
ENGLISH = [
    "The quick brown fox jumps over the lazy dog",
    "Invoice 2024-0618 total 1,234.56 EUR",
    "Phone 010-8888-6666 ext 42",
]
MIXED = [
    "欢迎使用文字识别系统",
    "Model PP-OCRv4 version 2.7",
    "今天是2024年6月18日，气温23度",
]
PARAGRAPH = [
    "Skiff is an inference engine for ONNX models.",
    "It loads a trained model, checks it and runs it",
    "on the CPU with its own kernels. This paragraph",
    "has six lines of ordinary English prose, with",
    "numbers like 42 and 3.14 in between the words.",
    "深度学习模型在服务器上运行。",
]


def load_renderer():
    spec = importlib.util.spec_from_file_location("make_sample_image", RENDERER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cases(renderer):
    """(name, lines as (text, size, rgb), rotate degrees)."""
    return [
        ("english_40px", [(t, 40, INK) for t in ENGLISH], 0),
        ("english_20px", [(t, 20, INK) for t in ENGLISH], 0),
        ("mixed_40px", [(t, 40, INK) for t in MIXED], 0),
        ("mixed_20px", [(t, 20, INK) for t in MIXED], 0),
        ("mixed_rotated180", [(t, 32, INK) for t in MIXED + ENGLISH[:1]], 180),
        ("paragraph_24px", [(t, 24, INK) for t in PARAGRAPH], 0),
        ("bundled_sample", renderer.SAMPLE_LINES, 0),
    ]


def normalize(text, keep_spaces=False):
    return " ".join(text.split()) if keep_spaces else "".join(text.split())


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[len(b)]


def score(expected, recognised, keep_spaces=False):
    """Greedy one-to-one matching, best pairs first. Returns (cer, missing
    rendered lines, extra recognised lines, matched pairs)."""
    expected = [normalize(t, keep_spaces) for t in expected]
    recognised = [normalize(t, keep_spaces) for t in recognised]
    pairs = sorted((edit_distance(e, r) / max(1, len(e)), i, j)
                   for i, e in enumerate(expected) for j, r in enumerate(recognised))
    used_e, used_r, matched = set(), set(), []
    for ratio, i, j in pairs:
        if i in used_e or j in used_r or ratio > 0.5:
            continue
        used_e.add(i), used_r.add(j)
        matched.append((expected[i], recognised[j]))
    errors = sum(edit_distance(e, r) for e, r in matched)
    errors += sum(len(expected[i]) for i in range(len(expected)) if i not in used_e)
    errors += sum(len(recognised[j]) for j in range(len(recognised)) if j not in used_r)
    total = sum(len(e) for e in expected)
    missing = [expected[i] for i in range(len(expected)) if i not in used_e]
    extra = [recognised[j] for j in range(len(recognised)) if j not in used_r]
    return errors / max(1, total), missing, extra, matched


def run_case(ocr, ocr_args, renderer, workdir, name, lines, rotate):
    image = renderer.render_lines(lines)
    if rotate:
        image = image.rotate(rotate, expand=True)
    path = os.path.join(workdir, name + ".png")
    image.save(path)
    proc = subprocess.run([ocr, path, "--json", "--timing"] + ocr_args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=RUN_TIMEOUT_S)
    if proc.returncode != 0:
        return False, "skiff-ocr exited %d: %s" % (proc.returncode, proc.stderr.decode().strip())
    result = json.loads(proc.stdout.decode())
    recognised = [line["text"] for line in result["lines"]]
    rendered = [t for t, _, _ in lines]
    cer, missing, extra, matched = score(rendered, recognised)
    cer_spaces, _, _, matched = score(rendered, recognised, keep_spaces=True)
    ok = cer <= MAX_CER and not missing
    detail = "CER %.2f%% (%.2f%% counting spaces) over %d lines, %d recognised, %.0f ms" % (
        100 * cer, 100 * cer_spaces, len(lines), len(recognised), result["timing_ms"]["total"])
    for e, r in matched:
        if e != r:
            detail += "\n    expected %r\n    got      %r" % (e, r)
    for e in missing:
        detail += "\n    MISSING  %r" % e
    for r in extra:
        detail += "\n    EXTRA    %r" % r
    return ok, detail


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ocr", required=True, help="path to skiff-ocr")
    parser.add_argument("--keep", help="write the rendered images here instead of a temporary folder")
    parser.add_argument("--only", help="run only the case with this name")
    parser.add_argument("--ocr-args", default="", help="extra skiff-ocr options (space-separated)")
    args = parser.parse_args()
    if not os.access(args.ocr, os.X_OK):
        print("check_ocr: %s is not an executable" % args.ocr, file=sys.stderr)
        return 2
    renderer = load_renderer()
    failed = passed = 0
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or tmp
        os.makedirs(workdir, exist_ok=True)
        for name, lines, rotate in cases(renderer):
            if args.only and name != args.only:
                continue
            ok, detail = run_case(args.ocr, args.ocr_args.split(), renderer, workdir, name, lines, rotate)
            print("%s %s: %s" % ("PASS" if ok else "FAIL", name, detail))
            passed += ok
            failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
