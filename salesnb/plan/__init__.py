"""The director's annual work plan, assembled from the other domains (no numbers of its own).

:func:`open_plan` takes the dataset and the director's choices (year, target or growth,
method, ramp, hires, goals, training days) and returns a :class:`WorkPlan` holding the
other domains' figures: the target breakdown (:mod:`salesnb.targets`), its forecasts,
the market map and key accounts (:mod:`salesnb.market`), the scored leads
(:mod:`salesnb.leads`), receivables, complaints and churn (:mod:`salesnb.review`),
margin, expenses, commissions and competitors (:mod:`salesnb.money`) and the activity a
target needs (:mod:`salesnb.targets.activity`).
Every number in the plan is one of theirs, computed by the same function with the
same arguments, so the plan agrees with the other reports.

The modules, in the order of the plan's sections:

* :mod:`~salesnb.plan.assumptions` — the choices, checked, from the notebook or ``plan.toml``;
* :mod:`~salesnb.plan.work` — :func:`open_plan` and :class:`WorkPlan`;
* :mod:`~salesnb.plan.goals` — the year's goals, the target against the forecast, its splits;
* :mod:`~salesnb.plan.actions` — the five actions that matter most;
* :mod:`~salesnb.plan.standing` — this year against last, seasons, trends;
* :mod:`~salesnb.plan.territory` — the plan by region and the key-account cards;
* :mod:`~salesnb.plan.prospects` — the open leads by segment and the wins per quarter;
* :mod:`~salesnb.plan.team` — headcount, hires, activity, evaluation and reviews;
* :mod:`~salesnb.plan.budget` — revenue, margin, selling expenses, commissions, contribution;
* :mod:`~salesnb.plan.service` — collection and after-sales;
* :mod:`~salesnb.plan.calendar` — the year month by month.

What the notebook shows is in :mod:`salesnb.plan.views`; the charts in :mod:`salesnb.plots.plan`.
"""

from salesnb.plan.actions import top_actions
from salesnb.plan.assumptions import (
    FILE_NAME,
    assumptions_path,
    check_goals,
    check_hires,
    check_training,
    with_assumptions,
)
from salesnb.plan.budget import (
    budget_months,
    expense_plan,
    has_money,
    incentives,
    margin_goal,
    margin_last_year,
    region_contribution,
)
from salesnb.plan.calendar import promotions, year_calendar
from salesnb.plan.goals import SPLITS, target_split, target_vs_forecast, year_goals
from salesnb.plan.prospects import expected_wins, leads_by_province, segments
from salesnb.plan.service import causes, collection, collectors, service
from salesnb.plan.standing import competitors, same_period, seasons, trends
from salesnb.plan.team import activity_last_year, evaluation, headcount, hires_plan, review_calendar
from salesnb.plan.territory import account_cards, network, region_plan
from salesnb.plan.work import WorkPlan, open_plan

__all__ = [
    "FILE_NAME",
    "SPLITS",
    "WorkPlan",
    "account_cards",
    "activity_last_year",
    "assumptions_path",
    "budget_months",
    "causes",
    "check_goals",
    "check_hires",
    "check_training",
    "collection",
    "collectors",
    "competitors",
    "evaluation",
    "expected_wins",
    "expense_plan",
    "has_money",
    "headcount",
    "hires_plan",
    "incentives",
    "leads_by_province",
    "margin_goal",
    "margin_last_year",
    "network",
    "open_plan",
    "promotions",
    "region_contribution",
    "region_plan",
    "review_calendar",
    "same_period",
    "seasons",
    "segments",
    "service",
    "target_split",
    "target_vs_forecast",
    "top_actions",
    "trends",
    "with_assumptions",
    "year_calendar",
    "year_goals",
]
