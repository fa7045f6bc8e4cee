"""The activity a target needs: the conversion funnel, then calls and visits per rep and month.

The funnel is measured on the contacts with leads (``activities`` with a ``lead_id``):

* **calls** -> **visits** (visits and meetings) -> **proposals** (leads whose contacts
  reached ``proposal_sent`` or ``negotiation``) -> **new customers** (leads won).

Each stage's rate is measured per rep (or region, or channel) and shrunk toward the
team's rate, ``(successes + prior x team rate) / (trials + prior)``, so a rep with a
handful of leads gets close to the team's rate and a busy rep close to their own.

:func:`activity_plan` turns a :class:`~salesnb.targets.TargetPlan` into the work each
rep's month needs: what the existing book brings (last year's same month from the
accounts the rep holds, times the share of sales customers keep from one year to the
next), the gap to the target, the new customers whose first-year sales fill the year's gap
(spread over the months by their gaps), and the proposals, visits and calls that win
them at the rep's rates, against the calls the rep can make (``reps.weekly_capacity``
per working week).
:func:`activity_weeks` spreads the month's work over its ISO weeks.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.params import check_choice, check_positive_number, to_timestamp
from salesnb.targets.allocate import allocate, hamilton

if TYPE_CHECKING:
    from salesnb.data import Dataset
    from salesnb.targets.plan import TargetPlan

__all__ = ["FUNNEL_BY", "PRIOR", "PROPOSAL_OUTCOMES", "activity_plan", "activity_weeks", "average_first_order",
           "book_retention", "conversion_rates", "funnel_counts", "new_customer_value", "shrink"]

#: Outcomes of a contact with a lead that mean a proposal is on the table.
PROPOSAL_OUTCOMES = ("proposal_sent", "negotiation")
#: Groups the funnel can be measured by.
FUNNEL_BY = ("rep_id", "region_id", "channel")
#: Weight of the team's rate, in trials, when a group's rate is shrunk toward it.
PRIOR = 20.0
#: Lowest rate a plan divides by (a stage nobody ever converted).
MIN_RATE = 0.01
_STAGES = (("visit_rate", "visits", "calls"), ("proposal_rate", "proposals", "visits"),
           ("win_rate", "wins", "proposals"))


def shrink(successes: pd.Series, trials: pd.Series, *, prior: float = PRIOR) -> pd.Series:
    """Rates shrunk toward the pooled rate: ``(k + prior x K/N) / (n + prior)``, capped at 1.

    Examples
    --------
    >>> shrink(pd.Series([1, 30]), pd.Series([2, 100]), prior=10).round(3).tolist()
    [0.337, 0.3]
    """
    pooled = float(successes.sum()) / float(trials.sum()) if float(trials.sum()) > 0 else 0.0
    return ((successes + prior * pooled) / (trials + prior)).clip(upper=1.0)


def funnel_counts(dataset: Dataset, *, by: str = "rep_id", start: object = None, end: object = None) -> pd.DataFrame:
    """Return the calls, visits, proposals and wins with prospects of a span, per group.

    Counts what happened in the span: calls and visits (visits and meetings) with
    leads dated in it, leads that got a proposal in it, leads won in it (by their
    ``closed_date``). Contacts count for the rep who made them, wins for the lead's rep.

    Parameters
    ----------
    dataset : Dataset
        Needs ``leads`` and ``activities``.
    by : {"rep_id", "region_id", "channel"}
        ``region_id`` is the region of the rep's territory, ``channel`` the lead's.
    start, end : date-like, optional
        The span, both days included; all history by default.

    Returns
    -------
    DataFrame
        ``<by>, calls, visits, proposals, wins``.
    """
    check_choice("by", by, FUNNEL_BY)
    leads = dataset["leads"]
    acts = dataset["activities"]
    acts = acts.loc[acts["lead_id"].notna() & _in_span(acts["activity_date"], start, end)]
    won = leads.loc[(leads["status"] == "won") & leads["rep_id"].notna() & _in_span(leads["closed_date"], start, end)]
    group = _grouper(dataset, by)
    frame = pd.DataFrame({
        "g": group(acts["rep_id"].astype(str), acts["lead_id"]),
        "calls": (acts["kind"] == "call").astype(int),
        "visits": acts["kind"].isin(["visit", "meeting"]).astype(int),
    })
    out = frame.groupby("g", sort=True)[["calls", "visits"]].sum()
    proposed = acts.loc[acts["outcome"].isin(PROPOSAL_OUTCOMES)].drop_duplicates("lead_id")
    out = out.join(group(proposed["rep_id"].astype(str), proposed["lead_id"]).value_counts().rename("proposals"),
                   how="outer")
    out = out.join(group(won["rep_id"].astype(str), won["lead_id"]).value_counts().rename("wins"), how="outer")
    out = out.fillna(0).astype(int)
    out.index.name = by
    return out.reset_index()


def _in_span(dates: pd.Series, start: object, end: object) -> pd.Series:
    """Mask of ``dates`` from ``start`` to ``end`` (None: open)."""
    mask = dates.notna()
    if start is not None:
        mask &= dates >= to_timestamp("start", start)
    if end is not None:
        mask &= dates <= to_timestamp("end", end)
    return mask


def _grouper(dataset: Dataset, by: str) -> Callable[[pd.Series, pd.Series], pd.Series]:
    """Return a function (rep ids, lead ids) -> group values, index kept."""
    if by == "rep_id":
        return lambda reps, leads: reps
    if by == "channel":
        channel = dataset["leads"].set_index("lead_id")["channel"].astype(str)
        return lambda reps, leads: leads.map(channel)
    region = dataset.reps.set_index("rep_id")["region_id"].astype(str)
    return lambda reps, leads: reps.map(region)


def conversion_rates(dataset: Dataset, *, by: str = "rep_id", start: object = None, end: object = None,
                     prior: float = PRIOR) -> pd.DataFrame:
    """Conversion rates of the funnel per group, shrunk toward the team's rates.

    Parameters
    ----------
    dataset : Dataset
        Needs ``leads`` and ``activities``.
    by : {"rep_id", "region_id", "channel"}, default "rep_id"
        The group.
    start, end : date-like, optional
        As :func:`funnel_counts`.
    prior : float, default 20
        Weight of the team's rate, in trials (calls, visits or proposals).

    Returns
    -------
    DataFrame
        :func:`funnel_counts` plus ``visit_rate`` (visits per call), ``proposal_rate``
        (proposals per visit), ``win_rate`` (wins per proposal) and ``calls_per_win``.
        ``attrs["team"]`` holds the team's counts and rates (unshrunk).
    """
    prior = check_positive_number("prior", prior)
    counts = funnel_counts(dataset, by=by, start=start, end=end)
    out = counts.copy()
    for rate, num, den in _STAGES:
        out[rate] = shrink(out[num], out[den], prior=prior).clip(lower=MIN_RATE)
    out["calls_per_win"] = 1.0 / (out["visit_rate"] * out["proposal_rate"] * out["win_rate"])
    team = counts[["calls", "visits", "proposals", "wins"]].sum()
    out.attrs["team"] = {**team.astype(int).to_dict(), **{
        rate: min(max(team[num] / team[den], MIN_RATE), 1.0) if team[den] > 0 else MIN_RATE
        for rate, num, den in _STAGES}}
    return out


def average_first_order(dataset: Dataset, *, start: object = None, end: object = None) -> float:
    """Mean value of a new customer's first order (all its lines on its first order day).

    Parameters
    ----------
    dataset : Dataset
        Needs ``orders``.
    start, end : date-like, optional
        First orders placed in the span; all by default.

    Returns
    -------
    float
        NaN when no customer placed a first order in the span.
    """
    sold = dataset.orders.loc[dataset.orders["quantity"] > 0]
    first_day = sold.groupby("customer_id")["order_date"].transform("min")
    first = sold.loc[sold["order_date"] == first_day].groupby("customer_id").agg(
        day=("order_date", "first"), value=("net_amount", "sum"))
    if start is not None:
        first = first.loc[first["day"] >= to_timestamp("start", start)]
    if end is not None:
        first = first.loc[first["day"] <= to_timestamp("end", end)]
    return float(first["value"].mean()) if len(first) else float("nan")


def new_customer_value(dataset: Dataset, *, end: object) -> float:
    """Return what a new customer buys in its first twelve months, on average.

    Measured on the customers whose first order fell in the year before the year
    ending at ``end`` (so their first twelve months are complete); falls back to the
    average first order when there are none.
    """
    e = to_timestamp("end", end)
    sold = dataset.orders.loc[dataset.orders["quantity"] > 0]
    first = sold.groupby("customer_id")["order_date"].min()
    cohort = first.loc[(first > e - pd.DateOffset(years=2)) & (first <= e - pd.DateOffset(years=1))]
    if cohort.empty:
        return average_first_order(dataset, end=e)
    orders = dataset.orders.loc[dataset.orders["customer_id"].isin(cohort.index)]
    since = orders["customer_id"].map(cohort)
    year = orders.loc[(orders["order_date"] >= since) & (orders["order_date"] < since + pd.DateOffset(years=1))]
    return float(year["net_amount"].sum()) / len(cohort)


def book_retention(dataset: Dataset, *, end: object) -> float:
    """Share of a year's sales whose customers bought again the next year, for the year ending at ``end``.

    ``sum(sales in the year before of the customers who also bought in the year to end)``
    over ``sum(sales in the year before)``; 1 when nothing was sold the year before.
    """
    e = to_timestamp("end", end)
    orders = dataset.orders
    year = orders.loc[(orders["order_date"] > e - pd.DateOffset(years=1)) & (orders["order_date"] <= e)]
    before = orders.loc[(orders["order_date"] > e - pd.DateOffset(years=2))
                        & (orders["order_date"] <= e - pd.DateOffset(years=1))]
    total = float(before["net_amount"].sum())
    kept = float(before.loc[before["customer_id"].isin(year["customer_id"]), "net_amount"].sum())
    return kept / total if total > 0 else 1.0


def _book(plan: TargetPlan, dataset: Dataset) -> pd.DataFrame:
    """Last year's sales by rep and month of the year from the accounts each rep holds now."""
    orders = dataset.orders
    base = orders.loc[(orders["order_date"] >= plan.base_start) & (orders["order_date"] <= plan.base_end)]
    owner = base["customer_id"].map(dataset.customers.set_index("customer_id")["rep_id"])
    frame = pd.DataFrame({"rep_id": owner, "moy": base["order_date"].dt.month, "book": base["net_amount"]})
    return frame.dropna(subset=["rep_id"]).groupby(["rep_id", "moy"], as_index=False)["book"].sum()


