"""The 12-item rep evaluation as KPIs, and the weighted scorecard.

Each KPI is one function ``kpi_<name>(dataset, *, start, end, team=False)`` returning a
Series indexed by ``rep_id`` over the reps employed on at least one day of the span
(hired on or before ``end``, not left before ``start``). With ``team=True`` the series
ends with the team value under the label :data:`TEAM`. Every definition is in
``docs/KPIS.md``; in short:

====================  ==================================================================
target                sum of the daily targets in the span (see :mod:`.plan`)
actual                net sales (returns included) of the rep's orders
attainment            actual / target (*cumplimiento*)
new_customers         customers whose first purchase ever falls in the span
visits                visits and meetings with existing customers
calls                 phone calls (customers and leads)
weekly_orders         orders (positive net) per week worked (5 working days)
growth_rate           actual / actual of the same period last year - 1
new_development       new customers minus those of the prior period of equal length
lost_customers        the rep's customers whose lost date falls in the span
discipline            manager's evaluation score (0-100), if evaluations are given
report_completion     reports submitted on time / reports due in the span
response_hours        median hours to first response on complaints of the rep's customers
====================  ==================================================================

:func:`scorecard` puts them side by side, normalises each KPI to 0-1 across the reps
(best = 1; lower is better for lost customers and response hours), and combines them
into a 0-100 ``score`` with configurable weights.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.params import parameter_error
from salesnb.review._common import (
    TEAM,
    active_reps,
    between,
    employed_working_days,
    finish,
    positive_orders,
    rep_index,
    span,
)
from salesnb.review.complaints import complaint_times
from salesnb.review.lost import LOST_RULE, customer_rhythm
from salesnb.review.periods import prior_period, same_period_last_year
from salesnb.review.plan import DEFAULT_GROWTH, daily_targets

if TYPE_CHECKING:
    from salesnb.data import Dataset
    from salesnb.review.periods import DateLike
    from salesnb.review.plan import TargetSource

__all__ = [
    "DEFAULT_WEIGHTS",
    "KPIS",
    "LOWER_IS_BETTER",
    "PER_WEEK_IN_SCORE",
    "TEAM",
    "VISIT_KINDS",
    "check_weights",
    "kpi_actual",
    "kpi_attainment",
    "kpi_calls",
    "kpi_discipline",
    "kpi_growth_rate",
    "kpi_lost_customers",
    "kpi_new_customers",
    "kpi_new_development",
    "kpi_report_completion",
    "kpi_response_hours",
    "kpi_target",
    "kpi_visits",
    "kpi_weekly_orders",
    "normalise",
    "scorecard",
]

#: The KPI columns of the scorecard, in the order of the 12-item evaluation.
KPIS = ("target", "actual", "attainment", "new_customers", "visits", "calls", "weekly_orders",
        "growth_rate", "new_development", "lost_customers", "discipline", "report_completion",
        "response_hours")

#: KPIs where a lower value is better.
LOWER_IS_BETTER = frozenset({"lost_customers", "response_hours"})

#: Volume KPIs divided by weeks worked before scoring, so a mid-period hire is not
#: penalised for the weeks before joining.
PER_WEEK_IN_SCORE = frozenset({"new_customers", "visits", "calls"})

#: Default weights of the score (they sum to 1; documented in docs/KPIS.md).
DEFAULT_WEIGHTS: dict[str, float] = {
    "target": 0.0,
    "actual": 0.0,
    "attainment": 0.25,
    "new_customers": 0.10,
    "visits": 0.10,
    "calls": 0.05,
    "weekly_orders": 0.10,
    "growth_rate": 0.10,
    "new_development": 0.05,
    "lost_customers": 0.10,
    "discipline": 0.05,
    "report_completion": 0.05,
    "response_hours": 0.05,
}

#: Activity kinds that count as a visit (in person).
VISIT_KINDS = ("visit", "meeting")


# ----------------------------------------------------------------------------- KPIs


def _rep_orders(dataset: Dataset, s: pd.Timestamp, e: pd.Timestamp) -> pd.DataFrame:
    orders = between(dataset.orders, "order_date", s, e)
    return orders.assign(rep_id=orders["rep_id"].astype(str))


def kpi_actual(dataset: Dataset, *, start: DateLike, end: DateLike, team: bool = False) -> pd.Series:
    """Net sales (returns included) of each rep's orders in the span (*ventas reales*)."""
    s, e = span(start, end)
    orders = _rep_orders(dataset, s, e)
    values = orders.groupby("rep_id")["net_amount"].sum()
    return finish(values, rep_index(dataset, s, e), name="actual",
                  team=float(orders["net_amount"].sum()) if team else None)


