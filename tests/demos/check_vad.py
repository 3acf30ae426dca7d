#!/usr/bin/python3
"""End-to-end check of the VAD demo: synthesises phrases with espeak-ng,
trims each to its audible extent, resamples to 16 kHz with sox, joins them
with known silences (plus faint deterministic noise), runs
`skiff-vad --json`, and requires each phrase found as one segment whose start
and end are within 150 ms of the truth, no segment outside the phrases, and
the per-window speech probabilities within 1e-3 of ONNX Runtime's on the
same windows (tests/demos/ort_vad.js).

    check_vad.py --vad build/bin/skiff-vad [--keep DIR]

Exit status 0 when it passes, 1 otherwise, 2 on bad usage or missing tools.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import wave

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
RATE = 16000
PROBABILITY_TOLERANCE = 1e-3
TOLERANCE_S = 0.150
RUN_TIMEOUT_S = 600
PHRASES = [
    "Hello there this is a test of voice activity detection",
    "The quick brown fox jumps over the lazy dog",
    "Skiff runs neural networks on the processor",
    "Seven eight nine ten",
]
# Silence before each phrase, and after the last one, in seconds.
GAPS = [0.8, 1.0, 1.5, 0.7, 1.0]
VOICES = ["en", "en-us", "en", "en-us"]


def tool(name):
    path = shutil.which(name)
    if not path:
        print("check_vad: %s not found (scripts/install-deps.sh installs it)" % name, file=sys.stderr)
        sys.exit(2)
    return path


def read_wav(path):
    with wave.open(path, "rb") as w:
        if w.getsampwidth() != 2 or w.getnchannels() != 1:
            raise RuntimeError("%s: expected 16-bit mono" % path)
        return w.getframerate(), np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32768


def write_wav(path, samples):
    pcm = np.clip(np.round(samples * 32767), -32768, 32767).astype("<i2")
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(pcm.tobytes())


def speak(workdir, index, text, voice):
    """The phrase at 16 kHz, trimmed to where it is audible."""
    raw = os.path.join(workdir, "phrase%d_raw.wav" % index)
    resampled = os.path.join(workdir, "phrase%d.wav" % index)
    subprocess.run([tool("espeak-ng"), "-v", voice, "-s", "150", "-w", raw, text], check=True)
    subprocess.run([tool("sox"), raw, "-r", str(RATE), "-b", "16", "-c", "1", resampled], check=True)
    rate, samples = read_wav(resampled)
    assert rate == RATE
    # Audible: 10 ms frames whose RMS is within 40 dB of the loudest frame.
    frame = RATE // 100
    rms = np.sqrt(np.mean(samples[:len(samples) // frame * frame].reshape(-1, frame) ** 2, axis=1))
    loud = np.nonzero(rms > rms.max() * 0.01)[0]
    return samples[loud[0] * frame:(loud[-1] + 1) * frame]


def build_audio(workdir):
    rng = np.random.default_rng(0)
    pieces, truth, at = [], [], 0
    for i, text in enumerate(PHRASES):
        silence = np.zeros(int(GAPS[i] * RATE), dtype=np.float32)
        speech = speak(workdir, i, text, VOICES[i])
        pieces += [silence, speech]
        at += len(silence)
        truth.append((at / RATE, (at + len(speech)) / RATE))
        at += len(speech)
    pieces.append(np.zeros(int(GAPS[-1] * RATE), dtype=np.float32))
    audio = np.concatenate(pieces)
    audio = 0.5 * audio / np.abs(audio).max() + rng.normal(0, 3e-4, len(audio)).astype(np.float32)
    path = os.path.join(workdir, "phrases.wav")
    write_wav(path, audio)
    return path, truth


def ort_probabilities(wav):
    """ONNX Runtime's probabilities for the same windows (ort_vad.js)."""
    model = subprocess.run([os.path.join(REPO, "scripts", "fetch-models.sh"), "--print-path", "vad"],
                           stdout=subprocess.PIPE, check=True).stdout.decode().strip()
    out = subprocess.run([tool("node"), os.path.join(HERE, "ort_vad.js"), model, wav], stdout=subprocess.PIPE,
                         check=True, timeout=RUN_TIMEOUT_S)
    return json.loads(out.stdout.decode())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--vad", required=True, help="path to skiff-vad")
    parser.add_argument("--keep", help="write the audio here instead of a temporary folder")
    args = parser.parse_args()
    if not os.access(args.vad, os.X_OK):
        print("check_vad: %s is not an executable" % args.vad, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.keep or tmp
        os.makedirs(workdir, exist_ok=True)
        path, truth = build_audio(workdir)
        proc = subprocess.run([args.vad, path, "--json", "--timing", "--probabilities"], stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, timeout=RUN_TIMEOUT_S)
        oracle = ort_probabilities(path)
    if proc.returncode != 0:
        print("FAIL vad: skiff-vad exited %d: %s" % (proc.returncode, proc.stderr.decode().strip()))
        print("0 passed, 1 failed")
        return 1
    result = json.loads(proc.stdout.decode())
    segments = [(s["start"], s["end"]) for s in result["segments"]]
    passed = failed = 0
    used = set()
    for k, (start, end) in enumerate(truth):
        overlapping = [i for i, (s, e) in enumerate(segments) if s < end and e > start]
        used.update(overlapping)
        if len(overlapping) != 1:
            ok, detail = False, "%d segments overlap it: %s" % (
                len(overlapping), ", ".join("%.3f-%.3f" % segments[i] for i in overlapping))
        else:
            s, e = segments[overlapping[0]]
            ok = abs(s - start) <= TOLERANCE_S and abs(e - end) <= TOLERANCE_S
            detail = "found %.3f-%.3f (start %+.0f ms, end %+.0f ms)" % (s, e, 1000 * (s - start), 1000 * (e - end))
        print("%s phrase %d [%.3f-%.3f s] %r: %s" % ("PASS" if ok else "FAIL", k, start, end, PHRASES[k], detail))
        passed += ok
        failed += not ok
    ours = np.array(result["probabilities"])
    theirs = np.array(oracle["probabilities"])
    diff = float(np.abs(ours - theirs).max()) if ours.shape == theirs.shape else float("inf")
    ok = diff <= PROBABILITY_TOLERANCE
    print("%s probabilities of %d windows vs ONNX Runtime: max difference %.2g" % (
        "PASS" if ok else "FAIL", len(theirs), diff))
    passed += ok
    failed += not ok
    extra = [segments[i] for i in range(len(segments)) if i not in used]
    if extra:
        print("FAIL segments outside every phrase: %s" % ", ".join("%.3f-%.3f" % s for s in extra))
        failed += 1
    print("audio %.2f s, inference %.1f ms (ONNX Runtime %.1f ms)" % (
        result["seconds"], result["timing_ms"]["inference"], oracle["inference_ms"]))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
