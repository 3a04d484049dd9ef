"""The numpy driver of rdm2's benchmark harness: a straightforward numpy script doing the
same sliding-window 2RDM analysis, so users can see what the library buys over writing it.

Usage (the harness calls it): python3 numpy_driver.py '<json job>'
  job = { data, dtype: 'float32'|'float64', T, n, W, stride, topK, detrend: 'none'|'linear',
          beta, method: 'cov'|'gram', windows, out }
  method 'cov':  per window, center (and detrend) the rows, form the n x n covariance
                 X^T X / (W-1) and solve it with numpy.linalg.eigvalsh / eigh (LAPACK).
  method 'gram': per window, the same centering, then the W x W Gram X X^T from scratch and
                 its eigenvalues (the dual trick, without any incremental update).
Writes the observables of the first `windows` windows to `out` (JSON) and, with topK > 0,
the eigenvectors as float64 to `out + '.vec'`. `seconds` covers the analysis loop only
(not interpreter start-up or reading the file); `cpu` is the loop's process time.
"""
import json
import resource
import sys
import time

import numpy as np


def observables(lam, beta):
    """lam: the m eigenvalues of C, descending."""
    l1 = lam[0]
    if not (l1 > 0) or not np.isfinite(l1):
        nan = float("nan")
        fill = 0.0 if np.isfinite(l1) else nan
        return dict(trace=nan, pr=nan, entropy=nan, shc=nan, topShare=nan, eigenvalues=np.full(lam.shape, fill), kept=0)
    keep = lam > 1e-10 * l1
    kept = lam[keep]
    trace = kept.sum()
    p = kept / trace
    pr = 1.0 / np.sum(p * p)
    entropy = -np.sum(p * np.log(p))
    w = p ** beta
    q = w / w.sum()
    e = -np.log(p)
    mean_e = np.sum(q * e)
    shc = beta * beta * np.sum(q * (e - mean_e) ** 2)
    return dict(trace=trace, pr=pr, entropy=entropy, shc=shc, topShare=p[0], eigenvalues=np.where(keep, lam, 0.0), kept=int(keep.sum()))


def finite_list(a):
    """JSON has no NaN: non-finite values travel as null."""
    return [float(x) if np.isfinite(x) else None for x in a]


def sign_fixed(v):
    arg = int(np.argmax(np.abs(v)))
    return -v if v[arg] < 0 else v


def main():
    job = json.loads(sys.argv[1])
    T, n, W, stride, topK = job["T"], job["n"], job["W"], job["stride"], job["topK"]
    beta = job.get("beta", 1.0)
    L = np.fromfile(job["data"], dtype=np.float32 if job["dtype"] == "float32" else np.float64).reshape(T, n)
    windows = job["windows"]
    m = min(W - 1, n)
    use_gram = job["method"] == "gram" and W <= n
    tau = np.arange(W, dtype=np.float64) - (W - 1) / 2.0
    out = {k: np.empty(windows) for k in ("trace", "pr", "entropy", "shc", "topShare")}
    eigenvalues = np.empty((windows, m))
    vectors = np.full((windows, topK, n), np.nan) if topK > 0 else None
    t_end = []

    c0 = time.process_time()
    t0 = time.perf_counter()
    for j in range(windows):
        end = W - 1 + j * stride
        X = L[end - W + 1 : end + 1].astype(np.float64)
        X -= X.mean(axis=0)
        if job["detrend"] == "linear":
            X -= np.outer(tau, (tau @ X) / (tau @ tau))
        if use_gram:
            G = X @ X.T
            if topK > 0:
                mu, U = np.linalg.eigh(G)
            else:
                mu = np.linalg.eigvalsh(G)
        else:
            C = X.T @ X
            if topK > 0:
                mu, U = np.linalg.eigh(C)
            else:
                mu = np.linalg.eigvalsh(C)
        lam = mu[::-1][:m] / (W - 1)
        obs = observables(lam, beta)
        for k in out:
            out[k][j] = obs[k]
        eigenvalues[j] = obs["eigenvalues"]
        for k in range(min(topK, obs["kept"])):
            u = U[:, U.shape[1] - 1 - k]
            v = X.T @ u if use_gram else u
            vectors[j, k] = sign_fixed(v / np.linalg.norm(v))
        t_end.append(end)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0

    result = {k: finite_list(v) for k, v in out.items()}
    result.update(
        seconds=seconds,
        cpu=cpu,
        windows=windows,
        m=m,
        n=n,
        topK=topK,
        t=t_end,
        eigenvalues=finite_list(eigenvalues.ravel()),
        numpy=np.__version__,
    )
    if vectors is not None:
        vectors.astype(np.float64).tofile(job["out"] + ".vec")
    usage = resource.getrusage(resource.RUSAGE_SELF)
    result["cpuTotal"] = usage.ru_utime + usage.ru_stime  # the whole process, for the harness's load estimate
    with open(job["out"], "w") as f:
        json.dump(result, f)


if __name__ == "__main__":
    main()
