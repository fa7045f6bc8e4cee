"""What a notebook declares and what a run may inject (standard library only).

* read the parameters a notebook declares: its one cell tagged ``parameters``,
  parsed with :mod:`ast` (``name: type = literal  # comment`` or ``name = literal``);
* check the values a run wants to inject (:func:`check_params`): names must be
  declared identifiers, values plain literals (``str``, ``int``, ``float``, ``bool``,
  ``None``, ``list``, ``dict``; nested ones too) that match the declared type;
* write them as the source of an injected cell (:func:`to_source`).
"""

from __future__ import annotations

import ast
import json
import keyword
import math
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salesnb.catalog import get_language
from salesnb.params.checks import message, parameter_error, show_value

__all__ = [
    "MISSING",
    "Declared",
    "check_name",
    "check_params",
    "check_plain",
    "parameters_from_source",
    "parameters_source",
    "parse_cli_value",
    "read_parameters",
    "to_source",
]

#: Marker for a declared parameter without a literal default.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()

_MAX_DEPTH = 32


@dataclass(frozen=True)
class Declared:
    """One parameter declared in a notebook's ``parameters`` cell.

    Attributes
    ----------
    name : str
        The variable name.
    annotation : str or None
        The type hint as written (``"int | None"``), or None when there is none.
    default : object
        The literal default, or :data:`MISSING` when it is not a literal.
    source : str
        The declaration without its comment (``"horizon: int = 6"``).
    comment : str
        The trailing comment, without ``#`` (empty when there is none).
    """

    name: str
    annotation: str | None
    default: Any
    source: str
    comment: str = ""

    @property
    def expected(self) -> str:
        """The expected type in words (``"int"``, ``"str | None"``, ``"one of 'en', 'es'"``)."""
        node = self._annotation_node()
        return _describe(node) if node is not None else "any plain value"

    def accepts(self, value: object) -> bool:
        """Whether ``value`` (already known to be plain) matches the declared type."""
        node = self._annotation_node()
        return True if node is None else _matches(value, node)

    def _annotation_node(self) -> ast.expr | None:
        if self.annotation is not None:
            return _parse_annotation(self.annotation)
        return _infer_annotation(self.default)


def parse_cli_value(text: str) -> Any:
    """Turn a command-line parameter value into a Python value.

    Parameters
    ----------
    text : str
        The text after ``-p NAME``.

    Returns
    -------
    object
        The JSON value when ``text`` parses as JSON (numbers, ``true``/``false``/``null``,
        quoted strings, lists, objects), else ``text`` unchanged. Non-finite numbers
        (``NaN``, ``Infinity``, ``1e999``) are not JSON here and stay text.

    Examples
    --------
    >>> parse_cli_value("6"), parse_cli_value("2026-10"), parse_cli_value('["N", "S"]')
    (6, '2026-10', ['N', 'S'])
    """

    def _finite(token: str) -> float:
        number = float(token)
        if not math.isfinite(number):
            raise ValueError(token)
        return number

    def _no_constants(token: str) -> float:
        raise ValueError(token)

    try:
        return json.loads(text, parse_float=_finite, parse_constant=_no_constants)
    except ValueError:
        return text


def read_parameters(notebook: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Declared]:
    """Return the parameters a notebook declares in its cell tagged ``parameters``.

    Parameters
    ----------
    notebook : path or mapping
        An ``.ipynb`` file, or a notebook already loaded as a dict (nbformat 4).

    Returns
    -------
    dict of str to Declared
        In declaration order; empty when the notebook has no ``parameters`` cell.

    Raises
    ------
    ParameterError
        When the file cannot be read as a notebook or the cell is not valid Python.
    """
    if isinstance(notebook, Mapping):
        nb, label = notebook, "the notebook"
    else:
        path = Path(notebook)
        label = path.name
        try:
            nb = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise parameter_error("notebook_unreadable", path=path, detail=exc) from exc
    source = parameters_source(nb)
    if source is None:
        return {}
    try:
        return parameters_from_source(source)
    except SyntaxError as exc:
        raise parameter_error("cell_syntax", notebook=label, line=exc.lineno, detail=exc.msg) from exc


def parameters_source(nb: Mapping[str, Any]) -> str | None:
    """Source text of the first code cell tagged ``parameters``, or None."""
    for cell in nb.get("cells", []):
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.get("cell_type") == "code" and "parameters" in tags:
            src = cell.get("source", "")
            return "".join(src) if isinstance(src, list) else str(src)
    return None


