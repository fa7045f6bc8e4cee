"""Working days: weekends, public holidays from the holidays library, company closures."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from salesnb.errors import ParameterError
from salesnb.workdays import day_calendar, holiday_table, parse_closures, working_days


def test_spain_new_year_and_epiphany_are_not_working_days() -> None:
    days = working_days("2027-01-01", "2027-01-31", country="ES")
    assert pd.Timestamp("2027-01-01") not in days and pd.Timestamp("2027-01-06") not in days
    assert not (days.weekday >= 5).any()
    assert len(days) == 19  # 21 weekdays less two holidays


def test_calendar_columns_and_iso_weeks() -> None:
    cal = day_calendar("2026-12-28", "2027-01-10", country="ES")
    assert list(cal.columns) == ["date", "weekday", "iso_year", "iso_week", "month", "weekend", "holiday",
                                 "closed", "working"]
    first = cal.loc[cal["date"] == "2027-01-01"].iloc[0]
    assert (first["iso_year"], first["iso_week"]) == (2026, 53)  # 1 Jan 2027 is in the last ISO week of 2026
    assert first["holiday"] and not first["working"]
    assert cal.loc[cal["date"] == "2027-01-04", "iso_week"].item() == 1


def test_subdivision_adds_regional_holidays() -> None:
    national = working_days("2027-03-01", "2027-05-31", country="ES")
    madrid = working_days("2027-03-01", "2027-05-31", country="ES", subdiv="MD")
    assert pd.Timestamp("2027-03-19") in national and pd.Timestamp("2027-03-19") not in madrid
    assert pd.Timestamp("2027-05-03") not in madrid
    assert len(madrid) < len(national)


def test_holiday_names_in_report_language() -> None:
    es = holiday_table("2027-01-01", "2027-01-06", country="ES", lang="es")
    en = holiday_table("2027-01-01", "2027-01-06", country="ES", lang="en")
    assert es["name"].tolist() == ["Año Nuevo", "Epifanía del Señor"]
    assert en["name"].tolist() == ["New Year's Day", "Epiphany"]


def test_closures_single_days_ranges_and_pairs() -> None:
    closed = parse_closures(["2027-12-24", "2027-08-09/2027-08-11", ("2027-08-11", "2027-08-12"),
                             dt.date(2027, 12, 31), pd.Timestamp("2027-12-24")])
    assert closed.strftime("%m-%d").tolist() == ["08-09", "08-10", "08-11", "08-12", "12-24", "12-31"]
    assert parse_closures("2027-12-24").tolist() == [pd.Timestamp("2027-12-24")]
    assert parse_closures(None).empty and parse_closures([]).empty
    days = working_days("2027-08-01", "2027-08-31", country="ES", closures=closed)
    assert not days.isin(closed).any()
    cal = day_calendar("2027-08-09", "2027-08-09", country="ES", closures=closed)
    assert cal["closed"].item() and not cal["working"].item()


@pytest.mark.parametrize("bad", ["2027-13-01", "2027-08-20/2027-08-01", "a/b/c", ("2027-01-01",), 20270101])
def test_bad_closures_raise(bad: object) -> None:
    with pytest.raises(ParameterError, match="closures"):
        parse_closures([bad])


def test_unknown_country_or_subdivision_raises() -> None:
    with pytest.raises(ParameterError, match="holiday calendar"):
        working_days("2027-01-01", "2027-01-31", country="XX")
    with pytest.raises(ParameterError, match="subdivision"):
        working_days("2027-01-01", "2027-01-31", country="ES", subdiv="ZZ")


def test_custom_weekend_and_bad_span() -> None:
    friday_off = working_days("2027-01-04", "2027-01-10", country="ES", weekend=(4, 5, 6))
    assert friday_off.weekday.max() == 3
    with pytest.raises(ParameterError, match="'end'"):
        day_calendar("2027-02-01", "2027-01-01", country="ES")
    with pytest.raises(ParameterError, match="weekend"):
        day_calendar("2027-01-01", "2027-01-02", country="ES", weekend=(7,))
