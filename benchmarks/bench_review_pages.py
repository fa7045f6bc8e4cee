"""Review pages at scale: CPU of notebook 04's team page and of each rep page after it.

Runs what notebook ``04_periodic_review`` runs, in one process as the runner runs a
``--per-rep`` pack in one kernel: open the dataset once, build the team page (every
section of :data:`salesnb.review.views.SECTIONS`, the money cards, the Explore view, each
chart drawn to PNG), then each rep page the same way. Prints the CPU seconds of each
page (user + system, from ``resource.getrusage``; system time swells when the machine
reclaims memory); with ``--profile`` also the top functions of a cProfile of the rep
pages only.

Usage::

    python benchmarks/bench_review_pages.py --data /tmp/scale26/x10 --reps R001,R002
    python benchmarks/bench_review_pages.py --data /tmp/scale26/x10 --reps R001,R002 --profile 40

Not run by the test suite.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
from typing import Any

import matplotlib

matplotlib.use("Agg")


def build_page(ds: Any, rep_id: str | None, *, period_end: str) -> list[Any]:
    """Build one page of notebook 04 (every section, money cards, Explore) and return its outputs."""
    from unittest import mock

    from matplotlib.figure import Figure

    from salesnb import plots
    from salesnb.review import open_review, views

    page = open_review(ds, period="month", period_end=period_end, rep_id=rep_id,
                       sla={"response_sla_hours": 24, "resolution_sla_days": 7})
    out = []
    for item in [*views.render(page), views.money_cards(page)]:
        out.append(plots.to_png(item) if isinstance(item, Figure) else item)
    with mock.patch("IPython.display.display"):
        views.explore(page)
    matplotlib.pyplot.close("all")
    return out


def _cpu() -> tuple[float, float]:
    """Return this process's user and system CPU seconds."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def _since(start: tuple[float, float]) -> str:
    """Return the CPU seconds since ``start`` as text: user+sys (user, sys)."""
    user, system = (b - a for a, b in zip(start, _cpu(), strict=True))
    return f"{user + system:7.2f} s CPU ({user:.2f} user, {system:.2f} sys)"


def main() -> None:
    """Time the team page and the given rep pages."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default="sample")
    parser.add_argument("--reps", default="R001,R002")
    parser.add_argument("--period-end", default="2026-10-31")
    parser.add_argument("--profile", type=int, default=0, help="print this many functions of a cProfile")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--only", default="", help="restrict the profile listing to paths matching this")
    parser.add_argument("--warm", type=int, default=0, help="leave the first WARM rep pages out of the profile")
    args = parser.parse_args()

    from salesnb import i18n
    from salesnb.data import load

    i18n.set_language("en")
    t0 = _cpu()
    ds = load(args.data)
    print(f"load        {_since(t0)}", flush=True)
    t0 = _cpu()
    build_page(ds, None, period_end=args.period_end)
    print(f"team page   {_since(t0)}", flush=True)
    prof = cProfile.Profile() if args.profile else None
    for i, rep in enumerate(r for r in args.reps.split(",") if r):
        t0 = _cpu()
        if prof and i >= args.warm:
            prof.enable()
        build_page(ds, rep, period_end=args.period_end)
        if prof and i >= args.warm:
            prof.disable()
        print(f"rep {rep:7s} {_since(t0)}", flush=True)
    if prof:
        pstats.Stats(prof).sort_stats(args.sort).print_stats(*([args.only] if args.only else []), args.profile)


if __name__ == "__main__":
    main()
