"""Runner speed: a naive papermill + nbconvert loop vs ``salesnb.report.run_pack``.

Runs the same N notebooks (copies of ``runner_representative.ipynb``: pandas reads a
CSV, a table, a matplotlib chart; each copy shows a different slice) both ways:

* naive, one at a time: for each notebook, the ``papermill`` CLI, then ``jupyter
  nbconvert --to html --no-input`` (one cold process and one cold kernel per step);
* naive, ``jobs`` at a time: the same pipeline per notebook, ``jobs`` pipelines at once,
  as ``ls *.ipynb | xargs -P 2 -I{} sh -c 'papermill ... && jupyter nbconvert ...'``
  would run them: the fair baseline for a runner with ``jobs`` workers;
* run_pack: one call with ``jobs`` worker processes, warm kernels, one reused exporter.

Every way runs ``--repeat`` times (default 3), interleaved so that a change in the
machine's load hits all of them; each run's seconds and the medians are printed, and
the runner's speed-up against each naive baseline is the ratio of the medians.

Usage::

    python benchmarks/bench_runner.py            # 16 notebooks, jobs=2, the three ways, 3 runs each
    python benchmarks/bench_runner.py -n 8 --skip-naive --repeat 1
    python benchmarks/bench_runner.py --pack     # the real pack: 4 team notebooks + 12 rep reviews

``--pack`` times the real report pack on the sample company: notebooks 01-04 for the
team plus notebook 04 for 12 reps (16 reports). The command exits non-zero (and
prints which) when any report fails, on either side: a failed report is no timing.

Not run by the test suite.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
TEMPLATE = HERE / "runner_representative.ipynb"
BIN = Path(sys.executable).parent


def make_data(folder: Path, *, rows: int = 20_000, seed: int = 0) -> Path:
    """Return a deterministic ``orders.csv`` (order_date, customer_id, net_amount)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    lines = ["order_id,order_date,customer_id,net_amount"]
    for i in range(rows):
        day = f"{2023 + i % 3}-{1 + i % 12:02d}-{1 + rng.randrange(28):02d}"
        lines.append(f"O{i},{day},C{rng.randrange(400):03d},{rng.uniform(50, 5000):.2f}")
    (folder / "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def make_notebooks(folder: Path, n: int) -> list[Path]:
    """``n`` copies of the representative notebook, variant ``i`` in each."""
    folder.mkdir(parents=True, exist_ok=True)
    base = nbformat.read(TEMPLATE, as_version=4)
    paths = []
    for i in range(n):
        nb = nbformat.from_dict(base)
        for cell in nb.cells:
            if "parameters" in cell.metadata.get("tags", []):
                cell.source = cell.source.replace("variant: int = 0", f"variant: int = {i}")
        path = folder / f"bench_{i + 1:02d}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    return paths


Job = tuple[Path, str, dict[str, str]]  # notebook, output name, papermill parameters


def naive_one(job: Job, *, out: Path) -> None:
    """One report the naive way: the papermill CLI, then the nbconvert CLI (raises when either fails)."""
    notebook, name, parameters = job
    executed = out / name
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    pairs = [arg for key, value in parameters.items() for arg in ("-p", key, value)]
    quiet = {"check": True, "env": env, "stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE}
    try:
        subprocess.run([str(BIN / "papermill"), str(notebook), str(executed), *pairs, "--no-progress-bar",
                        "--log-level", "ERROR"], **quiet)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)], **quiet)
    except subprocess.CalledProcessError as exc:
        tail = (exc.stderr or b"").decode(errors="replace").strip().splitlines()[-3:]
        raise SystemExit(f"naive run failed on {name}: {' | '.join(tail)}") from None


def run_naive(jobs_list: list[Job], *, out: Path, parallel: int = 1) -> float:
    """Run every job the naive way, ``parallel`` at a time (like ``xargs -P``); returns seconds."""
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    if parallel <= 1:
        for job in jobs_list:
            naive_one(job, out=out)
    else:
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            list(pool.map(lambda job: naive_one(job, out=out), jobs_list))
    return time.perf_counter() - started


def run_runner(notebooks: list[Path], *, out: Path, jobs: int, **options: object) -> float:
    """One ``run_pack`` call; returns seconds (worker start-up included). Exits non-zero when a report failed."""
    from salesnb.report import run_pack

    started = time.perf_counter()
    result = run_pack(notebooks, out=out, jobs=jobs, progress=False, **options)
    seconds = time.perf_counter() - started
    if not result.ok:
        failed = [f"{r.name}: {r.error}" for r in result.results if not r.ok]
        raise SystemExit("run_pack failed:\n" + "\n".join(failed))
    return seconds


