"""After-sales complaints (*servicio postventa*): volume, categories and service times.

Each complaint opened in the span is measured against two service levels (SLA):

* **first response** within ``response_sla_hours`` (default 24 h). Dates are whole days,
  so an answer the same or the next day meets 24 h;
* **resolution** within ``resolution_sla_days`` (default 7 days).

A complaint still unanswered (or unresolved) at the end of the span *breaches* the SLA
once its time is up, and is *pending* (left out of the SLA rate) while it is not.
``configuration_mismatch`` is the category for shipped goods that do not match the
configuration list the customer signed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.params import check_choice, check_positive_number
from salesnb.review._common import between, customer_owner, span

if TYPE_CHECKING:
    from salesnb.data import Dataset
    from salesnb.review.periods import DateLike

__all__ = ["CONFIG_MISMATCH", "SLA", "check_sla", "complaint_times", "complaints_by", "complaints_summary"]

#: Default service levels.
SLA = {"response_sla_hours": 24.0, "resolution_sla_days": 7.0}
#: Category of goods that do not match the signed configuration list.
CONFIG_MISMATCH = "configuration_mismatch"
_BY = ("category", "product_id", "rep_id", "severity", "customer_id")


def check_sla(response_sla_hours: object, resolution_sla_days: object) -> None:
    """Check the two service levels: each a positive number (hours, days).

    Raises
    ------
    ParameterError
        Naming the first bad one (:func:`salesnb.params.check_positive_number`).
    """
    check_positive_number("response_sla_hours", response_sla_hours)
    check_positive_number("resolution_sla_days", resolution_sla_days)


def complaint_times(dataset: Dataset, *, start: DateLike, end: DateLike,
                    response_sla_hours: float = SLA["response_sla_hours"],
                    resolution_sla_days: float = SLA["resolution_sla_days"]) -> pd.DataFrame:
    """One row per complaint opened in the span, with times and SLA outcomes as of ``end``.

    Returns
    -------
    DataFrame
        complaint_id, customer_id, product_id, rep_id (the customer's owner), category,
        severity, opened_date, answered (by ``end``), response_hours (to the first
        response; for one not answered by ``end``, the hours waited so far: at least that
        long), resolution_days (NaN when not resolved by ``end``), response_ok /
        resolution_ok (True met, False breached, NA pending), open (not resolved by ``end``).
    """
    check_sla(response_sla_hours, resolution_sla_days)
    s, e = span(start, end)
    cols = ["complaint_id", "customer_id", "product_id", "rep_id", "category", "severity", "opened_date",
            "answered", "response_hours", "resolution_days", "response_ok", "resolution_ok", "open"]
    if not dataset.has("complaints"):
        return pd.DataFrame(columns=cols)
    cp = between(dataset.complaints, "opened_date", s, e)
    answered = cp["first_response_date"].notna() & (cp["first_response_date"] <= e)
    resolved = cp["resolved_date"].notna() & (cp["resolved_date"] <= e)
    waited_h = (e - cp["opened_date"]).dt.days * 24.0
    hours = ((cp["first_response_date"] - cp["opened_date"]).dt.days * 24.0).where(answered, waited_h)
    res_days = (cp["resolved_date"] - cp["opened_date"]).dt.days.astype(float).where(resolved)
    waited_d = (e - cp["opened_date"]).dt.days.astype(float)
    resp_ok = pd.Series(pd.NA, index=cp.index, dtype="boolean")
    resp_ok[answered] = hours[answered] <= response_sla_hours
    resp_ok[~answered & (waited_h > response_sla_hours)] = False
    res_ok = pd.Series(pd.NA, index=cp.index, dtype="boolean")
    res_ok[resolved] = res_days[resolved] <= resolution_sla_days
    res_ok[~resolved & (waited_d > resolution_sla_days)] = False
    owner = customer_owner(dataset)
    out = pd.DataFrame({
        "complaint_id": cp["complaint_id"].astype(str),
        "customer_id": cp["customer_id"].astype(str),
        "product_id": cp["product_id"].astype(object),
        "rep_id": cp["customer_id"].astype(str).map(owner),
        "category": cp["category"].astype(str),
        "severity": cp["severity"].astype(str),
        "opened_date": cp["opened_date"],
        "answered": answered,
        "response_hours": hours.astype(float),
        "resolution_days": res_days,
        "response_ok": resp_ok,
        "resolution_ok": res_ok,
        "open": ~resolved,
    })
    return out[cols].reset_index(drop=True)


def _share_true(values: pd.Series) -> float:
    known = values.dropna()
    return float(known.astype(bool).mean()) if len(known) else float("nan")


def complaints_by(dataset: Dataset, *, start: DateLike, end: DateLike, by: str = "category",
                  times: pd.DataFrame | None = None, **sla: float) -> pd.DataFrame:
    """Complaint volume and service times grouped by ``category``, ``product_id``, ``rep_id`` ...

    Returns
    -------
    DataFrame
        The ``by`` column, complaints, share (of all complaints in the span),
        median_response_hours, response_within_sla (share of decided ones),
        median_resolution_days, resolved_within_sla, open; sorted by complaints.
    """
    check_choice("by", by, _BY)
    t = complaint_times(dataset, start=start, end=end, **sla) if times is None else times
    cols = [by, "complaints", "share", "median_response_hours", "response_within_sla",
            "median_resolution_days", "resolved_within_sla", "open"]
    if t.empty:
        return pd.DataFrame(columns=cols)
    key = t[by].astype(object).where(t[by].notna(), "–")
    g = t.assign(**{by: key}).groupby(by, sort=True)
    out = pd.DataFrame({
        "complaints": g.size(),
        "median_response_hours": g["response_hours"].median(),
        "response_within_sla": g["response_ok"].agg(_share_true),
        "median_resolution_days": g["resolution_days"].median(),
        "resolved_within_sla": g["resolution_ok"].agg(_share_true),
        "open": g["open"].sum().astype(int),
    })
    out.insert(1, "share", out["complaints"] / len(t))
    out = out.reset_index().sort_values(["complaints", by], ascending=[False, True], kind="stable")
    return out[cols].reset_index(drop=True)


def complaints_summary(dataset: Dataset, *, start: DateLike, end: DateLike, rep_id: str | None = None,
                       times: pd.DataFrame | None = None, **sla: float) -> dict[str, float]:
    """Headline numbers: complaints, configuration mismatches, SLA rates, medians, open.

    Returns
    -------
    dict
        complaints, config_mismatch, response_within_sla, resolved_within_sla,
        median_response_hours, median_resolution_days, open.
    """
    t = complaint_times(dataset, start=start, end=end, **sla) if times is None else times
    if rep_id is not None:
        t = t.loc[t["rep_id"].astype(str) == str(rep_id)]
    return {
        "complaints": len(t),
        "config_mismatch": int((t["category"] == CONFIG_MISMATCH).sum()) if len(t) else 0,
        "response_within_sla": _share_true(t["response_ok"]) if len(t) else float("nan"),
        "resolved_within_sla": _share_true(t["resolution_ok"]) if len(t) else float("nan"),
        "median_response_hours": float(t["response_hours"].median()) if len(t) else float("nan"),
        "median_resolution_days": float(t["resolution_days"].median()) if len(t) else float("nan"),
        "open": int(np.asarray(t["open"], dtype=bool).sum()) if len(t) else 0,
    }