def parameters_from_source(source: str) -> dict[str, Declared]:
    """Parse a parameters cell: annotated and plain assignments to simple names.

    Other statements (imports, expressions) are ignored. Defaults that are not
    literals are recorded as :data:`MISSING`.
    """
    tree = ast.parse(source)
    lines = source.splitlines()
    found: dict[str, Declared] = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            names = [stmt.target.id]
            annotation: str | None = ast.unparse(stmt.annotation)
        elif isinstance(stmt, ast.Assign) and all(isinstance(t, ast.Name) for t in stmt.targets):
            names = [t.id for t in stmt.targets]  # type: ignore[attr-defined]
            annotation = None
        else:
            continue
        default = MISSING
        if stmt.value is not None:
            try:
                default = ast.literal_eval(stmt.value)
            except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
                default = MISSING
        text = ast.get_source_segment(source, stmt) or ast.unparse(stmt)
        comment = ""
        end_line = lines[stmt.end_lineno - 1] if stmt.end_lineno else ""
        tail = end_line[stmt.end_col_offset :] if stmt.end_col_offset is not None else ""
        if "#" in tail:
            comment = tail.split("#", 1)[1].strip()
        for name in names:
            found[name] = Declared(name, annotation, default, " ".join(text.split()), comment)
    return found


def check_name(name: object, *, notebook: str | None = None, lang: str | None = None) -> str:
    """Check that ``name`` can be a parameter name at all; return it.

    Names must be Python identifiers, not keywords and not dunder names. This is
    checked before anything else because a name is written into code.
    """
    where = message("plain_where", lang=lang, notebook=notebook) if notebook else ""
    if (
        type(name) is not str
        or not name.isidentifier()
        or keyword.iskeyword(name)
        or (name.startswith("__") and name.endswith("__"))
    ):
        raise parameter_error("name_bad", lang=lang, name=show_value(name), where=where)
    return name


def check_plain(value: object, *, name: str, notebook: str | None = None, lang: str | None = None) -> None:
    """Raise :class:`ParameterError` unless ``value`` is a plain, finite literal.

    Plain means exactly ``str``, ``int``, ``float`` (finite), ``bool``, ``None``,
    ``list`` or ``dict`` with ``str`` keys, nested to any depth (up to 32 levels).
    Subclasses, tuples, sets and other objects are rejected: their text form could
    carry code into the notebook. The message is in ``lang`` (default: the report
    language).
    """
    problem = _plain_problem(value, 0, set())
    if problem is not None:
        lang = lang or get_language()
        path, reason, _ = problem
        where = message("plain_where", lang=lang, notebook=notebook) if notebook else ""
        own_type = not path and reason == "plain_type"  # "a tuple is not allowed": the type says it already
        detail = "" if own_type else ": " + _problem_text(problem, lang)
        raise parameter_error("plain", lang=lang, name=name, where=where, value=show_value(value),
                              type=type(value).__name__, detail=detail)


def check_params(values: Mapping[str, Any], declared: Mapping[str, Declared], *, notebook: str,
                 lang: str | None = None) -> dict[str, Any]:
    """Check values against a notebook's declared parameters.

    Parameters
    ----------
    values : mapping of str to object
        The values to inject.
    declared : mapping of str to Declared
        What the notebook declares (see :func:`read_parameters`).
    notebook : str
        Notebook name, for messages.
    lang : {"en", "es"}, optional
        Language of the messages; the report language by default.

    Returns
    -------
    dict
        A copy of ``values`` (in the notebook's declaration order, then the rest).

    Raises
    ------
    ParameterError
        For a bad name, an undeclared name, a value that is not plain or a value
        that does not match the declared type. The message names the notebook,
        the parameter, what was expected and what came.
    """
    for name, value in values.items():
        check_name(name, notebook=notebook, lang=lang)
        if name not in declared:
            known = ", ".join(declared) or "none"
            raise parameter_error("undeclared", lang=lang, name=name, notebook=notebook, known=known)
        check_plain(value, name=name, notebook=notebook, lang=lang)
        decl = declared[name]
        if not decl.accepts(value):
            raise parameter_error("declared_type", lang=lang, name=name, notebook=notebook, expected=decl.expected,
                                  source=decl.source, value=show_value(value), type=type(value).__name__)
    order = [n for n in declared if n in values] + [n for n in values if n not in declared]
    return {name: values[name] for name in order}


def to_source(values: Mapping[str, Any]) -> str:
    """Python source assigning checked values, for an injected-parameters cell.

    Values must already have passed :func:`check_plain`; each line is verified to
    read back as the same literal.
    """
    lines = ["# Parameters"]
    for name, value in values.items():
        check_name(name)
        check_plain(value, name=name)
        text = repr(value)
        if ast.literal_eval(text) != value:  # pragma: no cover - defensive
            raise parameter_error("round_trip", name=name)
        lines.append(f"{name} = {text}")
    return "\n".join(lines) + "\n"


