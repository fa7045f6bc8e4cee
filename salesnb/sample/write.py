"""Writing the sample's tables as CSV (one file per table, chunk by chunk, via temporary names) or into a database.

Files are UTF-8 with newline (LF) line endings, ISO dates, empty cells for missing values,
money with two decimals, booleans as ``true``/``false``, the contract's columns
first and extra columns after them. A file appears under its name only when it is
complete.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import numpy as np
import pandas as pd

from salesnb.schema import TABLES


def two_decimals(values: np.ndarray) -> np.ndarray:
    """Return numbers as text with two decimals (None for NaN), vectorised.

    Parameters
    ----------
    values : numpy.ndarray
        Numbers.

    Returns
    -------
    numpy.ndarray
        Object array of strings such as ``"-12.50"``, None where the value is NaN.
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return np.empty(0, dtype=object)
    nan = np.isnan(x)
    cents = np.round(np.where(nan, 0.0, x) * 100).astype(np.int64)
    mag = np.abs(cents)
    text = np.char.add(np.char.add((mag // 100).astype(str), "."),
                       np.char.zfill((mag % 100).astype(str), 2))
    text = np.where(cents < 0, np.char.add("-", text), text).astype(object)
    text[nan] = None
    return text


def text_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Return ``frame`` as text: ISO dates, two-decimal floats, true/false; None if missing."""
    out = {}
    for col in frame.columns:
        s = frame[col]
        if pd.api.types.is_datetime64_any_dtype(s.dtype):
            arr = s.to_numpy().astype("datetime64[D]")
            txt = np.datetime_as_string(arr, unit="D").astype(object)
            txt[np.isnat(arr)] = None
            out[col] = txt
        elif pd.api.types.is_float_dtype(s.dtype):
            out[col] = two_decimals(s.to_numpy())
        elif pd.api.types.is_bool_dtype(s.dtype):
            out[col] = np.where(s.to_numpy(dtype=bool), "true", "false")
        else:
            out[col] = s
    return pd.DataFrame(out, index=frame.index)


def column_order(table: str, frame: pd.DataFrame) -> list[str]:
    """Return the contract's columns of ``table`` first (in its order), then the extra ones."""
    declared = TABLES[table].column_names
    missing = [c for c in TABLES[table].required_columns if c not in frame.columns]
    if missing:  # pragma: no cover - a bug in this package
        raise AssertionError(f"sample table {table} lacks {missing}")
    return [c for c in declared if c in frame.columns] + [c for c in frame.columns if c not in declared]


class CsvWriter:
    """Write one table, possibly in chunks, to ``<table>.csv`` (via a temporary name).

    Parameters
    ----------
    folder : pathlib.Path
        The folder of the dataset.
    table : str
        A table of :data:`salesnb.schema.TABLES`.
    """

    def __init__(self, folder: Path, table: str) -> None:
        self.table = table
        self.path = folder / f"{table}.csv"
        self.tmp = folder / f".{table}.csv.part"
        self.fh: IO[str] = open(self.tmp, "w", encoding="utf-8", newline="")  # noqa: SIM115
        self.cols: list[str] | None = None

    def write(self, frame: pd.DataFrame) -> None:
        """Append the rows of ``frame`` (the first chunk also writes the header)."""
        if self.cols is None:
            self.cols = column_order(self.table, frame)
            header = True
        else:
            header = False
        text_frame(frame[self.cols]).to_csv(self.fh, header=header, index=False, lineterminator="\n")

    def close(self) -> None:
        """Finish the file and move it to its name."""
        self.fh.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        """Close and delete the temporary file; the table's file is left as it was."""
        self.fh.close()
        if self.tmp.exists():
            self.tmp.unlink()


@contextmanager
def csv_writers(folder: Path, *tables: str) -> Iterator[tuple[CsvWriter, ...]]:
    """Open one :class:`CsvWriter` per table; close them all, or abort them all on any error.

    Parameters
    ----------
    folder : pathlib.Path
        The folder of the dataset.
    *tables : str
        The tables to write.

    Yields
    ------
    tuple of CsvWriter
        In the order of ``tables``.
    """
    writers = tuple(CsvWriter(folder, table) for table in tables)
    try:
        yield writers
    except BaseException:
        for writer in writers:
            writer.abort()
        raise
    for writer in writers:
        writer.close()


def write_table(folder: Path, table: str, frame: pd.DataFrame) -> None:
    """Write a whole table to ``<table>.csv`` in ``folder``."""
    with csv_writers(folder, table) as (writer,):
        writer.write(frame)


def toml_str(value: str) -> str:
    """Return ``value`` as a TOML basic string."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_metadata(folder: Path, meta: dict[str, str], *, seed: int, scale: float, end: str) -> None:
    """Write ``dataset.toml``: the text fields of ``meta``, then seed, scale and end.

    Parameters
    ----------
    folder : pathlib.Path
        The folder of the dataset.
    meta : dict of str to str
        Name, currency, country, description, generator.
    seed : int
        The generator's seed.
    scale : float
        The size multiplier.
    end : str
        The last month of history, ``"YYYY-MM"``.
    """
    text = "".join(f"{k} = {toml_str(v)}\n" for k, v in meta.items())
    text += f"seed = {seed}\nscale = {scale!r}\nend = {toml_str(end)}\n"
    tmp = folder / ".dataset.toml.part"
    tmp.write_bytes(text.encode("utf-8"))
    os.replace(tmp, folder / "dataset.toml")


def write_database(folder: Path, url: str) -> str:
    """Write the dataset of ``folder`` (typed, as :func:`salesnb.data.load` gives it) into database ``url``.

    Parameters
    ----------
    folder : pathlib.Path
        A dataset folder (the sample just generated).
    url : str
        ``duckdb:///path/file.duckdb`` or a SQLAlchemy URL (``postgresql://user@host/db``):
        one table per contract table, plus a ``dataset`` table of ``key, value`` rows.

    Returns
    -------
    str
        The URL with its password masked, to show.
    """
    from salesnb.data import load
    from salesnb.data.sql import write_tables

    dataset = load(folder, cache=False)
    return write_tables(url, dataset.tables, dataset.meta)
