"""A producer process for the append-mode tests, killed by the parent with SIGKILL.

    stream_writer_child.py PATH N MODE

MODE "half": appends rows 0..4, then the first half of row 5's record (as a producer stopped
inside its write would leave it), prints "ready" and sleeps until killed.
MODE "loop": appends rows 0, 1, 2, ... up to 63 (a bound, so that a child the parent failed to
kill cannot fill the disk), printing "ready" after the first three, then sleeps.
Row s holds row_values(s, n): the parent checks every readable row against it.
"""
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import numpy as np  # noqa: E402

from rdm2_recorder import RowStreamWriter, encode_jsonl_record, encode_rows_record  # noqa: E402


def row_values(step, n):
    # distinct, exactly representable in float32 and float64, different in every row
    return (np.arange(n, dtype=np.float64) + 1.0) * 0.25 + step * 1024.0


def main():
    path, n, mode = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    w = RowStreamWriter(path, n)
    if mode == "half":
        for s in range(5):
            w.append(s, row_values(s, n))
        record = encode_rows_record(5, row_values(5, n)) if w.format == "rows" else encode_jsonl_record(5, row_values(5, n))
        os.write(w._fd, record[: len(record) // 2])
        print("ready", flush=True)
        time.sleep(600)
    elif mode == "loop":
        for s in range(64):
            w.append(s, row_values(s, n))
            if s == 2:
                print("ready", flush=True)
        time.sleep(600)
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
