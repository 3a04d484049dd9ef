"""Grokking: modular addition a + b (mod p) learnt by an MLP from half of all pairs with weight
decay. Training accuracy reaches 1 within a few dozen steps; accuracy on the held-out pairs
stays near zero for hundreds of steps, then rises (the model "groks").

Probes: 64 training pairs (group `train`) and 64 held-out pairs (group `test`), drawn at random
before training; each probe's cross-entropy is recorded every `every` optimiser steps (the row
of step s is recorded before the s-th update). Metric curves at every checkpoint: accuracy and
mean loss on all training pairs and on all held-out pairs.

Transition rule: the first recorded step at which the accuracy on all held-out pairs is >= 0.5.

    /usr/bin/python3 examples/pytorch/grokking.py --seed 0 --size full --out runs/grokking/seed0
    npx rdm2 analyze runs/grokking/seed0/losses.npy --window 30 --transform log
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from rdm2_recorder import LossRecorder
from setting_run import first_step_reaching, start, write_run

SIZES = {
    # p, training fraction, embedding and hidden widths, AdamW lr and weight decay, optimiser
    # steps, recording cadence, probes per group
    "smoke": dict(p=23, train_fraction=0.6, embed=16, hidden=64, lr=1e-2, weight_decay=2.0, steps=600, every=5, probes=32),
    "full": dict(p=31, train_fraction=0.5, embed=32, hidden=128, lr=1e-2, weight_decay=1.0, steps=2000, every=5, probes=64),
}
RULE = "first recorded step with accuracy >= 0.5 on all held-out pairs"


class ModularMLP(nn.Module):
    """Embeds a and b (one shared table), concatenates, one hidden ReLU layer, p logits."""

    def __init__(self, p, embed, hidden):
        super().__init__()
        self.embed = nn.Embedding(p, embed)
        self.hidden = nn.Linear(2 * embed, hidden)
        self.out = nn.Linear(hidden, p)

    def forward(self, ab):
        return self.out(F.relu(self.hidden(self.embed(ab).reshape(len(ab), -1))))


def main(argv=None):
    args, c, clock, gen = start("grokking", __doc__, SIZES, argv)
    p = c["p"]
    a, b = torch.meshgrid(torch.arange(p), torch.arange(p), indexing="ij")
    pairs = torch.stack([a.reshape(-1), b.reshape(-1)], dim=1)
    labels = pairs.sum(dim=1) % p
    order = torch.randperm(p * p, generator=gen)
    n_train = int(c["train_fraction"] * p * p)
    train, test = order[:n_train], order[n_train:]

    model = ModularMLP(p, c["embed"], c["hidden"])
    opt = torch.optim.AdamW(model.parameters(), lr=c["lr"], weight_decay=c["weight_decay"], betas=(0.9, 0.98))
    k = c["probes"]
    probe_idx = torch.cat([train[:k], test[:k]])  # random pairs: `order` is a random permutation
    recorder = LossRecorder(model, pairs[probe_idx], labels[probe_idx], groups=["train"] * k + ["test"] * k)

    metrics = {"train_accuracy": [], "test_accuracy": [], "train_loss": [], "test_loss": []}
    for step in range(c["steps"] + 1):
        if step % c["every"] == 0:
            recorder.record(step)
            with torch.no_grad():
                model.eval()
                for split, idx in (("train", train), ("test", test)):
                    logits = model(pairs[idx])
                    metrics[f"{split}_accuracy"].append((logits.argmax(dim=1) == labels[idx]).double().mean().item())
                    metrics[f"{split}_loss"].append(F.cross_entropy(logits, labels[idx]).item())
                model.train()
        if step == c["steps"]:
            break
        loss = F.cross_entropy(model(pairs[train]), labels[train])  # full batch
        opt.zero_grad()
        loss.backward()
        opt.step()

    transition = first_step_reaching(recorder.steps, metrics["test_accuracy"], 0.5)
    outcome = {"final_test_accuracy": metrics["test_accuracy"][-1], "final_train_accuracy": metrics["train_accuracy"][-1]}
    write_run(args, "grokking", recorder, c, metrics, transition, RULE, clock, outcome=outcome)


if __name__ == "__main__":
    main()