def _capacity(plan: TargetPlan) -> pd.DataFrame:
    """Return calls each rep can make per month: weekly capacity x the month's working days with a target / 5."""
    days = plan.daily.assign(month=plan.daily["date"].dt.to_period("M").dt.to_timestamp())
    days = days.groupby(["rep_id", "month"])["date"].nunique().rename("days").reset_index()
    weekly = plan.reps.set_index("rep_id")["weekly_capacity"]
    days["calls_capacity"] = np.floor(days["rep_id"].map(weekly).fillna(0).to_numpy(dtype=float)
                                      * days["days"] / 5).astype(np.int64)
    return days[["rep_id", "month", "calls_capacity"]]


def activity_plan(plan: TargetPlan, dataset: Dataset, *, prior: float = PRIOR) -> pd.DataFrame:
    """Return the work each rep's monthly target needs, in whole calls, visits, proposals and new customers.

    Parameters
    ----------
    plan : TargetPlan
        From :func:`salesnb.targets.breakdown`; its ``rep_monthly`` targets are kept as
        they are (the monthly ``target`` column adds up to the plan's).
    dataset : Dataset
        The data the plan was made from (orders, customers, leads, activities).
    prior : float, default 20
        Shrinkage weight of the conversion rates (:func:`conversion_rates`).

    Returns
    -------
    DataFrame
        One row per rep and month with a target: ``rep_id, month, target, from_book,
        gap, new_customers_needed, proposals_needed, visits_needed, calls_needed,
        calls_capacity, feasible, shortfall`` (calls beyond capacity). Whole,
        non-negative numbers with ``calls >= visits >= proposals >= new customers``.
        ``attrs`` holds ``customer_value`` (:func:`new_customer_value`) and ``retention``
        (:func:`book_retention`).
    """
    target = plan.rep_monthly.groupby(["rep_id", "month"], as_index=False)["target"].sum()
    book = _book(plan, dataset)
    retention = book_retention(dataset, end=plan.base_end)
    value = new_customer_value(dataset, end=plan.base_end)
    value = value if math.isfinite(value) and value > 0 else 1.0
    out = target.assign(moy=target["month"].dt.month).merge(book, on=["rep_id", "moy"], how="left")
    kept = np.round(out["book"].fillna(0.0).clip(lower=0.0) * retention)
    out["from_book"] = np.minimum(kept, out["target"]).astype(np.int64)
    out["gap"] = (out["target"] - out["from_book"]).clip(lower=0).astype(np.int64)
    out["new_customers_needed"] = _new_customers(out, value)
    rates = _rates_for(dataset, out["rep_id"], prior)
    out["proposals_needed"] = np.ceil(out["new_customers_needed"] / rates["win_rate"]).astype(np.int64)
    out["visits_needed"] = np.ceil(out["proposals_needed"] / rates["proposal_rate"]).astype(np.int64)
    out["calls_needed"] = np.ceil(out["visits_needed"] / rates["visit_rate"]).astype(np.int64)
    out = out.merge(_capacity(plan), on=["rep_id", "month"], how="left")
    out["calls_capacity"] = out["calls_capacity"].fillna(0).astype(np.int64)
    out["feasible"] = out["calls_needed"] <= out["calls_capacity"]
    out["shortfall"] = (out["calls_needed"] - out["calls_capacity"]).clip(lower=0).astype(np.int64)
    out = out.drop(columns=["moy", "book"]).sort_values(["rep_id", "month"], kind="stable").reset_index(drop=True)
    out.attrs.update(customer_value=value, retention=retention)
    return out


