"""The data check and the load at scale: CPU and peak memory per process, by source format.

For each source, two fresh processes, as a report pack runs them:

* **check** -- notebook 00's data calls with an empty dataset cache: ``validate`` (which
  reads, types and checks every table and fills the cache), the load from that cache,
  the lead de-duplication once and the other health tables;
* **load** -- a load from the cache the check filled: what every other notebook and rep
  page of the pack pays before its first figure.

A database source gets two more (``--pinned``): **pin** -- what a pack's prepare step runs
(``pin_database``: the database read, hashed and checked, or its cached report found) -- and
**pinned** -- a load with the pin in ``SALESNB_DATA_SNAPSHOT``: what every report of a pack
pays since one pack reads its database once (``load`` is what each paid before).

Each line gives the process's CPU seconds (user + sys, from ``wait4``), its wall time and
its peak resident memory in GiB (2**30 bytes). CPU is the figure to compare on a shared machine.

Usage::

    python benchmarks/bench_load.py /tmp/scale26/x10
    python benchmarks/bench_load.py /tmp/scale26/x100 duckdb:////tmp/x100.duckdb --formats
    python benchmarks/bench_load.py --to-parquet /tmp/scale26/x10 /tmp/x10-parquet
    python benchmarks/bench_load.py /tmp/scale26/x10 --code /work/main     # another checkout: a before
    python benchmarks/bench_load.py duckdb:////tmp/scale26/x10.duckdb --pinned

``--to-parquet SRC DST`` writes a CSV folder as a Parquet folder (columns typed by Arrow's
inference, as a data warehouse export would be); a DuckDB or PostgreSQL copy of a folder is
written with ``salesnb.sample.write.write_database(folder, url)``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHECK = """
import inspect, sys
from salesnb import health
from salesnb.data import load, validate
validate(sys.argv[1])
ds = load(sys.argv[1], on_bad_rows="reject")
if "duplicate_rows" in inspect.signature(health.headline).parameters:
    health.headline(ds, duplicate_rows=health.duplicates(ds))
else:  # the notebook before the de-duplication ran once (--code of an older checkout)
    health.headline(ds)
    health.duplicates(ds)
for name in ("overview", "monthly_rows", "monthly_sales", "rejected_summary", "orphans", "unassigned", "coverage"):
    getattr(health, name)(ds)
"""

LOAD = """
import sys
from salesnb.data import load
load(sys.argv[1], on_bad_rows="reject")
"""

PIN = """
import sys
from salesnb.data.loader import pin_database
print(pin_database(sys.argv[1]))
"""


def run(code: str, source: str, cache: Path, *, root: Path = ROOT, env: dict[str, str] | None = None
        ) -> tuple[float, float, float, str]:
    """Run ``code`` on ``source`` in a fresh Python; return its CPU seconds, wall seconds, peak RSS in GiB and output.

    ``root`` is the checkout whose ``salesnb`` runs (another one measures a before); ``env`` is
    added to the child's environment.
    """
    env = {**os.environ, "SALESNB_CACHE": str(cache), "PYTHONPATH": str(root), **(env or {})}
    if Path(source).exists():
        source = str(Path(source).resolve())
    began = time.perf_counter()
    # in root: ``python -c`` puts the working folder first on the path
    proc = subprocess.Popen([sys.executable, "-c", code, source], env=env, cwd=root, stdout=subprocess.PIPE,
                            text=True)
    output = proc.stdout.read() if proc.stdout else ""
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - began
    if os.waitstatus_to_exitcode(status):
        raise SystemExit(f"{safe(source)}: the child failed")
    return usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 2**20, output.strip()


def safe(source: str) -> str:
    """Return ``source`` with any password masked (``salesnb.data.sql.safe_source``)."""
    from salesnb.data.sql import safe_source

    return safe_source(source)


def measure(source: str, cache: Path, *, root: Path, pinned: bool) -> None:
    """Print the check and the load of ``source`` (and with ``pinned``, a database's pin and pinned load)."""
    shown = safe(source)
    steps = [("check", CHECK, None), ("load", LOAD, None)]
    if pinned and "://" in source:
        steps += [("pin", PIN, None), ("pinned", LOAD, "pin")]
    pin = ""
    for step, code, needs in steps:
        env = {"SALESNB_DATA_SNAPSHOT": pin} if needs else None
        cpu, wall, peak, output = run(code, source, cache, root=root, env=env)
        pin = output.splitlines()[-1] if step == "pin" and output else pin
        print(f"{shown:50s} {step:6s} {cpu:7.1f} {wall:7.1f} {peak:8.2f}", flush=True)


def to_parquet(src: Path, dst: Path) -> None:
    """Write every CSV table of folder ``src`` as a Parquet file in ``dst`` (and copy ``dataset.toml``)."""
    import pyarrow.csv as pa_csv
    import pyarrow.parquet as pq

    dst.mkdir(parents=True, exist_ok=True)
    for file in sorted(src.glob("*.csv")):
        pq.write_table(pa_csv.read_csv(file), dst / f"{file.stem}.parquet")
    if (src / "dataset.toml").is_file():
        shutil.copy(src / "dataset.toml", dst / "dataset.toml")


def main(argv: list[str] | None = None) -> None:
    """Measure the check and the load of each source given."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sources", nargs="*", help="folders, workbooks or database URLs")
    parser.add_argument("--to-parquet", nargs=2, metavar=("CSV_FOLDER", "PARQUET_FOLDER"))
    parser.add_argument("--code", type=Path, default=ROOT, help="checkout whose salesnb to run (default: this one)")
    parser.add_argument("--pinned", action="store_true", help="databases: also the pack's pin and a pinned load")
    args = parser.parse_args(argv)
    if args.to_parquet:
        to_parquet(Path(args.to_parquet[0]), Path(args.to_parquet[1]))
        return
    print(f"{'source':50s} {'step':6s} {'CPU s':>7s} {'wall s':>7s} {'peak GiB':>8s}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-load-") as tmp:
        for source in args.sources:
            cache = Path(tmp) / "cache"
            shutil.rmtree(cache, ignore_errors=True)
            measure(source, cache, root=args.code, pinned=args.pinned)


if __name__ == "__main__":
    main()
