#!/usr/bin/python3
"""End-to-end check of the OCR demo: renders text images (English, digits and
Chinese; two font sizes; one rotated 180 degrees; one multi-line paragraph;
plus the bundled sample), runs `skiff-ocr --json` on each, and requires

  - every rendered line found: some recognised line within half its length
    in edit distance, matched one to one;
  - a character error rate <= 5% per image: edit distances of the matched
    pairs, plus unmatched rendered and recognised lines in full, over the
    rendered characters.

Whitespace is compared collapsed (runs of spaces count as one) and
recognised text is folded from full-width to ASCII punctuation where the
rendered line used ASCII, since the recognizer's dictionary has both forms
and the glyphs are the same.

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


FULL_TO_ASCII = {"，": ",", "：": ":", "！": "!", "（": "(", "）": ")", "；": ";", "？": "?"}


def normalize(text, reference=None):
    text = " ".join(text.split())
    if reference is not None:
        text = "".join(FULL_TO_ASCII[c] if c in FULL_TO_ASCII and c not in reference else c for c in text)
    return text


def edit_distance(a, b):
    row = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        previous, row[0] = row[0], i
        for j, cb in enumerate(b, 1):
            previous, row[j] = row[j], min(row[j] + 1, row[j - 1] + 1, previous + (ca != cb))
    return row[len(b)]


def score(expected, recognised):
    """Greedy one-to-one matching, best pairs first. Returns (cer, missing
    lines, pairs)."""
    expected = [normalize(t) for t in expected]
    pairs = []
    for i, e in enumerate(expected):
        for j, r in enumerate(recognised):
            r = normalize(r, e)
            pairs.append((edit_distance(e, r) / max(1, len(e)), i, j, r))
    pairs.sort()
    used_e, used_r, matched = set(), set(), []
    for ratio, i, j, r in pairs:
        if i in used_e or j in used_r or ratio > 0.5:
            continue
        used_e.add(i), used_r.add(j)
        matched.append((expected[i], r))
    errors = sum(edit_distance(e, r) for e, r in matched)
    errors += sum(len(expected[i]) for i in range(len(expected)) if i not in used_e)
    errors += sum(len(normalize(recognised[j])) for j in range(len(recognised)) if j not in used_r)
    total = sum(len(e) for e in expected)
    missing = [expected[i] for i in range(len(expected)) if i not in used_e]
    return errors / max(1, total), missing, matched


def run_case(ocr, renderer, workdir, name, lines, rotate):
    image = renderer.render_lines(lines)
    if rotate:
        image = image.rotate(rotate, expand=True)
    path = os.path.join(workdir, name + ".png")
    image.save(path)
    proc = subprocess.run([ocr, path, "--json", "--timing"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=RUN_TIMEOUT_S)
    if proc.returncode != 0:
        return False, "skiff-ocr exited %d: %s" % (proc.returncode, proc.stderr.decode().strip())
    result = json.loads(proc.stdout.decode())
    recognised = [line["text"] for line in result["lines"]]
    cer, missing, matched = score([t for t, _, _ in lines], recognised)
    ok = cer <= MAX_CER and not missing
    detail = "CER %.2f%% over %d lines, %d recognised, %.0f ms" % (
        100 * cer, len(lines), len(recognised), result["timing_ms"]["total"])
    for e, r in matched:
        if e != r:
            detail += "\n    expected %r\n    got      %r" % (e, r)
    for e in missing:
        detail += "\n    MISSING  %r" % e
    extra = [r for r in recognised if all(normalize(r, e) != m for e, m in matched)]
    for r in extra:
        detail += "\n    EXTRA    %r" % r
    return ok, detail


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ocr", required=True, help="path to skiff-ocr")
    parser.add_argument("--keep", help="write the rendered images here instead of a temporary folder")
    parser.add_argument("--only", help="run only the case with this name")
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
            ok, detail = run_case(args.ocr, renderer, workdir, name, lines, rotate)
            print("%s %s: %s" % ("PASS" if ok else "FAIL", name, detail))
            passed += ok
            failed += not ok
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
