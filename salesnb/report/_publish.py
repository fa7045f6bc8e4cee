"""Step 3 of a pack: stand-in pages, ``index.html``, ``pack.json`` and the move into place."""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesnb.catalog import text
from salesnb.errors import ReportError
from salesnb.report import _html


@dataclass(frozen=True)
class NotebookResult:
    """The outcome of one report (one notebook, or one notebook for one rep).

    Attributes
    ----------
    name : str
        File stem inside the pack (``"04_periodic_review__R07"``).
    notebook : Path
        The source notebook.
    params : dict
        The parameters injected into it.
    status : {"ok", "failed"}
        Judged from the execution itself (errors, kernel death, timeout).
    duration : float
        Seconds from start of execution to the HTML written.
    error : str or None
        ``"Name: message"`` for a failed report.
    html_path : Path
        The report page (a stand-in page when the notebook produced none).
    ipynb_path : Path or None
        The executed (possibly partial) notebook, when it was saved.
    rep_id : object
        The rep of a per-rep page, else None.
    retries : tuple of dict
        The earlier runs that ended in a retry, oldest first (``attempt``,
        ``status``, ``reason``, ``duration``, ``stall``); empty for a first-run result.
    notes : tuple of str
        What the worker noted about the run (a kernel that had to be replaced).
    """

    name: str
    notebook: Path
    params: dict[str, Any]
    status: str
    duration: float
    error: str | None
    html_path: Path
    ipynb_path: Path | None = None
    rep_id: Any = None
    retries: tuple[dict[str, Any], ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether this report ran to the end."""
        return self.status == "ok"


@dataclass(frozen=True)
class PackResult:
    """The outcome of :func:`run_pack`.

    Attributes
    ----------
    ok : bool
        True when every report succeeded.
    run_dir : Path
        ``<out>/<run-id>/``, complete (it only appears once the pack is whole).
    index_path : Path
        ``<run_dir>/index.html``.
    results : list of NotebookResult
        One per report, in notebook order (team page before rep pages).
    run_id : str
        The pack's name.
    """

    ok: bool
    run_dir: Path
    index_path: Path
    results: list[NotebookResult] = field(default_factory=list)
    run_id: str = ""


def reserve_run_dir(out_dir: Path, when: dt.datetime, *, lang: str | None = None) -> tuple[str, Path]:
    """Create ``<out_dir>/.<run-id>.partial/`` for a run id not taken yet; return both."""
    out_dir.mkdir(parents=True, exist_ok=True)
    base = when.strftime("%Y%m%d-%H%M%S")
    for n in range(1, 1000):
        run_id = base if n == 1 else f"{base}-{n}"
        partial = out_dir / f".{run_id}.partial"
        if (out_dir / run_id).exists():
            continue
        try:
            partial.mkdir()
        except FileExistsError:
            continue
        return run_id, partial
    raise ReportError.from_catalog("report.error_run_id", lang=lang, folder=out_dir)  # pragma: no cover


def data_hash(path: Path) -> str:
    """Return the dataset's content hash, the same :func:`salesnb.data.content_hash` the notebooks show."""
    from salesnb.data import content_hash

    return content_hash(path)


def publish(
    tasks: list[dict[str, Any]],
    outcomes: Mapping[int, dict[str, Any]],
    *,
    stamp: dict[str, Any],
    partial: Path,
    final: Path,
    lang: str,
) -> list[NotebookResult]:
    """Complete the partial pack (stand-in pages, index, manifest) and move it into place."""
    results = _assemble(tasks, outcomes, partial=partial, final=final)
    _write_index(partial, tasks, results, stamp=stamp, lang=lang)
    os.rename(partial, final)
    return results


def _write_index(
    folder: Path,
    tasks: list[dict[str, Any]],
    results: list[NotebookResult],
    *,
    stamp: dict[str, Any],
    lang: str,
) -> None:
    """Write ``index.html`` for people and ``pack.json`` for machines."""
    finished = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    words = _html.labels(lang)
    pack_stamp = [
        (words["s_run"], stamp["run_id"]),
        (words["s_params"], params_text(stamp["parameters"])),
        (words["s_data"], stamp["data"]),
        (words["s_hash"], stamp["data_hash"]),
        (words["s_version"], stamp["version"]),
        (words["s_started"], stamp["started"]),
        (words["s_finished"], finished),
    ]
    names = rep_names(stamp["data"]) if any(task["rep_id"] is not None for task in tasks) else {}
    rows = [_index_row(task, r, folder) | {"rep_name": names.get(str(task["rep_id"]))}
            for task, r in zip(tasks, results, strict=True)]
    rows.sort(key=lambda row: row["html"].removesuffix(".html") not in INDEX_FIRST)  # stable: the plan leads
    page = _html.index_page(rows, run_id=stamp["run_id"], stamp=pack_stamp, lang=lang)
    (folder / "index.html").write_text(page, encoding="utf-8")
    text_ = json.dumps(_manifest(results, stamp=stamp, finished=finished), indent=2, ensure_ascii=False)
    (folder / "pack.json").write_text(text_, encoding="utf-8")


def _index_row(task: dict[str, Any], r: NotebookResult, folder: Path) -> dict[str, Any]:
    """Return the index line of one report (its headline numbers when it ran)."""
    return {
        "title": task["title_base"],
        "rep_id": task["rep_id"],
        "per_rep": task["per_rep"],
        "status": r.status,
        "duration": r.duration,
        "error": r.error,
        "html": r.html_path.name,
        "ipynb": r.ipynb_path.name if r.ipynb_path else None,
        "headline": _headline_of(folder / r.ipynb_path.name) if r.ipynb_path and r.ok else [],
        "retries": [retry_text(x, total=len(r.retries) + 1, lang=task["lang"]) for x in r.retries],
    }


def retry_text(retry: Mapping[str, Any], *, total: int, lang: str | None) -> str:
    """Return the index's line for one run that was retried (``run 1 of 2: Timeout: ...``)."""
    line = text("report.retried", lang=lang, attempt=retry.get("attempt"), total=total,
                reason=retry.get("reason") or retry.get("status"))
    if retry.get("stall"):
        line += " · " + text("report.stall_kept", lang=lang, file=retry["stall"])
    return line


def _manifest(results: list[NotebookResult], *, stamp: dict[str, Any], finished: str) -> dict[str, Any]:
    """Return ``pack.json``: the stamp and one entry per report."""
    return {
        **stamp,
        "finished": finished,
        "ok": all(r.ok for r in results),
        "results": [
            {
                "name": r.name,
                "notebook": str(r.notebook),
                "rep_id": r.rep_id,
                "params": r.params,
                "status": r.status,
                "duration": round(r.duration, 3),
                "error": r.error,
                "html": r.html_path.name,
                "ipynb": r.ipynb_path.name if r.ipynb_path else None,
                "attempts": len(r.retries) + 1,
                "retries": list(r.retries),
                "notes": list(r.notes),
            }
            for r in results
        ],
    }


#: Reports listed first in the index (the director's work plan leads the pack).
INDEX_FIRST = ("05_work_plan",)


def rep_names(data: str | os.PathLike[str]) -> dict[str, str]:
    """Return each rep's name by rep id (as text), for the index; empty when the reps cannot be read."""
    from salesnb.data import read_table
    from salesnb.errors import SalesnbError

    try:
        reps = read_table(Path(data), "reps")
    except (SalesnbError, OSError):
        return {}
    return dict(zip(reps["rep_id"].astype(str), reps["name"].astype(str), strict=True))


def params_text(values: Mapping[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=False)


HEADLINE_MIME = "application/vnd.salesnb.headline+json"


def _headline_of(ipynb: Path, *, limit: int = 4) -> list[dict[str, str]]:
    """Return the first headline cards an executed notebook displayed, for the index page."""
    try:
        nb = json.loads(ipynb.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    for cell in nb.get("cells", []):
        for output in cell.get("outputs", []):
            items = output.get("data", {}).get(HEADLINE_MIME, {}).get("items")
            if isinstance(items, list):
                return [{"label": str(i.get("label", "")), "value": str(i.get("value", ""))}
                        for i in items[:limit] if isinstance(i, dict)]
    return []


def _assemble(
    tasks: list[dict[str, Any]],
    outcomes: Mapping[int, dict[str, Any]],
    *,
    partial: Path,
    final: Path,
) -> list[NotebookResult]:
    """Return the results with final paths; write a stand-in page for any report without HTML."""
    results = []
    for task in tasks:
        outcome = outcomes[task["id"]]
        if outcome.get("status") != "ok" and not outcome.get("error"):
            outcome["error"] = "Error: " + text("report.failed_no_message", lang=task["lang"])
        html_name = outcome.get("html")
        if not html_name or not (partial / html_name).is_file():
            _stand_in(task, outcome, partial)
        ipynb = outcome.get("ipynb")
        results.append(
            NotebookResult(
                name=task["name"],
                notebook=Path(task["notebook"]),
                params=dict(task["params"]),
                status="ok" if outcome.get("status") == "ok" else "failed",
                duration=float(outcome.get("duration") or 0.0),
                error=outcome.get("error"),
                html_path=final / outcome["html"],
                ipynb_path=final / ipynb if ipynb else None,
                rep_id=task["rep_id"],
                retries=tuple(outcome.get("retries") or ()),
                notes=tuple(outcome.get("notes") or ()),
            )
        )
    return results


def _stand_in(task: dict[str, Any], outcome: dict[str, Any], partial: Path) -> None:
    """Write a failure page for a report that produced no HTML, and point the outcome at it."""
    html_name = f"{task['name']}.html"
    page = _html.failure_page(
        task["title"],
        outcome.get("error") or text("report.no_output", lang=task["lang"]),
        stamp=task["stamp_items"],
        lang=task["lang"],
    )
    (partial / html_name).write_text(page, encoding="utf-8")
    outcome["html"] = html_name
    if outcome.get("status") == "ok":  # pragma: no cover - defensive
        outcome.update(status="failed", error="ExportError: " + text("report.no_html", lang=task["lang"]))
