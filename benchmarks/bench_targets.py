"""Target breakdown speed: a 500-rep company planned to every working day.

Generates the sample company at ``--scale`` (20 → 500 reps, ~900,000 order lines),
loads it once, then times :func:`salesnb.targets.breakdown` in-process: the first
(cold) call and the median of ``--repeat`` warm calls, for each method. Also times
the grouped largest-remainder engine alone on one million parts, and the xlsx export
of the bundled sample's plan.

Usage::

    python benchmarks/bench_targets.py                # scale 20, 3 warm runs
    python benchmarks/bench_targets.py --scale 4 --repeat 5
    python benchmarks/bench_targets.py --data /tmp/big  # reuse a generated folder

Not run by the test suite (the goal, under 2 s for 500 reps x 365 days, is measured
here, not asserted). Prints one line per measurement.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from salesnb import targets
from salesnb.data import load
from salesnb.sample import generate
from salesnb.targets.allocate import hamilton

GOAL_SECONDS = 2.0


def timed(fn, *args, **kwargs):
    """Call ``fn`` and return its result with the seconds it took."""
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def bench_engine() -> None:
    """Time the largest-remainder engine: a million parts in 50,000 groups."""
    rng = np.random.default_rng(0)
    n, size = 1_000_000, 20
    group = np.repeat(np.arange(n // size), size)
    weights = rng.random(n)
    totals = rng.integers(0, 10**7, n // size)
    hamilton(totals[:10], group[: 10 * size], weights[: 10 * size])  # warm-up
    parts, seconds = timed(hamilton, totals, group, weights)
    assert (np.bincount(group, weights=parts) == totals).all()
    print(f"largest remainder, 1,000,000 parts in {n // size:,} groups: {seconds:.3f} s")


def bench_plan(data: Path, repeat: int) -> None:
    """Time a full target breakdown per method on one dataset (median of ``repeat`` warm runs)."""
    dataset, seconds = timed(load, data)
    n_reps, n_lines = len(dataset.reps), len(dataset.orders)
    print(f"dataset: {n_reps} reps, {n_lines:,} order lines (load {seconds:.1f} s, not counted)")
    for method in targets.METHODS:
        plan, cold = timed(targets.breakdown, dataset, year=2027, growth_pct=8, method=method)
        warm = [timed(targets.breakdown, dataset, year=2027, growth_pct=8, method=method)[1]
                for _ in range(repeat)]
        median = statistics.median(warm)
        reps = int((plan.reps["target"] > 0).sum())
        verdict = "ok" if median < GOAL_SECONDS else "SLOWER THAN GOAL"
        print(f"breakdown {method:<16} {reps} reps x {plan.daily['date'].nunique()} working days, "
              f"{len(plan.daily):,} daily rows, {len(plan.audit):,} audit checks (all ok: {plan.ok}): "
              f"cold {cold:.2f} s, warm median {median:.2f} s [{verdict}, goal < {GOAL_SECONDS:.0f} s]")


def bench_export() -> None:
    """Time writing the sample's plan as an xlsx workbook."""
    sample = load("sample")
    plan = targets.breakdown(sample, year=2027, growth_pct=8)
    with tempfile.TemporaryDirectory() as tmp:
        _, seconds = timed(targets.to_xlsx, plan, Path(tmp) / "targets.xlsx")
    print(f"xlsx export of the sample plan ({int((plan.reps['target'] > 0).sum())} rep sheets): {seconds:.2f} s")


def main(argv: list[str] | None = None) -> int:
    """Generate a large sample and print every timing."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=float, default=20.0, help="sample scale (20 = 500 reps)")
    parser.add_argument("--repeat", type=int, default=3, help="warm runs per method")
    parser.add_argument("--data", type=Path, help="an existing dataset folder to plan instead")
    args = parser.parse_args(argv)
    bench_engine()
    if args.data:
        bench_plan(args.data, args.repeat)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            _, seconds = timed(generate, Path(tmp) / "big", scale=args.scale)
            print(f"generated the sample at scale {args.scale:g} in {seconds:.1f} s (not counted)")
            bench_plan(Path(tmp) / "big", args.repeat)
    bench_export()
    return 0


if __name__ == "__main__":
    sys.exit(main())
