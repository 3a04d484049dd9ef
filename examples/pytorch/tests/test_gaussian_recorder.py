"""GaussianRecorder against the paper's Proposition 2.1, computed independently with autograd."""
import json

import numpy as np
import pytest
import torch

from rdm2_recorder import GaussianRecorder

D, N = 5, 6  # features, probes


def linear_setting(seed=0):
    torch.manual_seed(seed)
    model = torch.nn.Linear(D, 1).double()
    x = torch.randn(N, D, dtype=torch.float64)
    y = torch.randn(N, dtype=torch.float64)
    return model, x, y


def output_loss(out, y):
    # a "loss" linear in the parameters: l_i = w . x_i + b, so l(theta0 + d) - l(theta0) = G d exactly
    return out[:, 0]


def squared_error(out, y):
    return (out[:, 0] - y) ** 2


def per_probe_gradients(model, x, y, loss_fn):
    """G [n, p]: row i = d l_i / d theta, by autograd one probe at a time (not the recorder's code)."""
    rows = []
    for i in range(len(x)):
        loss = loss_fn(model(x[i : i + 1]), y[i : i + 1])[0]
        grads = torch.autograd.grad(loss, list(model.parameters()))
        rows.append(torch.cat([g.reshape(-1) for g in grads]))
    return torch.stack(rows).numpy()


def parameter_scales(model, scale):
    """The diagonal of S, per flattened parameter, as the docstring defines it."""
    out = []
    for p in model.parameters():
        s = 1.0 if scale == "isotropic" else float(p.detach().pow(2).mean().sqrt())
        out.append(np.full(p.numel(), s * s))
    return np.concatenate(out)


def sample_cov(block):
    d = block - block.mean(axis=0)
    return d.T @ d / (len(block) - 1)


@pytest.mark.parametrize("scale", ["isotropic", "per_tensor"])
def test_covariance_is_sigma2_G_S_GT_for_a_loss_linear_in_the_parameters(tmp_path, scale):
    """The loss differences are exactly Gaussian with covariance Sigma = sigma^2 G S G^T, so the
    sample covariance of K draws has Var(C_ij) = (Sigma_ii Sigma_jj + Sigma_ij^2) / (K - 1)
    (Wishart). Tolerance: 5 of those standard errors per entry (21 entries: a false failure has
    probability < 1e-5 for a correct recorder; the seed is fixed, so the test is deterministic).
    With K = 20000 the standard error is about 1% of Sigma_ii, so a sigma off by 5% (a 10% error
    in Sigma) fails, which the test also checks."""
    model, x, y = linear_setting()
    sigma, K = 0.05, 20000
    rec = GaussianRecorder(model, x, y, sigma=sigma, K=K, scale=scale, seed=3, loss_fn=output_loss)
    block = rec.record(0)
    assert block.shape == (K, N)
    G = per_probe_gradients(model, x, y, output_loss)
    Sigma = sigma**2 * (G * parameter_scales(model, scale)) @ G.T
    se = np.sqrt((np.outer(np.diag(Sigma), np.diag(Sigma)) + Sigma**2) / (K - 1))
    z = np.abs(sample_cov(block) - Sigma) / se
    assert z.max() < 5, f"max |z| = {z.max():.2f}"
    z_wrong = np.abs(sample_cov(block) - 1.1025 * Sigma) / se  # sigma 5% too large
    assert z_wrong.max() > 5

    rec.save(tmp_path)
    saved = np.load(tmp_path / "losses.npy")
    assert saved.shape == (1, K, N) and saved.dtype == np.float64
    np.testing.assert_array_equal(saved[0], block)
    meta = json.loads((tmp_path / "meta.json").read_text())
    assert meta == {"steps": [0], "sigma": sigma, "K": K, "scale": scale, "seed": 3}


