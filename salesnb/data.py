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

from salesnb.errors import (
    DataSourceError,
    DataValidationError,
    SalesnbError,
    check_choice,
)
from salesnb.schema import TABLE_ORDER, TABLES, Column, Table

__all__ = [
    "Dataset",
    "MissingTableError",
    "Problem",
    "ValidationReport",
    "content_hash",
    "employed",
    "load",
    "read_table",
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


@dataclass(frozen=True)
class Problem:
    """One problem found in a source.

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
        Short name of the broken rule (``date``, ``min``, ``primary key`` ...).
    message : str
        What was expected and what came.
    hint : str
        How to fix it.
    fatal : bool
        True when the dataset cannot be used at all (missing table or column,
        unreadable file, duplicate primary key, dangling foreign key); False for
        row problems, which ``on_bad_rows="reject"`` can set aside.
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

    def to_text(self) -> str:
        where = [p for p in (self.file, f"row {self.row}" if self.row else "",
                             f"column '{self.column}'" if self.column else "") if p]
        text = f"{', '.join(where)}: {self.message}"
        return f"{text} Fix: {self.hint}" if self.hint else text


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
    notices : list of str
        Things worth knowing that are not problems (e.g. a file read as cp1252).
    unreadable : bool
        True when the source itself could not be read (missing path, not a dataset).
    """

    source: Path
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    unreadable: bool = False

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

    def to_frame(self) -> pd.DataFrame:
        """The problems as a DataFrame (one row per problem)."""
        cols = ["table", "file", "row", "column", "value", "rule", "message", "hint", "fatal"]
        rows = [[getattr(p, c) for c in cols] for p in self.problems]
        frame = pd.DataFrame(rows, columns=cols)
        frame["row"] = frame["row"].astype("Int64")
        return frame

    def to_text(self, *, max_problems: int = 50) -> str:
        """A human-readable report, as ``salesnb validate`` prints it."""
        lines = [f"Dataset: {self.source}"]
        for name, info in self.files.items():
            lines.append(f"  {name:<12} {info['rows']:>9,} rows  {info['file']} ({info['encoding']})")
        for notice in self.notices:
            lines.append(f"  note: {notice}")
        if self.ok:
            lines.append("OK: no problems found.")
            return "\n".join(lines)
        n_fatal, n_row = len(self.fatal), len(self.row_problems)
        lines.append(f"PROBLEMS: {n_fatal} fatal, {n_row} in rows.")
        for label, group in (("Fatal", self.fatal), ("Rows", self.row_problems)):
            if not group:
                continue
            lines.append(f"{label}:")
            for p in group[:max_problems]:
                lines.append(f"  - {p.to_text()}")
            if len(group) > max_problems:
                lines.append(f"  ... and {len(group) - max_problems} more {label.lower()} problems")
        if n_row and not n_fatal:
            lines.append(
                "Rows with problems stop a load unless it passes on_bad_rows='reject', "
                "which sets them aside and lists them in the report."
            )
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


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
        rule, message, hint); empty when nothing was rejected.
    rejected_rows : dict of str to DataFrame
        The rejected rows themselves as read, per table, with their spreadsheet ``row``.
    report : ValidationReport
        The validation report of the load.
    meta : dict
        Every key of ``dataset.toml``.
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

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name in self.tables:
            return self.tables[name]
        if name in TABLES:
            used = ", ".join(TABLES[name].used_by) or "some analyses"
            raise MissingTableError(
                f"The dataset at {self.source} has no '{name}' table, which {used} need. "
                f"Add {name}.csv (columns: {', '.join(TABLES[name].required_columns)})."
            )
        raise MissingTableError(f"Unknown table {name!r}; the contract has: {', '.join(TABLES)}.")

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

    def fatal(message: str, hint: str) -> None:
        report.problems.append(Problem(table, file, None, None, None, "file", message, hint, True))

    if data.startswith(b"PK\x03\x04"):
        fatal("This file is an Excel workbook (or other zip file) with a .csv name.",
              "Save it as CSV (UTF-8), or pass the .xlsx workbook itself as the source.")
        return None
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    if b"\x00" in data[:4096]:
        fatal("This file holds binary data, not text.", "Export the table as CSV (UTF-8).")
        return None
    try:
        text = data.decode("utf-8-sig")
        encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    except UnicodeDecodeError as exc:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            fatal(f"The file is neither UTF-8 nor Windows-1252/Latin-1 text (byte "
                  f"0x{data[exc.start]:02x} at position {exc.start}).",
                  "Save the file as CSV UTF-8 from your spreadsheet program.")
            return None
        report.notices.append(f"{file} was read as Windows-1252 (Latin-1); "
                              "saving it as UTF-8 avoids guessing.")
        return text, "cp1252"
    found = _MOJIBAKE.search(text)
    if found:
        fatal(f"The text looks double-encoded (mojibake such as {found.group()!r} where an "
              "accented letter belongs).",
              "Re-export the file as CSV UTF-8 from the original; do not convert it twice.")
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
        report.problems.append(Problem(table, file, None, None, None, "file",
                                       "The file is empty: no header row.",
                                       f"Write the header row of {table} "
                                       f"({', '.join(TABLES[table].required_columns)}).", True))
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
        report.problems.append(Problem(table, file, None, None, None, "file",
                                       f"The CSV cannot be parsed: {exc}",
                                       "Check quoting and that every row has the same "
                                       "number of fields as the header.", True))
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
        report.problems.append(Problem(table, path.name, None, None, None, "file",
                                       f"The Parquet file cannot be read: {exc}",
                                       "Write it again with pandas.DataFrame.to_parquet.", True))
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
        report.problems.append(Problem("", path.name, None, None, None, "file",
                                       f"The workbook cannot be read: {exc}",
                                       "Save it again as .xlsx from your spreadsheet program.",
                                       True))
        return {}, {}
    raws: dict[str, _Raw] = {}
    meta: dict[str, Any] = {}
    for sheet_name, sheet in sheets.items():
        key = str(sheet_name).strip().lower()
        file = f"{path.name} [sheet {sheet_name}]"
        if key == "dataset":
            for row in sheet.itertuples(index=False):
                if len(row) >= 2 and isinstance(row[0], str) and row[0].strip().lower() != "key":
                    meta[row[0].strip()] = row[1]
            continue
        if key not in TABLES:
            report.notices.append(f"{file} is not a table of the contract and was ignored.")
            continue
        sheet = sheet.dropna(axis=1, how="all")
        filled = np.flatnonzero(sheet.notna().any(axis=1).to_numpy())
        if not len(filled):
            report.problems.append(Problem(key, file, None, None, None, "file",
                                           "The sheet is empty: no header row.",
                                           f"Write the header row of {key} on row 1.", True))
            continue
        header = _excel_header_row(sheet, TABLES[key].required_columns)
        if header is None:
            header = int(filled[0])
        if header > int(filled[0]):
            report.problems.append(Problem(key, file, None, None, None, "header",
                                           f"The column names are on row {header + 1}, "
                                           "not row 1 (merged or title rows above them).",
                                           "Delete the rows above the header so the column "
                                           "names are on row 1.", True))
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
                report.notices.append(f"{file.name} is not a table of the contract and was ignored.")
    for table, files in found.items():
        if len(files) > 1:
            names = " and ".join(f.name for f in files)
            report.problems.append(Problem(table, names, None, None, None, "file",
                                           f"Two files hold table '{table}': {names}.",
                                           "Keep one of them.", True))
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
            report.problems.append(Problem("", "dataset.toml", None, None, None, "file",
                                           f"dataset.toml cannot be read: {exc}",
                                           'Write it as TOML, e.g. currency = "EUR".', True))
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
class _Typed:
    values: pd.Series
    bad: pd.Series  # bool mask of rows with a problem in this column
    problems: list[tuple[int, str, str, str, str]]  # (idx, value, rule, message, hint)


