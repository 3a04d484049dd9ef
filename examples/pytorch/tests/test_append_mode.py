"""The recorder's append mode against docs/row-stream.md: byte layout, one write per record,
the end marker, and a producer killed with SIGKILL (mid-row, and at random moments) leaving no
half row readable and a file that resumes."""
import json
import os
import random
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch

import rdm2_recorder as rr
from rdm2_recorder import LossRecorder, RowStreamError, RowStreamWriter, read_row_stream
from stream_writer_child import row_values

CHILD = Path(__file__).with_name("stream_writer_child.py")


# -- an independent reader, written from the spec (not from the writer's code) -----------------

def spec_read(path):
    """(steps, rows, finished) as docs/row-stream.md says a reader sees the file."""
    data = Path(path).read_bytes()
    if path.suffix == ".rows":
        assert data[:8] == b"RDM2ROWS"
        version, vtype, n, header_len = struct.unpack("<IIQQ", data[8:32])
        assert (version, header_len) == (1, 64) and data[32:64] == bytes(32)
        fmt, size = {1: ("<f", 4), 2: ("<d", 8)}[vtype]
        R = 8 + n * size
        steps, rows, finished = [], [], False
        for i in range((len(data) - 64) // R):
            rec = data[64 + i * R : 64 + (i + 1) * R]
            (step,) = struct.unpack("<q", rec[:8])
            values = [struct.unpack(fmt, rec[8 + j * size : 8 + (j + 1) * size])[0] for j in range(n)] if n <= 64 else np.frombuffer(rec[8:], dtype=fmt)
            if step == -1:
                assert np.all(np.asarray(values) == 0) and 64 + (i + 1) * R == len(data), "end marker: zeros, and nothing after it"
                finished = True
                break
            steps.append(step)
            rows.append(values)
        return steps, rows, finished
    steps, rows, finished = [], [], False
    lines = data.split(b"\n")[:-1]  # the part after the last newline is still being written
    for k, line in enumerate(lines):
        rec = json.loads(line)
        if rec == {"end": True}:
            assert k == len(lines) - 1 and data.endswith(b"\n"), "nothing follows the end marker"
            finished = True
            break
        steps.append(rec["step"])
        rows.append(rec["losses"])
    return steps, rows, finished


def assert_whole_rows(steps, rows, n):
    """Steps 0, 1, 2, ... each with exactly the values its producer wrote."""
    assert steps == list(range(len(steps)))
    for s, row in zip(steps, rows):
        np.testing.assert_array_equal(np.asarray(row), row_values(s, n))  # exact: the values are exactly representable


def assert_rows_are(path, steps_expected, n, finished):
    steps, rows, fin = spec_read(path)
    assert steps == list(steps_expected)
    for s, row in zip(steps, rows):
        np.testing.assert_array_equal(np.asarray(row), row_values(s, n))
    assert fin == finished


# -- layout --------------------------------------------------------------------------------------

@pytest.mark.parametrize("dtype,code,fmt", [("float32", 1, "<f"), ("float64", 2, "<d")])
def test_rows_bytes_follow_the_spec(tmp_path, dtype, code, fmt):
    path = tmp_path / "a.rows"
    with RowStreamWriter(path, n=3, dtype=dtype) as w:
        w.append(7, [1.5, -2.0, 0.125])
        w.append(9, [3.0, 4.0, 5.0])
    data = path.read_bytes()
    size = struct.calcsize(fmt)
    R = 8 + 3 * size
    assert len(data) == 64 + 3 * R
    assert data[:8] == b"RDM2ROWS"
    assert struct.unpack("<IIQQ", data[8:32]) == (1, code, 3, 64)
    assert data[32:64] == bytes(32)
    assert data[64:64 + R] == struct.pack("<q", 7) + struct.pack("<" + fmt[1] * 3, 1.5, -2.0, 0.125)
    assert data[64 + R:64 + 2 * R] == struct.pack("<q", 9) + struct.pack("<" + fmt[1] * 3, 3.0, 4.0, 5.0)
    assert data[64 + 2 * R:] == struct.pack("<q", -1) + bytes(3 * size)
    steps, losses, finished = read_row_stream(path)
    assert steps.tolist() == [7, 9] and losses.tolist() == [[1.5, -2.0, 0.125], [3.0, 4.0, 5.0]] and finished


def test_jsonl_lines_follow_the_spec(tmp_path):
    path = tmp_path / "a.jsonl"
    values = [0.1, 1e-300, float("nan")]
    with RowStreamWriter(path, n=3, dtype="float64") as w:
        w.append(0, values)
        w.append(100, [1.0, 2.0, 3.0])
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and lines[-2] == b'{"end": true}' and len(lines) == 4
    first = json.loads(lines[0])
    assert first["step"] == 0 and first["losses"][:2] == [0.1, 1e-300] and np.isnan(first["losses"][2])  # repr round-trips float64
    assert json.loads(lines[1]) == {"step": 100, "losses": [1.0, 2.0, 3.0]}
    # float32 (the default, as .rows and losses.npy): each value rounded to float32 first
    path32 = tmp_path / "b.jsonl"
    with RowStreamWriter(path32, n=3) as w:
        w.append(0, values)
    first = json.loads(path32.read_bytes().split(b"\n")[0])
    assert first["losses"][:2] == [float(np.float32(0.1)), 0.0] and np.isnan(first["losses"][2])


@pytest.mark.parametrize("name", ["a.rows", "a.jsonl"])
def test_one_write_call_per_record(tmp_path, monkeypatch, name):
    calls = []
    real_write = os.write

    def counting_write(fd, data):
        calls.append(len(data))
        return real_write(fd, data)

    w = RowStreamWriter(tmp_path / name, n=1000)
    monkeypatch.setattr(os, "write", counting_write)
    for s in range(3):
        before = os.path.getsize(tmp_path / name)
        w.append(s, row_values(s, 1000))
        assert len(calls) == s + 1 and calls[-1] == os.path.getsize(tmp_path / name) - before
    w.close()
    assert len(calls) == 4  # the end marker, one write too


def test_new_file_is_never_overwritten(tmp_path):
    path = tmp_path / "a.rows"
    path.write_bytes(b"precious")
    with pytest.raises(FileExistsError):
        RowStreamWriter(path, n=2)
    assert path.read_bytes() == b"precious"


# -- killed producers ------------------------------------------------------------------------------

@pytest.fixture
def producers():
    """Starts producer processes; kills whichever are still alive when the test ends, pass or fail."""
    started = []

    def start(path, n, mode):
        p = subprocess.Popen([sys.executable, str(CHILD), str(path), str(n), mode], stdout=subprocess.PIPE, text=True)
        started.append(p)
        assert p.stdout.readline().strip() == "ready"
        return p

    yield start
    for p in started:
        if p.poll() is None:
            p.kill()
            p.wait()
        p.stdout.close()


def kill(p):
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert p.returncode == -signal.SIGKILL


@pytest.mark.parametrize("name", ["a.rows", "a.jsonl"])
def test_killed_mid_row_leaves_no_half_row_and_resumes(tmp_path, name, producers):
    path, n = tmp_path / name, 6
    kill(producers(path, n, "half"))
    data = path.read_bytes()
    # the half record is on disk ...
    if path.suffix == ".rows":
        assert (len(data) - 64) % (8 + 4 * n) == (8 + 4 * n) // 2
    else:
        assert not data.endswith(b"\n")
    # ... and no reader sees it
    assert_rows_are(path, range(5), n, finished=False)
    steps, losses, finished = read_row_stream(path)
    assert steps.tolist() == list(range(5)) and not finished

    w = RowStreamWriter(path, n=n, resume=True)
    assert w.last_step == 4
    with pytest.raises(RowStreamError, match="does not come after 4"):
        w.append(4, row_values(4, n))
    for s in (5, 6, 7):
        w.append(s, row_values(s, n))
    w.close()
    assert_rows_are(path, range(8), n, finished=True)
    with pytest.raises(RowStreamError, match="finished"):
        RowStreamWriter(path, n=n, resume=True)
    assert_rows_are(path, range(8), n, finished=True)  # the refusal left the file alone


@pytest.mark.parametrize("name,n", [("a.rows", 100_000), ("a.jsonl", 20_000)])
def test_killed_at_random_moments(tmp_path, name, n, producers):
    """Big records (~400 KB) while readers poll, then a kill at a random moment. Whether a kill
    cuts a record is chance (on Linux a single write to a regular file is rarely cut; the test
    above cuts one on purpose); every outcome is checked."""
    rng = random.Random(11)
    for trial in range(3):
        path = tmp_path / f"{trial}{name}"
        p = producers(path, n, "loop")
        for _ in range(3):  # readers while it grows: only whole, correct rows
            steps, rows, fin = spec_read(path)
            assert_whole_rows(steps, rows, n)
            assert not fin
        time.sleep(rng.uniform(0.0, 0.05))
        kill(p)
        steps, _, _ = spec_read(path)
        assert len(steps) >= 3
        assert_rows_are(path, range(len(steps)), n, finished=False)
        with RowStreamWriter(path, n=n, resume=True) as w:
            assert w.last_step == len(steps) - 1
            w.append(len(steps), row_values(len(steps), n))
        assert_rows_are(path, range(len(steps) + 1), n, finished=True)
        path.unlink()  # up to 26 MB each


# -- resume refusals -------------------------------------------------------------------------------

def test_resume_refuses_a_different_stream(tmp_path):
    path = tmp_path / "a.rows"
    with RowStreamWriter(path, n=4, dtype="float32") as w:
        w.append(0, [1, 2, 3, 4])
    path.write_bytes(path.read_bytes()[: -(8 + 16)])  # drop the end marker: an unfinished run
    with pytest.raises(RowStreamError, match="n = 4 float32; asked to append n = 5 float32"):
        RowStreamWriter(path, n=5, resume=True)
    with pytest.raises(RowStreamError, match="n = 4 float32; asked to append n = 4 float64"):
        RowStreamWriter(path, n=4, dtype="float64", resume=True)
    other = tmp_path / "b.rows"
    other.write_bytes(b"NOTROWS!" + bytes(100))
    with pytest.raises(RowStreamError, match="not a row stream"):
        RowStreamWriter(other, n=4, resume=True)
    j = tmp_path / "c.jsonl"
    j.write_text('{"step": 3, "losses": [1, 2]}\n')
    with pytest.raises(RowStreamError, match="n = 2; asked to append n = 3"):
        RowStreamWriter(j, n=3, resume=True)
    (tmp_path / "d.rows").mkdir()
    with pytest.raises((RowStreamError, IsADirectoryError)):
        RowStreamWriter(tmp_path / "d.rows", n=4, resume=True)


def test_resume_after_a_kill_inside_the_header(tmp_path):
    path = tmp_path / "a.rows"
    path.write_bytes(rr.encode_rows_header(3)[:20])
    with RowStreamWriter(path, n=3, resume=True) as w:
        assert w.last_step is None
        w.append(0, row_values(0, 3))
    assert_rows_are(path, [0], 3, finished=True)
    bad = tmp_path / "b.rows"
    bad.write_bytes(b"RDM2ROWX")
    with pytest.raises(RowStreamError, match="not the start of a row-stream header"):
        RowStreamWriter(bad, n=3, resume=True)


def test_resume_of_a_missing_file_creates_it(tmp_path):
    with RowStreamWriter(tmp_path / "a.jsonl", n=2, resume=True) as w:
        w.append(0, row_values(0, 2))
    assert_rows_are(tmp_path / "a.jsonl", [0], 2, finished=True)


def test_bad_rows_are_refused(tmp_path):
    w = RowStreamWriter(tmp_path / "a.rows", n=3)
    with pytest.raises(RowStreamError, match="n = 3"):
        w.append(0, [1.0, 2.0])
    with pytest.raises(RowStreamError, match=">= 0"):
        w.append(-1, [1.0, 2.0, 3.0])
    w.close()
    with pytest.raises(RowStreamError, match="closed"):
        w.append(1, [1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"\*.rows or \*.jsonl"):
        RowStreamWriter(tmp_path / "a.csv", n=3)


def test_an_exception_leaves_the_stream_unfinished(tmp_path):
    path = tmp_path / "a.rows"
    with pytest.raises(KeyError):
        with RowStreamWriter(path, n=2) as w:
            w.append(0, row_values(0, 2))
            raise KeyError("training crashed")
    assert_rows_are(path, [0], 2, finished=False)


# -- the recorder's stream ---------------------------------------------------------------------------

def test_loss_recorder_streams_each_row_and_resumes(tmp_path):
    torch.manual_seed(0)
    model = torch.nn.Linear(4, 3)
    x, y = torch.randn(10, 4), torch.randint(0, 3, (10,))
    groups = ["a"] * 5 + ["b"] * 5
    stream = tmp_path / "live.rows"
    rec = LossRecorder(model, x, y, groups=groups, stream=stream)
    assert json.loads((tmp_path / "live.meta.json").read_text()) == {"groups": groups}
    rows = []
    for step in (0, 10, 20):
        rows.append(rec.record(step))
        with torch.no_grad():
            model.weight.add_(0.1)
        steps, losses, fin = read_row_stream(stream)
        assert steps.tolist() == [0, 10, 20][: len(rows)] and not fin  # on disk as soon as recorded
        np.testing.assert_array_equal(losses, np.asarray(rows, dtype=np.float32))
    rec.close(finished=False)  # as a killed run leaves it

    rec2 = LossRecorder(model, x, y, groups=groups, stream=stream, resume=True)
    assert rec2.steps == [0, 10, 20]
    with pytest.raises(ValueError, match="steps must increase"):
        rec2.record(20)
    rows.append(rec2.record(30))
    rec2.close()
    rec2.save(tmp_path / "out")
    saved = np.load(tmp_path / "out" / "losses.npy")
    np.testing.assert_array_equal(saved, np.asarray(rows, dtype=np.float32))
    assert json.loads((tmp_path / "out" / "meta.json").read_text()) == {"steps": [0, 10, 20, 30], "groups": groups}
    steps, _, fin = read_row_stream(stream)
    assert steps.tolist() == [0, 10, 20, 30] and fin


def test_loss_recorder_refuses_a_stream_named_losses(tmp_path):
    model = torch.nn.Linear(2, 2)
    with pytest.raises(ValueError, match="other than losses"):
        LossRecorder(model, torch.randn(3, 2), torch.zeros(3, dtype=torch.long), stream=tmp_path / "losses.rows")
