"""A real training run that streams its probe losses for `rdm2 watch` (the tests' producer).

A small MLP learns a random teacher with SGD; every EVERY steps the recorder of
examples/pytorch/rdm2_recorder.py (LossRecorder with stream=..., its append mode) records the
per-probe losses of 24 training and 24 held-out probes and appends them to the stream file, one
row at a time, DELAY_MS apart. Everything is seeded: a run resumed with `resume` replays the
same training and continues the stream where it stopped.

Usage: /usr/bin/python3 train_streaming.py PATH ROWS DELAY_MS MODE [K]
MODE: finish   records ROWS rows, then closes the stream (end marker)
      half     records K rows, writes the first half of row K's record (as a producer killed
               inside its write leaves it), prints "ready" and sleeps until killed
      resume   reopens the stream (the recorder truncates a partial record), replays training to
               the first missing row and records the rest, then closes with the end marker
"""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "examples" / "pytorch"))
import torch  # noqa: E402

from rdm2_recorder import LossRecorder, encode_jsonl_record, encode_rows_record  # noqa: E402

EVERY = 4


def main():
    path, rows, delay_ms, mode = Path(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
    k = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    torch.set_num_threads(1)
    torch.manual_seed(0)
    d, h, c = 16, 32, 8
    teacher = torch.nn.Linear(d, c)
    x = torch.randn(320, d)
    y = teacher(x).argmax(dim=1)
    x_train, y_train = x[:256], y[:256]
    x_probe = torch.cat([x_train[:24], x[256:280]])
    y_probe = torch.cat([y_train[:24], y[256:280]])
    groups = ["train"] * 24 + ["test"] * 24
    model = torch.nn.Sequential(torch.nn.Linear(d, h), torch.nn.Tanh(), torch.nn.Linear(h, c))
    opt = torch.optim.SGD(model.parameters(), lr=0.2)
    rec = LossRecorder(model, x_probe, y_probe, groups=groups, stream=path, resume=(mode == "resume"))
    first = len(rec.steps)  # rows already in a resumed stream
    for r in range(rows):
        step = r * EVERY
        if r >= first:
            if mode == "half" and r == k:
                losses = rec.probes.losses()
                record = encode_rows_record(step, losses, "float32") if rec.stream.format == "rows" else encode_jsonl_record(step, losses)
                os.write(rec.stream._fd, record[: len(record) // 2])
                print("ready", flush=True)
                time.sleep(600)
                return
            rec.record(step)
            time.sleep(delay_ms / 1000)
        for _ in range(EVERY):
            opt.zero_grad()
            torch.nn.functional.cross_entropy(model(x_train), y_train).backward()
            opt.step()
    rec.close()


if __name__ == "__main__":
    main()
