"""Win/loss: how closed leads ended, why, and what the won ones had in common.

A lead counts in a span when it was **closed** (won or lost) in it (``closed_date``).
The **win rate** is won / closed. **Attribute lift** compares the win rate of leads with
one attribute value with the overall win rate: a lift of 1.5 for ``source = referral``
means referred leads were won 1.5 times as often as leads in general. Numeric attributes
(investment, employees ...) are cut into quartiles first; true/false ones are read as
yes/no. Values with fewer than ``min_count`` closed leads are left out (too few to say).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb import i18n
from salesnb.errors import ParameterError
from salesnb.params import check_choice, check_positive_int
from salesnb.review._common import between, span

if TYPE_CHECKING:
    from salesnb.data import Dataset
    from salesnb.review.periods import DateLike

__all__ = ["attribute_lift", "closed_leads", "lead_attributes", "winloss", "winloss_window"]

_DIMENSIONS = ("lost_reason", "source", "channel", "rep_id", "region_id")
#: Columns that are never attributes (identity, contact, dates, outcome).
_NOT_ATTRIBUTES = {"lead_id", "company", "contact_name", "phone", "email", "created_date", "status",
                   "closed_date", "lost_reason", "rep_id", "region_id"}


def closed_leads(dataset: Dataset, *, start: DateLike, end: DateLike, rep_id: str | None = None) -> pd.DataFrame:
    """Leads won or lost with ``closed_date`` in the span (all their columns, plus ``won``)."""
    s, e = span(start, end)
    if not dataset.has("leads"):
        return pd.DataFrame(columns=["lead_id", "status", "closed_date", "won"])
    leads = dataset.leads
    leads = leads.loc[leads["status"].isin(["won", "lost"])]
    leads = between(leads, "closed_date", s, e)
    if rep_id is not None:
        leads = leads.loc[leads["rep_id"].astype(str) == str(rep_id)]
    return leads.assign(won=(leads["status"] == "won")).reset_index(drop=True)


def winloss_window(dataset: Dataset, *, start: DateLike, end: DateLike,
                   min_closed: int = 30) -> tuple[pd.Timestamp, pd.Timestamp, bool]:
    """Return the span to study win/loss over: the period, or the 12 months to its end.

    The 12 months are used when the period closed fewer than ``min_closed`` leads.

    Returns
    -------
    tuple of (Timestamp, Timestamp, bool)
        ``(start, end, widened)``.
    """
    s, e = span(start, end)
    if len(closed_leads(dataset, start=s, end=e)) >= min_closed:
        return s, e, False
    wide = e - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    return min(s, wide), e, min(s, wide) < s


def winloss(dataset: Dataset, *, start: DateLike, end: DateLike, by: str = "source",
            rep_id: str | None = None) -> pd.DataFrame:
    """Count closed leads by ``lost_reason``, ``source``, ``channel``, ``rep_id`` or ``region_id``.

    Returns
    -------
    DataFrame
        The ``by`` column, won, lost, closed, win_rate; for ``lost_reason`` (lost leads
        only) lost and share of the lost. Sorted by closed (or lost) leads.
    """
    check_choice("by", by, _DIMENSIONS)
    leads = closed_leads(dataset, start=start, end=end, rep_id=rep_id)
    if by not in leads:
        return pd.DataFrame(columns=[by, "won", "lost", "closed", "win_rate"])
    key = leads[by].astype(object).where(leads[by].notna(), "–")
    leads = leads.assign(**{by: key})
    if by == "lost_reason":
        lost = leads.loc[~leads["won"]]
        out = lost.groupby(by).size().rename("lost").reset_index()
        out["share"] = out["lost"] / max(len(lost), 1)
        return out.sort_values(["lost", by], ascending=[False, True], kind="stable").reset_index(drop=True)
    g = leads.groupby(by)["won"]
    out = pd.DataFrame({"won": g.sum().astype(int), "closed": g.size()})
    out.insert(1, "lost", out["closed"] - out["won"])
    out["win_rate"] = out["won"] / out["closed"]
    return out.reset_index().sort_values(["closed", by], ascending=[False, True], kind="stable") \
        .reset_index(drop=True)


def lead_attributes(leads: pd.DataFrame, attributes: Sequence[str] | None = None) -> list[str]:
    """Return the attribute columns of a leads frame: channel, source and the extra columns."""
    if attributes is not None:
        missing = [a for a in attributes if a not in leads]
        if missing:
            raise ParameterError.from_catalog("review.error_attributes", missing=", ".join(missing))
        return list(attributes)
    return [c for c in leads.columns if c not in _NOT_ATTRIBUTES and c != "won"
            and not pd.api.types.is_datetime64_any_dtype(leads[c])]


def _values(column: pd.Series) -> pd.Series:
    """Attribute values as text labels: quartiles for numbers, yes/no for booleans."""
    if pd.api.types.is_bool_dtype(column):
        return column.map({True: i18n.t("common.yes"), False: i18n.t("common.no")}).astype(object)
    if pd.api.types.is_numeric_dtype(column):
        x = column.astype(float)
        if x.nunique() <= 4:
            return x.map(lambda v: i18n.fmt_number(v, decimals=0 if float(v).is_integer() else 1)
                         if pd.notna(v) else np.nan).astype(object)
        try:
            bins = pd.qcut(x, 4, duplicates="drop")
        except ValueError:
            return pd.Series(np.nan, index=column.index, dtype=object)
        labels = {iv: f"{i18n.fmt_number(iv.left)}–{i18n.fmt_number(iv.right)}"
                  for iv in bins.cat.categories}
        return bins.map(labels).astype(object)
    return column.astype(object)


def attribute_lift(dataset: Dataset, *, start: DateLike, end: DateLike, attributes: Sequence[str] | None = None,
                   min_count: int = 5, rep_id: str | None = None) -> pd.DataFrame:
    """Win rate per attribute value against the overall win rate (lift).

    Parameters
    ----------
    attributes : list of str, optional
        Lead columns to study; by default channel, source and every extra column
        (est_investment, employees, foreign_investor ...).
    min_count : int, default 5
        Values with fewer closed leads are left out.

    Returns
    -------
    DataFrame
        attribute, value, closed, won, win_rate, lift (win rate / overall), share_of_wins;
        sorted by lift (highest first). ``attrs["overall"]`` is the overall win rate.
    """
    min_count = check_positive_int("min_count", min_count)
    leads = closed_leads(dataset, start=start, end=end, rep_id=rep_id)
    cols = ["attribute", "value", "closed", "won", "win_rate", "lift", "share_of_wins"]
    if leads.empty:
        out = pd.DataFrame(columns=cols)
        out.attrs["overall"] = float("nan")
        return out
    overall = float(leads["won"].mean())
    total_won = int(leads["won"].sum())
    parts = []
    for attr in lead_attributes(leads, attributes):
        values = _values(leads[attr])
        frame = pd.DataFrame({"value": values, "won": leads["won"]}).dropna(subset=["value"])
        if frame.empty:
            continue
        g = frame.groupby("value", sort=True)["won"]
        part = pd.DataFrame({"closed": g.size(), "won": g.sum().astype(int)}).reset_index()
        part.insert(0, "attribute", attr)
        parts.append(part)
    if not parts:
        out = pd.DataFrame(columns=cols)
    else:
        out = pd.concat(parts, ignore_index=True)
        out = out.loc[out["closed"] >= min_count].copy()
        out["win_rate"] = out["won"] / out["closed"]
        out["lift"] = out["win_rate"] / overall if overall > 0 else np.nan
        out["share_of_wins"] = out["won"] / total_won if total_won else np.nan
        out = out.sort_values(["lift", "closed", "attribute", "value"], ascending=[False, False, True, True],
                              kind="stable")[cols].reset_index(drop=True)
    out.attrs["overall"] = overall
    return out