def measure(ways: dict[str, Callable[[Path], float]], *, repeat: int, tmp: Path) -> dict[str, list[float]]:
    """Time each way ``repeat`` times, interleaved (way A, way B, ..., then again), in fresh folders."""
    times: dict[str, list[float]] = {name: [] for name in ways}
    for i in range(repeat):
        for k, (name, way) in enumerate(ways.items()):
            seconds = way(tmp / f"way{k}-run{i}")
            times[name].append(seconds)
            print(f"  run {i + 1}/{repeat} {name}: {seconds:.1f} s (load average {os.getloadavg()[0]:.1f})",
                  flush=True)
    return times


def report(times: dict[str, list[float]], *, n: int, unit: str = "notebook") -> None:
    """Print every run, the median per way, and the runner's speed-up against each naive baseline."""
    medians = {name: statistics.median(values) for name, values in times.items()}
    width = max(map(len, times))
    for name, values in times.items():
        runs = " / ".join(f"{v:.1f}" for v in values)
        print(f"{name:<{width}}  median {medians[name]:7.1f} s = {medians[name] / n:5.2f} s/{unit}   (runs: {runs})")
    runner = next(name for name in times if name.startswith("run_pack"))
    for name in times:
        if name != runner:
            print(f"speed-up of {runner} against {name}: {medians[name] / medians[runner]:.1f}x (medians)")


PACK_NOTEBOOKS = ("01_market_analysis", "02_lead_prioritization", "03_target_breakdown", "04_periodic_review")


def pack_ways(*, jobs: int, skip_naive: bool) -> tuple[dict[str, Callable[[Path], float]], int]:
    """Return the ways to make the real pack (four team notebooks plus 12 rep pages) and its report count."""
    from salesnb.config import notebooks_dir, sample_dir
    from salesnb.data import load

    reps = load(sample_dir()).reps
    active = reps[reps["leave_date"].isna()]["rep_id"].astype(str).tolist()[:12]
    paths = [notebooks_dir() / f"{name}.ipynb" for name in PACK_NOTEBOOKS]
    print(f"real pack: {len(paths)} team notebooks + {len(active)} rep reviews, {os.cpu_count()} CPUs")
    data = {"data": str(sample_dir())}
    jobs_list: list[Job] = [(p, f"{i:02d}_{p.name}", data) for i, p in enumerate(paths)]
    jobs_list += [(paths[-1], f"{len(paths) + i:02d}_{paths[-1].name}", {**data, "rep_id": rep})
                  for i, rep in enumerate(active)]
    ways: dict[str, Callable[[Path], float]] = {
        f"run_pack(jobs={jobs})": lambda out: run_runner(paths, out=out, jobs=jobs, data="sample", per_rep=active)}
    if not skip_naive:
        ways |= naive_ways(jobs_list, jobs=jobs)
    return ways, len(jobs_list)


def naive_ways(jobs_list: list[Job], *, jobs: int) -> dict[str, Callable[[Path], float]]:
    """Return the two naive baselines: one report at a time, and ``jobs`` at a time as ``xargs -P jobs`` would."""
    return {"naive, one at a time": lambda out: run_naive(jobs_list, out=out),
            f"naive, {jobs} at a time (xargs -P {jobs})": lambda out: run_naive(jobs_list, out=out, parallel=jobs)}


def main(argv: list[str] | None = None) -> int:
    """Time the naive papermill + nbconvert loops against run_pack and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=16, help="notebooks (default 16)")
    parser.add_argument("--jobs", type=int, default=2, help="run_pack workers and parallel naive runs (default 2)")
    parser.add_argument("--skip-naive", action="store_true", help="only time run_pack")
    parser.add_argument("--repeat", type=int, default=3, help="runs of every way (default 3; medians reported)")
    parser.add_argument("--pack", action="store_true", help="time the real pack on the sample company")
    args = parser.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="salesnb-bench-"))
    try:
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")
        if args.pack:
            ways, n = pack_ways(jobs=args.jobs, skip_naive=args.skip_naive)
            unit = "report"
        else:
            data = make_data(tmp / "data")
            notebooks = make_notebooks(tmp / "notebooks", args.n)
            print(f"{args.n} notebooks")
            ways = {f"run_pack(jobs={args.jobs})":
                    lambda out: run_runner(notebooks, out=out, jobs=args.jobs, data=str(data))}
            if not args.skip_naive:
                ways |= naive_ways([(nb, nb.name, {"data": str(data)}) for nb in notebooks], jobs=args.jobs)
            n, unit = args.n, "notebook"
        report(measure(ways, repeat=args.repeat, tmp=tmp), n=n, unit=unit)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
