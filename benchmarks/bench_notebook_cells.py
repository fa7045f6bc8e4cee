"""CPU seconds of a notebook's code cells, run in-process (``time.process_time``).

Executes the parameters cell, sets ``data`` (and any ``name=value`` given, as text),
then runs every other code cell in one namespace, printing each cell that took more
than half a second and the total. The forecast memo entries (``forecast*.pkl`` in
:func:`salesnb.config.cache_dir`) are deleted first, so the forecasts are computed;
the dataset cache is left as it is (run once to warm it).

Usage::

    python benchmarks/bench_notebook_cells.py notebooks/03_target_breakdown.ipynb /tmp/scale26/x10 lang=es
    flock /tmp/x100.lock python benchmarks/bench_notebook_cells.py notebooks/03_target_breakdown.ipynb /tmp/scale26/x100
"""

from __future__ import annotations

import json
import sys
import time

import matplotlib


def main(argv: list[str]) -> None:
    """Run the notebook ``argv[0]`` on the data ``argv[1]`` with the options ``argv[2:]`` and print the CPU."""
    from salesnb.config import cache_dir

    for entry in cache_dir().glob("forecast*.pkl"):
        entry.unlink()
    matplotlib.use("Agg")
    with open(argv[0], encoding="utf-8") as handle:
        cells = [c for c in json.load(handle)["cells"] if c["cell_type"] == "code"]
    namespace: dict[str, object] = {"__name__": "__main__"}
    exec("".join(cells[0]["source"]), namespace)  # the parameters cell
    namespace["data"] = argv[1]
    for option in argv[2:]:
        name, value = option.split("=", 1)
        namespace[name] = value
    start = time.process_time()
    for i, cell in enumerate(cells[1:], 1):
        source = "".join(cell["source"])
        before = time.process_time()
        exec(compile(source, f"cell{i}", "exec"), namespace)
        spent = time.process_time() - before
        if spent > 0.5:
            print(f"cell {i:2d} {spent:7.2f}s  {source.splitlines()[0][:90]}")
    print(f"TOTAL code cells CPU {time.process_time() - start:.1f}s")


if __name__ == "__main__":
    main(sys.argv[1:])
