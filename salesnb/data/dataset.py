"""The typed dataset a load returns: frames by table plus what a report says about them.

:class:`Dataset` is the one object every analysis takes. Its public attributes are
the interface: ``tables`` (typed frames by table name, also reachable as
``ds.orders`` and ``ds["orders"]``), ``name``, ``currency``, ``country``, ``source``,
``content_hash``, and the rejected rows (``rejected``, ``rejected_rows``,
``rejected_problems``). Other modules read these attributes, never the loader's
helpers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from salesnb import i18n
from salesnb.data.problems import Problem, ValidationReport
from salesnb.errors import SalesnbError
from salesnb.schema import TABLE_ORDER, TABLES

__all__ = ["DEFAULT_META", "Dataset", "MissingTableError"]

#: Metadata of a dataset that declares none (``dataset.toml`` or the ``dataset`` sheet).
DEFAULT_META = {"currency": "EUR", "country": "ES"}


class MissingTableError(SalesnbError, LookupError):
    """A table the caller asked for is not in the dataset."""


@dataclass
class Dataset:
    """A validated dataset: typed tables plus metadata.

    Tables are reachable as attributes (``ds.orders``) and items (``ds["orders"]``).

    Attributes
    ----------
    tables : dict of str to DataFrame
        Typed frames; optional tables that were not supplied are absent.
    name, currency, country : str
        From ``dataset.toml`` (or the ``dataset`` sheet); defaults EUR / ES.
    source : Path or str
        Folder or workbook the data came from, or the database URL with its password
        masked (:func:`salesnb.data.sql.safe_source`).
    content_hash : str
        sha256 of the input files (names and bytes), or of the data read from a
        database (:func:`salesnb.data.sql.data_hash`), for the report stamp.
    rejected : DataFrame
        One row per problem of every rejected row (table, file, row, column, value,
        rule, message, hint), in English; empty when nothing was rejected.
        :meth:`rejected_frame` gives it in a report language.
    rejected_rows : dict of str to DataFrame
        The rejected rows themselves as read, per table, with their spreadsheet ``row``.
    report : ValidationReport
        The validation report of the load.
    meta : dict
        Every key of ``dataset.toml``.
    rejected_problems : list of Problem
        The problems behind ``rejected``, one per row of it.
    """

    tables: dict[str, pd.DataFrame]
    name: str
    currency: str
    country: str
    source: Path | str
    content_hash: str
    rejected: pd.DataFrame
    rejected_rows: dict[str, pd.DataFrame]
    report: ValidationReport
    meta: dict[str, Any] = field(default_factory=dict)
    rejected_problems: list[Problem] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        """Return table ``name``; a :class:`MissingTableError` says which analyses need it."""
        if name in self.tables:
            return self.tables[name]
        lang = i18n.get_language()
        if name in TABLES:
            if lang == "en":
                used = ", ".join(TABLES[name].used_by)
            else:
                used = ", ".join(i18n.t(f"datacheck.analysis_{a}", lang=lang) for a in TABLES[name].used_by)
            raise MissingTableError.from_catalog(
                "problems.error_no_table", lang=lang, source=self.source, table=name,
                used=used or i18n.t("problems.text_some_analyses", lang=lang),
                columns=", ".join(TABLES[name].required_columns))
        raise MissingTableError.from_catalog("problems.error_unknown_table", lang=lang, table=repr(name),
                                             tables=", ".join(TABLES))

    def __getattr__(self, name: str) -> pd.DataFrame:
        """Return table ``name`` as an attribute (``ds.orders``)."""
        if name.startswith("_") or name not in TABLES:
            raise AttributeError(name)
        return self[name]

    @property
    def source_name(self) -> str:
        """The source as a report names it: the folder or workbook's name, or the database URL (password masked)."""
        return self.source.name if isinstance(self.source, Path) else str(self.source)

    def has(self, name: str) -> bool:
        """Return whether table ``name`` was supplied."""
        return name in self.tables

    @property
    def n_rejected(self) -> int:
        """Number of rejected rows over all tables."""
        return int(sum(len(f) for f in self.rejected_rows.values()))

    def summary(self) -> pd.DataFrame:
        """One row per table: rows, rejected rows, first and last date."""
        rows = []
        for name in TABLE_ORDER:
            if name not in self.tables:
                continue
            frame = self.tables[name]
            dates = [c.name for c in TABLES[name].columns if c.dtype == "date" and c.name in frame]
            first = min((frame[c].min() for c in dates if frame[c].notna().any()), default=pd.NaT)
            last = max((frame[c].max() for c in dates if frame[c].notna().any()), default=pd.NaT)
            rej = self.rejected_rows.get(name)
            rows.append({
                "table": name,
                "rows": len(frame),
                "rejected": 0 if rej is None else len(rej),
                "first_date": first,
                "last_date": last,
            })
        return pd.DataFrame(rows)

    def rejected_frame(self, *, lang: str = "en") -> pd.DataFrame:
        """``rejected`` with its file, rule, message and hint in ``lang`` (``"en"`` or ``"es"``)."""
        if lang == "en":
            return self.rejected.copy()
        frame = ValidationReport(self.source, self.rejected_problems).to_frame(lang=lang)
        return frame.drop(columns="fatal")
