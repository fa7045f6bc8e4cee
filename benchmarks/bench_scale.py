"""Time and memory of the plain ``salesnb run`` at 1x, 10x, 30x and 100x the sample company.

For each scale the script generates the sample company once (``salesnb sample DIR
--scale N``, cached under ``--samples``), then measures, each in a fresh process and
with an empty dataset cache (what a user's first run pays):

- **load**: ``salesnb.data.load(DIR, cache=False)`` alone (read, type, check);
- **team pack**: ``salesnb run 00_data_check ... 04_periodic_review --data DIR`` with
  its default options (default timeout): the data check the runner does once before
  the reports (wall and CPU of its child process), each notebook's wall time (from the pack's ``pack.json``),
  each notebook's CPU time (user + sys of the kernel that ran it, read from ``/proc``
  while the pack runs), the pack's wall and CPU time, and the peak resident memory of
  the largest process of the pack (sampled from ``/proc`` every 0.2 s);
- **rep page**: ``salesnb run 04_periodic_review --reps A,B,C --data DIR`` (the team
  page then three rep pages sharing its kernel with ``--jobs 1``, as one worker of
  ``--per-rep`` runs them; with two workers the second would start a fresh kernel): the first
  rep page's wall and CPU time (it pays the kernel's one-off company-wide figures) and
  the median of the following ones (what each of the other rep pages costs);
- with ``--all``, also the plain ``salesnb run --data DIR`` (every notebook, 05 and 06
  included): its wall time, whether it completed, the time of 05 and 06, and the peak
  resident memory of its largest process with the report (or the data check) it ran.

With ``--source parquet|duckdb|postgresql`` the same is measured from a copy of each
sample in that format, written once next to it (``x10-parquet/``, ``x10.duckdb``) or, for
PostgreSQL, into database ``x10`` of the server ``--postgres`` names (a throwaway server
of ``tests/pgserver.py`` when not given, stopped at the end). The sample's CSV folder
still gives the row counts and the rep.

Wall times depend on what else runs on the machine; CPU times much less, so both are
printed (with the load average seen during the run)::

    python benchmarks/bench_scale.py                      # 1, 10, 30, 100
    python benchmarks/bench_scale.py --scales 10,30 --json /tmp/scale.json
    python benchmarks/bench_scale.py --scales 100 --all     # also the plain default run
    python benchmarks/bench_scale.py --scales 10 --source duckdb
    python benchmarks/bench_scale.py --scales 10 --source postgresql --postgres postgresql://u@127.0.0.1:5432/postgres

Linux only (reads ``/proc``).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEAM = ["00_data_check", "01_market_analysis", "02_lead_prioritization", "03_target_breakdown",
        "04_periodic_review"]
MORE = ["05_work_plan", "06_money_and_effort"]
SHORT = {name: name[:2] for name in TEAM + MORE}
SOURCES = ("csv", "parquet", "duckdb", "postgresql")
CHECK = "(data check)"  # the runner's check of the data before the reports
TICK = os.sysconf("SC_CLK_TCK")
PAGE = os.sysconf("SC_PAGE_SIZE")


def sample_dir(samples: Path, scale: int) -> Path:
    """Return the folder of the sample at ``scale``, generating it the first time."""
    folder = samples / f"x{scale}"
    if not (folder / "orders.csv").is_file():
        subprocess.run([sys.executable, "-m", "salesnb.cli", "sample", str(folder), "--scale", str(scale)],
                       check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return folder


def count_rows(folder: Path) -> dict[str, int]:
    """Return the data rows of each CSV table of a sample folder."""
    rows = {}
    for file in sorted(folder.glob("*.csv")):
        with file.open("rb") as handle:
            rows[file.stem] = sum(1 for _ in handle) - 1
    return rows


def _stat(pid: int) -> tuple[int, float, int] | None:
    """Return (parent pid, CPU seconds user+sys, RSS bytes) of a process, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read().decode(errors="replace")
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK, int(fields[21]) * PAGE


