"""Lead prioritisation: clean and de-duplicate, score with reasons, assign, export call lists.

The steps of ``notebooks/02_lead_prioritization.ipynb``, each usable on its own::

    from salesnb import leads
    snap = leads.snapshot(ds.leads, as_of="2026-10-31")        # the list as it stood that day
    dedup = leads.deduplicate(snap, customers=ds.customers)    # merge duplicates, flag customers
    X, y = leads.history(snap, ds.regions)                     # closed leads to learn from
    scorer = leads.LeadScorer(mode="auto").fit(X, y)           # rules, bayes or model
    scored = leads.score_leads(scorer, dedup.open_leads(), ds.regions)
    plan = leads.assign_leads(scored, ds.reps, ds.regions, as_of="2026-10-31")
    calls = leads.call_lists(plan, scored, reps=ds.reps, regions=ds.regions)
    leads.export_call_lists(calls, "call_lists", mask=False)

Analysis modules (pure functions on frames): :mod:`~salesnb.leads.clean`
(de-duplication, customer matches), :mod:`~salesnb.leads.features`,
:mod:`~salesnb.leads.score` (:class:`LeadScorer`, :func:`fit_scorer`,
:func:`score_leads`), :mod:`~salesnb.leads.evaluate` (lift, capture, AUC, calibration,
:func:`backtest`), :mod:`~salesnb.leads.assign` (territory, capacity, fair shares),
:mod:`~salesnb.leads.coverage` and :mod:`~salesnb.leads.export` (call lists).
What the report shows (headline, tables in words, notes, Explore widgets) is in
:mod:`~salesnb.leads.views`; the charts are in :mod:`salesnb.plots.leads`.
"""

from salesnb.leads.assign import Assignment, active_reps, assign_leads, fairness, greedy_assign, territory_of
from salesnb.leads.clean import REASONS, Dedup, deduplicate, name_similarity
from salesnb.leads.coverage import whitespace
from salesnb.leads.evaluate import (
    Backtest,
    backtest,
    calibration_table,
    capture_at,
    cross_validated_scores,
    evidence,
    lift_table,
)
from salesnb.leads.export import CALL_COLUMNS, call_lists, export_call_lists
from salesnb.leads.features import REGION_FEATURES, history, lead_features, region_features, snapshot
from salesnb.leads.score import (
    AUTO_BAYES_BELOW,
    AUTO_RULES_BELOW,
    DEFAULT_RULES,
    MODES,
    LeadScorer,
    choose_mode,
    fit_scorer,
    score_leads,
)
from salesnb.leads.views import (
    backlog_table,
    customer_table,
    evidence_note,
    evidence_table,
    explore,
    explore_frame,
    explorer,
    export_folder,
    factor_table,
    fairness_note,
    fairness_table,
    headline,
    kinds,
    merge_table,
    mode_note,
    rep_table,
    translate,
)

__all__ = [
    "AUTO_BAYES_BELOW",
    "AUTO_RULES_BELOW",
    "CALL_COLUMNS",
    "DEFAULT_RULES",
    "MODES",
    "REASONS",
    "REGION_FEATURES",
    "Assignment",
    "Backtest",
    "Dedup",
    "LeadScorer",
    "active_reps",
    "assign_leads",
    "backlog_table",
    "backtest",
    "calibration_table",
    "call_lists",
    "capture_at",
    "choose_mode",
    "cross_validated_scores",
    "customer_table",
    "deduplicate",
    "evidence",
    "evidence_note",
    "evidence_table",
    "explore",
    "explore_frame",
    "explorer",
    "export_call_lists",
    "export_folder",
    "factor_table",
    "fairness",
    "fairness_note",
    "fairness_table",
    "fit_scorer",
    "greedy_assign",
    "headline",
    "history",
    "kinds",
    "lead_features",
    "lift_table",
    "merge_table",
    "mode_note",
    "name_similarity",
    "region_features",
    "rep_table",
    "score_leads",
    "snapshot",
    "territory_of",
    "translate",
    "whitespace",
]
