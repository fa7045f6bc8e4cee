"""Notebook parameters: what a notebook declares, what a run may pass, and checks.

Three jobs, all light (standard library only, so the runner can check every
parameter before a kernel starts):

* read the parameters a notebook declares: its one cell tagged ``parameters``,
  parsed with :mod:`ast` (``name: type = literal  # comment`` or ``name = literal``);
* check the values a run wants to inject (:func:`check_params`): names must be
  declared identifiers, values plain literals (``str``, ``int``, ``float``, ``bool``,
  ``None``, ``list``, ``dict``; nested ones too) that match the declared type;
* normalise values inside a notebook's validation cell (:func:`check_date`,
  :func:`check_lang`, :func:`check_int`, :func:`check_float`, :func:`check_choice`,
  :func:`check_data`, or all at once with :func:`validate_notebook_params`).

Every problem raises :class:`~salesnb.errors.ParameterError` with one message that
names the parameter, what was expected and what came. The messages of the checks a
notebook's validation cell calls come from ``salesnb/locale/params.json`` in the
report language (:func:`message`, :func:`parameter_error`), so a Spanish page says
what is wrong in Spanish; English is the default and the only language of the runner's
own checks, which run where :mod:`salesnb.i18n` is never imported.
"""

from __future__ import annotations

import ast
import calendar
import datetime as dt
import json
import keyword
import math
import os
import re
import reprlib
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Integral, Real
from pathlib import Path
from typing import Any

from salesnb import config
from salesnb.catalog import get_language, text
from salesnb.errors import ParameterError

#: Marker for a declared parameter without a literal default.
MISSING: Any = type("Missing", (), {"__repr__": lambda self: "<missing>"})()

_MAX_DEPTH = 32
_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60


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


# ------------------------------------------------------------------ messages in two languages


def report_language() -> str:
    """Return the current report language (:func:`salesnb.catalog.get_language`)."""
    return get_language()


def message(key: str, /, *, lang: str | None = None, **values: object) -> str:
    """Return a parameter-error text from ``salesnb/locale/params.json``, filled in.

    Parameters
    ----------
    key : str
        Key in the ``params`` catalog (``"choice"``, ``"int_range"`` ...).
    lang : {"en", "es"}, optional
        Defaults to the report language (:func:`report_language`).
    **values
        The template's fields, converted with ``str``; they are never templates
        themselves.

    Returns
    -------
    str

    Examples
    --------
    >>> message("int_range", lang="es", name="horizon", low=1, high=24, value=99)
    "El parámetro 'horizon' debe ser un entero entre 1 y 24; se recibió 99."
    """
    return text(f"params.{key}", lang=lang, **values)


def parameter_error(key: str, /, **values: object) -> ParameterError:
    """A :class:`~salesnb.errors.ParameterError` whose message is :func:`message` in the report language.

    Parameters
    ----------
    key : str
        Key in the ``params`` catalog.
    **values
        The template's fields.

    Returns
    -------
    ParameterError
        To raise: ``raise parameter_error("choice", name=..., allowed=..., value=...)``.
    """
    return ParameterError(message(key, **values))


# --------------------------------------------------------------------------- CLI values


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


# ---------------------------------------------------------------- declared parameters


