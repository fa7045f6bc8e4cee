"""The report language and the es/en text catalog (standard library only).

Every text a user reads — labels, sentences, error messages — lives in
``salesnb/locale/<domain>.json``, one file per domain, each mapping a key to its
English and Spanish text::

    {"headline.sales": {"en": "Sales {period}", "es": "Ventas {period}"}}

and is looked up as ``text("market.headline.sales", period=...)``. Templates come only
from these files: data values are passed as arguments, never used as templates, so a
customer called ``{0.__class__}`` is just text.

This module holds the one report-language setting of a process. It is the lowest layer
(standard library and :mod:`salesnb.config` only), so the runner and
:mod:`salesnb.errors` can use it before pandas is loaded; :mod:`salesnb.i18n` adds the
Babel formatters and the user-facing errors on top.
"""

from __future__ import annotations

import json
import string
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from salesnb.config import DEFAULT_LANG, LANGUAGES, PACKAGE_DIR

__all__ = ["catalog", "get_language", "language", "placeholders", "resolve_language", "set_language", "text"]

_state = {"lang": DEFAULT_LANG}


def resolve_language(lang: str | None) -> str:
    """Return ``lang`` when it is a report language, the current one when it is None.

    Parameters
    ----------
    lang : {"en", "es"} or None
        A report language (``"ES"`` and ``"es-ES"`` mean ``"es"``), or None for the
        current one (:func:`get_language`).

    Returns
    -------
    str

    Raises
    ------
    ValueError
        When ``lang`` is not one of ``config.LANGUAGES``; :mod:`salesnb.i18n` turns it
        into a ParameterError with the catalog's message.
    """
    if lang is None:
        return _state["lang"]
    code = lang.strip().lower().replace("_", "-").split("-", 1)[0] if isinstance(lang, str) else lang
    if code not in LANGUAGES:
        raise ValueError(lang)
    return code


def set_language(lang: str) -> str:
    """Set the report language of this process and return it.

    Parameters
    ----------
    lang : {"en", "es"}
        The language every text without an explicit ``lang`` is written in.

    Returns
    -------
    str
    """
    _state["lang"] = resolve_language(lang)
    return lang


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Speak ``lang`` inside a ``with`` block, then the language before it again.

    For a check that calls into a domain whose messages follow the report language:
    the caller's language is restored however the block ends. ``None`` keeps the
    current language.

    Parameters
    ----------
    lang : {"en", "es"} or None

    Yields
    ------
    str
        The language in force inside the block.
    """
    before = _state["lang"]
    _state["lang"] = resolve_language(lang)
    try:
        yield _state["lang"]
    finally:
        _state["lang"] = before


def get_language() -> str:
    """Return the current report language."""
    return _state["lang"]


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, str]]:
    """Return every text of every domain, keyed ``domain.key``."""
    merged: dict[str, dict[str, str]] = {}
    for path in sorted((PACKAGE_DIR / "locale").glob("*.json")):
        entries = json.loads(path.read_text(encoding="utf-8"))
        for key, texts in entries.items():
            merged[f"{path.stem}.{key}"] = texts
    return merged


def placeholders(template: str) -> set[str]:
    """Return the names of the ``{fields}`` a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def text(key: str, /, *, lang: str | None = None, **values: object) -> str:
    """Return the text for ``key`` in a report language, with ``values`` filled in.

    Parameters
    ----------
    key : str
        ``domain.key`` as in ``salesnb/locale/<domain>.json``.
    lang : {"en", "es"}, optional
        Defaults to the current report language (:func:`get_language`).
    **values
        Filled into the template's ``{fields}``; they are converted with ``str`` and
        are never templates themselves.

    Returns
    -------
    str

    Raises
    ------
    KeyError
        When the key is unknown or a field has no value: programming errors that the
        catalog tests catch (:func:`salesnb.i18n.t` raises them as SalesnbError).

    Examples
    --------
    >>> text("params.int_range", lang="es", name="horizon", low=1, high=24, value=99)
    "El parámetro 'horizon' debe ser un entero entre 1 y 24; se recibió 99."
    """
    code = resolve_language(lang)
    try:
        template = catalog()[key][code]
    except KeyError:
        raise KeyError(f"No text for {key!r} in language {code!r}.") from None
    missing = placeholders(template) - set(values)
    if missing:
        raise KeyError(f"Text {key!r} needs values for {sorted(missing)}.")
    return template.format_map({name: str(value) for name, value in values.items()})
