"""Rep pages per minute: the local runner against a Dask cluster, and papermill's engines.

Three measurements (figures in benchmarks/README.md):

``pack``
    Notebook 04 with a page per active rep on a generated sample (``--scale 4``: ~100
    reps, ``--scale 40``: ~1,000), once with the local runner (``--jobs 2``) and once
    with ``--scheduler local:2`` (a ``distributed.LocalCluster`` of two worker
    processes, started and stopped inside the run), same two cores. Reported: wall
    seconds, rep pages per minute, seconds per page (wall / pages), and the cluster's
    overhead per page against the local runner.
``papermill``
    One notebook (04 for one rep) through ``papermill`` with its default engine, with
    ``--engine salesnb``, and with ``--engine salesnb`` and a running zygote
    (``SALESNB_ZYGOTE``, started by ``python -m salesnb.report.papermill_engine``),
    each ``--repeat`` times alternately; medians.
``project``
    The 10-machine projection for 2,500 reps from a measured seconds-per-page.

Usage::

    python benchmarks/bench_cluster.py pack --scale 4
    python benchmarks/bench_cluster.py pack --scale 40 --modes local,local:2
    python benchmarks/bench_cluster.py papermill --repeat 5
    python benchmarks/bench_cluster.py project --per-page 0.9 --machines 10 --cores 2 --reps 2500
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "04_periodic_review.ipynb"


def sample(scale: float, folder: Path) -> Path:
    """Write (once) the sample company at ``scale`` and return its folder."""
    path = folder / f"sample-x{scale:g}"
    if not (path / "reps.csv").exists() and not any(path.glob("reps.*")):
        subprocess.run([sys.executable, "-m", "salesnb.cli", "sample", str(path), "--scale", str(scale)], check=True)
    return path


def run_pack_once(data: Path, out: Path, mode: str, period_end: str) -> dict:
    """Run the rep pages of notebook 04 with the CLI; return wall time and page counts."""
    cmd = [sys.executable, "-m", "salesnb.cli", "run", str(NOTEBOOK), "--data", str(data), "--out", str(out),
           "--per-rep", "--period-end", period_end, "--no-progress", "--timeout", "900"]
    cmd += ["--jobs", "2"] if mode == "local" else ["--scheduler", mode]
    began = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - began
    packs = sorted(p for p in out.iterdir() if p.is_dir())
    results = json.loads((packs[-1] / "pack.json").read_text(encoding="utf-8"))["results"]
    reps = [r for r in results if r["rep_id"] is not None]
    return {
        "mode": mode, "exit": done.returncode, "wall_s": round(wall, 1), "reports": len(results),
        "rep_pages": len(reps), "failed": sum(r["status"] != "ok" for r in results),
        "pages_per_min": round(60 * len(results) / wall, 1), "s_per_page": round(wall / len(results), 3),
        "load": os.getloadavg()[0],
    }


def cmd_pack(args: argparse.Namespace) -> None:
    """Time the local runner and the cluster on the same sample."""
    work = Path(args.work)
    data = sample(args.scale, work)
    rows = []
    for mode in args.modes.split(","):
        with tempfile.TemporaryDirectory(dir=work) as out:
            rows.append(run_pack_once(data, Path(out), mode, args.period_end))
        print(json.dumps({"scale": args.scale, **rows[-1]}), flush=True)
    local = next((r for r in rows if r["mode"] == "local"), None)
    for row in rows:
        if local and row is not local:
            extra = row["s_per_page"] / local["s_per_page"] - 1
            print(f"{row['mode']}: {100 * extra:+.1f}% per page against the local runner", flush=True)


def papermill_once(engine: str | None, out: Path, env: dict[str, str] | None = None) -> float:
    """Run notebook 04 for one rep with the papermill command; return wall seconds."""
    cmd = [sys.executable, "-m", "papermill", str(NOTEBOOK), str(out), "-p", "rep_id", "R007", "--no-progress-bar"]
    if engine:
        cmd += ["--engine", engine]
    began = time.perf_counter()
    subprocess.run(cmd, check=True, capture_output=True, cwd=NOTEBOOK.parent, env=env)
    return time.perf_counter() - began


def start_zygote(folder: str, settle: float) -> tuple[subprocess.Popen[str], str]:
    """Start the engine's zygote server; return it and its socket once it has imported everything."""
    server = subprocess.Popen([sys.executable, "-m", "salesnb.report.papermill_engine", folder, str(NOTEBOOK)],
                              stdout=subprocess.PIPE, text=True)
    assert server.stdout is not None
    line = server.stdout.readline().strip()
    time.sleep(settle)  # the zygote imports in the background; early kernels would get less
    return server, line.split("=", 1)[1]


