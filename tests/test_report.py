"""salesnb.report: report packs from fixture notebooks (tests/notebooks/).

One pack with a good, a raising, a dying, a sleeping and a per-rep notebook is run
once for the module (about 10 s on 2 cores); most tests read it.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnb import __version__, cli
from salesnb.errors import DataSourceError, ParameterError, ReportError
from salesnb.report import _pack, _plan, _pool, _publish, _zygote, run_pack

NOTEBOOKS = Path(__file__).parent / "notebooks"
EVIL_TITLE = "<script>alert('x')</script> & co"
TIMEOUT = 6

REPS_CSV = """\
rep_id,name,region_id,hire_date,leave_date,weekly_capacity
R01,Ana,N,2020-01-01,,40
R03,Gone before the period end,N,2019-01-01,2026-05-31,40
R/9 x,Leaves after the period end,S,2021-01-01,2027-01-01,40
R10,Hired after the period end,S,2026-12-01,,40
"""


def make_data(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    (path / "reps.csv").write_text(REPS_CSV, encoding="utf-8")
    (path / "orders.csv").write_text("order_id,line_no\nO1,1\n", encoding="utf-8")
    return path


def nb_path(name: str) -> Path:
    return NOTEBOOKS / f"{name}.ipynb"


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    """The shared pack: ok + raises + dies + sleeps + per_rep (per-rep pages on)."""
    root = tmp_path_factory.mktemp("pack")
    data = make_data(root / "data")
    err = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stderr(err):
        result = run_pack(
            [nb_path(n) for n in ("ok", "raises", "dies", "sleeps", "per_rep")],
            data=str(data),
            out=root / "out",
            period_end="2026-10",
            per_rep=True,
            params={"horizon": 3, "title": EVIL_TITLE},
            jobs=2,
            timeout=TIMEOUT,
        )
    return {
        "result": result,
        "out": root / "out",
        "data": data,
        "stderr": err.getvalue(),
        "seconds": time.monotonic() - started,
    }


def by_name(pack) -> dict:
    return {r.name: r for r in pack["result"].results}


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


# ------------------------------------------------------------------- failure isolation


def test_pack_is_not_ok_but_complete(pack):
    result = pack["result"]
    assert result.ok is False
    assert result.run_dir == pack["out"] / result.run_id
    assert result.index_path == result.run_dir / "index.html"
    assert result.index_path.is_file()
    names = [r.name for r in result.results]
    assert names == ["ok", "raises", "dies", "sleeps", "per_rep", "per_rep__R01", "per_rep__R_9_x"]
    for r in result.results:
        assert r.html_path.is_file(), r.name
        assert r.html_path.parent == result.run_dir
        assert r.duration > 0


def test_statuses_and_errors(pack):
    got = by_name(pack)
    assert {n for n, r in got.items() if r.ok} == {"ok", "per_rep", "per_rep__R01", "per_rep__R_9_x"}
    assert got["raises"].error == "ValueError: boom-marker: the numbers do not add up"
    assert got["dies"].error.startswith("KernelDied: the kernel process stopped with exit code 1 in cell 4")
    assert got["sleeps"].error.startswith(f"Timeout: the notebook ran longer than {TIMEOUT} s")
    assert got["ok"].error is None


def test_failed_notebooks_keep_their_partial_execution(pack):
    got = by_name(pack)
    raised = json.loads(read(got["raises"].ipynb_path))
    outputs = [o for c in raised["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    texts = "".join("".join(o.get("text", "")) for o in outputs)
    assert "before the error" in texts and "never printed" not in texts
    assert any(o["output_type"] == "error" for o in outputs)  # the traceback stays in the .ipynb
    assert raised["metadata"]["salesnb"]["status"] == "failed"
    died = json.loads(read(got["dies"].ipynb_path))
    outputs = [o for c in died["cells"] if c["cell_type"] == "code" for o in c.get("outputs", [])]
    assert "".join("".join(o.get("text", "")) for o in outputs) == "about to die\n"


def test_index_lists_every_report_with_status_and_error(pack):
    index = read(pack["result"].index_path)
    assert "4 of 7 reports ok" in index and "3 failed" in index
    for name in ("ok", "raises", "dies", "sleeps", "per_rep__R01", "per_rep__R_9_x"):
        assert f'href="{name}.html"' in index
    assert "boom-marker: the numbers do not add up" in index
    assert "KernelDied" in index and "Timeout" in index
    assert index.count('class="failed"') == 3
    assert pack["result"].run_id in index and __version__ in index


def test_pack_manifest(pack):
    manifest = json.loads(read(pack["result"].run_dir / "pack.json"))
    assert manifest["ok"] is False
    assert manifest["data"] == str(pack["data"])
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["data_hash"])
    assert manifest["parameters"]["period_end"] == "2026-10-31"
    rows = {r["name"]: r for r in manifest["results"]}
    assert rows["raises"]["status"] == "failed"
    assert rows["per_rep__R01"]["rep_id"] == "R01"


def test_progress_lines(pack):
    err = pack["stderr"]
    assert re.search(r"start\s+ok\b", err)
    assert re.search(r"\[\s*\d/7\] ok\s+ok \(\d+\.\d s\)", err)
    assert re.search(r"FAILED\s+raises \(\d+\.\d s\): ValueError: boom-marker", err)
    assert "4 ok, 3 failed" in err


# ---------------------------------------------------------------------- parameters


def test_injected_parameters_only_where_declared(pack):
    got = by_name(pack)
    assert got["ok"].params == {
        "data": str(pack["data"]),
        "lang": "en",
        "period_end": "2026-10-31",
        "title": EVIL_TITLE,
        "horizon": 3,
    }
    assert got["raises"].params == {"data": str(pack["data"]), "lang": "en"}
    assert got["dies"].params == {"lang": "en"}
    html = read(got["ok"].html_path)
    assert "horizon is 3, doubled 6" in html
    assert "period_end 2026-10-31" in html


def test_injected_cell_follows_the_parameters_cell(pack):
    nb = json.loads(read(by_name(pack)["ok"].ipynb_path))
    tags = [c["metadata"].get("tags", []) for c in nb["cells"]]
    i = next(i for i, t in enumerate(tags) if "parameters" in t)
    assert "injected-parameters" in tags[i + 1]
    assert "horizon = 3" in "".join(nb["cells"][i + 1]["source"])


def test_undeclared_user_parameter_is_an_error_before_anything_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(_pool, "run_tasks", _must_not_run)
    with pytest.raises(ParameterError, match="'horizn' is not declared by any selected notebook"):
        run_pack([nb_path("ok")], data=str(tmp_path), out=tmp_path / "out", params={"horizn": 3})
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"horizon": (1, 2)}, "plain value"),
        ({"x=1;import os": 1}, "not allowed"),
        ({"horizon": "6 months"}, r"must be int \(declared `horizon: int = 6`\)\. Got '6 months'"),
        ({"regions": ["N", 2]}, r"must be list\[str\]"),
    ],
)
def test_bad_parameters_are_rejected_before_anything_runs(tmp_path, monkeypatch, params, match):
    monkeypatch.setattr(_pool, "run_tasks", _must_not_run)
    with pytest.raises(ParameterError, match=match):
        run_pack([nb_path("ok")], data=str(tmp_path), out=tmp_path / "out", params=params)


def test_bad_options_are_rejected(tmp_path, monkeypatch):
    monkeypatch.setattr(_pool, "run_tasks", _must_not_run)
    ok = [nb_path("ok")]
    with pytest.raises(ParameterError, match="'period' parameter must be a date"), \
            pytest.warns(DeprecationWarning, match="use period_end="):
        run_pack(ok, data=str(tmp_path), out=tmp_path, period="October")
    with pytest.raises(ParameterError, match="'period_end' parameter must be a date"):
        run_pack(ok, data=str(tmp_path), out=tmp_path, period_end="October")
    with pytest.raises(ParameterError, match="period end once"):
        run_pack(ok, data=str(tmp_path), out=tmp_path, period="2026-10", period_end="2026-10")
    with pytest.raises(ParameterError, match="'lang' parameter"):
        run_pack(ok, data=str(tmp_path), out=tmp_path, lang="fr")
    with pytest.raises(ParameterError, match="'jobs' option"):
        run_pack(ok, data=str(tmp_path), out=tmp_path, jobs=0)
    with pytest.raises(DataSourceError, match="does not exist"):
        run_pack(ok, data=str(tmp_path / "nope"), out=tmp_path)
    with pytest.raises(ReportError, match="not found"):
        run_pack(["no_such_notebook"], data=str(tmp_path), out=tmp_path)
    with pytest.raises(DataSourceError, match="reps table"):
        run_pack([nb_path("per_rep")], data=str(tmp_path), out=tmp_path, per_rep=True)


def _must_not_run(*args, **kwargs):
    raise AssertionError("no notebook may run when the parameters are bad")


# ------------------------------------------------------------------------------ per rep


def test_per_rep_pages_for_active_reps_only(pack):
    files = sorted(p.name for p in pack["result"].run_dir.glob("per_rep*.html"))
    assert files == ["per_rep.html", "per_rep__R01.html", "per_rep__R_9_x.html"]
    got = by_name(pack)
    assert got["per_rep"].params["rep_id"] is None
    assert got["per_rep__R_9_x"].rep_id == "R/9 x"
    assert "page for the team up to 2026-10-31" in read(got["per_rep"].html_path)
    assert "page for R/9 x up to 2026-10-31" in read(got["per_rep__R_9_x"].html_path)


def test_active_reps_at_a_period_end(tmp_path):
    data = make_data(tmp_path / "d")
    assert _plan.active_reps(data, period_end="2026-04-30") == ["R01", "R03", "R/9 x"]
    assert _plan.active_reps(data, period_end="2027-06-30") == ["R01", "R10"]
    assert _plan.active_reps(data, period_end=None) == ["R01", "R10"]  # no leave date


def test_rep_ids_become_safe_unique_file_names():
    used: set[str] = set()
    assert _plan.safe_suffix("R07", used) == "R07"
    assert _plan.safe_suffix("../etc/passwd", used) == "etc_passwd"
    assert _plan.safe_suffix("r07", used) == "r07-2"  # case-insensitive file systems
    assert _plan.safe_suffix("ñ", used) == "rep"


# --------------------------------------------------------------------------------- HTML


def all_html(pack) -> dict[str, str]:
    return {p.name: read(p) for p in pack["result"].run_dir.glob("*.html")}


def test_html_fetches_nothing_from_the_network(pack):
    for name, html in all_html(pack).items():
        assert not re.search(r"<script[^>]*\bsrc\s*=", html, re.I), name
        assert not re.search(r"<link[^>]*href\s*=\s*[\"']?(https?:)?//", html, re.I), name
        assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I), name
        assert not re.search(r"url\(\s*[\"']?(https?:)?//", html, re.I), name
        assert not re.search(r"@import\s", html), name
        for cdn in ("require.min.js", "mathjax", "cdn.jsdelivr", "unpkg.com", "cdnjs"):
            assert cdn not in html.lower(), (name, cdn)


def test_code_is_hidden(pack):
    got = by_name(pack)
    html = read(got["ok"].html_path)
    assert "secret_code_marker_7f3a" not in html
    assert "# Parameters" not in html and "horizon = 3" not in html
    assert "time.sleep" not in read(got["sleeps"].html_path)
    body = html[html.index("<body") :]
    assert "jp-CodeMirrorEditor" not in body and "jp-InputPrompt" not in body


def test_outputs_are_cleaned(pack):
    html = read(by_name(pack)["ok"].html_path)
    assert "noise-on-stderr" not in html
    assert "kept-widget-html" in html
    assert "dropped-widget-repr" not in html
    assert "application/vnd.jupyter.widget" not in html


def test_failed_report_shows_a_clean_error(pack):
    html = read(by_name(pack)["raises"].html_path)
    assert "This report failed:</strong> ValueError: boom-marker: the numbers do not add up" in html
    assert "before the error" in html
    assert "Traceback" not in html and "\x1b[" not in html and "ipython-input" not in html
    assert "never printed" not in html


def test_stamp_is_escaped(pack):
    result = pack["result"]
    html = read(by_name(pack)["ok"].html_path)
    footer = html[html.index('class="salesnb-stamp"') :]
    assert EVIL_TITLE not in html  # neither in the stamp nor in the printed output
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp;amp; co" not in footer  # once
    assert "&lt;script&gt;alert(" in footer
    assert result.run_id in footer and __version__ in footer
    manifest = json.loads(read(result.run_dir / "pack.json"))
    assert manifest["data_hash"] in footer
    index = read(result.index_path)
    assert EVIL_TITLE not in index and "&lt;script&gt;" in index


# ----------------------------------------------------------------------------- atomicity


def test_data_hash_covers_names_and_bytes_in_a_stable_order(tmp_path):
    a = make_data(tmp_path / "a")
    b = tmp_path / "b"
    b.mkdir()
    for name in ("orders.csv", "reps.csv"):  # written in the other order
        shutil.copy(a / name, b / name)
    (b / ".DS_Store").write_bytes(b"junk")  # hidden files do not count
    assert _publish.data_hash(a) == _publish.data_hash(b)
    (b / "reps.csv").write_text(REPS_CSV.replace("Ana", "Eva"), encoding="utf-8")
    assert _publish.data_hash(a) != _publish.data_hash(b)
    assert re.fullmatch(r"[0-9a-f]{64}", _publish.data_hash(a / "reps.csv"))


def test_no_partial_dir_and_latest_points_to_the_pack(pack):
    out = pack["out"]
    assert not [p for p in out.iterdir() if p.name.endswith(".partial")]
    latest = read(out / "latest.html")
    target = f"{pack['result'].run_id}/index.html"
    assert f'url={target}"' in latest and f'href="{target}"' in latest
    assert "http" not in latest.replace('http-equiv="refresh"', "")


def test_crash_leaves_no_half_pack_and_keeps_latest(tmp_path, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    (out / "latest.html").write_text("previous", encoding="utf-8")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(_pool, "run_tasks", crash)
    with pytest.raises(KeyboardInterrupt):
        run_pack([nb_path("ok")], data=str(make_data(tmp_path / "d")), out=out, progress=False)
    assert sorted(p.name for p in out.iterdir()) == ["latest.html"]
    assert read(out / "latest.html") == "previous"


@pytest.mark.slow
def test_cli_run_by_name_updates_latest_and_keeps_older_packs(tmp_path, monkeypatch):
    home = tmp_path / "home"
    (home / "notebooks").mkdir(parents=True)
    shutil.copy(nb_path("ok"), home / "notebooks" / "ok.ipynb")
    monkeypatch.setenv("SALESNB_HOME", str(home))
    data = make_data(tmp_path / "d")
    out = home / "reports"
    older = out / "20000101-000000"
    older.mkdir(parents=True)
    (older / "index.html").write_text("old", encoding="utf-8")
    code = cli.main(["run", "ok", "--data", str(data), "-p", "horizon", "4", "--no-progress"])
    assert code == 0
    packs = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert len(packs) == 2 and packs[0] == "20000101-000000"
    assert read(older / "index.html") == "old"
    assert f"url={packs[1]}/index.html" in read(out / "latest.html")
    assert "horizon is 4, doubled 8" in read(out / packs[1] / "ok.html")
    assert cli.main(["run", "ok", "--data", str(data), "-p", "horizon", '"x"']) == 2


@pytest.mark.slow
def test_cli_exit_code_is_1_when_a_notebook_fails(tmp_path):
    code = cli.main(
        [
            "run",
            str(nb_path("raises")),
            "--data",
            str(make_data(tmp_path / "d")),
            "--out",
            str(tmp_path / "out"),
            "--no-progress",
        ]
    )
    assert code == 1


@pytest.mark.slow
def test_a_dead_worker_fails_its_notebook_and_the_rest_still_run(tmp_path, monkeypatch):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # where the runner's scratch goes
    # kernels launched by the worker itself, so the kernel's parent is the worker
    monkeypatch.setattr(_zygote.Zygote, "start", classmethod(lambda cls, folder, modules: None))
    nb = dict(PID_NOTEBOOK)
    nb["cells"] = [
        dict(PID_NOTEBOOK["cells"][0], source="lang: str = 'en'  # report language"),
        dict(PID_NOTEBOOK["cells"][1], source="import os, signal\nos.kill(os.getppid(), signal.SIGKILL)"),
    ]
    killer = tmp_path / "kills_its_worker.ipynb"
    killer.write_text(json.dumps(nb), encoding="utf-8")
    result = run_pack(
        [killer, nb_path("ok")],
        data=str(make_data(tmp_path / "d")),
        out=tmp_path / "out",
        jobs=1,
        timeout=TIMEOUT,
        progress=False,
    )
    first, second = result.results
    assert first.error.startswith("WorkerDied:") and first.html_path.is_file()
    assert "WorkerDied" in read(first.html_path)
    assert second.ok
    assert list(scratch.iterdir()) == []  # kernel sockets and logs removed despite the kill


KILL_SCRIPT = """
import sys
from salesnb.report import run_pack
run_pack([sys.argv[1]], data=sys.argv[2], out=sys.argv[3], jobs=1, timeout=120)
"""

PID_NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "metadata": {"tags": ["parameters"]},
            "outputs": [],
            "execution_count": None,
            "source": "pid_file: str = ''  # where to write the pid",
        },
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": "import os, time\nopen(pid_file, 'w').write(str(os.getpid()))\ntime.sleep(120)",
        },
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4,
    "nbformat_minor": 5,
}


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize(
    ("sig", "group"),
    [(signal.SIGINT, True), (signal.SIGTERM, False)],
    ids=["ctrl-c-to-the-group", "sigterm-to-the-runner"],
)
def test_interrupt_removes_the_partial_pack_and_kills_the_kernel(tmp_path, sig, group):
    pid_file = tmp_path / "kernel.pid"
    nb = dict(PID_NOTEBOOK)
    nb["cells"] = [dict(c) for c in PID_NOTEBOOK["cells"]]
    nb["cells"][0]["source"] = f"pid_file: str = {str(pid_file)!r}  # where to write the pid"
    notebook = tmp_path / "sleeper.ipynb"
    notebook.write_text(json.dumps(nb), encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(KILL_SCRIPT), str(notebook), str(make_data(tmp_path / "d")), str(out)],
        start_new_session=True,  # its own process group, like a terminal job
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.1)
        kernel_pid = int(pid_file.read_text())
        assert [p.name for p in out.iterdir() if p.name.endswith(".partial")]
        if group:
            os.killpg(proc.pid, sig)  # what Ctrl-C does: the whole foreground group
        else:
            os.kill(proc.pid, sig)  # what cron or a CI timeout does
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode != 0
    assert list(out.iterdir()) == []  # no partial dir, no pack, no latest.html
    assert _gone(kernel_pid, within=10)


def _gone(pid: int, *, within: float) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


def test_period_reaches_as_of_too(tmp_path) -> None:
    from salesnb.config import notebooks_dir
    from salesnb.report._notebooks import load_notebook
    from salesnb.report._plan import plan_reports

    nb = load_notebook(notebooks_dir() / "02_lead_prioritization.ipynb")
    [plan] = plan_reports([nb], general={"data": str(tmp_path), "lang": "en", "period_end": "2026-09-30",
                                  "as_of": "2026-09-30"}, user={}, per_rep=False, data_path=tmp_path)
    assert plan.params["as_of"] == "2026-09-30"


@pytest.mark.slow
def test_a_timed_out_notebook_gets_one_clean_retry(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    result = run_pack([nb_path("flaky")], data=str(tmp_path), out=tmp_path / "out", jobs=1, timeout=TIMEOUT,
                      params={"marker": str(marker)}, progress=False)
    assert marker.exists()
    assert result.ok, result.results[0].error
    assert "second run ok" in Path(result.results[0].ipynb_path).read_text(encoding="utf-8")
    # the retry leaves a trace: in pack.json, on the index, and the first run's stall report
    [entry] = json.loads((result.run_dir / "pack.json").read_text(encoding="utf-8"))["results"]
    assert entry["attempts"] == 2
    [retry] = entry["retries"]
    assert (retry["attempt"], retry["status"]) == (1, "timed_out")
    assert retry["reason"].startswith("Timeout: ")
    assert retry["stall"] == "flaky.stall-1.json"
    index = read(result.index_path)
    assert "Retries:" in index and "run 1 of 2: Timeout: " in index and "flaky.stall-1.json" in index
    stall = json.loads((result.run_dir / retry["stall"]).read_text(encoding="utf-8"))
    assert stall["attempt"] == 1 and stall["process"]["pid"] > 0
    # the kernel was busy running the cell: its last iopub status says so
    assert stall["channels"]["iopub_received"][-1]["msg_type"] in {"status", "stream", "execute_input"}
    assert any(m["msg_type"] == "execute_request" for m in stall["channels"]["shell_sent"])


@pytest.mark.slow
def test_rep_pages_for_chosen_reps_only(tmp_path: Path) -> None:
    data = make_data(tmp_path / "data")
    result = run_pack([nb_path("per_rep")], data=str(data), out=tmp_path / "out", period_end="2026-10",
                      per_rep=["R/9 x"], jobs=1, timeout=60, progress=False)
    assert [r.name for r in result.results] == ["per_rep", "per_rep__R_9_x"]
    with pytest.raises(ParameterError, match="R03"):
        run_pack([nb_path("per_rep")], data=str(data), out=tmp_path / "out", period_end="2026-10",
                 per_rep=["R03"], jobs=1, progress=False)


# ------------------------------------------------------------- period end, catalog, pool


def test_period_end_note_names_the_notebooks_it_does_not_reach(pack, tmp_path):
    note = "Note: the period end 2026-10-31 does not apply to notebooks that declare no period_end: "
    assert pack["stderr"].count(note) == 1
    assert note + "raises.ipynb, dies.ipynb, sleeps.ipynb." in pack["stderr"]
    plan = _plan.plan_pack([nb_path("ok"), nb_path("raises")], data=str(make_data(tmp_path / "d")),
                            period_end=("period_end", "2026-10"), lang="es")
    assert plan.period_end_note() == ("Nota: la fecha de cierre 2026-10-31 no se aplica a los cuadernos que no "
                                      "declaran period_end: raises.ipynb.")
    assert _plan.plan_pack([nb_path("raises")], data=str(tmp_path)).period_end_note() is None


def test_cli_period_is_a_deprecated_alias_of_period_end(tmp_path, monkeypatch, capsys):
    import salesnb.report

    calls = []

    def fake_run_pack(*args, **kwargs):
        calls.append(kwargs)
        return _pack.PackResult(True, tmp_path, tmp_path / "index.html")

    monkeypatch.setattr(salesnb.report, "run_pack", fake_run_pack)
    assert cli.main(["run", "ok", "--period-end", "2026-10", "--no-progress"]) == 0
    assert calls[-1]["period_end"] == "2026-10" and "period" not in calls[-1]
    assert "deprecated" not in capsys.readouterr().err
    assert cli.main(["run", "ok", "--period", "2026-09", "--no-progress"]) == 0
    assert calls[-1]["period_end"] == "2026-09"
    err = capsys.readouterr().err
    assert err.count("--period is deprecated; use --period-end 2026-09") == 1
    assert cli.main(["run", "ok", "--period", "2026-09", "--lang", "es"]) == 0
    assert "--period está obsoleto" in capsys.readouterr().err


def test_runner_errors_speak_the_pack_language(tmp_path, monkeypatch):
    monkeypatch.setattr(_pool, "run_tasks", _must_not_run)
    ok = [nb_path("ok")]
    with pytest.raises(ParameterError, match="La opción 'jobs' debe ser un número entero"):
        run_pack(ok, data=str(tmp_path), out=tmp_path, jobs=0, lang="es")
    with pytest.raises(DataSourceError, match="no existen"):
        run_pack(ok, data=str(tmp_path / "nope"), out=tmp_path, lang="es")
    with pytest.raises(ReportError, match="No se encuentra el cuaderno"):
        run_pack(["no_such_notebook"], data=str(tmp_path), out=tmp_path, lang="es")


def test_a_job_times_out_at_most_twice():
    job = _pool.Job({"id": 3, "timeout": 5})
    assert job.status is _pool.Status.PENDING and job.can_retry()
    retry = job.next_attempt({"status": "timed_out", "error": "Timeout: slow", "duration": 5.25, "stall": "x.json"})
    assert job.status is _pool.Status.RETRYING
    assert (retry.id, retry.attempt, retry.status) == (3, 2, _pool.Status.PENDING)
    assert retry.history == [
        {"attempt": 1, "status": "timed_out", "reason": "Timeout: slow", "duration": 5.25, "stall": "x.json"}
    ]
    assert not retry.can_retry()
    assert retry.message(prefetch=False) == {"id": 3, "timeout": 5, "attempt": 2, "prefetch": False}
    assert _pool.Status.of({"status": "timed_out"}) is _pool.Status.TIMED_OUT
    assert _pool.Status.of({"status": "ok"}) is _pool.Status.OK
    assert _pool.Status.of({"status": "running"}) is _pool.Status.FAILED  # not an outcome
    assert _pool.Status.of({}) is _pool.Status.FAILED


# ------------------------------------------------------------------ papermill as the interface


def _papermill(tmp_path: Path, *args: str, engine: str | None = "salesnb") -> subprocess.CompletedProcess:
    """Run the ``papermill`` command with the salesnb engine's entry point visible (as when installed)."""
    info = tmp_path / "ep" / "salesnb_engine-0.0.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: salesnb-engine\nVersion: 0.0.0\n")
    (info / "entry_points.txt").write_text(
        "[papermill.engine]\nsalesnb = salesnb.report.papermill_engine:SalesnbEngine\n"
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(tmp_path / "ep")])}
    cmd = [sys.executable, "-m", "papermill", *args, "--no-progress-bar"]
    if engine:
        cmd += ["--engine", engine]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)


