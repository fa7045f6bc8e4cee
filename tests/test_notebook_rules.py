"""The notebook rules of docs/ARCHITECTURE.md, checked on every notebook in notebooks/.

Committed without outputs; exactly one ``parameters`` cell of typed, commented literals;
the validation cell right after it makes the one call ``params.check_notebook``; the
rules table and the parameters cell name the same parameters; no ``def`` or class;
short code cells; narrative in both languages.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from salesnb import params
from salesnb.config import notebooks_dir
from salesnb.params.rules import Delegate

NOTEBOOKS = sorted(notebooks_dir().glob("*.ipynb"))
MAX_CODE_LINES = 12  # "about ten lines": longer logic belongs in salesnb/ with a test


def _code_cells(path: Path) -> list[dict]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return [c for c in nb["cells"] if c["cell_type"] == "code"]


def _source(cell: dict) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else src


def test_there_are_notebooks_with_rules() -> None:
    assert [p.stem for p in NOTEBOOKS] == sorted(params.NOTEBOOK_RULES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in _code_cells(path):
        assert cell.get("outputs") == [] and cell.get("execution_count") is None, _source(cell)[:60]
    assert "widgets" not in nb.get("metadata", {}), "widget state is an output too"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell_of_typed_commented_literals(path: Path) -> None:
    cells = _code_cells(path)
    tagged = [i for i, c in enumerate(cells) if "parameters" in c["metadata"].get("tags", [])]
    assert tagged == [0], "the first code cell, and only it, is tagged parameters"
    source = _source(cells[0])
    declared = params.parameters_from_source(source)
    for stmt in ast.parse(source).body:
        assert isinstance(stmt, ast.AnnAssign), f"not `name: type = value`: {ast.unparse(stmt)}"
        ast.literal_eval(stmt.value)  # a literal, nothing computed
    for decl in declared.values():
        assert decl.annotation, decl.name
        assert decl.comment, f"{decl.name} has no trailing comment saying what it is"
    assert set(declared) == set(params.rules_of(path.stem)), "parameters cell and rules table disagree"
    assert {"data", "lang"} <= set(declared)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_validation_cell_makes_the_one_call(path: Path) -> None:
    source = _source(_code_cells(path)[1])
    calls = [n for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)]
    checks = [c for c in calls if ast.unparse(c.func) == "params.check_notebook"]
    assert len(checks) == 1, "the cell after the parameters cell calls params.check_notebook once"
    assert ast.unparse(checks[0]) == f"params.check_notebook(globals(), notebook={path.stem!r})"
    forbidden = {"check_int", "check_float", "check_choice", "check_date", "validate_notebook_params"}
    assert not {ast.unparse(c.func).rsplit(".", 1)[-1] for c in calls} & forbidden


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_code_cells_are_short_calls(path: Path) -> None:
    for cell in _code_cells(path):
        source = _source(cell)
        tree = ast.parse(source)
        kinds = {type(n) for n in ast.walk(tree)}
        assert not kinds & {ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda}, source[:80]
        lines = [ln for ln in source.splitlines() if ln.strip()]
        assert len(lines) <= MAX_CODE_LINES, f"{len(lines)} lines: move it into salesnb/\n{source[:200]}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_narrative_in_both_languages(path: Path) -> None:
    nb = json.loads(path.read_text(encoding="utf-8"))
    tags = [tuple(c["metadata"].get("tags", [])) for c in nb["cells"] if c["cell_type"] == "markdown"]
    assert tags.count(("lang-en",)) == tags.count(("lang-es",)) > 0


def test_every_delegated_rule_names_a_real_check() -> None:
    for stem, rules in params.NOTEBOOK_RULES.items():
        for name, rule in rules.items():
            if isinstance(rule, Delegate):
                assert callable(rule.function()), f"{stem}.{name}: {rule.target}"
