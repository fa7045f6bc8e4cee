"""Reading a source's files as they are, before any typing.

A source is a folder of one file per table (``orders.csv`` or ``orders.parquet``,
plus an optional ``dataset.toml``) or one ``.xlsx`` workbook with a sheet per table
(and an optional ``dataset`` sheet of ``key, value`` rows). CSV files may be UTF-8
(with or without BOM), UTF-16 or Windows-1252, separated by ``,`` ``;`` tabs or
pipes. Every table comes back as a :class:`RawTable` of untyped cells that remembers
the spreadsheet row of each of its rows; what cannot be read becomes a fatal
:class:`~salesnb.data.problems.Problem` on the report.
"""

from __future__ import annotations

import csv
import io
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from salesnb.data.problems import ValidationReport, add_notice, join_and, make_problem, sheet_file
from salesnb.schema import TABLES

__all__ = [
    "TABLE_SUFFIXES",
    "WORKBOOK_SUFFIXES",
    "RawTable",
    "is_blank",
    "read_csv",
    "read_file",
    "read_folder",
    "read_parquet",
    "read_source",
    "read_workbook",
    "table_files",
]

#: File suffixes that hold a table in a folder source.
TABLE_SUFFIXES = (".csv", ".parquet")
#: Workbook suffixes a source may have.
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_MOJIBAKE = re.compile("[\u00c3\u00c2][\u0080-\u00bf]")


@dataclass
class RawTable:
    """One table as read, before typing: every cell is an object (mostly str).

    Attributes
    ----------
    table : str
        Table name from the contract.
    file : str
        File (and sheet) it was read from.
    frame : DataFrame
        The cells, with the header's column names.
    encoding : str
        ``utf-8``, ``cp1252`` ..., ``parquet`` or ``xlsx``.
    rows : ndarray
        Spreadsheet row number of each frame row (header row is 1); blank rows are skipped.
    """

    table: str
    file: str
    frame: pd.DataFrame
    encoding: str
    rows: np.ndarray | None = None

    def __post_init__(self) -> None:
        """Set the rows to 2, 3 ... (below the header) when the reader did not number them."""
        if self.rows is None:
            self.rows = np.arange(len(self.frame)) + 2

    def row(self, idx: int) -> int:
        """Return the spreadsheet row of frame row ``idx``."""
        return int(self.rows[idx])

    def header_row(self) -> int | None:
        """Return the row of the column names (1; None where there is no such row, as in a database)."""
        return 1


def is_blank(value: object) -> bool:
    """Return whether a cell is empty: None, NaT, NaN or only whitespace."""
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