def kpi_target(dataset: Dataset, *, start: DateLike, end: DateLike, targets: TargetSource | None = None,
               growth: float = DEFAULT_GROWTH, team: bool = False) -> pd.Series:
    """Sum of each rep's daily targets in the span (*objetivo*).

    The team target is the sum of every daily target in the span, including targets of
    reps who left and of vacant territories in a target plan.
    """
    s, e = span(start, end)
    daily = daily_targets(dataset, start=s, end=e, targets=targets, growth=growth)
    values = daily.groupby("rep_id")["target"].sum()
    out = finish(values, rep_index(dataset, s, e), name="target",
                 team=float(daily["target"].sum()) if team else None)
    out.attrs["source"] = daily.attrs.get("source")
    return out


def _ratio(num: pd.Series, den: pd.Series) -> pd.Series:
    with np.errstate(divide="ignore", invalid="ignore"):
        return num.where(den > 0) / den.where(den > 0)


def kpi_attainment(dataset: Dataset, *, start: DateLike, end: DateLike, targets: TargetSource | None = None,
                   growth: float = DEFAULT_GROWTH, team: bool = False) -> pd.Series:
    """Actual / target (*cumplimiento*); NaN where the target is 0."""
    actual = kpi_actual(dataset, start=start, end=end, team=team)
    target = kpi_target(dataset, start=start, end=end, targets=targets, growth=growth, team=team)
    return _ratio(actual, target).rename("attainment")


def _first_purchases(dataset: Dataset) -> pd.DataFrame:
    po = positive_orders(dataset.orders).sort_values(["order_date", "order_id"], kind="stable")
    first = po.drop_duplicates("customer_id", keep="first")
    return first.assign(rep_id=first["rep_id"].astype(str))


def _count_new(first: pd.DataFrame, s: pd.Timestamp, e: pd.Timestamp) -> tuple[pd.Series, float]:
    sel = between(first, "order_date", s, e)
    return sel.groupby("rep_id").size().astype(float), float(len(sel))


def kpi_new_customers(dataset: Dataset, *, start: DateLike, end: DateLike, team: bool = False) -> pd.Series:
    """Count customers whose first purchase ever falls in the span, credited to the rep of that order."""
    s, e = span(start, end)
    values, total = _count_new(_first_purchases(dataset), s, e)
    return finish(values, rep_index(dataset, s, e), name="new_customers", team=total if team else None)


def kpi_new_development(dataset: Dataset, *, start: DateLike, end: DateLike, team: bool = False) -> pd.Series:
    """Count new customers in the span minus new customers in the prior span of equal length."""
    s, e = span(start, end)
    ps, pe = prior_period(s, e)
    first = _first_purchases(dataset)
    now, now_total = _count_new(first, s, e)
    before, before_total = _count_new(first, ps, pe)
    index = rep_index(dataset, s, e)
    diff = now.reindex(index).fillna(0) - before.reindex(index).fillna(0)
    return finish(diff, index, name="new_development", team=now_total - before_total if team else None)


def _activities(dataset: Dataset, s: pd.Timestamp, e: pd.Timestamp) -> pd.DataFrame:
    if not dataset.has("activities"):
        return pd.DataFrame(columns=["activity_date", "rep_id", "customer_id", "lead_id", "kind"])
    acts = between(dataset.activities, "activity_date", s, e)
    return acts.assign(rep_id=acts["rep_id"].astype(str))


def kpi_visits(dataset: Dataset, *, start: DateLike, end: DateLike, team: bool = False) -> pd.Series:
    """Visits and meetings (kinds in :data:`VISIT_KINDS`) with existing customers (a customer_id)."""
    s, e = span(start, end)
    acts = _activities(dataset, s, e)
    sel = acts.loc[acts["kind"].isin(VISIT_KINDS) & acts["customer_id"].notna()]
    out = finish(sel.groupby("rep_id").size(), rep_index(dataset, s, e), name="visits",
                 team=float(len(sel)) if team else None)
    if not dataset.has("activities"):
        out[:] = np.nan
    return out


