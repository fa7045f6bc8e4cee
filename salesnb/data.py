"""Load and validate a dataset against the contract in :mod:`salesnb.schema`.

A *source* is either a folder holding one file per table (``orders.csv``,
``orders.parquet`` ...) plus an optional ``dataset.toml``, or one ``.xlsx`` workbook
with a sheet per table (and an optional ``dataset`` sheet of ``key, value`` rows).

:func:`validate` reads everything it can and returns a :class:`ValidationReport`
listing every problem at once. :func:`load` returns a :class:`Dataset` of typed
frames, or raises :class:`~salesnb.errors.DataValidationError` carrying the report.
Rows with problems are never dropped silently: unless the caller passes
``on_bad_rows="reject"`` they stop the load, and when rejected they stay on the
dataset (``Dataset.rejected`` and ``Dataset.rejected_rows``) for reports to show.

Row numbers are the ones a user sees in a spreadsheet: the header is row 1, so the
first data row is row 2.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import pickle
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from salesnb import i18n
from salesnb.errors import (
    DataSourceError,
    DataValidationError,
    SalesnbError,
)
from salesnb.params import check_choice
from salesnb.schema import TABLE_ORDER, TABLES, Column, Rule, Table

__all__ = [
    "RULES",
    "Dataset",
    "MissingTableError",
    "Notice",
    "Problem",
    "ValidationReport",
    "content_hash",
    "employed",
    "file_label",
    "load",
    "load_error_message",
    "read_table",
    "require_tables",
    "validate",
]

DEFAULT_META = {"currency": "EUR", "country": "ES"}
_TABLE_SUFFIXES = (".csv", ".parquet")
_TRUE = {"true", "yes", "y", "1", "si", "sí", "t"}
_FALSE = {"false", "no", "n", "0", "f"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]00:00(:00)?$")
_DAY_FIRST = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$")
_COMMA_NUMBER = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*(,\d+)?$|^[+-]?\d+,\d+$")
_MOJIBAKE = re.compile("[\u00c3\u00c2][\u0080-\u00bf]")
_MAX_VALUE_SHOWN = 60


class MissingTableError(SalesnbError, LookupError):
    """A table the caller asked for is not in the dataset."""


#: Argument value of a problem text: one string, or several joined with "and" in the text's language.
ArgValue = str | tuple[str, ...]
Args = tuple[tuple[str, ArgValue], ...]

#: Catalog key (in ``salesnb/locale/problems.json``) of every rule name a :class:`Problem` can carry,
#: besides the cross-column rules of the schema (``leave_date >= hire_date``), which are shown as written.
RULES = {
    name: "problems.rule_" + name.replace(" ", "_")
    for name in ("file", "source", "header", "missing table", "missing column", "duplicate column",
                 "empty table", "allowed values", "number", "whole number", "min", "max", "date",
                 "boolean", "required", "primary key", "foreign key", "rejected parent")
}

_SHEET_FILE = re.compile(r"^(?P<book>.+\.xls[xm]) \[sheet (?P<sheet>.*)\]$", re.IGNORECASE)


def _text(key: str, lang: str, /, **values: object) -> str:
    """``problems.<key>`` of the catalog in ``lang``."""
    return i18n.t(f"problems.{key}", lang=lang, **values)


def _and(items: Iterable[str], lang: str) -> str:
    """``a and b`` (``a y b`` in Spanish)."""
    items = list(items)
    text = items[0] if items else ""
    for item in items[1:]:
        text = _text("text_and", lang, left=text, right=item)
    return text


def _render(args: Args, lang: str) -> dict[str, str]:
    return {name: _and(value, lang) if isinstance(value, tuple) else value for name, value in args}


def _sheet_file(book: str, sheet: object) -> str:
    """The ``file`` of a problem in a workbook sheet: ``book.xlsx [sheet orders]``."""
    return _text("text_sheet", "en", book=book, sheet=sheet)


def file_label(file: str, *, lang: str = "en") -> str:
    """A ``file`` as the loader writes it (``Problem.file``, ``ValidationReport.files``) in ``lang``.

    Parameters
    ----------
    file : str
        A file name, or ``book.xlsx [sheet orders]`` for a sheet of a workbook.
    lang : {"en", "es"}, default "en"
        ``"es"`` gives ``book.xlsx [hoja orders]``; plain file names are the same in every language.

    Returns
    -------
    str
    """
    found = _SHEET_FILE.match(file)
    if found is None:
        return file
    return _text("text_sheet", lang, book=found["book"], sheet=found["sheet"])


@dataclass(frozen=True)
class Problem:
    """One problem found in a source.

    ``message`` and ``hint`` are the English texts (what ``salesnb validate`` prints);
    :meth:`text`, :meth:`hint_text` and :meth:`rule_text` give them in a report language,
    from the ``problems`` catalog (``salesnb/locale/problems.json``) and ``args``.

    Attributes
    ----------
    table : str
        Table name ("" for a problem with the source as a whole).
    file : str
        File (and sheet) the problem is in.
    row : int or None
        Row as seen in a spreadsheet (header = 1), or None for file/column problems.
    column : str or None
        Column name, when the problem is in one column.
    value : str or None
        The offending value, shortened for display.
    rule : str
        Short name of the broken rule (``date``, ``min``, ``primary key`` ...), a stable
        English identifier; :meth:`rule_text` translates it.
    message : str
        What was expected and what came, in English.
    hint : str
        How to fix it, in English.
    fatal : bool
        True when the dataset cannot be used at all (missing table or column,
        unreadable file, duplicate primary key, dangling foreign key); False for
        row problems, which ``on_bad_rows="reject"`` can set aside.
    key : str
        Catalog key of the message (``problems.msg_<key>``); "" for a problem built
        by hand, whose ``message`` is then used in every language.
    hint_key : str
        Catalog key of the hint (``problems.hint_<hint_key>``); "" as for ``key``.
    args : tuple of (name, value) pairs
        Values filled into both texts; a tuple value is a list joined with "and".
    """

    table: str
    file: str
    row: int | None
    column: str | None
    value: str | None
    rule: str
    message: str
    hint: str
    fatal: bool
    key: str = ""
    hint_key: str = ""
    args: Args = ()

    def text(self, lang: str = "en") -> str:
        """The message in ``lang`` (``"en"`` or ``"es"``)."""
        if not self.key:
            return self.message
        return _text(f"msg_{self.key}", lang, **_render(self.args, lang))

    def hint_text(self, lang: str = "en") -> str:
        """How to fix it, in ``lang``."""
        if not self.hint_key:
            return self.hint
        return _text(f"hint_{self.hint_key}", lang, **_render(self.args, lang))

    def rule_text(self, lang: str = "en") -> str:
        """The rule's name in ``lang``; a schema rule such as ``leave_date >= hire_date`` stays as written."""
        key = RULES.get(self.rule)
        return i18n.t(key, lang=lang) if key else self.rule

    def file_text(self, lang: str = "en") -> str:
        """The file (and sheet) in ``lang``: ``book.xlsx [hoja orders]``, ``a.csv y a.parquet``."""
        files = dict(self.args).get("files") if self.key == "two_files" else None
        return _and(files, lang) if isinstance(files, tuple) else file_label(self.file, lang=lang)

    def to_text(self, *, lang: str = "en") -> str:
        """One line: where, what, and how to fix it (``lang`` defaults to English)."""
        if lang == "en":
            file, message, hint = self.file, self.message, self.hint
        else:
            file, message, hint = self.file_text(lang), self.text(lang), self.hint_text(lang)
        where = [p for p in (file, _text("text_row", lang, row=self.row) if self.row else "",
                             _text("text_column", lang, column=self.column) if self.column else "") if p]
        text = f"{', '.join(where)}: {message}"
        return f"{text} {_text('text_fix', lang, hint=hint)}" if hint else text


