"""The five actions that matter most, picked from the sections' own figures.

Each candidate action is a code and the figures its sentence needs (the views word
it); they are listed in a fixed order of weight — the target first, then money owed,
the accounts at risk, the new business and the service — and the first five that
apply are kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from salesnb.plan.calendar import year_calendar
from salesnb.plan.prospects import segments
from salesnb.plan.service import causes, collection
from salesnb.plan.territory import account_cards, region_plan

if TYPE_CHECKING:
    from salesnb.plan.work import WorkPlan

__all__ = ["top_actions"]


def top_actions(work: WorkPlan, *, n: int = 5) -> list[dict[str, Any]]:
    """Return the ``n`` actions that matter most: ``{"code": ..., **figures}`` each.

    Codes: ``region`` (the region whose target is least likely), ``whitespace`` (the
    region with the largest white-space gap), ``collect`` (DSO above its goal),
    ``accounts`` (key accounts at risk), ``leads`` (the segment with most expected
    wins), ``push`` (the month before the high season), ``service`` (the first cause
    of complaints).
    """
    found = [_region(work), _whitespace(work), _collect(work), _accounts(work), _leads(work), _push(work),
             _service(work)]
    return [a for a in found if a is not None][:n]


def _region(work: WorkPlan) -> dict[str, Any] | None:
    plan = region_plan(work)
    order = {"unrealistic": 0, "stretch": 1}
    hard = plan.loc[plan["flag"].isin(list(order))]
    if hard.empty:
        return None
    row = hard.assign(o=hard["flag"].map(order)).sort_values(["o", "growth"], ascending=[True, False]).iloc[0]
    return {"code": "region", "region": row["name"], "growth": row["growth"], "flag": row["flag"]}


def _whitespace(work: WorkPlan) -> dict[str, Any] | None:
    plan = region_plan(work)
    row = plan.sort_values(["sales_gap", "region_id"], ascending=[False, True]).iloc[0]
    return None if row["sales_gap"] <= 0 else {"code": "whitespace", "region": row["name"], "gap": row["sales_gap"],
                                                "provinces": int(row["whitespace"])}


def _collect(work: WorkPlan) -> dict[str, Any] | None:
    c = collection(work)
    if not c["dso"] > c["dso_goal"]:
        return None
    return {"code": "collect", "dso": c["dso"], "goal": c["dso_goal"], "overdue": c["overdue"]}


def _accounts(work: WorkPlan) -> dict[str, Any] | None:
    cards = account_cards(work)
    risky = cards.loc[(cards["risk"] >= 0.2) | (cards["overdue"] > 0) | (cards["open_complaints"] > 0)]
    if risky.empty:
        return None
    return {"code": "accounts", "n": len(risky), "total": len(cards), "sales": float(risky["last_year"].sum())}


def _leads(work: WorkPlan) -> dict[str, Any] | None:
    seg = segments(work).sort_values("wins_year", ascending=False, kind="stable")
    if seg.empty or seg["wins_year"].iloc[0] <= 0:
        return None
    return {"code": "leads", "segment": seg["segment"].iloc[0], "wins": float(seg["wins_year"].iloc[0]),
            "leads": int(seg["leads"].iloc[0])}


def _push(work: WorkPlan) -> dict[str, Any] | None:
    cal = year_calendar(work)
    pushes = cal.loc[cal["push"]]
    if pushes.empty:
        return None
    return {"code": "push", "months": pushes["month"].tolist()}


def _service(work: WorkPlan) -> dict[str, Any] | None:
    by = causes(work)
    if by.empty:
        return None
    return {"code": "service", "cause": by["category"].iloc[0], "n": int(by["complaints"].iloc[0]),
            "total": int(by["complaints"].sum())}
