"""CPU and peak memory of one notebook's code, run in this process (market analysis, money page).

Runs the code cells of a notebook in order, as the kernel would, with ``data`` set to
the folder given (the other parameters keep their defaults), charts drawn to PNG and
nothing displayed. Prints the CPU seconds of the cells (``time.process_time``: user +
system of this process, so other programs on the machine do not inflate it), the peak
resident memory of the process, and the costliest cells; ``--profile FILE`` also writes
a cProfile of the cells (CPU timer). The dataset is read from the load cache when a
previous load filled it (load it once first, as a pack's data check does)::

    python -c "from salesnb.data import load; load('/tmp/scale26/x100', on_bad_rows='reject')"
    /usr/bin/time -v python benchmarks/bench_market.py notebooks/01_market_analysis.ipynb --data /tmp/scale26/x100
    python benchmarks/bench_market.py notebooks/06_money_and_effort.ipynb --data /tmp/scale26/x10 --profile /tmp/06.prof
"""

from __future__ import annotations

import argparse
import cProfile
import json
import resource
import time
from pathlib import Path


def cells(notebook: Path) -> list[str]:
    """Return the sources of the notebook's code cells."""
    book = json.loads(notebook.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in book["cells"] if c["cell_type"] == "code"]


def run(notebook: Path, *, data: str, profile: Path | None = None) -> list[tuple[float, int, str]]:
    """Run the notebook's cells with ``data`` injected; return (CPU seconds, cell number, first line) per cell."""
    import matplotlib

    matplotlib.use("Agg")
    import IPython.display

    IPython.display.display = lambda *args, **kwargs: None  # charts are still drawn: plots.show renders the PNG
    sources = cells(notebook)
    scope: dict[str, object] = {"__name__": "__main__"}
    exec(sources[0], scope)  # the parameters cell
    scope["data"] = data
    profiler = cProfile.Profile(time.process_time) if profile is not None else None
    times = []
    for number, source in enumerate(sources[1:], 1):
        began = time.process_time()
        if profiler is not None:
            profiler.enable()
        exec(source, scope)
        if profiler is not None:
            profiler.disable()
        times.append((time.process_time() - began, number, source.splitlines()[0][:90]))
    if profiler is not None:
        profiler.dump_stats(str(profile))
    return times


def main() -> None:
    """Run one notebook and print its CPU time, peak memory and costliest cells."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("--data", required=True, help="dataset folder (the notebook's 'data' parameter)")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the cells here")
    parser.add_argument("--top", type=int, default=12, help="cells listed")
    args = parser.parse_args()
    times = run(args.notebook, data=args.data, profile=args.profile)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    print(f"{args.notebook.stem} on {args.data}: cells {sum(t for t, _, _ in times):.1f} s CPU, "
          f"peak RSS {peak:.2f} GB")
    for seconds, number, first in sorted(times, reverse=True)[: args.top]:
        print(f"{seconds:8.2f}  cell {number:2d}  {first}")


if __name__ == "__main__":
    main()