def _problem(table: str, file: str, row: int | None, column: str | None, value: str | None, rule: str, /, *,
             key: str, fatal: bool, hint: str | None = None, **args: object) -> Problem:
    """A :class:`Problem` whose texts come from the ``problems`` catalog.

    Parameters
    ----------
    table, file, row, column, value, rule
        As on :class:`Problem`.
    key : str
        The message is ``problems.msg_<key>``.
    fatal : bool
        As on :class:`Problem`.
    hint : str, optional
        The hint is ``problems.hint_<hint>``; defaults to ``key``.
    **args
        Values of the texts' ``{fields}``: converted with ``str``, except tuples and
        lists, which are kept as lists of strings and joined with "and" in each language.
    """
    frozen: Args = tuple((name, tuple(map(str, v)) if isinstance(v, tuple | list) else str(v))
                         for name, v in args.items())
    hint_key = hint or key
    english = _render(frozen, "en")
    return Problem(table, file, row, column, value, rule, _text(f"msg_{key}", "en", **english),
                   _text(f"hint_{hint_key}", "en", **english), fatal, key, hint_key, frozen)


@dataclass(frozen=True)
class Notice:
    """Something worth knowing about a source that is not a problem (e.g. a file read as cp1252).

    Attributes
    ----------
    key : str
        Catalog key of the text (``problems.note_<key>``).
    args : tuple of (name, value) pairs
        Values filled into the text; ``file`` is shown with :func:`file_label`.
    """

    key: str
    args: tuple[tuple[str, str], ...] = ()

    def text(self, lang: str = "en") -> str:
        """The notice in ``lang``."""
        values = dict(self.args)
        if "file" in values:
            values["file"] = file_label(values["file"], lang=lang)
        return _text(f"note_{self.key}", lang, **values)

    def __str__(self) -> str:
        return self.text()


@dataclass
class ValidationReport:
    """Every problem found in a source, plus what was read.

    Attributes
    ----------
    source : Path
        The folder or workbook validated.
    problems : list of Problem
        In the order found; ``fatal`` and ``row_problems`` split them.
    files : dict
        Table name -> description of the file read (name, encoding, rows).
    notes : list of Notice
        Things worth knowing that are not problems (e.g. a file read as cp1252);
        ``notices`` gives them as English text.
    unreadable : bool
        True when the source itself could not be read (missing path, not a dataset).
    """

    source: Path
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[Notice] = field(default_factory=list)
    unreadable: bool = False

    @property
    def notices(self) -> list[str]:
        """The notes as English text."""
        return [note.text() for note in self.notes]

    @property
    def ok(self) -> bool:
        """True when there is no problem at all."""
        return not self.problems and not self.unreadable

    @property
    def fatal(self) -> list[Problem]:
        """Problems that make the dataset unusable."""
        return [p for p in self.problems if p.fatal]

    @property
    def row_problems(self) -> list[Problem]:
        """Problems confined to rows, which ``on_bad_rows='reject'`` can set aside."""
        return [p for p in self.problems if not p.fatal]

    def to_frame(self, *, lang: str = "en") -> pd.DataFrame:
        """The problems as a DataFrame (one row per problem).

        Parameters
        ----------
        lang : {"en", "es"}, default "en"
            Language of the ``file``, ``rule``, ``message`` and ``hint`` columns.
        """
        cols = ["table", "file", "row", "column", "value", "rule", "message", "hint", "fatal"]
        if lang == "en":
            rows = [[getattr(p, c) for c in cols] for p in self.problems]
        else:
            i18n.locale_of(lang)  # an unknown language is a ParameterError, also without problems
            rows = [[p.table, p.file_text(lang), p.row, p.column, p.value, p.rule_text(lang), p.text(lang),
                     p.hint_text(lang), p.fatal] for p in self.problems]
        frame = pd.DataFrame(rows, columns=cols)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def to_text(self, *, max_problems: int = 50, lang: str = "en") -> str:
        """A human-readable report, as ``salesnb validate`` prints it (in English unless ``lang`` says)."""

        def tr(key: str, **values: object) -> str:
            return _text(f"text_{key}", lang, **values)

        lines = [tr("dataset", source=self.source)]
        for name, info in self.files.items():
            rows = i18n.fmt_number(info["rows"], lang=lang)
            lines.append("  " + tr("file_line", table=f"{name:<12}", rows=f"{rows:>9}",
                                   file=file_label(info["file"], lang=lang), encoding=info["encoding"]))
        for note in self.notes:
            lines.append("  " + tr("note", notice=note.text(lang)))
        if self.ok:
            lines.append(tr("ok"))
            return "\n".join(lines)
        n_fatal, n_row = len(self.fatal), len(self.row_problems)
        lines.append(tr("problems", fatal=n_fatal, rows=n_row))
        for kind, group in (("fatal", self.fatal), ("rows", self.row_problems)):
            if not group:
                continue
            lines.append(tr(f"group_{kind}"))
            for p in group[:max_problems]:
                lines.append(f"  - {p.to_text(lang=lang)}")
            if len(group) > max_problems:
                lines.append("  " + tr(f"more_{kind}", n=len(group) - max_problems))
        if n_row and not n_fatal:
            lines.append(tr("rows_advice"))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


