"""Periodic review (*resumen de ventas periódico*): scorecards, pacing, receivables, complaints.

KPI scorecards, pacing, receivables, complaints, lost customers and win/loss.

The analysis lives in submodules of pure functions, re-exported here:

* :mod:`.periods` — :func:`period_range`, same period last year, prior period, working days;
* :mod:`.plan` — daily targets (target plan, a targets file, or last year + growth);
* :mod:`.kpis` — one ``kpi_<name>`` function per KPI of the 12-item evaluation, and
  :func:`scorecard` with its weighted score and rank;
* :mod:`.pacing` — projection to the period end, gap per remaining working day;
* :mod:`.lost` — the lost-customer rule and the churn risk of active customers;
* :mod:`.receivables` — aging buckets, DSO, collection plan;
* :mod:`.complaints` — complaint volume and SLA times;
* :mod:`.winloss` — lead outcomes and attribute lift;
* :mod:`.page` — :func:`open_review`, which checks a review's parameters and returns a
  :class:`ReviewPage`: the figures of the team page or of one rep's page, computed on
  first use.

What a notebook shows of a page is in :mod:`salesnb.review.views` (``views.headline(page)``,
``views.scorecard_table(page)`` ...), its charts in :mod:`salesnb.plots.review`.

Every KPI is defined in ``docs/KPIS.md``. The functions :func:`pacing` and :func:`winloss`
share their module's name, so ``salesnb.review.pacing`` is the function; reach the rest of
those modules with ``from salesnb.review.pacing import day_weights``.
"""

from salesnb.review._common import TEAM
from salesnb.review.complaints import (
    CONFIG_MISMATCH,
    SLA,
    check_sla,
    complaint_times,
    complaints_by,
    complaints_summary,
)
from salesnb.review.kpis import (
    DEFAULT_WEIGHTS,
    KPIS,
    LOWER_IS_BETTER,
    check_weights,
    kpi_actual,
    kpi_attainment,
    kpi_calls,
    kpi_discipline,
    kpi_growth_rate,
    kpi_lost_customers,
    kpi_new_customers,
    kpi_new_development,
    kpi_report_completion,
    kpi_response_hours,
    kpi_target,
    kpi_visits,
    kpi_weekly_orders,
    normalise,
    scorecard,
    weeks_worked,
)
from salesnb.review.lost import LOST_RULE, ChurnResult, churn_risk, customer_rhythm, lost_customers
from salesnb.review.pacing import cumulative, pacing
from salesnb.review.page import ReviewPage, check_rep, open_review
from salesnb.review.periods import (
    PERIOD_KINDS,
    Period,
    holiday_dates,
    period_range,
    prior_period,
    same_period_last_year,
    working_days,
)
from salesnb.review.plan import DEFAULT_GROWTH, check_growth, daily_targets
from salesnb.review.receivables import BUCKETS, aging, collection_plan, dso, open_invoices
from salesnb.review.winloss import attribute_lift, closed_leads, winloss, winloss_window

__all__ = [
    "BUCKETS",
    "CONFIG_MISMATCH",
    "DEFAULT_GROWTH",
    "DEFAULT_WEIGHTS",
    "KPIS",
    "LOST_RULE",
    "LOWER_IS_BETTER",
    "PERIOD_KINDS",
    "SLA",
    "TEAM",
    "ChurnResult",
    "Period",
    "ReviewPage",
    "aging",
    "attribute_lift",
    "check_growth",
    "check_rep",
    "check_sla",
    "check_weights",
    "churn_risk",
    "closed_leads",
    "collection_plan",
    "complaint_times",
    "complaints_by",
    "complaints_summary",
    "cumulative",
    "customer_rhythm",
    "daily_targets",
    "dso",
    "holiday_dates",
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
    "lost_customers",
    "normalise",
    "open_invoices",
    "open_review",
    "pacing",
    "period_range",
    "prior_period",
    "same_period_last_year",
    "scorecard",
    "weeks_worked",
    "winloss",
    "winloss_window",
    "working_days",
]
