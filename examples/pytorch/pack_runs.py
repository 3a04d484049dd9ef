"""Packs recorded runs (losses.npy + meta.json, as the real-setting scripts write them) into one
compact .npz each, the form shipped in data/real and read by rdm2 without torch:

  losses      float32 [T, n]     per-probe losses, one row per checkpoint
  steps       int64 [T]          training step of each row
  groups      unicode [n]        group label of each probe
  transition  int64 [1]          the step the setting's rule found
  metric_<name> float64 [T]      each metric curve of meta.json

    pack_runs.py RUN_DIR OUT.npz [RUN_DIR OUT.npz ...]

Written with np.savez_compressed to a temporary name and renamed into place (write_atomic).
"""
import json
import sys
from pathlib import Path

import numpy as np

from rdm2_recorder import write_atomic


def pack(run_dir, out):
    run_dir, out = Path(run_dir), Path(out)
    meta = json.loads((run_dir / "meta.json").read_text())
    losses = np.load(run_dir / "losses.npy")
    if losses.ndim != 2 or losses.dtype != np.float32:
        raise ValueError(f"{run_dir}/losses.npy: {losses.dtype} {losses.shape}, expected float32 [T, n]")
    if "transition" not in meta:
        raise ValueError(f"{run_dir}/meta.json: no transition")
    T, n = losses.shape
    arrays = {
        "losses": losses,
        "steps": np.asarray(meta["steps"], dtype=np.int64),
        "groups": np.asarray(meta["groups"], dtype=str),
        "transition": np.asarray([meta["transition"]], dtype=np.int64),
    }
    for name, values in meta["metrics"].items():
        arrays[f"metric_{name}"] = np.asarray(values, dtype=np.float64)
    for name, a in arrays.items():
        if name != "transition" and len(a) != (n if name == "groups" else T):
            raise ValueError(f"{run_dir}: {name} has {len(a)} entries")
    out.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(out, lambda f: np.savez_compressed(f, **arrays))


if __name__ == "__main__":
    pairs = sys.argv[1:]
    if not pairs or len(pairs) % 2:
        raise SystemExit("usage: pack_runs.py RUN_DIR OUT.npz [RUN_DIR OUT.npz ...]")
    for i in range(0, len(pairs), 2):
        pack(pairs[i], pairs[i + 1])