def load_error_message(report: ValidationReport, *, lang: str = "en", max_problems: int = 20) -> str:
    """The message of the :class:`~salesnb.errors.DataValidationError` that :func:`load` raises for ``report``.

    Parameters
    ----------
    report : ValidationReport
        A report with fatal problems, or with row problems that stop a load.
    lang : {"en", "es"}, default "en"
        Language of the message; :func:`salesnb.notebook.open_dataset` re-raises in the report language.
    max_problems : int, default 20
        Problems listed per group (fatal, rows).

    Returns
    -------
    str
        A first line saying why the dataset cannot be loaded, then :meth:`ValidationReport.to_text`.
    """
    if report.fatal:
        head = _text("error_fatal", lang, source=report.source, n=len(report.fatal))
    else:
        head = _text("error_rows", lang, source=report.source, n=len(report.row_problems))
    return f"{head}\n" + report.to_text(max_problems=max_problems, lang=lang)


def _notice(report: ValidationReport, /, *, key: str, **args: object) -> None:
    """Add the notice ``problems.note_<key>`` (filled with ``args``) to ``report``."""
    report.notes.append(Notice(key, tuple((name, str(value)) for name, value in args.items())))


@dataclass
class Dataset:
    """A validated dataset: typed tables plus metadata.

    Tables are reachable as attributes (``ds.orders``) and items (``ds["orders"]``).

    Attributes
    ----------
    tables : dict of str to DataFrame
        Typed frames; optional tables that were not supplied are absent.
    name, currency, country : str
        From ``dataset.toml`` (or the ``dataset`` sheet); defaults EUR / ES.
    source : Path
        Folder or workbook the data came from.
    content_hash : str
        sha256 of the input files (names and bytes), for the report stamp.
    rejected : DataFrame
        One row per problem of every rejected row (table, file, row, column, value,
        rule, message, hint), in English; empty when nothing was rejected.
        :meth:`rejected_frame` gives it in a report language.
    rejected_rows : dict of str to DataFrame
        The rejected rows themselves as read, per table, with their spreadsheet ``row``.
    report : ValidationReport
        The validation report of the load.
    meta : dict
        Every key of ``dataset.toml``.
    rejected_problems : list of Problem
        The problems behind ``rejected``, one per row of it.
    """

    tables: dict[str, pd.DataFrame]
    name: str
    currency: str
    country: str
    source: Path
    content_hash: str
    rejected: pd.DataFrame
    rejected_rows: dict[str, pd.DataFrame]
    report: ValidationReport
    meta: dict[str, Any] = field(default_factory=dict)
    rejected_problems: list[Problem] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name in self.tables:
            return self.tables[name]
        lang = i18n.get_language()
        if name in TABLES:
            if lang == "en":
                used = ", ".join(TABLES[name].used_by)
            else:
                used = ", ".join(i18n.t(f"datacheck.analysis_{a}", lang=lang) for a in TABLES[name].used_by)
            raise MissingTableError(_text(
                "error_no_table", lang, source=self.source, table=name,
                used=used or _text("text_some_analyses", lang), columns=", ".join(TABLES[name].required_columns)))
        raise MissingTableError(_text("error_unknown_table", lang, table=repr(name), tables=", ".join(TABLES)))

    def __getattr__(self, name: str) -> pd.DataFrame:
        if name.startswith("_") or name not in TABLES:
            raise AttributeError(name)
        return self[name]

    def has(self, name: str) -> bool:
        """Whether table ``name`` was supplied."""
        return name in self.tables

    @property
    def n_rejected(self) -> int:
        """Number of rejected rows over all tables."""
        return int(sum(len(f) for f in self.rejected_rows.values()))

    def summary(self) -> pd.DataFrame:
        """One row per table: rows, rejected rows, first and last date."""
        rows = []
        for name in TABLE_ORDER:
            if name not in self.tables:
                continue
            frame = self.tables[name]
            dates = [c.name for c in TABLES[name].columns if c.dtype == "date" and c.name in frame]
            first = min((frame[c].min() for c in dates if frame[c].notna().any()), default=pd.NaT)
            last = max((frame[c].max() for c in dates if frame[c].notna().any()), default=pd.NaT)
            rej = self.rejected_rows.get(name)
            rows.append({
                "table": name,
                "rows": len(frame),
                "rejected": 0 if rej is None else len(rej),
                "first_date": first,
                "last_date": last,
            })
        return pd.DataFrame(rows)

    def rejected_frame(self, *, lang: str = "en") -> pd.DataFrame:
        """``rejected`` with its file, rule, message and hint in ``lang`` (``"en"`` or ``"es"``)."""
        if lang == "en":
            return self.rejected.copy()
        frame = ValidationReport(self.source, self.rejected_problems).to_frame(lang=lang)
        return frame.drop(columns="fatal")


# --------------------------------------------------------------------------- reading


@dataclass
class _Raw:
    """One table as read, before typing: every cell is an object (mostly str)."""

    table: str
    file: str
    frame: pd.DataFrame
    encoding: str
    #: Spreadsheet row number of each frame row (header row is 1); blank rows are skipped.
    rows: np.ndarray | None = None

    def __post_init__(self) -> None:
        if self.rows is None:
            self.rows = np.arange(len(self.frame)) + 2

    def row(self, idx: int) -> int:
        return int(self.rows[idx])


