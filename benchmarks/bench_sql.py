"""Reading the sample company from PostgreSQL: the drivers side by side, and the files for scale.

Starts a throwaway PostgreSQL server (``tests/pgserver.py``: initdb + pg_ctl on a free
port in a temporary folder), writes the sample at each ``--scale`` into it (``salesnb
sample --to``), and times, best of ``--repeat``:

* each PostgreSQL reader of :mod:`salesnb.data.sql` (``adbc``, ``connectorx``,
  ``duckdb``'s postgres scanner, ``psycopg``), reading every contract table as the
  loader does (rows in stored order, Arrow-typed frames);
* the same tables from the CSV folder and from a DuckDB file, for comparison;
* a whole uncached ``salesnb.data.load`` from the fastest PostgreSQL driver and from CSV.

Usage::

    python benchmarks/bench_sql.py                  # scale 1
    python benchmarks/bench_sql.py --scale 1 10 --repeat 3

Not run by the test suite. Needs PostgreSQL's server binaries (``apt-get install postgresql``).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE.parent))

import pgserver  # noqa: E402

from salesnb.data import load  # noqa: E402
from salesnb.data.problems import ValidationReport  # noqa: E402
from salesnb.data.reading import read_source  # noqa: E402
from salesnb.data.sql import DRIVERS, database_of, read_database  # noqa: E402
from salesnb.sample import generate  # noqa: E402
from salesnb.sample.write import write_database  # noqa: E402


def _best(fn, repeat: int) -> float:
    """Return the best wall time of ``repeat`` calls."""
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return min(times)


def _read_db(url: str, driver: str) -> None:
    os.environ["SALESNB_SQL_DRIVER"] = driver
    report = ValidationReport(source="bench")
    raws, _, _ = read_database(database_of(url), report)
    if report.problems:
        raise SystemExit(report.to_text())
    assert len(raws) >= 10


def _read_files(folder: Path) -> None:
    report = ValidationReport(source=folder)
    raws, _, _ = read_source(folder, report)
    assert len(raws) >= 10


def _one_scale(server: pgserver.PgServer, scale: float, repeat: int, tmp: Path) -> list[tuple[str, float]]:
    folder = generate(tmp / f"csv-{scale:g}", scale=scale, seed=0)
    url = server.create_database(f"bench_{str(scale).replace('.', '_')}")
    began = time.perf_counter()
    write_database(folder, url)
    print(f"  scale {scale:g}: wrote the sample into PostgreSQL in {time.perf_counter() - began:.1f} s", flush=True)
    duck = f"duckdb:///{tmp}/bench-{scale:g}.duckdb"
    write_database(folder, duck)
    rows = [("csv folder (read)", _best(lambda: _read_files(folder), repeat)),
            ("duckdb file (read)", _best(lambda: _read_db(duck, "adbc"), repeat))]
    for driver in DRIVERS:
        try:
            rows.append((f"postgresql {driver} (read)", _best(lambda d=driver: _read_db(url, d), repeat)))
        except Exception as exc:  # a driver that does not install or work here is reported, not fatal
            print(f"  {driver}: {type(exc).__name__}: {str(exc)[:200]}")
    os.environ["SALESNB_SQL_DRIVER"] = DRIVERS[0]
    rows.append(("csv folder (whole load)", _best(lambda: load(folder, cache=False), 1)))
    rows.append((f"postgresql {DRIVERS[0]} (whole load)", _best(lambda: load(url, cache=False), 1)))
    return rows


def main(argv: list[str] | None = None) -> None:
    """Run the benchmark and print one table per scale."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    server = pgserver.start()
    try:
        with tempfile.TemporaryDirectory(prefix="bench-sql-") as tmp:
            for scale in args.scale:
                rows = _one_scale(server, scale, args.repeat, Path(tmp))
                print(f"\nscale {scale:g} (read: best of {args.repeat}; whole load: once)")
                print(f"| {'source':<34} | {'seconds':>8} |")
                print(f"|{'-' * 36}|{'-' * 9}:|")
                for name, seconds in rows:
                    print(f"| {name:<34} | {seconds:8.2f} |", flush=True)
    finally:
        server.stop()


if __name__ == "__main__":
    main()
