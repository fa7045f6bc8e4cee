"""CPU and peak memory of notebook 02's lead pipeline, step by step, on one sample folder.

Reads only the four tables the pipeline needs (``read_table``: leads, customers,
regions, reps; not the whole dataset, not its check) and times, with
``time.process_time()`` (CPU of this process), the de-duplication, the scorer's fit,
the scoring with its explanations, the assignment, the factor table, the call lists
and the explore frame, and the held-out evidence (five-fold backtest), printing after
each step the peak resident memory so far.

Usage::

    /usr/bin/time -v python benchmarks/bench_leads_scale.py /tmp/scale26/x100
"""

from __future__ import annotations

import argparse
import resource
import time

from salesnb import leads
from salesnb.data import read_table


class Steps:
    """Print the CPU seconds since the last step and the peak RSS so far."""

    def __init__(self) -> None:
        self.last = time.process_time()

    def done(self, label: str) -> None:
        """Print one step."""
        now = time.process_time()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        print(f"{label:9s} {now - self.last:7.1f} s CPU, peak {peak:.2f} GB", flush=True)
        self.last = now


def main() -> None:
    """Run notebook 02's calls in order on ``data`` and print each step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="sample folder, e.g. /tmp/scale26/x100")
    parser.add_argument("--as-of", default="2026-10-31")
    args = parser.parse_args()
    steps = Steps()
    tabs = {name: read_table(args.data, name) for name in ("leads", "customers", "regions", "reps")}
    steps.done("read")
    snap = leads.snapshot(tabs["leads"], as_of=args.as_of)
    dedup = leads.deduplicate(snap, customers=tabs["customers"])
    steps.done("dedup")
    X, y = leads.history(snap, tabs["regions"])
    scorer = leads.fit_scorer(X, y, fallback=leads.lead_features(dedup.open_leads(), tabs["regions"]))
    steps.done("fit")
    scored = leads.score_leads(scorer, dedup.open_leads(), tabs["regions"])
    steps.done("score")
    plan = leads.assign_leads(scored, tabs["reps"], tabs["regions"], as_of=args.as_of)
    steps.done("assign")
    leads.factor_table(scorer, leads.lead_features(scored, tabs["regions"]))
    steps.done("factors")
    leads.call_lists(plan, scored, reps=tabs["reps"], regions=tabs["regions"], mask=True)
    leads.explore_frame(scored, plan, regions=tabs["regions"], reps=tabs["reps"], mask=True)
    steps.done("lists")
    leads.backtest(scorer, X, y)
    steps.done("backtest")
    print(f"{len(snap):,} leads, {len(X):,} closed, {len(scored):,} open")


if __name__ == "__main__":
    main()