def kpi_calls(dataset: Dataset, *, start: DateLike, end: DateLike, team: bool = False) -> pd.Series:
    """Phone calls (kind ``call``) to customers and leads."""
    s, e = span(start, end)
    acts = _activities(dataset, s, e)
    sel = acts.loc[acts["kind"] == "call"]
    out = finish(sel.groupby("rep_id").size(), rep_index(dataset, s, e), name="calls",
                 team=float(len(sel)) if team else None)
    if not dataset.has("activities"):
        out[:] = np.nan
    return out


def weeks_worked(dataset: Dataset, *, start: DateLike, end: DateLike, team: bool = False) -> pd.Series:
    """Working days employed in the span / 5, per rep (team: the sum)."""
    s, e = span(start, end)
    weeks = employed_working_days(dataset, s, e) / 5.0
    return finish(weeks, rep_index(dataset, s, e), name="weeks_worked",
                  team=float(weeks.sum()) if team else None)


def kpi_weekly_orders(dataset: Dataset, *, start: DateLike, end: DateLike, team: bool = False) -> pd.Series:
    """Orders with a positive net total per week worked (*pedidos semanales*).

    Weeks worked = the rep's working days in the span (weekdays minus public holidays,
    from hire to leave) / 5. The team value is all orders / all rep-weeks.
    """
    s, e = span(start, end)
    po = between(positive_orders(dataset.orders), "order_date", s, e)
    counts = po.assign(rep_id=po["rep_id"].astype(str)).groupby("rep_id").size().astype(float)
    index = rep_index(dataset, s, e)
    weeks = weeks_worked(dataset, start=s, end=e, team=team)
    orders = finish(counts, index, name="orders", team=float(counts.reindex(index).fillna(0).sum())
                    if team else None)
    return _ratio(orders, weeks).rename("weekly_orders")


def kpi_growth_rate(dataset: Dataset, *, start: DateLike, end: DateLike, team: bool = False) -> pd.Series:
    """Actual / actual of the same period last year - 1 (*mismo período*); NaN without last year's sales."""
    s, e = span(start, end)
    ls, le = same_period_last_year(s, e)
    now = kpi_actual(dataset, start=s, end=e, team=team)
    orders = _rep_orders(dataset, ls, le)
    before = finish(orders.groupby("rep_id")["net_amount"].sum(), rep_index(dataset, s, e), name="ly",
                    team=float(orders["net_amount"].sum()) if team else None)
    return (_ratio(now, before) - 1).rename("growth_rate")


def kpi_lost_customers(dataset: Dataset, *, start: DateLike, end: DateLike, team: bool = False,
                       **rule: float) -> pd.Series:
    """Count the rep's customers whose lost date (see :mod:`.lost`) falls in the span."""
    s, e = span(start, end)
    rhythm = customer_rhythm(dataset, as_of=e, **{**LOST_RULE, **rule})
    lost = rhythm.loc[(rhythm["status"] == "lost") & (rhythm["lost_date"] >= s) & (rhythm["lost_date"] <= e)]
    values = lost.assign(rep_id=lost["rep_id"].astype(str)).groupby("rep_id").size().astype(float)
    return finish(values, rep_index(dataset, s, e), name="lost_customers",
                  team=float(len(lost)) if team else None)


def kpi_discipline(dataset: Dataset, *, start: DateLike, end: DateLike, team: bool = False) -> pd.Series:
    """Return the manager's discipline score (0-100) from ``evaluations``; NaN when there are none.

    The mean of the evaluations starting in the span; when none starts in it, the latest
    evaluation that started in the 366 days before it (an evaluation covers a quarter or
    more). The team value is the mean over the reps.
    """
    s, e = span(start, end)
    index = rep_index(dataset, s, e)
    if not dataset.has("evaluations"):
        out = finish(pd.Series(dtype=float), index, name="discipline", fill=None,
                     team=float("nan") if team else None)
        out.attrs["missing"] = True
        return out
    ev = dataset.evaluations
    ev = ev.assign(rep_id=ev["rep_id"].astype(str))
    inside = between(ev, "period_start", s, e).groupby("rep_id")["discipline"].mean()
    before = between(ev, "period_start", s - pd.Timedelta(days=366), s - pd.Timedelta(days=1))
    latest = before.sort_values("period_start", kind="stable").groupby("rep_id")["discipline"].last()
    values = inside.combine_first(latest)
    out = finish(values, index, name="discipline", fill=None)
    if team:
        out = finish(values, index, name="discipline", fill=None, team=float(out.mean()))
    return out


