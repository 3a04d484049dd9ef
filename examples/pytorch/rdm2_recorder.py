"""rdm2's PyTorch side: record every probe's loss at each checkpoint of a training run.

Three pieces, importable from this one file (torch >= 1.10, numpy >= 1.17):

  LossRecorder      one row of per-probe losses per checkpoint -> losses.npy [T, n] + meta.json,
                    optionally also appended live to a row stream (below)
  GaussianRecorder  the Gaussian 2RDM of the paper's Proposition 2.1: at a checkpoint theta_0,
                    K draws theta_0 + sigma * eps, every probe's loss per draw, the parameters
                    restored bit for bit -> losses.npy [T, K, n] (`rdm2 analyze` and
                    `gram2rdm` read it)
  RowStreamWriter   the append mode of docs/row-stream.md: a binary `.rows` stream or JSON
                    Lines, one write per record, flushed, an end marker on close; reopening
                    truncates a trailing partial record and refuses a finished file

Every recording is forward passes only: model.eval() (no dropout; batch norm uses its running
statistics, so the loss depends on the weights alone), torch.no_grad(), and one loss per probe
(never the batch mean, which would throw away exactly the covariance rdm2 measures). The
model's train/eval mode is restored afterwards. See examples/README.md.
"""
import json
import math
import os
import stat
import struct
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

__all__ = [
    "LossRecorder",
    "GaussianRecorder",
    "RowStreamWriter",
    "RowStreamError",
    "cross_entropy_float64",
    "cross_entropy_per_probe",
    "encode_rows_header",
    "encode_rows_record",
    "encode_jsonl_record",
    "read_row_stream",
    "write_atomic",
    "write_json_atomic",
]

# ---------------------------------------------------------------------------------------------
# Row stream (docs/row-stream.md)

ROWS_MAGIC = b"RDM2ROWS"
ROWS_VERSION = 1
ROWS_HEADER_LEN = 64
ROWS_VALUE_TYPES = {"float32": 1, "float64": 2}
END_STEP = -1
JSONL_END = b'{"end": true}\n'


class RowStreamError(ValueError):
    """A row stream that cannot be appended to (wrong header, finished, steps out of order)."""


def _dtype_name(dtype):
    name = np.dtype(dtype).name
    if name not in ROWS_VALUE_TYPES:
        raise ValueError(f"value type {name}: a row stream holds float32 or float64")
    return name


def encode_rows_header(n, dtype="float32"):
    """The 64-byte header of a `.rows` stream of n values per row."""
    if int(n) < 1:
        raise ValueError(f"n = {n}: a row holds at least one value")
    head = ROWS_MAGIC + struct.pack("<IIQQ", ROWS_VERSION, ROWS_VALUE_TYPES[_dtype_name(dtype)], int(n), ROWS_HEADER_LEN)
    return head + bytes(ROWS_HEADER_LEN - len(head))


def encode_rows_record(step, losses, dtype="float32"):
    """One `.rows` record: i64 step, then the n losses little-endian in `dtype`."""
    values = np.ascontiguousarray(losses, dtype=np.dtype(_dtype_name(dtype)).newbyteorder("<"))
    if values.ndim != 1:
        raise ValueError(f"a row is 1-D, got shape {values.shape}")
    return struct.pack("<q", int(step)) + values.tobytes()


def encode_jsonl_record(step, losses, dtype="float64"):
    """One JSON Lines record `{"step": s, "losses": [...]}` ending in a newline, each value
    rounded to `dtype` first (so that a float32 stream holds the values a `.rows` stream or a
    float32 losses.npy holds).

    Floats are written by Python's repr, which round-trips float64 exactly; NaN and infinities
    appear as Python's json writes them (NaN, Infinity), which rdm2's JSONL reader accepts."""
    values = np.asarray(losses, dtype=np.dtype(_dtype_name(dtype))).astype(np.float64)
    if values.ndim != 1:
        raise ValueError(f"a row is 1-D, got shape {values.shape}")
    return (json.dumps({"step": int(step), "losses": values.tolist()}) + "\n").encode("ascii")


