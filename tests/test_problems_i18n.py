"""Data-validation problems in the report language.

Every problem text (message, hint, rule, sheet name) comes from ``salesnb/locale/problems.json``;
English stays what ``salesnb validate`` always printed, and a Spanish page shows no English
problem text, also when the data is unusable and the notebook stops.
"""

from __future__ import annotations

import ast
import html
import re
from pathlib import Path

import pandas as pd
import pytest
from conftest import tiny_tables, write_tables

from salesnb import data, display, health, i18n
from salesnb import notebook as nb
from salesnb.errors import DataSourceError, DataValidationError
from salesnb.schema import TABLES

#: Words that only an English problem text would contain.
ENGLISH = re.compile(r"\b(Expected|got|missing|appears|row|column|Fix|Add|Write|sheet|PROBLEMS|Fatal|Rows)\b")


@pytest.fixture(autouse=True)
def _english():
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def _catalog_has(key: str) -> bool:
    return f"problems.{key}" in i18n.catalog()


def _broken(tmp_path: Path) -> Path:
    """A bad date in reps (row problem), no net_amount in orders and a repeated customer id (fatal)."""
    tables = tiny_tables()
    tables["reps"].loc[2, "hire_date"] = "2026-02-30"
    tables["orders"] = tables["orders"].drop(columns="net_amount")
    tables["customers"].loc[1, "customer_id"] = "C1"
    return write_tables(tables, tmp_path / "d")


def _by_rule(report: data.ValidationReport) -> dict[str, data.Problem]:
    return {p.rule: p for p in report.problems}


def test_row_problem_in_spanish_keeps_row_column_and_value(tmp_path: Path) -> None:
    problem = _by_rule(data.validate(_broken(tmp_path)))["date"]
    assert problem.message == "No such date: '2026-02-30'."  # English unchanged
    assert problem.hint == "Check day and month; the date does not exist in the calendar."
    assert problem.text("es") == "Esa fecha no existe: '2026-02-30'."
    assert problem.hint_text("es") == "Revise el día y el mes; esa fecha no existe en el calendario."
    assert problem.rule_text("es") == "fecha" and problem.rule_text() == "date"
    line = problem.to_text(lang="es")
    assert line.startswith("reps.csv, fila 4, columna 'hire_date': Esa fecha no existe")
    assert "Cómo corregirlo: Revise el día" in line and not ENGLISH.search(line)
    assert problem.to_text() == ("reps.csv, row 4, column 'hire_date': No such date: '2026-02-30'. "
                                 "Fix: Check day and month; the date does not exist in the calendar.")


def test_fatal_missing_column_and_duplicate_key_in_spanish(tmp_path: Path) -> None:
    problems = _by_rule(data.validate(_broken(tmp_path)))
    missing, duplicate = problems["missing column"], problems["primary key"]
    assert missing.message == "The required column 'net_amount' is missing."
    assert missing.hint == "Add a 'net_amount' column (float)."
    assert missing.text("es") == "Falta la columna obligatoria 'net_amount'."
    assert missing.hint_text("es") == "Añada una columna 'net_amount' (número)."
    assert missing.rule_text("es") == "columna ausente"
    assert duplicate.message == "The key 'C1' appears on more than one row."
    assert duplicate.text("es") == "La clave 'C1' aparece en más de una fila."
    assert duplicate.rule_text("es") == "clave única"
    for problem in (missing, duplicate):
        assert problem.fatal and not ENGLISH.search(problem.to_text(lang="es"))


def test_report_text_and_frame_in_spanish(tmp_path: Path) -> None:
    report = data.validate(_broken(tmp_path))
    text = report.to_text(lang="es")
    assert "PROBLEMAS: 3 grave(s) y 1 en filas." in text and "Graves:" in text and "En filas:" in text
    for problem in report.problems:
        assert problem.text("es") in text and problem.message not in text
    assert not ENGLISH.search(text.replace(str(report.source), ""))
    assert report.to_text() == str(report)  # English by default, as the CLI prints it
    frame = report.to_frame(lang="es")
    assert list(frame.columns) == list(report.to_frame().columns)
    assert set(frame["message"]) == {p.text("es") for p in report.problems}
    assert set(frame["rule"]) == {"fecha", "columna ausente", "clave única"}
    assert report.to_frame()["message"].tolist() == [p.message for p in report.problems]


