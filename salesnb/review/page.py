"""The figures of one review page: the team, or one rep, for one period.

:func:`open_review` checks a review's parameters and returns a :class:`ReviewPage`:
the inputs plus every figure the page's sections need (daily targets, scorecard,
team-relative KPIs, pacing, customer rhythm, churn risk, open invoices, complaints),
each computed on first use and kept on the page. A page holds numbers only; what a
notebook shows of them (headline cards, translated tables, charts) is in
:mod:`salesnb.review.views`:

>>> page = open_review(ds, period="month", period_end="2026-10-31", rep_id=None)
>>> page.card                        # the scorecard of every rep and the team
>>> views.headline(page)             # team numbers; with rep_id: that rep's

Team-wide figures are also kept across pages in one process (the runner runs a
notebook's rep pages one after another in one kernel): keyed by the data's content
hash and every parameter the figure depends on, and handed out as deep copies, so a
page can never change what the next page sees. A rep page reads its own rows of them
(and of the rep-keyed tables: orders, leads, activities, customers) through a
per-process index of rows by rep, as new frames holding only those rows: its cost
follows the rep's data, not the size of the company.
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesnb.params import message, parameter_error
from salesnb.review._common import active_reps
from salesnb.review.complaints import SLA, check_sla, complaint_times
from salesnb.review.kpis import KPIS, check_weights, normalise, scorecard
from salesnb.review.lost import ChurnResult, churn_risk, customer_rhythm
from salesnb.review.pacing import day_weights, pacing
from salesnb.review.periods import Period, period_range
from salesnb.review.plan import DEFAULT_GROWTH, check_growth, daily_targets
from salesnb.review.receivables import dso, open_invoices
from salesnb.review.winloss import closed_leads, winloss_window

if TYPE_CHECKING:
    from salesnb.data import Dataset
    from salesnb.review.periods import DateLike
    from salesnb.review.plan import TargetSource

__all__ = ["REP_TABLES", "ReviewPage", "check_rep", "open_review", "rep_rows"]

_SHOWN = 8  # valid rep ids named in an error message

#: Team-wide figures computed once per kernel and shared by the pages run in it (the
#: runner runs a notebook's rep pages one after another in one kernel). Keyed by the
#: data's content hash and every parameter the figure depends on; handed out as deep
#: copies, so a page can never change what the next page sees.
_SHARED: dict[tuple[Any, ...], Any] = {}
_SHARED_MAX = 64


#: The dataset tables a rep page reads only its own rows of (by their ``rep_id``).
REP_TABLES = ("orders", "leads", "activities", "customers")
_NO_ROWS = np.array([], dtype=np.intp)


def _stored(key: tuple[Any, ...] | None, compute: Callable[[], Any]) -> Any:
    """Return the figure memoised under ``key`` itself (computed once), for this module's read-only use."""
    if key is None:
        return compute()
    if key not in _SHARED:
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        _SHARED[key] = compute()
    return _SHARED[key]


def _shared(key: tuple[Any, ...] | None, compute: Callable[[], Any]) -> Any:
    """Return a deep copy of the figure memoised under ``key`` (computed once); no key: compute."""
    if key is None:
        return compute()
    return copy.deepcopy(_stored(key, compute))


