"""What the three real-setting scripts (grokking.py, induction_heads.py,
misalignment_analogue.py) share: their command line, determinism, the transition rule and
writing a run (losses.npy + meta.json through LossRecorder.save).

Every run is deterministic: one thread (torch.set_num_threads(1): a shared machine, and
reductions whose order does not depend on a thread count), seeds derived from --seed only, and
torch.use_deterministic_algorithms(True). A rerun on the same machine and torch build gives the
same bytes (checked by `npm run record:real`, see docs/real-networks.md).
"""
import argparse
import json
import sys
import time
from pathlib import Path

import torch


def parse_args(name, description, sizes, argv=None):
    """--seed, --size (one of `sizes`), --out (default runs/<name>/<size>-seed<k>)."""
    ap = argparse.ArgumentParser(prog=f"{name}.py", description=description)
    ap.add_argument("--seed", type=int, default=0, help="seed of the run (model init, data, probes); default 0")
    ap.add_argument("--size", choices=sorted(sizes), default="full", help="smoke: seconds, for tests; full: the shipped recordings (default)")
    ap.add_argument("--out", type=Path, help=f"output directory (default runs/{name}/<size>-seed<seed>)")
    args = ap.parse_args(argv)
    if args.seed < 0:
        ap.error("--seed must be >= 0")
    if args.out is None:
        args.out = Path("runs") / name / f"{args.size}-seed{args.seed}"
    return args


def make_deterministic(seed):
    """One thread, deterministic kernels, and the global seed; returns a generator for data."""
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def first_step_reaching(steps, values, level):
    """The first recorded step whose value is >= level, or None when none is."""
    for s, v in zip(steps, values):
        if v >= level:
            return int(s)
    return None


def start(name, doc, sizes, argv=None):
    """The opening of every setting script: its arguments, its size's settings, the clock, and
    the data generator of a deterministic run."""
    args = parse_args(name, doc.split("\n\n")[0], sizes, argv)
    clock = Clock()
    return args, sizes[args.size], clock, make_deterministic(args.seed)


class Clock:
    """Wall and CPU seconds of a run, printed at its end (not stored in meta.json, which stays
    the same bytes on a rerun)."""

    def __init__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def seconds(self):
        return {"wall": round(time.perf_counter() - self.wall, 2), "cpu": round(time.process_time() - self.cpu, 2)}


def write_run(args, setting, recorder, config, metrics, transition, rule, clock, outcome=None):
    """Saves losses.npy + meta.json and prints one JSON line about the run on stdout. `config`
    is the size's settings (the same for every seed); `outcome` holds this run's own numbers."""
    steps = recorder.steps
    for key, values in metrics.items():
        if len(values) != len(steps):
            raise AssertionError(f"metric {key}: {len(values)} values for {len(steps)} checkpoints")
    meta = {
        "setting": setting,
        "size": args.size,
        "seed": args.seed,
        "config": config,
        "metrics": {k: [float(v) for v in vals] for k, vals in metrics.items()},
        "transition": transition,
        "transition_rule": rule,
        "outcome": outcome or {},
        "torch": torch.__version__,
    }
    if transition is None:
        del meta["transition"]
    recorder.save(args.out, extra_meta=meta)
    before = sum(1 for s in steps if transition is not None and s < transition)
    line = {"setting": setting, "size": args.size, "seed": args.seed, "out": str(args.out), "checkpoints": len(steps),
            "probes": recorder.n, "transition": transition, "checkpoints_before_transition": before, "seconds": clock.seconds()}
    print(json.dumps(line), flush=True)
    if transition is None:
        print(f"{setting}: no transition by the rule ({rule})", file=sys.stderr)
