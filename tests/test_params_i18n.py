"""Notebook parameter errors in the report language (``salesnb/locale/params.json``).

English messages stay exactly what they were; with the report language set to
Spanish the same checks say, in Spanish, which parameter is wrong, what it must be
and what came.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from salesnb import config, i18n, market, params
from salesnb.data import load
from salesnb.errors import ParameterError
from salesnb.review import check_weights, period_range

CATALOG = config.PACKAGE_DIR / "locale" / "params.json"


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def _error(call, *args, **kwargs) -> str:
    with pytest.raises(ParameterError) as info:
        call(*args, **kwargs)
    return str(info.value)


# ------------------------------------------------------------------------------ catalog


def test_every_key_has_english_and_spanish_with_the_same_fields() -> None:
    entries = json.loads(CATALOG.read_text(encoding="utf-8"))
    assert len(entries) > 30
    for key, texts in entries.items():
        assert set(texts) == {"en", "es"}, key
        assert i18n.placeholders(texts["en"]) == i18n.placeholders(texts["es"]), key
        assert texts["es"].strip() and texts["es"] != texts["en"], key
    assert "params.choice" in i18n.catalog()  # i18n loads the file like every other domain


def test_every_key_the_code_uses_is_in_the_catalog() -> None:
    entries = json.loads(CATALOG.read_text(encoding="utf-8"))
    used: set[str] = set()
    for path in config.PACKAGE_DIR.rglob("*.py"):
        used |= set(re.findall(r'(?:parameter_error|message)\(\s*"(\w+)"', path.read_text(encoding="utf-8")))
    # keys built at run time: _check_bounds, market.filter_orders and the overrides levels of targets.breakdown
    used |= {f"{kind}_{bounds}" for kind in ("int", "float") for bounds in ("range", "min", "max")}
    used |= {"region_not_found", "category_not_found", "overrides_level_rep", "overrides_level_region"}
    assert len(used) > 30
    assert used <= set(entries), sorted(used - set(entries))


def test_message_falls_back_to_the_report_language() -> None:
    assert i18n.get_language() == "en"
    assert params.message("bool", name="export", value="'yes'").startswith("The 'export' parameter")
    i18n.set_language("es")
    assert params.message("bool", name="export", value="'yes'").startswith("El parámetro 'export'")
    assert params.message("bool", lang="en", name="export", value="'yes'").startswith("The 'export' parameter")


# ---------------------------------------------------------------- English is unchanged


def test_english_messages_are_unchanged() -> None:
    assert _error(params.check_int, "horizon", 99, min=1, max=24) == (
        "The 'horizon' parameter must be at least 1 and at most 24. Got 99.")
    assert _error(params.check_choice, "comparison", "decade", market.COMPARISONS).startswith(
        "The 'comparison' parameter must be one of ")
    assert _error(params.check_choice, "mode", "magic", ("auto", "rules")) == (
        "The 'mode' parameter must be one of 'auto', 'rules'. Got 'magic' instead.")
    assert _error(params.check_date, "period_end", "2026-13-01") == (
        "The 'period_end' parameter must be a date written YYYY-MM-DD, or YYYY-MM for the last day of that "
        "month. Got '2026-13-01'.")
    assert _error(params.check_float, "growth", "x") == "The 'growth' parameter must be a finite number. Got 'x' (str)."
    assert _error(check_weights, {"target": -1}) == (
        "The weight of 'target' must be a non-negative number. Got -1 instead.")
    assert _error(period_range, "decade", "2026-10-31") == (
        "The 'period' parameter must be one of 'week', 'month', 'quarter', 'year', 'custom' or a start date "
        "YYYY-MM-DD. Got 'decade' instead.")
    assert _error(params.check_plain, {"a": [1, (2,)]}, name="x") == (
        "Parameter 'x' must be a plain value (str, int, float, bool, None, list or dict). "
        "Got {'a': [1, (2,)]} (dict): key 'a', item 1, a tuple is not allowed.")


# --------------------------------------------------------------------- Spanish messages


@pytest.mark.parametrize(
    ("call", "args", "kwargs", "expected"),
    [
        (params.check_int, ("horizon", 99), {"min": 1, "max": 24},
         "El parámetro 'horizon' debe ser un entero entre 1 y 24; se recibió 99."),
        (params.check_int, ("top_n", 0), {"min": 1},
         "El parámetro 'top_n' debe ser un entero mayor o igual que 1; se recibió 0."),
        (params.check_int, ("year", "soon"), {},
         "El parámetro 'year' debe ser un número entero; se recibió 'soon' (str)."),
        (params.check_float, ("growth", 11), {"min": -0.99, "max": 10},
         "El parámetro 'growth' debe ser un número entre -0.99 y 10; se recibió 11.0."),
        (params.check_float, ("annual_target", float("inf")), {"min": 0},
         "El parámetro 'annual_target' debe ser un número finito; se recibió inf (float)."),
        (params.check_choice, ("on_bad_rows", "skip", ("reject", "raise")), {},
         "El parámetro 'on_bad_rows' debe ser uno de estos valores: 'raise', 'reject'; se recibió 'skip'."),
        (params.check_date, ("period_end", "2026-13-01"), {},
         "El parámetro 'period_end' debe ser una fecha con el formato AAAA-MM-DD, o AAAA-MM para el último día "
         "de ese mes; se recibió '2026-13-01'."),
        (params.check_data, ("data", 3), {}, "El parámetro 'data' debe ser 'sample' o una ruta; se recibió 3."),
        (check_weights, ({"target": -1},), {},
         "En el parámetro 'weights', el peso de 'target' debe ser un número mayor o igual que 0; se recibió -1."),
        (period_range, ("decade", "2026-10-31"), {},
         "El parámetro 'period' debe ser uno de estos valores: 'week', 'month', 'quarter', 'year', 'custom', "
         "o una fecha de inicio AAAA-MM-DD; se recibió 'decade'."),
    ],
)
def test_spanish_messages_name_parameter_expected_and_received(call, args, kwargs, expected) -> None:
    i18n.set_language("es")
    assert _error(call, *args, **kwargs) == expected


def test_spanish_choice_lists_the_choices() -> None:
    i18n.set_language("es")
    text = _error(params.check_choice, "comparison", "decade", market.COMPARISONS)
    assert text.startswith("El parámetro 'comparison' debe ser uno de estos valores: ")
    assert "'ytd'" in text and text.endswith("; se recibió 'decade'.")


def test_spanish_weights_and_nested_plain_values() -> None:
    i18n.set_language("es")
    assert _error(check_weights, {"atainment": 1}).startswith(
        "El parámetro 'weights' incluye KPI desconocidos: 'atainment'; los nombres válidos son target, ")
    assert _error(check_weights, [1]) == (
        "El parámetro 'weights' debe ser un diccionario de nombre de KPI a peso; se recibió un valor de tipo list.")
    assert _error(params.check_plain, {"a": [1, float("nan")]}, name="weights") == (
        "El parámetro 'weights' debe ser un valor simple (str, int, float, bool, None, list o dict); "
        "se recibió {'a': [1, nan]} (dict): clave 'a', elemento 1, no se admiten NaN ni infinito.")


def test_the_notebook_language_speaks_in_its_checks_without_becoming_the_report_language() -> None:
    # a notebook's validation cell: the lang parameter chooses the language of every message
    values = {"data": "sample", "lang": "es", "period_end": "2026-13-01", "comparison": "ytd", "region": "",
              "category": "", "horizon": 6}
    with pytest.raises(ParameterError, match=r"^El parámetro 'period_end' debe ser una fecha"):
        params.check_notebook(values, notebook="01_market_analysis")
    assert i18n.get_language() == "en"  # passed, not set: nb.setup(lang=...) sets it
    assert _error(params.check_int, "horizon", 99, min=1, max=24, lang="es").startswith("El parámetro 'horizon'")


def test_a_bad_language_is_reported_in_english() -> None:
    values = {"data": "sample", "lang": "fr", "period_end": "2026-13-01", "comparison": "ytd", "region": "",
              "category": "", "horizon": 6}
    text = _error(params.check_notebook, values, notebook="01_market_analysis")
    assert text.splitlines()[0] == "2 parameters of 01_market_analysis are wrong:"
    assert "- The 'lang' parameter must be one of 'en', 'es'. Got 'fr'." in text.splitlines()


def test_lead_notebook_parameters_in_spanish() -> None:
    common = {"data": "sample", "lang": "es", "as_of": "2026-10-31", "mode": "auto", "capacity": None,
              "top_n": 10, "export": False, "export_dir": "", "mask_contacts": True}

    def check(**changed: object) -> str:
        return _error(params.check_notebook, common | changed, notebook="02_lead_prioritization")

    assert check(mode="magic") == (
        "El parámetro 'mode' debe ser uno de estos valores: 'auto', 'bayes', 'model', 'rules'; se recibió 'magic'.")
    assert check(export="yes") == (
        "El parámetro 'export' debe ser True o False; se recibió 'yes'.")
    assert check(capacity=-1) == (
        "El parámetro 'capacity' debe ser un entero mayor o igual que 0; se recibió -1.")


def test_market_filters_in_spanish(tiny_dir: Path) -> None:
    enriched = market.enrich_orders(load(tiny_dir))
    assert _error(market.filter_orders, enriched, region="Atlantis") == (
        "The 'region' parameter must be empty (all) or one of the dataset's regions (Andalucía). "
        "Got 'Atlantis' instead.")
    i18n.set_language("es")
    assert _error(market.filter_orders, enriched, region="Atlantis") == (
        "El parámetro 'region' debe estar vacío (todas) o ser una de las regiones de los datos (Andalucía); "
        "se recibió 'Atlantis'.")
    assert _error(market.filter_orders, enriched, category="Juguetes") == (
        "El parámetro 'category' debe estar vacío (todas) o ser una de las categorías de los datos "
        "(Oficina, Sofás); se recibió 'Juguetes'.")


@pytest.mark.slow
def test_the_runner_side_stays_standard_library_and_english() -> None:
    code = ("import sys; from salesnb import params\n"
            "try:\n    params.check_int('horizon', 99, min=1, max=24)\n"
            "except Exception as exc:\n    print(exc)\n"
            "print('pandas' in sys.modules, 'salesnb.i18n' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["The 'horizon' parameter must be at least 1 and at most 24. Got 99.", "False False"]


# ------------------------------------------------------------------------ end to end


def test_the_runner_refuses_a_bad_parameter_before_any_kernel_in_the_pack_language(tmp_path: Path) -> None:
    from salesnb.report import run_pack

    expected = "El parámetro 'horizon' debe ser un entero entre 1 y 24; se recibió 99."
    with pytest.raises(ParameterError) as info:
        run_pack(["01_market_analysis"], data="sample", lang="es", params={"horizon": 99}, out=tmp_path,
                 jobs=1, progress=False)
    assert str(info.value) == expected
    assert not list(tmp_path.iterdir())  # no pack, not even a partial one


@pytest.mark.slow
def test_a_spanish_page_run_by_papermill_shows_the_parameter_error_in_spanish(tmp_path: Path) -> None:
    import papermill

    out = tmp_path / "out.ipynb"
    with pytest.raises(papermill.PapermillExecutionError) as info:
        papermill.execute_notebook(str(config.notebooks_dir() / "01_market_analysis.ipynb"), str(out),
                                   parameters={"lang": "es", "horizon": 99}, cwd=str(tmp_path), progress_bar=False)
    assert info.value.ename == "ParameterError"
    assert info.value.evalue == "El parámetro 'horizon' debe ser un entero entre 1 y 24; se recibió 99."