def rep_rows(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Return the positions of each rep's rows in a frame, in the frame's order.

    Parameters
    ----------
    frame : DataFrame
        Any frame with a ``rep_id`` column.

    Returns
    -------
    dict of str to ndarray
        Keyed by ``rep_id`` as text: ``frame.iloc[rows[rep]]`` is
        ``frame.loc[frame["rep_id"].astype(str) == rep]``.
    """
    if frame.empty:
        return {}
    keys = frame["rep_id"].astype(str)
    return {str(k): v for k, v in keys.groupby(keys, sort=False, dropna=False).indices.items()}


def check_rep(dataset: Dataset, rep_id: object, *, period: Period | None = None) -> str | None:
    """Check a ``rep_id`` parameter: None (team page) or a rep employed in the period.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    rep_id : str, int or None
        The parameter as given.
    period : Period, optional
        When given, the rep must be employed on at least one day of it.

    Returns
    -------
    str or None
        The rep id as text, or None for the team page.

    Raises
    ------
    ParameterError
        Naming the first valid rep ids when ``rep_id`` is unknown or was not employed
        in the period; in the report language (``rep_id`` is a notebook parameter).
    """
    if rep_id is None:
        return None
    if isinstance(rep_id, bool) or not isinstance(rep_id, str | int):
        raise parameter_error("rep_type", value=repr(rep_id))
    rep = str(rep_id).strip()
    reps = dataset.reps
    ids = reps["rep_id"].astype(str)
    valid = ids if period is None else active_reps(dataset, period.start, period.as_of)["rep_id"]
    valid = sorted(valid)
    if rep in set(valid):
        return rep
    more = message("rep_more", n=len(valid)) if len(valid) > _SHOWN else ""
    shown = ", ".join(valid[:_SHOWN]) + more if valid else message("none")
    where = "" if period is None else message("rep_where", start=period.start.date(), end=period.as_of.date())
    known = message("rep_known") if rep in set(ids) else ""
    raise parameter_error("rep_unknown", where=where, known=known, value=repr(rep), shown=shown)


def open_review(dataset: Dataset, *, period: str = "month", period_end: DateLike, rep_id: object = None,
                weights: Mapping[str, float] | None = None, growth: float = DEFAULT_GROWTH,
                targets: TargetSource | None = None, top: int = 20, sla: Mapping[str, float] | None = None,
                mask_contacts: bool = True) -> ReviewPage:
    """Check a review's parameters and return its page (nothing is computed yet).

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    period : str
        ``week``, ``month``, ``quarter``, ``year`` or a start date (custom span).
    period_end : date or str
        The reporting date (facts up to this day).
    rep_id : str, optional
        None for the team page; a rep id for that rep's page.
    weights : dict, optional
        KPI weights for the score (see :func:`salesnb.review.check_weights`).
    growth : float
        Growth over last year for default targets (0.05 = +5 %).
    targets : TargetPlan, DataFrame or path, optional
        Explicit targets.
    top : int
        Rows of the team's long lists (collection plan, lost and at-risk customers).
    sla : dict, optional
        ``response_sla_hours`` and ``resolution_sla_days`` for complaints.
    mask_contacts : bool, default True
        Hide the middle digits of phone numbers in the collection list (director packs).

    Returns
    -------
    ReviewPage

    Raises
    ------
    ParameterError
        For a bad period, weights, growth or service level, or an unknown rep id.
    """
    masked = bool(mask_contacts)
    checked_period = period_range(period, period_end)
    checked_weights = check_weights(weights)
    checked_growth = check_growth(growth)
    levels = {**SLA, **(sla or {})}
    check_sla(**levels)
    rep = check_rep(dataset, rep_id, period=checked_period)
    currency = str(getattr(dataset, "currency", "EUR") or "EUR")
    return ReviewPage(dataset=dataset, period=checked_period, rep_id=rep, weights=checked_weights,
                      growth=checked_growth, targets=targets, top=top, sla=levels, mask_contacts=masked,
                      currency=currency)


@dataclass(frozen=True, eq=False)
class ReviewPage:
    """The review of a team, or of one rep, for one period: checked inputs and figures.

    Build it with :func:`open_review`. Figures are computed on first use and kept on
    the page; team-wide ones are shared with the other pages of the process (see the
    module docstring). Treat what a page hands out as read-only.

    Attributes
    ----------
    dataset : Dataset
        The loaded data.
    period : Period
        The review period, read as of the reporting date.
    rep_id : str or None
        None on the team page.
    weights : dict of str to float
        KPI weights of the score, scaled to sum 1.
    growth : float
        Growth over last year for default targets.
    targets : TargetPlan, DataFrame, path or None
        Explicit targets.
    top : int
        Rows of the team's long lists.
    sla : dict of str to float
        ``response_sla_hours`` and ``resolution_sla_days``.
    mask_contacts : bool
        Hide the middle digits of phone numbers in the collection list.
    currency : str
        The dataset's currency.
    """

    dataset: Dataset
    period: Period
    rep_id: str | None
    weights: dict[str, float]
    growth: float
    targets: TargetSource | None
    top: int
    sla: dict[str, float]
    mask_contacts: bool
    currency: str

    @property
    def is_team(self) -> bool:
        """Whether this is the team page."""
        return self.rep_id is None

    @cached_property
    def rep_names(self) -> pd.Series:
        """Name of every rep of the dataset, indexed by rep id (as text)."""
        reps = self.dataset.reps
        return pd.Series(reps["name"].astype(object).to_numpy(), index=reps["rep_id"].astype(str).to_numpy())

    def _key(self, name: str) -> tuple[Any, ...] | None:
        """Return the memo key of a team-wide figure, or None when it cannot be shared safely."""
        digest = getattr(self.dataset, "content_hash", None)
        if not digest or not (self.targets is None or isinstance(self.targets, str)):
            return None
        p = self.period
        return (digest, getattr(self.dataset, "n_rejected", 0), name, p.start, p.end, p.as_of, self.growth,
                self.targets, tuple(sorted(self.weights.items())), tuple(sorted(self.sla.items())))

    def _data_key(self, name: str) -> tuple[Any, ...] | None:
        """Return the memo key of a figure of the data alone (no parameter), or None without a content hash."""
        digest = getattr(self.dataset, "content_hash", None)
        return (digest, getattr(self.dataset, "n_rejected", 0), name) if digest else None

    def _team_figure(self, name: str) -> Any:
        """Return the team-wide figure ``name`` itself, not a copy: only to read rows of it."""
        key = self._key(name)
        if key is not None and key in _SHARED:
            return _SHARED[key]
        return getattr(self, name)

    def _rows_of(self, frame: pd.DataFrame, key: tuple[Any, ...] | None) -> pd.DataFrame:
        """Return the page rep's rows of a team-wide frame, as a new frame (``key``: its row index's memo)."""
        rows = _stored(key, lambda: rep_rows(frame))
        return frame.take(rows.get(str(self.rep_id), _NO_ROWS))

    @cached_property
    def rep_data(self) -> Dataset:
        """The dataset as the page's rep-keyed figures read it: the rep's rows of :data:`REP_TABLES`.

        For functions that keep the rep's rows of those tables themselves (a rep's
        leads, activities, orders, customers); the other tables are the team's. The team
        page: the dataset itself.
        """
        if self.is_team or not dataclasses.is_dataclass(self.dataset):
            return self.dataset
        tables = dict(self.dataset.tables)
        for name in REP_TABLES:
            if name in tables and "rep_id" in tables[name]:
                tables[name] = self._rows_of(tables[name], self._data_key(f"rows:{name}"))
        digest = f"{self.dataset.content_hash}#rep={self.rep_id}"
        return dataclasses.replace(self.dataset, tables=tables, content_hash=digest)

    @cached_property
    def daily(self) -> pd.DataFrame:
        """Daily targets over every day a section needs (the trend's 12 months, the periods)."""
        p, q = self.period, self.pacing_period
        first = min(p.start, q.start, (p.as_of.to_period("M") - 11).to_timestamp())
        return _shared(self._key("daily"), lambda: daily_targets(
            self.dataset, start=first, end=max(p.end, q.end), targets=self.targets, growth=self.growth))

    @cached_property
    def own_daily(self) -> pd.DataFrame:
        """The daily targets of the page: all on the team page, the rep's otherwise."""
        if self.is_team:
            return self.daily
        return self._rows_of(self._team_figure("daily"), self._key("rows:daily"))

    @property
    def target_source(self) -> str:
        """Where the targets come from: ``plan``, ``given`` or ``last_year_growth``."""
        return str(self._team_figure("daily").attrs.get("source"))

    @cached_property
    def card(self) -> pd.DataFrame:
        """The scorecard of the period to date (all reps and the team)."""
        s, a = self.period.to_date
        return _shared(self._key("card"), lambda: scorecard(
            self.dataset, period_start=s, period_end=a, targets=self.daily, weights=self.weights,
            growth=self.growth))

    @cached_property
    def norm(self) -> pd.DataFrame:
        """Team-relative 0-1 KPIs of the reps (index rep_id)."""
        def compute() -> pd.DataFrame:
            reps = self.card.loc[~self.card["is_team"]].set_index("rep_id")
            return normalise(reps[list(KPIS)], weeks=reps["weeks_worked"])

        return _shared(self._key("norm"), compute)

    def card_row(self, rep: str) -> pd.Series:
        """Return the scorecard row of a rep, or of the team (:data:`TEAM`)."""
        return self.card.set_index("rep_id").loc[rep]

    @cached_property
    def pacing_period(self) -> Period:
        """The period paced: the review period, or its year once the period is over."""
        if not self.period.complete:
            return self.period
        year = self.period.year()
        return year if not year.complete else self.period

    @cached_property
    def pace(self) -> pd.DataFrame:
        """Pacing of every rep and the team over :attr:`pacing_period`."""
        p = self.pacing_period
        return _shared(self._key("pace"), lambda: pacing(
            self.dataset, start=p.start, end=p.end, as_of=p.as_of, daily=self.daily))

    @cached_property
    def pace_weights(self) -> pd.Series:
        """Expected share of sales of each day of :attr:`pacing_period` (see :func:`~salesnb.review.day_weights`)."""
        p = self.pacing_period
        a = min(max(p.as_of, p.start - pd.Timedelta(days=1)), p.end)
        return _shared(self._key("pace_weights"), lambda: day_weights(self.dataset, start=p.start, end=p.end,
                                                                        as_of=a))

    @cached_property
    def rhythm(self) -> pd.DataFrame:
        """Every customer's buying rhythm and status as of the reporting date."""
        return _shared(self._key("rhythm"), lambda: customer_rhythm(self.dataset, as_of=self.period.as_of))

    @cached_property
    def own_rhythm(self) -> pd.DataFrame:
        """The buying rhythm of the page's customers: all on the team page, the rep's otherwise."""
        if self.is_team:
            return self.rhythm
        return self._rows_of(self._team_figure("rhythm"), self._key("rows:rhythm"))

    @cached_property
    def churn(self) -> ChurnResult:
        """Churn risk of the active customers as of the reporting date."""
        return _shared(self._key("churn"), lambda: churn_risk(self.dataset, as_of=self.period.as_of))

    @cached_property
    def own_churn(self) -> ChurnResult:
        """The churn risk of the page's customers: all on the team page, the rep's otherwise (same model)."""
        if self.is_team:
            return self.churn
        team = self._team_figure("churn")
        return dataclasses.replace(team, scores=self._rows_of(team.scores, self._key("rows:churn")),
                                   notes=list(team.notes))

    @cached_property
    def invoices(self) -> pd.DataFrame:
        """Invoices open as of the reporting date (every customer)."""
        return _shared(self._key("invoices"), lambda: open_invoices(self.dataset, as_of=self.period.as_of))

    @cached_property
    def own_invoices(self) -> pd.DataFrame:
        """The open invoices of the page: all on the team page, the rep's customers' otherwise."""
        if self.is_team:
            return self.invoices
        return self._rows_of(self._team_figure("invoices"), self._key("rows:invoices"))

    @cached_property
    def dso(self) -> pd.Series:
        """Days sales outstanding of every rep and the team (:data:`TEAM`) as of the reporting date."""
        return _shared(self._key("dso"), lambda: dso(self.dataset, as_of=self.period.as_of, by="rep_id"))

    @cached_property
    def complaints(self) -> pd.DataFrame:
        """Complaints opened in the period to date, with their service times (every customer)."""
        s, a = self.period.to_date
        return _shared(self._key("complaints"), lambda: complaint_times(self.dataset, start=s, end=a, **self.sla))

    @cached_property
    def own_complaints(self) -> pd.DataFrame:
        """The complaints of the page: all on the team page, the rep's customers' otherwise."""
        if self.is_team:
            return self.complaints
        return self._rows_of(self._team_figure("complaints"), self._key("rows:complaints"))

    @cached_property
    def winloss_span(self) -> tuple[pd.Timestamp, pd.Timestamp, bool]:
        """The span win/loss is studied over: ``(start, end, widened)``."""
        s, a = self.period.to_date
        return _shared(self._key("winloss_span"), lambda: winloss_window(self.dataset, start=s, end=a))

    @cached_property
    def team_win_rate(self) -> float:
        """The team's win rate over :attr:`winloss_span` (NaN without closed leads)."""
        s, e, _ = self.winloss_span
        return _shared(self._key("team_win_rate"),
                       lambda: float(closed_leads(self.dataset, start=s, end=e)["won"].mean()))

    def shared(self, name: str, compute: Callable[[], Any]) -> Any:
        """Return a team-wide figure computed once per kernel and shared with the other pages of the run.

        ``compute`` must depend only on the page's data and parameters (the memo key holds
        the data hash, the period, growth, targets, weights and service levels); the
        figure is handed out as a deep copy.
        """
        return _shared(self._key(name), compute)

    def trend(self) -> pd.DataFrame:
        """Return the last 12 months (the current one to date): month, actual, target."""
        a = self.period.as_of
        first = (a.to_period("M") - 11).to_timestamp()
        daily = self.own_daily.loc[(self.own_daily["date"] >= first) & (self.own_daily["date"] <= a)]
        orders = self.rep_data.orders  # the rep's rows only on a rep page
        orders = orders.loc[(orders["order_date"] >= first) & (orders["order_date"] <= a)]
        if not self.is_team:
            orders = orders.loc[orders["rep_id"].astype(str) == self.rep_id]
        months = pd.period_range(first.to_period("M"), a.to_period("M"), freq="M")
        tgt = daily.groupby(daily["date"].dt.to_period("M"))["target"].sum().reindex(months, fill_value=0.0)
        act = orders.groupby(orders["order_date"].dt.to_period("M"))["net_amount"].sum() \
            .reindex(months, fill_value=0.0)
        return pd.DataFrame({"month": months.to_timestamp(), "actual": act.to_numpy(), "target": tgt.to_numpy()})