def cmd_papermill(args: argparse.Namespace) -> None:
    """Papermill's default engine against the salesnb engine (without and with a zygote), alternately; medians."""
    times: dict[str, list[float]] = {"default": [], "salesnb": [], "salesnb+zygote": []}
    with tempfile.TemporaryDirectory(prefix="pmb") as folder:
        server, sock = start_zygote(folder, args.settle)
        zyg_env = {**os.environ, "SALESNB_ZYGOTE": sock}
        try:
            for i in range(args.repeat):
                for name, engine, env in (("default", None, None), ("salesnb", "salesnb", None),
                                          ("salesnb+zygote", "salesnb", zyg_env)):
                    times[name].append(papermill_once(engine, Path(folder) / f"{name}{i}.ipynb", env))
        finally:
            server.terminate()
            server.wait(10)
    med = {k: round(statistics.median(v), 2) for k, v in times.items()}
    print(json.dumps({"runs": times, "median_s": med, "load": os.getloadavg()[0],
                      "speedup": {k: round(med["default"] / v, 2) for k, v in med.items()}}))


def projection(per_page: float, *, reps: int, machines: int, cores: int, startup: float) -> dict:
    """Return the wall time of ``reps`` pages on ``machines`` x ``cores`` (one worker per core).

    Pages are spread evenly: each core runs ``ceil(reps / (machines * cores))`` pages
    one after another, each costing ``per_page`` seconds of one core (the measured
    wall seconds per page on two cores times two), plus the cluster's start-up once.
    """
    per_core = per_page * 2  # measured on two cores: one page costs two core-seconds of wall per page
    pages_each = math.ceil(reps / (machines * cores))
    seconds = startup + pages_each * per_core
    return {"reps": reps, "machines": machines, "cores": cores, "pages_per_core": pages_each,
            "core_s_per_page": round(per_core, 3), "minutes": round(seconds / 60, 1),
            "one_machine_minutes": round((startup + math.ceil(reps / cores) * per_core) / 60, 1)}


def cmd_project(args: argparse.Namespace) -> None:
    """Print the projection to a cluster."""
    print(json.dumps(projection(args.per_page, reps=args.reps, machines=args.machines, cores=args.cores,
                                startup=args.startup)))


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run one measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="what", required=True)
    p = sub.add_parser("pack")
    p.add_argument("--scale", type=float, default=4)
    p.add_argument("--modes", default="local,local:2")
    p.add_argument("--period-end", default="2026-10")
    p.add_argument("--work", default=tempfile.gettempdir())
    p.set_defaults(run=cmd_pack)
    p = sub.add_parser("papermill")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--settle", type=float, default=15.0, help="seconds the zygote gets to import")
    p.set_defaults(run=cmd_papermill)
    p = sub.add_parser("project")
    p.add_argument("--per-page", type=float, required=True, help="measured wall seconds per page on 2 cores")
    p.add_argument("--reps", type=int, default=2500)
    p.add_argument("--machines", type=int, default=10)
    p.add_argument("--cores", type=int, default=2)
    p.add_argument("--startup", type=float, default=30.0, help="cluster start-up, seconds")
    p.set_defaults(run=cmd_project)
    args = parser.parse_args(argv)
    args.run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
