"""Normalise company names, phones and emails so duplicates can be found.

These are the keys, not display values: ``"Muebles García, S.L."`` and
``"MUEBLES GARCIA SL"`` both become ``"muebles garcia"``; ``"+34 912 345 678"``,
``"0034-912-345-678"`` and ``"912345678"`` all become ``"+34912345678"``.
"""

from __future__ import annotations

import re
import unicodedata

import pandas as pd

__all__ = ["LEGAL_SUFFIXES", "normalize_email", "normalize_name", "normalize_phone"]

#: Legal-form words removed from company names (compared without dots and spaces).
LEGAL_SUFFIXES = (
    "sl", "slu", "sa", "sau", "sll", "scoop", "sc", "cb", "slne", "ltd", "limited", "llc", "inc",
    "corp", "co", "gmbh", "ag", "bv", "nv", "srl", "spa", "sarl", "sas", "plc", "lda",
)
_SUFFIX_RE = re.compile(
    r"(?:\s|,)+(?:" + "|".join(
        r"\.?\s*".join(re.escape(ch) for ch in suffix) + r"\.?" for suffix in LEGAL_SUFFIXES
    ) + r")\s*$"
)
_NON_WORD = re.compile(r"[^0-9a-z]+")


def strip_accents(text: str) -> str:
    """``"Peña Región"`` -> ``"Pena Region"``."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _name(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = strip_accents(str(value)).lower().replace("&", " y ")
    text = text.replace("'", "").replace("`", "")
    previous = None
    while previous != text:  # "Foo S.L. Ltd" loses both
        previous = text
        text = _SUFFIX_RE.sub("", text.strip(" ,.-"))
    return " ".join(_NON_WORD.sub(" ", text).split())


def normalize_name(names: pd.Series | str) -> pd.Series | str:
    """Company names as comparison keys: no accents, case, punctuation or legal suffix.

    Parameters
    ----------
    names : Series or str
        Names as written.

    Returns
    -------
    Series or str
        Same shape as the input; missing names become ``""``.
    """
    if isinstance(names, str):
        return _name(names)
    return names.map(_name).astype("string")


def _phone(value: object, default_country: str) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value).strip()
    digits = re.sub(r"\D", "", text)
    if not digits:
        return ""
    if text.startswith("+"):
        return "+" + digits
    if digits.startswith("00"):
        return "+" + digits[2:]
    if default_country == "34" and len(digits) == 9:
        return "+34" + digits
    if default_country == "34" and len(digits) == 11 and digits.startswith("34"):
        return "+" + digits
    return "+" + default_country + digits.lstrip("0")


def normalize_phone(phones: pd.Series | str, *, country_code: str = "34") -> pd.Series | str:
    """Phone numbers in E.164-like form (``+34912345678``); missing -> ``""``.

    Parameters
    ----------
    phones : Series or str
        Numbers as written (spaces, dashes, ``00`` or ``+`` prefixes).
    country_code : str
        Calling code assumed for numbers written without one (Spain: ``"34"``).
    """
    if isinstance(phones, str):
        return _phone(phones, country_code)
    return phones.map(lambda v: _phone(v, country_code)).astype("string")


def _email(value: object) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    text = str(value).strip().lower()
    return text if re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text) else ""


def normalize_email(emails: pd.Series | str) -> pd.Series | str:
    """Lower-cased, trimmed emails; anything that is not an address becomes ``""``."""
    if isinstance(emails, str):
        return _email(emails)
    return emails.map(_email).astype("string")
