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
``trace``
    Where a pack's time goes, local runner against ``local:2`` on the same sample: each
    process of the run writes a timeline (``benchmarks/tracing/sitecustomize.py``) and
    the CPU seconds of every process of the run's tree are sampled from ``/proc``
    (main, workers, zygote, kernels). Prints the milestones (cluster ready, each
    worker's service ready, first cell on each worker, last page, end), per-report
    costs, idle gaps and the tail, and the CPU by process role. Component figures, so
    they mean something on a busy machine too.

Usage::

    python benchmarks/bench_cluster.py pack --scale 4
    python benchmarks/bench_cluster.py pack --scale 40 --modes local,local:2
    python benchmarks/bench_cluster.py papermill --repeat 5
    python benchmarks/bench_cluster.py project --per-page 0.9 --machines 10 --cores 2 --reps 2500
    python benchmarks/bench_cluster.py trace --data /tmp/scale26/x1 --modes local,local:2
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "04_periodic_review.ipynb"
TRACING = Path(__file__).resolve().parent / "tracing"
TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def sample(scale: float, folder: Path) -> Path:
    """Write (once) the sample company at ``scale`` and return its folder."""
    path = folder / f"sample-x{scale:g}"
    if not (path / "reps.csv").exists() and not any(path.glob("reps.*")):
        subprocess.run([sys.executable, "-m", "salesnb.cli", "sample", str(path), "--scale", str(scale)], check=True)
    return path


def warm_cache(data: Path) -> float:
    """Read and check the sample once (filling the load cache); return the wall seconds.

    Every way timed then finds the dataset checked, as a monthly pack does after the
    first run on the month's data: otherwise the way that runs first pays the check
    (minutes at ``--scale 40``) and the comparison measures the order.
    """
    began = time.perf_counter()
    code = "import sys\nfrom salesnb.data import validate\nvalidate(sys.argv[1])\n"
    subprocess.run([sys.executable, "-c", code, str(data)], check=False, capture_output=True)
    return time.perf_counter() - began


def run_pack_once(data: Path, out: Path, mode: str, period_end: str) -> dict:
    """Run the rep pages of notebook 04 with the CLI; return wall and CPU time and page counts.

    CPU is user + sys of every process of the run (sampled from ``/proc``, see
    :class:`TreeCPU`): the machine-independent part of the comparison.
    """
    cmd = [sys.executable, "-m", "salesnb.cli", "run", str(NOTEBOOK), "--data", str(data), "--out", str(out),
           "--per-rep", "--period-end", period_end, "--no-progress", "--timeout", "900"]
    cmd += ["--jobs", "2"] if mode == "local" else ["--scheduler", mode]
    load = os.getloadavg()[0]
    began = time.perf_counter()
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        sampler = TreeCPU(proc.pid, every=0.5)
        sampler.start()
        code = proc.wait()
        wall = time.perf_counter() - began
        sampler.done.set()
        sampler.join()
        err.seek(0)
        tail = err.read().decode(errors="replace")[-2000:]
    packs = sorted(p for p in out.iterdir() if p.is_dir())
    if not packs:  # the run could not start: say why, and let the other ways run
        return {"mode": mode, "exit": code, "wall_s": round(wall, 1), "error": tail}
    results = json.loads((packs[-1] / "pack.json").read_text(encoding="utf-8"))["results"]
    reps = [r for r in results if r["rep_id"] is not None]
    cpu = sampler.by_role()
    total = sum(cpu.values())
    return {
        "mode": mode, "exit": code, "wall_s": round(wall, 1), "reports": len(results),
        "rep_pages": len(reps), "failed": sum(r["status"] != "ok" for r in results),
        "failed_reports": failed_reports(out),
        "pages_per_min": round(60 * len(results) / wall, 1), "rep_pages_per_min": round(60 * len(reps) / wall, 1),
        "s_per_page": round(wall / len(results), 3), "cpu_s": round(total, 1),
        "cpu_s_per_page": round(total / len(results), 3), "cpu_by_role": cpu,
        "peak_rss_gb": {k: round(v, 2) for k, v in sorted(sampler.peak.items())},
        "load": [round(load, 2), round(os.getloadavg()[0], 2)],
    }


def cmd_pack(args: argparse.Namespace) -> None:
    """Time the local runner and the cluster on the same sample (one JSON line per way, then the comparison)."""
    work = Path(args.work)
    data = sample(args.scale, work)
    warmed = round(warm_cache(data), 1)
    print(json.dumps({"scale": args.scale, "data": str(data), "cache_warmed_s": warmed}), flush=True)
    rows = []
    for mode in args.modes.split(","):
        with tempfile.TemporaryDirectory(dir=work) as out:
            rows.append(run_pack_once(data, Path(out), mode, args.period_end))
        print(json.dumps({"scale": args.scale, **rows[-1]}), flush=True)
    local = next((r for r in rows if r["mode"] == "local" and "s_per_page" in r), None)
    for row in rows:
        if local and row is not local and "s_per_page" in row:
            wall = row["s_per_page"] / local["s_per_page"] - 1
            cpu = row["cpu_s_per_page"] / local["cpu_s_per_page"] - 1
            print(f"{row['mode']}: {row['pages_per_min']} pages/min against {local['pages_per_min']}; "
                  f"{100 * wall:+.1f}% wall and {100 * cpu:+.1f}% CPU per page against the local runner", flush=True)


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


class TreeCPU(threading.Thread):
    """Samples the CPU seconds (user + sys) of every process under ``root`` from ``/proc``.

    A process is counted with the last value seen (sampled every ``every`` seconds), so
    up to one interval of a process that ends is missed. Roles: ``main`` (the CLI),
    ``zygote``, ``kernel`` (its children), ``worker`` (runner and Dask worker processes)
    and ``other``. ``peak`` keeps the largest resident memory of one process per role
    (a kernel that keeps growing over its rep pages shows there).
    """

    def __init__(self, root: int, every: float = 0.2) -> None:
        super().__init__(daemon=True)
        self.root, self.every = root, every
        self.seen: dict[int, tuple[str, float]] = {}
        self.peak: dict[str, float] = {}  # largest resident memory (GB) of one process, by role
        self.done = threading.Event()

    def run(self) -> None:
        """Sample until ``done`` is set."""
        while not self.done.is_set():
            self.sample()
            self.done.wait(self.every)

    def sample(self) -> None:
        """Read every process's parent and CPU seconds once; note those of the tree."""
        procs = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
                cmd = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            rss = int(fields[21]) * PAGE / 2**30
            procs[int(entry)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, cmd, rss)
        for pid, (ppid, cpu, cmd, rss) in procs.items():
            role = self.role(pid, ppid, cmd, procs)
            if role:
                self.seen[pid] = (role, max(cpu, self.seen.get(pid, ("", 0.0))[1]))
                self.peak[role] = max(rss, self.peak.get(role, 0.0))

    def role(self, pid: int, ppid: int, cmd: str, procs: dict) -> str | None:
        """Return the role of a process of the tree (None for one outside it)."""
        chain, cur = [], pid
        while cur in procs and cur != self.root and len(chain) < 20:
            chain.append(cur)
            cur = procs[cur][0]
        if cur != self.root and pid not in self.seen:
            return None
        if pid in self.seen:
            return self.seen[pid][0]
        if pid == self.root:
            return "main"
        if "_zygote" in cmd and ppid == self.root:
            return "zygote"
        if ppid in self.seen and self.seen[ppid][0] == "zygote":
            return "kernel"
        return "worker" if "multiprocessing-fork" in cmd else "other"

    def by_role(self) -> dict[str, float]:
        """Return the CPU seconds summed by role."""
        totals: dict[str, float] = defaultdict(float)
        for role, cpu in self.seen.values():
            totals[role] += cpu
        return {k: round(v, 2) for k, v in sorted(totals.items())}


def run_traced(data: Path, out: Path, mode: str, period_end: str, trace: Path, code: Path = ROOT) -> dict:
    """Run the rep pages of notebook 04 with the timeline and CPU sampling on; return the summary.

    ``code`` is the salesnb checkout that runs (another worktree: a before/after comparison).
    """
    cmd = [sys.executable, "-m", "salesnb.cli", "run", str(NOTEBOOK), "--data", str(data), "--out", str(out),
           "--per-rep", "--period-end", period_end, "--no-progress", "--timeout", "900"]
    cmd += ["--jobs", "2"] if mode == "local" else ["--scheduler", mode]
    path = os.pathsep.join([str(TRACING), str(code), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "SALESNB_TRACE": str(trace), "PYTHONPATH": path}
    trace.unlink(missing_ok=True)
    began, load = time.perf_counter(), os.getloadavg()[0]
    # run from the checkout: ``python -m`` puts the working directory first on sys.path
    proc = subprocess.Popen(cmd, env=env, cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    sampler = TreeCPU(proc.pid)
    sampler.start()
    code = proc.wait()
    wall = time.perf_counter() - began
    sampler.done.set()
    sampler.join()
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    loads = [round(load, 1), round(os.getloadavg()[0], 1)]
    return {"mode": mode, "exit": code, "wall_s": round(wall, 1), "load": loads, "cpu_s": sampler.by_role(),
            "peak_rss_gb": {k: round(v, 2) for k, v in sorted(sampler.peak.items())},
            "failed": failed_reports(out), **timeline(events)}


def failed_reports(out: Path) -> dict[str, str]:
    """Return the failed reports of the pack under ``out`` with their errors."""
    packs = sorted(p for p in out.iterdir() if p.is_dir()) if out.is_dir() else []
    if not packs:
        return {"(no pack)": "the run did not publish a pack"}
    results = json.loads((packs[-1] / "pack.json").read_text(encoding="utf-8"))["results"]
    return {r["name"]: str(r.get("error")) for r in results if r["status"] != "ok"}


def _spans(events: list[dict], name: str) -> list[tuple[dict, dict]]:
    """Pair the ``name:in`` and ``name:out`` events of each process (and report)."""
    opened, spans = {}, []
    for e in events:
        kind, _, edge = e["ev"].rpartition(":")
        if kind != name:
            continue
        key = (e["pid"], e.get("name"))
        if edge == "in":
            opened[key] = e
        elif key in opened:
            spans.append((opened.pop(key), e))
    return spans


def timeline(events: list[dict]) -> dict:
    """Milestones (seconds from the CLI's start), per-report costs, gaps and the tail of one traced run."""
    main = events[0]["pid"]
    t0 = events[0]["t"]

    def first(ev: str, pid: int | None = None) -> float | None:
        hits = [e["t"] - t0 for e in events if e["ev"] == ev and (pid is None or e["pid"] == pid)]
        return round(min(hits), 2) if hits else None

    tasks = _spans(events, "run_task")
    workers = sorted({a["pid"] for a, _ in tasks})
    per_worker = {}
    for pid in workers:
        mine = sorted(((a, b) for a, b in tasks if a["pid"] == pid), key=lambda ab: ab[0]["t"])
        gaps = [nxt[0]["t"] - cur[1]["t"] for cur, nxt in itertools.pairwise(mine)]
        per_worker[pid] = {
            "service_ready": first("Service.__init__:out", pid) or first("build_exporter:out", pid),
            "first_report": mine[0][0]["name"], "first_cell": first("_execute:in", pid),
            "reports": len(mine), "idle_between_s": round(sum(gaps), 2),
            "cpu_per_report": round(sum(b["cpu"] - a["cpu"] for a, b in mine) / len(mine), 3),
        }
    done = {e["name"]: e["t"] for e in events if e["ev"] == "_Progress.done:in" and e["pid"] == main}
    back = [done[b["name"]] - b["t"] for _, b in tasks if b["name"] in done]
    started = {e["name"]: e["t"] for e in events if e["ev"] == "_Progress.start:in" and e["pid"] == main}
    execs = _spans(events, "_execute")
    notice = [started[a["name"]] - a["t"] for a, _ in execs if a["name"] in started]
    mean = lambda xs: round(sum(xs) / len(xs), 3) if xs else None  # noqa: E731
    last_page = max(b["t"] for _, b in tasks) - t0
    end = first("process:exit", main)
    return {
        "cluster_ready": first("LocalCluster.__init__:out"), "workers": per_worker,
        "reports": len(tasks), "last_page_done": round(last_page, 2), "end": end,
        "tail_s": round(end - last_page, 2) if end else None,
        "mean_s": {
            "report_on_worker": mean([b["t"] - a["t"] for a, b in tasks]),
            "kernel_or_reset": mean([b["t"] - a["t"] for a, b in _spans(events, "_acquire")]),
            "cells": mean([b["t"] - a["t"] for a, b in execs]),
            "export": mean([b["t"] - a["t"] for a, b in _spans(events, "_export")]),
            "start_notice": mean(notice), "result_back": mean(back),
        },
    }


def cmd_trace(args: argparse.Namespace) -> None:
    """Trace the local runner and the cluster on the same sample; print each run's summary."""
    work = Path(args.work)
    data = Path(args.data) if args.data else sample(args.scale, work)
    warm_cache(data)
    for mode in args.modes.split(","):
        with tempfile.TemporaryDirectory(dir=work) as out:
            trace = Path(out) / "trace.jsonl"
            summary = run_traced(data, Path(out) / "packs", mode, args.period_end, trace, Path(args.code))
            if args.keep:
                Path(args.keep).mkdir(parents=True, exist_ok=True)
                (Path(args.keep) / f"trace-{mode.replace(':', '')}.jsonl").write_bytes(trace.read_bytes())
        print(json.dumps(summary), flush=True)


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
    p = sub.add_parser("trace")
    p.add_argument("--data", help="a sample folder (default: generate --scale)")
    p.add_argument("--scale", type=float, default=4)
    p.add_argument("--modes", default="local,local:2")
    p.add_argument("--period-end", default="2026-10")
    p.add_argument("--work", default=tempfile.gettempdir())
    p.add_argument("--keep", help="folder to keep the raw timelines in")
    p.add_argument("--code", default=str(ROOT), help="the salesnb checkout to run (default: this one)")
    p.set_defaults(run=cmd_trace)
    args = parser.parse_args(argv)
    args.run(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
