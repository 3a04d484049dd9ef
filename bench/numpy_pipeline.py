"""The strongest plain numpy pipeline for the sliding-window 2RDM, run as a whole process by
the benchmark harness (the `process` and `sweep` suites) against `rdm2 analyze` / `rdm2 sweep`:
for each chunk of windows, the centred windows as one array (sliding_window_view), their W x W
Grams in one batched matmul, and one batched eigvalsh; the observables of method.md.

Usage:
  python3 numpy_pipeline.py file <losses.npy> <W> <out.npz>
  python3 numpy_pipeline.py sweep <root> <W> <out dir>    every <root>/**/losses.npy, in order,
                                                          one result per run (a per-file loop)
Prints, on its last line, JSON: the runs analysed and the seconds spent (whole process
minus interpreter start-up is not subtracted: the harness times the whole process).
"""
import json
import os
import sys
import time

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def analyse(L, W, chunk=32):
    T, n = L.shape
    N = T - W + 1
    m = min(W - 1, n)
    out = {k: np.empty(N) for k in ("trace", "pr", "entropy", "shc", "topShare")}
    eigenvalues = np.zeros((N, m))
    for j0 in range(0, N, chunk):
        j1 = min(N, j0 + chunk)
        X = sliding_window_view(L[j0:j1 + W - 1], W, axis=0).transpose(0, 2, 1).astype(np.float64)
        X -= X.mean(axis=1, keepdims=True)
        G = X @ X.transpose(0, 2, 1)
        lam = np.linalg.eigvalsh(G)[:, ::-1][:, :m] / (W - 1)
        keep = lam > 1e-10 * lam[:, :1]
        lam = np.where(keep, lam, 0.0)
        tr = lam.sum(axis=1)
        p = lam / tr[:, None]
        safe = np.where(p > 0, p, 1.0)
        e = np.where(p > 0, -np.log(safe), 0.0)
        mean_e = (p * e).sum(axis=1)
        out["trace"][j0:j1] = tr
        out["pr"][j0:j1] = 1.0 / (p * p).sum(axis=1)
        out["entropy"][j0:j1] = (p * e).sum(axis=1)
        out["shc"][j0:j1] = (p * (e - mean_e[:, None]) ** 2).sum(axis=1)
        out["topShare"][j0:j1] = p[:, 0]
        eigenvalues[j0:j1] = lam
    return out, eigenvalues


def one(path, W, out_path):
    L = np.load(path)
    obs, eigenvalues = analyse(L, W)
    np.savez(out_path, eigenvalues=eigenvalues, **obs)


def main():
    t0 = time.perf_counter()
    mode, src, W, dst = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    runs = 0
    if mode == "file":
        one(src, W, dst)
        runs = 1
    else:
        files = []
        for d, _, names in os.walk(src):
            if "losses.npy" in names:
                files.append(os.path.join(d, "losses.npy"))
        for f in sorted(files):
            rel = os.path.relpath(f, src)
            target = os.path.join(dst, rel[: -len(".npy")] + ".npz")
            os.makedirs(os.path.dirname(target), exist_ok=True)
            one(f, W, target)
            runs += 1
    print(json.dumps({"runs": runs, "seconds": time.perf_counter() - t0}))


if __name__ == "__main__":
    main()