def _drop_blank_rows(frame: pd.DataFrame, first_row: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Remove wholly empty rows, remembering the spreadsheet row of those kept."""
    numbers = np.arange(len(frame)) + first_row
    if frame.empty:
        return frame, numbers
    blank = np.ones(len(frame), dtype=bool)
    for _, col in frame.items():
        empty = col.isna().to_numpy()
        present = ~empty
        if present.any():
            empty[present] = col[present].astype(str).str.strip().to_numpy() == ""
        blank &= empty
        if not blank.any():
            break
    return frame.loc[~blank].reset_index(drop=True), numbers[~blank]


def _shorten(value: object) -> str:
    text = str(value)
    return text if len(text) <= _MAX_VALUE_SHOWN else text[: _MAX_VALUE_SHOWN - 1] + "…"


def _decode(data: bytes, table: str, file: str, report: ValidationReport) -> tuple[str, str] | None:
    """Decode a CSV's bytes; None (and a fatal problem) when that cannot be done safely."""

    def fatal(*, key: str, **args: object) -> None:
        report.problems.append(_problem(table, file, None, None, None, "file", key=key, fatal=True, **args))

    if data.startswith(b"PK\x03\x04"):
        fatal(key="xlsx_as_csv")
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        fatal(key="binary")
        return None
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            fatal(key="encoding", byte=f"{data[exc.start]:02x}", position=exc.start)
            return None
        _notice(report, key="cp1252", file=file)
        return text, "cp1252"
    found = _MOJIBAKE.search(text)
    if found:
        fatal(key="mojibake", sample=repr(found.group()))
        return None
    return text, encoding


def _sniff_delimiter(text: str) -> str:
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(path: Path, table: str, report: ValidationReport) -> _Raw | None:
    file = path.name
    data = path.read_bytes()
    if not data.strip():
        report.problems.append(_problem(table, file, None, None, None, "file", key="empty_file", fatal=True,
                                        table=table, columns=", ".join(TABLES[table].required_columns)))
        return None
    decoded = _decode(data, table, file, report)
    if decoded is None:
        return None
    text, encoding = decoded
    sep = _sniff_delimiter(text)
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, dtype="string[pyarrow]",
                            keep_default_na=False, na_values=[], skip_blank_lines=False)
    except (pd.errors.ParserError, ValueError) as exc:
        report.problems.append(_problem(table, file, None, None, None, "file", key="csv_unparsable", fatal=True,
                                        error=exc))
        return None
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sep), [])
    if len(header) == frame.shape[1]:
        frame.columns = [name.strip() for name in header]  # undo pandas' "name.1" renaming
    frame, rows = _drop_blank_rows(frame, 2)
    return _Raw(table, file, frame, encoding, rows)


def _read_parquet(path: Path, table: str, report: ValidationReport) -> _Raw | None:
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a bad file
        report.problems.append(_problem(table, path.name, None, None, None, "file", key="parquet_unreadable",
                                        fatal=True, error=exc))
        return None
    return _Raw(table, path.name, frame.reset_index(drop=True), "parquet")


def _excel_header_row(sheet: pd.DataFrame, required: Iterable[str]) -> int | None:
    """Index of the first row (within 10) holding every required column name."""
    need = set(required)
    for i in range(min(10, len(sheet))):
        names = {str(v).strip() for v in sheet.iloc[i].tolist() if isinstance(v, str)}
        if need <= names:
            return i
    return None


def _read_workbook(path: Path, report: ValidationReport) -> tuple[dict[str, _Raw], dict]:
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
    except Exception as exc:  # openpyxl raises many types for a bad file
        report.unreadable = True
        report.problems.append(_problem("", path.name, None, None, None, "file", key="workbook_unreadable",
                                        fatal=True, error=exc))
        return {}, {}
    raws: dict[str, _Raw] = {}
    meta: dict[str, Any] = {}
    for sheet_name, sheet in sheets.items():
        key = str(sheet_name).strip().lower()
        file = _sheet_file(path.name, sheet_name)
        if key == "dataset":
            for row in sheet.itertuples(index=False):
                if len(row) >= 2 and isinstance(row[0], str) and row[0].strip().lower() != "key":
                    meta[row[0].strip()] = row[1]
            continue
        if key not in TABLES:
            _notice(report, key="not_a_table", file=file)
            continue
        sheet = sheet.dropna(axis=1, how="all")
        filled = np.flatnonzero(sheet.notna().any(axis=1).to_numpy())
        if not len(filled):
            report.problems.append(_problem(key, file, None, None, None, "file", key="empty_sheet", fatal=True,
                                            table=key))
            continue
        header = _excel_header_row(sheet, TABLES[key].required_columns)
        if header is None:
            header = int(filled[0])
        if header > int(filled[0]):
            report.problems.append(_problem(key, file, None, None, None, "header", key="header_not_first",
                                            fatal=True, row=header + 1))
            continue
        names = [str(v).strip() if not _is_missing(v) else f"unnamed_{i}"
                 for i, v in enumerate(sheet.iloc[header].tolist())]
        frame = sheet.iloc[header + 1:].reset_index(drop=True)
        frame.columns = names
        frame, rows = _drop_blank_rows(frame, header + 2)
        raws[key] = _Raw(key, file, frame, "xlsx", rows)
    return raws, meta


