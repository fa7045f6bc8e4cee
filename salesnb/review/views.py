"""What the periodic-review notebook shows: the team page or one rep's page.

Each function takes a :class:`~salesnb.review.page.ReviewPage` (from
:func:`salesnb.review.open_review`) and returns one thing a notebook cell displays
(a headline, an escaped HTML table, a Figure), already in the report language. It
picks the team or the rep variant by itself, so the notebook has the same cells for
both pages:

>>> page = review.open_review(ds, period="month", period_end="2026-10-31", rep_id=None)
>>> views.headline(page)                 # team numbers; with rep_id: that rep's
>>> plots.show(views.kpi_chart(page))    # team heatmap; with rep_id: rep vs team median

The numbers come from the page (computed once per page); the charts are drawn by
:mod:`salesnb.plots.review`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from IPython.display import HTML
from matplotlib.figure import Figure

from salesnb import display, i18n
from salesnb.export import mask_phone
from salesnb.money.views import rep_cards, year_figures
from salesnb.params import check_choice
from salesnb.plots import review as charts
from salesnb.review import complaints as C
from salesnb.review import receivables as RC
from salesnb.review.kpis import KPIS, LOWER_IS_BETTER, PER_WEEK_IN_SCORE, TEAM
from salesnb.review.pacing import cumulative
from salesnb.review.page import ReviewPage, check_rep
from salesnb.review.periods import Period
from salesnb.review.winloss import attribute_lift, closed_leads, winloss
from salesnb.vocab import REVIEW_PERIODS

__all__ = [
    "KPI_KINDS",
    "aging_chart",
    "check_rep",
    "churn_table",
    "collection_table",
    "complaints_detail",
    "complaints_table",
    "explore",
    "explore_view",
    "headline",
    "kpi_chart",
    "kpi_ranking",
    "lift_table",
    "lost_table",
    "notes",
    "pacing_chart",
    "pacing_note",
    "pacing_table",
    "period_label",
    "receivables_table",
    "render",
    "scorecard_table",
    "sections",
    "title",
    "trend_chart",
    "weights_table",
    "winloss_table",
]

#: Display kind of each KPI (see :func:`salesnb.display.format_cell`).
KPI_KINDS = {"target": "money", "actual": "money", "attainment": "pct", "new_customers": "int",
             "visits": "int", "calls": "int", "weekly_orders": "num1", "growth_rate": "pct_signed",
             "new_development": "int", "lost_customers": "int", "discipline": "num1",
             "report_completion": "pct", "response_hours": "int"}
#: KPIs shown in the heatmap and the rep profile (the target is an input, not a result).
PROFILE_KPIS = [k for k in KPIS if k != "target"]
_MAX_HEATMAP_REPS = 40
_STATUSES = ("on_track", "close", "behind", "no_target", "not_started")


def _t(key: str, **values: Any) -> str:
    """Return the review catalog's text for ``key`` in the report language."""
    return i18n.t(f"review.{key}", **values)


def _t_or(prefix: str, value: Any) -> Any:
    """Return the catalog text of ``review.<prefix><value>`` when there is one, else ``value``."""
    return _t(f"{prefix}{value}") if f"review.{prefix}{value}" in i18n.catalog() else value


def period_label(period: Period) -> str:
    """Return the period in words, in the report language (``October 2026``, ``Q4 2026`` …)."""
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
    """Return one HTML output from several (IPython HTML objects or HTML strings)."""
    return HTML("".join(p.data if hasattr(p, "data") else str(p) for p in parts if p is not None))


def _kpi_text(value: Any, kpi: str, currency: str) -> str:
    """Return a KPI value formatted as its kind."""
    return display.format_cell(value, KPI_KINDS[kpi], currency=currency)


def _name(page: ReviewPage, rep: Any) -> str:
    """Return a rep's name (``Team`` for the team row, ``–`` for none)."""
    if rep == TEAM:
        return i18n.t("common.team")
    if rep is None or (isinstance(rep, float) and pd.isna(rep)):
        return "–"
    return str(page.rep_names.get(str(rep), rep))


def _who(page: ReviewPage) -> str:
    """Return whom the page is about: ``Team`` or the rep's name."""
    return i18n.t("common.team") if page.is_team else _name(page, page.rep_id)


# --------------------------------------------------------------------- title and headline


def title(page: ReviewPage) -> HTML:
    """Return the page heading: company, period and team or rep."""
    who = i18n.t("common.team") if page.is_team else f"{_name(page, page.rep_id)} ({page.rep_id})"
    head = _t("title", who=who, period=period_label(page.period))
    sub = _t("subtitle", company=getattr(page.dataset, "name", ""), start=i18n.fmt_date(page.period.start),
             end=i18n.fmt_date(page.period.as_of))
    return HTML(f"<h2>{display.esc(head)}</h2><p class='snb-note'>{display.esc(sub)}</p>")