def _drop_blank_rows(frame: pd.DataFrame, first_row: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Remove wholly empty rows, remembering the spreadsheet row of those kept."""
    numbers = np.arange(len(frame)) + first_row
    if frame.empty:
        return frame, numbers
    blank = np.ones(len(frame), dtype=bool)
    for _, col in frame.items():
        empty = col.isna().to_numpy()
        present = ~empty
        if isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow":
            # a printable ASCII character other than a space is never stripped: such a cell is not blank
            present &= ~col.str.contains("[!-~]", regex=True).fillna(False).to_numpy(dtype=bool)
        if present.any():
            empty[present] = col[present].astype(str).str.strip().to_numpy() == ""
        blank &= empty
        if not blank.any():
            return frame, numbers
    return frame.loc[~blank].reset_index(drop=True), numbers[~blank]


def _decode(data: bytes, table: str, file: str, report: ValidationReport) -> tuple[str, str] | None:
    """Decode a CSV's bytes; None (and a fatal problem) when that cannot be done safely."""

    def fatal(*, key: str, **args: object) -> None:
        report.problems.append(make_problem(table, file, None, None, None, "file", key=key, fatal=True, **args))

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
        add_notice(report, key="cp1252", file=file)
        return text, "cp1252"
    found = _MOJIBAKE.search(text)
    if found:
        fatal(key="mojibake", sample=repr(found.group()))
        return None
    return text, encoding


def _sniff_delimiter(text: str) -> str:
    """Return the separator the header line uses most (``,`` when it uses none)."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: Path, table: str, report: ValidationReport) -> RawTable | None:
    """Read one CSV file as text cells; None (and a fatal problem on ``report``) when it cannot be read.

    Parameters
    ----------
    path : Path
        The file.
    table : str
        The table it holds.
    report : ValidationReport
        Problems and notices (a file read as cp1252) are added here.

    Returns
    -------
    RawTable or None
    """
    file = path.name
    data = path.read_bytes()
    if not data.strip():
        report.problems.append(make_problem(table, file, None, None, None, "file", key="empty_file", fatal=True,
                                            table=table, columns=", ".join(TABLES[table].required_columns)))
        return None
    decoded = _decode(data, table, file, report)
    if decoded is None:
        return None
    text, encoding = decoded
    sep = _sniff_delimiter(text)
    header = next(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=sep), [])
    frame = _read_csv_arrow(data if encoding == "utf-8" else text.encode("utf-8"), text, sep, len(header))
    if frame is None:
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sep, dtype="string[pyarrow]",
                                keep_default_na=False, na_values=[], skip_blank_lines=False)
        except (pd.errors.ParserError, ValueError) as exc:
            report.problems.append(make_problem(table, file, None, None, None, "file", key="csv_unparsable",
                                                fatal=True, error=exc))
            return None
    if len(header) == frame.shape[1]:
        frame.columns = [name.strip() for name in header]  # undo pandas' "name.1" renaming
    frame, rows = _drop_blank_rows(frame, 2)
    return RawTable(table, file, frame, encoding, rows)


def _read_csv_arrow(data: bytes, text: str, sep: str, width: int) -> pd.DataFrame | None:
    """Read CSV text with Arrow's reader, as the cells pandas' reader gives; None where the two could differ.

    Arrow's reader is several times faster than pandas' on a large file. It is used only
    where it reads exactly what :func:`pandas.read_csv` reads: a header on the first line
    without quotes, then rows of ``width`` fields each (a blank line, a short or long row,
    an unclosed quote make Arrow fail, and pandas then reads the file and reports what it
    finds). ``data`` is ``text`` encoded as UTF-8.
    """
    first_line = text.split("\n", 1)[0]
    if width < 2 or '"' in first_line or "\r" in first_line.rstrip("\r"):
        return None
    names = [f"c{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(data),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(delimiter=sep, quote_char='"', double_quote=True, escape_char=False,
                                              newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(column_types=dict.fromkeys(names, pa.large_string()),
                                                  null_values=[], strings_can_be_null=False,
                                                  quoted_strings_can_be_null=False))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        return None
    return pd.DataFrame({i: pd.arrays.ArrowStringArray(table.column(i)) for i in range(width)})


def read_parquet(path: Path, table: str, report: ValidationReport) -> RawTable | None:
    """Read one Parquet file; None (and a fatal problem on ``report``) when it cannot be read."""
    try:
        frame = pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many types for a bad file
        report.problems.append(make_problem(table, path.name, None, None, None, "file", key="parquet_unreadable",
                                            fatal=True, error=exc))
        return None
    return RawTable(table, path.name, frame.reset_index(drop=True), "parquet")


def read_file(path: Path, table: str, report: ValidationReport) -> RawTable | None:
    """Read one table file of a folder source with the reader its suffix calls for."""
    reader = read_parquet if path.suffix.lower() == ".parquet" else read_csv
    return reader(path, table, report)


def _excel_header_row(sheet: pd.DataFrame, required: Iterable[str]) -> int | None:
    """Return the index of the first row (within 10) holding every required column name."""
    need = set(required)
    for i in range(min(10, len(sheet))):
        names = {str(v).strip() for v in sheet.iloc[i].tolist() if isinstance(v, str)}
        if need <= names:
            return i
    return None


def _sheet_meta(sheet: pd.DataFrame) -> dict[str, Any]:
    """Return the ``key, value`` rows of a workbook's ``dataset`` sheet."""
    meta: dict[str, Any] = {}
    for row in sheet.itertuples(index=False):
        if len(row) >= 2 and isinstance(row[0], str) and row[0].strip().lower() != "key":
            meta[row[0].strip()] = row[1]
    return meta


def _read_sheet(sheet: pd.DataFrame, key: str, file: str, report: ValidationReport) -> RawTable | None:
    """Read one table sheet: find its header row and drop empty columns and rows."""
    sheet = sheet.dropna(axis=1, how="all")
    filled = np.flatnonzero(sheet.notna().any(axis=1).to_numpy())
    if not len(filled):
        report.problems.append(make_problem(key, file, None, None, None, "file", key="empty_sheet", fatal=True,
                                            table=key))
        return None
    header = _excel_header_row(sheet, TABLES[key].required_columns)
    if header is None:
        header = int(filled[0])
    if header > int(filled[0]):
        report.problems.append(make_problem(key, file, None, None, None, "header", key="header_not_first",
                                            fatal=True, row=header + 1))
        return None
    names = [str(v).strip() if not is_blank(v) else f"unnamed_{i}"
             for i, v in enumerate(sheet.iloc[header].tolist())]
    frame = sheet.iloc[header + 1:].reset_index(drop=True)
    frame.columns = names
    frame, rows = _drop_blank_rows(frame, header + 2)
    return RawTable(key, file, frame, "xlsx", rows)


def read_workbook(path: Path, report: ValidationReport) -> tuple[dict[str, RawTable], dict[str, Any]]:
    """Read every table sheet of a workbook, and its ``dataset`` sheet as metadata.

    Returns
    -------
    tables : dict of str to RawTable
        The sheets that could be read, by table name.
    meta : dict
        The ``dataset`` sheet's ``key, value`` rows.
    """
    try:
        sheets = pd.read_excel(path, sheet_name=None, header=None, dtype=object)
    except Exception as exc:  # openpyxl raises many types for a bad file
        report.unreadable = True
        report.problems.append(make_problem("", path.name, None, None, None, "file", key="workbook_unreadable",
                                            fatal=True, error=exc))
        return {}, {}
    raws: dict[str, RawTable] = {}
    meta: dict[str, Any] = {}
    for sheet_name, sheet in sheets.items():
        key = str(sheet_name).strip().lower()
        file = sheet_file(path.name, sheet_name)
        if key == "dataset":
            meta.update(_sheet_meta(sheet))
        elif key not in TABLES:
            add_notice(report, key="not_a_table", file=file)
        else:
            raw = _read_sheet(sheet, key, file, report)
            if raw is not None:
                raws[key] = raw
    return raws, meta


def table_files(path: Path, report: ValidationReport | None = None) -> dict[str, list[Path]]:
    """Return the table files of a folder by table name (a table may have several).

    Files that hold no table of the contract are noted on ``report`` when given.
    """
    found: dict[str, list[Path]] = {}
    for file in sorted(path.iterdir()):
        if file.is_file() and file.suffix.lower() in TABLE_SUFFIXES:
            stem = file.stem.strip().lower()
            if stem in TABLES:
                found.setdefault(stem, []).append(file)
            elif report is not None:
                add_notice(report, key="not_a_table", file=file.name)
    return found


def _read_toml(path: Path, report: ValidationReport) -> dict[str, Any]:
    """Read a folder's ``dataset.toml``; empty (and a fatal problem) when it cannot be parsed."""
    try:
        return tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        report.problems.append(make_problem("", "dataset.toml", None, None, None, "file", key="toml_unreadable",
                                            fatal=True, error=exc))
        return {}


def read_folder(path: Path, report: ValidationReport) -> tuple[dict[str, RawTable], dict[str, Any], list[Path]]:
    """Read every table file of a folder, and its ``dataset.toml`` as metadata.

    Returns
    -------
    tables : dict of str to RawTable
        The files that could be read, by table name.
    meta : dict
        The keys of ``dataset.toml`` (empty without one).
    used : list of Path
        The files read.
    """
    raws: dict[str, RawTable] = {}
    used: list[Path] = []
    for table, files in table_files(path, report).items():
        if len(files) > 1:
            names = tuple(f.name for f in files)
            report.problems.append(make_problem(table, join_and(names, "en"), None, None, None, "file",
                                                key="two_files", fatal=True, table=table, files=names))
            continue
        used.append(files[0])
        raw = read_file(files[0], table, report)
        if raw is not None:
            raws[table] = raw
    meta: dict[str, Any] = {}
    toml_path = path / "dataset.toml"
    if toml_path.is_file():
        used.append(toml_path)
        meta = _read_toml(toml_path, report)
    return raws, meta, used


def read_source(path: Path, report: ValidationReport) -> tuple[dict[str, RawTable], dict[str, Any], list[Path]]:
    """Read a folder or workbook source; nothing (and ``report.unreadable``) when it is neither.

    Returns
    -------
    tables : dict of str to RawTable
    meta : dict
    used : list of Path
        As :func:`read_folder`.
    """
    if not path.exists():
        report.unreadable = True
        report.problems.append(make_problem("", str(path), None, None, None, "source", key="no_source", fatal=True))
        return {}, {}, []
    if path.is_dir():
        return read_folder(path, report)
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        raws, meta = read_workbook(path, report)
        return raws, meta, [path]
    report.unreadable = True
    report.problems.append(make_problem("", path.name, None, None, None, "source",
                                        key="not_a_source" if path.suffix else "not_a_source_bare",
                                        hint="not_a_source", fatal=True, suffix=path.suffix))
    return {}, {}, []