@dataclass
class Sampler:
    """Poll the process tree under ``root`` from a thread: CPU per pid over time, peak RSS."""

    root: int
    every: float = 0.2
    samples: list[tuple[float, dict[int, float]]] = field(default_factory=list)
    peak_rss: int = 0
    peak_pid: int = 0
    loads: list[float] = field(default_factory=list)

    def __post_init__(self) -> None:
        """Start the sampling thread."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _tree(self) -> dict[int, tuple[float, int]]:
        stats = {}
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                got = _stat(int(entry))
                if got is not None:
                    stats[int(entry)] = got
        inside, grew = {self.root}, True
        while grew:
            grew = False
            for pid, (ppid, _, _) in stats.items():
                if ppid in inside and pid not in inside:
                    inside.add(pid)
                    grew = True
        return {pid: stats[pid][1:] for pid in inside if pid in stats}

    def _run(self) -> None:
        while not self._stop.is_set():
            tree = self._tree()
            self.samples.append((time.monotonic(), {pid: cpu for pid, (cpu, _) in tree.items()}))
            for pid, (_, rss) in tree.items():
                if rss > self.peak_rss:
                    self.peak_rss, self.peak_pid = rss, pid
            self.loads.append(os.getloadavg()[0])
            self._stop.wait(self.every)

    def stop(self) -> None:
        """Stop sampling."""
        self._stop.set()
        self._thread.join()

    def cpu_between(self, pid: int, start: float, end: float) -> float:
        """Return the CPU seconds ``pid`` used between two monotonic times (nearest samples)."""
        first = last = 0.0
        for at, cpus in self.samples:
            if pid not in cpus:
                continue
            if at <= start:
                first = cpus[pid]
            if at <= end + 2 * self.every:
                last = cpus[pid]
        return max(0.0, last - first)

    def pids(self) -> set[int]:
        """Return every pid seen."""
        return {pid for _, s in self.samples for pid in s}


@dataclass
class Run:
    """One ``salesnb run`` measured: windows per report, CPU per report, totals."""

    wall: float
    cpu: float
    peak_rss: int
    peak_report: str
    load: float
    ok: bool
    durations: dict[str, float]
    cpus: dict[str, float]
    failed: list[str]


def _windows(lines: list[tuple[float, str]]) -> dict[str, tuple[float, float]]:
    """Return each report's (start, end) monotonic time from the runner's progress lines."""
    starts: dict[str, float] = {}
    ends: dict[str, float] = {}
    began = lines[0][0] if lines else 0.0
    for at, line in lines:
        words = line.split()
        done = re.match(r"\[[\s\d/]+\]\s+\S+\s+(\S+)", line)
        if line.startswith("Data read and checked once"):
            starts[CHECK], ends[CHECK] = began, at
        elif len(words) >= 2 and words[0] == "start":
            starts.setdefault(words[1], at)
        elif done:
            ends.setdefault(done.group(1), at)
    return {name: (starts[name], ends.get(name, starts[name])) for name in starts}


def _attribute(sampler: Sampler, windows: dict[str, tuple[float, float]], main: int) -> dict[str, float]:
    """Return each report's CPU: the process that used the most CPU in its window (its kernel)."""
    taken: list[tuple[int, float, float]] = []
    cpus = {}
    for name, (start, end) in sorted(windows.items(), key=lambda kv: kv[1][0]):
        busy = {pid for pid, s, e in taken if s < end and e > start}
        best = max(((sampler.cpu_between(pid, start, end), pid) for pid in sampler.pids() - busy - {main}),
                   default=(0.0, 0))
        cpus[name] = best[0]
        taken.append((best[1], start, end))
    return cpus


def run_pack(args: list[str], *, cache: Path, timeout: float) -> Run:
    """Run ``salesnb run ARGS`` in a fresh process and measure it."""
    env = {**os.environ, "SALESNB_CACHE": str(cache), "PYTHONPATH": str(ROOT)}
    began = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "salesnb.cli", "run", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    sampler = Sampler(proc.pid)
    lines: list[tuple[float, str]] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        lines.append((time.monotonic(), line.strip()))
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.monotonic() - began
    sampler.stop()
    windows = _windows(lines)
    cpus = _attribute(sampler, windows, proc.pid)
    # the report whose window the peak process worked in most (a kernel starts ahead of its report)
    busy = {n: sampler.cpu_between(sampler.peak_pid, s, e) for n, (s, e) in windows.items()}
    peak_report = max(busy, key=busy.__getitem__) if busy and max(busy.values()) > 0 else "runner"
    durations, failed = _pack_results(lines)
    if CHECK in windows:
        durations[CHECK] = windows[CHECK][1] - windows[CHECK][0]
    if proc.returncode:
        print("\n".join(text for _, text in lines[-15:]), file=sys.stderr)
    return Run(wall=wall, cpu=usage.ru_utime + usage.ru_stime, peak_rss=sampler.peak_rss, peak_report=peak_report,
               load=sum(sampler.loads) / max(len(sampler.loads), 1), ok=proc.returncode == 0, durations=durations,
               cpus=cpus, failed=failed)