def headline(page: ReviewPage) -> Any:
    """Return the 6 numbers first: sales, attainment, landing, growth, receivables, complaints or rank."""
    rep = page.rep_id or TEAM
    row = page.card_row(rep)
    pace = page.pace.set_index("rep_id").loc[rep] if rep in set(page.pace["rep_id"]) else None
    money = lambda v: i18n.fmt_money(v, page.currency)  # noqa: E731
    items = [
        (_t("hl_actual"), money(row["actual"]), _t("hl_actual_note", target=money(row["target"]))),
        (_t("hl_attainment"), i18n.fmt_pct(row["attainment"]), _t("hl_attainment_note")),
    ]
    if pace is not None:
        items.append((_t("hl_landing"), i18n.fmt_pct(pace["projected_attainment"]),
                      _t("hl_landing_note", period=period_label(page.pacing_period),
                         amount=money(pace["projection"]))))
    items.append((_t("hl_growth"), i18n.fmt_pct(row["growth_rate"], signed=True), _t("hl_growth_note")))
    inv = page.own_invoices
    overdue = float(inv.loc[inv["days_overdue"] > 0, "outstanding"].sum())
    dso = page.dso
    dso_value = dso.get(rep, np.nan) if isinstance(dso, pd.Series) else np.nan
    items.append((_t("hl_overdue"), money(overdue), _t("hl_overdue_note", days=i18n.fmt_number(dso_value))))
    items.append(_complaints_card(page) if page.is_team else _rank_card(page, row))
    return display.headline(items)


def _complaints_card(page: ReviewPage) -> tuple[str, str, str]:
    """Return the team's complaints headline card."""
    summary = C.complaints_summary(page.dataset, start=page.period.start, end=page.period.as_of,
                                   times=page.complaints)
    return (_t("hl_complaints"), i18n.fmt_number(summary["complaints"]),
            _t("hl_complaints_note", share=i18n.fmt_pct(summary["response_within_sla"]),
               hours=i18n.fmt_number(page.sla["response_sla_hours"])))


def _rank_card(page: ReviewPage, row: pd.Series) -> tuple[str, str, str]:
    """Return a rep's rank headline card."""
    n = int((~page.card["is_team"]).sum())
    rank = "–" if pd.isna(row["rank"]) else int(row["rank"])
    return (_t("hl_rank"), _t("hl_rank_value", rank=rank, n=n),
            _t("hl_rank_note", score=i18n.fmt_number(row["score"])))


def notes(page: ReviewPage) -> HTML | None:
    """Return call-outs about the data behind the KPIs (missing tables, target source)."""
    lines = []
    source = page.target_source
    lines.append(_t(f"target_source_{source}", growth=i18n.fmt_pct(page.growth, signed=True)))
    for kpi in page.card.attrs.get("missing", []):
        lines.append(_t("kpi_missing", kpi=_t(f"kpi_{kpi}")))
    return display.bullets(lines)


# ----------------------------------------------------------------------------- scorecard


def scorecard_table(page: ReviewPage) -> HTML:
    """Return the team's ranking of every rep with the 12 KPIs, or the rep against the team median."""
    labels = {**display.labels("review"), **{k: _t(f"kpi_{k}") for k in KPIS}}
    if not page.is_team:
        return _rep_scorecard(page, labels)
    frame = page.card.copy()
    frame["name"] = [_name(page, r) if t else n for r, n, t in
                     zip(frame["rep_id"], frame["name"], frame["is_team"], strict=True)]
    frame.loc[frame["is_team"], "rep_id"] = ""
    cols = ["rank", "name", "rep_id", *KPIS, "score"]
    kinds = {**KPI_KINDS, "rank": "int", "score": "num1", "rep_id": "text", "name": "text"}
    return display.table(frame[cols], labels=labels, kinds=kinds, currency=page.currency,
                         max_rows=len(frame) + 1, caption=_t("cap_ranking"))