def _cells(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def test_entry_point_is_declared_in_pyproject():
    text_ = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points."papermill.engine"]' in text_
    assert 'salesnb = "salesnb.report.papermill_engine:SalesnbEngine"' in text_


def test_papermill_engine_runs_a_notebook_like_papermills_own(tmp_path: Path) -> None:
    ours, theirs = tmp_path / "ours.ipynb", tmp_path / "theirs.ipynb"
    args = [str(nb_path("per_rep")), "-p", "rep_id", "R01", "-p", "period_end", "2026-09-30"]
    done = _papermill(tmp_path, args[0], str(ours), *args[1:])
    assert done.returncode == 0, done.stderr
    done = _papermill(tmp_path, args[0], str(theirs), *args[1:], engine=None)
    assert done.returncode == 0, done.stderr
    a, b = (json.loads(p.read_text(encoding="utf-8")) for p in (ours, theirs))
    assert set(a["metadata"]["papermill"]) == set(b["metadata"]["papermill"])
    assert a["metadata"]["papermill"]["parameters"] == {"rep_id": "R01", "period_end": "2026-09-30"}
    assert a["metadata"]["papermill"]["exception"] is None
    assert [c["source"] for c in a["cells"]] == [c["source"] for c in b["cells"]]
    assert [c["outputs"] for c in a["cells"] if c["cell_type"] == "code"] == \
        [c["outputs"] for c in b["cells"] if c["cell_type"] == "code"]
    keys = [[set(c["metadata"]["papermill"]) for c in nb["cells"]] for nb in (a, b)]
    assert keys[0] == keys[1]
    assert "".join(a["cells"][-1]["outputs"][0]["text"]) == "page for R01 up to 2026-09-30\n"


