#!/usr/bin/python3
"""Renders text into a PNG with Pillow and Debian's fonts: the OCR demo's
bundled image (demos/ocr/sample.png) and the images the OCR test reads.

    scripts/make-sample-image.py [OUT.png]        the bundled sample (default
                                                 demos/ocr/sample.png)
    scripts/make-sample-image.py OUT.png --line TEXT [--line TEXT...]
                                 [--size PX] [--rotate 180]

Latin-only lines use DejaVu Sans (fonts-dejavu-core); lines with CJK use
WenQuanYi Micro Hei (fonts-wqy-microhei), which also covers Latin. Run with
Debian's /usr/bin/python3 (python3-pil). Output is deterministic.
"""
import argparse
import os
import sys

from PIL import Image, ImageDraw, ImageFont

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
LATIN_FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

# The bundled sample: English, digits, punctuation and Chinese, in a few
# sizes and colours, as a short notice.
SAMPLE_LINES = [
    ("skiff reads text with PaddleOCR v4", 30, (20, 20, 20)),
    ("Order 2024-0618: 3 items, total $1,234.56", 24, (30, 30, 120)),
    ("你好，世界！这是一个文字识别演示。", 28, (20, 20, 20)),
    ("光学字符识别 OCR 运行在 CPU 上", 26, (120, 30, 30)),
    ("Call +86 10 8888 6666 before 18:30", 22, (20, 90, 40)),
]


def has_cjk(text):
    return any(ord(c) >= 0x2E80 for c in text)


def font_for(text, size):
    path = CJK_FONT if has_cjk(text) else LATIN_FONT
    if not os.path.isfile(path):
        sys.exit("make-sample-image: font %s is missing (scripts/install-deps.sh installs it)" % path)
    return ImageFont.truetype(path, size)


def render_lines(lines, margin=24, spacing=0.6, background=(255, 255, 255)):
    """lines: (text, size_px, rgb) tuples, one per text line, left-aligned.
    spacing is the gap between lines as a fraction of the larger size."""
    measured = []
    for text, size, color in lines:
        font = font_for(text, size)
        left, top, right, bottom = font.getbbox(text)
        measured.append((text, font, color, left, top, right - left, bottom - top, size))
    width = max(m[5] for m in measured) + 2 * margin
    height = 2 * margin + sum(m[6] for m in measured)
    height += sum(int(spacing * max(a[7], b[7])) for a, b in zip(measured, measured[1:]))
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    y = margin
    for i, (text, font, color, left, top, w, h, size) in enumerate(measured):
        draw.text((margin - left, y - top), text, font=font, fill=color)
        y += h
        if i + 1 < len(measured):
            y += int(spacing * max(size, measured[i + 1][7]))
    return image


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", nargs="?", default=os.path.join(REPO, "demos", "ocr", "sample.png"))
    parser.add_argument("--line", action="append", help="a text line (default: the bundled sample)")
    parser.add_argument("--size", type=int, default=32, help="font size in pixels for --line")
    parser.add_argument("--rotate", type=int, default=0, choices=(0, 90, 180, 270))
    args = parser.parse_args()
    lines = [(t, args.size, (20, 20, 20)) for t in args.line] if args.line else SAMPLE_LINES
    image = render_lines(lines)
    if args.rotate:
        image = image.rotate(args.rotate, expand=True)
    image.save(args.out, optimize=True)
    print("make-sample-image: wrote %s (%dx%d)" % (args.out, image.width, image.height))


if __name__ == "__main__":
    main()