def _type_column(raw: pd.Series, col: Column) -> _Typed:
    problems: list[tuple[int, str, str, str, str]] = []
    n = len(raw)
    native_dt = pd.api.types.is_datetime64_any_dtype(raw)
    native_num = pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw)
    text = None if (native_dt or (native_num and col.dtype in ("int", "float"))) else _as_text(raw)
    missing = raw.isna().to_numpy() if text is None else (text == "").to_numpy()
    bad = np.zeros(n, dtype=bool)

    def flag(mask: np.ndarray, rule: str, message: Any, hint: str) -> None:
        for idx in np.flatnonzero(mask):
            value = raw.iloc[idx]
            msg = message(value) if callable(message) else message
            problems.append((int(idx), _shorten(value), rule, msg, hint))
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
            flag(outside, "allowed values",
                 lambda v: f"Expected one of {', '.join(col.allowed)}; got {_shorten(v)!r}.",
                 f"Use one of: {', '.join(col.allowed)}.")
    elif col.dtype in ("int", "float"):
        if text is None:
            numbers = raw.astype("float64")
        else:
            numbers = pd.to_numeric(text.where(~pd.Series(missing, index=text.index)),
                                    errors="coerce").astype("float64")
            unparsed = ~missing & numbers.isna().to_numpy()
            if unparsed.any():
                comma = text.str.match(_COMMA_NUMBER).to_numpy() & unparsed
                flag(comma, "number",
                     lambda v: f"Expected a number with a dot as decimal separator; got {v!r}.",
                     "Write numbers like 1234.56 (no thousands separator, dot for decimals).")
                flag(unparsed & ~comma, "number",
                     lambda v: f"Expected a number; got {_shorten(v)!r}.",
                     "Write a plain number, or leave the cell empty if it may be empty.")
        arr = numbers.to_numpy(dtype="float64", copy=True)
        infinite = np.isinf(arr)
        flag(infinite, "number", "Expected a finite number; got infinity.", "Write a real amount.")
        arr[infinite] = np.nan
        if col.dtype == "int":
            frac = ~np.isnan(arr) & (arr != np.round(arr))
            flag(frac, "whole number", lambda v: f"Expected a whole number; got {v!r}.",
                 "Write a whole number.")
            arr[frac] = np.nan
        if col.min is not None:
            low = ~np.isnan(arr) & (arr < col.min)
            flag(low, "min", lambda v: f"Expected {col.min:g} or more; got {v!r}.",
                 f"Check the sign and units; {col.name} cannot be below {col.min:g}.")
        if col.max is not None:
            high = ~np.isnan(arr) & (arr > col.max)
            flag(high, "max", lambda v: f"Expected {col.max:g} or less; got {v!r}.",
                 f"Check the units; {col.name} cannot be above {col.max:g}.")
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
                flag(looks_iso, "date", lambda v: f"No such date: {v!r}.",
                     "Check day and month; the date does not exist in the calendar.")
                flag(day_first, "date",
                     lambda v: f"Expected an ISO date YYYY-MM-DD; got {v!r} (day/month order "
                               "is ambiguous).",
                     "Write dates as YYYY-MM-DD, e.g. 2026-01-31.")
                flag(unparsed & ~looks_iso & ~day_first, "date",
                     lambda v: f"Expected an ISO date YYYY-MM-DD; got {_shorten(v)!r}.",
                     "Write dates as YYYY-MM-DD, e.g. 2026-01-31.")
        values = values.astype("datetime64[ns]")
    elif col.dtype == "bool":
        lowered = text.str.lower()
        truth = lowered.isin(_TRUE).to_numpy()
        falsity = lowered.isin(_FALSE).to_numpy()
        unknown = ~missing & ~truth & ~falsity
        flag(unknown, "boolean", lambda v: f"Expected true or false; got {_shorten(v)!r}.",
             "Write true or false.")
        values = pd.array([True if t else False if f else pd.NA
                           for t, f in zip(truth, falsity, strict=True)], dtype="boolean")
        values = pd.Series(values, index=raw.index)
    else:  # pragma: no cover - the schema only declares the types above
        raise SalesnbError(f"Unknown dtype {col.dtype!r} in the schema for {col.name}.")

    if not col.nullable:
        empty = missing & ~bad
        flag(empty, "required", "A value is required here; the cell is empty.",
             f"Fill in {col.name} for this row.")
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
        report.problems.append(Problem("", str(path), None, None, None, "source",
                                       "The data source does not exist.",
                                       "Pass a folder of CSV/Parquet files or an .xlsx workbook.",
                                       True))
        return report, empty
    if path.is_dir():
        raws, meta, used = _read_folder(path, report)
    elif path.suffix.lower() in (".xlsx", ".xlsm"):
        raws, meta = _read_workbook(path, report)
        used = [path]
    else:
        report.unreadable = True
        report.problems.append(Problem("", path.name, None, None, None, "source",
                                       f"Expected a folder or an .xlsx workbook; got a "
                                       f"'{path.suffix or 'no extension'}' file.",
                                       "Put the table files in a folder and pass the folder.",
                                       True))
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
                report.problems.append(Problem(name, f"{name}.csv", None, None, None,
                                               "missing table",
                                               f"The required table '{name}' is missing.",
                                               f"Add {name}.csv (or a '{name}' sheet) with columns "
                                               f"{', '.join(contract.required_columns)}.", True))
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
        report.problems.append(Problem(contract.name, raw.file, 1, col, None, "duplicate column",
                                       f"The column '{col}' appears more than once.",
                                       "Keep one column of that name.", True))
    missing = [c for c in contract.required_columns if c not in present]
    lowered = {c.lower().replace(" ", "_"): c for c in present}
    for col in missing:
        similar = lowered.get(col.lower())
        hint = (f"Rename column '{similar}' to '{col}'." if similar
                else f"Add a '{col}' column ({contract.column(col).dtype}).")
        report.problems.append(Problem(contract.name, raw.file, 1, col, None, "missing column",
                                       f"The required column '{col}' is missing.", hint, True))
    if missing or duplicated:
        return None, set()
    if contract.required and frame.empty:
        report.problems.append(Problem(contract.name, raw.file, None, None, None, "empty table",
                                       f"The table '{contract.name}' has a header but no rows.",
                                       "Add its rows; every analysis needs this table.", True))
    bad: set[int] = set()
    out: dict[str, pd.Series] = {}
    for col in contract.columns:
        if col.name not in present:
            continue
        result = _type_column(frame[col.name], col)
        out[col.name] = result.values
        for idx, value, rule, message, hint in result.problems:
            report.problems.append(Problem(contract.name, raw.file, raw.row(idx), col.name,
                                           value, rule, message, hint, False))
            bad.add(idx)
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
            report.problems.append(Problem(
                contract.name, raw.file, raw.row(idx), rule.left,
                _shorten(f"{_fmt(lv)} vs {rule.right} {_fmt(rv)}"), rule.name,
                f"Expected {rule.name}; got {rule.left} {_fmt(lv)} and {rule.right} {_fmt(rv)}.",
                rule.hint or "Correct one of the two dates.", False))
            bad.add(int(idx))
    for name in frame.columns:
        if name not in out:
            typed[name] = _type_extra(frame[name])
    return typed, bad


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
            report.problems.append(Problem(
                name, file, raw.row(idx), ", ".join(contract.primary_key), _shorten(value),
                "primary key", f"The key {value!r} appears on more than one row.",
                "Each row needs its own key: remove the duplicate or give it a new id.", True))
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
                    report.problems.append(Problem(
                        name, file, None, fk.column, None, "foreign key",
                        f"'{fk.column}' refers to table '{fk.ref_table}', which is missing.",
                        f"Add {fk.ref_table}.csv, or leave {fk.column} empty.", True))
                continue
            dangling = present & ~values.astype("string").isin(keysets[fk.ref_table]).fillna(False)
            idxs = np.flatnonzero(dangling.to_numpy())
            for idx in idxs[:200]:
                value = values.iloc[idx]
                report.problems.append(Problem(
                    name, file, raw.row(idx), fk.column, _shorten(value), "foreign key",
                    f"'{value}' is not a {fk.ref_column} of table {fk.ref_table}.",
                    f"Add it to {fk.ref_table} or correct the id.", True))
            if len(idxs) > 200:
                report.problems.append(Problem(
                    name, file, None, fk.column, None, "foreign key",
                    f"{len(idxs) - 200} more rows refer to unknown {fk.ref_table}.",
                    f"Add them to {fk.ref_table} or correct the ids.", True))


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
_LOADER_VERSION = "1"


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
    if report.fatal:
        raise DataValidationError(
            f"The dataset at {report.source} cannot be used: {len(report.fatal)} fatal "
            f"problem(s).\n" + report.to_text(max_problems=20), report)
    if report.row_problems and on_bad_rows == "raise":
        raise DataValidationError(
            f"The dataset at {report.source} has {len(report.row_problems)} problem(s) in rows. "
            "Fix them, or load with on_bad_rows='reject' to set those rows aside.\n"
            + report.to_text(max_problems=20), report)

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
                problems.append(Problem(
                    name, raw.file, raw.row(idx), fk.column, value, "rejected parent",
                    f"Refers to {fk.ref_table} '{value}', which was rejected.",
                    f"Fix the {fk.ref_table} row; this row comes back with it.", False))
    return problems


def require_tables(dataset: Dataset, names: Iterable[str], *, analysis: str) -> None:
    """Raise :class:`MissingTableError` naming every table ``analysis`` needs but lacks."""
    lacking = [n for n in names if not dataset.has(n)]
    if lacking:
        raise MissingTableError(
            f"The {analysis} needs table(s) {', '.join(lacking)}, which the dataset at "
            f"{dataset.source} does not have. Add them (see docs/DATA.md) or skip this analysis."
        )