def test_papermill_engine_flags_a_failing_cell_as_papermill_does(tmp_path: Path) -> None:
    out = tmp_path / "out.ipynb"
    done = _papermill(tmp_path, str(nb_path("raises")), str(out))
    assert done.returncode == 1
    assert "PapermillExecutionError" in done.stderr
    nb = json.loads(out.read_text(encoding="utf-8"))
    assert nb["metadata"]["papermill"]["exception"] is True
    statuses = [c["metadata"].get("papermill", {}).get("status") for c in nb["cells"]]
    assert statuses.count("failed") == 1


def test_papermill_engine_refuses_what_the_runner_refuses(tmp_path: Path) -> None:
    done = _papermill(tmp_path, str(nb_path("per_rep")), str(tmp_path / "out.ipynb"), "-p", "rep_id", "7")
    assert done.returncode == 1
    assert "ParameterError" in done.stderr and "rep_id" in done.stderr
    nb = json.loads(read(tmp_path / "out.ipynb"))
    assert all(c.get("execution_count") is None for c in nb["cells"] if c["cell_type"] == "code")


def test_runner_and_papermill_inject_the_same_cell(tmp_path: Path) -> None:
    data = make_data(tmp_path / "data")
    result = run_pack([nb_path("per_rep")], data=str(data), out=tmp_path / "out", period_end="2026-10",
                      per_rep=["R01"], jobs=1, timeout=60, progress=False)
    page = next(r for r in result.results if r.rep_id == "R01")
    ran = json.loads(page.ipynb_path.read_text(encoding="utf-8"))
    params = ran["metadata"]["papermill"]["parameters"]
    assert params == {"data": str(data.resolve()), "period_end": "2026-10-31", "rep_id": "R01"}
    cli = [x for k, v in params.items() for x in ("-p", k, v)]
    done = _papermill(tmp_path, str(nb_path("per_rep")), str(tmp_path / "pm.ipynb"), *cli, engine=None)
    assert done.returncode == 0, done.stderr
    [ours] = [c["source"] for c in ran["cells"] if "injected-parameters" in c["metadata"].get("tags", [])]
    [theirs] = [c["source"] for c in _cells(tmp_path / "pm.ipynb") if "injected-parameters" in c["metadata"]["tags"]]
    assert ours == theirs
    assert set(ran["metadata"]["papermill"]) == set(json.loads(read(tmp_path / "pm.ipynb"))["metadata"]["papermill"])


