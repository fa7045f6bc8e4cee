r"""Peak resident memory and CPU of each code cell of a notebook, run in this process.

Runs the notebook's code cells in order (the ``parameters`` cell with ``data`` set to
the given dataset, and any ``-p NAME VALUE``), with a thread sampling this process's
resident memory (``/proc/self/statm``) every 0.05 s, and prints each cell's RSS before,
its peak and after (GiB = 2**30 bytes) and its CPU seconds. Outputs are discarded. The
kernel of ``salesnb run`` holds a little more (ipykernel, the outputs), so read it for
where the memory goes, and ``bench_scale.py --all`` for the runner's figure::

    python benchmarks/bench_cells_memory.py notebooks/05_work_plan.ipynb /tmp/scale26/x10
    flock /tmp/x100.lock /usr/bin/time -v python benchmarks/bench_cells_memory.py \\
        notebooks/05_work_plan.ipynb /tmp/scale26/x100

Linux only (reads ``/proc``).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import sys
import threading
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
GIB = 2**30


def rss() -> int:
    """Return this process's resident memory in bytes."""
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * PAGE


class Peak:
    """Sample RSS from a thread; :meth:`start` begins a window and :meth:`stop` returns its peak."""

    def __init__(self, every: float = 0.05) -> None:
        """Start the sampling thread."""
        self.peak, self._done = 0, threading.Event()
        self._thread = threading.Thread(target=self._run, args=(every,), daemon=True)
        self._thread.start()

    def _run(self, every: float) -> None:
        while not self._done.is_set():
            self.peak = max(self.peak, rss())
            self._done.wait(every)

    def start(self) -> int:
        """Begin a window; return the RSS now."""
        self.peak = now = rss()
        return now

    def stop(self) -> int:
        """Return the peak of the window (sampled, and the RSS now)."""
        time.sleep(0.1)
        return max(self.peak, rss())


def code_cells(path: Path, data: str, values: dict[str, str]) -> list[str]:
    """Return the notebook's code cells; the parameters cell gets ``data`` and ``values`` appended."""
    cells = []
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            source += f"\ndata = {data!r}\n" + "".join(f"{k} = {v}\n" for k, v in values.items())
        cells.append(source)
    return cells


def main(argv: list[str] | None = None) -> int:
    """Run the cells and print one line per cell, then the overall peak."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebook", type=Path)
    parser.add_argument("data", help="the dataset (folder, workbook or URL)")
    parser.add_argument("-p", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="another parameter, VALUE a Python literal")
    args = parser.parse_args(argv)
    peak, top, namespace = Peak(), 0, {"__name__": "__main__"}
    for n, source in enumerate(code_cells(args.notebook, args.data, dict(args.p)), start=1):
        before, cpu = peak.start(), time.process_time()
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(source, f"cell {n}", "exec"), namespace)
        high = peak.stop()
        top = max(top, high)
        first = source.strip().splitlines()[0][:60] if source.strip() else ""
        print(f"cell {n:2d}: before {before / GIB:6.3f} peak {high / GIB:6.3f} after {rss() / GIB:6.3f} GiB "
              f"cpu {time.process_time() - cpu:6.1f} s  {first}", flush=True)
    print(f"peak {top / GIB:.3f} GiB ({top:,} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
