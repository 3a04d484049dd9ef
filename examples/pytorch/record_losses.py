"""Record every probe's loss at each checkpoint of a PyTorch training run, for rdm2.

Writes, into one directory per run:
  losses.npy  float32 array of shape [T, n]: row t = the n probe losses at the t-th recording
  meta.json   {"steps": [...T training steps...], "groups": [...n labels...]} (groups optional)
which is what `rdm2 analyze <dir>/losses.npy --window W` and `rdm2 report` read (meta.json is
picked up automatically). See examples/README.md.

The probes are a fixed set of examples chosen before training. Each recording is forward passes
only: model.eval() (no dropout; batch norm uses its running statistics, so the loss depends on the
weights alone), torch.no_grad(), and reduction='none' so that every probe keeps its own loss
instead of the batch mean. The model's train/eval mode is restored afterwards.

This file is not run by rdm2's tests (no torch there); it uses only long-stable torch and numpy
calls (torch >= 1.10, numpy >= 1.17).
"""
import json
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F


def cross_entropy_per_probe(logits, targets):
    """Per-probe cross-entropy: [B, C] logits -> [B]; [B, L, C] (sequences) -> mean over the L tokens."""
    if logits.dim() == 3:
        per_token = F.cross_entropy(logits.transpose(1, 2), targets, reduction="none")  # [B, L]
        return per_token.mean(dim=1)
    return F.cross_entropy(logits, targets, reduction="none")  # [B]


class LossRecorder:
    """Collects one row of per-probe losses per call of record(step); save() writes the files."""

    def __init__(self, model, probe_inputs, probe_targets, groups=None, loss_fn=cross_entropy_per_probe, batch_size=512):
        if groups is not None and len(groups) != len(probe_inputs):
            raise ValueError(f"{len(groups)} group labels for {len(probe_inputs)} probes")
        self.model = model
        self.inputs = probe_inputs
        self.targets = probe_targets
        self.groups = groups
        self.loss_fn = loss_fn  # must return one loss per probe: shape [batch]
        self.batch_size = batch_size
        self.steps = []
        self.rows = []

    @torch.no_grad()
    def record(self, step):
        if self.steps and step <= self.steps[-1]:
            raise ValueError(f"steps must increase: {step} after {self.steps[-1]}")
        was_training = self.model.training
        self.model.eval()
        device = next(self.model.parameters()).device
        parts = []
        for i in range(0, len(self.inputs), self.batch_size):
            x = self.inputs[i : i + self.batch_size].to(device)
            y = self.targets[i : i + self.batch_size].to(device)
            loss = self.loss_fn(self.model(x), y)
            assert loss.shape == (len(x),), f"loss_fn must return one loss per probe, got shape {tuple(loss.shape)}"
            parts.append(loss.double().cpu())
        self.model.train(was_training)
        self.rows.append(torch.cat(parts).numpy())
        self.steps.append(int(step))

    def save(self, out_dir):
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        np.save(out / "losses.npy", np.stack(self.rows).astype(np.float32))  # [T, n]
        meta = {"steps": self.steps}
        if self.groups is not None:
            meta["groups"] = [str(g) for g in self.groups]
        (out / "meta.json").write_text(json.dumps(meta))


if __name__ == "__main__":
    # A tiny self-contained run: an MLP on random 10-class data, 64 train and 64 held-out probes.
    torch.manual_seed(0)
    x_train, y_train = torch.randn(2048, 20), torch.randint(0, 10, (2048,))
    x_test, y_test = torch.randn(512, 20), torch.randint(0, 10, (512,))
    model = torch.nn.Sequential(torch.nn.Linear(20, 128), torch.nn.ReLU(), torch.nn.Dropout(0.1), torch.nn.Linear(128, 10))
    opt = torch.optim.SGD(model.parameters(), lr=0.1)

    probes_x = torch.cat([x_train[:64], x_test[:64]])
    probes_y = torch.cat([y_train[:64], y_test[:64]])
    recorder = LossRecorder(model, probes_x, probes_y, groups=["train"] * 64 + ["test"] * 64)

    for step in range(2001):
        if step % 10 == 0:
            recorder.record(step)  # before this step's update
        idx = torch.randint(0, len(x_train), (64,))
        loss = F.cross_entropy(model(x_train[idx]), y_train[idx])  # training uses the usual mean loss
        opt.zero_grad()
        loss.backward()
        opt.step()

    recorder.save("runs/mlp-seed0")
    print("wrote runs/mlp-seed0/losses.npy and meta.json; next: rdm2 analyze runs/mlp-seed0/losses.npy --window 20 --top-k 1")