def _rep_scorecard(page: ReviewPage, labels: dict[str, str]) -> HTML:
    """Return the rep's KPIs against the team median and total, with the position of each."""
    reps = page.card.loc[~page.card["is_team"]].set_index("rep_id")
    row = reps.loc[page.rep_id]
    team = page.card_row(TEAM)
    norm = page.norm.loc[page.rep_id]
    med_norm = page.norm.median()
    rows = []
    for kpi in KPIS:
        position = "" if kpi == "target" or pd.isna(norm.get(kpi)) or pd.isna(med_norm.get(kpi)) else (
            _t("above_median") if norm[kpi] > med_norm[kpi] else
            _t("below_median") if norm[kpi] < med_norm[kpi] else _t("at_median"))
        rows.append({"kpi": _t(f"kpi_{kpi}"), "rep_value": _kpi_text(row[kpi], kpi, page.currency),
                     "team_median": _kpi_text(reps[kpi].median(), kpi, page.currency),
                     "team_total": _kpi_text(team[kpi], kpi, page.currency), "position": position})
    rows.append({"kpi": _t("col_score"), "rep_value": i18n.fmt_number(row["score"], decimals=1),
                 "team_median": i18n.fmt_number(reps["score"].median(), decimals=1), "team_total": "",
                 "position": _t("hl_rank_value", rank="–" if pd.isna(row["rank"]) else int(row["rank"]),
                                n=len(reps))})
    frame = pd.DataFrame(rows)
    return display.table(frame, labels=labels, kinds={c: "text" for c in frame}, search=False,
                         caption=_t("cap_rep_vs_team", who=_name(page, page.rep_id)))


def weights_table(page: ReviewPage) -> HTML:
    """Return the weight of each KPI in the score and whether higher or lower is better."""
    used = page.card.attrs.get("weights", {})
    total = sum(used.values()) or 1.0
    rows = [{"kpi": _t(f"kpi_{k}"), "weight": used.get(k, 0.0) / total,
             "direction": _t("lower_better") if k in LOWER_IS_BETTER else _t("higher_better"),
             "per_week": i18n.t("common.yes") if k in PER_WEEK_IN_SCORE else ""}
            for k in KPIS if page.weights.get(k, 0) > 0]
    return display.table(pd.DataFrame(rows), labels=display.labels("review"),
                         kinds={"weight": "pct"}, search=False, caption=_t("cap_weights"))


def kpi_chart(page: ReviewPage) -> Figure:
    """Return the team's heatmap of team-relative KPIs, or the rep's profile against the team median."""
    cols = [k for k in PROFILE_KPIS if k in page.norm]
    if not page.is_team:
        frame = pd.DataFrame({"label": [_t(f"kpi_{k}") for k in cols],
                              "rep": page.norm.loc[page.rep_id, cols].to_numpy(dtype=float),
                              "median": page.norm[cols].median().to_numpy(dtype=float)})
        return charts.rep_profile(frame, title=_t("chart_profile", who=_name(page, page.rep_id)),
                                  rep_label=_name(page, page.rep_id), median_label=_t("team_median"),
                                  xlabel=_t("chart_profile_axis"), empty=_t("no_data"))
    order = page.card.loc[~page.card["is_team"], "rep_id"].tolist()
    note = ""
    if len(order) > _MAX_HEATMAP_REPS:
        half = _MAX_HEATMAP_REPS // 2
        order = order[:half] + order[-half:]
        note = "\n" + _t("chart_heatmap_cut", n=half)
    norm = page.norm.loc[order, cols]
    raw = page.card.set_index("rep_id").loc[order, cols]
    text = pd.DataFrame({k: [_kpi_text(v, k, page.currency) if k not in ("actual",) else
                             i18n.fmt_number(v / 1000) + "k" for v in raw[k]] for k in cols}, index=order)
    rank = page.card.set_index("rep_id")["rank"]
    rows = [f"{rank[r]}. {_name(page, r)}" for r in order]
    return charts.kpi_heatmap(norm, text=text, row_labels=rows, col_labels=[_t(f"kpi_{k}") for k in cols],
                              title=_t("chart_heatmap") + note, empty=_t("no_data"))


def trend_chart(page: ReviewPage) -> Figure:
    """Return monthly actual against target over the last 12 months (team or rep)."""
    return charts.trend_chart(page.trend(), title=_t("chart_trend", who=_who(page)),
                              ylabel=_t("axis_sales", currency=page.currency),
                              labels={"actual": _t("kpi_actual"), "target": _t("kpi_target")})


# -------------------------------------------------------------------------------- pacing


def pacing_note(page: ReviewPage) -> HTML:
    """Return which period is paced and how many working days are left."""
    p = page.pacing_period
    team = page.pace.loc[page.pace["is_team"]].iloc[0]
    key = "pacing_note" if p is page.period else "pacing_note_year"
    return display.note(_t(key, period=period_label(p), left=i18n.fmt_number(team["days_left"]),
                           gone=i18n.fmt_number(team["days_elapsed"]), end=i18n.fmt_date(p.end)))