def _pack_results(lines: list[tuple[float, str]]) -> tuple[dict[str, float], list[str]]:
    """Return each report's duration from the pack's ``pack.json`` and the reports that failed."""
    index = next((text.split(":", 1)[1].strip() for _, text in lines if text.startswith("Report pack:")), "")
    if not index:
        return {}, ["(no pack)"]
    pack = json.loads((Path(index).parent / "pack.json").read_text(encoding="utf-8"))
    durations, failed = {}, []
    for r in pack["results"]:
        name = r["name"]  # a rep page's name ends with __<rep_id>
        durations[name] = float(r["duration"] or 0.0)
        if r["status"] != "ok":
            failed.append(f"{name}: {r['status']}")
    return durations, failed


def first_active_reps(folder: Path, n: int = 3) -> list[str]:
    """Return the first ``n`` reps of a sample with no leave date (ids have more digits at larger scales)."""
    import csv

    with (folder / "reps.csv").open(encoding="utf-8", newline="") as handle:
        return [row["rep_id"] for row in csv.DictReader(handle) if not row["leave_date"]][:n]


def measure(scale: int, *, samples: Path, out: Path, rep: str | None, timeout: float | None,
            everything: bool = False, source: Source | None = None) -> dict[str, object]:
    """Measure one scale; return its row of the table (with ``everything``, the plain default run too).

    ``source`` reads a copy of the sample in another format (default: the CSV folder).
    """
    folder = sample_dir(samples, scale)
    reps = [rep] if rep else first_active_reps(folder)
    rows = count_rows(folder)
    data = str(folder) if source is None else source.copy_of(folder, scale)
    load_wall, load_cpu, load_rss = _load_in_child(data)
    extra = ["--timeout", str(timeout)] if timeout else []
    with tempfile.TemporaryDirectory(prefix=f"scale{scale}-cache-") as cache:
        team = run_pack([*TEAM, "--data", data, "--out", str(out / f"x{scale}-team"), *extra],
                        cache=Path(cache), timeout=timeout or 0)
        page = run_pack(["04_periodic_review", "--reps", ",".join(reps), "--jobs", "1", "--data", data, "--out",
                         str(out / f"x{scale}-rep"), *extra], cache=Path(cache), timeout=timeout or 0)
    first, *following = [f"04_periodic_review__{r}" for r in reps]
    row = {
        "scale": scale, "source": "csv" if source is None else source.kind, "rows": sum(rows.values()), "tables": rows,
        "load_wall": load_wall, "load_cpu": load_cpu, "load_rss": load_rss,
        "notebooks": {SHORT[n]: {"wall": team.durations.get(n), "cpu": team.cpus.get(n)} for n in TEAM},
        "pack_wall": team.wall, "pack_cpu": team.cpu, "pack_ok": team.ok, "failed": team.failed,
        "peak_rss": team.peak_rss, "peak_report": team.peak_report, "load_avg": team.load,
        "rep_wall": page.durations.get(first), "rep_cpu": page.cpus.get(first), "rep_ok": page.ok,
        "rep_next_wall": _median([page.durations.get(n) for n in following]),
        "rep_next_cpu": _median([page.cpus.get(n) for n in following]),
        "rep_peak_rss": page.peak_rss,
        "check_wall": team.durations.get(CHECK), "check_cpu": team.cpus.get(CHECK),
    }
    if everything:
        with tempfile.TemporaryDirectory(prefix=f"scale{scale}-cache-") as cache:
            plain = run_pack(["--data", data, "--out", str(out / f"x{scale}-all"), *extra],
                             cache=Path(cache), timeout=timeout or 0)
        row["all"] = {"wall": plain.wall, "cpu": plain.cpu, "ok": plain.ok, "failed": plain.failed,
                      "peak_rss": plain.peak_rss, "peak_report": plain.peak_report, "load_avg": plain.load,
                      **{SHORT[n]: {"wall": plain.durations.get(n), "cpu": plain.cpus.get(n)} for n in MORE}}
    return row


