"""The option sets that notebook parameters and domain functions share (no imports).

A notebook's rules (:mod:`salesnb.params.notebooks`) and the domain function that
receives the value both read these tuples, so an option is added in one place.
"""

from __future__ import annotations

#: Same-period comparisons of the market analysis (``market.period_bounds``).
COMPARISONS = ("ytd", "month", "quarter", "year", "rolling12")
#: How the target cascade weighs last year against potential (``targets.build_plan``).
TARGET_METHODS = ("last_year_share", "potential_blend", "growth")
#: How the targets' feasibility check forecasts the reps (``targets.forecast_history``).
REP_FORECAST_METHODS = ("auto", "ensemble", "theta")
#: How leads are scored (``leads.LeadScorer``).
LEAD_MODES = ("auto", "rules", "bayes", "model")
#: Review periods by name; a ``YYYY-MM-DD`` start date gives a custom span instead.
REVIEW_PERIODS = ("week", "month", "quarter", "year")
#: What loading does with a row that breaks the contract.
ON_BAD_ROWS = ("reject", "raise")
