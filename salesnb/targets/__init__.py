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
* :func:`to_xlsx` — the plan as a workbook (summary + one sheet per rep), formula-safe.

:mod:`salesnb.targets.views` holds what the notebook displays (headline, tables, the
rep explorer); :mod:`salesnb.plots.targets` its charts; :mod:`salesnb.workdays` the
working-day calendar.
"""

from salesnb.targets.allocate import allocate
from salesnb.targets.cascade import (
    AUDIT_LEVELS,
    METHODS,
    OverrideError,
    TargetPlan,
    audit_plan,
    breakdown,
    compare_methods,
)
from salesnb.targets.checks import bottom_up, feasibility, forecast_history, history_series
from salesnb.targets.xlsx import to_xlsx

__all__ = [
    "AUDIT_LEVELS",
    "METHODS",
    "OverrideError",
    "TargetPlan",
    "allocate",
    "audit_plan",
    "bottom_up",
    "breakdown",
    "compare_methods",
    "feasibility",
    "forecast_history",
    "history_series",
    "to_xlsx",
]
