"""The weighted pipeline: open leads by stage, the stage's win rate from history, expected sales ahead.

A lead's stage is the furthest one its contacts reached up to the reporting day:
``contacted`` (any contact), ``demo_done``, ``proposal_sent``, ``negotiation``.
Leads closed before that day give each stage's win rate (won / closed among the
leads that got at least that far) and the median days from reaching the stage to
closing. An open lead is worth its stage's win rate times the average first order,
expected in the month its stage usually closes in (overdue ones next month).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.params import check_positive_int, to_timestamp
from salesnb.targets.activity import average_first_order

if TYPE_CHECKING:
    from salesnb.data import Dataset

__all__ = ["STAGES", "lead_stages", "stage_win_rates", "weighted_pipeline"]

#: Stages of a lead, in order, and the contact outcomes that reach them.
STAGES = ("contacted", "demo_done", "proposal_sent", "negotiation")


def lead_stages(dataset: Dataset, *, as_of: object) -> pd.DataFrame:
    """Each lead's furthest stage reached by its contacts up to ``as_of``.

    Returns
    -------
    DataFrame
        ``lead_id, stage, stage_no`` (0 for ``contacted`` .. 3), ``reached`` (the day the
        stage was first reached), for leads with at least one contact.
    """
    day = to_timestamp("as_of", as_of)
    acts = dataset["activities"]
    acts = acts.loc[acts["lead_id"].notna() & (acts["activity_date"] <= day)]
    level = acts["outcome"].map({s: i for i, s in enumerate(STAGES)}).fillna(0).astype(int)
    frame = pd.DataFrame({"lead_id": acts["lead_id"], "stage_no": level, "date": acts["activity_date"]})
    frame = frame.sort_values(["lead_id", "stage_no", "date"], ascending=[True, False, True], kind="stable")
    top = frame.drop_duplicates("lead_id").rename(columns={"date": "reached"})
    top["stage"] = np.array(STAGES, dtype=object)[top["stage_no"].to_numpy()]
    return top[["lead_id", "stage", "stage_no", "reached"]].reset_index(drop=True)


def stage_win_rates(dataset: Dataset, *, as_of: object) -> pd.DataFrame:
    """Win rate and days to close of each stage, from leads closed by ``as_of``.

    Returns
    -------
    DataFrame
        ``stage, closed, won, win_rate, days_to_close``, one row per stage in order:
        ``closed`` and ``won`` count the closed leads that got at least that far (so the
        win rate of ``contacted`` is the overall one); ``days_to_close`` is the median
        days from reaching the stage to closing for leads that stopped there (30 when
        none did).
    """
    day = to_timestamp("as_of", as_of)
    leads = dataset["leads"]
    closed = leads.loc[leads["status"].isin(["won", "lost"]) & (leads["closed_date"] <= day)]
    stages = lead_stages(dataset, as_of=day).merge(closed[["lead_id", "status", "closed_date"]], on="lead_id")
    stages["days"] = (stages["closed_date"] - stages["reached"]).dt.days.clip(lower=0)
    won = (stages["status"] == "won").to_numpy()
    level = stages["stage_no"].to_numpy()
    rows = []
    for i, stage in enumerate(STAGES):
        reached = level >= i  # leads that got at least this far
        rows.append({"stage": stage, "closed": int(reached.sum()), "won": int(won[reached].sum()),
                     "days_to_close": stages.loc[level == i, "days"].median()})
    out = pd.DataFrame(rows).set_index("stage")
    out["win_rate"] = np.where(out["closed"] > 0, out["won"] / out["closed"].where(out["closed"] > 0), 0.0)
    out["days_to_close"] = out["days_to_close"].fillna(30.0)
    out = out.astype({"closed": int, "won": int}).rename_axis("stage").reset_index()
    return out[["stage", "closed", "won", "win_rate", "days_to_close"]]


def weighted_pipeline(dataset: Dataset, *, as_of: object, months: int = 3) -> pd.DataFrame:
    """Return expected sales from open leads in each of the next ``months`` months, per rep and stage.

    Parameters
    ----------
    dataset : Dataset
        Needs ``leads``, ``activities`` and ``orders``.
    as_of : date-like
        The reporting day: leads open then, history up to then.
    months : int, default 3
        How many months after ``as_of``'s month to cover (1 to 12 is sensible).

    Returns
    -------
    DataFrame
        ``rep_id, month, stage, leads, win_rate, expected_sales`` (leads x win rate x
        average first order), by rep, month and stage; leads without a rep are
        ``rep_id`` empty. ``attrs["first_order"]`` is the value a win is worth.
    """
    day = to_timestamp("as_of", as_of)
    months = check_positive_int("months", months)
    leads = dataset["leads"]
    open_ = leads.loc[(leads["created_date"] <= day) & ((leads["status"] == "open") | (leads["closed_date"] > day))]
    rates = stage_win_rates(dataset, as_of=day).set_index("stage")
    stages = lead_stages(dataset, as_of=day).merge(open_[["lead_id", "rep_id"]], on="lead_id")
    close = stages["reached"] + pd.to_timedelta(stages["stage"].map(rates["days_to_close"]), unit="D")
    first = (day + pd.offsets.MonthBegin(1)).normalize()
    close = close.where(close >= first, first)
    stages["month"] = close.dt.to_period("M").dt.to_timestamp()
    last = first + pd.DateOffset(months=months)
    stages = stages.loc[stages["month"] < last]
    value = average_first_order(dataset, end=day)
    value = value if np.isfinite(value) else 0.0
    out = stages.groupby(["rep_id", "month", "stage"], dropna=False, sort=True).size().rename("leads").reset_index()
    out["win_rate"] = out["stage"].map(rates["win_rate"]).astype(float)
    out["expected_sales"] = out["leads"] * out["win_rate"] * value
    out.attrs["first_order"] = value
    return out
