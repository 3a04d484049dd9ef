"""LossRecorder: one loss per probe (per-token masks for sequences), shapes and meta on disk."""
import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from rdm2_recorder import LossRecorder, cross_entropy_float64, cross_entropy_per_probe


class SeqModel(torch.nn.Module):
    """[B, L] tokens -> [B, L, V] logits, with dropout so that eval mode matters."""

    def __init__(self, V=7, d=8):
        super().__init__()
        self.emb = torch.nn.Embedding(V, d)
        self.drop = torch.nn.Dropout(0.5)
        self.out = torch.nn.Linear(d, V)

    def forward(self, x):
        return self.out(self.drop(self.emb(x)))


def test_rows_meta_and_eval_mode(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 16), torch.nn.Dropout(0.5), torch.nn.Linear(16, 4))
    x, y = torch.randn(9, 3), torch.randint(0, 4, (9,))
    groups = ["train"] * 4 + ["test"] * 5
    rec = LossRecorder(model, x, y, groups=groups, batch_size=4)  # batches of 4, 4, 1
    model.train()
    row = rec.record(0)
    assert model.training
    model.eval()
    expected = cross_entropy_float64(model(x), y).detach().numpy()
    model.train()
    np.testing.assert_array_equal(row, expected)  # eval mode (no dropout), batches of 4: the same per-probe losses
    np.testing.assert_array_equal(rec.record(10), row)  # dropout off: the same weights give the same row
    with torch.no_grad():
        model[0].bias.add_(1.0)
    rec.record(25)
    with pytest.raises(ValueError, match="steps must increase: 25 after 25"):
        rec.record(25)
    rec.save(tmp_path, extra_meta={"transition": 10, "metrics": {"acc": [0.1, 0.2, 0.3]}})
    losses = np.load(tmp_path / "losses.npy")
    assert losses.shape == (3, 9) and losses.dtype == np.float32
    np.testing.assert_array_equal(losses[0], row.astype(np.float32))
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta == {"steps": [0, 10, 25], "groups": groups, "transition": 10, "metrics": {"acc": [0.1, 0.2, 0.3]}}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["losses.npy", "meta.json"]  # no temporary left


def test_token_mask_scores_only_the_masked_tokens():
    torch.manual_seed(1)
    model = SeqModel()
    x = torch.randint(0, 7, (5, 6))
    y = torch.randint(0, 7, (5, 6))
    model.eval()
    per_token = F.cross_entropy(model(x).double().transpose(1, 2), y, reduction="none").detach()
    # one mask for every probe: the second half of each sequence
    half = torch.tensor([False] * 3 + [True] * 3)
    row = LossRecorder(model, x, y, token_mask=half).record(0)
    np.testing.assert_allclose(row, per_token[:, 3:].mean(dim=1).numpy(), rtol=1e-12)  # sums in another order
    # a mask per probe
    mask = torch.rand(5, 6) > 0.5
    mask[:, 0] = True
    row = LossRecorder(model, x, y, token_mask=mask).record(0)
    want = [(per_token[i][mask[i]]).mean().item() for i in range(5)]
    np.testing.assert_allclose(row, want, rtol=1e-12)
    # without a mask: the mean over all tokens
    np.testing.assert_allclose(LossRecorder(model, x, y).record(0), per_token.mean(dim=1).numpy(), rtol=1e-12)


def test_confident_predictions_keep_their_small_losses():
    """logits (30, 0) for class 0: the loss is log(1 + e^-30) = 9.357622968839737e-14 (mpmath),
    which float32 arithmetic rounds to 0 (and a log transform could not take), and float64
    log-softmax to 9.348e-14."""
    model = torch.nn.Linear(1, 2)
    with torch.no_grad():
        model.weight.zero_()
        model.bias.copy_(torch.tensor([30.0, 0.0]))
    x, y = torch.zeros(2, 1), torch.tensor([0, 1])
    assert F.cross_entropy(model(x), y, reduction="none")[0].item() == 0.0  # what float32 gives
    row = LossRecorder(model, x, y).record(0)
    np.testing.assert_allclose(row, [9.357622968839737e-14, 30.000000000000092], rtol=1e-14)


def test_float64_cross_entropy_matches_the_definition():
    """Against log(sum_j e^(z_j - z_y)) summed in float64 term by term, on logits from tame to
    extreme (margins of hundreds), for confident-correct, confident-wrong and mixed rows."""
    g = torch.Generator().manual_seed(5)
    for scale in (0.1, 3.0, 40.0):
        z = torch.randn(64, 7, generator=g, dtype=torch.float64) * scale
        y = torch.randint(0, 7, (64,), generator=g)
        got = cross_entropy_float64(z, y)
        for i in range(64):
            gaps = [float(z[i, j] - z[i, y[i]]) for j in range(7)]
            top = max(gaps)
            want = top + math.log(sum(math.exp(v - top) for v in gaps))
            if top == 0.0:  # the target is the largest: log1p of the other terms
                want = math.log1p(sum(math.exp(v) for j, v in enumerate(gaps) if j != int(y[i])))
            assert got[i].item() == pytest.approx(want, rel=1e-13, abs=0)
    # sequences: [B, L, C] logits and [B, L] targets
    z = torch.randn(3, 5, 4, generator=g, dtype=torch.float64)
    y = torch.randint(0, 4, (3, 5), generator=g)
    np.testing.assert_allclose(cross_entropy_float64(z, y), F.cross_entropy(z.transpose(1, 2), y, reduction="none"), rtol=1e-13)


def test_bad_arguments_are_refused():
    model = torch.nn.Linear(2, 3)
    x, y = torch.randn(4, 2), torch.randint(0, 3, (4,))
    with pytest.raises(ValueError, match="3 group labels for 4 probes"):
        LossRecorder(model, x, y, groups=["a"] * 3)
    with pytest.raises(ValueError, match="3 targets for 4 probes"):
        LossRecorder(model, x, y[:3])
    with pytest.raises(ValueError, match="token_mask of shape"):
        LossRecorder(model, x, y, token_mask=torch.ones(3, 2, dtype=torch.bool))
    with pytest.raises(ValueError, match="selects no token"):
        LossRecorder(model, x, y, token_mask=torch.zeros(4, 2, dtype=torch.bool))
    with pytest.raises(ValueError, match="one loss per probe"):
        LossRecorder(model, x, y, loss_fn=lambda out, t: F.cross_entropy(out, t)).record(0)
    with pytest.raises(ValueError, match="token_mask applies to sequence outputs"):
        cross_entropy_per_probe(torch.randn(4, 3), y, torch.ones(4, dtype=torch.bool))
    with pytest.raises(ValueError, match="nothing recorded"):
        LossRecorder(model, x, y).save("unused")
