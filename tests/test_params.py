"""salesnb.params: declared parameters, value checks, CLI values, validation helpers."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from salesnb import i18n
from salesnb import params as P
from salesnb.errors import ParameterError

NOTEBOOKS = Path(__file__).parent / "notebooks"


@pytest.fixture(autouse=True)
def _english():
    """Every test starts and ends in English."""
    i18n.set_language("en")
    yield
    i18n.set_language("en")

CELL = """\
data: str = "sample"  # dataset folder
horizon: int = 6  # months ahead
rate: float = 0.5  # a share
rep_id: str | None = None  # one rep, or None for the team
regions: list[str] = []  # region ids
options: dict = {}  # extra options
flags: dict[str, bool] | None = None  # named switches
maybe: Optional[int] = None  # old spelling
quoted: "int | None" = None  # a string annotation
lang: Literal["en", "es"] = "en"  # report language
show: bool = True  # a switch
anything: Any = None  # not checked beyond plain
plain_int = 3
plain_none = None
computed: int = 2 * 3  # not a literal
import os  # ignored
"""


@pytest.fixture
def declared() -> dict[str, P.Declared]:
    return P.parameters_from_source(CELL)


def check(declared: dict[str, P.Declared], **values: object) -> dict[str, object]:
    return P.check_params(values, declared, notebook="01_market_analysis.ipynb")


# ------------------------------------------------------------------- declared parameters


def test_parameters_from_source_reads_annotations_defaults_and_comments(declared):
    assert list(declared)[:3] == ["data", "horizon", "rate"]
    horizon = declared["horizon"]
    assert (horizon.annotation, horizon.default, horizon.comment) == ("int", 6, "months ahead")
    assert horizon.source == "horizon: int = 6"
    assert declared["plain_int"].annotation is None
    assert declared["computed"].default is P.MISSING
    assert "os" not in declared


def test_read_parameters_from_a_notebook_file():
    found = P.read_parameters(NOTEBOOKS / "ok.ipynb")
    assert list(found) == ["data", "lang", "period_end", "title", "horizon", "regions", "options"]
    assert found["period_end"].annotation == "str | None"


def test_read_parameters_without_parameters_cell_is_empty():
    assert P.read_parameters({"cells": [{"cell_type": "code", "source": "x = 1", "metadata": {}}]}) == {}


def test_read_parameters_reports_a_broken_cell():
    nb = {"cells": [{"cell_type": "code", "source": "x = = 1", "metadata": {"tags": ["parameters"]}}]}
    with pytest.raises(ParameterError, match="not valid Python"):
        P.read_parameters(nb)


# ---------------------------------------------------------------------------- checks


def test_wrong_type_message_names_notebook_parameter_expected_and_got(declared):
    with pytest.raises(ParameterError) as info:
        check(declared, horizon="6 months")
    assert str(info.value) == (
        "Parameter 'horizon' of 01_market_analysis.ipynb must be int "
        "(declared `horizon: int = 6`). Got '6 months' (str)."
    )


@pytest.mark.parametrize("value", [(1, 2), {1, 2}, frozenset(), b"x", object(), 1j, range(3)])
def test_values_that_are_not_plain_are_rejected(declared, value):
    with pytest.raises(ParameterError, match="plain value"):
        check(declared, anything=value)


def test_tuple_value_is_rejected_even_where_anything_goes(declared):
    # papermill writes a tuple's str() into the cell: code could ride in on it.
    with pytest.raises(ParameterError, match=r"Got \(1, 2\) \(tuple\)"):
        check(declared, anything=(1, 2))


def test_nested_bad_values_are_rejected_with_their_place(declared):
    with pytest.raises(ParameterError, match=r"key 'a', item 1, a tuple is not allowed"):
        check(declared, options={"a": [1, (2,)]})
    with pytest.raises(ParameterError, match="dict key 1 is not a str"):
        check(declared, options={1: "x"})
    with pytest.raises(ParameterError, match="NaN and infinity"):
        check(declared, options={"x": [math.inf]})


def test_nan_and_infinite_floats_are_rejected(declared):
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(ParameterError, match="NaN and infinity"):
            check(declared, rate=bad)


def test_str_subclass_is_rejected_without_calling_its_repr(declared):
    class Sneaky(str):
        def __repr__(self) -> str:  # would be written into the injected cell
            raise AssertionError("repr must not be called")

    with pytest.raises(ParameterError, match="<Sneaky object>"):
        check(declared, data=Sneaky("x"))


def test_self_containing_list_is_rejected(declared):
    loop: list = []
    loop.append(loop)
    with pytest.raises(ParameterError, match="contains itself"):
        check(declared, regions=loop)


@pytest.mark.parametrize(
    "name",
    ["x=1;import os", "__import__('os').system('x')#", "a b", "1abc", "", "class", "None", "__class__", "__builtins__"],
)
def test_names_that_could_carry_code_are_rejected(declared, name):
    with pytest.raises(ParameterError, match="not allowed"):
        P.check_params({name: 1}, declared, notebook="n.ipynb")


def test_non_string_name_is_rejected(declared):
    with pytest.raises(ParameterError, match="not allowed"):
        P.check_params({1: 1}, declared, notebook="n.ipynb")  # type: ignore[dict-item]


def test_unknown_name_is_rejected_with_the_declared_list(declared):
    expected = r"'horizn' is not declared by n.ipynb \(it declares: data, horizon"
    with pytest.raises(ParameterError, match=expected):
        P.check_params({"horizn": 6}, declared, notebook="n.ipynb")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("horizon", 12),
        ("rate", 1),  # float accepts int
        ("rate", 0.25),
        ("rep_id", None),  # X | None accepts None
        ("rep_id", "R07"),
        ("regions", ["N", "S"]),
        ("regions", []),
        ("options", {"a": [1, 2.5, None, True, {"b": "c"}]}),
        ("flags", {"x": True}),
        ("flags", None),
        ("maybe", None),
        ("maybe", 3),
        ("quoted", 4),
        ("lang", "es"),
        ("show", False),
        ("anything", {"k": [1, "x"]}),
        ("plain_int", 4),  # inferred from the default
        ("plain_none", "whatever"),
        ("computed", 7),  # annotated: checked even without a literal default
    ],
)
def test_values_that_match_their_declaration_pass(declared, name, value):
    assert check(declared, **{name: value}) == {name: value}


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("horizon", True, "int"),  # bool is not an int here
        ("horizon", 6.0, "int"),
        ("horizon", None, "int"),
        ("rate", "0.5", "float"),
        ("rate", False, "float"),
        ("rep_id", 7, r"str \| None"),
        ("regions", ["N", 1], r"list\[str\]"),
        ("regions", "N", r"list\[str\]"),
        ("options", [], "dict"),
        ("flags", {"x": 1}, r"dict\[str, bool\] \| None"),
        ("maybe", "3", r"int \| None"),
        ("quoted", "4", r"int \| None"),
        ("lang", "fr", "one of 'en', 'es'"),
        ("show", 1, "bool"),
        ("plain_int", "3", "int"),
    ],
)
def test_values_that_do_not_match_are_rejected(declared, name, value, expected):
    with pytest.raises(ParameterError, match=f"must be {expected} \\(declared"):
        check(declared, **{name: value})


def test_check_params_returns_declaration_order(declared):
    assert list(check(declared, rate=1.0, data="x", horizon=2)) == ["data", "horizon", "rate"]


plain = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@pytest.mark.slow
@given(plain)
def test_any_plain_value_passes(value):
    # the injected cell is papermill's: tests/test_report.py checks it reads back as any plain value
    P.check_plain(value, name="x")


# ---------------------------------------------------------------------------- CLI values


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("6", 6),
        ("-2.5", -2.5),
        ("true", True),
        ("null", None),
        ('"06"', "06"),
        ('["N", "S"]', ["N", "S"]),
        ('{"a": 1}', {"a": 1}),
        ("2026-10", "2026-10"),
        ("06", "06"),
        ("hello world", "hello world"),
        ("", ""),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("1e999", "1e999"),
        ("[1, NaN]", "[1, NaN]"),
        ("(1, 2)", "(1, 2)"),
    ],
)
def test_parse_cli_value(text, value):
    got = P.parse_cli_value(text)
    assert got == value and type(got) is type(value)


# ------------------------------------------------------------------ validation helpers


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-10", "2026-10-31"),
        ("2024-02", "2024-02-29"),
        ("2026-2", "2026-02-28"),
        ("2026-10-15", "2026-10-15"),
        (" 2026-10-15 ", "2026-10-15"),
        (dt.date(2026, 1, 31), "2026-01-31"),
        (dt.datetime(2026, 1, 31, 10, 5), "2026-01-31"),
    ],
)
def test_check_date_normalises(value, expected):
    assert P.check_date("period_end", value) == expected


@pytest.mark.parametrize("value", ["2026-13", "2026-02-30", "31/10/2026", "", None, 20261031])
def test_check_date_rejects(value):
    with pytest.raises(ParameterError, match="'period_end' parameter must be a date written YYYY-MM-DD"):
        P.check_date("period_end", value)


def test_check_lang():
    assert P.check_lang("lang", "ES") == "es"
    assert P.check_lang("lang", "es-ES") == "es"
    with pytest.raises(ParameterError, match=r"must be one of 'en', 'es'\. Got 'fr'"):
        P.check_lang("lang", "fr")
    with pytest.raises(ParameterError):
        P.check_lang("lang", None)


def test_check_int():
    assert P.check_int("h", 6) == 6
    assert P.check_int("h", 6.0) == 6
    assert P.check_int("h", " 6 ") == 6
    assert P.check_int("h", 3, min=1, max=3) == 3
    for bad in (True, 6.5, "six", None):
        with pytest.raises(ParameterError, match="'h' parameter must be a whole number"):
            P.check_int("h", bad)
    with pytest.raises(ParameterError, match=r"must be at least 1\. Got 0"):
        P.check_int("h", 0, min=1)
    with pytest.raises(ParameterError, match="at least 1 and at most 24"):
        P.check_int("h", 25, min=1, max=24)


def test_check_float():
    assert P.check_float("r", 1) == 1.0
    assert P.check_float("r", "0.5") == 0.5
    for bad in (True, "x", math.nan, "inf", None):
        with pytest.raises(ParameterError, match="'r' parameter must be a finite number"):
            P.check_float("r", bad)
    with pytest.raises(ParameterError, match="at most 1"):
        P.check_float("r", 1.5, max=1)


def test_check_choice_returns_the_value():
    assert P.check_choice("mode", "raise", ("reject", "raise")) == "raise"
    with pytest.raises(ParameterError, match="'mode' parameter must be one of"):
        P.check_choice("mode", "drop", ("reject", "raise"))


def test_check_data_resolves_sample_and_paths(tmp_path, monkeypatch):
    monkeypatch.setenv("SALESNB_HOME", str(tmp_path))
    (tmp_path / "data" / "sample").mkdir(parents=True)
    assert P.check_data("data", "sample") == str(tmp_path / "data" / "sample")
    assert P.check_data("data", str(tmp_path)) == str(tmp_path)
    with pytest.raises(ParameterError, match="does not exist"):
        P.check_data("data", str(tmp_path / "missing"))
    with pytest.raises(ParameterError, match="'sample' or a path"):
        P.check_data("data", 3)


def test_check_notebook_normalises_every_parameter(tmp_path):
    values = {"data": str(tmp_path), "lang": "ES", "period_end": "2026-10", "comparison": "ytd", "region": "",
              "category": "", "horizon": 6, "unrelated": (1,)}
    got = P.check_notebook(values, notebook="01_market_analysis")
    assert dict(got) == {
        "data": str(tmp_path),
        "lang": "es",
        "period_end": pd.Timestamp("2026-10-31"),
        "comparison": "ytd",
        "region": "",
        "category": "",
        "horizon": 6,
    }
    assert got.horizon == 6 and got["lang"] == "es"
    assert i18n.get_language() == "en"  # checking never changes the report language
    with pytest.raises(ParameterError, match="'x' debe ser un valor simple"):
        P.check_plain((1,), name="x", lang="es")
    with pytest.raises(ParameterError, match="'x' must be a plain value"):
        P.check_plain((1,), name="x")


def test_flags_read_papermills_words_the_same_in_every_notebook():
    assert P.check_bool("export", "false") is False and P.check_bool("export", " TRUE ") is True
    assert P.check_bool("export", False) is False
    for bad in ("yes", 1, None, "0"):
        with pytest.raises(ParameterError, match="'export' parameter must be True or False"):
            P.check_bool("export", bad)
    base = {"data": "sample", "lang": "en", "export_dir": ""}
    p02 = P.check_notebook({**base, "as_of": "2026-10-31", "mode": "auto", "capacity": None, "top_n": 5,
                            "export": "false", "mask_contacts": "true"}, notebook="02_lead_prioritization")
    p03 = P.check_notebook({**base, "year": 2027, "annual_target": None, "growth_pct": 8, "method": "growth",
                            "ramp_months": 3, "country": "", "closures": [], "overrides": {}, "export": "false"},
                           notebook="03_target_breakdown")
    assert p02.export is False and p03.export is False and p02.mask_contacts is True