def _new_customers(frame: pd.DataFrame, value: float) -> np.ndarray:
    """Return new customers per rep-month: the year's gap over a new customer's first-year value, spread by the gaps."""
    out = np.zeros(len(frame), dtype=np.int64)
    for _, rows in frame.groupby("rep_id", sort=False).groups.items():
        gaps = frame.loc[rows, "gap"].to_numpy(dtype=float)
        needed = math.ceil(gaps.sum() / value)
        out[frame.index.get_indexer(rows)] = allocate(needed, gaps, on_zero="equal")
    return out


def _rates_for(dataset: Dataset, reps: pd.Series, prior: float) -> pd.DataFrame:
    """Return the shrunk rates of each rep in ``reps`` (the team's rates for a rep without closed leads)."""
    rates = conversion_rates(dataset, prior=prior)
    team = rates.attrs["team"]
    table = rates.set_index("rep_id")[["visit_rate", "proposal_rate", "win_rate"]]
    out = table.reindex(reps.astype(str).to_numpy())
    for col in out.columns:
        out[col] = out[col].fillna(team[col])
    return out.reset_index(drop=True)


def activity_weeks(activity: pd.DataFrame, plan: TargetPlan) -> pd.DataFrame:
    """Spread each rep's monthly work over the ISO weeks of the month, by the week's share of the target.

    Whole numbers per week that add up to the month's (largest remainder); a week
    across two months gets its part of each.

    Parameters
    ----------
    activity : DataFrame
        From :func:`activity_plan`.
    plan : TargetPlan
        The same plan (its daily targets give each week's share).

    Returns
    -------
    DataFrame
        ``rep_id, week_start, target, new_customers_needed, visits_needed, calls_needed``.
    """
    daily = plan.daily.assign(month=plan.daily["date"].dt.to_period("M").dt.to_timestamp(),
                              week_start=plan.daily["date"] - pd.to_timedelta(plan.daily["date"].dt.weekday, "D"))
    weeks = daily.groupby(["rep_id", "month", "week_start"], as_index=False)["target"].sum()
    cols = ["new_customers_needed", "visits_needed", "calls_needed"]
    # each (rep, month) of the weeks with its month's work (the first row when a month repeats); months
    # without work are left out; one largest-remainder split per column for all months at once
    work = activity.drop_duplicates(["rep_id", "month"])[["rep_id", "month", *cols]]
    weeks = weeks.merge(work, on=["rep_id", "month"], how="inner", sort=False)
    if weeks.empty:
        return pd.DataFrame(columns=["rep_id", "week_start", "target", *cols])
    group = weeks.groupby(["rep_id", "month"], sort=True).ngroup().to_numpy()
    first = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    weights = weeks["target"].to_numpy(dtype=float)
    for col in cols:
        totals = weeks[col].to_numpy(dtype=np.int64)[first]
        weeks[col] = hamilton(totals, group, weights, on_zero="equal")
    out = weeks.groupby(["rep_id", "week_start"], as_index=False)[["target", *cols]].sum()
    return out.sort_values(["rep_id", "week_start"], kind="stable").reset_index(drop=True)
