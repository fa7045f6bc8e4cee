"""Spreadsheet exports that are safe to open: CSV and xlsx without formula injection.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
(or their full-width forms) is run as a formula by Excel, LibreOffice and Google
Sheets when the file is opened: ``=HYPERLINK("http://evil", "click")`` in a company
name becomes a live link. Every text cell written here goes through
:func:`safe_cell`, which prefixes such text with a single quote so it shows as
text. Numbers, dates and booleans are written as values and never touched.

Director-facing exports can also mask contact details (:func:`mask_phone`,
:func:`mask_email`, :func:`mask_contacts`).

Examples
--------
>>> safe_cell("=1+1"), safe_cell("+34 912 345 678"), safe_cell(-5)
("'=1+1", "'+34 912 345 678", -5)
>>> mask_phone("+34 912 345 678"), mask_email("eva@hogar.es")
('+34 9•• ••• •78', 'e•••@hogar.es')
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError

__all__ = [
    "FORMULA_PREFIXES",
    "mask_contacts",
    "mask_email",
    "mask_phone",
    "safe_cell",
    "safe_frame",
    "sheet_name",
    "write_csv",
    "write_xlsx",
]

#: First characters that make a spreadsheet treat text as a formula (ASCII and full-width).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
#: Character used to hide digits and letters of contact details.
MASK = "•"

# Control characters that the xlsx format cannot hold (openpyxl refuses them).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")
_SHEET_MAX = 31


def _is_missing(value: Any) -> bool:
    if value is None or value is pd.NA or value is pd.NaT:
        return True
    return isinstance(value, float) and math.isnan(value)


def safe_cell(value: Any) -> Any:
    """Return a value that a spreadsheet will show, never run.

    Parameters
    ----------
    value : Any
        One cell value.

    Returns
    -------
    Any
        Text starting with a formula trigger (``= + - @``, tab, carriage return or a
        full-width ``＝ ＋ － ＠``) gets a leading ``'``; other text, numbers, dates,
        booleans and missing values come back unchanged. Lists and tuples become
        ``"; "``-joined (safe) text.
    """
    if isinstance(value, list | tuple | np.ndarray):
        value = "; ".join("" if _is_missing(v) else str(v) for v in value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a copy of ``frame`` with every text cell (and column name) passed through :func:`safe_cell`."""
    out = frame.copy()
    for i in range(out.shape[1]):  # by position: duplicate column names are allowed
        col = out.iloc[:, i]
        if col.dtype == object or pd.api.types.is_string_dtype(col):
            out.isetitem(i, col.map(lambda v: v if _is_missing(v) else safe_cell(v)).astype(object))
    out.columns = [safe_cell(str(c)) for c in out.columns]
    return out


def write_csv(frame: pd.DataFrame, path: str | os.PathLike[str], *, sep: str = ",",
              encoding: str = "utf-8-sig") -> Path:
    """Write ``frame`` as a CSV that a spreadsheet opens safely.

    Parameters
    ----------
    frame : DataFrame
        The table; its index is not written.
    path : path
        File to write (parent folders are created). Written to a temporary name
        and moved in place, so a crash never leaves half a file.
    sep : str, default ","
        Field separator (``";"`` suits spreadsheets set to Spanish).
    encoding : str, default "utf-8-sig"
        UTF-8 with a byte-order mark, so Excel shows accents correctly.

    Returns
    -------
    Path
        The file written.
    """
    if sep not in (",", ";", "\t"):
        raise ParameterError.from_catalog("params.choice", name="sep", allowed="',', ';', '\\t'", value=repr(sep))
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    # CRLF line ends (RFC 4180): a field holding a bare CR or LF is then always quoted
    safe_frame(frame).to_csv(tmp, index=False, sep=sep, encoding=encoding, lineterminator="\r\n",
                             date_format="%Y-%m-%d")
    os.replace(tmp, target)
    return target


def sheet_name(name: Any, *, taken: Iterable[str] = ()) -> str:
    r"""Return a valid, unique Excel sheet name made from ``name``.

    Excel rules: 1-31 characters, none of ``[ ] : * ? / \``, not starting or ending
    with an apostrophe, not ``History``, unique without regard to case.

    Parameters
    ----------
    name : Any
        Wanted name (converted with ``str``).
    taken : iterable of str
        Names already used in the workbook; a ``" (2)"``-style suffix keeps the result unique.
    """
    text = _ILLEGAL_XML.sub("", _SHEET_BAD.sub("_", "" if _is_missing(name) else str(name)))
    text = " ".join(text.split()).strip("'").strip() or "Sheet"
    if text.lower() == "history":
        text = "History_"
    text = text[:_SHEET_MAX].rstrip("'").strip() or "Sheet"
    used = {t.lower() for t in taken}
    candidate, n = text, 1
    while candidate.lower() in used:
        n += 1
        suffix = f" ({n})"
        candidate = text[: _SHEET_MAX - len(suffix)].rstrip("'").rstrip() + suffix
    return candidate


