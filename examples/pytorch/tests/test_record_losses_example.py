"""The first-run example: it runs as documented and its run has a transition."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

EXAMPLE = Path(__file__).resolve().parents[1] / "record_losses.py"


def test_first_run_has_a_transition(tmp_path):
    r = subprocess.run([sys.executable, str(EXAMPLE), "800"], cwd=tmp_path, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    run = tmp_path / "runs" / "parity-seed0"
    losses = np.load(run / "losses.npy")
    meta = json.loads((run / "meta.json").read_text())
    assert losses.shape == (160, 128) and losses.dtype == np.float32
    assert meta["steps"] == list(range(0, 800, 5))
    assert meta["groups"] == ["train"] * 64 + ["test"] * 64
    acc = meta["test_accuracy"]
    assert acc[0] < 0.6 and acc[-1] > 0.9  # from chance to the rule
    first = next(s for s, a in zip(meta["steps"], acc) if a >= 0.75)
    assert meta["transition"] == first and first >= 100
