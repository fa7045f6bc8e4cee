"""Targets: the cascade from an annual target to every rep and working day, and its audit.

The pieces, in the order a director uses them:

* :func:`allocate` — split an amount in proportion so the parts add up exactly
  (largest-remainder rounding in whole units);
* :func:`breakdown` → :class:`TargetPlan` — annual → region × category → month → rep →
  ISO week → working day, with ramps for new hires, no target after a leaver's last
  day, public holidays and company closures, hand-locked overrides, and an audit
  table proving every level adds up;
* :func:`compare_methods` — the region split under each method, side by side;
* :func:`forecast_history`, :func:`bottom_up`, :func:`feasibility` — the plan against
  forecasts: unrealistic targets, and the chance of meeting each region's month;
  :func:`forecast_check` — how those forecasts' methods did on held-out history
  (the reps' method: :func:`rep_method_for`);
* :func:`to_xlsx` — the plan as a workbook (summary + one sheet per rep), formula-safe;
* :func:`activity_plan`, :func:`activity_weeks` — the calls, visits, proposals and new
  customers each rep's months and weeks need, from the conversion funnel
  (:func:`conversion_rates`); :func:`weighted_pipeline` — open leads weighted by stage.

The modules, analyses first:

* :mod:`~salesnb.targets.allocate` — largest-remainder rounding;
* :mod:`~salesnb.targets.basis` — last year's sales, seasonality and market potential;
* :mod:`~salesnb.targets.methods` — the three split methods' weights;
* :mod:`~salesnb.targets.availability` — working-day calendars and reps' availability;
* :mod:`~salesnb.targets.overrides` — locked targets and the region totals that honour them;
* :mod:`~salesnb.targets.cascade` — :func:`breakdown` and :func:`compare_methods`;
* :mod:`~salesnb.targets.plan` — :class:`TargetPlan`, what views and the review read;
* :mod:`~salesnb.targets.checks` — the reconciliation audit and the bottom-up check;
* :mod:`~salesnb.targets.outlook` — forecasts of the history and the chance of meeting each month;
* :mod:`~salesnb.targets.xlsx` — the workbook export;
* :mod:`~salesnb.targets.activity` — the funnel, the activity plan and its weeks;
* :mod:`~salesnb.targets.pipeline` — lead stages, stage win rates, the weighted pipeline.

:mod:`salesnb.targets.views` holds what the notebook displays (headline, tables, the
rep explorer); :mod:`salesnb.plots.targets` its charts; :mod:`salesnb.workdays` the
working-day calendar.
"""

from salesnb.targets.activity import activity_plan, activity_weeks, conversion_rates
from salesnb.targets.allocate import allocate
from salesnb.targets.cascade import breakdown, check_growth_pct, compare_methods
from salesnb.targets.checks import AUDIT_LEVELS, audit_plan, bottom_up
from salesnb.targets.methods import METHODS
from salesnb.targets.outlook import (
    REP_THETA_ABOVE,
    feasibility,
    forecast_check,
    forecast_history,
    history_series,
    rep_method_for,
)
from salesnb.targets.overrides import OverrideError, check_overrides
from salesnb.targets.pipeline import weighted_pipeline
from salesnb.targets.plan import TargetPlan
from salesnb.targets.xlsx import to_xlsx

__all__ = [
    "AUDIT_LEVELS",
    "METHODS",
    "REP_THETA_ABOVE",
    "OverrideError",
    "TargetPlan",
    "activity_plan",
    "activity_weeks",
    "allocate",
    "audit_plan",
    "bottom_up",
    "breakdown",
    "check_growth_pct",
    "check_overrides",
    "compare_methods",
    "conversion_rates",
    "feasibility",
    "forecast_check",
    "forecast_history",
    "history_series",
    "rep_method_for",
    "to_xlsx",
    "weighted_pipeline",
]
