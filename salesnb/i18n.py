"""Report language and locale formatting.

Text lives in ``salesnb/locale/<domain>.json`` files, one per domain (``common``,
``market``, ``leads`` ...), each mapping a key to its English and Spanish text::

    {"headline.sales": {"en": "Sales {period}", "es": "Ventas {period}"}}

and is looked up as ``t("market.headline.sales", period=...)``. Templates come only
from these files: data values are passed as arguments, never used as templates,
so a customer called ``{0.__class__}`` is just text.

Numbers, money, percentages and dates are formatted with Babel for the report
language (``en`` -> en_US conventions, ``es`` -> es_ES), so a page never mixes
``1,234.5`` and ``1.234,5``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from typing import Any

import pandas as pd
from babel.dates import format_date as _babel_date
from babel.numbers import format_currency as _babel_currency
from babel.numbers import format_decimal as _babel_decimal

from salesnb import catalog as _catalog
from salesnb.catalog import catalog, get_language, placeholders
from salesnb.config import LANGUAGES
from salesnb.errors import ParameterError, SalesnbError

__all__ = [
    "catalog",
    "fmt_date",
    "fmt_money",
    "fmt_number",
    "fmt_pct",
    "get_language",
    "locale_of",
    "month_name",
    "placeholders",
    "set_language",
    "t",
]

LOCALES = {"en": "en_US", "es": "es_ES"}
_MISSING = "–"


def _lang(lang: str | None) -> str:
    """Return ``lang``, or the current language when None; ParameterError for an unknown one."""
    try:
        return _catalog.resolve_language(lang)
    except ValueError:
        allowed = ", ".join(repr(code) for code in LANGUAGES)
        raise ParameterError.from_catalog("params.lang", lang="en", name="lang", allowed=allowed,
                                          value=repr(lang)) from None


def set_language(lang: str) -> str:
    """Set the report language of this process and return it.

    Parameters
    ----------
    lang : {"en", "es"}
        The language of every text, number and date without an explicit ``lang``.

    Returns
    -------
    str

    Raises
    ------
    ParameterError
        When ``lang`` is not a report language.
    """
    return _catalog.set_language(_lang(lang))


def locale_of(lang: str | None = None) -> str:
    """Return the Babel locale of a report language (the current one by default)."""
    return LOCALES[_lang(lang)]


def t(key: str, *, lang: str | None = None, **values: Any) -> str:
    """Return the text for ``key`` in the report language (see :func:`salesnb.catalog.text`).

    Parameters
    ----------
    key : str
        ``domain.key`` as in ``salesnb/locale/<domain>.json``.
    lang : {"en", "es"}, optional
        Defaults to the current language (:func:`set_language`).
    **values
        Filled into the template's ``{fields}``; they are converted with ``str``.

    Returns
    -------
    str
    """
    try:
        return _catalog.text(key, lang=_lang(lang), **values)
    except KeyError as exc:
        raise SalesnbError(exc.args[0]) from None


def _is_missing(value: object) -> bool:
    if value is None or value is pd.NaT or value is pd.NA:
        return True
    return isinstance(value, float) and not math.isfinite(value)


def fmt_number(value: float | int | None, *, decimals: int = 0, lang: str | None = None) -> str:
    """Return a number with the language's grouping and decimal marks (``1.234,5`` in es)."""
    if _is_missing(value):
        return _MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    return _decimal_text(repr(round(float(value), decimals)), pattern, locale_of(lang))


#: Texts of numbers, amounts and dates memoised per process: the pages of a pack format
#: the same figures (a ranking of every rep, the team's totals) again and again.
_MEMO = 1 << 16


@functools.lru_cache(maxsize=_MEMO)
def _decimal_text(value: str, pattern: str, locale: str) -> str:
    """Return Babel's text of a number given as the ``repr`` of a float (``-0.0`` and ``nan`` kept apart)."""
    return _babel_decimal(float(value), format=pattern, locale=locale, decimal_quantization=True)


@functools.lru_cache(maxsize=_MEMO)
def _currency_text(value: str, currency: str, pattern: str, locale: str) -> str:
    """Return Babel's text of an amount given as the ``repr`` of a float."""
    return _babel_currency(float(value), currency, format=pattern, locale=locale, currency_digits=False)


@functools.lru_cache(maxsize=_MEMO)
def _date_text(date: dt.date, format: str, locale: str) -> str:
    """Return Babel's text of a date."""
    return _babel_date(date, format=format, locale=locale)


def fmt_money(value: float | int | None, currency: str = "EUR", *, decimals: int = 0,
              lang: str | None = None) -> str:
    """Return an amount of money, e.g. ``1.234 €`` (es) or ``€1,234`` (en)."""
    if _is_missing(value):
        return _MISSING
    loc = locale_of(lang)
    pattern = ("#,##0" + ("." + "0" * decimals if decimals > 0 else ""))
    pattern = f"{pattern}\u00a0¤" if _lang(lang) == "es" else f"¤{pattern}"
    return _currency_text(repr(round(float(value), decimals)), currency, pattern, loc)


def fmt_pct(value: float | None, *, decimals: int = 1, signed: bool = False,
            lang: str | None = None) -> str:
    """Return a fraction as a percentage: ``0.123`` -> ``12.3%`` (en) / ``12,3 %`` (es)."""
    if _is_missing(value):
        return _MISSING
    text = fmt_number(100 * float(value), decimals=decimals, lang=lang)
    if signed and float(value) > 0:
        text = "+" + text
    return f"{text}\u00a0%" if _lang(lang) == "es" else f"{text}%"


def fmt_date(value: Any, *, format: str = "medium", lang: str | None = None) -> str:
    """Return a date in the language's style (``31 oct 2026`` / ``Oct 31, 2026``).

    ``format`` is a Babel format name (short, medium, long) or pattern (``"LLLL y"``).
    """
    if _is_missing(value):
        return _MISSING
    date = pd.Timestamp(value).date() if not isinstance(value, dt.date) else value
    return _date_text(date, format, locale_of(lang))


def month_name(month: int, *, width: str = "wide", lang: str | None = None) -> str:
    """Stand-alone month name, capitalised (``Octubre``, ``October``; ``abbreviated`` -> ``Oct``)."""
    pattern = {"wide": "LLLL", "abbreviated": "LLL"}[width]
    text = _babel_date(dt.date(2000, int(month), 1), format=pattern, locale=locale_of(lang))
    return text[:1].upper() + text[1:].rstrip(".")