def pacing_table(page: ReviewPage) -> HTML:
    """Return every rep's landing, gap and gap per working day left (rep page: the rep and the team)."""
    frame = page.pace.copy()
    if not page.is_team:
        frame = frame.loc[frame["rep_id"].isin([page.rep_id, TEAM])]
    reps = frame.loc[~frame["is_team"]].sort_values(["projected_attainment", "rep_id"], kind="stable",
                                                     na_position="last")
    frame = pd.concat([reps, frame.loc[frame["is_team"]]], ignore_index=True)
    frame.insert(1, "name", [_name(page, r) for r in frame["rep_id"]])
    frame["status"] = [_t(f"status_{s}") for s in frame["status"]]
    frame.loc[frame["is_team"], "rep_id"] = ""
    cols = ["name", "rep_id", "target", "actual", "projection", "projected_attainment", "gap", "days_left",
            "gap_per_day", "status"]
    kinds = {"target": "money", "actual": "money", "projection": "money", "projected_attainment": "pct",
             "gap": "money", "days_left": "int", "gap_per_day": "money", "rep_id": "text"}
    return display.table(frame[cols], labels=display.labels("review"), kinds=kinds, currency=page.currency,
                         max_rows=len(frame) + 1, caption=_t("cap_pacing", period=period_label(page.pacing_period)))


def pacing_chart(page: ReviewPage) -> Figure:
    """Return the projected attainment per rep, or the rep's cumulative sales against target."""
    p = page.pacing_period
    if page.is_team:
        reps = page.pace.loc[~page.pace["is_team"]].sort_values(["projected_attainment", "rep_id"],
                                                                 ascending=[False, True], kind="stable")
        if len(reps) > _MAX_HEATMAP_REPS:
            half = _MAX_HEATMAP_REPS // 2
            reps = pd.concat([reps.head(half), reps.tail(half)])
        frame = pd.concat([page.pace.loc[page.pace["is_team"]], reps], ignore_index=True)
        return charts.pacing_bars(frame, labels=[_name(page, r) for r in frame["rep_id"]],
                                  title=_t("chart_pacing", period=period_label(p)),
                                  xlabel=_t("col_projected_attainment"),
                                  status_labels={s: _t(f"status_{s}") for s in _STATUSES}, empty=_t("no_data"))
    path = cumulative(page.rep_data, start=p.start, end=p.end, as_of=p.as_of, rep_id=page.rep_id,
                      daily=page.own_daily, weights=page.pace_weights)
    return charts.cumulative_pacing(path, title=_t("chart_cumulative", who=_name(page, page.rep_id),
                                                   period=period_label(p)),
                                    ylabel=_t("axis_sales", currency=page.currency), as_of=p.as_of,
                                    labels={"target": _t("kpi_target"), "actual": _t("kpi_actual"),
                                            "projection": _t("col_projection")})


# ------------------------------------------------------------ lost customers and churn risk


def lost_table(page: ReviewPage) -> HTML:
    """Return the customers lost in the last 12 months (team or the rep's), by value at risk."""
    a = page.period.as_of
    r = page.own_rhythm
    lost = r.loc[(r["status"] == "lost") & (r["lost_date"] > a - pd.DateOffset(years=1)) & (r["lost_date"] <= a)]
    if not page.is_team:
        lost = lost.loc[lost["rep_id"].astype(str) == page.rep_id]
    lost = lost.sort_values(["value_at_risk", "customer_id"], ascending=[False, True], kind="stable")
    in_period = int(((lost["lost_date"] >= page.period.start)).sum())
    frame = lost.assign(rep=[_name(page, x) for x in lost["rep_id"]])
    cols = ["name", "customer_id", *(["rep"] if page.is_team else []), "last_order", "median_gap",
            "allowed_days", "lost_date", "value_at_risk"]
    caption = _t("cap_lost", n=i18n.fmt_number(len(lost)), in_period=i18n.fmt_number(in_period))
    kinds = {"median_gap": "int", "allowed_days": "int", "value_at_risk": "money", "last_order": "date",
             "lost_date": "date"}
    top = page.top if page.is_team else 50
    return display.table(frame[cols].head(top), labels=display.labels("review"), kinds=kinds,
                         currency=page.currency, caption=caption, empty=_t("none_lost"))