def kpi_report_completion(dataset: Dataset, *, start: DateLike, end: DateLike, team: bool = False) -> pd.Series:
    """Plans and reports submitted on time / those due in the span; NaN when none was due.

    On time: ``submitted_date <= due_date``. Due in the span: ``due_date`` in it.
    """
    s, e = span(start, end)
    index = rep_index(dataset, s, e)
    if not dataset.has("rep_reports"):
        return finish(pd.Series(dtype=float), index, name="report_completion", fill=None,
                      team=float("nan") if team else None)
    rr = between(dataset.rep_reports, "due_date", s, e)
    rr = rr.assign(rep_id=rr["rep_id"].astype(str),
                   on_time=(rr["submitted_date"].notna() & (rr["submitted_date"] <= rr["due_date"])))
    due = rr.groupby("rep_id").size().astype(float)
    ok = rr.groupby("rep_id")["on_time"].sum().astype(float)
    due_s = finish(due, index, name="due", team=float(len(rr)) if team else None)
    ok_s = finish(ok, index, name="ok", team=float(rr["on_time"].sum()) if team else None)
    return _ratio(ok_s, due_s).rename("report_completion")


def kpi_response_hours(dataset: Dataset, *, start: DateLike, end: DateLike, team: bool = False) -> pd.Series:
    """Median hours from opening to first response on complaints of the rep's customers.

    Complaints opened in the span count; the rep is the customer's owner; dates are whole
    days, so hours are multiples of 24. A complaint not answered by ``end`` counts with the
    hours it has waited so far. NaN for a rep with no complaint. (Activities do not record
    customer requests, so complaints are the measure of item 12, *respuesta a clientes*.)
    """
    s, e = span(start, end)
    times = complaint_times(dataset, start=s, end=e)
    values = times.dropna(subset=["rep_id"]).groupby("rep_id")["response_hours"].median()
    team_value = float(times["response_hours"].median()) if team and len(times) else float("nan")
    return finish(values, rep_index(dataset, s, e), name="response_hours", fill=None,
                  team=team_value if team else None)


# --------------------------------------------------------------------------- scoring


def check_weights(weights: Mapping[str, float] | None) -> dict[str, float]:
    """Return the default weights updated with ``weights``, checked and scaled to sum 1.

    Raises
    ------
    ParameterError
        For an unknown KPI name, a negative or non-finite weight, or all weights 0;
        in the report language (``weights`` is a notebook parameter).
    """
    if weights is None:
        weights = {}
    if not isinstance(weights, Mapping):
        raise parameter_error("weights_type", type=type(weights).__name__)
    unknown = [k for k in weights if k not in KPIS]
    if unknown:
        raise parameter_error("weights_unknown", names=", ".join(map(repr, unknown)), valid=", ".join(KPIS))
    merged = dict(DEFAULT_WEIGHTS)
    for name, value in weights.items():
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value < 0:
            raise parameter_error("weights_value", name=name, value=repr(value))
        merged[name] = float(value)
    total = sum(merged.values())
    if total <= 0:
        raise parameter_error("weights_zero")
    return {k: v / total for k, v in merged.items()}


def normalise(kpis: pd.DataFrame, *, weeks: pd.Series | None = None) -> pd.DataFrame:
    """Each KPI scaled to 0-1 across the reps (best = 1), NaN where the KPI is missing.

    ``(x - min) / (max - min)``, reversed for :data:`LOWER_IS_BETTER`; 0.5 for everyone
    when all reps have the same value. With ``weeks``, the :data:`PER_WEEK_IN_SCORE`
    KPIs are divided by weeks worked first.
    """
    out = pd.DataFrame(index=kpis.index)
    for name in KPIS:
        if name not in kpis:
            continue
        x = kpis[name].astype(float)
        if weeks is not None and name in PER_WEEK_IN_SCORE:
            x = _ratio(x, weeks.reindex(x.index))
        lo, hi = x.min(), x.max()
        if pd.isna(lo):
            out[name] = np.nan
            continue
        scaled = (x - lo) / (hi - lo) if hi > lo else x.where(x.isna(), 0.5)
        out[name] = 1 - scaled if name in LOWER_IS_BETTER and hi > lo else scaled
    return out