@dataclass
class Source:
    """Where the measured packs read the sample from: a copy of each scale's CSV folder in ``kind``."""

    kind: str
    postgres: str | None = None  # a server's URL (any database of it); None: a throwaway one
    server: object = None

    def copy_of(self, folder: Path, scale: int) -> str:
        """Return the ``--data`` of the copy of ``folder`` (written the first time); never with a password.

        A PostgreSQL password goes to ``SALESNB_DB_PASSWORD`` (as ``salesnb run`` passes it on),
        so no command line shows it.
        """
        if self.kind == "parquet":
            target = folder.with_name(f"{folder.name}-parquet")
            if not (target / "orders.parquet").is_file():
                sys.path.insert(0, str(Path(__file__).parent))
                from bench_load import to_parquet

                to_parquet(folder, target)
            return str(target)
        if self.kind == "duckdb":
            target = folder.with_name(f"{folder.name}.duckdb")
            if not target.is_file():
                _write_copy(folder, f"duckdb:///{target}")
            return f"duckdb:///{target}"
        return self._postgres_copy(folder, scale)

    def _postgres_copy(self, folder: Path, scale: int) -> str:
        """Return the URL of database ``x<scale>`` of the server, writing the sample into it when it has no orders."""
        from salesnb.data.sql import split_secret

        base = self.postgres or self._throwaway()
        url = base.rsplit("/", 1)[0] + f"/x{scale}"
        if not _has_orders(base, f"x{scale}"):
            _write_copy(folder, url)
        url, secret = split_secret(url)
        if secret is not None:
            os.environ["SALESNB_DB_PASSWORD"] = secret
        return url

    def _throwaway(self) -> str:
        """Start a throwaway server (``tests/pgserver.py``); return its URL."""
        if self.server is None:
            sys.path.insert(0, str(ROOT / "tests"))
            import pgserver

            self.server = pgserver.start()
        return self.server.url()  # type: ignore[attr-defined]

    def close(self) -> None:
        """Stop the throwaway server, if one was started."""
        if self.server is not None:
            self.server.stop()  # type: ignore[attr-defined]


def _write_copy(folder: Path, url: str) -> None:
    """Write the sample of ``folder`` into database ``url`` (``salesnb.sample.write.write_database``), in a child."""
    code = ("import sys; from pathlib import Path; from salesnb.sample.write import write_database; "
            "write_database(Path(sys.argv[1]), sys.stdin.read())")
    subprocess.run([sys.executable, "-c", code, str(folder)], input=url, text=True, check=True, cwd=ROOT,
                   env={**os.environ, "PYTHONPATH": str(ROOT)})


def _has_orders(base: str, database: str) -> bool:
    """Return whether database ``database`` of the server of ``base`` has an ``orders`` table (created if absent)."""
    import psycopg

    with psycopg.connect(base, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (database,)).fetchone():
            conn.execute(f'CREATE DATABASE "{database}"')
            return False
    with psycopg.connect(base.rsplit("/", 1)[0] + f"/{database}") as conn:
        return conn.execute("SELECT to_regclass('public.orders') IS NOT NULL").fetchone()[0]


