"""Induction heads: a 2-layer attention-only transformer trained on next-token prediction of
sequences that repeat a random segment. The loss on the second copy of the segment can only
fall below chance by looking back at the first copy (an induction head: find the earlier
occurrence of the current token, predict the token that followed it); it stays near a plateau,
then drops abruptly when the heads form.

Training sequences: `seq_len` random tokens in which a random segment of length L (uniform in
[seg_min, seg_max]) at a random offset is followed by a copy of itself, so that no fixed
position offset solves the task (a single layer attending a fixed distance back cannot).

Probes, drawn before training: 64 such sequences (group `repeated`), each scored on the tokens
of its second copy after the first (the ones an induction head can predict), and 64 sequences of
random tokens (group `random`), each scored on the same positions as the repeated probe of the
same index. A probe's loss is the mean cross-entropy over its scored tokens (LossRecorder's
per-token mask). Recorded every `every` optimiser steps, before the update. Metric curves: mean
repeated-probe loss, mean random-probe loss, and the in-context score (random minus repeated).

Transition rule: the first recorded step at which the in-context score reaches half of its final
value (final value: the mean score over the last 10% of the checkpoints).

    /usr/bin/python3 examples/pytorch/induction_heads.py --seed 0 --out runs/induction/seed0
    npx rdm2 analyze runs/induction/seed0/losses.npy --window 20 --top-k 1
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from rdm2_recorder import LossRecorder
from setting_run import first_step_reaching, start, write_run

SIZES = {
    # vocabulary, sequence length, segment lengths, model width, heads, Adam lr, minibatch,
    # optimiser steps, recording cadence, probes per group
    "smoke": dict(vocab=8, seq_len=24, seg_min=5, seg_max=9, width=32, heads=2, lr=1e-2, batch=32, steps=400, every=4, probes=32),
    "full": dict(vocab=16, seq_len=32, seg_min=8, seg_max=14, width=32, heads=2, lr=1e-2, batch=32, steps=2500, every=5, probes=64),
}
RULE = "first recorded step at which the in-context score (mean random-probe loss minus mean repeated-probe loss) reaches half of its mean over the last 10% of the checkpoints"


def sequences(n, c, gen, repeat=True):
    """n token sequences [n, seq_len] and the mask [n, seq_len - 1] of the targets to score: the
    second copy of the segment without its first token. repeat=False: random tokens, same mask."""
    T = c["seq_len"]
    x = torch.randint(0, c["vocab"], (n, T), generator=gen)
    L = torch.randint(c["seg_min"], c["seg_max"] + 1, (n, 1), generator=gen)
    start = (torch.rand(n, 1, generator=gen) * (T - 2 * L + 1).double()).long()
    pos = torch.arange(T).expand(n, T)
    second = (pos >= start + L) & (pos < start + 2 * L)
    if repeat:
        x = torch.gather(x, 1, torch.where(second, pos - L, pos))
    # target t is token t + 1: score it when token t + 1 is in the second copy and is not its first
    mask = second[:, 1:] & (pos[:, 1:] > start + L)
    return x, mask


class CausalSelfAttention(nn.Module):
    def __init__(self, width, heads, max_len):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(width, 3 * width, bias=False)
        self.out = nn.Linear(width, width, bias=False)
        self.register_buffer("future", torch.ones(max_len, max_len, dtype=torch.bool).triu(1))

    def forward(self, h):
        B, L, W = h.shape
        q, k, v = self.qkv(h).view(B, L, 3, self.heads, W // self.heads).permute(2, 0, 3, 1, 4)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(W // self.heads)
        attn = scores.masked_fill(self.future[:L, :L], float("-inf")).softmax(dim=-1)
        return self.out((attn @ v).transpose(1, 2).reshape(B, L, W))


class AttentionOnlyTransformer(nn.Module):
    """Token + learned position embeddings, two residual attention layers (no MLPs, no layer
    norm), a linear unembedding."""

    def __init__(self, vocab, width, heads, max_len):
        super().__init__()
        self.tokens = nn.Embedding(vocab, width)
        self.positions = nn.Parameter(0.1 * torch.randn(max_len, width))
        self.layers = nn.ModuleList([CausalSelfAttention(width, heads, max_len) for _ in range(2)])
        self.unembed = nn.Linear(width, vocab)

    def forward(self, x):
        h = self.tokens(x) + self.positions[: x.shape[1]]
        for layer in self.layers:
            h = h + layer(h)
        return self.unembed(h)


def main(argv=None):
    args, c, clock, gen = start("induction_heads", __doc__, SIZES, argv)
    k = c["probes"]
    rep_x, rep_mask = sequences(k, c, gen, repeat=True)
    ran_x, _ = sequences(k, c, gen, repeat=False)
    probes = torch.cat([rep_x, ran_x])
    mask = torch.cat([rep_mask, rep_mask])  # random probes: scored on the positions of their repeated twin

    model = AttentionOnlyTransformer(c["vocab"], c["width"], c["heads"], c["seq_len"])
    recorder = LossRecorder(model, probes[:, :-1], probes[:, 1:], groups=["repeated"] * k + ["random"] * k, token_mask=mask)
    opt = torch.optim.Adam(model.parameters(), lr=c["lr"])
    metrics = {"repeated_loss": [], "random_loss": [], "in_context_score": []}
    for step in range(c["steps"] + 1):
        if step % c["every"] == 0:
            row = recorder.record(step)
            repeated, random = row[:k].mean(), row[k:].mean()
            metrics["repeated_loss"].append(repeated)
            metrics["random_loss"].append(random)
            metrics["in_context_score"].append(random - repeated)
        if step == c["steps"]:
            break
        x, _ = sequences(c["batch"], c, gen)
        loss = F.cross_entropy(model(x[:, :-1]).transpose(1, 2), x[:, 1:])  # every token, as in language modelling
        opt.zero_grad()
        loss.backward()
        opt.step()

    score = metrics["in_context_score"]
    tail = score[-max(1, len(score) // 10):]
    final = sum(tail) / len(tail)
    transition = first_step_reaching(recorder.steps, score, final / 2) if final > 0 else None
    write_run(args, "induction_heads", recorder, c, metrics, transition, RULE, clock, outcome={"final_in_context_score": final})


if __name__ == "__main__":
    main()