def read_parameters(notebook: str | os.PathLike[str] | Mapping[str, Any]) -> dict[str, Declared]:
    """The parameters a notebook declares in its cell tagged ``parameters``.

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
            raise ParameterError(f"Cannot read the notebook {path}: {exc}") from exc
    source = parameters_source(nb)
    if source is None:
        return {}
    try:
        return parameters_from_source(source)
    except SyntaxError as exc:
        raise ParameterError(
            f"The parameters cell of {label} is not valid Python (line {exc.lineno}: {exc.msg})."
        ) from exc


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


# ---------------------------------------------------------------------- value checks


def check_name(name: object, *, notebook: str | None = None) -> str:
    """Check that ``name`` can be a parameter name at all; return it.

    Names must be Python identifiers, not keywords and not dunder names. This is
    checked before anything else because a name is written into code.
    """
    where = f" of {notebook}" if notebook else ""
    if (
        type(name) is not str
        or not name.isidentifier()
        or keyword.iskeyword(name)
        or (name.startswith("__") and name.endswith("__"))
    ):
        raise ParameterError(
            f"Parameter name {_show(name)}{where} is not allowed: a name must be a plain "
            "Python identifier (letters, digits, underscore), not a keyword or a __dunder__."
        )
    return name


def check_plain(value: object, *, name: str, notebook: str | None = None) -> None:
    """Raise :class:`ParameterError` unless ``value`` is a plain, finite literal.

    Plain means exactly ``str``, ``int``, ``float`` (finite), ``bool``, ``None``,
    ``list`` or ``dict`` with ``str`` keys, nested to any depth (up to 32 levels).
    Subclasses, tuples, sets and other objects are rejected: their text form could
    carry code into the notebook.
    """
    problem = _plain_problem(value, 0, set())
    if problem is not None:
        lang = report_language()
        path, reason, _ = problem
        where = message("plain_where", lang=lang, notebook=notebook) if notebook else ""
        own_type = not path and reason == "plain_type"  # "a tuple is not allowed": the type says it already
        detail = "" if own_type else ": " + _problem_text(problem, lang)
        raise parameter_error("plain", name=name, where=where, value=_show(value), type=type(value).__name__,
                              detail=detail)


def check_params(values: Mapping[str, Any], declared: Mapping[str, Declared], *, notebook: str) -> dict[str, Any]:
    """Check values against a notebook's declared parameters.

    Parameters
    ----------
    values : mapping of str to object
        The values to inject.
    declared : mapping of str to Declared
        What the notebook declares (see :func:`read_parameters`).
    notebook : str
        Notebook name, for messages.

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
        check_name(name, notebook=notebook)
        if name not in declared:
            known = ", ".join(declared) or "none"
            raise ParameterError(f"Parameter '{name}' is not declared by {notebook} (it declares: {known}).")
        check_plain(value, name=name, notebook=notebook)
        decl = declared[name]
        if not decl.accepts(value):
            raise ParameterError(
                f"Parameter '{name}' of {notebook} must be {decl.expected} "
                f"(declared `{decl.source}`). Got {_show(value)} ({type(value).__name__})."
            )
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
            raise ParameterError(f"Parameter '{name}' does not round-trip as a literal.")
        lines.append(f"{name} = {text}")
    return "\n".join(lines) + "\n"


# ------------------------------------------------- helpers for notebook validation cells


def check_date(name: str, value: object) -> str:
    """Normalise a date parameter to ``"YYYY-MM-DD"``.

    Accepts ``"YYYY-MM-DD"``, ``"YYYY-MM"`` (meaning the month's last day) and
    date/datetime objects (pandas Timestamps included).

    Examples
    --------
    >>> check_date("period_end", "2026-02")
    '2026-02-28'
    """
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        text = value.strip()
        month = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        try:
            if month:
                year, mon = int(month[1]), int(month[2])
                return dt.date(year, mon, calendar.monthrange(year, mon)[1]).isoformat()
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                return dt.date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise parameter_error("date", name=name, value=_show(value))


def check_lang(name: str, value: object) -> str:
    """Normalise a report language (``"ES"``, ``"es-ES"`` → ``"es"``); one of config.LANGUAGES."""
    if isinstance(value, str):
        code = re.split(r"[-_]", value.strip().lower(), maxsplit=1)[0]
        if code in config.LANGUAGES:
            return code
    allowed = ", ".join(repr(c) for c in config.LANGUAGES)
    raise parameter_error("lang", name=name, allowed=allowed, value=_show(value))


