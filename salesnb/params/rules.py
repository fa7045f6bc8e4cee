"""Parameter rules as data: what one notebook parameter may be, and its normal form.

A notebook's rules are a dict of parameter name to :class:`Rule`, the way
scikit-learn declares ``_parameter_constraints``::

    {"horizon": Interval("int", 1, 24), "comparison": Options(COMPARISONS),
     "capacity": OrNone(Interval("int", 0, None))}

Each rule's :meth:`Rule.check` returns the value in its normal form (whole numbers
as ``int``, dates as ``pandas.Timestamp``, ``"false"`` as False) or raises
:class:`~salesnb.errors.ParameterError` with a catalog message in ``lang``.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from salesnb.errors import ParameterError
from salesnb.params.checks import (
    check_bool,
    check_choice,
    check_data,
    check_date,
    check_float,
    check_int,
    check_lang,
    parameter_error,
    show_value,
    to_timestamp,
)

__all__ = [
    "DataSource",
    "Date",
    "Delegate",
    "Flag",
    "Interval",
    "Language",
    "Options",
    "OrNone",
    "PeriodSpan",
    "Positive",
    "Rule",
    "Text",
]


class Rule(ABC):
    """What one parameter may be; subclasses say how it is checked and normalised."""

    @abstractmethod
    def check(self, name: str, value: object, *, lang: str | None = None) -> Any:
        """Return ``value`` in its normal form, or raise ParameterError naming ``name``.

        Parameters
        ----------
        name : str
            The parameter's name, for the message.
        value : object
            What the run passed (already a plain literal).
        lang : {"en", "es"}, optional
            Language of the message; the report language by default.

        Returns
        -------
        object
        """


@dataclass(frozen=True)
class Interval(Rule):
    """A whole (``"int"``) or real (``"float"``) number within optional bounds (both included)."""

    kind: Literal["int", "float"]
    low: float | None = None
    high: float | None = None

    def check(self, name: str, value: object, *, lang: str | None = None) -> int | float:
        """Return the number as ``int`` or ``float`` (see :meth:`Rule.check`)."""
        checker = check_int if self.kind == "int" else check_float
        return checker(name, value, min=self.low, max=self.high, lang=lang)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Positive(Rule):
    """A finite number above zero (``24``, ``"0.5"``)."""

    def check(self, name: str, value: object, *, lang: str | None = None) -> float:
        """Return the number as ``float`` (see :meth:`Rule.check`)."""
        number = check_float(name, value, lang=lang)
        if number <= 0:
            raise parameter_error("positive_number", lang=lang, name=name, value=show_value(value))
        return number


@dataclass(frozen=True)
class Options(Rule):
    """One of a fixed set of values."""

    choices: tuple[Any, ...]

    def check(self, name: str, value: object, *, lang: str | None = None) -> Any:
        """Return the value itself (see :meth:`Rule.check`)."""
        return check_choice(name, value, self.choices, lang=lang)


@dataclass(frozen=True)
class Date(Rule):
    """A day, written ``YYYY-MM-DD`` or ``YYYY-MM`` (that month's last day)."""

    def check(self, name: str, value: object, *, lang: str | None = None) -> Any:
        """Return a midnight ``pandas.Timestamp`` (see :meth:`Rule.check`)."""
        return to_timestamp(name, check_date(name, value, lang=lang), lang=lang)


@dataclass(frozen=True)
class PeriodSpan(Rule):
    """A named period (``"month"``) or the start date of a custom span (``"2026-09-15"``)."""

    names: tuple[str, ...]

    def check(self, name: str, value: object, *, lang: str | None = None) -> Any:
        """Return the period's name in lower case, or a start date as ``YYYY-MM-DD`` (see :meth:`Rule.check`)."""
        if isinstance(value, str) and value.strip().lower() in self.names:
            return value.strip().lower()
        if isinstance(value, str) and value.strip()[:1].isdigit():
            return to_timestamp(name, value, lang=lang).date().isoformat()
        allowed = ", ".join(repr(n) for n in self.names)
        raise parameter_error("period_kind", lang=lang, allowed=allowed, value=show_value(value))


@dataclass(frozen=True)
class Language(Rule):
    """A report language (``"es"``, ``"ES"``, ``"es-ES"`` all mean Spanish)."""

    def check(self, name: str, value: object, *, lang: str | None = None) -> str:
        """Return the language code (see :meth:`Rule.check`)."""
        return check_lang(name, value, lang=lang)


@dataclass(frozen=True)
class DataSource(Rule):
    """``"sample"`` or the path of an existing folder or workbook."""

    def check(self, name: str, value: object, *, lang: str | None = None) -> str:
        """Return the absolute path (see :meth:`Rule.check`)."""
        return check_data(name, value, lang=lang)


@dataclass(frozen=True)
class Flag(Rule):
    """True or False; also the words ``"true"``/``"false"`` that papermill passes as text."""

    def check(self, name: str, value: object, *, lang: str | None = None) -> bool:
        """Return the bool (see :meth:`Rule.check`)."""
        return check_bool(name, value, lang=lang)


@dataclass(frozen=True)
class Text(Rule):
    """Any text (surrounding blanks kept; the analysis decides what an empty text means).

    ``what`` names the kind of text in the message: ``"text"`` or ``"folder"`` (a folder path).
    """

    what: Literal["text", "folder"] = "text"

    def check(self, name: str, value: object, *, lang: str | None = None) -> str:
        """Return the text (see :meth:`Rule.check`)."""
        if not isinstance(value, str):
            raise parameter_error(self.what, lang=lang, name=name, value=show_value(value))
        return value


@dataclass(frozen=True)
class OrNone(Rule):
    """None, or a value that passes ``rule``."""

    rule: Rule

    def check(self, name: str, value: object, *, lang: str | None = None) -> Any:
        """Return None, or what ``rule`` returns (see :meth:`Rule.check`)."""
        return None if value is None else self.rule.check(name, value, lang=lang)


@dataclass(frozen=True)
class Delegate(Rule):
    """A rule the owning domain checks, named ``"module:function"`` (imported when checked).

    The function is called as ``function(value)`` (``function(value, name=name)`` with
    ``pass_name``) and raises ParameterError for a bad value; the value itself is
    returned unchanged, for the domain to use as it always does. ``skip`` lists values
    that mean "not given" (``""`` for a country taken from the dataset).
    """

    target: str
    pass_name: bool = False
    skip: tuple[Any, ...] = ()

    def function(self) -> Callable[..., Any]:
        """Return the domain's checking function."""
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)

    def check(self, name: str, value: object, *, lang: str | None = None) -> Any:
        """Return ``value`` once the domain's check accepts it (see :meth:`Rule.check`).

        A domain check that fails with something other than a ParameterError (a
        ``TypeError`` on a value of the wrong shape) is reported as this parameter's
        problem, so the notebook still lists every problem at once.
        """
        if any(value == s and type(value) is type(s) for s in self.skip):
            return value
        from salesnb.catalog import language  # the domain check speaks the report language

        with language(lang):
            try:
                if self.pass_name:
                    self.function()(value, name=name)
                else:
                    self.function()(value)
            except ParameterError:
                raise
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                raise parameter_error("invalid", lang=lang, name=name, value=show_value(value),
                                      detail=type(exc).__name__) from exc
        return value
