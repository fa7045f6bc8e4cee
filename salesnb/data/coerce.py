"""Typing a table's columns by the contract, cell by cell, without dropping any.

:func:`type_column` turns the raw cells of one declared column into its dtype
(``str``, ``int``, ``float``, ``date``, ``bool``) and returns, besides the typed
values, every cell that breaks a rule (an impossible date, a decimal comma, a value
below the minimum, an empty required cell) as a :class:`CellProblem`.
:func:`type_extra` types a column the contract does not declare.

Text cells are typed once per distinct value, not once per row: a column is factorised
into its distinct cells and a code per row, every rule runs on the distinct values, and
the results are spread back to the rows by code. A column of a million rows with a few
thousand dates parses a few thousand dates; typed text columns hold one string object per
distinct value (less memory, a smaller and faster cache). Each rule is a function of the
cell alone, so the values and problems (rows, order, messages) are those of typing every
row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesnb.data.problems import shorten
from salesnb.data.reading import is_blank
from salesnb.errors import SalesnbError
from salesnb.schema import Column

__all__ = ["CellProblem", "Coding", "TypedColumn", "as_text", "type_column", "type_extra"]

_TRUE = {"true", "yes", "y", "1", "si", "sí", "t"}
_FALSE = {"false", "no", "n", "0", "f"}
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]00:00(:00)?$")
_DAY_FIRST = re.compile(r"^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$")
_COMMA_NUMBER = re.compile(r"^[+-]?\d{1,3}(\.\d{3})*(,\d+)?$|^[+-]?\d+,\d+$")


def as_text(series: pd.Series) -> pd.Series:
    """Return cells as stripped strings ('' for missing); Excel's 1001.0 becomes '1001'."""

    def one(v: object) -> str:
        if is_blank(v):
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
class CellProblem:
    """A problem in one cell, before it knows its table, file and row.

    Attributes
    ----------
    idx : int
        Position of the row in the raw frame.
    value : str
        The cell, shortened for display.
    rule : str
        The rule's name (a key of :data:`~salesnb.data.problems.RULES`).
    key, hint : str
        Catalog keys of the message and hint (``hint`` None: the same as ``key``).
    args : dict
        The texts' fields, ``value`` (the cell's repr) included.
    """

    idx: int
    value: str
    rule: str
    key: str
    hint: str | None
    args: dict[str, object]


@dataclass
class Coding:
    """A typed text column as a code per row into its distinct values: ``distinct[codes]`` is the column.

    Attributes
    ----------
    codes : ndarray of int
        A code per row.
    distinct : ndarray of object
        The typed value of each code (``pd.NA`` when missing).
    unique : bool
        Whether the non-missing values of ``distinct`` all differ (else two codes may hold
        one value, as ``" a"`` and ``"a"`` are both typed ``"a"``).
    """

    codes: np.ndarray
    distinct: np.ndarray
    unique: bool


@dataclass
class TypedColumn:
    """One column typed by the contract.

    Attributes
    ----------
    values : Series
        The typed values; cells with a problem are missing.
    bad : Series of bool
        Rows with a problem in this column.
    problems : list of CellProblem
        One per problem, in the order found.
    coding : Coding, optional
        A text column's values as codes, so keys are compared once per distinct value.
    """

    values: pd.Series
    bad: pd.Series
    problems: list[CellProblem]
    coding: Coding | None = None


def _plain(value: object) -> object:
    """Return a numpy scalar as the Python value it holds (``-60.0``, not ``np.float64(-60.0)``)."""
    return value.item() if isinstance(value, np.generic) else value


class _Cells:
    """The raw cells of one column and what is wrong with them so far.

    Text columns are held as their ``distinct`` stripped texts and one code per row into
    them (``distinct[codes]`` is the column's text); native numbers and dates have no text.
    """

    def __init__(self, raw: pd.Series, text: tuple[np.ndarray, np.ndarray, bool] | None, missing: np.ndarray) -> None:
        self.raw = raw
        self.distinct, self.codes, self.unique = (None, None, False) if text is None else text
        self.typed_distinct: np.ndarray | None = None
        self.missing = missing
        self.bad = np.zeros(len(raw), dtype=bool)
        self.problems: list[CellProblem] = []

    def rows(self, per_value: np.ndarray) -> np.ndarray:
        """Return a result per distinct text (``per_value``) spread to the rows."""
        return per_value[self.codes]

    def flag(self, mask: np.ndarray, rule: str, /, *, key: str, hint: str | None = None, whole: bool = False,
             **args: object) -> None:
        """Record problem ``key`` for every row of ``mask``.

        Its ``{value}`` is the cell's repr, shortened unless ``whole``.
        """
        for idx in np.flatnonzero(mask):
            value = _plain(self.raw.iloc[idx])
            shown = repr(value if whole else shorten(value))
            self.problems.append(CellProblem(int(idx), shorten(value), rule, key, hint, {**args, "value": shown}))
        self.bad[mask] = True