#: Where a problem sits in a nested value and why: ``([("plain_at_key", {"key": "'a'"})], "plain_nan", {})``.
_Problem = tuple[list[tuple[str, dict[str, object]]], str, dict[str, object]]


def _plain_problem(value: object, depth: int, seen: set[int]) -> _Problem | None:
    """None when ``value`` is plain, else where (outermost first) and why it is not, as catalog keys."""
    kind = type(value)
    if kind is float:
        return None if math.isfinite(value) else ([], "plain_nan", {})  # type: ignore[arg-type]
    if kind in (str, int, bool, type(None)):
        return None
    if kind not in (list, dict):
        return [], "plain_type", {"type": kind.__name__}
    if depth >= _MAX_DEPTH:
        return [], "plain_deep", {"depth": _MAX_DEPTH}
    if id(value) in seen:
        return [], "plain_self", {}
    seen = seen | {id(value)}
    items = value.items() if kind is dict else enumerate(value)  # type: ignore[attr-defined,arg-type]
    for key, item in items:
        if kind is dict and type(key) is not str:
            return [], "plain_dict_key", {"key": show_value(key)}
        problem = _plain_problem(item, depth + 1, seen)
        if problem is not None:
            place = ("plain_at_key", {"key": repr(key)}) if kind is dict else ("plain_at_item", {"index": key})
            return [place, *problem[0]], problem[1], problem[2]
    return None


def _problem_text(problem: _Problem, lang: str) -> str:
    """``"key 'a', item 1, a tuple is not allowed"`` in ``lang``."""
    path, reason, args = problem
    parts = [message(key, lang=lang, **values) for key, values in path]
    return ", ".join([*parts, message(reason, lang=lang, **args)])


_SIMPLE = {"str": str, "int": int, "float": float, "bool": bool, "list": list, "dict": dict}
_ANY = {"Any", "object"}


def _parse_annotation(text: str) -> ast.expr:
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError:
        return ast.Name(id="Any")


def _infer_annotation(default: object) -> ast.expr | None:
    """Type of an unannotated parameter, from its literal default (None: anything)."""
    if default is MISSING or default is None:
        return None
    name = type(default).__name__
    return ast.Name(id=name) if name in _SIMPLE else None


def _head(node: ast.expr) -> str | None:
    """Return the head name of an annotation: ``Optional`` for ``typing.Optional`` and ``t.Optional``."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return None


def _union_members(node: ast.expr) -> list[ast.expr] | None:
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        return [*(_union_members(node.left) or [node.left]), *(_union_members(node.right) or [node.right])]
    if isinstance(node, ast.Subscript):
        head = _head(node.value)
        args = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if head == "Optional":
            return [*args, ast.Constant(None)]
        if head == "Union":
            return list(args)
    return None


def _matches(value: object, node: ast.expr) -> bool:
    members = _union_members(node)
    if members is not None:
        return any(_matches(value, member) for member in members)
    if isinstance(node, ast.Constant):
        if node.value is None:
            return value is None
        if isinstance(node.value, str):  # a string annotation: "int | None"
            return _matches(value, _parse_annotation(node.value))
        return True
    head = _head(node.value if isinstance(node, ast.Subscript) else node)
    if head in ("None", "NoneType"):
        return value is None
    if head == "Literal" and isinstance(node, ast.Subscript):
        options = _literal_options(node)
        return any(type(value) is type(opt) and value == opt for opt in options)
    if head in ("int",):
        return type(value) is int
    if head == "float":
        return type(value) in (int, float)
    if head in ("str", "bool"):
        return type(value) is _SIMPLE[head]
    if head in ("list", "List", "Sequence"):
        if type(value) is not list:
            return False
        inner = _type_args(node)
        return not inner or all(_matches(item, inner[0]) for item in value)
    if head in ("dict", "Dict", "Mapping"):
        if type(value) is not dict:
            return False
        inner = _type_args(node)
        return len(inner) != 2 or all(_matches(k, inner[0]) and _matches(v, inner[1]) for k, v in value.items())
    return True  # Any, object, or a type we cannot check (date, Path, ...): plain is enough


def _type_args(node: ast.expr) -> list[ast.expr]:
    if not isinstance(node, ast.Subscript):
        return []
    return list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]


def _literal_options(node: ast.Subscript) -> list[Any]:
    options = []
    for arg in _type_args(node):
        try:
            options.append(ast.literal_eval(arg))
        except ValueError:
            continue
    return options


def _describe(node: ast.expr) -> str:
    members = _union_members(node)
    if members is not None:
        return " | ".join(_describe(m) for m in members)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return _describe(_parse_annotation(node.value))
    if isinstance(node, ast.Subscript) and _head(node.value) == "Literal":
        return "one of " + ", ".join(repr(o) for o in _literal_options(node))
    text = ast.unparse(node)
    return "any plain value" if text in _ANY else text
