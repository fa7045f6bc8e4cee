"""What a notebook shows a director: headline cards, formatted tables, notes.

Every function here builds HTML from escaped text only: data values pass through
:func:`html.escape` before they reach the page, so a customer called
``<script>…</script>`` shows as those characters and runs nothing. Numbers are
formatted in the report language by :mod:`salesnb.i18n`.

Tables longer than a few rows get a search box and sortable headers from a small
script embedded once per page; it fetches nothing, so reports work offline. A
table's ``id`` is derived from its content alone (never from what ran before in the
kernel), so a page's HTML is the same whichever pages shared its kernel.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd
from IPython.display import HTML

from salesnb import i18n

if TYPE_CHECKING:
    from salesnb.data import ValidationReport

__all__ = ["Kind", "format_cell", "headline", "note", "table", "table_html"]

Kind = str  # "text" | "int" | "num1" | "num2" | "money" | "pct" | "pct_signed" | "date" | "month"

_STYLE = """
<style>
.snb-cards{display:flex;flex-wrap:wrap;gap:12px;margin:8px 0 16px}
.snb-card{border:1px solid #d8dde6;border-radius:8px;padding:10px 14px;min-width:150px;background:#f8fafc}
.snb-card .lbl{font-size:12px;color:#475569;text-transform:uppercase;letter-spacing:.03em}
.snb-card .val{font-size:22px;font-weight:600;color:#0f172a;margin-top:2px}
.snb-card .sub{font-size:12px;color:#64748b;margin-top:2px}
.snb-note{color:#334155;font-size:14px;margin:6px 0}
.snb-warn{background:#fff7ed;border-left:4px solid #f97316;padding:8px 12px;margin:8px 0}
table.snb{border-collapse:collapse;font-size:13px;margin:6px 0 12px}
table.snb th{background:#eef2f7;text-align:left!important;padding:5px 8px;border-bottom:2px solid #cbd5e1;
  cursor:pointer;white-space:nowrap}
table.snb td{padding:4px 8px;border-bottom:1px solid #e2e8f0;text-align:left!important}
table.snb td.nw{white-space:nowrap}
table.snb td:not([class]){min-width:16em;max-width:36em}
table.snb td.num{text-align:right!important;font-variant-numeric:tabular-nums;white-space:nowrap}
table.snb caption{caption-side:top;text-align:left;font-weight:600;padding:4px 0}
.snb-search{margin:4px 0;padding:3px 6px;font-size:13px;width:260px}
.snb-more{font-size:12px;color:#64748b}
</style>
"""

# Sort on header click, filter with the search box. Vanilla JS, no network.
_SCRIPT = """
<script>
(function(){
if(window.snbTables){return;} window.snbTables=true;
function key(td){var v=td.getAttribute('data-sort'); if(v===null){return td.textContent.toLowerCase();}
  var n=parseFloat(v); return isNaN(n)?v:n;}
function sortBy(th){var table=th.closest('table'), tb=table.tBodies[0], i=th.cellIndex;
  var asc=th.getAttribute('data-dir')!=='asc';
  th.parentNode.querySelectorAll('th').forEach(function(h){h.removeAttribute('data-dir');});
  th.setAttribute('data-dir',asc?'asc':'desc');
  var rows=Array.prototype.slice.call(tb.rows);
  rows.sort(function(a,b){var x=key(a.cells[i]),y=key(b.cells[i]);
  if(x===y){return 0;} return (x>y?1:-1)*(asc?1:-1);}); rows.forEach(function(r){tb.appendChild(r);});}
document.addEventListener('click',function(e){var th=e.target.closest&&e.target.closest('table.snb th');
  if(th){sortBy(th);}});
document.addEventListener('input',function(e){var box=e.target; if(!box.classList||
  !box.classList.contains('snb-search')){return;} var t=box.nextElementSibling;
  if(!t||t.tagName!=='TABLE'){t=document.getElementById(box.getAttribute('data-for'));}
  var q=box.value.toLowerCase(); Array.prototype.forEach.call(t.tBodies[0].rows,function(r){
  r.style.display=r.textContent.toLowerCase().indexOf(q)>=0?'':'none';});});
})();
</script>
"""

def _assets() -> str:
    """Style and script; repeated with each element (small) so any cell renders alone.

    The script guards itself, so repeating it on one page installs its handlers once.
    """
    return _STYLE + _SCRIPT


def esc(value: Any) -> str:
    """HTML-escape any value's text (quotes included)."""
    return html.escape(str(value), quote=True)


def format_cell(value: Any, kind: Kind, *, currency: str = "EUR", lang: str | None = None) -> str:
    """Format one value for display (not escaped).

    Parameters
    ----------
    value : Any
        The value.
    kind : str
        One of ``text``, ``int``, ``num1``, ``num2``, ``money``, ``pct``,
        ``pct_signed``, ``date``, ``month``.
    currency : str
        ISO code for ``money``.
    lang : {"en", "es"}, optional
        Report language; the current one by default.
    """
    if kind == "text":
        return "" if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA \
            else str(value)
    if kind == "int":
        return i18n.fmt_number(value, lang=lang)
    if kind in ("num1", "num2"):
        return i18n.fmt_number(value, decimals=int(kind[-1]), lang=lang)
    if kind == "money":
        return i18n.fmt_money(value, currency, lang=lang)
    if kind in ("pct", "pct_signed"):
        return i18n.fmt_pct(value, signed=kind == "pct_signed", lang=lang)
    if kind == "date":
        return i18n.fmt_date(value, lang=lang)
    if kind == "month":
        return i18n.fmt_date(value, format="LLL y", lang=lang)
    raise ValueError(f"Unknown display kind {kind!r}.")


def _default_kind(series: pd.Series) -> Kind:
    if pd.api.types.is_bool_dtype(series):
        return "text"
    if pd.api.types.is_integer_dtype(series):
        return "int"
    if pd.api.types.is_float_dtype(series):
        return "num1"
    if pd.api.types.is_datetime64_any_dtype(series):
        return "date"
    return "text"


def _sort_key(value: Any) -> str | None:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y%m%d")
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return None if pd.isna(value) else repr(float(value))
    return None


def table_id(*, cap_text: str, head: str, body: str) -> str:
    """Return a table's HTML ``id``: a hash of its caption, header and rows.

    The same table gets the same id in any kernel, whatever ran there before; two
    identical tables on one page share it, which is harmless since each search box
    filters the table right after it.

    Parameters
    ----------
    cap_text : str
        The caption.
    head, body : str
        The header and body HTML.

    Returns
    -------
    str
        ``"snb-t"`` and 12 hex digits.
    """
    digest = hashlib.sha1(f"{cap_text}\x00{head}\x00{body}".encode(), usedforsecurity=False).hexdigest()
    return f"snb-t{digest[:12]}"


def table_html(frame: pd.DataFrame, *, kinds: Mapping[str, Kind] | None = None,
               labels: Mapping[str, str] | None = None, currency: str = "EUR",
               caption: str | None = None, max_rows: int = 200, search: bool | None = None,
               lang: str | None = None) -> str:
    """Return an escaped, formatted HTML table.

    Parameters
    ----------
    frame : DataFrame
        The data; its index is not shown (reset it first to show it).
    kinds : mapping, optional
        Column -> display kind (see :func:`format_cell`); guessed from dtypes otherwise.
    labels : mapping, optional
        Column -> header text.
    currency : str
        ISO code for money columns.
    caption : str, optional
        Title above the table.
    max_rows : int
        Rows shown; a line says how many more there are.
    search : bool, optional
        Add a search box; by default for tables over 15 rows.
    lang : {"en", "es"}, optional
        Report language.
    """
    kinds = dict(kinds or {})
    labels = dict(labels or {})
    cols = list(frame.columns)
    col_kinds = {c: kinds.get(c) or _default_kind(frame[c]) for c in cols}
    head = "".join(f"<th>{esc(labels.get(c, c))}</th>" for c in cols)
    body = []
    for row in frame.head(max_rows).itertuples(index=False, name=None):
        cells = []
        for c, v in zip(cols, row, strict=True):
            kind = col_kinds[c]
            text = esc(format_cell(v, kind, currency=currency, lang=lang))
            key = _sort_key(v) if kind != "text" else None
            sort = f' data-sort="{esc(key)}"' if key is not None else ""
            cls = ' class="num"' if kind != "text" else (' class="nw"' if len(text) <= 32 else "")
            cells.append(f"<td{cls}{sort}>{text}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    tid = table_id(cap_text=caption or "", head=head, body="".join(body))
    show_search = search if search is not None else len(frame) > 15
    box = (f'<input class="snb-search" data-for="{tid}" placeholder="{esc(i18n.t("common.search"))}">'
           if show_search else "")
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    more = ""
    if len(frame) > max_rows:
        more = f'<div class="snb-more">{esc(i18n.t("common.more_rows", n=len(frame) - max_rows))}</div>'
    return (f'{_assets()}{box}<table class="snb" id="{tid}">{cap}<thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table>{more}")


def table(frame: pd.DataFrame, *, empty: str | None = None, **options: Any) -> HTML:
    """Display wrapper of :func:`table_html` for a notebook cell.

    ``empty`` is the sentence shown instead of a table when ``frame`` has no rows.
    """
    if empty is not None and frame.empty:
        return note(empty)
    return HTML(table_html(frame, **options))


#: Mime type under which headline numbers travel in executed notebooks (read by the pack index).
HEADLINE_MIME = "application/vnd.salesnb.headline+json"


class Headline:
    """Headline cards; also carries the numbers as JSON for the pack's index page."""

    def __init__(self, items: Sequence[Sequence[str]]) -> None:
        self.items = [(str(i[0]), str(i[1]), str(i[2]) if len(i) > 2 and i[2] else "") for i in items]

    def html(self) -> str:
        cards = []
        for label, value, sub in self.items:
            sub_html = f'<div class="sub">{esc(sub)}</div>' if sub else ""
            cards.append(f'<div class="snb-card"><div class="lbl">{esc(label)}</div>'
                         f'<div class="val">{esc(value)}</div>{sub_html}</div>')
        return f'{_assets()}<div class="snb-cards">{"".join(cards)}</div>'

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        data = [{"label": label, "value": value, "note": sub} for label, value, sub in self.items]
        return {"text/html": self.html(), "text/plain": " | ".join(f"{a}: {b}" for a, b, _ in self.items),
                HEADLINE_MIME: {"items": data}}


def headline(items: Sequence[Sequence[str]]) -> Headline:
    """Cards with the few numbers a director reads first.

    Parameters
    ----------
    items : sequence of (label, value) or (label, value, note)
        Already formatted text; every part is escaped. The same items travel as
        JSON (:data:`HEADLINE_MIME`) so the pack index can show them.
    """
    return Headline(items)


def note(text: str, *, warn: bool = False) -> HTML:
    """Return a paragraph of (escaped) text; ``warn=True`` draws it as a call-out."""
    cls = "snb-warn" if warn else "snb-note"
    return HTML(f'{_assets()}<p class="{cls}">{esc(text)}</p>')


def bullets(lines: Sequence[str]) -> HTML:
    """Return a bulleted list of (escaped) lines."""
    items = "".join(f"<li>{esc(line)}</li>" for line in lines)
    return HTML(f'{_assets()}<ul class="snb-note">{items}</ul>')


def labels(domain: str, *, lang: str | None = None) -> dict[str, str]:
    """Column headers of a domain: every ``<domain>.col_<name>`` text, keyed by ``<name>``."""
    prefix = f"{domain}.col_"
    return {key[len(prefix):]: i18n.t(key, lang=lang) for key in i18n.catalog() if key.startswith(prefix)}


def problems(report: ValidationReport, *, max_rows: int = 200) -> HTML:
    """Return the problems of a :class:`~salesnb.data.ValidationReport` as a table, or an all-clear note.

    Every text of the table (file, rule, problem, how to fix it) is in the report
    language (:func:`salesnb.i18n.get_language`).
    """
    if report.ok:
        return note(i18n.t("datacheck.validation_ok"))
    frame = report.to_frame(lang=i18n.get_language())
    kinds = {True: i18n.t("datacheck.fatal"), False: i18n.t("datacheck.row_problem")}
    frame["fatal"] = frame["fatal"].map(kinds)
    frame = frame[["fatal", "table", "file", "row", "column", "value", "rule", "message", "hint"]]
    return table(frame, labels=labels("datacheck"), kinds={"row": "text"}, max_rows=max_rows)