def _load_in_child(folder: Path | str) -> tuple[float, float, int]:
    """Measure the load in a child process (its own CPU and peak memory via wait4)."""
    code = ("import sys, time; from salesnb.data import load; t = time.monotonic(); "
            "load(sys.argv[1], cache=False); print(time.monotonic() - t)")
    proc = subprocess.Popen([sys.executable, "-c", code, str(folder)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = float(out.strip().splitlines()[-1]) if proc.returncode == 0 else float("nan")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss * 1024


def _median(values: list[float | None]) -> float | None:
    """Median of the measured values; None when none was measured."""
    import statistics

    known = [v for v in values if v is not None]
    return statistics.median(known) if known else None


def _cell(wall: float | None, cpu: float | None) -> str:
    if wall is None:
        return "-"
    return f"{wall:.1f} ({cpu:.1f})" if cpu is not None else f"{wall:.1f}"


def table(rows: list[dict[str, object]]) -> str:
    """Return the results as a Markdown table: wall seconds with CPU seconds (user+sys) in brackets."""
    head = ["scale", "rows", "load s", "check s", *[f"{SHORT[n]} s" for n in TEAM], "pack s", "peak RSS GiB",
            "rep page s: first / next", "load avg"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        nbs = r["notebooks"]
        cells = [f"{r['scale']}x", f"{r['rows']:,}", _cell(r["load_wall"], r["load_cpu"]),
                 _cell(r.get("check_wall"), r.get("check_cpu")),
                 *[_cell(nbs[SHORT[n]]["wall"], nbs[SHORT[n]]["cpu"]) for n in TEAM],
                 _cell(r["pack_wall"], r["pack_cpu"]) + ("" if r["pack_ok"] else " FAILED"),
                 f"{r['peak_rss'] / 2**30:.2f} ({SHORT.get(r['peak_report'], r['peak_report'])})",
                 f"{_cell(r['rep_wall'], r['rep_cpu'])} / {_cell(r.get('rep_next_wall'), r.get('rep_next_cpu'))}",
                 f"{r['load_avg']:.1f}"]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def table_all(rows: list[dict[str, object]]) -> str:
    """Return the plain default runs (every notebook) as a Markdown table."""
    out = ["| scale | plain `salesnb run` s | completed | 05 s | 06 s | peak RSS GiB | load avg |",
           "|---|---|---|---|---|---|---|"]
    for r in rows:
        a = r.get("all")
        if not a:
            continue
        done = "yes" if a["ok"] else "no: " + "; ".join(a["failed"])
        five, six = _cell(a["05"]["wall"], a["05"]["cpu"]), _cell(a["06"]["wall"], a["06"]["cpu"])
        out.append(f"| {r['scale']}x | {_cell(a['wall'], a['cpu'])} | {done} | {five} | {six} "
                   f"| {a['peak_rss'] / 2**30:.2f} ({SHORT.get(a.get('peak_report'), a.get('peak_report'))}) "
                   f"| {a['load_avg']:.1f} |")
    return "\n".join(out)


@contextlib.contextmanager
def _closed(source: Source | None) -> Iterator[None]:
    """Stop ``source``'s throwaway server (if any) when the measurements end."""
    try:
        yield
    finally:
        if source is not None:
            source.close()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", default="1,10,30,100", help="comma-separated scales (default 1,10,30,100)")
    parser.add_argument("--samples", default="/tmp/salesnb-scale", help="where generated samples are kept")
    parser.add_argument("--out", default=None, help="folder for the packs (default: a temporary folder)")
    parser.add_argument("--rep", default=None, help="one rep for the rep page (default: the first three active reps)")
    parser.add_argument("--timeout", type=float, default=None, help="--timeout of salesnb run (default: its own)")
    parser.add_argument("--json", default=None, help="also write the figures to this JSON file")
    parser.add_argument("--all", action="store_true", help="also time the plain default run (every notebook)")
    parser.add_argument("--source", choices=SOURCES, default="csv", help="read a copy of the sample in this format")
    parser.add_argument("--postgres", default=None, help="--source postgresql: a server's URL (default: a throwaway)")
    args = parser.parse_args(argv)
    samples = Path(args.samples)
    samples.mkdir(parents=True, exist_ok=True)
    rows = []
    source = None if args.source == "csv" else Source(args.source, postgres=args.postgres)
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp, _closed(source):
        out = Path(args.out) if args.out else Path(tmp)
        for scale in (int(s) for s in args.scales.split(",")):
            rows.append(measure(scale, samples=samples, out=out, rep=args.rep, timeout=args.timeout,
                                everything=args.all, source=source))
            print(f"scale {scale}x done: pack {rows[-1]['pack_wall']:.1f} s", file=sys.stderr, flush=True)
            if args.json:
                Path(args.json).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    print(f"Source: {args.source}.")
    print("Seconds: wall (CPU user+sys in brackets; CPU is what other load on the machine does not inflate).")
    print("Peak RSS: the largest process of the team pack (the report holding it in brackets).")
    print(table(rows))
    if args.all:
        print()
        print(table_all(rows))
    ok = all(r["pack_ok"] and r["rep_ok"] and r.get("all", {"ok": True})["ok"] for r in rows)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