def _distinct_text(raw: pd.Series) -> tuple[np.ndarray, np.ndarray, bool]:
    """Return a column's distinct texts, each row's code, and whether the non-empty texts all differ.

    The texts are :func:`as_text` of each distinct cell. String columns (CSV's Arrow
    strings, Excel's all-text columns) are factorised first and :func:`as_text` runs on
    the distinct cells only (two cells can then strip to one text); other object columns
    (numbers, dates and text mixed, where ``1`` and ``1.0`` hash alike but read
    differently) are turned into text row by row and then factorised.
    """
    is_text = isinstance(raw.dtype, pd.StringDtype) or (
        raw.dtype == object and pd.api.types.infer_dtype(raw, skipna=False) == "string")
    if is_text:
        codes, uniques = pd.factorize(raw.array if isinstance(raw.dtype, pd.StringDtype) else raw.to_numpy(),
                                      use_na_sentinel=False)
        cells = pd.Series(uniques, dtype=raw.dtype)
        filled = cells.fillna("")
        unique = bool((filled.str.strip() == filled).all())  # nothing to strip: no two cells share a text
        return as_text(cells).to_numpy(dtype=object), codes, unique
    codes, distinct = pd.factorize(as_text(raw).to_numpy(dtype=object), use_na_sentinel=False)
    return distinct, codes, True


def _strings(texts: np.ndarray, empty: np.ndarray) -> pd.arrays.StringArray:
    """Return distinct texts as a string array, missing where ``empty``."""
    shown = texts.copy()
    shown[empty] = pd.NA
    return pd.array(shown, dtype="string")


def _type_str(cells: _Cells, col: Column) -> pd.Series:
    """Type a text column; one with allowed values is lower-cased and checked against them."""
    flag = cells.flag  # a bare name, as the catalog test reads these calls
    distinct = cells.distinct
    empty = distinct == ""
    if col.allowed is not None:
        distinct = np.array([v.lower() for v in distinct], dtype=object)
        outside = ~empty & ~pd.Index(distinct, dtype=object).isin(col.allowed)
        flag(cells.rows(outside), "allowed values", key="allowed_values", allowed=", ".join(col.allowed))
        cells.unique = False  # "Store" and "store" are one value
    typed = _strings(distinct, empty)
    cells.typed_distinct = typed.to_numpy(dtype=object)
    return pd.Series(typed.take(cells.codes), index=cells.raw.index, name=cells.raw.name)


def _parse_numbers(cells: _Cells) -> np.ndarray:
    """Return the cells as floats (NaN when empty or not a number), flagging text that is no number."""
    flag = cells.flag  # a bare name, as the catalog test reads these calls
    distinct = cells.distinct
    if distinct is None:
        arr = cells.raw.astype("float64").to_numpy(dtype="float64", copy=True)
    else:
        empty = distinct == ""
        texts = pd.Series(distinct, dtype=object)
        numbers = pd.to_numeric(texts.where(~empty), errors="coerce").astype("float64").to_numpy()
        arr = cells.rows(numbers)
        unparsed_values = ~empty & np.isnan(numbers)
        if unparsed_values.any():
            unparsed = cells.rows(unparsed_values)
            comma = cells.rows(texts.str.match(_COMMA_NUMBER).to_numpy(dtype=bool)) & unparsed
            flag(comma, "number", key="decimal_comma", whole=True)
            flag(unparsed & ~comma, "number", key="number")
    infinite = np.isinf(arr)
    flag(infinite, "number", key="infinite")
    arr[infinite] = np.nan
    return arr


