"""What the periodic-review notebook shows: the team page or one rep's page.

:class:`Review` holds a dataset, a period and an optional ``rep_id``. Each method
returns one thing a notebook cell displays (a headline, an escaped HTML table, a
Figure), already in the report language, and picks the team or the rep variant by
itself, so the notebook has the same cells for both pages:

>>> rv = Review(ds, period="month", period_end="2026-10-31", rep_id=None)
>>> rv.headline()                    # team numbers; with rep_id: that rep's
>>> plots.show(rv.kpi_chart())       # team heatmap; with rep_id: rep vs team median

Everything is computed on first use and kept on the instance (one run, no cache
across runs).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from salesnb import display, i18n
from salesnb.export import mask_phone
from salesnb.params import message, parameter_error
from salesnb.plots import review as charts
from salesnb.review import complaints as C
from salesnb.review import receivables as RC
from salesnb.review._common import TEAM, active_reps
from salesnb.review.kpis import KPIS, check_weights, normalise, scorecard
from salesnb.review.lost import ChurnResult, churn_risk, customer_rhythm
from salesnb.review.pacing import cumulative, pacing
from salesnb.review.periods import Period, period_range
from salesnb.review.plan import DEFAULT_GROWTH, _check_growth, daily_targets
from salesnb.review.winloss import attribute_lift, closed_leads, winloss, winloss_window

__all__ = ["KPI_KINDS", "Review", "check_rep", "period_label"]

#: Display kind of each KPI (see :func:`salesnb.display.format_cell`).
KPI_KINDS = {"target": "money", "actual": "money", "attainment": "pct", "new_customers": "int",
             "visits": "int", "calls": "int", "weekly_orders": "num1", "growth_rate": "pct_signed",
             "new_development": "int", "lost_customers": "int", "discipline": "num1",
             "report_completion": "pct", "response_hours": "int"}
#: KPIs shown in the heatmap and the rep profile (the target is an input, not a result).
PROFILE_KPIS = [k for k in KPIS if k != "target"]
_MAX_HEATMAP_REPS = 40
_SHOWN = 8  # valid rep ids named in an error message


def _t(key: str, **values: Any) -> str:
    return i18n.t(f"review.{key}", **values)


def check_rep(dataset: Any, rep_id: Any, *, period: Period | None = None) -> str | None:
    """Check a ``rep_id`` parameter: None (team page) or a rep employed in the period.

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


