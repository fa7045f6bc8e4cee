"""Names, phone numbers, e-mail addresses and ids of the sample's people and companies.

Company names are filled in from the patterns of :mod:`salesnb.sample.reference`;
variants spell the same company as another person would type it, which is what
the lead de-duplication has to see through.
"""

from __future__ import annotations

import re
import unicodedata

import numpy as np

from salesnb.sample.reference import BRANDS, FIRST_NAMES, PLACES, SURNAMES

#: A trailing legal form (``S.L.``, ``S.A.``, ``e Hijos S.L.`` ...) of a company name.
LEGAL_FORM = re.compile(r"\s+(e Hijos\s+)?(S\.L\.U\.|S\.L\.|S\.A\.|C\.B\.)$")

_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

#: A name pattern per channel: (cores, legal-form suffixes).
Patterns = dict[int, tuple[tuple[str, ...], tuple[str, ...]]]


def ascii_text(text: str) -> str:
    """Return ``text`` without accents and other non-ASCII characters."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slug(text: str) -> str:
    """Return ``text`` as a short lowercase web-domain word (``"empresa"`` when empty)."""
    return re.sub(r"[^a-z0-9]+", "", ascii_text(text).lower())[:24] or "empresa"


def company_key(name: str) -> str:
    """Return a company name reduced to what tells companies apart (no legal form, accents, case)."""
    return _NOT_ALNUM.sub("", ascii_text(LEGAL_FORM.sub("", name)).lower())


def fill_pattern(pattern: str, town: str, r: list[int]) -> str:
    """Fill a name pattern; ``r`` holds five random non-negative integers.

    Parameters
    ----------
    pattern : str
        With ``{S}`` surname, ``{T}`` town, ``{P}`` place, ``{B}`` brand, ``{F}`` first name.
    town : str
        The town for ``{T}``.
    r : list of int
        ``r[1]`` .. ``r[4]`` pick the surname, place, brand and first name.

    Returns
    -------
    str
    """
    return pattern.format(
        S=SURNAMES[r[1] % len(SURNAMES)],
        T=town,
        P=PLACES[r[2] % len(PLACES)],
        B=BRANDS[r[3] % len(BRANDS)],
        F=FIRST_NAMES[r[4] % len(FIRST_NAMES)],
    )


def name_variant(name: str, kind: int) -> str:
    """Return the same company name as another person would type it.

    Parameters
    ----------
    name : str
        The company name.
    kind : int
        1 lowercase, 2 legal form without dots, 3 without accents, else upper case
        without punctuation.

    Returns
    -------
    str
        Never equal to ``name``.
    """
    if kind == 1:
        out = name.lower()
    elif kind == 2:
        out = _legal_form_variant(name)
    elif kind == 3:
        out = ascii_text(name)
        if out == name:
            out = name.replace(" ", "  ", 1) + " "
    else:
        out = re.sub(r"[.,]", "", ascii_text(name)).upper()
    if out == name:
        out = re.sub(r"[.,]", "", ascii_text(name)).upper()
    return out if out != name else name + " "


def _legal_form_variant(name: str) -> str:
    """Write the first legal form found without dots (or add ``S.L.`` when there is none)."""
    swaps = (("S.L.U.", "SLU"), ("S.L.", "SL"), ("S.A.", "SA"), ("C.B.", "CB"),
             (" e Hijos", " E HIJOS"))
    for old, new in swaps:
        if old in name:
            return name.replace(old, new)
    return name + " S.L."


def format_phone(digits: str, style: int) -> str:
    """Write a nine-digit Spanish number in one of six styles (0..5).

    Parameters
    ----------
    digits : str
        Nine digits.
    style : int
        0 ``+34 963 123 456``, 1 plain, 2 ``0034-963-123-456``, 3 ``963 12 34 56``,
        4 ``+34963123456``, 5 ``963.123.456``.

    Returns
    -------
    str
    """
    d = digits
    if style == 0:
        return f"+34 {d[:3]} {d[3:6]} {d[6:]}"
    if style == 1:
        return d
    if style == 2:
        return f"0034-{d[:3]}-{d[3:6]}-{d[6:]}"
    if style == 3:
        return f"{d[:3]} {d[3:5]} {d[5:7]} {d[7:]}"
    if style == 4:
        return f"+34{d}"
    return f"{d[:3]}.{d[3:6]}.{d[6:]}"


def phones(rng: np.random.Generator, prefixes: list[str]) -> list[str]:
    """Draw nine-digit Spanish numbers: landlines with the province prefix, or mobiles.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    prefixes : list of str
        The landline prefix of each number's province.

    Returns
    -------
    list of str
        Digits only, one per prefix.
    """
    n = len(prefixes)
    mobile = rng.random(n) < 0.4
    first = np.where(rng.random(n) < 0.85, "6", "7")
    tails = rng.integers(0, 10**8, n)
    out = []
    for i in range(n):
        if mobile[i]:
            out.append(f"{first[i]}{tails[i]:08d}")
        else:
            p = prefixes[i]
            out.append(p + f"{tails[i]:08d}"[: 9 - len(p)])
    return out


def make_ids(prefix: str, numbers: np.ndarray, width: int) -> np.ndarray:
    """Return ``prefix`` + zero-padded numbers, as an object array (``R001``, ``C0042``)."""
    return np.array([f"{prefix}{n:0{width}d}" for n in numbers.tolist()], dtype=object)


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """Draw ``n`` Spanish full names (first name and two surnames)."""
    f = rng.integers(len(FIRST_NAMES), size=n)
    s1 = rng.integers(len(SURNAMES), size=n)
    s2 = rng.integers(len(SURNAMES), size=n)
    return [f"{FIRST_NAMES[a]} {SURNAMES[b]} {SURNAMES[c]}" for a, b, c in zip(f, s1, s2, strict=True)]


def unique_names(rng: np.random.Generator, channel: np.ndarray, town: list[str],
                 patterns: Patterns, seen: set[str]) -> list[str]:
    """Draw company names whose core (without the legal form) is new to ``seen``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    channel : numpy.ndarray
        The channel index of each company (picks its patterns).
    town : list of str
        The town of each company.
    patterns : dict
        Cores and legal-form suffixes per channel.
    seen : set of str
        Keys (:func:`company_key`) already taken; the new ones are added to it.

    Returns
    -------
    list of str
    """
    draws = rng.integers(0, 2**31, size=(len(town), 2, 6)).tolist()
    out = []
    for ch, tw, rows in zip(channel.tolist(), town, draws, strict=True):
        cores, suffixes = patterns[ch]
        core = _new_core(cores, tw, rows, seen)
        seen.add(company_key(core))
        out.append(f"{core} {suffixes[rows[0][5] % len(suffixes)]}".strip())
    return out


def _new_core(cores: tuple[str, ...], town: str, rows: list[list[int]], seen: set[str]) -> str:
    """Return the first drawn core not in ``seen``, else one made new with the town and a number."""
    for r in rows:
        core = fill_pattern(cores[r[0] % len(cores)], town, r)
        if company_key(core) not in seen:
            return core
    base = core if town in core else f"{core} {town}"
    core, k = base, 2
    while company_key(core) in seen:
        core = f"{base} {k}"
        k += 1
    return core


def lead_emails(rng: np.random.Generator, companies: list[str], contacts: list[str | None]) -> list[str | None]:
    """Draw the e-mail address of each lead: none, the contact's, a personal one or ``info@``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    companies : list of str
        The company names (give the domain).
    contacts : list of str or None
        The contact person of each lead.

    Returns
    -------
    list of str or None
    """
    kind = rng.integers(0, 6, len(companies))
    out: list[str | None] = []
    for k, comp, person in zip(kind.tolist(), companies, contacts, strict=True):
        dom = slug(re.sub(r"\s(S\.L\.U\.|S\.L\.|S\.A\.|C\.B\.)$", "", comp))
        if k == 0:
            out.append(None)
        elif k in (1, 2) and person:
            parts = ascii_text(person).lower().split()
            out.append(f"{parts[0]}.{parts[1]}@{dom}.es")
        elif k == 3 and person:
            parts = ascii_text(person).lower().split()
            out.append(f"{parts[0][0]}{parts[1]}@gmail.com")
        else:
            out.append(f"info@{dom}.{'com' if k == 5 else 'es'}")
    return out