def _type_number(cells: _Cells, col: Column) -> pd.Series:
    """Type an ``int`` or ``float`` column: whole numbers for ``int``, within ``min``/``max``."""
    flag = cells.flag  # a bare name, as the catalog test reads these calls
    arr = _parse_numbers(cells)
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
    if cells.distinct is None:
        cells.missing = np.isnan(arr) & ~cells.bad
    if col.dtype != "int":
        return pd.Series(arr, index=cells.raw.index, dtype="float64")
    values = pd.Series(arr, index=cells.raw.index).round().astype("Int64")
    if not col.nullable and not np.isnan(arr).any():
        values = values.astype("int64")
    return values


def _type_date(cells: _Cells) -> pd.Series:
    """Type a date column: ISO ``YYYY-MM-DD`` text (or native dates) to midnight, telling bad dates apart."""
    flag = cells.flag  # a bare name, as the catalog test reads these calls
    raw, distinct = cells.raw, cells.distinct
    if distinct is None:  # a native datetime column
        return pd.to_datetime(raw).dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")
    text = pd.Series(distinct, dtype=object)
    empty = (distinct == "")
    iso = text.str.slice(0, 10).where(text.str.match(_ISO_DATETIME), text)
    values = pd.to_datetime(iso.where(~empty), format="%Y-%m-%d", errors="coerce").astype("datetime64[ns]")
    unparsed_values = ~empty & values.isna().to_numpy()
    if unparsed_values.any():
        unparsed = cells.rows(unparsed_values)
        looks_iso = cells.rows(iso.str.match(_ISO_DATE).to_numpy(dtype=bool)) & unparsed
        day_first = cells.rows(text.str.match(_DAY_FIRST).to_numpy(dtype=bool)) & unparsed
        flag(looks_iso, "date", key="no_such_date", whole=True)
        flag(day_first, "date", key="day_first_date", hint="iso_date", whole=True)
        flag(unparsed & ~looks_iso & ~day_first, "date", key="date", hint="iso_date")
    return pd.Series(cells.rows(values.to_numpy()), index=raw.index, name=raw.name)


def _type_bool(cells: _Cells) -> pd.Series:
    """Type a true/false column (``yes``/``no``, ``sí``, ``1``/``0`` ...)."""
    flag = cells.flag  # a bare name, as the catalog test reads these calls
    lowered = pd.Index([v.lower() for v in cells.distinct], dtype=object)
    truth = cells.rows(lowered.isin(_TRUE))
    falsity = cells.rows(lowered.isin(_FALSE))
    unknown = ~cells.missing & ~truth & ~falsity
    flag(unknown, "boolean", key="boolean")
    values = pd.arrays.BooleanArray(truth, ~(truth | falsity))
    return pd.Series(values, index=cells.raw.index)


_TYPERS: dict[str, Callable[[_Cells, Column], pd.Series]] = {
    "str": _type_str,
    "int": _type_number,
    "float": _type_number,
    "date": lambda cells, col: _type_date(cells),
    "bool": lambda cells, col: _type_bool(cells),
}


def type_column(raw: pd.Series, col: Column) -> TypedColumn:
    """Type one declared column and find every cell that breaks its rules.

    Parameters
    ----------
    raw : Series
        The cells as read (text from CSV, objects from Excel, native from Parquet).
    col : Column
        Its contract.

    Returns
    -------
    TypedColumn
    """
    native_dt = pd.api.types.is_datetime64_any_dtype(raw)
    native_num = pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw)
    text = None if (native_dt or (native_num and col.dtype in ("int", "float"))) else _distinct_text(raw)
    missing = raw.isna().to_numpy() if text is None else (text[0] == "")[text[1]]
    cells = _Cells(raw, text, missing)
    typer = _TYPERS.get(col.dtype)
    if typer is None:  # pragma: no cover - the schema only declares the types above
        raise SalesnbError.from_catalog("problems.error_unknown_dtype", dtype=repr(col.dtype), column=col.name)
    values = typer(cells, col)
    flag = cells.flag  # a bare name, as the catalog test reads these calls
    if not col.nullable:
        empty = cells.missing & ~cells.bad
        flag(empty, "required", key="required", column=col.name)
    coding = None if cells.typed_distinct is None else Coding(cells.codes, cells.typed_distinct, cells.unique)
    return TypedColumn(values, pd.Series(cells.bad, index=raw.index), cells.problems, coding)


def type_extra(raw: pd.Series) -> pd.Series:
    """Type a column the contract does not declare: number, bool, date or text."""
    if not (raw.dtype == object or pd.api.types.is_string_dtype(raw)):
        return raw
    text = as_text(raw)
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