def churn_table(page: ReviewPage) -> HTML:
    """Return the active customers most likely to be lost, by risk x value at risk, with the model's AUC."""
    res = page.own_churn
    scores = res.scores if page.is_team else res.scores.loc[res.scores["rep_id"].astype(str) == page.rep_id]
    frame = scores.head(page.top if page.is_team else 15).assign(rep=lambda f: [_name(page, x) for x in f["rep_id"]])
    cols = ["name", "customer_id", *(["rep"] if page.is_team else []), "risk", "last_order", "days_since",
            "allowed_days", "sales_12m", "expected_loss"]
    kinds = {"risk": "pct", "days_since": "int", "allowed_days": "int", "sales_12m": "money",
             "expected_loss": "money", "last_order": "date"}
    if np.isfinite(res.auc):
        text = _t("churn_note", auc=i18n.fmt_number(res.auc, decimals=2), days=res.horizon_days,
                  n=i18n.fmt_number(res.n_test))
    else:
        text = _t("churn_note_no_auc", days=res.horizon_days)
    table = display.table_html(frame[cols], labels=display.labels("review"), kinds=kinds, currency=page.currency,
                               caption=_t("cap_churn")) if len(frame) else display.note(_t("none_at_risk")).data
    return _join(display.note(text), table)


# --------------------------------------------------------------------------- receivables


def receivables_table(page: ReviewPage) -> HTML:
    """Return aging buckets and DSO: team by rep (with a team row); rep by customer (with a total)."""
    kinds = {b: "money" for b in (*RC.BUCKETS, "total", "overdue")}
    kinds.update({"overdue_share": "pct", "dso": "int"})
    as_of = page.period.as_of
    total = RC.aging(page.dataset, as_of=as_of, invoices=page.own_invoices)
    dso = page.dso
    if page.is_team:
        frame = RC.aging(page.dataset, as_of=as_of, by="rep_id", invoices=page.invoices)
        frame["dso"] = frame["rep_id"].map(dso)
        frame.insert(0, "name", [_name(page, r) for r in frame["rep_id"]])
        total = total.assign(name=i18n.t("common.team"), rep_id="", dso=dso.get(TEAM, np.nan))
        cap = _t("cap_aging_team", date=i18n.fmt_date(as_of))
    else:
        frame = RC.aging(page.dataset, as_of=as_of, by="customer_id", invoices=page.own_invoices).head(30)
        customers = page.rep_data.customers  # the rep's customers (the owners of its invoices)
        names = customers.set_index(customers["customer_id"].astype(str))["name"].astype(object)
        frame.insert(0, "name", names.reindex(frame["customer_id"]).to_numpy())
        total = total.assign(name=i18n.t("common.total"), customer_id="")
        cap = _t("cap_aging_rep", date=i18n.fmt_date(as_of), dso=i18n.fmt_number(dso.get(page.rep_id, np.nan)))
    frame = pd.concat([frame, total[frame.columns]], ignore_index=True)
    return display.table(frame, labels=display.labels("review"), kinds=kinds, currency=page.currency, caption=cap,
                         max_rows=len(frame) + 1)


def aging_chart(page: ReviewPage) -> Figure:
    """Return the outstanding amount per aging bucket (team or the rep's customers)."""
    total = RC.aging(page.dataset, as_of=page.period.as_of, invoices=page.own_invoices)
    return charts.aging_bars(total[list(RC.BUCKETS)].iloc[0].to_numpy(dtype=float),
                             labels=[_t(f"col_{b}") for b in RC.BUCKETS],
                             title=_t("chart_aging", who=_who(page), date=i18n.fmt_date(page.period.as_of)),
                             ylabel=_t("axis_amount", currency=page.currency))


def collection_table(page: ReviewPage) -> HTML:
    """Return whom to call this week about overdue invoices, biggest x oldest first."""
    plan = RC.collection_plan(page.rep_data, as_of=page.period.as_of, rep_id=page.rep_id, invoices=page.own_invoices,
                              top=page.top if page.is_team else 30)
    plan.insert(0, "order", np.arange(1, len(plan) + 1))
    plan["rep"] = [_name(page, x) for x in plan["rep_id"]]
    if page.mask_contacts and "phone" in plan:  # director packs: no full numbers in HTML
        plan["phone"] = [mask_phone(v) for v in plan["phone"]]
    cols = ["order", "name", "customer_id", *(["rep"] if page.is_team else []),
            *(["phone"] if "phone" in plan else []), "overdue", "invoices", "oldest_days", "oldest_due"]
    kinds = {"order": "int", "overdue": "money", "invoices": "int", "oldest_days": "int", "oldest_due": "date",
             "phone": "text"}
    return display.table(plan[cols], labels=display.labels("review"), kinds=kinds, currency=page.currency,
                         caption=_t("cap_collection"), empty=_t("none_overdue"), search=False)


