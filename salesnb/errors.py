"""The one error family of salesnb.

Every error salesnb raises on purpose derives from :class:`SalesnbError`. Narrow
subclasses also derive from :class:`ValueError` where the problem is a bad value,
so ``except ValueError`` keeps working for callers who expect it.

Messages follow one shape: what was checked (file, row, column or parameter),
what was expected, what came, and how to fix it.
"""

from __future__ import annotations

from typing import Any, Self

from salesnb.catalog import text


class SalesnbError(Exception):
    """Base class of every error salesnb raises on purpose."""

    @classmethod
    def from_catalog(cls, key: str, /, *args: Any, lang: str | None = None, **values: object) -> Self:
        """Build the error with its message from the es/en catalog.

        Parameters
        ----------
        key : str
            ``domain.key`` in ``salesnb/locale/<domain>.json``
            (``"forecast.error_h"``).
        *args
            Further constructor arguments after the message (``report`` for
            :class:`DataValidationError`).
        lang : {"en", "es"}, optional
            Defaults to the current report language.
        **values
            The template's fields.

        Returns
        -------
        SalesnbError
            An instance of the class it is called on, to raise.

        Examples
        --------
        >>> raise ParameterError.from_catalog("params.choice", name="mode", allowed="'a', 'b'", value="'c'")
        Traceback (most recent call last):
        ...
        salesnb.errors.ParameterError: The 'mode' parameter must be one of 'a', 'b'. Got 'c' instead.
        """
        return cls(text(key, lang=lang, **values), *args)


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