def _xlsx_value(value: Any) -> Any:
    if _is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list | tuple | np.ndarray | str):
        value = safe_cell(value)
        return _ILLEGAL_XML.sub("", value) if isinstance(value, str) else value
    if isinstance(value, bool | int | float | dt.date | dt.datetime):
        return value
    return _ILLEGAL_XML.sub("", str(safe_cell(str(value))))


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: str | os.PathLike[str], *,
               widths: bool = True) -> Path:
    """Write one sheet per frame into an xlsx workbook, with every cell safe.

    Parameters
    ----------
    sheets : mapping of str to DataFrame
        Sheet name -> table, in order. Names are made valid and unique with
        :func:`sheet_name`; an empty mapping writes one empty sheet.
    path : path
        File to write (parent folders are created); written to a temporary name
        and moved in place.
    widths : bool, default True
        Size columns to their content (up to 60 characters).

    Returns
    -------
    Path
        The file written. Text cells are stored as text (never formulas), dates as
        dates, numbers as numbers; the header row is bold and frozen.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    wb.remove(wb.active)
    used: list[str] = []
    bold = Font(bold=True)
    for wanted, frame in (sheets.items() if sheets else [("Sheet", pd.DataFrame())]):
        name = sheet_name(wanted, taken=used)
        used.append(name)
        ws = wb.create_sheet(name)
        header = [_xlsx_value(str(c)) for c in frame.columns]
        ws.append(header)
        for cell in ws[1]:
            cell.font = bold
        lengths = [len(str(h or "")) for h in header]
        for row in frame.itertuples(index=False, name=None):
            values = [_xlsx_value(v) for v in row]
            ws.append(values)
            for i, v in enumerate(values):
                if isinstance(v, dt.datetime | dt.date):
                    ws.cell(row=ws.max_row, column=i + 1).number_format = "yyyy-mm-dd"
                lengths[i] = max(lengths[i], len(str(v)) if v is not None else 0)
        if frame.columns.size:
            ws.freeze_panes = "A2"
        if widths:
            for i, n in enumerate(lengths, start=1):
                ws.column_dimensions[get_column_letter(i)].width = min(60, max(8, n + 2))
    tmp = target.with_name(f".{target.name}.part")
    wb.save(tmp)
    os.replace(tmp, target)
    return target


# --------------------------------------------------------------------------- masking


def mask_phone(value: Any, *, keep_start: int = 1, keep_end: int = 2) -> Any:
    """Hide the middle digits of a phone number, keeping its layout.

    The country code (``+34``, ``0034``) is kept, then the first ``keep_start``
    and last ``keep_end`` digits: ``"+34 912 345 678"`` -> ``"+34 9•• ••• •78"``,
    ``"912345678"`` -> ``"9••••••78"``. Missing values stay missing.
    """
    if _is_missing(value):
        return value
    text = str(value)
    # "+34 …" / "0034-…": the code up to the first separator; "+34912…": two digits.
    m = re.match(r"^\s*(?:\+|00)\d{1,3}(?=\D)", text) or re.match(r"^\s*(?:\+|00)\d{2}", text)
    prefix = m.group(0) if m else ""
    rest = text[len(prefix):]
    digits = [i for i, ch in enumerate(rest) if ch.isdigit()]
    if not digits:
        return MASK * 3 if text.strip() else text
    keep = set(digits[:keep_start]) | set(digits[len(digits) - keep_end:] if keep_end else [])
    if len(digits) <= keep_start + keep_end:
        keep = set(digits[:1])
    chars = [ch if (i in keep or not ch.isdigit()) else MASK for i, ch in enumerate(rest)]
    return prefix + "".join(chars)


def mask_email(value: Any) -> Any:
    """Hide an email's user name except its first letter: ``"eva@hogar.es"`` -> ``"e•••@hogar.es"``.

    The domain stays (it tells a director which company); text that is not an
    address is masked whole. Missing values stay missing.
    """
    if _is_missing(value):
        return value
    text = str(value).strip()
    user, at, domain = text.partition("@")
    if not at or not user:
        return MASK * 3 if text else text
    return f"{user[0]}{MASK * 3}@{domain}"


def mask_contacts(frame: pd.DataFrame, *, phones: Iterable[str] = ("phone",),
                  emails: Iterable[str] = ("email",)) -> pd.DataFrame:
    """Return a copy of ``frame`` with its phone and email columns masked.

    Columns holding lists (other phones of merged records) are masked item by item;
    columns that are absent are ignored.
    """
    out = frame.copy()

    def apply(func: Any) -> Any:
        def one(v: Any) -> Any:
            if isinstance(v, list | tuple | np.ndarray):
                return [func(x) for x in v]
            return func(v)
        return one

    for col in phones:
        if col in out:
            out[col] = out[col].astype(object).map(apply(mask_phone))
    for col in emails:
        if col in out:
            out[col] = out[col].astype(object).map(apply(mask_email))
    return out