def _read_folder(path: Path, report: ValidationReport) -> tuple[dict[str, _Raw], dict, list[Path]]:
    raws: dict[str, _Raw] = {}
    used: list[Path] = []
    found: dict[str, list[Path]] = {}
    for file in sorted(path.iterdir()):
        if file.is_file() and file.suffix.lower() in _TABLE_SUFFIXES:
            stem = file.stem.strip().lower()
            if stem in TABLES:
                found.setdefault(stem, []).append(file)
            else:
                _notice(report, key="not_a_table", file=file.name)
    for table, files in found.items():
        if len(files) > 1:
            names = tuple(f.name for f in files)
            report.problems.append(_problem(table, _and(names, "en"), None, None, None, "file", key="two_files",
                                            fatal=True, table=table, files=names))
            continue
        file = files[0]
        used.append(file)
        reader = _read_parquet if file.suffix.lower() == ".parquet" else _read_csv
        raw = reader(file, table, report)
        if raw is not None:
            raws[table] = raw
    meta: dict[str, Any] = {}
    toml_path = path / "dataset.toml"
    if toml_path.is_file():
        used.append(toml_path)
        try:
            meta = tomllib.loads(toml_path.read_text(encoding="utf-8-sig"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            report.problems.append(_problem("", "dataset.toml", None, None, None, "file", key="toml_unreadable",
                                            fatal=True, error=exc))
    return raws, meta, used


def content_hash(source: str | Path) -> str:
    """sha256 hex digest of a source's table files and metadata (names and bytes).

    Parameters
    ----------
    source : str or Path
        Folder or workbook.

    Returns
    -------
    str
        The digest; identical inputs give the identical digest.
    """
    path = Path(source)
    digest = hashlib.sha256()
    if path.is_file():
        digest.update(path.read_bytes())
        return digest.hexdigest()
    for file in sorted(path.iterdir()):
        is_table = file.suffix.lower() in _TABLE_SUFFIXES and file.stem.lower() in TABLES
        if file.is_file() and (is_table or file.name == "dataset.toml"):
            digest.update(file.name.encode())
            digest.update(b"\0")
            digest.update(file.read_bytes())
            digest.update(b"\0")
    return digest.hexdigest()


# --------------------------------------------------------------------------- typing


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _as_text(series: pd.Series) -> pd.Series:
    """Cells as stripped strings ('' for missing); Excel's 1001.0 becomes '1001'."""

    def one(v: object) -> str:
        if _is_missing(v):
            return ""
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        if isinstance(v, pd.Timestamp | np.datetime64):
            return pd.Timestamp(v).strftime("%Y-%m-%d")
        return str(v).strip()

    if isinstance(series.dtype, pd.StringDtype):  # CSV columns: vectorised (pyarrow) strip
        return series.fillna("").str.strip().astype(object)
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=False) == "string":
        return series.str.strip()
    return series.map(one).astype(object)


@dataclass
class _CellProblem:
    """A problem in one cell, before it knows its table, file and row."""

    idx: int
    value: str
    rule: str
    key: str
    hint: str | None
    args: dict[str, object]


@dataclass
class _Typed:
    values: pd.Series
    bad: pd.Series  # bool mask of rows with a problem in this column
    problems: list[_CellProblem]


def _plain(value: object) -> object:
    """A numpy scalar as the Python value it holds, so ``repr`` shows ``-60.0``, not ``np.float64(-60.0)``."""
    return value.item() if isinstance(value, np.generic) else value


def _type_column(raw: pd.Series, col: Column) -> _Typed:
    problems: list[_CellProblem] = []
    n = len(raw)
    native_dt = pd.api.types.is_datetime64_any_dtype(raw)
    native_num = pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw)
    text = None if (native_dt or (native_num and col.dtype in ("int", "float"))) else _as_text(raw)
    missing = raw.isna().to_numpy() if text is None else (text == "").to_numpy()
    bad = np.zeros(n, dtype=bool)

    def flag(mask: np.ndarray, rule: str, /, *, key: str, hint: str | None = None, whole: bool = False,
             **args: object) -> None:
        """Record problem ``key`` for every row of ``mask``; its ``{value}`` is the cell's repr,
        shortened unless ``whole``."""
        for idx in np.flatnonzero(mask):
            value = _plain(raw.iloc[idx])
            shown = repr(value if whole else _shorten(value))
            problems.append(_CellProblem(int(idx), _shorten(value), rule, key, hint, {**args, "value": shown}))
        bad[mask] = True

    if col.dtype == "str":
        values = text.astype("string")
        values[missing] = pd.NA
        if col.allowed is not None:
            lowered = text.str.lower()
            lowered_values = lowered.astype("string")
            lowered_values[missing] = pd.NA
            values = lowered_values
            outside = ~missing & ~lowered.isin(col.allowed).to_numpy()
            flag(outside, "allowed values", key="allowed_values", allowed=", ".join(col.allowed))
    elif col.dtype in ("int", "float"):
        if text is None:
            numbers = raw.astype("float64")
        else:
            numbers = pd.to_numeric(text.where(~pd.Series(missing, index=text.index)),
                                    errors="coerce").astype("float64")
            unparsed = ~missing & numbers.isna().to_numpy()
            if unparsed.any():
                comma = text.str.match(_COMMA_NUMBER).to_numpy() & unparsed
                flag(comma, "number", key="decimal_comma", whole=True)
                flag(unparsed & ~comma, "number", key="number")
        arr = numbers.to_numpy(dtype="float64", copy=True)
        infinite = np.isinf(arr)
        flag(infinite, "number", key="infinite")
        arr[infinite] = np.nan
        if col.dtype == "int":
            frac = ~np.isnan(arr) & (arr != np.round(arr))
            flag(frac, "whole number", key="whole_number", whole=True)
            arr[frac] = np.nan
        if col.min is not None:
            low = ~np.isnan(arr) & (arr < col.min)
            flag(low, "min", key="min", whole=True, min=f"{col.min:g}", column=col.name)
        if col.max is not None:
            high = ~np.isnan(arr) & (arr > col.max)
            flag(high, "max", key="max", whole=True, max=f"{col.max:g}", column=col.name)
        if text is None:
            missing = np.isnan(arr) & ~bad
        if col.dtype == "int":
            values = pd.Series(arr, index=raw.index).round().astype("Int64")
            if not col.nullable and not np.isnan(arr).any():
                values = values.astype("int64")
        else:
            values = pd.Series(arr, index=raw.index, dtype="float64")
    elif col.dtype == "date":
        if native_dt:
            values = pd.to_datetime(raw).dt.tz_localize(None).dt.normalize()
        else:
            iso = text.str.slice(0, 10).where(text.str.match(_ISO_DATETIME), text)
            values = pd.to_datetime(iso.where(~pd.Series(missing, index=iso.index)),
                                    format="%Y-%m-%d", errors="coerce")
            unparsed = ~missing & values.isna().to_numpy()
            if unparsed.any():
                looks_iso = iso.str.match(_ISO_DATE).to_numpy() & unparsed
                day_first = text.str.match(_DAY_FIRST).to_numpy() & unparsed
                flag(looks_iso, "date", key="no_such_date", whole=True)
                flag(day_first, "date", key="day_first_date", hint="iso_date", whole=True)
                flag(unparsed & ~looks_iso & ~day_first, "date", key="date", hint="iso_date")
        values = values.astype("datetime64[ns]")
    elif col.dtype == "bool":
        lowered = text.str.lower()
        truth = lowered.isin(_TRUE).to_numpy()
        falsity = lowered.isin(_FALSE).to_numpy()
        unknown = ~missing & ~truth & ~falsity
        flag(unknown, "boolean", key="boolean")
        values = pd.array([True if t else False if f else pd.NA
                           for t, f in zip(truth, falsity, strict=True)], dtype="boolean")
        values = pd.Series(values, index=raw.index)
    else:  # pragma: no cover - the schema only declares the types above
        raise SalesnbError(f"Unknown dtype {col.dtype!r} in the schema for {col.name}.")

    if not col.nullable:
        empty = missing & ~bad
        flag(empty, "required", key="required", column=col.name)
    return _Typed(values, pd.Series(bad, index=raw.index), problems)