def test_squared_error_matches_proposition_2_1_with_its_second_order_term():
    """For l_i = (theta . g_i - y_i)^2 the loss difference is 2 r_i sigma a_i + sigma^2 a_i^2 with
    a = g . (s eps) Gaussian, M = g S g^T, so Cov = sigma^2 G S G^T + 2 sigma^4 M∘M exactly
    (odd Gaussian moments vanish); G S G^T = 4 r r^T ∘ M is Proposition 2.1's leading order.
    The losses are not Gaussian here, so the standard error of each entry is estimated from the
    draws (std of the products of centred losses / sqrt(K)); tolerance 5 of them."""
    model, x, y = linear_setting(1)
    sigma, K = 0.05, 20000
    block = GaussianRecorder(model, x, y, sigma=sigma, K=K, seed=4, loss_fn=squared_error).record(0)
    G = per_probe_gradients(model, x, y, squared_error)
    g = torch.cat([x, torch.ones(N, 1, dtype=torch.float64)], dim=1).numpy()
    M = g @ g.T
    exact = sigma**2 * G @ G.T + 2 * sigma**4 * M * M
    d = block - block.mean(axis=0)
    se = np.sqrt(np.var(d[:, :, None] * d[:, None, :], axis=0) / K)
    z = np.abs(sample_cov(block) - exact) / se
    assert z.max() < 5, f"max |z| = {z.max():.2f}"
    # the leading order alone is close: the sigma^4 term is small next to it at this sigma
    leading = sigma**2 * G @ G.T
    assert np.abs(exact - leading).max() < 0.05 * np.abs(leading).max()


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Linear(4, 8)
        self.bn = torch.nn.BatchNorm1d(8)
        self.drop = torch.nn.Dropout(0.5)
        self.b = torch.nn.Linear(8, 3)
        self.zero = torch.nn.Parameter(torch.zeros(3))
        self.frozen = torch.nn.Parameter(torch.randn(3), requires_grad=False)
        self.fail = False

    def forward(self, x):
        if self.fail:
            raise RuntimeError("forward failed")
        return self.b(self.drop(torch.relu(self.bn(self.a(x))))) + self.zero + self.frozen


def state_bytes(model):
    return {k: v.detach().cpu().numpy().tobytes() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("scale", ["isotropic", "per_tensor"])
def test_parameters_and_buffers_are_restored_bit_for_bit(scale):
    torch.manual_seed(0)
    model = Net()
    model.train()
    model(torch.randn(16, 4))  # non-trivial batch-norm statistics
    x, y = torch.randn(20, 4), torch.randint(0, 3, (20,))
    before = state_bytes(model)
    rec = GaussianRecorder(model, x, y, sigma=0.3, K=7, scale=scale, groups=["p"] * 20)
    block = rec.record(5)
    assert block.shape == (7, 20) and np.isfinite(block).all()
    assert state_bytes(model) == before
    assert model.training  # mode restored
    assert len({tuple(r) for r in block}) == 7  # every draw differs
    # the same (seed, step) draws the same perturbations; another step draws others
    again = GaussianRecorder(model, x, y, sigma=0.3, K=7, scale=scale)
    np.testing.assert_array_equal(again.record(5), block)
    assert not np.array_equal(again.record(6), block)
    assert state_bytes(model) == before

    model.fail = True
    with pytest.raises(RuntimeError, match="forward failed"):
        rec.record(6)
    assert state_bytes(model) == before and model.training


def test_per_tensor_scale_leaves_zero_and_frozen_tensors_alone():
    torch.manual_seed(0)
    model = Net()
    x, y = torch.randn(10, 4), torch.randint(0, 3, (10,))
    seen = []
    real_forward = model.forward

    def spy(inp):
        seen.append((model.zero.detach().clone(), model.frozen.detach().clone(), model.a.weight.detach().clone()))
        return real_forward(inp)

    model.forward = spy
    GaussianRecorder(model, x, y, sigma=0.1, K=3, scale="per_tensor").record(0)
    for zero, frozen, w in seen:
        assert torch.equal(zero, torch.zeros(3)) and torch.equal(frozen, model.frozen)
        assert not torch.equal(w, model.a.weight)


def test_bad_arguments_are_refused():
    model, x, y = linear_setting()
    for kwargs, match in [
        (dict(sigma=0.0, K=4), "sigma"),
        (dict(sigma=float("nan"), K=4), "sigma"),
        (dict(sigma=0.1, K=1), "K = 1"),
        (dict(sigma=0.1, K=4, scale="layer"), "scale"),
    ]:
        with pytest.raises(ValueError, match=match):
            GaussianRecorder(model, x, y, loss_fn=output_loss, **kwargs)
    rec = GaussianRecorder(model, x, y, sigma=0.1, K=2, loss_fn=output_loss)
    rec.record(3)
    with pytest.raises(ValueError, match="steps must increase"):
        rec.record(3)
