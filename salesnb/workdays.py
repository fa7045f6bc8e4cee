"""Working days: weekends, public holidays (``holidays`` library) and company closures.

A *working day* is a weekday (Monday-Friday by default) that is neither a public
holiday of the country (and, optionally, of one of its subdivisions) nor a company
closure day. The target breakdown spreads monthly targets over working days only,
so a rep never gets a target on Christmas Day or during the August shutdown.

Company closures are given as dates or ranges, in any of these forms::

    "2027-08-09"                       one day
    "2027-08-09/2027-08-20"            a range, both ends included
    ("2027-08-09", "2027-08-20")       the same range as a pair
    datetime.date(2027, 12, 24)        a date (or datetime, or pandas Timestamp)

The module is named ``workdays`` so that it does not shadow the standard library's
``calendar``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import holidays as _holidays
import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.params import parameter_error, to_timestamp

__all__ = ["Closure", "as_date", "check_country", "day_calendar", "holiday_table", "parse_closures", "working_days"]

#: One closure as accepted by :func:`parse_closures`.
Closure = str | dt.date | pd.Timestamp | tuple[Any, Any]

_LANGUAGES = {"en": "en_US", "es": "es"}


def as_date(value: object, *, name: str) -> dt.date:
    """Return a ``datetime.date`` from a date-like value, parsed by :func:`salesnb.params.to_timestamp`.

    Accepted: ``YYYY-MM-DD`` text, ``datetime.date``/``datetime``, ``pandas.Timestamp``
    and ``numpy.datetime64`` (the one date parser of the package).

    Raises
    ------
    ParameterError
        Naming ``name``, in the report language.
    """
    return to_timestamp(name, value).date()


def parse_closures(closures: Iterable[Closure] | None, *, name: str = "closures") -> pd.DatetimeIndex:
    """Company closure days as a sorted index of unique dates.

    Parameters
    ----------
    closures : iterable
        Dates (``"2027-12-24"``, ``datetime.date``, ``Timestamp``) and ranges
        (``"2027-08-09/2027-08-20"`` or a pair ``(start, end)``, both ends included).
        A single string is read as one item, not as a sequence of characters.
    name : str
        Parameter name used in error messages.

    Returns
    -------
    DatetimeIndex
        Every closed day, sorted, without duplicates (overlapping ranges are fine).

    Raises
    ------
    ParameterError
        When an item is not a date or range, or a range ends before it starts.

    Examples
    --------
    >>> parse_closures(["2027-12-24", "2027-08-09/2027-08-11"]).strftime("%m-%d").tolist()
    ['08-09', '08-10', '08-11', '12-24']
    """
    if closures is None:
        return pd.DatetimeIndex([], name="date")
    if isinstance(closures, str | dt.date | pd.Timestamp):
        closures = [closures]
    days: list[pd.DatetimeIndex] = []
    for i, item in enumerate(closures):
        label = f"{name}[{i}]"
        if isinstance(item, str) and "/" in item:
            parts = item.split("/")
            if len(parts) != 2:
                raise parameter_error("closure_range", name=label, value=repr(item))
            start, end = (as_date(p, name=label) for p in parts)
        elif isinstance(item, tuple | list) and not isinstance(item, str):
            if len(item) != 2:
                raise parameter_error("closure_pair", name=label, n=len(item))
            start, end = (as_date(p, name=label) for p in item)
        else:
            start = end = as_date(item, name=label)
        if end < start:
            raise parameter_error("closure_order", name=label, start=start, end=end)
        days.append(pd.date_range(start, end, freq="D"))
    if not days:
        return pd.DatetimeIndex([], name="date")
    out = days[0].append(days[1:]) if len(days) > 1 else days[0]
    return pd.DatetimeIndex(out.unique().sort_values(), name="date")


def _span(start: object, end: object) -> tuple[dt.date, dt.date]:
    """Return ``start`` and ``end`` as dates; ParameterError when the span ends before it starts."""
    first, last = as_date(start, name="start"), as_date(end, name="end")
    if last < first:
        raise ParameterError.from_catalog("workdays.error_end_before_start", end=last, start=first)
    return first, last


@lru_cache(maxsize=64)
def _holidays_of(country: str, subdiv: str | None, years: tuple[int, ...],
                 language: str | None) -> tuple[tuple[dt.date, str], ...]:
    try:
        found = _holidays.country_holidays(country, subdiv=subdiv, years=list(years), language=language)
    except NotImplementedError as exc:
        if subdiv is None:
            raise parameter_error("targets_country_calendar", value=repr(country), code=country) from None
        raise parameter_error("holidays_subdiv_calendar", subdiv=repr(subdiv), value=repr(country),
                              detail=str(exc)) from None
    return tuple(sorted(found.items()))


def holiday_table(start: object, end: object, *, country: str, subdiv: str | None = None,
                  lang: str = "en") -> pd.DataFrame:
    """Public holidays between two dates (both included).

    Parameters
    ----------
    start, end : date-like
        The span.
    country : str
        ISO 3166-1 alpha-2 country code (``"ES"``).
    subdiv : str, optional
        Subdivision code of that country (``"MD"`` for Madrid in Spain); national
        holidays only when None.
    lang : {"en", "es"}
        Language of the holiday names (falls back to the library's default when
        the country has no translation).

    Returns
    -------
    DataFrame
        ``date`` (datetime64), ``name`` (str), one row per day, sorted.
    """
    first, last = _span(start, end)
    country = check_country(country)
    years = tuple(range(first.year, last.year + 1))
    language = _LANGUAGES.get(lang)
    try:
        rows = _holidays_of(country, subdiv, years, language)
    except (ValueError, KeyError):  # language not available for this country
        rows = _holidays_of(country, subdiv, years, None)
    frame = pd.DataFrame(list(rows), columns=["date", "name"])
    frame["date"] = pd.to_datetime(frame["date"])
    keep = (frame["date"] >= pd.Timestamp(first)) & (frame["date"] <= pd.Timestamp(last))
    return frame.loc[keep].reset_index(drop=True)


def check_country(country: object) -> str:
    """``country`` stripped and upper case, when the holidays library has its calendar.

    Raises
    ------
    ParameterError
        Not a code, or no calendar for it, in the report language.
    """
    if not isinstance(country, str) or not country.strip():
        raise parameter_error("targets_country_empty", value=repr(country))
    code = country.strip().upper()
    try:
        _holidays.country_holidays(code)
    except NotImplementedError:
        raise parameter_error("targets_country_calendar", value=repr(code), code=code) from None
    return code


def day_calendar(start: object, end: object, *, country: str, subdiv: str | None = None,
                 closures: Iterable[Closure] | None = (), weekend: Sequence[int] = (5, 6),
                 lang: str = "en") -> pd.DataFrame:
    """Every day between two dates with its status.

    Parameters
    ----------
    start, end : date-like
        The span, both ends included.
    country : str
        ISO country code for the public-holiday calendar.
    subdiv : str, optional
        Subdivision (region/state) code whose holidays are added to the national ones.
    closures : iterable, optional
        Company closure days and ranges (see :func:`parse_closures`).
    weekend : sequence of int
        Weekdays off (Monday = 0); Saturday and Sunday by default.
    lang : {"en", "es"}
        Language of the holiday names.

    Returns
    -------
    DataFrame
        One row per day: ``date``, ``weekday`` (0-6), ``iso_year``, ``iso_week``,
        ``month`` (first day of the month), ``weekend`` (bool), ``holiday`` (the
        holiday's name, ``""`` when none), ``closed`` (company closure, bool) and
        ``working`` (bool: not weekend, not holiday, not closed).

    Examples
    --------
    >>> cal = day_calendar("2027-01-01", "2027-01-08", country="ES")
    >>> cal.loc[cal["working"], "date"].dt.day.tolist()
    [4, 5, 7, 8]
    """
    first, last = _span(start, end)
    weekend_set = set(weekend)
    if not weekend_set <= set(range(7)):
        raise ParameterError.from_catalog("workdays.error_weekend", value=repr(weekend))
    dates = pd.date_range(first, last, freq="D", name="date")
    hol = holiday_table(first, last, country=country, subdiv=subdiv, lang=lang)
    # several holidays can fall on one day: join their names
    names = hol.groupby("date", sort=True)["name"].agg("; ".join)
    holiday = names.reindex(dates, fill_value="").to_numpy(dtype=object)
    closed = dates.isin(parse_closures(closures))
    weekday = dates.weekday.to_numpy()
    is_weekend = np.isin(weekday, list(weekend_set))
    iso = dates.isocalendar()
    return pd.DataFrame({
        "date": dates,
        "weekday": weekday,
        "iso_year": iso["year"].to_numpy(dtype=np.int64),
        "iso_week": iso["week"].to_numpy(dtype=np.int64),
        "month": dates.to_period("M").to_timestamp(),
        "weekend": is_weekend,
        "holiday": holiday,
        "closed": closed,
        "working": ~is_weekend & (holiday == "") & ~closed,
    })


def working_days(start: object, end: object, *, country: str, subdiv: str | None = None,
                 closures: Iterable[Closure] | None = (), weekend: Sequence[int] = (5, 6)) -> pd.DatetimeIndex:
    """Return the working days between two dates (both included); see :func:`day_calendar`.

    Examples
    --------
    >>> len(working_days("2027-01-01", "2027-01-31", country="ES"))
    19
    """
    cal = day_calendar(start, end, country=country, subdiv=subdiv, closures=closures, weekend=weekend)
    return pd.DatetimeIndex(cal.loc[cal["working"], "date"], name="date")