def _type_extra(raw: pd.Series) -> pd.Series:
    """Type a column the contract does not declare: number, bool, date or text."""
    if not (raw.dtype == object or pd.api.types.is_string_dtype(raw)):
        return raw
    text = _as_text(raw)
    present = text[text != ""]
    if present.empty:
        return text.astype("string").mask(text == "", pd.NA)
    lowered = present.str.lower()
    if lowered.isin(_TRUE | _FALSE).all() and not present.str.fullmatch(r"[01]").all():
        return text.str.lower().map(lambda v: True if v in _TRUE else False if v in _FALSE
                                    else pd.NA).astype("boolean")
    numbers = pd.to_numeric(present, errors="coerce")
    if numbers.notna().all():
        return pd.to_numeric(text.mask(text == ""), errors="coerce")
    if present.str.match(_ISO_DATE).all():
        parsed = pd.to_datetime(text.mask(text == ""), format="%Y-%m-%d", errors="coerce")
        if parsed[text != ""].notna().all():
            return parsed
    return text.astype("string").mask(text == "", pd.NA)


def _key_strings(frame: pd.DataFrame, columns: Iterable[str]) -> pd.Series:
    parts = [frame[c].astype("string").fillna("") for c in columns]
    key = parts[0]
    for part in parts[1:]:
        key = key + "\x1f" + part
    return key


# --------------------------------------------------------------------------- validation


@dataclass
class _Checked:
    typed: dict[str, pd.DataFrame]
    bad_rows: dict[str, set[int]]
    raws: dict[str, _Raw]
    meta: dict[str, Any]
    used_files: list[Path]


def _check(source: str | Path) -> tuple[ValidationReport, _Checked]:
    path = Path(source).expanduser()
    report = ValidationReport(source=path)
    empty = _Checked({}, {}, {}, {}, [])
    if not path.exists():
        report.unreadable = True
        report.problems.append(_problem("", str(path), None, None, None, "source", key="no_source", fatal=True))
        return report, empty
    if path.is_dir():
        raws, meta, used = _read_folder(path, report)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        raws, meta = _read_workbook(path, report)
        used = [path]
    else:
        report.unreadable = True
        report.problems.append(_problem("", path.name, None, None, None, "source",
                                        key="not_a_source" if path.suffix else "not_a_source_bare",
                                        hint="not_a_source", fatal=True, suffix=path.suffix))
        return report, empty
    if report.unreadable:
        return report, empty

    typed: dict[str, pd.DataFrame] = {}
    bad_rows: dict[str, set[int]] = {}
    for name in TABLE_ORDER:
        contract = TABLES[name]
        raw = raws.get(name)
        if raw is None:
            if contract.required and not any(p.table == name for p in report.problems):
                report.problems.append(_problem(name, f"{name}.csv", None, None, None, "missing table",
                                                key="missing_table", fatal=True, table=name,
                                                columns=", ".join(contract.required_columns)))
            continue
        frame, bad = _check_table(raw, contract, report)
        report.files[name] = {"file": raw.file, "encoding": raw.encoding, "rows": len(raw.frame)}
        if frame is not None:
            typed[name] = frame
            bad_rows[name] = bad
    _check_keys(typed, raws, bad_rows, report)
    return report, _Checked(typed, bad_rows, raws, meta, used)


def _check_table(raw: _Raw, contract: Table, report: ValidationReport
                 ) -> tuple[pd.DataFrame | None, set[int]]:
    frame = raw.frame
    frame.columns = [str(c).strip() for c in frame.columns]
    present = set(frame.columns)
    duplicated = sorted({c for c in frame.columns if list(frame.columns).count(c) > 1})
    for col in duplicated:
        report.problems.append(_problem(contract.name, raw.file, 1, col, None, "duplicate column",
                                        key="duplicate_column", fatal=True, column=col))
    missing = [c for c in contract.required_columns if c not in present]
    lowered = {c.lower().replace(" ", "_"): c for c in present}
    for col in missing:
        similar = lowered.get(col.lower())
        hint = "rename_column" if similar else f"add_column_{contract.column(col).dtype}"
        report.problems.append(_problem(contract.name, raw.file, 1, col, None, "missing column",
                                        key="missing_column", hint=hint, fatal=True, column=col,
                                        similar=similar or ""))
    if missing or duplicated:
        return None, set()
    if contract.required and frame.empty:
        report.problems.append(_problem(contract.name, raw.file, None, None, None, "empty table",
                                        key="empty_table", fatal=True, table=contract.name))
    bad: set[int] = set()
    out: dict[str, pd.Series] = {}
    for col in contract.columns:
        if col.name not in present:
            continue
        result = _type_column(frame[col.name], col)
        out[col.name] = result.values
        for cell in result.problems:
            report.problems.append(_problem(contract.name, raw.file, raw.row(cell.idx), col.name, cell.value,
                                            cell.rule, key=cell.key, hint=cell.hint, fatal=False, **cell.args))
            bad.add(cell.idx)
    typed = pd.DataFrame(out, index=frame.index)
    for rule in contract.rules:
        if rule.left not in typed or rule.right not in typed:
            continue
        left, right = typed[rule.left], typed[rule.right]
        both = left.notna() & right.notna()
        ok = {">=": left >= right, "<=": left <= right, ">": left > right, "<": left < right}[rule.op]
        broken = both & ~ok.fillna(True).astype(bool)
        for idx in np.flatnonzero(broken.to_numpy()):
            lv, rv = left.iloc[idx], right.iloc[idx]
            report.problems.append(_problem(
                contract.name, raw.file, raw.row(idx), rule.left,
                _shorten(f"{_fmt(lv)} vs {rule.right} {_fmt(rv)}"), rule.name,
                key="order", hint=_order_hint(contract, rule), fatal=False, rule=rule.name,
                left=rule.left, left_value=_fmt(lv), right=rule.right, right_value=_fmt(rv)))
            bad.add(int(idx))
    for name in frame.columns:
        if name not in out:
            typed[name] = _type_extra(frame[name])
    return typed, bad