@pytest.mark.slow
def test_workbook_sheets_notes_and_file_pairs_in_spanish(tmp_path: Path) -> None:
    book = tmp_path / "book.xlsx"
    with pd.ExcelWriter(book, engine="openpyxl") as writer:
        for name, frame in tiny_tables().items():
            frame.drop(columns="name" if name == "products" else []).to_excel(writer, sheet_name=name, index=False)
        pd.DataFrame({"nota": ["hola"]}).to_excel(writer, sheet_name="Notas", index=False)
    report = data.validate(book)
    [problem] = report.problems
    assert problem.file == "book.xlsx [sheet products]" and problem.file_text("es") == "book.xlsx [hoja products]"
    assert report.notices == ["book.xlsx [sheet Notas] is not a table of the contract and was ignored."]
    assert "nota: book.xlsx [hoja Notas] no es una tabla del contrato de datos" in report.to_text(lang="es")
    assert data.file_label("orders.csv", lang="es") == "orders.csv"

    folder = write_tables(tiny_tables(), tmp_path / "d")
    tiny_tables()["orders"].to_parquet(folder / "orders.parquet")
    [pair] = data.validate(folder).problems
    assert pair.file == "orders.csv and orders.parquet"
    assert pair.file_text("es") == "orders.csv y orders.parquet"
    assert pair.text("es") == "Hay dos archivos con la tabla 'orders': orders.csv y orders.parquet."


@pytest.mark.slow
def test_open_dataset_raises_in_the_report_language(tmp_path: Path) -> None:
    source = _broken(tmp_path)
    with pytest.raises(DataValidationError) as english:
        nb.open_dataset(str(source))
    assert str(english.value).startswith(f"The dataset at {source} cannot be used: 3 fatal problem(s).\n")
    assert str(english.value) == data.load_error_message(english.value.report)

    i18n.set_language("es")
    with pytest.raises(DataValidationError) as spanish:
        nb.open_dataset(str(source))
    message = str(spanish.value)
    assert message.startswith(f"El conjunto de datos de {source} no se puede usar: 3 problema(s) grave(s).\n")
    assert spanish.value.report.problems == english.value.report.problems
    assert "Falta la columna obligatoria 'net_amount'." in message
    assert not ENGLISH.search(message.replace(str(source), ""))

    rows_only = tiny_tables()
    rows_only["orders"].loc[0, "order_date"] = "ayer"
    rows_source = write_tables(rows_only, tmp_path / "rows")
    with pytest.raises(DataValidationError, match="tiene 1 problema"):
        nb.open_dataset(str(rows_source), on_bad_rows="raise")
    not_data = tmp_path / "notes.txt"
    not_data.write_text("hola")
    with pytest.raises(DataSourceError, match="Se esperaba una carpeta o un libro de Excel"):
        nb.open_dataset(str(not_data))


def test_missing_table_errors_in_the_report_language(tmp_path: Path) -> None:
    tables = tiny_tables()
    del tables["leads"]
    ds = data.load(write_tables(tables, tmp_path / "d"))
    with pytest.raises(data.MissingTableError) as english:
        ds["leads"]
    assert str(english.value).startswith(f"The dataset at {ds.source} has no 'leads' table, which leads, review need.")
    i18n.set_language("es")
    with pytest.raises(data.MissingTableError, match="no tiene la tabla 'leads', necesaria para: Priorización"):
        ds["leads"]
    with pytest.raises(data.MissingTableError, match="El análisis «Priorización de oportunidades» necesita"):
        data.require_tables(ds, ["leads"], analysis=i18n.t("datacheck.analysis_leads"))


def test_problems_table_and_rejected_rows_in_spanish(tmp_path: Path) -> None:
    tables = tiny_tables()
    tables["orders"].loc[0, "order_date"] = "ayer"
    source = write_tables(tables, tmp_path / "d")
    report = data.validate(source)
    [problem] = report.problems

    english = display.problems(report).data
    assert html.escape(problem.message) in english and ">date</td>" in english
    i18n.set_language("es")
    spanish = display.problems(report).data
    for text in (problem.text("es"), problem.hint_text("es")):
        assert html.escape(text) in spanish, text
    assert ">fecha</td>" in spanish and ">Regla</th>" in spanish
    assert html.escape(problem.message) not in spanish and html.escape(problem.hint) not in spanish

    ds = data.load(source, on_bad_rows="reject")
    assert ds.rejected_frame(lang="es")["message"].tolist() == [problem.text("es")]
    assert ds.rejected_frame().equals(ds.rejected)
    summary = health.rejected_summary(ds)
    assert summary[["rule", "hint"]].values.tolist() == [["fecha", problem.hint_text("es")]]


