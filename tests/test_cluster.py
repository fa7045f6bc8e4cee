"""Report packs on a Dask cluster: a real ``distributed.LocalCluster`` with process workers.

One pack runs through ``salesnb run --scheduler local:2`` (the CLI): per-rep pages, a
notebook that raises, one that kills the Dask worker running it, and one that stalls
on its first run; the same notebooks (but the worker killer) run on the local runner,
and the pages are compared.
"""

from __future__ import annotations

import contextlib
import io
import json
import re
from pathlib import Path

import pytest

from salesnb import cli
from salesnb.errors import ParameterError
from salesnb.report import _plan, run_pack

pytest.importorskip("distributed")

NOTEBOOKS = Path(__file__).parent / "notebooks"
REPS_CSV = """\
rep_id,name,region_id,hire_date,leave_date,weekly_capacity
R01,Ana,N,2020-01-01,,40
R02,Bea,N,2020-01-01,,40
R03,Gone before the period end,N,2019-01-01,2026-05-31,40
R04,Carla,S,2021-01-01,2027-01-01,40
"""
TIMEOUT = 8
COMMON = ("ok", "raises", "per_rep", "flaky")


def nb(name: str) -> str:
    return str(NOTEBOOKS / f"{name}.ipynb")


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    root = tmp_path_factory.mktemp("cluster")
    data = root / "data"
    data.mkdir()
    (data / "reps.csv").write_text(REPS_CSV, encoding="utf-8")
    common = ["--data", str(data), "--period-end", "2026-10", "--per-rep", "--timeout", str(TIMEOUT),
              "-p", "horizon", "3", "-p", "title", "T"]
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["run", *map(nb, (*COMMON, "kills_worker")), *common, "--out", str(root / "cluster"),
                         "--scheduler", "local:2", "-p", "marker", str(root / "marker-cluster")])
    [cluster] = [p for p in (root / "cluster").iterdir() if p.is_dir()]
    local = run_pack(list(map(nb, COMMON)), data=str(data), out=root / "local", period_end="2026-10", per_rep=True,
                     params={"horizon": 3, "title": "T", "marker": str(root / "marker-local")}, jobs=2,
                     timeout=TIMEOUT, progress=False)
    return {"code": code, "cluster": cluster, "local": local.run_dir, "stderr": err.getvalue()}


def manifest(folder: Path) -> dict:
    return json.loads((folder / "pack.json").read_text(encoding="utf-8"))


def page(folder: Path, name: str) -> str:
    """A report page with what differs between runs (run id, start time, the stall marker's file) blanked."""
    stamp = manifest(folder)
    body = (folder / f"{name}.html").read_text(encoding="utf-8")
    body = body.replace("marker-cluster", "MARKER").replace("marker-local", "MARKER")
    return body.replace(stamp["run_id"], "RUN").replace(stamp["started"], "STARTED")


def outputs(folder: Path, name: str) -> list:
    cells = json.loads((folder / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]
    return [[{k: v for k, v in o.items() if k != "execution_count"} for o in c.get("outputs", [])] for c in cells]


def test_exit_code_and_index_mark_exactly_the_failing_notebook_and_the_killed_worker(packs):
    assert packs["code"] == 1
    results = {r["name"]: r for r in manifest(packs["cluster"])["results"]}
    assert sorted(results) == sorted(["ok", "raises", "kills_worker", "flaky", "per_rep", "per_rep__R01",
                                      "per_rep__R02", "per_rep__R04"])
    failed = {name for name, r in results.items() if r["status"] != "ok"}
    assert failed == {"raises", "kills_worker"}
    assert results["raises"]["error"] == "ValueError: boom-marker: the numbers do not add up"
    assert results["kills_worker"]["error"].startswith("WorkerDied: the Dask worker running this report died")
    index = (packs["cluster"] / "index.html").read_text(encoding="utf-8")
    assert index.count('class="failed"') == 2


def test_a_stalled_report_is_retried_on_the_cluster_and_the_retry_recorded(packs):
    flaky = next(r for r in manifest(packs["cluster"])["results"] if r["name"] == "flaky")
    assert flaky["status"] == "ok" and flaky["attempts"] == 2
    assert flaky["retries"][0]["reason"].startswith("Timeout: ")
    assert (packs["cluster"] / flaky["retries"][0]["stall"]).is_file()


def test_pages_equal_a_local_runs(packs):
    names = [r["name"] for r in manifest(packs["local"])["results"]]
    assert len(names) == 7
    for name in names:
        assert page(packs["cluster"], name) == page(packs["local"], name), name
        assert outputs(packs["cluster"], name) == outputs(packs["local"], name), name


def test_pack_is_atomic_and_in_plan_order(packs):
    out = packs["cluster"].parent
    assert not [p for p in out.iterdir() if p.name.endswith(".partial")]
    assert (out / "latest.html").is_file()
    names = [r["name"] for r in manifest(packs["cluster"])["results"]]
    assert names == ["ok", "raises", "per_rep", "per_rep__R01", "per_rep__R02", "per_rep__R04", "flaky",
                     "kills_worker"]


def test_progress_names_the_cluster(packs):
    assert "on the Dask cluster local:2" in packs["stderr"]
    assert re.search(r"FAILED\s+kills_worker", packs["stderr"])


@pytest.mark.parametrize("value", ["local:0", "local:x", "local:", "nowhere", "", "http://x:1 y", 8786])
def test_bad_scheduler_is_refused_before_anything_runs(value):
    with pytest.raises(ParameterError, match="Dask scheduler address"):
        _plan.check_scheduler(value, lang="en")


@pytest.mark.parametrize("value", ["local:2", "tcp://10.0.0.5:8786", "tls://sched.example.com:8786", "sched:8786"])
def test_good_scheduler_addresses(value):
    assert _plan.check_scheduler(value) == value
