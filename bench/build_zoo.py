#!/usr/bin/python3
"""Builds the benchmark model zoo with Debian's python3-torch and
python3-torchvision (scripts/install-deps.sh installs them) into
${SKIFF_CACHE:-~/.cache/skiff}/zoo:

    resnet50.onnx            torchvision ResNet-50            x: [1,3,224,224]
    mobilenet_v2.onnx        torchvision MobileNetV2          x: [1,3,224,224]
    mobilenet_v3_large.onnx  torchvision MobileNetV3-Large    x: [1,3,224,224]
    efficientnet_b0.onnx     torchvision EfficientNet-B0      x: [1,3,224,224]
    lstm_classifier.onnx     embedding + 1-layer LSTM(256) + linear, tokens: int64 [1,128]
    bert_encoder.onnx        4-layer Transformer encoder (d=256, 4 heads), tokens: int64 [1,128]
    crnn_ctc.onnx            VGG-style CNN + 2-layer BiLSTM + CTC classes, x: [1,1,32,160]

Weights are random (seeded): no pretrained weights can be downloaded here,
and latency does not depend on the weights' values. Exported in eval mode
with torch.onnx at opset 17; models already present are kept unless
--force. Prints one line per model and writes zoo.json (name, file,
inputs, FLOPs of the multiply-adds counted by bench/flops.py).

    bench/build_zoo.py [--out DIR] [--force] [--only NAME,...]
"""
import argparse
import json
import math
import os
import sys

import torch
from torch import nn

OPSET = 17


class LstmClassifier(nn.Module):
    def __init__(self, vocab=10000, embed=128, hidden=256, classes=2):
        super().__init__()
        self.embed = nn.Embedding(vocab, embed)
        self.lstm = nn.LSTM(embed, hidden, batch_first=True)
        self.head = nn.Linear(hidden, classes)

    def forward(self, tokens):
        out, _ = self.lstm(self.embed(tokens))
        return self.head(out[:, -1])


class EncoderLayer(nn.Module):
    """Post-norm Transformer layer written out (no fused fast path), as
    BERT exports look: Q/K/V projections, scaled dot-product softmax, GELU."""

    def __init__(self, d_model, heads, ff):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.norm1 = nn.LayerNorm(d_model)
        self.ff1 = nn.Linear(d_model, ff)
        self.ff2 = nn.Linear(ff, d_model)
        self.norm2 = nn.LayerNorm(d_model)

    def forward(self, x):
        b, t, d = x.shape
        q, k, v = self.qkv(x).reshape(b, t, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(d // self.heads)
        attn = torch.matmul(torch.softmax(scores, dim=-1), v).transpose(1, 2).reshape(b, t, d)
        x = self.norm1(x + self.proj(attn))
        return self.norm2(x + self.ff2(torch.nn.functional.gelu(self.ff1(x))))


class BertEncoder(nn.Module):
    def __init__(self, vocab=30522, d_model=256, heads=4, ff=1024, layers=4, length=128):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_model)
        self.position = nn.Parameter(torch.randn(1, length, d_model) * 0.02)
        self.layers = nn.ModuleList(EncoderLayer(d_model, heads, ff) for _ in range(layers))

    def forward(self, tokens):
        x = self.embed(tokens) + self.position
        for layer in self.layers:
            x = layer(x)
        return x


class Crnn(nn.Module):
    """CRNN for line text: VGG-style convolutions collapse the height, a
    2-layer bidirectional LSTM reads the columns, a linear layer gives CTC
    class scores (36 symbols + blank) per column."""

    def __init__(self, classes=37):
        super().__init__()

        def block(cin, cout, pool):
            layers = [nn.Conv2d(cin, cout, 3, padding=1), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]
            if pool:
                layers.append(nn.MaxPool2d(pool))
            return layers

        self.cnn = nn.Sequential(*block(1, 64, 2), *block(64, 128, 2), *block(128, 256, None),
                                 *block(256, 256, (2, 1)), *block(256, 512, None), *block(512, 512, (2, 1)),
                                 nn.Conv2d(512, 512, (2, 1)), nn.ReLU(inplace=True))
        self.rnn = nn.LSTM(512, 256, num_layers=2, bidirectional=True)
        self.head = nn.Linear(512, classes)

    def forward(self, x):
        features = self.cnn(x).squeeze(2).permute(2, 0, 1)  # [width, batch, channels]
        out, _ = self.rnn(features)
        return self.head(out).log_softmax(-1)


def torchvision_model(name):
    import torchvision
    return getattr(torchvision.models, name)(weights=None)


MODELS = {
    "resnet50": (lambda: torchvision_model("resnet50"), {"x": ([1, 3, 224, 224], torch.float32)}),
    "mobilenet_v2": (lambda: torchvision_model("mobilenet_v2"), {"x": ([1, 3, 224, 224], torch.float32)}),
    "mobilenet_v3_large": (lambda: torchvision_model("mobilenet_v3_large"), {"x": ([1, 3, 224, 224], torch.float32)}),
    "efficientnet_b0": (lambda: torchvision_model("efficientnet_b0"), {"x": ([1, 3, 224, 224], torch.float32)}),
    "lstm_classifier": (LstmClassifier, {"tokens": ([1, 128], torch.int64)}),
    "bert_encoder": (BertEncoder, {"tokens": ([1, 128], torch.int64)}),
    "crnn_ctc": (Crnn, {"x": ([1, 1, 32, 160], torch.float32)}),
}


def export(name, out_dir, force):
    path = os.path.join(out_dir, name + ".onnx")
    make, inputs = MODELS[name]
    if force or not os.path.exists(path):
        torch.manual_seed(0)
        model = make().eval()
        args = tuple(torch.randint(0, 10, shape) if dtype == torch.int64 else torch.randn(shape)
                     for shape, dtype in inputs.values())
        tmp = path + ".tmp"
        with torch.no_grad():
            torch.onnx.export(model, args, tmp, opset_version=OPSET, input_names=list(inputs),
                              output_names=["y"], do_constant_folding=True)
        os.replace(tmp, path)
    return {"name": name, "file": path, "inputs": {k: v[0] for k, v in inputs.items()}}


def main():
    cache = os.environ.get("SKIFF_CACHE", os.path.join(os.path.expanduser("~"), ".cache", "skiff"))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(cache, "zoo"))
    parser.add_argument("--force", action="store_true")
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    names = [n for n in args.only.split(",") if n] or list(MODELS)
    entries = []
    for name in names:
        if name not in MODELS:
            sys.exit("build_zoo: unknown model %s (have: %s)" % (name, ", ".join(MODELS)))
        entry = export(name, args.out, args.force)
        print("%-20s %s" % (name, entry["file"]), flush=True)
        entries.append(entry)
    with open(os.path.join(args.out, "zoo.json"), "w") as f:
        json.dump(entries, f, indent=1)


if __name__ == "__main__":
    main()