def check_int(name: str, value: object, *, min: int | None = None, max: int | None = None) -> int:
    """Normalise a whole number (``6``, ``6.0`` or ``"6"``), optionally within bounds."""
    number: int | None = None
    if type(value) is int:
        number = value
    elif (isinstance(value, float) and value.is_integer()) or (
        isinstance(value, str) and re.fullmatch(r"\s*[-+]?\d+\s*", value)
    ):
        number = int(value)  # type: ignore[arg-type]
    if number is None:
        raise parameter_error("whole_number", name=name, value=_show(value), type=type(value).__name__)
    _check_bounds(name, number, min, max, kind="int")
    return number


def check_float(
    name: str,
    value: object,
    *,
    min: float | None = None,
    max: float | None = None,
) -> float:
    """Normalise a finite number (int, float or numeric text), optionally within bounds."""
    number: float | None = None
    if type(value) is not bool and isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number):
        raise parameter_error("finite_number", name=name, value=_show(value), type=type(value).__name__)
    _check_bounds(name, number, min, max, kind="float")
    return number


def check_choice(name: str, value: object, choices: tuple | list | set | frozenset) -> Any:
    """Return ``value`` when it is one of ``choices``, else raise ParameterError.

    The message is the catalog's ``params.choice``, in the report language.
    """
    if value not in choices:
        allowed = ", ".join(repr(c) for c in sorted(choices, key=str))
        raise parameter_error("choice", name=name, allowed=allowed, value=repr(value))
    return value


def check_data(name: str, value: object) -> str:
    """Resolve a dataset parameter (``"sample"`` or a path) to an existing absolute path."""
    if not isinstance(value, str | os.PathLike):
        raise parameter_error("data_type", name=name, value=_show(value))
    path = config.resolve_data_path(value)
    if not path.exists():
        raise parameter_error("data_missing", name=name, value=_show(os.fspath(value)), path=path)
    return str(path)


# ------------------------------------------------ one checker per rule, for library functions


def check_positive_int(name: str, value: object) -> int:
    """Return ``value`` as an int when it is a whole number of at least 1 (numpy ints too).

    Unlike :func:`check_int` (which normalises what a notebook run passes, ``"6"``
    included), this is for arguments of library functions: text, floats and bools are
    refused.

    Raises
    ------
    ParameterError
        ``The 'h' parameter must be a positive integer. Got 0 instead.``
    """
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise parameter_error("positive_int", name=name, value=_show_any(value))
    return int(value)


