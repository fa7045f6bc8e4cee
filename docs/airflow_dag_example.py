"""Airflow DAG: the monthly report pack, every notebook through papermill with the salesnb engine.

An example to adapt (paths, schedule, pool), not part of the package. It needs
Airflow 2.4+ and salesnb installed in the Airflow workers' environment (which
registers papermill's ``salesnb`` engine, see docs/CLUSTER.md).

On the 2nd of every month it runs, for the month that just ended:

1. ``data_check``: notebook 00 on the month's data (a failing check stops the DAG);
2. the team notebooks 01-03 and the team page of 04, in parallel;
3. one page of 04 per rep active at the period end (dynamic task mapping: one
   Airflow task per rep, retried and shown separately);
4. ``index``: an ``index.html`` linking every page of the month.

Each task calls ``papermill.execute_notebook(..., engine_name="salesnb")``: papermill
injects the parameters and records its metadata; the engine checks the values as
``salesnb run`` does before any kernel starts, runs the notebook on a batch kernel
and writes the offline HTML page (``report_html``). The PapermillOperator takes no
engine name, hence the ``@task`` functions. ``salesnb run --scheduler`` is the other
way to spread one pack over machines (a Dask cluster; docs/CLUSTER.md).
"""

from __future__ import annotations

import datetime as dt
import html
from pathlib import Path

from airflow.decorators import dag, task

NOTEBOOKS = Path("/opt/salesnb/notebooks")
DATA = "/shared/sales/current"  # a folder, workbook or database URL every Airflow worker reaches
OUT = Path("/shared/reports")
LANG = "es"


def _period_end(logical_date: dt.datetime) -> str:
    """Return the last day of the month before the run's date."""
    first = logical_date.date().replace(day=1)
    return (first - dt.timedelta(days=1)).isoformat()


def _run(notebook: str, name: str, params: dict, folder: Path) -> str:
    """Run one notebook with papermill and the salesnb engine; return its HTML page's path."""
    import papermill as pm

    folder.mkdir(parents=True, exist_ok=True)
    page = folder / f"{name}.html"
    pm.execute_notebook(
        str(NOTEBOOKS / notebook),
        str(folder / f"{name}.ipynb"),
        parameters=params,
        engine_name="salesnb",
        report_html=str(page),
        cwd=str(NOTEBOOKS),
        execution_timeout=900,
        progress_bar=False,
    )
    return str(page)


@dag(
    dag_id="salesnb_monthly_pack",
    schedule="0 6 2 * *",
    start_date=dt.datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 1, "retry_delay": dt.timedelta(minutes=5)},
    tags=["salesnb"],
)
def salesnb_monthly_pack() -> None:
    """Monthly sales report pack, one papermill task per report."""

    @task
    def period(logical_date: dt.datetime | None = None) -> dict:
        end = _period_end(logical_date or dt.datetime.now())
        return {"period_end": end, "folder": str(OUT / end)}

    @task
    def data_check(p: dict) -> str:
        return _run("00_data_check.ipynb", "00_data_check", {"data": DATA, "lang": LANG}, Path(p["folder"]))

    @task
    def team_report(notebook: str, p: dict) -> str:
        # what each notebook declares: 01 and 04 a period end, 02 the day the lead list is drawn up
        extra = {"01": {"period_end": p["period_end"]}, "02": {"as_of": p["period_end"]},
                 "04": {"period_end": p["period_end"], "rep_id": None}}.get(notebook[:2], {})
        params = {"data": DATA, "lang": LANG, **extra}
        return _run(notebook, Path(notebook).stem, params, Path(p["folder"]))

    @task
    def active_reps(p: dict) -> list[str]:
        from salesnb.data import employed, read_table

        reps = read_table(DATA, "reps")
        return [str(r) for r in reps.loc[employed(reps, start=p["period_end"]), "rep_id"]]

    @task(pool="salesnb_kernels")  # an Airflow pool caps the kernels running at once
    def rep_page(rep_id: str, p: dict) -> str:
        params = {"data": DATA, "lang": LANG, "period_end": p["period_end"], "rep_id": rep_id}
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in rep_id)
        return _run("04_periodic_review.ipynb", f"04_periodic_review__{safe}", params, Path(p["folder"]))

    @task(trigger_rule="all_done")  # the index lists what exists, even when a page failed
    def index(pages: list[str], p: dict) -> str:
        folder = Path(p["folder"])
        links = "".join(
            f'<li><a href="{html.escape(Path(x).name)}">{html.escape(Path(x).stem)}</a></li>'
            for x in sorted(str(f) for f in folder.glob("*.html") if f.name != "index.html")
        )
        page = folder / "index.html"
        page.write_text(f"<!DOCTYPE html><meta charset='utf-8'><h1>{p['period_end']}</h1><ul>{links}</ul>",
                        encoding="utf-8")
        return str(page)

    p = period()
    checked = data_check(p)
    notebooks = ["01_market_analysis.ipynb", "02_lead_prioritization.ipynb", "03_target_breakdown.ipynb",
                 "04_periodic_review.ipynb"]
    team = team_report.partial(p=p).expand(notebook=notebooks)
    reps = active_reps(p)
    pages = rep_page.partial(p=p).expand(rep_id=reps)
    checked >> [team, reps]
    index(pages, p) << team


salesnb_monthly_pack()
