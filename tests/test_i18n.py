"""Language catalog and locale formatting."""

from __future__ import annotations

import datetime as dt

import pytest

from salesnb import i18n
from salesnb.errors import ParameterError, SalesnbError


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def test_every_text_has_both_languages_with_the_same_fields() -> None:
    for key, texts in i18n.catalog().items():
        assert set(texts) == {"en", "es"}, key
        assert i18n.placeholders(texts["en"]) == i18n.placeholders(texts["es"]), key
        assert texts["en"].strip() and texts["es"].strip(), key


def test_lookup_and_fill() -> None:
    assert i18n.t("common.more_rows", n=3) == "3 more rows not shown."
    assert i18n.t("common.more_rows", n=3, lang="es") == "3 filas más no se muestran."
    i18n.set_language("es")
    assert i18n.t("common.total") == "Total"
    with pytest.raises(SalesnbError, match="needs values"):
        i18n.t("common.more_rows")
    with pytest.raises(SalesnbError, match="No text"):
        i18n.t("common.nope")


def test_data_values_are_never_templates() -> None:
    hostile = "{0.__class__.__mro__}"
    assert i18n.t("common.more_rows", n=hostile) == f"{hostile} more rows not shown."


def test_numbers_money_percent_dates_per_language() -> None:
    assert i18n.fmt_number(1234567.891) == "1,234,568"
    assert i18n.fmt_number(1234567.891, lang="es") == "1.234.568"
    assert i18n.fmt_number(1234.5, decimals=1, lang="es") == "1.234,5"
    assert i18n.fmt_money(1234.4, "EUR") == "€1,234"
    assert i18n.fmt_money(1234.4, "EUR", lang="es") == "1.234\u00a0€"
    assert i18n.fmt_pct(0.1234) == "12.3%"
    assert i18n.fmt_pct(0.1234, lang="es", signed=True) == "+12,3\u00a0%"
    assert i18n.fmt_date(dt.date(2026, 10, 31), lang="es") == "31 oct 2026"
    assert i18n.fmt_date("2026-10-31") == "Oct 31, 2026"
    assert i18n.month_name(8, lang="es") == "Agosto"
    assert i18n.fmt_number(float("nan")) == i18n.fmt_money(None) == "–"


def test_bad_language() -> None:
    with pytest.raises(ParameterError, match="'lang' parameter must be one of"):
        i18n.set_language("fr")
