"""Receivables (*cobro de cuentas por cobrar*): aging, DSO and the collection plan.

**Open invoice** as of a day: issued on or before it and not fully paid by it. Its
**outstanding** amount is ``amount - paid_amount`` when a (possibly partial) payment
came on or before that day, else the whole amount.

**Aging buckets** by days past the due date as of the day: ``current`` (not yet due),
``d1_30``, ``d31_60``, ``d61_90`` and ``d90_plus``. **Overdue** is everything outside
``current``.

**DSO** (days sales outstanding), the standard formula over a trailing window of
``days`` (default 90)::

    DSO = outstanding receivables as of the day / amount invoiced in the last `days` x `days`

A DSO of 45 means the customers owe about 45 days of billing.

**Collection plan**: the customers with overdue invoices, ordered by priority =
sum over their overdue invoices of ``outstanding x days overdue`` (big and old first),
with what to ask for, the oldest invoice and the rep who owns the account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.params import check_choice, check_positive_int, to_timestamp
from salesnb.review._common import TEAM, customer_owner

if TYPE_CHECKING:
    from salesnb.data import Dataset
    from salesnb.review.periods import DateLike

__all__ = ["BUCKETS", "aging", "collection_plan", "dso", "open_invoices"]

#: Aging bucket columns, in order, with their upper bound in days overdue.
BUCKETS = ("current", "d1_30", "d31_60", "d61_90", "d90_plus")
_EDGES = (0, 30, 60, 90)


def _bucket(days_overdue: np.ndarray) -> np.ndarray:
    idx = np.searchsorted(np.array(_EDGES), days_overdue, side="left")
    return np.array(BUCKETS, dtype=object)[idx]


def open_invoices(dataset: Dataset, *, as_of: DateLike) -> pd.DataFrame:
    """Invoices open as of a day, with outstanding amount, days overdue and bucket.

    Returns
    -------
    DataFrame
        invoice_id, customer_id, rep_id (the customer's owner), issue_date, due_date,
        amount, outstanding, days_overdue (negative = not yet due), bucket.
    """
    a = to_timestamp("as_of", as_of)
    cols = ["invoice_id", "customer_id", "rep_id", "issue_date", "due_date", "amount", "outstanding",
            "days_overdue", "bucket"]
    if not dataset.has("invoices"):
        return pd.DataFrame(columns=cols)
    inv = dataset.invoices
    inv = inv.loc[inv["issue_date"] <= a]
    paid_by = inv["paid_date"].notna() & (inv["paid_date"] <= a)
    paid = inv["paid_amount"].fillna(inv["amount"]).where(paid_by, 0.0)
    outstanding = (inv["amount"] - paid).round(2)
    inv = inv.assign(outstanding=outstanding).loc[outstanding > 0.005]
    days = (a - inv["due_date"]).dt.days.to_numpy()
    owner = customer_owner(dataset)
    out = pd.DataFrame({
        "invoice_id": inv["invoice_id"].astype(str).to_numpy(),
        "customer_id": inv["customer_id"].astype(str).to_numpy(),
        "rep_id": inv["customer_id"].astype(str).map(owner).to_numpy(),
        "issue_date": inv["issue_date"].to_numpy(),
        "due_date": inv["due_date"].to_numpy(),
        "amount": inv["amount"].to_numpy(dtype=float),
        "outstanding": inv["outstanding"].to_numpy(dtype=float),
        "days_overdue": days.astype(int),
        "bucket": _bucket(days),
    })
    return out[cols]


def aging(dataset: Dataset, *, as_of: DateLike, by: str | None = None,
          invoices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Outstanding amounts per aging bucket, in total or by ``customer_id`` / ``rep_id``.

    Returns
    -------
    DataFrame
        The ``by`` column (absent for the total), the :data:`BUCKETS`, ``total``,
        ``overdue`` and ``overdue_share``; by-frames sorted by overdue (largest first).
    """
    check_choice("by", by, (None, "customer_id", "rep_id"))
    inv = open_invoices(dataset, as_of=as_of) if invoices is None else invoices
    keys = [by] if by else []
    frame = inv.assign(_all="all")
    wide = frame.pivot_table(index=keys or ["_all"], columns="bucket", values="outstanding", aggfunc="sum",
                             fill_value=0.0, observed=True)
    wide = wide.reindex(columns=list(BUCKETS), fill_value=0.0)
    if not keys and wide.empty:
        wide = pd.DataFrame([[0.0] * len(BUCKETS)], columns=list(BUCKETS), index=pd.Index(["all"], name="_all"))
    wide.columns.name = None
    wide["total"] = wide[list(BUCKETS)].sum(axis=1)
    wide["overdue"] = wide["total"] - wide["current"]
    wide["overdue_share"] = wide["overdue"] / wide["total"].where(wide["total"] > 0)
    if not keys:
        return wide.reset_index(drop=True)
    return wide.reset_index().sort_values(["overdue", by], ascending=[False, True], kind="stable") \
        .reset_index(drop=True)


def dso(dataset: Dataset, *, as_of: DateLike, days: int = 90, by: str | None = None) -> pd.Series | float:
    """Days sales outstanding as of a day (see the module docstring for the formula).

    Parameters
    ----------
    days : int, default 90
        The trailing billing window.
    by : {None, "rep_id"}
        Team value (a float) or a Series per rep (with the team under ``TEAM``).
    """
    days = check_positive_int("days", days)
    check_choice("by", by, (None, "rep_id"))
    a = to_timestamp("as_of", as_of)
    inv = open_invoices(dataset, as_of=a)
    if not dataset.has("invoices"):
        return float("nan") if by is None else pd.Series(dtype=float, name="dso")
    billed = dataset.invoices.loc[(dataset.invoices["issue_date"] > a - pd.Timedelta(days=days))
                                  & (dataset.invoices["issue_date"] <= a)]
    total_billed = float(billed["amount"].sum())
    team = float(inv["outstanding"].sum()) / total_billed * days if total_billed > 0 else float("nan")
    if by is None:
        return team
    owner = customer_owner(dataset)
    billed_rep = billed.groupby(billed["customer_id"].astype(str).map(owner))["amount"].sum()
    owed_rep = inv.groupby("rep_id")["outstanding"].sum()
    reps = billed_rep.index.union(owed_rep.index)
    b = billed_rep.reindex(reps).fillna(0.0)
    o = owed_rep.reindex(reps).fillna(0.0)
    values = (o / b.where(b > 0)) * days
    values = pd.concat([values, pd.Series([team], index=[TEAM])])
    values.index.name = "rep_id"
    return values.rename("dso")


def collection_plan(dataset: Dataset, *, as_of: DateLike, rep_id: str | None = None, top: int | None = None,
                    invoices: pd.DataFrame | None = None) -> pd.DataFrame:
    """Whom to call about overdue invoices, biggest and oldest first.

    Parameters
    ----------
    rep_id : str, optional
        Only this rep's customers.
    top : int, optional
        Keep the first ``top`` customers (this week's calls).

    Returns
    -------
    DataFrame
        customer_id, name, rep_id, phone (when the customers table has one), invoices
        (overdue), overdue (amount to ask for), oldest_days, oldest_due, priority
        (sum of outstanding x days overdue), sorted by priority.
    """
    if top is not None:
        top = check_positive_int("top", top)
    inv = open_invoices(dataset, as_of=as_of) if invoices is None else invoices
    over = inv.loc[inv["days_overdue"] > 0]
    if rep_id is not None:
        over = over.loc[over["rep_id"].astype(str) == str(rep_id)]
    over = over.assign(_w=over["outstanding"] * over["days_overdue"])
    plan = over.groupby("customer_id").agg(rep_id=("rep_id", "first"), invoices=("invoice_id", "size"),
                                           overdue=("outstanding", "sum"), oldest_days=("days_overdue", "max"),
                                           oldest_due=("due_date", "min"), priority=("_w", "sum")).reset_index()
    cust = dataset.customers.assign(customer_id=dataset.customers["customer_id"].astype(str)).set_index("customer_id")
    plan.insert(1, "name", cust["name"].astype(object).reindex(plan["customer_id"]).to_numpy())
    if "phone" in cust:
        plan.insert(3, "phone", cust["phone"].astype(str).where(cust["phone"].notna(), "")
                    .reindex(plan["customer_id"]).to_numpy())
    plan = plan.sort_values(["priority", "customer_id"], ascending=[False, True], kind="stable").reset_index(drop=True)
    return plan.head(top) if top else plan