def _order_hint(contract: Table, rule: Rule) -> str:
    """Hint key of a cross-column rule: its own text when the schema gives one (same English)."""
    return f"order_{contract.name}_{rule.left}_{rule.right}" if rule.hint else "order"


def _fmt(value: object) -> str:
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def _check_keys(typed: dict[str, pd.DataFrame], raws: dict[str, _Raw],
                bad_rows: dict[str, set[int]], report: ValidationReport) -> None:
    keysets: dict[str, set[str]] = {}
    already_failed = {p.table for p in report.fatal}
    for name, frame in typed.items():
        contract = TABLES[name]
        file, raw = raws[name].file, raws[name]
        key = _key_strings(frame, contract.primary_key)
        dup = key.duplicated(keep=False) & (key != "")
        for idx in np.flatnonzero(dup.to_numpy())[:200]:
            value = key.iloc[idx].replace("\x1f", " / ")
            report.problems.append(_problem(
                name, file, raw.row(idx), ", ".join(contract.primary_key), _shorten(value),
                "primary key", key="duplicate_key", fatal=True, value=repr(value)))
        if len(contract.primary_key) == 1:
            keysets[name] = set(key[key != ""])
    for name, frame in typed.items():
        contract = TABLES[name]
        file, raw = raws[name].file, raws[name]
        for fk in contract.foreign_keys:
            if fk.column not in frame:
                continue
            values = frame[fk.column]
            present = values.notna()
            if not present.any():
                continue
            if fk.ref_table not in keysets:
                if fk.ref_table not in typed and fk.ref_table not in already_failed:
                    report.problems.append(_problem(
                        name, file, None, fk.column, None, "foreign key", key="fk_table_missing", fatal=True,
                        column=fk.column, ref_table=fk.ref_table))
                continue
            dangling = present & ~values.astype("string").isin(keysets[fk.ref_table]).fillna(False)
            idxs = np.flatnonzero(dangling.to_numpy())
            for idx in idxs[:200]:
                value = values.iloc[idx]
                report.problems.append(_problem(
                    name, file, raw.row(idx), fk.column, _shorten(value), "foreign key", key="fk_unknown",
                    fatal=True, value=value, ref_column=fk.ref_column, ref_table=fk.ref_table))
            if len(idxs) > 200:
                report.problems.append(_problem(
                    name, file, None, fk.column, None, "foreign key", key="fk_unknown_more", fatal=True,
                    n=len(idxs) - 200, ref_table=fk.ref_table))


def employed(reps: pd.DataFrame, *, start: object, end: object | None = None) -> pd.Series:
    """Which reps are employed on at least one day of ``start..end`` (``end`` defaults to ``start``).

    The one rule every module uses: a rep works from ``hire_date`` through
    ``leave_date``, both days included (the leave date is the last day worked); an
    empty ``hire_date`` means employed before the data starts, an empty
    ``leave_date`` still employed.

    Returns
    -------
    Series of bool
        Aligned with ``reps``.
    """
    first = pd.Timestamp(start)
    last = pd.Timestamp(end) if end is not None else first
    hire = pd.to_datetime(reps["hire_date"])
    leave = pd.to_datetime(reps["leave_date"])
    return (hire.isna() | (hire <= last)) & (leave.isna() | (leave >= first))


def read_table(source: str | Path, name: str) -> pd.DataFrame:
    """One table of a source, typed by the contract, without reading the others.

    For callers that need a single small table before anything else runs (the report
    runner reads ``reps`` to plan per-rep pages). Files are read exactly as
    :func:`load` reads them (encodings, separators, Excel sheets); foreign keys to
    other tables are not checked, and cells that break a row rule come back empty
    (NaN/NaT) rather than stopping the read: :func:`validate` reports them.

    Parameters
    ----------
    source : str or Path
        Folder or workbook (``"sample"`` for the bundled sample).
    name : str
        Table name from the contract.

    Raises
    ------
    MissingTableError
        When the source has no such table.
    DataValidationError
        When the table cannot be used (unreadable file, missing column, duplicate key).
    DataSourceError
        When the source does not exist or is not a folder or workbook.
    """
    from salesnb.config import resolve_data_path
    from salesnb.schema import table as contract_of

    contract = contract_of(name)
    path = resolve_data_path(source) if isinstance(source, str) and source.strip() in ("", "sample") \
        else Path(source).expanduser()
    report = ValidationReport(source=path)
    if path.is_dir():
        files = [f for f in sorted(path.iterdir()) if f.is_file() and f.suffix.lower() in _TABLE_SUFFIXES
                 and f.stem.strip().lower() == name]
        if len(files) > 1:
            raise DataValidationError(f"Two files hold table '{name}' in {path}: "
                                      f"{' and '.join(f.name for f in files)}. Keep one of them.")
        reader = _read_parquet if files and files[0].suffix.lower() == ".parquet" else _read_csv
        raw = reader(files[0], name, report) if files else None
    elif path.is_file() and path.suffix.lower() in (".xlsx", ".xlsm"):
        raw = _read_workbook(path, report)[0].get(name)
    else:
        raise DataSourceError(f"{path}: expected an existing folder or .xlsx workbook.")
    if raw is None and not report.fatal:
        raise MissingTableError(f"The dataset at {path} has no '{name}' table.")
    frame = None if raw is None else _check_table(raw, contract, report)[0]
    if frame is None or report.fatal:
        raise DataValidationError(f"The '{name}' table at {path} cannot be used.\n"
                                  + report.to_text(max_problems=10), report)
    return frame


def validate(source: str | Path) -> ValidationReport:
    """Check a source against the data contract and report every problem at once.

    Parameters
    ----------
    source : str or Path
        A folder of CSV/Parquet files (one per table) or an .xlsx workbook.

    Returns
    -------
    ValidationReport
        ``report.ok`` is True when there is nothing to fix. Never raises for bad
        data: unreadable sources are reported with ``report.unreadable = True``.
    """
    report, _ = _check(source)
    return report