def _write_all(fd, data):
    """os.write until every byte is out. A regular file takes the whole record in one call; the
    loop only covers a short write (a full disk reports it on the next call)."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _read_at(fd, offset, size):
    out = b""
    while len(out) < size:
        chunk = os.pread(fd, size - len(out), offset + len(out))
        if not chunk:
            break
        out += chunk
    return out


class RowStreamWriter:
    """Appends one row of losses per checkpoint to a growing file a live reader may follow.

    The format follows the file name: `.rows` is the binary row stream, `.jsonl` JSON Lines (or
    pass `format="rows" | "jsonl"`). `dtype` (float32 by default, as losses.npy) is the precision
    of the values in either format. Each record is written with one `write` call straight to the
    file (no user-space buffer, so it is flushed as it is written), so a reader never sees a
    record that is not either whole or still growing at the end of the file; `fsync=True` also
    makes each row durable across a machine crash. `close()` writes the end marker that says the
    producer finished. Leaving a `with` block by an exception closes the file *without* the end
    marker: the run did not finish, and can be resumed.

    A new file is created exclusively (an existing file is never overwritten). `resume=True`
    opens an existing file instead: the header must match (n and value type), a trailing
    partial record (the producer was killed mid-row) is truncated, and a file that holds the
    end marker is refused; the next step must come after the last recorded one.

    Example::

        with RowStreamWriter("runs/a/live.rows", n=len(probes)) as out:
            for step in range(0, 10_000, 10):
                ...
                out.append(step, losses)      # losses: n floats
    """

    def __init__(self, path, n, dtype="float32", format=None, resume=False, fsync=False):
        self.path = Path(path)
        self.n = int(n)
        if self.n < 1:
            raise ValueError(f"n = {n}: a row holds at least one value")
        self.format = format or {".rows": "rows", ".jsonl": "jsonl"}.get(self.path.suffix)
        if self.format not in ("rows", "jsonl"):
            raise ValueError(f"{self.path}: format {format!r}; name the file *.rows or *.jsonl, or pass format='rows' or 'jsonl'")
        self.dtype = _dtype_name(dtype)
        self.fsync = bool(fsync)
        self.last_step = None
        self.appended = 0  # rows written by this writer (not counting those of a resumed file)
        self._record_len = 8 + self.n * np.dtype(self.dtype).itemsize
        if resume and self.path.exists():
            self._fd = os.open(self.path, os.O_RDWR)
            try:
                if not stat.S_ISREG(os.fstat(self._fd).st_mode):
                    raise RowStreamError(f"{self.path}: not a regular file")
                self._resume_rows() if self.format == "rows" else self._resume_jsonl()
            except BaseException:
                os.close(self._fd)
                raise
            os.lseek(self._fd, 0, os.SEEK_END)
        else:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            if self.format == "rows":
                _write_all(self._fd, encode_rows_header(self.n, self.dtype))
                self._sync()

    # -- resuming ---------------------------------------------------------------------------

    def _resume_rows(self):
        size = os.fstat(self._fd).st_size
        expected = encode_rows_header(self.n, self.dtype)
        head = _read_at(self._fd, 0, min(size, ROWS_HEADER_LEN))
        if size < ROWS_HEADER_LEN:
            # killed while writing the header: start over if what is there is its beginning
            if head != expected[: len(head)]:
                raise RowStreamError(f"{self.path}: {size} bytes that are not the start of a row-stream header")
            os.ftruncate(self._fd, 0)
            _write_all(self._fd, expected)
            self._sync()
            return
        if head[:8] != ROWS_MAGIC:
            raise RowStreamError(f"{self.path}: not a row stream (magic {head[:8]!r}, expected {ROWS_MAGIC!r})")
        version, vtype, n, header_len = struct.unpack("<IIQQ", head[8:32])
        if version != ROWS_VERSION or header_len != ROWS_HEADER_LEN:
            raise RowStreamError(f"{self.path}: row-stream version {version} with a {header_len}-byte header; this writer appends to version {ROWS_VERSION} ({ROWS_HEADER_LEN} bytes)")
        if n != self.n or vtype != ROWS_VALUE_TYPES[self.dtype]:
            names = {v: k for k, v in ROWS_VALUE_TYPES.items()}
            raise RowStreamError(f"{self.path}: holds rows of n = {n} {names.get(vtype, f'type {vtype}')}; asked to append n = {self.n} {self.dtype}")
        whole = (size - ROWS_HEADER_LEN) // self._record_len
        end = ROWS_HEADER_LEN + whole * self._record_len
        if whole > 0:
            (last,) = struct.unpack("<q", _read_at(self._fd, end - self._record_len, 8))
            if last == END_STEP:
                raise RowStreamError(f"{self.path}: finished (it ends with the end marker); write a new file instead of resuming")
            self.last_step = last
        if end < size:
            os.ftruncate(self._fd, end)  # a producer killed mid-row left part of a record
            self._sync()

    def _resume_jsonl(self):
        size = os.fstat(self._fd).st_size
        # Find the last two newlines by reading backwards: the file may be large.
        newlines, pos, chunk = [], size, 1 << 16
        while pos > 0 and len(newlines) < 2:
            start = max(0, pos - chunk)
            block = _read_at(self._fd, start, pos - start)
            i = len(block)
            while len(newlines) < 2:
                i = block.rfind(b"\n", 0, i)
                if i < 0:
                    break
                newlines.append(start + i)
            pos = start
        complete_end = newlines[0] + 1 if newlines else 0
        if complete_end < size:
            os.ftruncate(self._fd, complete_end)  # a last line without its newline: killed mid-row
            self._sync()
        if not newlines:
            return
        line_start = newlines[1] + 1 if len(newlines) > 1 else 0
        line = _read_at(self._fd, line_start, complete_end - line_start)
        try:
            rec = json.loads(line)
        except ValueError as err:
            raise RowStreamError(f"{self.path}: last line is not JSON ({err})") from None
        if isinstance(rec, dict) and rec.get("end") is True:
            raise RowStreamError(f"{self.path}: finished (it ends with the end marker); write a new file instead of resuming")
        if not (isinstance(rec, dict) and isinstance(rec.get("step"), int) and isinstance(rec.get("losses"), list)):
            raise RowStreamError(f'{self.path}: last line is not a {{"step": ..., "losses": [...]}} record')
        if len(rec["losses"]) != self.n:
            raise RowStreamError(f"{self.path}: holds rows of n = {len(rec['losses'])}; asked to append n = {self.n}")
        self.last_step = rec["step"]

    # -- writing ----------------------------------------------------------------------------

    def _sync(self):
        if self.fsync:
            os.fsync(self._fd)

    def append(self, step, losses):
        """Writes one row (n losses at training step `step`), as one write call."""
        if self._fd is None:
            raise RowStreamError(f"{self.path}: closed")
        step = int(step)
        if step < 0:
            raise RowStreamError(f"step {step}: steps are >= 0")
        if self.last_step is not None and step <= self.last_step:
            raise RowStreamError(f"step {step} does not come after {self.last_step}: steps must increase")
        values = np.asarray(losses)
        if values.shape != (self.n,):
            raise RowStreamError(f"a row of shape {values.shape}; this stream holds rows of n = {self.n}")
        record = encode_rows_record(step, values, self.dtype) if self.format == "rows" else encode_jsonl_record(step, values, self.dtype)
        _write_all(self._fd, record)
        self._sync()
        self.last_step = step
        self.appended += 1

    def close(self, finished=True):
        """Closes the file; with `finished` (the default) first writes the end marker."""
        if self._fd is None:
            return
        try:
            if finished:
                end = encode_rows_record(END_STEP, np.zeros(self.n), self.dtype) if self.format == "rows" else JSONL_END
                _write_all(self._fd, end)
                os.fsync(self._fd)  # the end of a run: make it durable whatever `fsync` says
        finally:
            os.close(self._fd)
            self._fd = None

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close(finished=exc_type is None)
        return False


def read_row_stream(path, format=None):
    """Reads a row stream as a reader following it would: returns (steps int64 [T], losses
    float64 [T, n], finished). Only whole records count (a trailing partial record or a last
    line without its newline is a row still being written); `finished` says whether the end
    marker was found."""
    path = Path(path)
    fmt = format or {".rows": "rows", ".jsonl": "jsonl"}.get(path.suffix)
    data = path.read_bytes()
    if fmt == "rows":
        if len(data) < ROWS_HEADER_LEN or data[:8] != ROWS_MAGIC:
            raise RowStreamError(f"{path}: not a row stream")
        version, vtype, n, header_len = struct.unpack("<IIQQ", data[8:32])
        names = {v: k for k, v in ROWS_VALUE_TYPES.items()}
        if version != ROWS_VERSION or vtype not in names or n < 1 or header_len < ROWS_HEADER_LEN:
            raise RowStreamError(f"{path}: row-stream header (version {version}, value type {vtype}, n {n}, header length {header_len}) not understood")
        dtype = np.dtype(names[vtype]).newbyteorder("<")
        record = np.dtype([("step", "<i8"), ("losses", dtype, (n,))])
        whole = (len(data) - header_len) // record.itemsize
        recs = np.frombuffer(data, dtype=record, count=whole, offset=header_len)
        ends = np.flatnonzero(recs["step"] == END_STEP)
        finished = ends.size > 0
        if finished:
            recs = recs[: ends[0]]
        return recs["step"].astype(np.int64), recs["losses"].astype(np.float64), finished
    if fmt == "jsonl":
        steps, rows, finished = [], [], False
        complete = data[: data.rfind(b"\n") + 1]
        for line in complete.splitlines():
            rec = json.loads(line)
            if isinstance(rec, dict) and rec.get("end") is True:
                finished = True
                break
            steps.append(rec["step"])
            rows.append(rec["losses"])
        n = len(rows[0]) if rows else 0
        return np.asarray(steps, dtype=np.int64), np.asarray(rows, dtype=np.float64).reshape(len(rows), n), finished
    raise ValueError(f"{path}: format {format!r}; name the file *.rows or *.jsonl, or pass format='rows' or 'jsonl'")


def write_atomic(path, write, binary=True):
    """Calls write(f) on a temporary file beside `path`, syncs it, and renames it over `path`: a
    reader sees the old file or the new one, never half of one. The temporary file goes if
    `write` raises."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb" if binary else "w") as f:
            write(f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_json_atomic(path, obj):
    """write_atomic of one JSON document."""
    write_atomic(path, lambda f: json.dump(obj, f), binary=False)


# ---------------------------------------------------------------------------------------------
# Per-probe losses


def cross_entropy_float64(logits, targets):
    """Per-item cross-entropy over the last axis, in float64, accurate also when it is tiny.

    The usual log-softmax form, logsumexp(z) - z_y, cancels: for a confident, correct prediction
    the loss log(1 + sum_{j != y} e^(z_j - z_y)) is lost below the rounding of logsumexp(z)
    (float32 rounds it to a multiple of 1.2e-7 or to 0, which a log transform of the losses
    cannot use). Written with log1p when the target's logit is the largest, it keeps its full
    relative precision; otherwise the plain shifted logsumexp is exact enough (the loss is then
    at least the largest gap, > 0)."""
    z = logits.double()
    t = targets.unsqueeze(-1)
    d = (z - z.gather(-1, t)).scatter(-1, t, float("-inf"))  # z_j - z_y for j != y
    m = d.max(dim=-1).values
    small = torch.log1p(torch.exp(d).sum(dim=-1))  # used where m <= 0 (no term above 1)
    big = m + torch.log(torch.exp(-m) + torch.exp(d - m.unsqueeze(-1)).sum(dim=-1))
    return torch.where(m <= 0, small, big)


def cross_entropy_per_probe(logits, targets, token_mask=None):
    """Per-probe cross-entropy (cross_entropy_float64): [B, C] logits -> [B]; sequences
    [B, L, C] -> one loss per sequence, the mean over its tokens, or over the tokens where
    `token_mask` ([B, L] or [L], bool or 0/1) is set (e.g. only the second copy of a repeated
    segment)."""
    per_item = cross_entropy_float64(logits, targets)  # [B] or [B, L]
    if logits.dim() == 3:
        if token_mask is None:
            return per_item.mean(dim=1)
        mask = token_mask.to(per_item.dtype).expand_as(per_item)
        return (per_item * mask).sum(dim=1) / mask.sum(dim=1)
    if token_mask is not None:
        raise ValueError("token_mask applies to sequence outputs [B, L, C]")
    return per_item


class _ProbeSet:
    """The fixed probes and how one loss per probe is computed from the model."""

    def __init__(self, model, probe_inputs, probe_targets, groups, loss_fn, token_mask, batch_size):
        n = len(probe_inputs)
        if n < 1:
            raise ValueError("no probes")
        if len(probe_targets) != n:
            raise ValueError(f"{len(probe_targets)} targets for {n} probes")
        if groups is not None and len(groups) != n:
            raise ValueError(f"{len(groups)} group labels for {n} probes")
        if token_mask is not None:
            token_mask = torch.as_tensor(token_mask)
            if token_mask.dim() not in (1, 2) or (token_mask.dim() == 2 and token_mask.shape[0] != n):
                raise ValueError(f"token_mask of shape {tuple(token_mask.shape)}: expected [L] or [{n}, L]")
            counts = token_mask.reshape(-1, token_mask.shape[-1]).to(torch.float64).sum(dim=1)
            if bool((counts <= 0).any()):
                raise ValueError("token_mask selects no token of some probe")
        self.model = model
        self.inputs = probe_inputs
        self.targets = probe_targets
        self.groups = None if groups is None else [str(g) for g in groups]
        self.loss_fn = loss_fn
        self.token_mask = token_mask
        self.batch_size = int(batch_size)
        self.n = n

    @torch.no_grad()
    def losses(self):
        """float64 numpy array of the n probe losses at the model's current parameters."""
        device = next(self.model.parameters()).device
        parts = []
        for i in range(0, self.n, self.batch_size):
            x = self.inputs[i : i + self.batch_size].to(device)
            y = self.targets[i : i + self.batch_size].to(device)
            out = self.model(x)
            if self.token_mask is None:
                loss = self.loss_fn(out, y)
            else:
                m = self.token_mask if self.token_mask.dim() == 1 else self.token_mask[i : i + self.batch_size]
                loss = self.loss_fn(out, y, m.to(device))
            if tuple(loss.shape) != (len(x),):
                raise ValueError(f"loss_fn must return one loss per probe (shape [{len(x)}]), got shape {tuple(loss.shape)}")
            parts.append(loss.detach().to(torch.float64).cpu())
        return torch.cat(parts).numpy()

    def evaluating(self):
        return _EvalMode(self.model)


class _EvalMode:
    def __init__(self, model):
        self.model = model

    def __enter__(self):
        self.was_training = self.model.training
        self.model.eval()

    def __exit__(self, *exc):
        self.model.train(self.was_training)
        return False


def _stream_sidecar(stream_path):
    return stream_path.with_name(stream_path.stem + ".meta.json")


class LossRecorder:
    """One row of per-probe losses per `record(step)`; `save(out_dir)` writes losses.npy [T, n]
    + meta.json. With `stream=path` (a `.rows` or `.jsonl` file) every row is also appended to
    that file as it is recorded (see RowStreamWriter) and its groups go to the stream's sidecar
    `<name>.meta.json` at once, so `rdm2 watch` can follow the run live; call `close()` at the
    end (it writes the end marker). `resume=True` continues a killed run's stream.

    `loss_fn(outputs, targets)` must return one loss per probe; with `token_mask` it is called
    as `loss_fn(outputs, targets, mask)` with the mask rows of the batch. The default is
    `cross_entropy_per_probe`.

    Example::

        rec = LossRecorder(model, x_probe, y_probe, groups=["train"] * 64 + ["test"] * 64)
        for step in range(steps):
            if step % 10 == 0:
                rec.record(step)            # before this step's update
            ...                              # one optimiser step
        rec.save("runs/seed0", extra_meta={"transition": 1234})
    """

    def __init__(self, model, probe_inputs, probe_targets, groups=None, loss_fn=cross_entropy_per_probe, token_mask=None,
                 batch_size=512, stream=None, stream_dtype="float32", resume=False, fsync=False):
        self.probes = _ProbeSet(model, probe_inputs, probe_targets, groups, loss_fn, token_mask, batch_size)
        self.steps = []
        self.rows = []
        self.stream = None
        if stream is not None:
            stream = Path(stream)
            if stream.stem == "losses":
                # its sidecar losses.meta.json would shadow meta.json for losses.npy in the same directory
                raise ValueError(f"{stream}: name the stream something other than losses.* (e.g. live{stream.suffix})")
            existed = resume and stream.exists()
            self.stream = RowStreamWriter(stream, self.probes.n, dtype=stream_dtype, resume=resume, fsync=fsync)
            if existed:
                # keep the killed run's rows, so that save() writes the whole run
                steps, rows, _ = read_row_stream(stream, self.stream.format)
                self.steps = [int(s) for s in steps]
                self.rows = list(rows)
            if self.probes.groups is not None:
                write_json_atomic(_stream_sidecar(stream), {"groups": self.probes.groups})

    @property
    def n(self):
        return self.probes.n

    def record(self, step):
        """Records the probe losses at the current parameters as the row of `step` (steps must
        increase); returns the row (float64)."""
        step = int(step)
        if self.steps and step <= self.steps[-1]:
            raise ValueError(f"steps must increase: {step} after {self.steps[-1]}")
        with self.probes.evaluating():
            row = self.probes.losses()
        if self.stream is not None:
            self.stream.append(step, row)
        self.rows.append(row)
        self.steps.append(step)
        return row

    def save(self, out_dir, extra_meta=None, dtype=np.float32):
        """Writes out_dir/losses.npy ([T, n], float32 by default) and out_dir/meta.json (`steps`,
        `groups` and whatever `extra_meta` holds: metric curves, `transition`), each atomically."""
        if not self.rows:
            raise ValueError("nothing recorded")
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / "losses.npy", lambda f: np.save(f, np.stack(self.rows).astype(dtype)))
        meta = {"steps": self.steps}
        if self.probes.groups is not None:
            meta["groups"] = self.probes.groups
        meta.update(extra_meta or {})
        write_json_atomic(out / "meta.json", meta)

    def close(self, finished=True):
        """Closes the stream (with its end marker when `finished`)."""
        if self.stream is not None:
            self.stream.close(finished=finished)


