"""Per-rep call lists: who to call, in what order, why, and how to reach them.

:func:`call_lists` joins the assignment with the scored leads; :func:`export_call_lists`
writes them as one xlsx workbook (a sheet per rep) and one CSV per rep, through the
formula-injection guard of :mod:`salesnb.export`. ``mask=True`` hides the middle
of phone numbers and email user names for copies that go to a director.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd

from salesnb import i18n
from salesnb.export import mask_contacts, write_csv, write_xlsx
from salesnb.leads.assign import Assignment

__all__ = ["CALL_COLUMNS", "call_lists", "export_call_lists", "header_labels"]

#: Columns of a call list, in order.
CALL_COLUMNS = (
    "rep_id", "rep_name", "rank", "lead_id", "company", "contact_name", "phone", "email",
    "other_phones", "other_emails", "region", "channel", "source", "score", "basis", "why",
    "watch_out", "prior_status", "merged_from",
)
_CONTACT_PHONES = ("phone", "other_phones")
_CONTACT_EMAILS = ("email", "other_emails")


def call_lists(assignment: Assignment, scored: pd.DataFrame, *, reps: pd.DataFrame,
               regions: pd.DataFrame | None = None, mask: bool = False) -> pd.DataFrame:
    """Return one row per assigned lead, per rep, best first, with contact details and reasons.

    Parameters
    ----------
    assignment : Assignment
        From :func:`salesnb.leads.assign_leads`.
    scored : DataFrame
        The leads that were assigned, with ``lead_id`` and the columns of
        :func:`salesnb.leads.score_leads` (``why``, ``watch_out``) and of
        :func:`salesnb.leads.deduplicate` (``other_phones``, ``merged_from`` …);
        missing columns are left empty.
    reps : DataFrame
        The ``reps`` table (for names).
    regions : DataFrame, optional
        The ``regions`` table (for province names).
    mask : bool, default False
        Mask phones and emails (see :func:`salesnb.export.mask_contacts`).

    Returns
    -------
    DataFrame
        :data:`CALL_COLUMNS`, ordered by rep and rank.
    """
    info = scored.assign(lead_id=scored["lead_id"].astype(str)).drop_duplicates("lead_id")
    info = info.drop(columns=[c for c in ("rep_id", "score", "rank", "basis", "territory") if c in info])
    out = assignment.assignments.merge(info, on="lead_id", how="left", validate="many_to_one")
    names = reps.assign(rep_id=reps["rep_id"].astype(str)).set_index("rep_id")["name"]
    out["rep_name"] = out["rep_id"].map(names)
    if regions is not None and "region_id" in out:
        out["region"] = out["region_id"].astype(str).map(
            regions.assign(region_id=regions["region_id"].astype(str)).set_index("region_id")["name"])
    for col in CALL_COLUMNS:
        if col not in out:
            out[col] = pd.NA
    out = out[list(CALL_COLUMNS)]
    for col in ("other_phones", "other_emails", "merged_from"):
        out[col] = out[col].map(lambda v: list(v) if isinstance(v, list | tuple | np.ndarray) else [])
    if mask:
        out = mask_contacts(out, phones=_CONTACT_PHONES, emails=_CONTACT_EMAILS)
    return out.reset_index(drop=True)


def header_labels(columns: list[str], *, lang: str | None = None) -> dict[str, str]:
    """Return the column headers in the report language (``leads.col_<name>``), others unchanged."""
    catalog = i18n.catalog()
    return {c: i18n.t(f"leads.col_{c}", lang=lang) if f"leads.col_{c}" in catalog else c for c in columns}


def _for_people(calls: pd.DataFrame, lang: str | None) -> pd.DataFrame:
    """Return the call list for people to read.

    Words instead of codes, percentages as numbers 0-100, lists as text; headers translated.
    """
    out = calls.copy()
    catalog = i18n.catalog()
    for col, prefix in (("basis", "basis_"), ("prior_status", "status_"), ("channel", "val_channel_"),
                        ("source", "val_source_")):
        if col in out:
            out[col] = out[col].map(lambda v, p=prefix: i18n.t(f"leads.{p}{v}", lang=lang)
                                    if isinstance(v, str) and f"leads.{p}{v}" in catalog else v)
    if "score" in out:
        out["score"] = (100 * pd.to_numeric(out["score"], errors="coerce")).round(1)
    for col in ("other_phones", "other_emails", "merged_from"):
        if col in out:
            out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, list) else v)
    return out.rename(columns=header_labels(list(out.columns), lang=lang))


def _file_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", text).strip("_")[:40] or "rep"


def export_call_lists(calls: pd.DataFrame, folder: str | os.PathLike[str], *, mask: bool = False,
                      lang: str | None = None, sep: str = ",") -> list[Path]:
    """Write call lists: ``call_lists.xlsx`` (a sheet per rep) and ``call_list_<rep>.csv`` per rep.

    Parameters
    ----------
    calls : DataFrame
        From :func:`call_lists`.
    folder : path
        Where to write (created if missing); files of the same names are replaced.
    mask : bool, default False
        Mask phones and emails (for director copies).
    lang : {"en", "es"}, optional
        Language of headers and words; the report language by default.
    sep : str, default ","
        CSV separator (``";"`` for spreadsheets set to Spanish).

    Returns
    -------
    list of Path
        The workbook first, then the CSV files in rep order. Every text cell is
        guarded against formula injection; the score is a number 0-100.
    """
    target = Path(folder)
    target.mkdir(parents=True, exist_ok=True)
    data = mask_contacts(calls, phones=_CONTACT_PHONES, emails=_CONTACT_EMAILS) if mask else calls
    sheets: dict[str, pd.DataFrame] = {}
    written: list[Path] = []
    csvs = []
    for rep_id, group in data.groupby("rep_id", sort=True):
        name = group["rep_name"].dropna()
        title = f"{rep_id} {name.iloc[0]}" if len(name) else str(rep_id)
        table = _for_people(group.sort_values("rank", kind="stable"), lang)
        sheets[title] = table
        csvs.append((target / f"call_list_{_file_part(str(rep_id))}.csv", table))
    written.append(write_xlsx(sheets, target / "call_lists.xlsx"))
    for path, table in csvs:
        written.append(write_csv(table, path, sep=sep))
    return written
