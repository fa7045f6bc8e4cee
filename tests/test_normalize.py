"""Name, phone and email keys for de-duplication."""

from __future__ import annotations

import pandas as pd
import pytest

from salesnb.normalize import normalize_email, normalize_name, normalize_phone


@pytest.mark.parametrize(("raw", "key"), [
    ("Muebles García, S.L.", "muebles garcia"),
    ("MUEBLES GARCIA SL", "muebles garcia"),
    ("muebles  garcía s.l.u.", "muebles garcia"),
    ("Hogar & Casa S.A.", "hogar y casa"),
    ("Peña Hermanos, Ltd.", "pena hermanos"),
    ("Sala", "sala"),
    ("", ""),
])
def test_names(raw: str, key: str) -> None:
    assert normalize_name(raw) == key


@pytest.mark.parametrize("raw", ["+34 912 345 678", "0034-912-345-678", "912345678", "34 912345678",
                                 "(+34) 912.345.678"])
def test_spanish_phones_agree(raw: str) -> None:
    assert normalize_phone(raw) == "+34912345678"


def test_foreign_phone_and_series() -> None:
    phones = pd.Series(["+44 20 7946 0958", None, "n/a"])
    assert normalize_phone(phones).tolist() == ["+442079460958", "", ""]


def test_emails() -> None:
    assert normalize_email(" Eva@Hogar.ES ") == "eva@hogar.es"
    assert normalize_email(pd.Series(["not an email", None])).tolist() == ["", ""]
