"""Helpers shared by the review modules (not public API)."""

from __future__ import annotations

import weakref
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesnb.data import employed
from salesnb.errors import ParameterError
from salesnb.params import to_timestamp
from salesnb.review.periods import working_day_flags

if TYPE_CHECKING:
    from salesnb.data import Dataset
    from salesnb.review.periods import DateLike

#: Index label of the team total row in KPI series and the scorecard.
TEAM = "_team"


def span(start: DateLike, end: DateLike) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Check and normalise a ``start..end`` span (both included)."""
    s, e = to_timestamp("start", start), to_timestamp("end", end)
    if e < s:
        raise ParameterError.from_catalog("review.error_span", start=s.date(), end=e.date())
    return s, e


def between(frame: pd.DataFrame, column: str, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Rows whose ``column`` date lies in ``start..end`` (both included)."""
    values = frame[column]
    return frame.loc[(values >= start) & (values <= end)]


def country(dataset: Dataset) -> str:
    return str(getattr(dataset, "country", "ES") or "ES")


def active_reps(dataset: Dataset, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    """Reps employed on at least one day of ``start..end``, sorted by rep_id."""
    reps = dataset.reps
    out = reps.loc[employed(reps, start=start, end=end)].copy()
    out["rep_id"] = out["rep_id"].astype(str)
    return out.sort_values("rep_id", kind="stable").reset_index(drop=True)


def rep_index(dataset: Dataset, start: pd.Timestamp, end: pd.Timestamp) -> pd.Index:
    return pd.Index(active_reps(dataset, start, end)["rep_id"], name="rep_id")


def employed_working_days(dataset: Dataset, start: pd.Timestamp, end: pd.Timestamp) -> pd.Series:
    """Working days each active rep was employed in ``start..end`` (hire and leave days included)."""
    reps = active_reps(dataset, start, end)
    flags = working_day_flags(start, end, country=country(dataset)).to_numpy()
    cum = np.r_[0, np.cumsum(flags)]
    first = reps["hire_date"].fillna(start).clip(lower=start)
    last = reps["leave_date"].fillna(end).clip(upper=end)
    i0 = ((first - start).dt.days).to_numpy()
    i1 = ((last - start).dt.days).to_numpy() + 1
    days = np.where(i1 > i0, cum[np.clip(i1, 0, len(flags))] - cum[np.clip(i0, 0, len(flags))], 0)
    return pd.Series(days.astype(float), index=pd.Index(reps["rep_id"], name="rep_id"), name="working_days")


def customer_owner(dataset: Dataset) -> pd.Series:
    """Rep owning each customer (``customers.rep_id``; missing when unassigned)."""
    cust = dataset.customers
    return pd.Series(cust["rep_id"].astype(object).where(cust["rep_id"].notna(), None).to_numpy(),
                     index=cust["customer_id"].astype(str).to_numpy(), name="rep_id")


def finish(values: pd.Series, index: pd.Index, *, name: str, fill: float | None = 0.0,
           team: float | None = None) -> pd.Series:
    """Reindex a per-rep series on the active reps, and append the team value when given."""
    values = values.copy()
    values.index = values.index.astype(str)
    out = values.reindex(index).astype(float)
    if fill is not None:
        out = out.fillna(fill)
    if team is not None:
        out = pd.concat([out, pd.Series([float(team)], index=pd.Index([TEAM], name="rep_id"))])
    out.index.name = "rep_id"
    return out.rename(name)


_MEMO: dict[tuple[int, Hashable], tuple[weakref.ref, Any]] = {}
_MEMO_SIZE = 16


def memo(frame: pd.DataFrame, key: Hashable, compute: Callable[[], Any]) -> Any:
    """``compute()``, remembered while ``frame`` (the same object) is alive.

    Review functions are pure, and several sections need the same derived table of the
    same orders frame; this keeps one copy per frame object for the life of that frame
    (a new load is a new object, so nothing outlives a run). Callers must not mutate
    the returned value.
    """
    slot = (id(frame), key)
    hit = _MEMO.get(slot)
    if hit is not None and hit[0]() is frame:
        return hit[1]
    value = compute()
    if len(_MEMO) >= _MEMO_SIZE:
        for old in [k for k, (ref, _) in _MEMO.items() if ref() is None] or list(_MEMO)[: len(_MEMO) // 2]:
            _MEMO.pop(old, None)
    _MEMO[slot] = (weakref.ref(frame), value)
    return value


def positive_orders(orders: pd.DataFrame) -> pd.DataFrame:
    """One row per order with a positive net total (a return alone is not a purchase).

    Columns: order_id, order_date, customer_id, rep_id, net_amount. Remembered per
    orders frame (see :func:`memo`); do not mutate the result.
    """
    return memo(orders, "positive_orders", lambda: _positive_orders(orders))


def _positive_orders(orders: pd.DataFrame) -> pd.DataFrame:
    if orders.empty:
        return pd.DataFrame(columns=["order_id", "order_date", "customer_id", "rep_id", "net_amount"])
    grouped = orders.groupby("order_id", sort=False, observed=True)
    per_order = grouped.agg(order_date=("order_date", "first"), customer_id=("customer_id", "first"),
                            rep_id=("rep_id", "first"), net_amount=("net_amount", "sum")).reset_index()
    return per_order.loc[per_order["net_amount"] > 0].reset_index(drop=True)
