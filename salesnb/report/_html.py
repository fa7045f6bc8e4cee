"""The pack's own pages: ``index.html``, ``latest.html`` and a fallback failure page.

Plain string building with :func:`html.escape` on every value; no template engine,
no network, nothing imported beyond the standard library (and the text catalog,
:mod:`salesnb.catalog`, which is standard library only).
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from salesnb.catalog import text
from salesnb.config import LANGUAGES

#: The words of the pack's pages; texts in ``salesnb/locale/report.json`` as ``page_<word>``.
_WORDS = (
    "title", "report", "status", "duration", "error", "ok", "failed", "team", "toc", "chart", "stamp",
    "notebook", "failed_banner", "s_run", "s_report", "s_params", "s_data", "s_hash", "s_version",
    "s_started", "s_finished", "retries",
)

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 2em auto;
       max-width: 60em; padding: 0 1em; color: #222; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
.summary { font-size: 1.1em; margin: 0.3em 0 1.2em; }
.summary.bad { color: #b71c1c; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 0.45em 0.6em; border-bottom: 1px solid #e0e0e0;
         vertical-align: top; }
th { background: #f5f5f5; }
td.num { text-align: right; white-space: nowrap; }
.ok { color: #1b5e20; font-weight: bold; }
.failed { color: #b71c1c; font-weight: bold; }
.err { color: #5f2120; font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 0.9em;
       overflow-wrap: anywhere; }
.small { color: #666; font-size: 0.85em; }
.keys { margin-top: 2px; color: #334155; }
.stamp { margin-top: 2em; color: #555; font-size: 0.85em; }
.stamp dl { display: grid; grid-template-columns: max-content auto; gap: 0.15em 1em; }
.stamp dt { font-weight: bold; } .stamp dd { margin: 0; overflow-wrap: anywhere; }
.banner { padding: 0.8em 1em; border-left: 6px solid #c62828; background: #fdecea; }
"""


def labels(lang: str) -> dict[str, str]:
    """Return the words of the pack's pages in ``lang`` (English when unknown)."""
    code = lang if lang in LANGUAGES else "en"
    return {word: text(f"report.page_{word}", lang=code) for word in _WORDS}


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _href(name: str) -> str:
    return _e(quote(name))


def _page(title: str, body: str, lang: str) -> str:
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{_e(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"{body}\n</body>\n</html>\n"
    )


def stamp_html(items: Sequence[tuple[str, str]], *, heading: str) -> str:
    """Return a ``<dl>`` of the run stamp, every value escaped."""
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in items)
    return f'<section class="stamp"><h2>{_e(heading)}</h2><dl>{rows}</dl></section>'


def index_page(
    rows: Sequence[dict[str, Any]],
    *,
    run_id: str,
    stamp: Sequence[tuple[str, str]],
    lang: str = "en",
) -> str:
    """Return the pack's ``index.html``.

    Parameters
    ----------
    rows : sequence of dict
        One per report: ``title``, ``rep_id``, ``status``, ``duration``, ``error``,
        ``html`` and ``ipynb`` (file names inside the pack, or None).
    run_id : str
        The run id, shown in the heading.
    stamp : sequence of (label, value)
        The run stamp.
    lang : str
        Language of the page's own words.
    """
    words = labels(lang)
    code = lang if lang in LANGUAGES else "en"
    total = len(rows)
    failed = sum(1 for r in rows if r["status"] != "ok")
    summary = text("report.page_summary", lang=code, ok=total - failed, total=total)
    if failed:
        summary += " · " + text("report.page_failed_some", lang=code, failed=failed)
    body = [
        f"<h1>{_e(words['title'])} {_e(run_id)}</h1>",
        f'<p class="summary{" bad" if failed else ""}">{_e(summary)}</p>',
        "<table>",
        f"<thead><tr><th>{_e(words['report'])}</th><th>{_e(words['status'])}</th>"
        f'<th class="num">{_e(words["duration"])}</th><th>{_e(words["error"])}</th></tr></thead>',
        "<tbody>",
    ]
    body += [_index_line(row, words) for row in rows]
    body += ["</tbody>", "</table>", stamp_html(stamp, heading=words["stamp"])]
    return _page(f"{words['title']} {run_id}", "\n".join(body), lang)


def _index_line(row: dict[str, Any], words: dict[str, str]) -> str:
    """Return the table row of one report: link, headline numbers, status, time, problem."""
    label = row["title"]
    if row.get("rep_id") is not None:
        who = f"{row['rep_name']} ({row['rep_id']})" if row.get("rep_name") else row["rep_id"]
        label = f"{label} · {who}"
    elif row.get("per_rep"):
        label = f"{label} · {words['team']}"
    link = f'<a href="{_href(row["html"])}">{_e(label)}</a>' if row.get("html") else _e(label)
    if row.get("headline"):
        numbers = " · ".join(f"{_e(h['label'])}: <b>{_e(h['value'])}</b>" for h in row["headline"])
        link += f'<div class="small keys">{numbers}</div>'
    if row.get("ipynb"):
        link += f' <a class="small" href="{_href(row["ipynb"])}">({_e(words["notebook"])})</a>'
    status = "ok" if row["status"] == "ok" else "failed"
    return (
        f"<tr><td>{link}</td>"
        f'<td class="{status}">{_e(words[status])}</td>'
        f'<td class="num">{row["duration"]:.1f} s</td>'
        f'<td class="err">{_e(row.get("error") or "")}{_retries_html(row, words)}</td></tr>'
    )


def _retries_html(row: dict[str, Any], words: dict[str, str]) -> str:
    """Return the retried runs of a report, one line each under its error (or nothing)."""
    lines = row.get("retries") or []
    if not lines:
        return ""
    items = "".join(f"<li>{_e(line)}</li>" for line in lines)
    return f'<div class="small retries">{_e(words["retries"])}:<ul>{items}</ul></div>'



def failure_page(title: str, error: str, *, stamp: Sequence[tuple[str, str]], lang: str = "en") -> str:
    """Return a stand-in report page for a notebook that produced no HTML at all."""
    words = labels(lang)
    body = (
        f"<h1>{_e(title)}</h1>\n"
        f'<p class="banner"><strong>{_e(words["failed_banner"])}</strong> {_e(error)}</p>\n'
        + stamp_html(stamp, heading=words["stamp"])
    )
    return _page(title, body, lang)


def latest_page(run_id: str, *, lang: str = "en") -> str:
    """Return a tiny page that redirects to ``<run_id>/index.html`` (relative link)."""
    target = _href(f"{run_id}/index.html")
    words = _e(text("report.page_latest", lang=lang if lang in LANGUAGES else "en"))
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="refresh" content="0; url={target}">\n'
        f"<title>{words}: {_e(run_id)}</title>\n</head>\n<body>\n"
        f'<p>{words}: <a href="{target}">{_e(run_id)}</a></p>\n</body>\n</html>\n'
    )


def write_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