# ---------------------------------------------------------------------------------------------
# Gaussian 2RDM


class GaussianRecorder:
    """The Gaussian 2RDM (the paper's Proposition 2.1): at a checkpoint theta_0, K draws
    theta_0 + sigma * s * eps with eps ~ N(0, I), each probe's loss per draw. To leading order in
    sigma the covariance of the K loss vectors is sigma^2 G S G^T (G the n x p per-probe
    gradient Jacobian, S = diag(s^2)): a local view of the loss landscape that needs no window
    of checkpoints.

    `scale="isotropic"`: s = 1 for every parameter. `scale="per_tensor"`: s = the root mean
    square of the tensor's entries at theta_0, so each weight matrix is perturbed relative to its
    own size (a tensor that is all zeros is left unperturbed). Only `model.parameters()` with
    requires_grad are perturbed; buffers (batch-norm statistics) are not. The draws come from a
    generator seeded by (seed, step), so a recording is reproducible. The parameters are
    restored bit for bit after each recording, also when a forward pass raises.

    `save(out_dir)` writes losses.npy [T, K, n] (float64 by default: the differences between
    draws are small against the losses themselves) and meta.json (`steps`, `groups`, `sigma`,
    `K`, `scale`, `seed`), which `rdm2 analyze` reads as one Gaussian 2RDM per checkpoint.

    Example::

        g = GaussianRecorder(model, x_probe, y_probe, sigma=1e-3, K=256, groups=labels)
        g.record(step)
        g.save("runs/seed0-gauss")
    """

    def __init__(self, model, probe_inputs, probe_targets, sigma, K, groups=None, scale="isotropic", seed=0,
                 loss_fn=cross_entropy_per_probe, token_mask=None, batch_size=512):
        if not (isinstance(sigma, (int, float)) and math.isfinite(sigma) and sigma > 0):
            raise ValueError(f"sigma = {sigma!r}: expected a finite number > 0")
        if int(K) < 2:
            raise ValueError(f"K = {K}: a covariance needs at least 2 draws")
        if scale not in ("isotropic", "per_tensor"):
            raise ValueError(f"scale = {scale!r}: expected 'isotropic' or 'per_tensor'")
        self.probes = _ProbeSet(model, probe_inputs, probe_targets, groups, loss_fn, token_mask, batch_size)
        self.sigma = float(sigma)
        self.K = int(K)
        self.scale = scale
        self.seed = int(seed)
        self.steps = []
        self.blocks = []

    def _scales(self, params):
        if self.scale == "isotropic":
            return [1.0] * len(params)
        return [float(p.detach().double().pow(2).mean().sqrt()) for p in params]

    @torch.no_grad()
    def record(self, step):
        """Records the [K, n] block of `step`; returns it (float64)."""
        step = int(step)
        if self.steps and step <= self.steps[-1]:
            raise ValueError(f"steps must increase: {step} after {self.steps[-1]}")
        model = self.probes.model
        params = [p for p in model.parameters() if p.requires_grad]
        if not params:
            raise ValueError("the model has no trainable parameters to perturb")
        theta0 = [p.detach().clone() for p in params]
        scales = self._scales(params)
        gen = torch.Generator(device="cpu")
        gen.manual_seed((self.seed * 1_000_003 + step) % (2**63))
        block = np.empty((self.K, self.probes.n), dtype=np.float64)
        with self.probes.evaluating():
            try:
                for k in range(self.K):
                    for p, p0, s in zip(params, theta0, scales):
                        eps = torch.randn(p.shape, generator=gen, dtype=p.dtype)
                        p.copy_(p0 + (self.sigma * s) * eps.to(p.device))
                    block[k] = self.probes.losses()
            finally:
                for p, p0 in zip(params, theta0):
                    p.copy_(p0)
        self.blocks.append(block)
        self.steps.append(step)
        return block

    def save(self, out_dir, extra_meta=None, dtype=np.float64):
        """Writes out_dir/losses.npy ([T, K, n]) and out_dir/meta.json, each atomically."""
        if not self.blocks:
            raise ValueError("nothing recorded")
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        write_atomic(out / "losses.npy", lambda f: np.save(f, np.stack(self.blocks).astype(dtype)))
        meta = {"steps": self.steps, "sigma": self.sigma, "K": self.K, "scale": self.scale, "seed": self.seed}
        if self.probes.groups is not None:
            meta["groups"] = self.probes.groups
        meta.update(extra_meta or {})
        write_json_atomic(out / "meta.json", meta)