def _calls(tree: ast.AST, *names: str) -> list[ast.Call]:
    return [node for node in ast.walk(tree) if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in names]


def _constants(call: ast.Call, keyword: str) -> set[str] | None:
    """The literal values ``keyword=`` can take (``"a"``, ``"a" if x else "b"``); None without the keyword."""
    for kw in call.keywords:
        if kw.arg == keyword:
            options = [kw.value.body, kw.value.orelse] if isinstance(kw.value, ast.IfExp) else [kw.value]
            return {node.value for node in options if isinstance(node, ast.Constant)}
    return None


@pytest.mark.slow
def test_every_problem_text_of_the_loader_is_in_the_catalog() -> None:
    """Fails when someone adds a message to salesnb/data/ without both languages in problems.json."""
    modules = sorted(Path(data.__file__).parent.glob("*.py"))
    tree = ast.Module(body=[node for path in modules for node in ast.parse(path.read_text(encoding="utf-8")).body],
                      type_ignores=[])
    assert len(_calls(tree, "Problem")) == 1, "build problems with make_problem(..., key=...), not Problem(...)"
    problem_calls = _calls(tree, "make_problem", "flag", "fatal")
    keys = set().union(*(_constants(call, "key") or set() for call in problem_calls))
    assert len(keys) >= 30
    for call in problem_calls:
        hints = _constants(call, "hint")
        for key in _constants(call, "key") or ():
            assert _catalog_has(f"msg_{key}"), key
            assert hints is not None or _catalog_has(f"hint_{key}"), key  # the hint defaults to the key
        for hint in hints or ():
            assert _catalog_has(f"hint_{hint}"), hint
        rule = call.args[5 if call.func.id == "make_problem" else 1] if len(call.args) > 1 else None
        if isinstance(rule, ast.Constant):
            assert rule.value in data.RULES, rule.value
    for call in _calls(tree, "add_notice"):
        [key] = _constants(call, "key")
        assert _catalog_has(f"note_{key}"), key
    texts = {node.args[0].value for node in _calls(tree, "problem_text")
             if node.args and isinstance(node.args[0], ast.Constant)}
    texts |= {node.args[0].value.removeprefix("problems.") for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr == "from_catalog" and isinstance(node.args[0], ast.Constant)}
    texts |= {f"text_{node.args[0].value}" for node in _calls(tree, "tr")
              if node.args and isinstance(node.args[0], ast.Constant)}
    assert texts and all(_catalog_has(key) for key in texts), texts - {k for k in texts if _catalog_has(k)}

    # keys built at run time: rule names, the add-column hint per dtype, the schema's cross-column rules
    for rule, key in data.RULES.items():
        assert i18n.t(key, lang="en") == rule and i18n.t(key, lang="es") != rule
    dtypes = {col.dtype for contract in TABLES.values() for col in contract.columns}
    assert all(_catalog_has(f"hint_add_column_{dtype}") for dtype in dtypes)
    for contract in TABLES.values():
        for rule in contract.rules:
            key = f"problems.hint_order_{contract.name}_{rule.left}_{rule.right}"
            assert i18n.t(key, lang="en") == rule.hint, key  # the same sentence as the schema and docs/DATA.md


def test_problem_texts_have_both_languages_and_the_same_fields() -> None:
    entries = {k: v for k, v in i18n.catalog().items() if k.startswith("problems.")}
    assert len(entries) > 100
    for key, texts in entries.items():
        assert i18n.placeholders(texts["en"]) == i18n.placeholders(texts["es"]), key
        if not key.startswith("problems.text_"):  # "Dataset: {source}" and the like are short on purpose
            assert texts["en"] != texts["es"], key


@pytest.mark.slow
def test_spanish_data_check_page_on_unusable_data(tmp_path: Path) -> None:
    """One real notebook run in Spanish: the problems table and the error line are Spanish."""
    from salesnb.report import run_pack

    source = _broken(tmp_path)
    pack = run_pack(["00_data_check"], data=str(source), out=tmp_path / "out", lang="es", timeout=120,
                    progress=False)
    [result] = pack.results
    assert not result.ok and "DataValidationError" in (result.error or "")
    assert "no se puede usar" in result.error
    page = Path(result.html_path).read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)))
    assert "Traceback" not in text
    assert "DataValidationError: El conjunto de datos de" in text
    for problem in data.validate(source).problems:
        assert problem.text("es") in text and problem.hint_text("es") in text, problem.key
        assert problem.message not in text and problem.hint not in text, problem.key
    for english in ("The dataset at", "cannot be used", "Fix:", "PROBLEMS"):
        assert english not in text