def load(source: str | Path, *, on_bad_rows: Literal["raise", "reject"] = "raise",
         cache: bool = True) -> Dataset:
    """Load a source into a :class:`Dataset` of typed frames.

    Parameters
    ----------
    source : str or Path
        A folder of CSV/Parquet files (one per table) or an .xlsx workbook.
        ``"sample"`` loads the bundled sample company.
    on_bad_rows : {"raise", "reject"}, default "raise"
        What to do with rows that break a row rule (bad date, negative price,
        unknown category ...). ``"raise"`` stops the load; ``"reject"`` sets those
        rows aside in ``Dataset.rejected_rows`` with their reasons in
        ``Dataset.rejected``. Rows referring to a rejected row (an order of a
        rejected customer) are rejected with them, with that reason.
    cache : bool, default True
        Reuse the typed dataset from an earlier load of the same bytes (keyed by
        :func:`content_hash`, the loader's version and ``on_bad_rows``), kept in
        :func:`salesnb.config.cache_dir`. A report pack loads the same data once per
        notebook and rep page; the cache makes every load after the first ~10x faster.
        The result is identical either way.

    Returns
    -------
    Dataset

    Raises
    ------
    DataSourceError
        The source does not exist or is not a folder/workbook.
    DataValidationError
        Fatal problems (missing table or column, unreadable file, duplicate key,
        dangling foreign key), or row problems with ``on_bad_rows="raise"``.
        ``exc.report`` holds the full :class:`ValidationReport`.
    """
    check_choice("on_bad_rows", on_bad_rows, ("raise", "reject"))
    from salesnb.config import resolve_data_path

    if isinstance(source, str) and source.strip() in ("", "sample"):
        source = resolve_data_path(source)
    cache_file = _cache_file(source, on_bad_rows) if cache else None
    if cache_file is not None and cache_file.is_file():
        try:
            with cache_file.open("rb") as handle:
                dataset = pickle.load(handle)
            dataset.source = Path(source).resolve()
            return dataset
        except Exception:  # a stale or broken cache entry is only a slower load
            cache_file.unlink(missing_ok=True)
    dataset = _load(source, on_bad_rows)
    if cache_file is not None:
        _write_cache(dataset, cache_file)
    return dataset


#: Bump when the typed result of a load changes, so old cache entries are not reused.
_LOADER_VERSION = "2"


def _cache_file(source: str | Path, on_bad_rows: str) -> Path | None:
    from salesnb import __version__
    from salesnb.config import cache_dir

    path = Path(source)
    if not path.exists():
        return None
    key = hashlib.sha256(
        f"{content_hash(path)}|{on_bad_rows}|{_LOADER_VERSION}|{__version__}|{pd.__version__}".encode()
    ).hexdigest()[:32]
    return cache_dir() / f"dataset-{key}.pkl"


def _write_cache(dataset: Dataset, target: Path) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as handle:
            pickle.dump(dataset, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    except OSError:  # a read-only home only loses the speed-up
        pass


def _load(source: str | Path, on_bad_rows: str) -> Dataset:
    report, checked = _check(source)
    if report.unreadable:
        raise DataSourceError(report.problems[0].to_text() if report.problems else str(source))
    if report.fatal or (report.row_problems and on_bad_rows == "raise"):
        raise DataValidationError(load_error_message(report), report)

    bad_rows = {name: set(rows) for name, rows in checked.bad_rows.items()}
    extra_problems = _cascade_rejections(checked, bad_rows)
    tables: dict[str, pd.DataFrame] = {}
    rejected_rows: dict[str, pd.DataFrame] = {}
    for name, frame in checked.typed.items():
        rows = sorted(bad_rows.get(name, ()))
        if rows:
            raw = checked.raws[name]
            kept = raw.frame.iloc[rows].copy()
            kept.insert(0, "row", [raw.row(r) for r in rows])
            rejected_rows[name] = kept.reset_index(drop=True)
            frame = frame.drop(index=frame.index[rows])
        tables[name] = frame.reset_index(drop=True)
    problems = report.row_problems + extra_problems
    rejected = ValidationReport(report.source, problems).to_frame().drop(columns="fatal")
    meta = {**DEFAULT_META, **checked.meta}
    path = Path(source)
    return Dataset(
        tables=tables,
        name=str(meta.get("name") or path.stem),
        currency=str(meta["currency"]).upper(),
        country=str(meta["country"]).upper(),
        source=path.resolve(),
        content_hash=content_hash(path),
        rejected=rejected,
        rejected_rows=rejected_rows,
        report=report,
        meta=meta,
        rejected_problems=problems,
    )


def _cascade_rejections(checked: _Checked, bad_rows: dict[str, set[int]]) -> list[Problem]:
    """Reject rows whose foreign key points at a rejected row; return the reasons."""
    problems: list[Problem] = []
    for name in TABLE_ORDER:
        if name not in checked.typed:
            continue
        frame = checked.typed[name]
        raw = checked.raws[name]
        for fk in TABLES[name].foreign_keys:
            parent_bad = bad_rows.get(fk.ref_table)
            if not parent_bad or fk.column not in frame or fk.ref_table not in checked.typed:
                continue
            parent = checked.typed[fk.ref_table][fk.ref_column]
            gone = set(parent.iloc[sorted(parent_bad)].dropna().astype(str))
            hits = frame[fk.column].astype("string").isin(gone).fillna(False).to_numpy()
            for idx in np.flatnonzero(hits):
                if int(idx) in bad_rows.setdefault(name, set()):
                    continue
                bad_rows[name].add(int(idx))
                value = str(frame[fk.column].iloc[idx])
                problems.append(_problem(
                    name, raw.file, raw.row(idx), fk.column, value, "rejected parent", key="rejected_parent",
                    fatal=False, value=value, ref_table=fk.ref_table))
    return problems


def require_tables(dataset: Dataset, names: Iterable[str], *, analysis: str) -> None:
    """Raise :class:`MissingTableError` naming every table ``analysis`` needs but lacks."""
    lacking = [n for n in names if not dataset.has(n)]
    if lacking:
        raise MissingTableError(_text("error_require_tables", i18n.get_language(), analysis=analysis,
                                      tables=", ".join(lacking), source=dataset.source))