# ---------------------------------------------------------------------------- complaints


def complaints_table(page: ReviewPage) -> HTML:
    """Return complaints by category with first-response and resolution times against the SLA."""
    t = page.own_complaints
    s = C.complaints_summary(page.dataset, start=page.period.start, end=page.period.as_of, times=t)
    text = _t("complaints_note", n=i18n.fmt_number(s["complaints"]), mismatch=i18n.fmt_number(s["config_mismatch"]),
              resp=i18n.fmt_pct(s["response_within_sla"]), res=i18n.fmt_pct(s["resolved_within_sla"]),
              hours=i18n.fmt_number(page.sla["response_sla_hours"]),
              days=i18n.fmt_number(page.sla["resolution_sla_days"]), open=i18n.fmt_number(s["open"]))
    if t.empty:
        return _join(display.note(text))
    frame = C.complaints_by(page.dataset, start=page.period.start, end=page.period.as_of, by="category", times=t)
    frame["category"] = [_t_or("category_", c) for c in frame["category"]]
    return _join(display.note(text), _complaint_html(frame, "category", _t("cap_complaints_category")))


def _complaint_html(frame: pd.DataFrame, by: str, caption: str) -> str:
    """Return a complaints-by table as HTML text."""
    kinds = {"complaints": "int", "share": "pct", "median_response_hours": "int", "response_within_sla": "pct",
             "median_resolution_days": "num1", "resolved_within_sla": "pct", "open": "int", by: "text"}
    return display.table_html(frame, labels=display.labels("review"), kinds=kinds, caption=caption,
                              max_rows=len(frame) + 1)


def complaints_detail(page: ReviewPage) -> HTML:
    """Return complaints by product and by rep (team), or by product and the list of complaints (rep)."""
    t = page.own_complaints
    if t.empty:
        return display.note(_t("none_complaints"))
    start, end = page.period.start, page.period.as_of
    by_product = C.complaints_by(page.dataset, start=start, end=end, by="product_id", times=t).head(10)
    products = page.dataset.products
    names = products.set_index(products["product_id"].astype(str))["name"].astype(object)
    by_product.insert(1, "product", names.reindex(by_product["product_id"]).fillna("–").to_numpy())
    parts = [_complaint_html(by_product, "product_id", _t("cap_complaints_product"))]
    if page.is_team:
        by_rep = C.complaints_by(page.dataset, start=start, end=end, by="rep_id", times=t)
        by_rep.insert(0, "name", [_name(page, r) for r in by_rep["rep_id"]])
        parts.append(_complaint_html(by_rep, "rep_id", _t("cap_complaints_rep")))
    else:
        parts.append(_complaint_list(t))
    return _join(*parts)


def _complaint_list(times: pd.DataFrame) -> str:
    """Return a rep's complaints one by one, as HTML text."""
    yes_no = {True: i18n.t("common.yes"), False: i18n.t("common.no")}
    items = times.assign(category=[_t_or("category_", c) for c in times["category"]],
                         response_ok=times["response_ok"].map(yes_no).fillna("…"),
                         open=times["open"].map(yes_no))
    cols = ["complaint_id", "customer_id", "product_id", "category", "severity", "opened_date",
            "response_hours", "response_ok", "resolution_days", "open"]
    return display.table_html(items[cols], labels=display.labels("review"),
                              kinds={"opened_date": "date", "response_hours": "int", "resolution_days": "int"},
                              caption=_t("cap_complaints_list"))


# ------------------------------------------------------------------------------ win/loss


def winloss_table(page: ReviewPage) -> HTML:
    """Return lead outcomes by source, channel (and rep on the team page), and the reasons for losing."""
    s, e, widened = page.winloss_span
    rep = page.rep_id
    closed = closed_leads(page.rep_data, start=s, end=e, rep_id=rep)
    team_rate = page.team_win_rate
    text = _t("winloss_note_wide" if widened else "winloss_note", start=i18n.fmt_date(s), end=i18n.fmt_date(e),
              n=i18n.fmt_number(len(closed)), won=i18n.fmt_number(int(closed["won"].sum())),
              rate=i18n.fmt_pct(closed["won"].mean() if len(closed) else np.nan),
              team=i18n.fmt_pct(team_rate))
    if closed.empty:
        return _join(display.note(text))
    labels = display.labels("review")
    kinds = {"won": "int", "lost": "int", "closed": "int", "win_rate": "pct", "share": "pct"}
    parts: list[Any] = [display.note(text)]
    for dim in ["source", "channel", *(["rep_id"] if page.is_team else [])]:
        frame = winloss(page.rep_data, start=s, end=e, by=dim, rep_id=rep)
        if dim == "rep_id":
            frame.insert(0, "name", [_name(page, r) for r in frame["rep_id"]])
        frame = _translate_values(frame, dim)
        parts.append(display.table_html(frame, labels=labels, kinds={**kinds, dim: "text"},
                                        caption=_t(f"cap_winloss_{dim}"), max_rows=len(frame) + 1))
    reasons = _translate_values(winloss(page.rep_data, start=s, end=e, by="lost_reason", rep_id=rep),
                                "lost_reason")
    parts.append(display.table_html(reasons, labels=labels, kinds=kinds, caption=_t("cap_winloss_lost_reason")))
    return _join(*parts)