def check_fraction(name: str, value: object) -> float:
    """Return ``value`` as a float when it is a number strictly between 0 and 1.

    Raises
    ------
    ParameterError
        ``The 'a' parameter must be a number between 0 and 1. Got 1.5 instead.``
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not 0 < float(value) < 1:
        raise parameter_error("fraction", name=name, value=_show_any(value))
    return float(value)


def check_positive_number(name: str, value: object) -> float:
    """Return ``value`` as a float when it is a finite number above 0.

    Raises
    ------
    ParameterError
        ``The 'scale' parameter must be a positive number. Got -1 instead.``
    """
    if isinstance(value, bool) or not isinstance(value, Real) or not math.isfinite(float(value)) \
            or float(value) <= 0:
        raise parameter_error("positive_number", name=name, value=_show_any(value))
    return float(value)


def to_timestamp(name: str, value: object) -> Any:
    """Return a day (midnight ``pandas.Timestamp``) from a date-like value.

    The one date parser of the package: library functions call it on every date
    argument. Accepted: ``YYYY-MM-DD`` text (a ``T00:00`` time is allowed),
    ``datetime.date``/``datetime``, ``pandas.Timestamp`` and ``numpy.datetime64``.
    Notebook parameters go through :func:`check_date` first (which also takes ``YYYY-MM``).

    Raises
    ------
    ParameterError
        Naming ``name``, in the report language: ``The 'period_end' parameter must be a
        date written YYYY-MM-DD. Got '31/10/2026' instead.``
    """
    import pandas as pd  # not at import time: the runner checks parameters without pandas

    if isinstance(value, str) and not re.fullmatch(r"\s*\d{4}-\d{2}-\d{2}(?:[ T]00:00(?::00)?)?\s*", value):
        raise parameter_error("date_iso", name=name, value=_show_any(value))
    if not isinstance(value, str | dt.date | pd.Timestamp) and type(value).__name__ != "datetime64":
        raise parameter_error("date_iso", name=name, value=_show_any(value))
    try:
        ts = pd.Timestamp(value.strip() if isinstance(value, str) else value)
    except (ValueError, TypeError, OverflowError):
        raise parameter_error("date_iso", name=name, value=_show_any(value)) from None
    if pd.isna(ts):
        raise parameter_error("date_any", name=name, value="NaT")
    return ts.normalize()


def validate_notebook_params(
    *,
    data: object = MISSING,
    lang: object = MISSING,
    period_end: object = MISSING,
    **others: Any,
) -> dict[str, Any]:
    """Check a notebook's usual parameters at once, for its validation cell.

    ``lang`` is checked first and, when given, becomes the report language at once
    (:func:`salesnb.i18n.set_language`, as :func:`salesnb.notebook.setup` does next):
    the errors of this call and of the checks that follow it in the validation cell
    are then written in the language of the page they appear on.

    Parameters
    ----------
    data, lang, period_end : optional
        Normalised with :func:`check_data`, :func:`check_lang` and :func:`check_date`
        (``period_end=None`` is kept as None). Leave out the ones a notebook lacks.
    **others
        Any other parameter; each must be a plain value and is returned unchanged.

    Returns
    -------
    dict
        The normalised values, by name.

    Raises
    ------
    ParameterError
        For the first bad value, in the report language.

    Examples
    --------
    >>> p = validate_notebook_params(lang="ES", period_end="2026-10", horizon=6)
    >>> p["lang"], p["period_end"], p["horizon"]
    ('es', '2026-10-31', 6)
    """
    out: dict[str, Any] = {}
    code = None if lang is MISSING else check_lang("lang", lang)
    if code is not None:
        from salesnb import i18n  # pandas and Babel: a notebook has them loaded; the runner never gets here

        i18n.set_language(code)
    if data is not MISSING:
        out["data"] = check_data("data", data)
    if code is not None:
        out["lang"] = code
    if period_end is not MISSING:
        out["period_end"] = None if period_end is None else check_date("period_end", period_end)
    for name, value in others.items():
        check_plain(value, name=name)
        out[name] = value
    return out


# --------------------------------------------------------------------------- internals


def _check_bounds(name: str, number: float, low: float | None, high: float | None, *, kind: str) -> None:
    """Raise unless ``low <= number <= high``; ``kind`` (``"int"``, ``"float"``) words the message."""
    if (low is not None and number < low) or (high is not None and number > high):
        bounds = "range" if low is not None and high is not None else "min" if low is not None else "max"
        raise parameter_error(f"{kind}_{bounds}", name=name, low=low, high=high, value=repr(number))


def _show_any(value: object) -> str:
    """The repr of plain values and numpy scalars, else ``<type object>`` (never an unknown repr)."""
    if type(value).__module__ == "numpy" and hasattr(value, "item"):
        return repr(value.item())  # type: ignore[attr-defined]
    if type(value) in (str, int, float, bool, type(None)):
        return repr(value)
    return _show(value)


def _show(value: object) -> str:
    """A short, safe text form: never calls the repr of an object we do not know."""
    if type(value) in (str, int, float, bool, type(None), list, dict):
        return _repr.repr(value)
    if type(value) in (tuple, set, frozenset) and all(
        type(item) in (str, int, float, bool, type(None))
        for item in value  # type: ignore[attr-defined]
    ):
        return _repr.repr(value)
    return f"<{type(value).__name__} object>"


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
            return [], "plain_dict_key", {"key": _show(key)}
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
    """``Optional`` for ``Optional``, ``typing.Optional`` and ``t.Optional``."""
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
