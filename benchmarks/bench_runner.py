"""Runner speed: a naive papermill + nbconvert loop vs ``salesnb.report.run_pack``.

Runs the same N notebooks (copies of ``runner_representative.ipynb``: pandas reads a
CSV, a table, a matplotlib chart; each copy shows a different slice) both ways:

* naive: for each notebook, the ``papermill`` CLI, then ``jupyter nbconvert --to html
  --no-input`` (one cold process and one cold kernel per step);
* run_pack: one call with ``jobs`` worker processes, warm kernels, one reused exporter.

Usage::

    python benchmarks/bench_runner.py            # 16 notebooks, jobs=2, both ways
    python benchmarks/bench_runner.py -n 8 --skip-naive
    python benchmarks/bench_runner.py --pack     # the real pack: 4 team notebooks + 12 rep reviews

``--pack`` times the real report pack on the sample company: notebooks 01-04 for the
team plus notebook 04 for 12 reps (16 reports), naive loop against ``run_pack``.

Not run by the test suite. Prints seconds per notebook for each way and the ratio.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
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


def run_naive(notebooks: list[Path], *, data: Path, out: Path) -> float:
    """Papermill CLI then nbconvert CLI per notebook; returns seconds."""
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    started = time.perf_counter()
    for nb in notebooks:
        executed = out / nb.name
        subprocess.run(
            [
                str(BIN / "papermill"),
                str(nb),
                str(executed),
                "-p",
                "data",
                str(data),
                "--no-progress-bar",
                "--log-level",
                "ERROR",
            ],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        subprocess.run(
            [str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    return time.perf_counter() - started


def run_runner(notebooks: list[Path], *, data: Path, out: Path, jobs: int) -> float:
    """One ``run_pack`` call; returns seconds (including worker start-up)."""
    from salesnb.report import run_pack

    started = time.perf_counter()
    result = run_pack(notebooks, data=str(data), out=out, jobs=jobs, progress=False)
    seconds = time.perf_counter() - started
    if not result.ok:
        failed = [f"{r.name}: {r.error}" for r in result.results if not r.ok]
        raise SystemExit("run_pack failed:\n" + "\n".join(failed))
    return seconds


PACK_NOTEBOOKS = ("01_market_analysis", "02_lead_prioritization", "03_target_breakdown", "04_periodic_review")


def run_pack_bench(*, jobs: int, skip_naive: bool, tmp: Path) -> None:
    """Return the real pack: four team notebooks plus 12 rep pages of the review, both ways."""
    from salesnb.config import notebooks_dir, sample_dir
    from salesnb.data import load
    from salesnb.report import run_pack

    reps = load(sample_dir()).reps
    active = reps[reps["leave_date"].isna()]["rep_id"].astype(str).tolist()[:12]
    paths = [notebooks_dir() / f"{name}.ipynb" for name in PACK_NOTEBOOKS]
    print(f"real pack: {len(paths)} team notebooks + {len(active)} rep reviews, {os.cpu_count()} CPUs")
    started = time.perf_counter()
    result = run_pack(paths, data="sample", out=tmp / "pack", jobs=jobs, per_rep=active, progress=False)
    runner = time.perf_counter() - started
    n = len(result.results)
    print(f"run_pack(jobs={jobs}):        {runner:7.1f} s  = {runner / n:5.2f} s/report ({n} reports, ok={result.ok})")
    if skip_naive:
        return
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    out = tmp / "naive"
    out.mkdir()
    jobs_list = [(p, None) for p in paths] + [(paths[-1], rep) for rep in active]
    started = time.perf_counter()
    for i, (path, rep) in enumerate(jobs_list):
        executed = out / f"{i:02d}_{path.name}"
        extra = ["-p", "rep_id", rep] if rep else []
        subprocess.run([str(BIN / "papermill"), str(path), str(executed), "-p", "data", str(sample_dir()),
                        *extra, "--no-progress-bar", "--log-level", "ERROR"],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        subprocess.run([str(BIN / "jupyter"), "nbconvert", "--to", "html", "--no-input", str(executed)],
                       check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    naive = time.perf_counter() - started
    print(f"naive papermill + nbconvert: {naive:7.1f} s  = {naive / len(jobs_list):5.2f} s/report")
    print(f"speed-up: {naive / runner:.1f}x")


def main(argv: list[str] | None = None) -> int:
    """Time the naive papermill + nbconvert loop against run_pack and print both."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=16, help="notebooks (default 16)")
    parser.add_argument("--jobs", type=int, default=2, help="run_pack workers (default 2)")
    parser.add_argument("--skip-naive", action="store_true", help="only time run_pack")
    parser.add_argument("--repeat", type=int, default=1, help="run_pack repetitions (best kept)")
    parser.add_argument("--pack", action="store_true", help="time the real pack on the sample company")
    args = parser.parse_args(argv)
    if args.pack:
        tmp = Path(tempfile.mkdtemp(prefix="salesnb-bench-"))
        try:
            run_pack_bench(jobs=args.jobs, skip_naive=args.skip_naive, tmp=tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        return 0

    tmp = Path(tempfile.mkdtemp(prefix="salesnb-bench-"))
    try:
        data = make_data(tmp / "data")
        notebooks = make_notebooks(tmp / "notebooks", args.n)
        print(f"{args.n} notebooks, {os.cpu_count()} CPUs, python {sys.version.split()[0]}")
        runner = min(
            run_runner(notebooks, data=data, out=tmp / f"packs{i}", jobs=args.jobs) for i in range(args.repeat)
        )
        per_runner = runner / args.n
        print(f"run_pack(jobs={args.jobs}):        {runner:7.1f} s  = {per_runner:5.2f} s/notebook")
        if not args.skip_naive:
            naive = run_naive(notebooks, data=data, out=tmp / "naive")
            per_naive = naive / args.n
            print(f"naive papermill + nbconvert: {naive:7.1f} s  = {per_naive:5.2f} s/notebook")
            print(f"speed-up: {naive / runner:.1f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
