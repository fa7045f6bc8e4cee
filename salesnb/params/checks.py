"""One checker per rule: the values a notebook or a library function receives.

Two families. The notebook checks (:func:`check_date`, :func:`check_lang`,
:func:`check_int`, :func:`check_float`, :func:`check_bool`, :func:`check_text`,
:func:`check_choice`, :func:`check_data`) normalise what a run may pass (``"6"`` for 6,
``"2026-10"`` for the month's last day). The strict checks
(:func:`check_positive_int`, :func:`check_fraction`, :func:`check_positive_number`,
:func:`to_timestamp`) guard the arguments of library functions.

Every message comes from ``salesnb/locale/params.json`` in the report language (or the
``lang`` given), phrased like scikit-learn: the parameter, what was expected, what came.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import os
import re
import reprlib
from numbers import Integral, Real
from typing import Any

from salesnb import config
from salesnb.catalog import text
from salesnb.errors import ParameterError

__all__ = [
    "check_bool",
    "check_choice",
    "check_data",
    "check_date",
    "check_float",
    "check_fraction",
    "check_int",
    "check_lang",
    "check_positive_int",
    "check_positive_number",
    "check_text",
    "message",
    "parameter_error",
    "show_value",
    "to_timestamp",
]

_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60


def message(key: str, /, *, lang: str | None = None, **values: object) -> str:
    """Return a parameter-error text from ``salesnb/locale/params.json``, filled in.

    Parameters
    ----------
    key : str
        Key in the ``params`` catalog (``"choice"``, ``"int_range"`` ...).
    lang : {"en", "es"}, optional
        Defaults to the report language; an unknown language gives the English text
        (the message must still reach the user).
    **values
        The template's fields, converted with ``str``; they are never templates
        themselves.

    Returns
    -------
    str

    Examples
    --------
    >>> message("int_range", lang="es", name="horizon", low=1, high=24, value=99)
    "El parámetro 'horizon' debe ser un entero entre 1 y 24; se recibió 99."
    """
    try:
        return text(f"params.{key}", lang=lang, **values)
    except ValueError:  # not a report language: say it in the default one rather than lose the error
        return text(f"params.{key}", lang=config.DEFAULT_LANG, **values)


def parameter_error(key: str, /, *, lang: str | None = None, **values: object) -> ParameterError:
    """Build a :class:`~salesnb.errors.ParameterError` whose message is :func:`message`.

    Parameters
    ----------
    key : str
        Key in the ``params`` catalog.
    lang : {"en", "es"}, optional
        Language of the message; the report language by default.
    **values
        The template's fields.

    Returns
    -------
    ParameterError
        To raise: ``raise parameter_error("choice", lang=lang, name=..., allowed=..., value=...)``.
    """
    return ParameterError(message(key, lang=lang, **values))


def check_date(name: str, value: object, *, lang: str | None = None) -> str:
    """Normalise a date parameter to ``"YYYY-MM-DD"``.

    Accepts ``"YYYY-MM-DD"``, ``"YYYY-MM"`` (meaning the month's last day) and
    date/datetime objects (pandas Timestamps included).

    Examples
    --------
    >>> check_date("period_end", "2026-02")
    '2026-02-28'
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        month = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        try:
            if month:
                year, mon = int(month[1]), int(month[2])
                return dt.date(year, mon, calendar.monthrange(year, mon)[1]).isoformat()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise parameter_error("date", lang=lang, name=name, value=show_value(value))


def check_lang(name: str, value: object, *, lang: str | None = None) -> str:
    """Normalise a report language (``"ES"``, ``"es-ES"`` → ``"es"``); one of config.LANGUAGES."""
    if isinstance(value, str):
        code = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
        if code in config.LANGUAGES:
            return code
    allowed = ", ".join(repr(c) for c in config.LANGUAGES)
    raise parameter_error("lang", lang=lang, name=name, allowed=allowed, value=show_value(value))


def check_int(name: str, value: object, *, min: float | None = None, max: float | None = None,
              lang: str | None = None) -> int:
    """Normalise a whole number (``6``, ``6.0`` or ``"6"``), optionally within bounds."""
    number: int | None = None
    if type(value) is int:
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value)
    ):
        number = int(value)  # type: ignore[arg-type]
    if number is None:
        raise parameter_error("whole_number", lang=lang, name=name, value=show_value(value), type=type(value).__name__)
    _check_bounds(name, number, min, max, kind="int", lang=lang)
    return number


def check_float(
    name: str,
    value: object,
    *,
    min: float | None = None,
    max: float | None = None,
    lang: str | None = None,
) -> float:
    """Normalise a finite number (int, float or numeric text), optionally within bounds."""
    number: float | None = None
    if type(value) is not bool and isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise parameter_error("finite_number", lang=lang, name=name, value=show_value(value), type=type(value).__name__)
    _check_bounds(name, number, min, max, kind="float", lang=lang)
    return number


def check_choice(name: str, value: object, choices: tuple | list | set | frozenset, *,
                 lang: str | None = None) -> Any:
    """Return ``value`` when it is one of ``choices``, else raise ParameterError.

    The message is the catalog's ``params.choice``, in the report language.
    """
    if value not in choices:
        allowed = ", ".join(repr(c) for c in sorted(choices, key=str))
        raise parameter_error("choice", lang=lang, name=name, allowed=allowed, value=repr(value))
    return value


