"""Potential clients: the open leads by segment, the wins expected per quarter and who works them.

The leads are scored and assigned as the lead report does (:attr:`WorkPlan.lead_work`).
Foreign investors are their own segment, whatever their channel. How many leads the
team gets through in a quarter is its pace of the last 12 months (leads closed, won or
lost); the leads are worked best score first, so a quarter's expected wins are the
sum of the win chances of the leads it reaches.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from salesnb.plan.work import WorkPlan

__all__ = ["FOREIGN", "expected_wins", "leads_by_province", "pace", "segment_of", "segments"]

#: The segment of a lead from a foreign investor.
FOREIGN = "foreign_investor"


def segment_of(leads: pd.DataFrame) -> pd.Series:
    """Return each lead's segment: ``foreign_investor`` when flagged, else its channel."""
    foreign = leads["foreign_investor"].fillna(False).astype(bool) if "foreign_investor" in leads else False
    return leads["channel"].astype(str).where(~foreign, FOREIGN).rename("segment")


def pace(work: WorkPlan) -> int:
    """Return how many leads the team closed (won or lost) in the 12 months up to the plan's end, per quarter."""
    led = work.dataset.leads
    closed = led["closed_date"].between(work.start, work.end) & led["status"].isin(["won", "lost"])
    return int(np.ceil(int(closed.sum()) / 4))


def expected_wins(work: WorkPlan) -> pd.DataFrame:
    """Return the leads worked and the wins expected per quarter of the plan's year and segment.

    Returns
    -------
    DataFrame
        ``quarter`` (1-4), ``segment``, ``leads``, ``expected_wins``; leads beyond the
        year's pace are not counted.
    """
    scored = work.lead_work.scored.sort_values(["score", "lead_id"], ascending=[False, True], kind="stable")
    per_quarter = max(pace(work), 1)
    quarter = np.arange(len(scored)) // per_quarter + 1
    frame = pd.DataFrame({"quarter": quarter, "segment": segment_of(scored).to_numpy(),
                          "score": scored["score"].to_numpy(dtype=float)})
    frame = frame.loc[frame["quarter"] <= 4]
    out = frame.groupby(["quarter", "segment"]).agg(leads=("score", "size"), expected_wins=("score", "sum"))
    return out.reset_index()


def segments(work: WorkPlan) -> pd.DataFrame:
    """Return the open leads per segment: ``segment, leads, assigned, mean_score, wins_year``.

    ``assigned`` counts the leads a rep holds or was given this week; ``wins_year``
    the wins expected from the segment in the plan's year (:func:`expected_wins`).
    """
    scored = work.lead_work.scored
    seg = segment_of(scored)
    held = scored["rep_id"].notna() | scored["lead_id"].isin(work.lead_work.assignment.assignments["lead_id"])
    out = pd.DataFrame({"segment": seg, "score": scored["score"].astype(float), "held": held})
    out = out.groupby("segment").agg(leads=("score", "size"), assigned=("held", "sum"), mean_score=("score", "mean"))
    wins = expected_wins(work).groupby("segment")["expected_wins"].sum()
    out["wins_year"] = wins.reindex(out.index).fillna(0.0)
    return out.sort_values(["leads"], ascending=False, kind="stable").reset_index()


def leads_by_province(work: WorkPlan, *, n: int = 15) -> pd.DataFrame:
    """Return the ``n`` best-ranked provinces (the market ranking) with their open leads.

    Returns
    -------
    DataFrame
        ``rank, name, parent, index, quadrant, leads, foreign, expected`` (sum of win chances).
    """
    scored = work.lead_work.scored
    by = scored.assign(foreign=segment_of(scored) == FOREIGN).groupby(scored["region_id"].astype(str))
    counts = by.agg(leads=("lead_id", "size"), foreign=("foreign", "sum"), expected=("score", "sum"))
    areas = work.provinces.sort_values("rank", kind="stable").head(n)
    out = areas[["region_id", "rank", "name", "parent", "index", "quadrant"]].join(counts, on="region_id")
    out[["leads", "foreign", "expected"]] = out[["leads", "foreign", "expected"]].fillna(0)
    return out.drop(columns="region_id").reset_index(drop=True)
