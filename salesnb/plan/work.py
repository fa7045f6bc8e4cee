"""The inputs of a work plan and the figures its sections share, each computed once.

:func:`open_plan` checks the director's choices and returns a :class:`WorkPlan`: the
dataset, the year and the choices, plus the figures of the other domains the sections
read (the target breakdown, its forecasts, the key accounts, the market map, open
invoices, churn risk, complaints, the scored and assigned leads). Every figure is the
return value of the same public function the other reports call, with the same
arguments, so the plan's numbers are theirs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pandas as pd

from salesnb import leads, market, money, review, targets
from salesnb.params import check_choice
from salesnb.plan.assumptions import check_goals, check_hires, check_training
from salesnb.targets import TargetPlan
from salesnb.targets.activity import activity_plan
from salesnb.vocab import REP_FORECAST_METHODS

if TYPE_CHECKING:
    from salesnb.data import Dataset

__all__ = ["LeadWork", "WorkPlan", "open_plan"]


@dataclass(frozen=True)
class LeadWork:
    """The open leads, scored and assigned, as the lead report computes them.

    Attributes
    ----------
    scored : DataFrame
        One row per open lead (after de-duplication) with its win ``score``.
    assignment : leads.assign.Assignment
        This week's assignment of leads to reps.
    """

    scored: pd.DataFrame
    assignment: Any


def open_plan(dataset: Dataset, *, year: int, period_end: object = None, annual_target: float | None = None,
              growth_pct: float = 8.0, method: str = "potential_blend", ramp_months: int = 3,
              closures: Sequence[str] = (), hires: Sequence[Mapping[str, Any]] = (),
              training: Sequence[str] = (), goals: Mapping[str, float] | None = None,
              key_accounts: int = 10, rep_method: str = "auto") -> WorkPlan:
    """Check a plan's choices and return its :class:`WorkPlan` (figures are computed on first use).

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    year : int
        The year the plan covers.
    period_end : date-like, optional
        The last day of data the plan stands on; by default the target breakdown's
        ``base_end`` (the end of the last complete month of orders).
    annual_target, growth_pct, method, ramp_months, closures
        As for :func:`salesnb.targets.breakdown`.
    hires : sequence of dict
        Planned hires: ``{"region": region_id, "month": 1-12}``.
    training : sequence of str
        Training days, ``YYYY-MM-DD``.
    goals : mapping, optional
        ``dso_days``, ``response_hours`` and ``margin`` goals (see :func:`check_goals`).
    key_accounts : int, default 10
        Accounts that get a card.
    rep_method : {"auto", "ensemble", "theta"}, default "auto"
        How the reps' histories are forecast, as for
        :func:`salesnb.targets.forecast_history` (ask what the target breakdown asks,
        so both read the same remembered forecasts).

    Returns
    -------
    WorkPlan

    Raises
    ------
    ParameterError
        For a hire in an unknown region, a bad date or goal, or a bad ``rep_method``.
    """
    check_choice("rep_method", rep_method, REP_FORECAST_METHODS)
    return WorkPlan(
        dataset=dataset, year=int(year), period_end=period_end,
        target_options={"annual_target": annual_target, "growth_pct": growth_pct, "method": method,
                        "ramp_months": ramp_months, "closures": list(closures)},
        hires=check_hires(hires, regions=dataset.regions), training=check_training(training, year=year),
        goals=check_goals(goals), n_accounts=int(key_accounts), rep_method=rep_method)


@dataclass(frozen=True, eq=False)
class WorkPlan:
    """A year's work plan: its inputs and the other domains' figures it assembles.

    Build it with :func:`open_plan`. Treat what it hands out as read-only.

    Attributes
    ----------
    dataset : Dataset
    year : int
    period_end : object
        As given (None: the breakdown's ``base_end``); :attr:`end` is the day used.
    target_options : dict
        The arguments passed to :func:`salesnb.targets.breakdown`.
    hires : DataFrame
        ``region_id, month`` of each planned hire.
    training : list of Timestamp
        Training days.
    goals : dict
        ``dso_days``, ``response_hours``, ``margin``.
    n_accounts : int
        Accounts that get a card.
    rep_method : str
        How the reps' histories are forecast (:func:`salesnb.targets.forecast_history`).
    """

    dataset: Dataset
    year: int
    period_end: object
    target_options: dict[str, Any]
    hires: pd.DataFrame
    training: list[pd.Timestamp]
    goals: dict[str, float | None]
    n_accounts: int
    notes: list[str] = field(default_factory=list)
    rep_method: str = "auto"

    @property
    def currency(self) -> str:
        """The dataset's currency."""
        return str(getattr(self.dataset, "currency", "EUR") or "EUR")

    @property
    def company(self) -> str:
        """The company's name (the dataset's)."""
        return str(getattr(self.dataset, "name", "") or "")

    @cached_property
    def targets(self) -> TargetPlan:
        """The target breakdown of the year (:func:`salesnb.targets.breakdown`)."""
        return targets.breakdown(self.dataset, year=self.year, **self.target_options)

    @cached_property
    def end(self) -> pd.Timestamp:
        """The last day of data the plan stands on."""
        if self.period_end is None:
            return pd.Timestamp(self.targets.base_end)
        return pd.Timestamp(self.period_end)

    @property
    def start(self) -> pd.Timestamp:
        """The first day of the 12 months up to :attr:`end`."""
        return (self.end.to_period("M") - 11).to_timestamp()

    @cached_property
    def orders(self) -> pd.DataFrame:
        """Order lines joined with customers, regions and products, with their costs.

        :func:`salesnb.market.enrich_orders` plus the cost columns of
        :func:`salesnb.money.costed_orders`: the one frame the money figures of the plan
        share (``shared=True``), so a process holds one enriched copy of the order lines,
        not two (at a hundred times the sample each is ~0.7 GB). Read-only.
        """
        return money.costed_orders(self.dataset, shared=True)

    @cached_property
    def forecasts(self) -> pd.DataFrame:
        """Forecasts of each region's and rep's history through the plan's year."""
        return targets.forecast_history(self.dataset, self.targets, rep_method=self.rep_method)

    @cached_property
    def feasible(self) -> pd.DataFrame:
        """The chance of meeting each region's month (:func:`salesnb.targets.feasibility`)."""
        return targets.feasibility(self.targets, self.forecasts)

    @cached_property
    def checked(self) -> pd.DataFrame:
        """Each region's and rep's target against its forecast (:func:`salesnb.targets.bottom_up`)."""
        return targets.bottom_up(self.targets, self.forecasts)

    @cached_property
    def key_accounts(self) -> pd.DataFrame:
        """The class-A customers of the last 12 months (:func:`salesnb.market.key_accounts`)."""
        return market.key_accounts(self.orders, period_end=self.end)

    @cached_property
    def mapped(self) -> pd.DataFrame:
        """Attractiveness, penetration and sales of every region (:func:`salesnb.market.market_map`)."""
        return market.market_map(self.orders, self.dataset.regions, period_end=self.end, level="region")

    @cached_property
    def provinces(self) -> pd.DataFrame:
        """The same for every province (the county/province ranking)."""
        return market.market_map(self.orders, self.dataset.regions, period_end=self.end)

    @cached_property
    def invoices(self) -> pd.DataFrame:
        """Invoices open at :attr:`end` (:func:`salesnb.review.open_invoices`)."""
        return review.open_invoices(self.dataset, as_of=self.end)

    @cached_property
    def dso(self) -> float:
        """Days sales outstanding at :attr:`end`, the review's (:func:`salesnb.review.dso`)."""
        return float(review.dso(self.dataset, as_of=self.end, by="rep_id").get(review.TEAM, float("nan")))

    @cached_property
    def churn(self) -> review.ChurnResult:
        """Churn risk of the active customers at :attr:`end`."""
        return review.churn_risk(self.dataset, as_of=self.end)

    @cached_property
    def complaints(self) -> pd.DataFrame:
        """Complaints of the last 12 months with their service times."""
        return review.complaint_times(self.dataset, start=self.start, end=self.end,
                                      response_sla_hours=self.goals["response_hours"],
                                      resolution_sla_days=review.SLA["resolution_sla_days"])

    @cached_property
    def lead_work(self) -> LeadWork:
        """The open leads scored and assigned as of :attr:`end` (as the lead report does)."""
        ds = self.dataset
        snap = leads.snapshot(ds.leads, as_of=self.end)
        dedup = leads.deduplicate(snap, customers=ds.customers)
        x, y = leads.history(snap, ds.regions)
        scorer = leads.fit_scorer(x, y, mode="auto", fallback=leads.lead_features(dedup.open_leads(), ds.regions))
        scored = leads.score_leads(scorer, dedup.open_leads(), ds.regions)
        return LeadWork(scored, leads.assign_leads(scored, ds.reps, ds.regions, as_of=self.end))

    @cached_property
    def activity(self) -> pd.DataFrame:
        """The calls, visits, proposals and new customers each rep's month needs.

        :func:`salesnb.targets.activity.activity_plan` of the target breakdown.
        """
        return activity_plan(self.targets, self.dataset)

    @cached_property
    def margin_total(self) -> pd.DataFrame:
        """Gross margin of the whole business over the last 12 months (:func:`salesnb.money.margin`, ``by=None``)."""
        return money.margin(self.dataset, by=None, start=self.start, end=self.end)

    @cached_property
    def commission_table(self) -> pd.DataFrame:
        """Every rep's commission over the last 12 months (:func:`salesnb.money.commissions`)."""
        return money.commissions(self.dataset, start=self.start, end=self.end)

    @cached_property
    def margins(self) -> pd.DataFrame:
        """Gross margin of every customer over the last 12 months (:func:`salesnb.money.margin` by customer)."""
        return money.margin(self.dataset, by="customer", start=self.start, end=self.end)