def check_bool(name: str, value: object, *, lang: str | None = None) -> bool:
    """Return ``value`` as a bool: True, False, or the words ``"true"``/``"false"`` in any case.

    The words are what papermill users type (``papermill ... -p export false`` passes the
    text ``"false"``, which must never count as true); anything else — ``"yes"``, 1,
    None — is refused.

    Examples
    --------
    >>> check_bool("export", "False"), check_bool("export", True)
    (False, True)
    """
    if type(value) is bool:
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise parameter_error("bool", lang=lang, name=name, value=show_value(value))


def check_text(name: str, value: object, *, lang: str | None = None) -> str:
    """Return ``value`` when it is text, else raise ParameterError."""
    if not isinstance(value, str):
        raise parameter_error("text", lang=lang, name=name, value=show_value(value))
    return value


def check_data(name: str, value: object, *, lang: str | None = None) -> str:
    """Resolve a dataset parameter (``"sample"`` or a path) to an existing absolute path; a database URL stays."""
    if not isinstance(value, str | os.PathLike):
        raise parameter_error("data_type", lang=lang, name=name, value=show_value(value))
    if config.is_database_url(value):
        return str(value).strip()
    path = config.resolve_data_path(value)
    if not path.exists():
        raise parameter_error("data_missing", lang=lang, name=name, value=show_value(os.fspath(value)), path=path)
    return str(path)


def check_positive_int(name: str, value: object, *, lang: str | None = None) -> int:
    """Return ``value`` as an int when it is a whole number of at least 1 (numpy ints too).

    Unlike :func:`check_int` (which normalises what a notebook run passes, ``"6"``
    included), this is for arguments of library functions: text, floats and bools are
    refused.

    Raises
    ------
    ParameterError
        ``The 'h' parameter must be a positive integer. Got 0 instead.``
    """
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise parameter_error("positive_int", lang=lang, name=name, value=show_value(value))
    return int(value)


def check_fraction(name: str, value: object, *, lang: str | None = None) -> float:
    """Return ``value`` as a float when it is a number strictly between 0 and 1.

    Raises
    ------
    ParameterError
        ``The 'a' parameter must be a number between 0 and 1. Got 1.5 instead.``
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < float(value) < 1:
        raise parameter_error("fraction", lang=lang, name=name, value=show_value(value))
    return float(value)


def check_positive_number(name: str, value: object, *, lang: str | None = None) -> float:
    """Return ``value`` as a float when it is a finite number above 0.

    Raises
    ------
    ParameterError
        ``The 'scale' parameter must be a positive number. Got -1 instead.``
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)) \
            or float(value) <= 0:
        raise parameter_error("positive_number", lang=lang, name=name, value=show_value(value))
    return float(value)


def to_timestamp(name: str, value: object, *, lang: str | None = None) -> Any:
    """Return a day (midnight ``pandas.Timestamp``) from a date-like value.

    The one date parser of the package: library functions call it on every date
    argument. Accepted: ``YYYY-MM-DD`` text (a ``T00:00`` time is allowed), ``YYYY-MM``
    (that month's last day, as :func:`check_date` reads it), ``datetime.date``/
    ``datetime``, ``pandas.Timestamp`` and ``numpy.datetime64``. Other text (``31/10/2026``,
    ``20261031``) is refused rather than guessed.

    Raises
    ------
    ParameterError
        Naming ``name``, in the report language: ``The 'period_end' parameter must be a
        date written YYYY-MM-DD. Got '31/10/2026' instead.``
    """
    import pandas as pd  # imported on first use: importing salesnb.params stays light

    if isinstance(value, str) and re.fullmatch(r"\s*\d{4}-\d{1,2}\s*", value):
        value = check_date(name, value, lang=lang)
    if isinstance(value, str) and not re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00)?)?\s*", value):
        raise parameter_error("date_iso", lang=lang, name=name, value=show_value(value))
    if not isinstance(value, str | dt.date | pd.Timestamp) and type(value).__name__ != "datetime64":
        raise parameter_error("date_iso", lang=lang, name=name, value=show_value(value))
    try:
        ts = pd.Timestamp(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError, OverflowError):
        raise parameter_error("date_iso", lang=lang, name=name, value=show_value(value)) from None
    if pd.isna(ts):
        raise parameter_error("date_any", lang=lang, name=name, value="NaT")
    return ts.normalize()


def _check_bounds(name: str, number: float, low: float | None, high: float | None, *, kind: str,
                  lang: str | None) -> None:
    """Raise unless ``low <= number <= high``; ``kind`` (``"int"``, ``"float"``) words the message."""
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = "range" if low is not None and high is not None else "min" if low is not None else "max"
        raise parameter_error(f"{kind}_{bounds}", lang=lang, name=name, low=low, high=high, value=repr(number))


def show_value(value: object) -> str:
    """Return a short, safe text form of a value for a message.

    Plain values and numpy scalars show their repr, shortened past 60 characters;
    tuples and sets of plain values too; any other object shows as ``<type object>``:
    the repr of an unknown object is never called.
    """
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        value = value.item()  # type: ignore[attr-defined]
    if type(value) in (str, int, float, bool, type(None), list, dict):
        return _repr.repr(value)
    if type(value) in (tuple, set, frozenset) and all(
        type(item) in (str, int, float, bool, type(None))
        for item in value  # type: ignore[attr-defined]
    ):
        return _repr.repr(value)
    return f"<{type(value).__name__} object>"