# ------------------------------------------------------------------ rep pages are isolated


def _outputs(ipynb: Path) -> list:
    """A notebook's outputs, without execution counts (a kept kernel numbers on)."""
    cells = json.loads(ipynb.read_text(encoding="utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code" and "injected-parameters" not in c["metadata"]["tags"]]
    return [[{k: v for k, v in o.items() if k != "execution_count"} for o in c["outputs"]] for c in code]


@pytest.mark.parametrize("order", [["R01", "R/9 x"], ["R/9 x", "R01"]])
def test_each_rep_page_equals_the_page_run_alone_in_a_fresh_kernel(tmp_path: Path, order: list[str]) -> None:
    # the reps table in this order: the pack runs the team page, then the rep pages in it, in one kernel
    lines = REPS_CSV.splitlines()
    rows = {line.split(",")[0]: line for line in lines[1:]}
    data = tmp_path / "data"
    data.mkdir()
    (data / "reps.csv").write_text("\n".join([lines[0], *(rows[r] for r in order)]) + "\n", encoding="utf-8")
    kwargs = {"data": str(data), "period_end": "2026-10", "jobs": 1, "timeout": 60, "progress": False}
    pack = run_pack([nb_path("rep_namespace")], out=tmp_path / "pack", per_rep=True, **kwargs)
    assert pack.ok and [r.rep_id for r in pack.results] == [None, *order]
    for page in pack.results[1:]:
        alone = run_pack([nb_path("rep_namespace")], out=tmp_path / "alone", params={"rep_id": page.rep_id},
                         **kwargs)
        assert alone.ok and alone.results[0].rep_id is None
        assert _outputs(page.ipynb_path) == _outputs(alone.results[0].ipynb_path), page.rep_id
    seen = {r.rep_id: "".join(_outputs(r.ipynb_path)[-1][0]["text"]) for r in pack.results[1:]}
    assert seen == {"R01": "R01 figures\n", "R/9 x": "nothing from another page\n"}


# ------------------------------------------------------------ papermill's injected source

PLAIN = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(deadline=None, max_examples=200)
@given(PLAIN)
def test_papermills_injected_cell_reads_back_as_any_plain_value(value):
    from papermill.translators import translate_parameters

    from salesnb.params import check_plain
    from salesnb.report._papermill import check_round_trip

    check_plain(value, name="x")
    check_round_trip(translate_parameters("python3", "python", {"x": value}, "Parameters"), {"x": value})


def test_an_injected_cell_that_reads_back_differently_is_refused():
    from salesnb.report._papermill import check_round_trip

    with pytest.raises(ParameterError, match="rep_id"):
        check_round_trip('rep_id = "R02"\n', {"rep_id": "R01"})
    with pytest.raises(ParameterError, match="horizon"):
        check_round_trip("horizon = 3.0\n", {"horizon": 3})
    with pytest.raises(ParameterError):
        check_round_trip("import os\n", {})
    with pytest.raises(ParameterError, match="x"):
        check_round_trip("x = f()\n", {"x": 1})