def _translate_values(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """Return ``frame`` with the values of a source, channel or lost-reason column translated."""
    prefix = {"source": "source_", "channel": "channel_", "lost_reason": "reason_"}.get(column)
    if prefix is None or column not in frame:
        return frame
    return frame.assign(**{column: [_t_or(prefix, v) for v in frame[column]]})


def lift_table(page: ReviewPage) -> HTML:
    """Return what won deals had in common (team: attribute lift), or the rep's wins and losses."""
    if not page.is_team:
        return _rep_leads(page)
    s, e, _ = page.winloss_span
    lift = attribute_lift(page.dataset, start=s, end=e)
    if lift.empty:
        return display.note(_t("none_closed"))
    lift["attribute"] = [_t_or("attr_", a) for a in lift["attribute"]]
    for col, prefix in (("value", "source_"), ("value", "channel_")):
        lift[col] = [_t_or(prefix, v) for v in lift[col]]
    shown = pd.concat([lift.head(10), lift.tail(5)]).drop_duplicates()
    return display.table(shown, labels=display.labels("review"),
                         caption=_t("cap_lift", rate=i18n.fmt_pct(lift.attrs.get("overall"))),
                         kinds={"closed": "int", "won": "int", "win_rate": "pct", "lift": "num2",
                                "share_of_wins": "pct"}, search=False)


def _rep_leads(page: ReviewPage) -> HTML:
    """Return the rep's closed leads, newest first, with the reason for each loss."""
    s, e, _ = page.winloss_span
    closed = closed_leads(page.rep_data, start=s, end=e, rep_id=page.rep_id)
    if closed.empty:
        return display.note(_t("none_closed"))
    frame = closed.sort_values(["closed_date", "lead_id"], ascending=[False, True], kind="stable")
    frame = frame.assign(status=[_t(f"lead_{x}") for x in frame["status"]],
                         lost_reason=["" if pd.isna(x) else _t_or("reason_", x) for x in frame["lost_reason"]])
    frame = _translate_values(_translate_values(frame, "source"), "channel")
    cols = ["company", "lead_id", "status", "closed_date", "lost_reason", "source", "channel"]
    return display.table(frame[cols], labels=display.labels("review"), kinds={"closed_date": "date"},
                         caption=_t("cap_rep_leads", who=_name(page, page.rep_id)), max_rows=60)


# ------------------------------------------------------------------------- for analysts

def money_cards(page: ReviewPage) -> Any:
    """Return a rep page's money cards: margin and commission so far this year, prospect activity against plan.

    The team page shows nothing here (its money is on the money page, notebook 06).
    """
    if page.is_team:
        return None
    a = page.period.as_of
    figures = page.shared("money", lambda: year_figures(page.dataset, as_of=a, daily=page.daily, growth=page.growth))
    return display.headline(rep_cards(figures, page.rep_data, rep_id=page.rep_id, start=pd.Timestamp(a.year, 1, 1),
                                      end=a, currency=page.currency))


#: The sections of a page, in order: name -> view function.
SECTIONS: dict[str, Callable[[ReviewPage], Any]] = {
    "title": title, "headline": headline, "notes": notes, "scorecard_table": scorecard_table,
    "weights_table": weights_table, "kpi_chart": kpi_chart, "trend_chart": trend_chart,
    "pacing_note": pacing_note, "pacing_chart": pacing_chart, "pacing_table": pacing_table,
    "lost_table": lost_table, "churn_table": churn_table, "receivables_table": receivables_table,
    "aging_chart": aging_chart, "collection_table": collection_table, "complaints_table": complaints_table,
    "complaints_detail": complaints_detail, "winloss_table": winloss_table, "lift_table": lift_table,
}


def sections(page: ReviewPage | None = None) -> list[str]:
    """Return the names of the view functions that make up a page, in order.

    Parameters
    ----------
    page : ReviewPage, optional
        The page (every page has the same sections; its team or rep variant differs).

    Returns
    -------
    list of str
    """
    return list(SECTIONS)


def render(page: ReviewPage, names: Sequence[str] | None = None) -> list[Any]:
    """Call the given view functions on a page (all by default) and return their outputs.

    Parameters
    ----------
    page : ReviewPage
        The page to render.
    names : sequence of str, optional
        Section names (see :func:`sections`); every section by default.

    Returns
    -------
    list
        One output per section (HTML, Figure or None), in order.
    """
    return [SECTIONS[n](page) for n in (names or sections(page))]


# -------------------------------------------------------------------------------- explore


def kpi_ranking(page: ReviewPage, kpi: str) -> HTML:
    """Return every rep's value of one KPI in the page's period, best first, the page's rep marked.

    Parameters
    ----------
    page : ReviewPage
        The page (team or rep); its rep, if any, is marked ``●``.
    kpi : str
        One of :data:`salesnb.review.kpis.KPIS`.
    """
    check_choice("kpi", kpi, KPIS)
    reps = page.card.loc[~page.card["is_team"]].copy()
    reps = reps.sort_values([kpi, "rep_id"], ascending=[kpi in LOWER_IS_BETTER, True], kind="stable",
                            na_position="last")
    frame = pd.DataFrame({"rank": range(1, len(reps) + 1), "name": reps["name"].to_numpy(),
                          "rep_id": reps["rep_id"].to_numpy(), kpi: reps[kpi].to_numpy(),
                          "score": reps["score"].to_numpy(),
                          "chosen": np.where(reps["rep_id"].to_numpy() == page.rep_id, "●", "")})
    labels = {**display.labels("review"), kpi: _t(f"kpi_{kpi}"), "chosen": _t("col_chosen")}
    kinds = {"rank": "int", kpi: KPI_KINDS.get(kpi, "num1"), "score": "num1", "rep_id": "text", "name": "text",
             "chosen": "text"}
    caption = _t("cap_explore", kpi=_t(f"kpi_{kpi}"), period=period_label(page.period))
    return display.table(frame, labels=labels, kinds=kinds, currency=page.currency, max_rows=len(frame) + 1,
                         search=False, caption=caption)


def explore_view(page: ReviewPage, *, rep_id: str = "", kpi: str = "attainment", period: str = "month") -> list[Any]:
    """Return the Explore view of one choice: the KPI ranking and the trend of the rep (or team).

    The page's data, reporting date, weights, targets and service levels are kept;
    ``rep_id`` ("" for the team), ``kpi`` and ``period`` are the choice. A rep not
    employed in the chosen period gives the parameter message instead of a view.
    """
    from salesnb.errors import ParameterError
    from salesnb.review.page import open_review

    try:
        view = open_review(page.dataset, period=period, period_end=page.period.as_of, rep_id=rep_id or None,
                           weights=page.weights, growth=page.growth, targets=page.targets, top=page.top,
                           sla=page.sla, mask_contacts=page.mask_contacts)
    except ParameterError as exc:
        return [display.note(str(exc), warn=True), HTML("")]
    return [kpi_ranking(view, kpi), trend_chart(view)]


def explore(page: ReviewPage, *, kpi: str = "attainment") -> None:
    """Show rep, KPI and period controls above :func:`explore_view`, redrawn in place on a change.

    The default choice is the page's own rep (or the team), ``kpi`` and period, so
    an HTML export shows that view; JupyterLab adds the controls.
    """
    import ipywidgets as widgets

    from salesnb import notebook

    check_choice("kpi", kpi, KPIS)
    reps = page.card.loc[~page.card["is_team"]]
    kinds = [*REVIEW_PERIODS, *([page.period.kind] if page.period.kind not in REVIEW_PERIODS else [])]
    controls = {
        "rep_id": widgets.Dropdown(options=[(_t("explore_team"), ""), *((_name(page, r), r) for r in reps["rep_id"])],
                                   value=page.rep_id or "", description=_t("explore_rep")),
        "kpi": widgets.Dropdown(options=[(_t(f"kpi_{k}"), k) for k in KPIS], value=kpi,
                                description=_t("explore_kpi")),
        "period": widgets.Dropdown(options=[(_t(f"explore_period_{k}"), k) for k in kinds], value=page.period.kind,
                                   description=_t("explore_period")),
    }

    def render(*, rep_id: str, kpi: str, period: str) -> list[Any]:
        chosen = period if period != "custom" else page.period.start.date().isoformat()
        return explore_view(page, rep_id=rep_id, kpi=kpi, period=chosen)

    notebook.explore(controls, render)