def period_label(period: Period) -> str:
    """The period in words, in the report language (``October 2026``, ``Q4 2026`` …)."""
    kind, s, e = period.kind, period.start, period.end
    if kind == "month":
        text = i18n.fmt_date(s, format="LLLL y")
        text = text[:1].upper() + text[1:]
    elif kind == "quarter":
        text = _t("label_quarter", q=(s.month - 1) // 3 + 1, year=s.year)
    elif kind == "year":
        text = str(s.year)
    elif kind == "week":
        iso = s.isocalendar()
        text = _t("label_week", week=iso.week, year=iso.year)
    else:
        text = _t("label_span", start=i18n.fmt_date(s), end=i18n.fmt_date(e))
    if not period.complete:
        text = _t("label_to_date", period=text, date=i18n.fmt_date(period.as_of))
    return text


def _join(*parts: Any) -> HTML:
    """One HTML output from several (IPython HTML objects or HTML strings)."""
    return HTML("".join(p.data if hasattr(p, "data") else str(p) for p in parts if p is not None))


def _kpi_text(value: Any, kpi: str, currency: str) -> str:
    return display.format_cell(value, KPI_KINDS[kpi], currency=currency)


#: Team-wide figures computed once per kernel and shared by the pages run in it (the
#: runner runs a notebook's rep pages one after another in one kernel). Keyed by the
#: data's content hash and every parameter the figure depends on; handed out as deep
#: copies, so a page can never change what the next page sees.
_SHARED: dict[tuple[Any, ...], Any] = {}
_SHARED_MAX = 64


def _shared(key: tuple[Any, ...] | None, compute: Any) -> Any:
    if key is None:
        return compute()
    if key not in _SHARED:
        if len(_SHARED) >= _SHARED_MAX:
            _SHARED.clear()
        _SHARED[key] = compute()
    return copy.deepcopy(_SHARED[key])


class Review:
    """The periodic review of a team, or of one rep, for one period.

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
        Growth over last year for default targets.
    targets : TargetPlan, DataFrame or path, optional
        Explicit targets.
    top : int
        Rows of the team's long lists (collection plan, lost and at-risk customers).
    sla : dict, optional
        ``response_sla_hours`` and ``resolution_sla_days`` for complaints.
    mask_contacts : bool, default True
        Hide the middle digits of phone numbers in the collection list (director packs).

    Raises
    ------
    ParameterError
        For a bad period, weights or growth, or an unknown rep id.
    """

    def __init__(self, dataset: Any, *, period: str = "month", period_end: Any, rep_id: Any = None,
                 weights: Mapping[str, float] | None = None, growth: float = DEFAULT_GROWTH,
                 targets: Any = None, top: int = 20,
                 sla: Mapping[str, float] | None = None, mask_contacts: bool = True) -> None:
        self.ds = dataset
        self.mask_contacts = bool(mask_contacts)
        self.period = period_range(period, period_end)
        self.weights = check_weights(weights)
        self.growth = _check_growth(growth)
        self.targets = targets
        self.top = top
        self.sla = {**C.SLA, **(sla or {})}
        C._check_sla(**self.sla)
        self.rep_id = check_rep(dataset, rep_id, period=self.period)
        self.currency = str(getattr(dataset, "currency", "EUR") or "EUR")

    # ------------------------------------------------------------------ computed once

    @property
    def is_team(self) -> bool:
        """True on the team page."""
        return self.rep_id is None

    @cached_property
    def rep_names(self) -> pd.Series:
        reps = self.ds.reps
        return pd.Series(reps["name"].astype(object).to_numpy(), index=reps["rep_id"].astype(str).to_numpy())

    def _name(self, rep: Any) -> str:
        if rep == TEAM:
            return i18n.t("common.team")
        if rep is None or (isinstance(rep, float) and pd.isna(rep)):
            return "–"
        return str(self.rep_names.get(str(rep), rep))

    def _key(self, name: str) -> tuple[Any, ...] | None:
        """Memo key of a team-wide figure, or None when it cannot be shared safely."""
        digest = getattr(self.ds, "content_hash", None)
        if not digest or not (self.targets is None or isinstance(self.targets, str)):
            return None
        p = self.period
        return (digest, getattr(self.ds, "n_rejected", 0), name, p.start, p.end, p.as_of, self.growth, self.targets,
                tuple(sorted(self.weights.items())), tuple(sorted(self.sla.items())))

    @cached_property
    def daily(self) -> pd.DataFrame:
        """Daily targets over every day a section needs (the trend's 12 months, the periods)."""
        p, q = self.period, self.pacing_period
        first = min(p.start, q.start, (p.as_of.to_period("M") - 11).to_timestamp())
        return _shared(self._key("daily"), lambda: daily_targets(
            self.ds, start=first, end=max(p.end, q.end), targets=self.targets, growth=self.growth))

    @property
    def target_source(self) -> str:
        """``plan``, ``given`` or ``last_year_growth`` (see :mod:`salesnb.review.plan`)."""
        return str(self.daily.attrs.get("source"))

    @cached_property
    def card(self) -> pd.DataFrame:
        """The scorecard of the period to date (all reps and the team)."""
        s, a = self.period.to_date
        return _shared(self._key("card"), lambda: scorecard(
            self.ds, period_start=s, period_end=a, targets=self.daily, weights=self.weights, growth=self.growth))

    @cached_property
    def norm(self) -> pd.DataFrame:
        """Team-relative 0-1 KPIs of the reps (index rep_id)."""
        reps = self.card.loc[~self.card["is_team"]].set_index("rep_id")
        return normalise(reps[list(KPIS)], weeks=reps["weeks_worked"])

    @cached_property
    def pacing_period(self) -> Period:
        """The period paced: the review period, or its year once the period is over."""
        if not self.period.complete:
            return self.period
        year = self.period.year()
        return year if not year.complete else self.period

    @cached_property
    def pace(self) -> pd.DataFrame:
        p = self.pacing_period
        return _shared(self._key("pace"), lambda: pacing(
            self.ds, start=p.start, end=p.end, as_of=p.as_of, daily=self.daily))

    @cached_property
    def rhythm(self) -> pd.DataFrame:
        return _shared(self._key("rhythm"), lambda: customer_rhythm(self.ds, as_of=self.period.as_of))

    @cached_property
    def churn(self) -> ChurnResult:
        return _shared(self._key("churn"), lambda: churn_risk(self.ds, as_of=self.period.as_of))

    @cached_property
    def invoices(self) -> pd.DataFrame:
        return _shared(self._key("invoices"), lambda: RC.open_invoices(self.ds, as_of=self.period.as_of))

    @cached_property
    def complaints(self) -> pd.DataFrame:
        s, a = self.period.to_date
        return _shared(self._key("complaints"), lambda: C.complaint_times(self.ds, start=s, end=a, **self.sla))

    @cached_property
    def winloss_span(self) -> tuple[pd.Timestamp, pd.Timestamp, bool]:
        s, a = self.period.to_date
        return winloss_window(self.ds, start=s, end=a)

    def _rep_row(self, rep: str) -> pd.Series:
        return self.card.set_index("rep_id").loc[rep]

    # ----------------------------------------------------------------------- sections

    def title(self) -> HTML:
        """Page heading: company, period and team or rep."""
        who = i18n.t("common.team") if self.is_team else f"{self._name(self.rep_id)} ({self.rep_id})"
        head = _t("title", who=who, period=period_label(self.period))
        sub = _t("subtitle", company=getattr(self.ds, "name", ""), start=i18n.fmt_date(self.period.start),
                 end=i18n.fmt_date(self.period.as_of))
        return HTML(f"<h2>{display.esc(head)}</h2><p class='snb-note'>{display.esc(sub)}</p>")

    def headline(self) -> Any:
        """The 6 numbers first: sales, attainment, landing, growth, receivables, complaints or rank."""
        rep = self.rep_id or TEAM
        row = self._rep_row(rep)
        pace = self.pace.set_index("rep_id").loc[rep] if rep in set(self.pace["rep_id"]) else None
        money = lambda v: i18n.fmt_money(v, self.currency)  # noqa: E731
        items = [
            (_t("hl_actual"), money(row["actual"]), _t("hl_actual_note", target=money(row["target"]))),
            (_t("hl_attainment"), i18n.fmt_pct(row["attainment"]), _t("hl_attainment_note")),
        ]
        if pace is not None:
            items.append((_t("hl_landing"), i18n.fmt_pct(pace["projected_attainment"]),
                          _t("hl_landing_note", period=period_label(self.pacing_period),
                             amount=money(pace["projection"]))))
        items.append((_t("hl_growth"), i18n.fmt_pct(row["growth_rate"], signed=True), _t("hl_growth_note")))
        inv = self.invoices if self.is_team else self.invoices.loc[self.invoices["rep_id"] == self.rep_id]
        overdue = float(inv.loc[inv["days_overdue"] > 0, "outstanding"].sum())
        dso = RC.dso(self.ds, as_of=self.period.as_of, by="rep_id")
        dso_value = dso.get(rep, np.nan) if isinstance(dso, pd.Series) else np.nan
        items.append((_t("hl_overdue"), money(overdue), _t("hl_overdue_note", days=i18n.fmt_number(dso_value))))
        if self.is_team:
            summary = C.complaints_summary(self.ds, start=self.period.start, end=self.period.as_of,
                                           times=self.complaints)
            items.append((_t("hl_complaints"), i18n.fmt_number(summary["complaints"]),
                          _t("hl_complaints_note", share=i18n.fmt_pct(summary["response_within_sla"]),
                             hours=i18n.fmt_number(self.sla["response_sla_hours"]))))
        else:
            n = int((~self.card["is_team"]).sum())
            rank = "–" if pd.isna(row["rank"]) else int(row["rank"])
            items.append((_t("hl_rank"), _t("hl_rank_value", rank=rank, n=n),
                          _t("hl_rank_note", score=i18n.fmt_number(row["score"]))))
        return display.headline(items)

    def notes(self) -> HTML | None:
        """Call-outs about the data behind the KPIs (missing tables, target source)."""
        lines = []
        source = self.target_source
        lines.append(_t(f"target_source_{source}", growth=i18n.fmt_pct(self.growth, signed=True)))
        for kpi in self.card.attrs.get("missing", []):
            lines.append(_t("kpi_missing", kpi=_t(f"kpi_{kpi}")))
        return display.bullets(lines)

    # --- scorecard

    def scorecard_table(self) -> HTML:
        """Team: the ranking of every rep with the 12 KPIs. Rep: the rep against the team median."""
        labels = {**display.labels("review"), **{k: _t(f"kpi_{k}") for k in KPIS}}
        if self.is_team:
            frame = self.card.copy()
            frame["name"] = [self._name(r) if t else n for r, n, t in
                             zip(frame["rep_id"], frame["name"], frame["is_team"], strict=True)]
            frame.loc[frame["is_team"], "rep_id"] = ""
            cols = ["rank", "name", "rep_id", *KPIS, "score"]
            kinds = {**KPI_KINDS, "rank": "int", "score": "num1", "rep_id": "text", "name": "text"}
            return display.table(frame[cols], labels=labels, kinds=kinds, currency=self.currency,
                                 max_rows=len(frame) + 1, caption=_t("cap_ranking"))
        reps = self.card.loc[~self.card["is_team"]].set_index("rep_id")
        row = reps.loc[self.rep_id]
        team = self._rep_row(TEAM)
        norm = self.norm.loc[self.rep_id]
        med_norm = self.norm.median()
        rows = []
        for kpi in KPIS:
            position = "" if kpi == "target" or pd.isna(norm.get(kpi)) or pd.isna(med_norm.get(kpi)) else (
                _t("above_median") if norm[kpi] > med_norm[kpi] else
                _t("below_median") if norm[kpi] < med_norm[kpi] else _t("at_median"))
            rows.append({"kpi": _t(f"kpi_{kpi}"), "rep_value": _kpi_text(row[kpi], kpi, self.currency),
                         "team_median": _kpi_text(reps[kpi].median(), kpi, self.currency),
                         "team_total": _kpi_text(team[kpi], kpi, self.currency), "position": position})
        rows.append({"kpi": _t("col_score"), "rep_value": i18n.fmt_number(row["score"], decimals=1),
                     "team_median": i18n.fmt_number(reps["score"].median(), decimals=1), "team_total": "",
                     "position": _t("hl_rank_value", rank="–" if pd.isna(row["rank"]) else int(row["rank"]),
                                    n=len(reps))})
        frame = pd.DataFrame(rows)
        return display.table(frame, labels=labels, kinds={c: "text" for c in frame}, search=False,
                             caption=_t("cap_rep_vs_team", who=self._name(self.rep_id)))

    def weights_table(self) -> HTML:
        """The weight of each KPI in the score and whether higher or lower is better."""
        from salesnb.review.kpis import LOWER_IS_BETTER, PER_WEEK_IN_SCORE

        used = self.card.attrs.get("weights", {})
        total = sum(used.values()) or 1.0
        rows = [{"kpi": _t(f"kpi_{k}"), "weight": used.get(k, 0.0) / total,
                 "direction": _t("lower_better") if k in LOWER_IS_BETTER else _t("higher_better"),
                 "per_week": i18n.t("common.yes") if k in PER_WEEK_IN_SCORE else ""}
                for k in KPIS if self.weights.get(k, 0) > 0]
        return display.table(pd.DataFrame(rows), labels=display.labels("review"),
                             kinds={"weight": "pct"}, search=False, caption=_t("cap_weights"))

    def kpi_chart(self) -> Figure:
        """Team: heatmap of the team-relative KPIs. Rep: the rep's profile against the team median."""
        cols = [k for k in PROFILE_KPIS if k in self.norm]
        if self.is_team:
            order = self.card.loc[~self.card["is_team"], "rep_id"].tolist()
            note = ""
            if len(order) > _MAX_HEATMAP_REPS:
                half = _MAX_HEATMAP_REPS // 2
                order = order[:half] + order[-half:]
                note = "\n" + _t("chart_heatmap_cut", n=half)
            norm = self.norm.loc[order, cols]
            raw = self.card.set_index("rep_id").loc[order, cols]
            text = pd.DataFrame({k: [_kpi_text(v, k, self.currency) if k not in ("actual",) else
                                     i18n.fmt_number(v / 1000) + "k" for v in raw[k]] for k in cols}, index=order)
            rank = self.card.set_index("rep_id")["rank"]
            rows = [f"{rank[r]}. {self._name(r)}" for r in order]
            return charts.kpi_heatmap(norm, text=text, row_labels=rows, col_labels=[_t(f"kpi_{k}") for k in cols],
                                      title=_t("chart_heatmap") + note, empty=_t("no_data"))
        frame = pd.DataFrame({"label": [_t(f"kpi_{k}") for k in cols],
                              "rep": self.norm.loc[self.rep_id, cols].to_numpy(dtype=float),
                              "median": self.norm[cols].median().to_numpy(dtype=float)})
        return charts.rep_profile(frame, title=_t("chart_profile", who=self._name(self.rep_id)),
                                  rep_label=self._name(self.rep_id), median_label=_t("team_median"),
                                  xlabel=_t("chart_profile_axis"), empty=_t("no_data"))

    # --- trend

    def trend(self) -> pd.DataFrame:
        """The last 12 months (the current one to date): month, actual, target."""
        a = self.period.as_of
        first = (a.to_period("M") - 11).to_timestamp()
        daily = self.daily.loc[(self.daily["date"] >= first) & (self.daily["date"] <= a)]
        orders = self.ds.orders.loc[(self.ds.orders["order_date"] >= first) & (self.ds.orders["order_date"] <= a)]
        if not self.is_team:
            daily = daily.loc[daily["rep_id"].astype(str) == self.rep_id]
            orders = orders.loc[orders["rep_id"].astype(str) == self.rep_id]
        months = pd.period_range(first.to_period("M"), a.to_period("M"), freq="M")
        tgt = daily.groupby(daily["date"].dt.to_period("M"))["target"].sum().reindex(months, fill_value=0.0)
        act = orders.groupby(orders["order_date"].dt.to_period("M"))["net_amount"].sum() \
            .reindex(months, fill_value=0.0)
        return pd.DataFrame({"month": months.to_timestamp(), "actual": act.to_numpy(), "target": tgt.to_numpy()})

    def trend_chart(self) -> Figure:
        """Monthly actual against target over the last 12 months (team or rep)."""
        who = i18n.t("common.team") if self.is_team else self._name(self.rep_id)
        return charts.trend_chart(self.trend(), title=_t("chart_trend", who=who),
                                  ylabel=_t("axis_sales", currency=self.currency),
                                  labels={"actual": _t("kpi_actual"), "target": _t("kpi_target")})

    # --- pacing

    def pacing_note(self) -> HTML:
        """Which period is paced and how many working days are left."""
        p = self.pacing_period
        team = self.pace.loc[self.pace["is_team"]].iloc[0]
        key = "pacing_note" if p is self.period else "pacing_note_year"
        return display.note(_t(key, period=period_label(p), left=i18n.fmt_number(team["days_left"]),
                               gone=i18n.fmt_number(team["days_elapsed"]), end=i18n.fmt_date(p.end)))

    def pacing_table(self) -> HTML:
        """Team: every rep's landing, gap and gap per working day left. Rep: the rep and the team."""
        frame = self.pace.copy()
        if not self.is_team:
            frame = frame.loc[frame["rep_id"].isin([self.rep_id, TEAM])]
        reps = frame.loc[~frame["is_team"]].sort_values(["projected_attainment", "rep_id"], kind="stable",
                                                         na_position="last")
        frame = pd.concat([reps, frame.loc[frame["is_team"]]], ignore_index=True)
        frame.insert(1, "name", [self._name(r) for r in frame["rep_id"]])
        frame["status"] = [_t(f"status_{s}") for s in frame["status"]]
        frame.loc[frame["is_team"], "rep_id"] = ""
        cols = ["name", "rep_id", "target", "actual", "projection", "projected_attainment", "gap", "days_left",
                "gap_per_day", "status"]
        kinds = {"target": "money", "actual": "money", "projection": "money", "projected_attainment": "pct",
                 "gap": "money", "days_left": "int", "gap_per_day": "money", "rep_id": "text"}
        return display.table(frame[cols], labels=display.labels("review"), kinds=kinds, currency=self.currency,
                             max_rows=len(frame) + 1, caption=_t("cap_pacing", period=period_label(self.pacing_period)))

    def pacing_chart(self) -> Figure:
        """Team: projected attainment per rep. Rep: the rep's cumulative sales against target."""
        p = self.pacing_period
        if self.is_team:
            reps = self.pace.loc[~self.pace["is_team"]].sort_values(["projected_attainment", "rep_id"],
                                                                     ascending=[False, True], kind="stable")
            if len(reps) > _MAX_HEATMAP_REPS:
                half = _MAX_HEATMAP_REPS // 2
                reps = pd.concat([reps.head(half), reps.tail(half)])
            frame = pd.concat([self.pace.loc[self.pace["is_team"]], reps], ignore_index=True)
            return charts.pacing_bars(frame, labels=[self._name(r) for r in frame["rep_id"]],
                                      title=_t("chart_pacing", period=period_label(p)),
                                      xlabel=_t("col_projected_attainment"),
                                      status_labels={s: _t(f"status_{s}") for s in
                                                     ("on_track", "close", "behind", "no_target", "not_started")},
                                      empty=_t("no_data"))
        path = cumulative(self.ds, start=p.start, end=p.end, as_of=p.as_of, rep_id=self.rep_id,
                          daily=self.daily)
        return charts.cumulative_pacing(path, title=_t("chart_cumulative", who=self._name(self.rep_id),
                                                       period=period_label(p)),
                                        ylabel=_t("axis_sales", currency=self.currency), as_of=p.as_of,
                                        labels={"target": _t("kpi_target"), "actual": _t("kpi_actual"),
                                                "projection": _t("col_projection")})

    # --- lost customers and churn risk

    def lost_table(self) -> HTML:
        """Customers lost in the last 12 months (team or the rep's), by value at risk."""
        a = self.period.as_of
        r = self.rhythm
        lost = r.loc[(r["status"] == "lost") & (r["lost_date"] > a - pd.DateOffset(years=1))
                     & (r["lost_date"] <= a)]
        if not self.is_team:
            lost = lost.loc[lost["rep_id"].astype(str) == self.rep_id]
        lost = lost.sort_values(["value_at_risk", "customer_id"], ascending=[False, True], kind="stable")
        in_period = int(((lost["lost_date"] >= self.period.start)).sum())
        frame = lost.assign(rep=[self._name(x) for x in lost["rep_id"]])
        cols = ["name", "customer_id", *(["rep"] if self.is_team else []), "last_order", "median_gap",
                "allowed_days", "lost_date", "value_at_risk"]
        caption = _t("cap_lost", n=i18n.fmt_number(len(lost)), in_period=i18n.fmt_number(in_period))
        kinds = {"median_gap": "int", "allowed_days": "int", "value_at_risk": "money", "last_order": "date",
                 "lost_date": "date"}
        top = self.top if self.is_team else 50
        return display.table(frame[cols].head(top), labels=display.labels("review"), kinds=kinds,
                             currency=self.currency, caption=caption, empty=_t("none_lost"))

    def churn_table(self) -> HTML:
        """Active customers most likely to be lost, by risk x value at risk, with the model's AUC."""
        res = self.churn
        scores = res.scores if self.is_team else res.scores.loc[res.scores["rep_id"].astype(str) == self.rep_id]
        frame = scores.head(self.top if self.is_team else 15).assign(rep=lambda f: [self._name(x) for x in f["rep_id"]])
        cols = ["name", "customer_id", *(["rep"] if self.is_team else []), "risk", "last_order", "days_since",
                "allowed_days", "sales_12m", "expected_loss"]
        kinds = {"risk": "pct", "days_since": "int", "allowed_days": "int", "sales_12m": "money",
                 "expected_loss": "money", "last_order": "date"}
        if np.isfinite(res.auc):
            text = _t("churn_note", auc=i18n.fmt_number(res.auc, decimals=2), days=res.horizon_days,
                      n=i18n.fmt_number(res.n_test))
        else:
            text = _t("churn_note_no_auc", days=res.horizon_days)
        table = display.table_html(frame[cols], labels=display.labels("review"), kinds=kinds, currency=self.currency,
                                   caption=_t("cap_churn")) if len(frame) else display.note(_t("none_at_risk")).data
        return _join(display.note(text), table)

    # --- receivables

    def receivables_table(self) -> HTML:
        """Aging buckets and DSO: team by rep (with a team row); rep by customer (with a total)."""
        labels = display.labels("review")
        kinds = {b: "money" for b in (*RC.BUCKETS, "total", "overdue")}
        kinds.update({"overdue_share": "pct", "dso": "int"})
        total = RC.aging(self.ds, as_of=self.period.as_of, invoices=self.invoices if self.is_team else
                         self.invoices.loc[self.invoices["rep_id"] == self.rep_id])
        dso = RC.dso(self.ds, as_of=self.period.as_of, by="rep_id")
        if self.is_team:
            frame = RC.aging(self.ds, as_of=self.period.as_of, by="rep_id", invoices=self.invoices)
            frame["dso"] = frame["rep_id"].map(dso)
            frame.insert(0, "name", [self._name(r) for r in frame["rep_id"]])
            total = total.assign(name=i18n.t("common.team"), rep_id="", dso=dso.get(TEAM, np.nan))
            frame = pd.concat([frame, total[frame.columns]], ignore_index=True)
            cap = _t("cap_aging_team", date=i18n.fmt_date(self.period.as_of))
        else:
            inv = self.invoices.loc[self.invoices["rep_id"] == self.rep_id]
            frame = RC.aging(self.ds, as_of=self.period.as_of, by="customer_id", invoices=inv).head(30)
            names = self.ds.customers.set_index(self.ds.customers["customer_id"].astype(str))["name"].astype(object)
            frame.insert(0, "name", names.reindex(frame["customer_id"]).to_numpy())
            total = total.assign(name=i18n.t("common.total"), customer_id="")
            frame = pd.concat([frame, total[frame.columns]], ignore_index=True)
            cap = _t("cap_aging_rep", date=i18n.fmt_date(self.period.as_of),
                     dso=i18n.fmt_number(dso.get(self.rep_id, np.nan)))
        return display.table(frame, labels=labels, kinds=kinds, currency=self.currency, caption=cap,
                             max_rows=len(frame) + 1)

    def aging_chart(self) -> Figure:
        """Outstanding amount per aging bucket (team or the rep's customers)."""
        inv = self.invoices if self.is_team else self.invoices.loc[self.invoices["rep_id"] == self.rep_id]
        total = RC.aging(self.ds, as_of=self.period.as_of, invoices=inv)
        who = i18n.t("common.team") if self.is_team else self._name(self.rep_id)
        return charts.aging_bars(total[list(RC.BUCKETS)].iloc[0].to_numpy(dtype=float),
                                 labels=[_t(f"col_{b}") for b in RC.BUCKETS],
                                 title=_t("chart_aging", who=who, date=i18n.fmt_date(self.period.as_of)),
                                 ylabel=_t("axis_amount", currency=self.currency))

    def collection_table(self) -> HTML:
        """Whom to call this week about overdue invoices, biggest x oldest first."""
        plan = RC.collection_plan(self.ds, as_of=self.period.as_of, rep_id=self.rep_id, invoices=self.invoices,
                                  top=self.top if self.is_team else 30)
        plan.insert(0, "order", np.arange(1, len(plan) + 1))
        plan["rep"] = [self._name(x) for x in plan["rep_id"]]
        if self.mask_contacts and "phone" in plan:  # director packs: no full numbers in HTML
            plan["phone"] = [mask_phone(v) for v in plan["phone"]]
        cols = ["order", "name", "customer_id", *(["rep"] if self.is_team else []),
                *(["phone"] if "phone" in plan else []), "overdue", "invoices", "oldest_days", "oldest_due"]
        kinds = {"order": "int", "overdue": "money", "invoices": "int", "oldest_days": "int", "oldest_due": "date",
                 "phone": "text"}
        return display.table(plan[cols], labels=display.labels("review"), kinds=kinds, currency=self.currency,
                             caption=_t("cap_collection"), empty=_t("none_overdue"), search=False)

    # --- complaints

    def _complaints(self) -> pd.DataFrame:
        t = self.complaints
        return t if self.is_team else t.loc[t["rep_id"].astype(str) == self.rep_id]

    def complaints_table(self) -> HTML:
        """Complaints by category with first-response and resolution times against the SLA."""
        t = self._complaints()
        s = C.complaints_summary(self.ds, start=self.period.start, end=self.period.as_of, times=t)
        text = _t("complaints_note", n=i18n.fmt_number(s["complaints"]), mismatch=i18n.fmt_number(s["config_mismatch"]),
                  resp=i18n.fmt_pct(s["response_within_sla"]), res=i18n.fmt_pct(s["resolved_within_sla"]),
                  hours=i18n.fmt_number(self.sla["response_sla_hours"]),
                  days=i18n.fmt_number(self.sla["resolution_sla_days"]), open=i18n.fmt_number(s["open"]))
        if t.empty:
            return _join(display.note(text))
        frame = C.complaints_by(self.ds, start=self.period.start, end=self.period.as_of, by="category", times=t)
        frame["category"] = [_t(f"category_{c}") if f"review.category_{c}" in i18n.catalog() else c
                             for c in frame["category"]]
        return _join(display.note(text), self._complaint_html(frame, "category", _t("cap_complaints_category")))

    def _complaint_html(self, frame: pd.DataFrame, by: str, caption: str) -> str:
        kinds = {"complaints": "int", "share": "pct", "median_response_hours": "int", "response_within_sla": "pct",
                 "median_resolution_days": "num1", "resolved_within_sla": "pct", "open": "int", by: "text"}
        return display.table_html(frame, labels=display.labels("review"), kinds=kinds, caption=caption,
                                  max_rows=len(frame) + 1)

    def complaints_detail(self) -> HTML:
        """Team: complaints by product and by rep. Rep: by product and the list of complaints."""
        t = self._complaints()
        if t.empty:
            return display.note(_t("none_complaints"))
        by_product = C.complaints_by(self.ds, start=self.period.start, end=self.period.as_of, by="product_id",
                                     times=t).head(10)
        products = self.ds.products.set_index(self.ds.products["product_id"].astype(str))["name"].astype(object)
        by_product.insert(1, "product", products.reindex(by_product["product_id"]).fillna("–").to_numpy())
        parts = [self._complaint_html(by_product, "product_id", _t("cap_complaints_product"))]
        if self.is_team:
            by_rep = C.complaints_by(self.ds, start=self.period.start, end=self.period.as_of, by="rep_id", times=t)
            by_rep.insert(0, "name", [self._name(r) for r in by_rep["rep_id"]])
            parts.append(self._complaint_html(by_rep, "rep_id", _t("cap_complaints_rep")))
        else:
            items = t.assign(category=[_t(f"category_{c}") if f"review.category_{c}" in i18n.catalog() else c
                                       for c in t["category"]],
                             response_ok=t["response_ok"].map({True: i18n.t("common.yes"),
                                                               False: i18n.t("common.no")}).fillna("…"),
                             open=t["open"].map({True: i18n.t("common.yes"), False: i18n.t("common.no")}))
            cols = ["complaint_id", "customer_id", "product_id", "category", "severity", "opened_date",
                    "response_hours", "response_ok", "resolution_days", "open"]
            parts.append(display.table_html(items[cols], labels=display.labels("review"),
                                            kinds={"opened_date": "date", "response_hours": "int",
                                                   "resolution_days": "int"},
                                            caption=_t("cap_complaints_list")))
        return _join(*parts)

    # --- win/loss

    def winloss_table(self) -> HTML:
        """Lead outcomes by source, channel (and rep on the team page), and the reasons for losing."""
        s, e, widened = self.winloss_span
        rep = self.rep_id
        closed = closed_leads(self.ds, start=s, end=e, rep_id=rep)
        team_rate = closed_leads(self.ds, start=s, end=e)["won"].mean()
        text = _t("winloss_note_wide" if widened else "winloss_note", start=i18n.fmt_date(s), end=i18n.fmt_date(e),
                  n=i18n.fmt_number(len(closed)), won=i18n.fmt_number(int(closed["won"].sum())),
                  rate=i18n.fmt_pct(closed["won"].mean() if len(closed) else np.nan),
                  team=i18n.fmt_pct(team_rate))
        if closed.empty:
            return _join(display.note(text))
        labels = display.labels("review")
        kinds = {"won": "int", "lost": "int", "closed": "int", "win_rate": "pct", "share": "pct"}
        parts: list[Any] = [display.note(text)]
        dims = ["source", "channel", *(["rep_id"] if self.is_team else [])]
        for dim in dims:
            frame = winloss(self.ds, start=s, end=e, by=dim, rep_id=rep)
            if dim == "rep_id":
                frame.insert(0, "name", [self._name(r) for r in frame["rep_id"]])
            frame = self._translate_values(frame, dim)
            parts.append(display.table_html(frame, labels=labels, kinds={**kinds, dim: "text"},
                                            caption=_t(f"cap_winloss_{dim}"), max_rows=len(frame) + 1))
        reasons = self._translate_values(winloss(self.ds, start=s, end=e, by="lost_reason", rep_id=rep),
                                         "lost_reason")
        parts.append(display.table_html(reasons, labels=labels, kinds=kinds, caption=_t("cap_winloss_lost_reason")))
        return _join(*parts)

    def _translate_values(self, frame: pd.DataFrame, column: str) -> pd.DataFrame:
        prefix = {"source": "source_", "channel": "channel_", "lost_reason": "reason_"}.get(column)
        if prefix is None or column not in frame:
            return frame
        cat = i18n.catalog()
        return frame.assign(**{column: [_t(prefix + str(v)) if f"review.{prefix}{v}" in cat else v
                                        for v in frame[column]]})

    def lift_table(self) -> HTML:
        """Team: what won deals had in common (attribute lift). Rep: the rep's wins and losses."""
        s, e, _ = self.winloss_span
        labels = display.labels("review")
        if self.is_team:
            lift = attribute_lift(self.ds, start=s, end=e)
            if lift.empty:
                return display.note(_t("none_closed"))
            lift["attribute"] = [_t(f"attr_{a}") if f"review.attr_{a}" in i18n.catalog() else a
                                 for a in lift["attribute"]]
            for col, prefix in (("value", "source_"), ("value", "channel_")):
                lift[col] = [_t(prefix + v) if f"review.{prefix}{v}" in i18n.catalog() else v for v in lift[col]]
            shown = pd.concat([lift.head(10), lift.tail(5)]).drop_duplicates()
            return display.table(shown, labels=labels, caption=_t("cap_lift",
                                                                  rate=i18n.fmt_pct(lift.attrs.get("overall"))),
                                 kinds={"closed": "int", "won": "int", "win_rate": "pct", "lift": "num2",
                                        "share_of_wins": "pct"}, search=False)
        closed = closed_leads(self.ds, start=s, end=e, rep_id=self.rep_id)
        if closed.empty:
            return display.note(_t("none_closed"))
        frame = closed.sort_values(["closed_date", "lead_id"], ascending=[False, True], kind="stable")
        frame = frame.assign(status=[_t(f"lead_{x}") for x in frame["status"]],
                             lost_reason=[_t(f"reason_{x}") if pd.notna(x) and f"review.reason_{x}" in i18n.catalog()
                                          else ("" if pd.isna(x) else x) for x in frame["lost_reason"]])
        frame = self._translate_values(self._translate_values(frame, "source"), "channel")
        cols = ["company", "lead_id", "status", "closed_date", "lost_reason", "source", "channel"]
        return display.table(frame[cols], labels=labels, kinds={"closed_date": "date"},
                             caption=_t("cap_rep_leads", who=self._name(self.rep_id)), max_rows=60)

    # ----------------------------------------------------------------- for analysts

    def sections(self) -> list[str]:
        """Names of the methods that make up the page, in order (for a quick full render)."""
        return ["title", "headline", "notes", "scorecard_table", "weights_table", "kpi_chart", "trend_chart",
                "pacing_note", "pacing_chart", "pacing_table", "lost_table", "churn_table", "receivables_table",
                "aging_chart", "collection_table", "complaints_table", "complaints_detail", "winloss_table",
                "lift_table"]

    def render(self, names: Sequence[str] | None = None) -> list[Any]:
        """Call the given section methods (all by default) and return their outputs."""
        return [getattr(self, n)() for n in (names or self.sections())]
