"""Pacing: where each rep and the team will land at the end of the period.

A plain run rate (sales so far / days so far x days in the period) is wrong whenever the
days left are not like the days gone: a month that ends in high season, a week with a
holiday, a rep who leaves on the 20th. Here each remaining **working day** (weekday, not
a public holiday, while the rep is employed) is weighted by how much a day like it
usually sells:

    day weight = monthly seasonal index (salesnb.market.seasonality) x weekday index

and the projection scales sales so far by the weight still to come::

    projection = actual + actual x (weight of days left / weight of days gone)

The **gap** is what is missing to reach the target (never below 0) and the **gap per
day** spreads it over the working days left: the extra a rep must sell each remaining
working day. Status: ``on_track`` when the projection reaches the target, ``close``
from 90 %, ``behind`` below, ``no_target`` without a target, and ``not_started`` for a
rep with no working day behind them yet (hired after the as-of date): no pace to project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.params import to_timestamp
from salesnb.review._common import TEAM, active_reps, between, country, span
from salesnb.review.periods import working_day_flags
from salesnb.review.plan import DEFAULT_GROWTH, daily_targets

if TYPE_CHECKING:
    from salesnb.data import Dataset
    from salesnb.review.periods import DateLike
    from salesnb.review.plan import TargetSource

__all__ = ["cumulative", "day_weights", "pacing", "status_of"]

#: Projected attainment from which a rep counts as ``close`` to target.
CLOSE = 0.9


def day_weights(dataset: Dataset, *, start: DateLike, end: DateLike, as_of: DateLike | None = None) -> pd.Series:
    """Return the expected share of sales of each calendar day (0 on non-working days).

    Monthly seasonal index x weekday index, both learnt from orders up to ``as_of``
    (all orders when None). With no history every working day weighs 1.
    """
    s, e = span(start, end)
    flags = working_day_flags(s, e, country=country(dataset))
    orders = dataset.orders if as_of is None else dataset.orders.loc[dataset.orders["order_date"]
                                                                        <= to_timestamp("as_of", as_of)]
    month_idx, wd_idx = np.ones(12), np.ones(7)
    if len(orders) and orders["order_date"].dt.to_period("M").nunique() >= 12:
        from salesnb.market import seasonality, weekday_indices

        month_idx = seasonality(orders)["index"].to_numpy()
        wd = weekday_indices(orders).set_index("weekday")["index"].reindex(range(7), fill_value=0.0).to_numpy()
        positive = wd[:5][wd[:5] > 0]
        if len(positive):
            wd_idx = np.where(wd > 0, wd, positive.mean())
    days = flags.index
    weights = month_idx[days.month - 1] * wd_idx[days.weekday] * flags.to_numpy()
    return pd.Series(weights, index=days, name="weight")


def status_of(projected_attainment: float) -> str:
    """``on_track`` (>= 100 %), ``close`` (>= 90 %), ``behind``, or ``no_target`` (NaN)."""
    if pd.isna(projected_attainment):
        return "no_target"
    if projected_attainment >= 1:
        return "on_track"
    return "close" if projected_attainment >= CLOSE else "behind"


def pacing(dataset: Dataset, *, start: DateLike, end: DateLike, as_of: DateLike, targets: TargetSource | None = None,
           growth: float = DEFAULT_GROWTH, daily: pd.DataFrame | None = None) -> pd.DataFrame:
    """Projection to the period end, per rep employed in the period and for the team.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    start, end : date
        The whole period.
    as_of : date
        The last day with facts (clipped to ``start..end``).
    targets, growth
        Target source (see :func:`salesnb.review.plan.daily_targets`).
    daily : DataFrame, optional
        Daily targets already computed over (at least) ``start..end`` (speed-up).

    Returns
    -------
    DataFrame
        rep_id, is_team, target (whole period), actual (to date), days_elapsed, days_left
        (working days), run_rate (actual per elapsed working day), projection,
        projected_attainment, gap, gap_per_day, status. Reps first, then the team.
    """
    s, e = span(start, end)
    a = min(max(to_timestamp("as_of", as_of), s - pd.Timedelta(days=1)), e)
    weights = day_weights(dataset, start=s, end=e, as_of=a)
    reps = active_reps(dataset, s, e)
    if daily is None:
        daily = daily_targets(dataset, start=s, end=e, targets=targets, growth=growth)
    daily = daily.loc[(daily["date"] >= s) & (daily["date"] <= e)]
    tgt = daily.groupby(daily["rep_id"].astype(str))["target"].sum()
    orders = between(dataset.orders, "order_date", s, a)
    act = orders.groupby(orders["rep_id"].astype(str))["net_amount"].sum()
    ids = reps["rep_id"].astype(str).to_numpy()
    frame = pd.DataFrame({"rep_id": ids, "is_team": False,
                          "target": tgt.reindex(ids).fillna(0.0).to_numpy(),
                          "actual": act.reindex(ids).fillna(0.0).to_numpy(),
                          **_rep_days(reps, weights, a)})
    team = {"rep_id": TEAM, "is_team": True, "target": float(daily["target"].sum()),
            "actual": float(orders["net_amount"].sum()), **_team_days(weights, a)}
    frame = _project(pd.concat([frame, pd.DataFrame([team])], ignore_index=True))
    frame.attrs.update({"start": s, "end": e, "as_of": a, "target_source": daily.attrs.get("source")})
    return frame


def _rep_days(reps: pd.DataFrame, weights: pd.Series, a: pd.Timestamp) -> dict[str, np.ndarray]:
    """Per rep: working days and day weight gone (up to ``a``) and left, on the days employed."""
    flags = weights > 0
    days = weights.index.to_numpy()
    hire = reps["hire_date"].to_numpy(dtype="datetime64[ns]")[:, None]
    leave = reps["leave_date"].to_numpy(dtype="datetime64[ns]")[:, None]
    employed = (np.isnat(hire) | (days[None, :] >= hire)) & (np.isnat(leave) | (days[None, :] <= leave))
    gone = days <= a.to_datetime64()
    w = weights.to_numpy()[None, :] * employed
    wd = (flags.to_numpy()[None, :] & employed)
    return {"days_elapsed": (wd & gone).sum(axis=1), "days_left": (wd & ~gone).sum(axis=1),
            "_w_gone": (w * gone).sum(axis=1), "_w_left": (w * ~gone).sum(axis=1)}


def _team_days(weights: pd.Series, a: pd.Timestamp) -> dict[str, float]:
    """For the team: working days and day weight gone (up to ``a``) and left."""
    flags = (weights > 0).to_numpy()
    gone = weights.index.to_numpy() <= a.to_datetime64()
    team_w = weights.to_numpy()
    return {"days_elapsed": int((flags & gone).sum()), "days_left": int((flags & ~gone).sum()),
            "_w_gone": float((team_w * gone).sum()), "_w_left": float((team_w * ~gone).sum())}


def _project(frame: pd.DataFrame) -> pd.DataFrame:
    """Add run rate, projection, projected attainment, gap, gap per day and status; drop the weights."""
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["run_rate"] = np.where(frame["days_elapsed"] > 0, frame["actual"] / frame["days_elapsed"], np.nan)
        scale = np.where(frame["_w_gone"] > 0, frame["_w_left"] / frame["_w_gone"],
                         np.where(frame["_w_left"] > 0, np.nan, 0.0))
        frame["projection"] = frame["actual"] * (1 + scale)
        frame["projected_attainment"] = np.where(frame["target"] > 0, frame["projection"] / frame["target"],
                                                 np.nan)
        frame["gap"] = (frame["target"] - frame["actual"]).clip(lower=0)
        frame["gap_per_day"] = np.where(frame["days_left"] > 0, frame["gap"] / frame["days_left"], np.nan)
    frame["status"] = [status_of(x) for x in frame["projected_attainment"]]
    frame.loc[(frame["_w_gone"] <= 0) & (frame["_w_left"] > 0), "status"] = "not_started"
    frame["days_elapsed"] = frame["days_elapsed"].astype(int)
    frame["days_left"] = frame["days_left"].astype(int)
    return frame.drop(columns=["_w_gone", "_w_left"])


def cumulative(dataset: Dataset, *, start: DateLike, end: DateLike, as_of: DateLike, rep_id: str | None = None,
               targets: TargetSource | None = None, growth: float = DEFAULT_GROWTH,
               daily: pd.DataFrame | None = None, weights: pd.Series | None = None) -> pd.DataFrame:
    """Day by day: cumulative target, cumulative actual (to ``as_of``) and the projected path.

    Parameters
    ----------
    dataset : Dataset
        The loaded data (with ``weights`` given, its orders need only hold the rep's).
    start, end : date
        The whole period.
    as_of : date
        The last day with facts (clipped to ``start..end``).
    rep_id : str, optional
        One rep; None for the team.
    targets, growth
        Target source (see :func:`salesnb.review.plan.daily_targets`).
    daily : DataFrame, optional
        Daily targets already computed over (at least) ``start..end`` (speed-up).
    weights : Series, optional
        :func:`day_weights` of ``start..end`` as of the clipped ``as_of``, already
        computed (speed-up: they are learnt from every order of the company).

    Returns
    -------
    DataFrame
        date, target (cumulative), actual (cumulative, NaN after ``as_of``), projection
        (from ``as_of`` on, following the day weights), for one rep or the team (None).
    """
    s, e = span(start, end)
    a = min(max(to_timestamp("as_of", as_of), s - pd.Timedelta(days=1)), e)
    if daily is None:
        daily = daily_targets(dataset, start=s, end=e, targets=targets, growth=growth)
    daily = daily.loc[(daily["date"] >= s) & (daily["date"] <= e)]
    orders = between(dataset.orders, "order_date", s, a)
    if rep_id is not None:
        daily = daily.loc[daily["rep_id"].astype(str) == str(rep_id)]
        orders = orders.loc[orders["rep_id"].astype(str) == str(rep_id)]
    days = pd.date_range(s, e, freq="D")
    tgt = daily.groupby("date")["target"].sum().reindex(days, fill_value=0.0).cumsum()
    act = orders.groupby("order_date")["net_amount"].sum().reindex(days, fill_value=0.0).cumsum()
    if weights is None:
        weights = day_weights(dataset, start=s, end=e, as_of=a)
    if rep_id is not None:
        rep = dataset.reps.loc[dataset.reps["rep_id"].astype(str) == str(rep_id)].iloc[0]
        employed = ((pd.isna(rep["hire_date"]) | (days >= rep["hire_date"]))
                    & (pd.isna(rep["leave_date"]) | (days <= rep["leave_date"])))
        weights = weights * employed
    gone = days <= a
    w_gone = float(weights[gone].sum())
    actual_now = float(act[gone].iloc[-1]) if gone.any() else 0.0
    rate = actual_now / w_gone if w_gone > 0 else np.nan
    proj = actual_now + rate * weights.where(~gone, 0.0).cumsum()
    return pd.DataFrame({"date": days, "target": tgt.to_numpy(),
                         "actual": act.where(gone).to_numpy(),
                         "projection": proj.where(days >= a).to_numpy()})
