"""The one error family of salesnb.

Every error salesnb raises on purpose derives from :class:`SalesnbError`. Narrow
subclasses also derive from :class:`ValueError` where the problem is a bad value,
so ``except ValueError`` keeps working for callers who expect it.

Messages follow one shape: what was checked (file, row, column or parameter),
what was expected, what came, and how to fix it.
"""

from __future__ import annotations


class SalesnbError(Exception):
    """Base class of every error salesnb raises on purpose."""


class ParameterError(SalesnbError, ValueError):
    """A function or notebook parameter has a bad name, type or value."""


class DataSourceError(SalesnbError, OSError):
    """A data source cannot be read at all (missing path, unreadable file, wrong format)."""


class DataValidationError(SalesnbError, ValueError):
    """A dataset breaks its contract; ``.report`` holds every problem found."""

    def __init__(self, message: str, report: object | None = None) -> None:
        super().__init__(message)
        self.report = report


class ReportError(SalesnbError):
    """A report pack could not be produced."""


def check_choice(name: str, value: object, choices: tuple | list | set | frozenset) -> None:
    """Raise :class:`ParameterError` unless ``value`` is one of ``choices``.

    Parameters
    ----------
    name : str
        Parameter name, as the caller wrote it.
    value : object
        The value received.
    choices : collection
        The allowed values.
    """
    if value not in choices:
        allowed = ", ".join(repr(c) for c in sorted(choices, key=str))
        raise ParameterError(
            f"The '{name}' parameter must be one of {allowed}. Got {value!r} instead."
        )