def scorecard(dataset: Dataset, *, period_start: DateLike, period_end: DateLike, targets: TargetSource | None = None,
              weights: Mapping[str, float] | None = None, growth: float = DEFAULT_GROWTH) -> pd.DataFrame:
    """Score the 12-item evaluation for every rep employed in the span, plus a team row.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    period_start, period_end : date
        The span the KPIs cover (both included); pass the as-of date as the end to
        review a period to date (targets then cover the same days).
    targets : TargetPlan, DataFrame or path, optional
        Explicit targets (see :func:`salesnb.review.plan.daily_targets`).
    weights : dict, optional
        KPI name -> weight, updating :data:`DEFAULT_WEIGHTS` (scaled to sum 1).
    growth : float, default 0.05
        Growth over last year for the default targets.

    Returns
    -------
    DataFrame
        One row per rep (sorted by rank) then the team row (``rep_id == TEAM``):
        rep_id, name, is_team, weeks_worked, the :data:`KPIS`, score (0-100) and rank
        (1 = best; missing for the team). ``attrs`` holds ``weights`` (used),
        ``target_source`` and ``missing`` (KPIs without data).

    Raises
    ------
    ParameterError
        For bad weights or dates.
    """
    w = check_weights(weights)
    s, e = span(period_start, period_end)
    frame, target_source = _kpi_frame(dataset, s, e, targets=targets, growth=growth)
    weeks = weeks_worked(dataset, start=s, end=e, team=True)
    reps = frame.drop(index=TEAM)
    norm = normalise(reps, weeks=weeks.drop(index=TEAM))
    score, used, missing = _weighted_score(norm, w)
    rank = score.rank(ascending=False, method="min").astype("Int64")
    names = active_reps(dataset, s, e).set_index("rep_id")["name"].astype(object)
    frame.insert(0, "weeks_worked", weeks)
    frame.insert(0, "is_team", frame.index == TEAM)
    frame.insert(0, "name", names.reindex(frame.index))
    frame["score"] = score.reindex(frame.index)
    frame["rank"] = rank.reindex(frame.index).astype("Int64")
    frame = frame.reset_index()
    order = frame.loc[~frame["is_team"]].sort_values(["rank", "rep_id"], kind="stable", na_position="last")
    out = pd.concat([order, frame.loc[frame["is_team"]]], ignore_index=True)
    out.attrs.update({"weights": {k: w[k] for k in used}, "target_source": target_source,
                      "missing": missing, "start": s, "end": e})
    return out


def _kpi_frame(dataset: Dataset, s: pd.Timestamp, e: pd.Timestamp, *, targets: TargetSource | None,
               growth: float) -> tuple[pd.DataFrame, str | None]:
    """Return the 13 KPI columns (index rep_id, team row last) and where the targets came from."""
    kw = {"start": s, "end": e, "team": True}
    target = kpi_target(dataset, targets=targets, growth=growth, **kw)
    actual = kpi_actual(dataset, **kw)
    cols = {
        "target": target,
        "actual": actual,
        "attainment": _ratio(actual, target),
        "new_customers": kpi_new_customers(dataset, **kw),
        "visits": kpi_visits(dataset, **kw),
        "calls": kpi_calls(dataset, **kw),
        "weekly_orders": kpi_weekly_orders(dataset, **kw),
        "growth_rate": kpi_growth_rate(dataset, **kw),
        "new_development": kpi_new_development(dataset, **kw),
        "lost_customers": kpi_lost_customers(dataset, **kw),
        "discipline": kpi_discipline(dataset, **kw),
        "report_completion": kpi_report_completion(dataset, **kw),
        "response_hours": kpi_response_hours(dataset, **kw),
    }
    frame = pd.DataFrame(cols)
    frame.index.name = "rep_id"
    return frame, target.attrs.get("source")


def _weighted_score(norm: pd.DataFrame, w: dict[str, float]) -> tuple[pd.Series, dict[str, float], list[str]]:
    """Return each rep's 0-100 score, the weights used and the KPIs left out (no data for anyone)."""
    missing = [k for k in KPIS if k in norm and norm[k].isna().all()]
    used = {k: v for k, v in w.items() if k not in missing and v > 0}
    wv = pd.Series(used, dtype=float)
    if wv.empty:
        score = pd.Series(np.nan, index=norm.index)
    else:
        sub = norm[list(wv.index)]
        avail = sub.notna().to_numpy() * wv.to_numpy()[None, :]
        num = (sub.fillna(0).to_numpy() * wv.to_numpy()[None, :]).sum(axis=1)
        den = avail.sum(axis=1)
        score = pd.Series(np.where(den > 0, 100 * num / np.where(den > 0, den, 1), np.nan), index=norm.index)
    return score.round(9), used, missing  # rounded: ties stay ties despite float noise in sums
