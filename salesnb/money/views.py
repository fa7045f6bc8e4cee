"""What notebook 06 and the review's rep pages show: cards, translated tables and sentences.

Every function returns already-translated frames, cards or text from
``salesnb/locale/money.json``, so a notebook cell stays one call long. The tables keep
their data column names; :func:`labels` gives the translated headers and :func:`kinds`
the display kinds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesnb import display, i18n
from salesnb.errors import SalesnbError
from salesnb.money.commissions import commissions
from salesnb.money.margin import costed_orders, margin
from salesnb.review.plan import target_plan
from salesnb.targets.activity import activity_plan

if TYPE_CHECKING:
    from salesnb.data import Dataset

__all__ = [
    "KINDS", "activity_against_plan", "activity_table", "budget_line", "budget_table", "commission_table",
    "competitor_table", "contribution_table", "funnel_table", "headline", "kinds", "labels", "losses_table",
    "margin_line", "margin_table", "pipeline_table", "promotion_table", "rep_cards", "what_if_table", "year_figures",
]

#: Display kinds of the money tables' columns.
KINDS = {
    **dict.fromkeys(["net_sales", "cost", "margin", "prior_net_sales", "prior_margin", "margin_change", "actual",
                     "budget", "variance", "expenses", "contribution", "base_amount", "commission", "bonuses",
                     "total", "target", "sales_with", "margin_with", "sales_without", "margin_without", "sales",
                     "sales_year_before", "margin_year_before", "value", "expected_sales", "from_book", "gap",
                     "revenue_budget", "cost_of_goods", "selling_expenses"], "money"),
    **dict.fromkeys(["margin_pct", "prior_margin_pct", "contribution_pct", "attainment", "rate", "share",
                     "visit_rate", "proposal_rate", "win_rate", "margin_pct_with", "margin_pct_without",
                     "expense_share", "cost_share"], "pct"),
    **dict.fromkeys(["variance_pct", "uplift", "margin_uplift", "pct_points"], "pct_signed"),
    **dict.fromkeys(["tier", "new_customers", "collected", "calls", "visits", "proposals", "wins", "leads",
                     "losses", "customers", "days", "new_customers_needed", "proposals_needed", "visits_needed",
                     "calls_needed", "calls_capacity", "shortfall", "done", "needed"], "int"),
    **dict.fromkeys(["start", "end", "week_start", "date"], "date"),
    "month": "month", "calls_per_win": "num1", "factor": "num2",
}


def kinds() -> dict[str, str]:
    """Return the display kinds of the money tables' columns."""
    return dict(KINDS)


def labels() -> dict[str, str]:
    """Return the translated headers of the money tables (``money.col_<name>``)."""
    return display.labels("money")


def _money(value: float, currency: str) -> str:
    return i18n.fmt_money(value, currency) if np.isfinite(value) else "–"


def _pct(value: float, *, signed: bool = False) -> str:
    return i18n.fmt_pct(value, signed=signed) if np.isfinite(value) else "–"


def headline(total: pd.DataFrame, budget: pd.DataFrame, cost: dict[str, float], rivals: pd.DataFrame,
             pipeline: pd.DataFrame, *, currency: str = "EUR") -> list[tuple[str, str, str]]:
    """Return the cards of the money page: margin, expenses vs budget, incentive cost, top rival, pipeline.

    Parameters
    ----------
    total : DataFrame
        :func:`~salesnb.money.margin_comparison` with ``by=None`` (one row).
    budget : DataFrame
        :func:`~salesnb.money.expenses_vs_budget` by line (summed here).
    cost : dict
        :func:`~salesnb.money.incentive_cost`.
    rivals : DataFrame
        :func:`~salesnb.money.competitor_losses` by competitor.
    pipeline : DataFrame
        :func:`salesnb.targets.pipeline.weighted_pipeline`.
    currency : str
        ISO code.
    """
    row = total.iloc[0]
    cards = [(i18n.t("money.card_margin"), _money(float(row["margin"]), currency),
              i18n.t("money.card_margin_note", pct=_pct(float(row["margin_pct"])),
                     points=i18n.fmt_number(100 * float(row["pct_points"]), decimals=1)
                     if np.isfinite(float(row["pct_points"])) else "–"))]
    actual, planned = float(budget["actual"].sum()), float(budget["budget"].sum())
    cards.append((i18n.t("money.card_expenses"), _money(actual, currency),
                  i18n.t("money.card_expenses_note", budget=_money(planned, currency),
                         variance=_pct(actual / planned - 1 if planned > 0 else float("nan"), signed=True))))
    cards.append((i18n.t("money.card_incentives"), _money(cost["total"], currency),
                  i18n.t("money.card_incentives_note", share=_pct(cost["share"]))))
    if len(rivals):
        top = rivals.iloc[0]
        cards.append((i18n.t("money.card_rival"), str(top["competitor"]),
                      i18n.t("money.card_rival_note", n=i18n.fmt_number(int(top["losses"])),
                             share=_pct(float(top["share"])))))
    cards.append((i18n.t("money.card_pipeline"), _money(float(pipeline["expected_sales"].sum()), currency),
                  i18n.t("money.card_pipeline_note", n=i18n.fmt_number(int(pipeline["leads"].sum())))))
    return cards


def margin_line(total: pd.DataFrame, *, currency: str = "EUR") -> str:
    """One sentence: margin and margin % now against the same period a year earlier."""
    row = total.iloc[0]
    return i18n.t("money.margin_line", start=i18n.fmt_date(total.attrs["start"]), end=i18n.fmt_date(total.attrs["end"]),
                  margin=_money(float(row["margin"]), currency), pct=_pct(float(row["margin_pct"])),
                  prior=_money(float(row["prior_margin"]), currency), prior_pct=_pct(float(row["prior_margin_pct"])))


def margin_table(frame: pd.DataFrame, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return a margin comparison with ``rep_region`` shown as ``region``, by name when ``regions`` is given.

    Parameters
    ----------
    frame : DataFrame
        From :func:`salesnb.money.margin_comparison`.
    regions : DataFrame, optional
        The dataset's ``regions`` (``region_id, name``): region codes become names a
        director reads (``Comunidad de Madrid`` rather than ``ES-MD``); an unknown code
        stays as it is.

    Returns
    -------
    DataFrame
    """
    out = frame.rename(columns={"rep_region": "region"})
    if regions is not None and "region" in out:
        names = regions.set_index("region_id")["name"]
        out["region"] = [names.get(code, code) for code in out["region"]]
    return out


def _line_name(line: Any) -> str:
    return i18n.t(f"money.line_{line}") if isinstance(line, str) else "–"


def budget_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Expenses against budget with the expense lines translated (a total row at the bottom)."""
    out = frame.copy()
    if "line" in out:
        out["line"] = [_line_name(v) for v in out["line"]]
    total = {c: out[c].sum() for c in ("actual", "budget", "variance")}
    total["variance_pct"] = total["variance"] / total["budget"] if total["budget"] > 0 else float("nan")
    first = out.columns[0]
    total[first] = i18n.t("money.total")
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def budget_line(frame: pd.DataFrame, *, currency: str = "EUR") -> str:
    """One sentence: the line most over budget and the one most under."""
    if frame.empty:
        return i18n.t("money.no_budget")
    over = frame.sort_values("variance", ascending=False, kind="stable").iloc[0]
    under = frame.sort_values("variance", kind="stable").iloc[0]
    return i18n.t("money.budget_line", over=_line_name(over["line"]), over_by=_money(float(over["variance"]), currency),
                  under=_line_name(under["line"]), under_by=_money(-float(under["variance"]), currency))


def contribution_table(frame: pd.DataFrame, names: pd.Series | None = None, *,
                       regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return contribution per rep or per region, with names a director reads.

    Parameters
    ----------
    frame : DataFrame
        From :func:`salesnb.money.contribution`.
    names : Series, optional
        Rep names by rep id: a ``name`` column follows ``rep_id``.
    regions : DataFrame, optional
        The dataset's ``regions`` (``region_id, name``): a ``region`` column of names
        follows ``region_id`` (an unknown code stays as it is).

    Returns
    -------
    DataFrame
    """
    out = frame.copy()
    if names is not None and "rep_id" in out:
        out.insert(1, "name", out["rep_id"].map(names))
    if regions is not None and "region_id" in out:
        by_code = regions.set_index("region_id")["name"]
        out.insert(1, "region", [by_code.get(code, code) for code in out["region_id"]])
    return out


def commission_table(frame: pd.DataFrame, names: pd.Series | None = None) -> pd.DataFrame:
    """Commissions per rep with translated bases and the rep's name."""
    out = frame[["rep_id", "plan_id", "net_sales", "target", "attainment", "tier", "rate", "base",
                 "base_amount", "commission", "new_customers", "collected", "bonuses", "total"]].copy()
    out["base"] = [i18n.t(f"money.base_{b}") for b in out["base"]]
    if names is not None:
        out.insert(1, "name", out["rep_id"].map(names))
    return out.sort_values("total", ascending=False, kind="stable").reset_index(drop=True)


def what_if_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Return the rate what-if as a table (factor, commission, bonuses, total, share)."""
    return frame.copy()


def promotion_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Each promotion: dates, sales and margin % with and without the code, sales a year before, uplift."""
    return frame[["code", "start", "end", "sales_with", "margin_pct_with", "sales_without", "margin_pct_without",
                  "sales", "sales_year_before", "uplift", "margin_uplift"]].copy()


def losses_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Losses to competitors with the loss kind translated."""
    out = frame.copy()
    if "kind" in out:
        out["kind"] = [i18n.t(f"money.kind_{k}") for k in out["kind"]]
    return out


def competitor_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Competitor profiles with the price position translated."""
    out = frame.copy()
    out["price_position"] = [i18n.t(f"money.price_{v}") if isinstance(v, str) else "–"
                             for v in out["price_position"]]
    return out


def funnel_table(rates: pd.DataFrame, names: pd.Series | None = None) -> pd.DataFrame:
    """Return the conversion funnel per rep (or group) with the team's row first."""
    team = rates.attrs.get("team", {})
    first = rates.columns[0]
    row = {first: i18n.t("money.team"), **team}
    if team:
        row["calls_per_win"] = 1.0 / (team["visit_rate"] * team["proposal_rate"] * team["win_rate"])
    out = pd.concat([pd.DataFrame([row]), rates], ignore_index=True)
    if names is not None and first == "rep_id":
        out.insert(1, "name", out["rep_id"].map(names).fillna(""))
    return out


def activity_table(activity: pd.DataFrame, *, rep_id: str | None = None) -> pd.DataFrame:
    """Return the activity plan (one rep's months, or each rep's year) with feasibility as yes/no."""
    cols = ["target", "from_book", "gap", "new_customers_needed", "proposals_needed", "visits_needed",
            "calls_needed", "calls_capacity", "shortfall"]
    if rep_id is not None:
        out = activity.loc[activity["rep_id"] == rep_id, ["month", *cols, "feasible"]].copy()
    else:
        out = activity.groupby("rep_id", as_index=False).agg(**{c: (c, "sum") for c in cols},
                                                             feasible=("feasible", "all"))
    out["feasible"] = [i18n.t("common.yes") if v else i18n.t("common.no") for v in out["feasible"]]
    return out.reset_index(drop=True)


def pipeline_table(pipeline: pd.DataFrame) -> pd.DataFrame:
    """Return the weighted pipeline per rep and month (stages summed), with the stage mix as text."""
    out = pipeline.groupby(["rep_id", "month"], dropna=False, as_index=False)[["leads", "expected_sales"]].sum()
    return out.sort_values(["month", "expected_sales"], ascending=[True, False], kind="stable").reset_index(drop=True)


def activity_against_plan(dataset: Dataset, activity: pd.DataFrame, *, rep_id: str, start: pd.Timestamp,
                          end: pd.Timestamp) -> pd.DataFrame:
    """Return a rep's calls and visits with leads in a span against what the activity plan asks for then.

    The plan's months are counted in proportion to the days of each month in the span.

    Returns
    -------
    DataFrame
        ``what`` (calls, visits), ``done``, ``needed``.
    """
    acts = dataset["activities"] if dataset.has("activities") else pd.DataFrame(columns=["rep_id"])
    own = acts.loc[(acts["rep_id"] == rep_id) & acts["lead_id"].notna()
                   & (acts["activity_date"] >= start) & (acts["activity_date"] <= end)]
    plan = activity.loc[activity["rep_id"] == rep_id]
    share = [_month_share(m, start, end) for m in plan["month"]]
    need_calls = float(np.dot(plan["calls_needed"].to_numpy(dtype=float), share)) if len(plan) else 0.0
    need_visits = float(np.dot(plan["visits_needed"].to_numpy(dtype=float), share)) if len(plan) else 0.0
    return pd.DataFrame({"what": [i18n.t("money.what_calls"), i18n.t("money.what_visits")],
                         "done": [int((own["kind"] == "call").sum()),
                                  int(own["kind"].isin(["visit", "meeting"]).sum())],
                         "needed": [round(need_calls), round(need_visits)]})


def _month_share(month: pd.Timestamp, start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Share of ``month``'s days that fall from ``start`` to ``end``."""
    last = month + pd.offsets.MonthEnd(0)
    days = (min(last, end) - max(month, start)).days + 1
    return max(days, 0) / last.day


def year_figures(dataset: Dataset, *, as_of: pd.Timestamp, daily: pd.DataFrame,
                 growth: float) -> dict[str, pd.DataFrame | None]:
    """Return the team's money figures of the year to ``as_of``, for the rep pages' cards.

    Parameters
    ----------
    dataset : Dataset
        The loaded data.
    as_of : Timestamp
        The reporting day; the year to date is 1 January to it.
    daily : DataFrame
        Daily targets (``rep_id, date, target``) covering the year to date.
    growth : float
        Growth of the year's target plan over last year (0.05 = +5 %).

    Returns
    -------
    dict
        ``margin`` (by rep), ``commissions`` (against ``daily``) and ``activity``
        (:func:`salesnb.targets.activity.activity_plan` of the year's plan; None when
        the data cannot plan the year).
    """
    start = pd.Timestamp(as_of.year, 1, 1)
    days = daily.loc[(daily["date"] >= start) & (daily["date"] <= as_of)]
    targets = days.assign(rep_id=days["rep_id"].astype(str)).groupby("rep_id", as_index=False)["target"].sum()
    try:
        activity = activity_plan(target_plan(dataset, year=as_of.year, growth=growth), dataset)
    except (SalesnbError, KeyError):
        activity = None
    lines = costed_orders(dataset, start=start, end=as_of)  # the year's lines: all the cards read
    return {"margin": margin(dataset, by="rep", start=start, end=as_of, lines=lines),
            "commissions": commissions(dataset, start=start, end=as_of, targets=targets, lines=lines),
            "activity": activity}


def rep_cards(figures: dict[str, pd.DataFrame | None], dataset: Dataset, *, rep_id: str, start: pd.Timestamp,
              end: pd.Timestamp, currency: str = "EUR") -> list[tuple[str, str, str]]:
    """Return the cards of a rep page: margin and commission from ``start`` to ``end``, activity against plan.

    Parameters
    ----------
    figures : dict
        ``margin`` (:func:`~salesnb.money.margin` by rep), ``commissions``
        (:func:`~salesnb.money.commissions`) and ``activity``
        (:func:`salesnb.targets.activity.activity_plan`, or None: no activity card), all
        over the same span.
    dataset : Dataset
        The loaded data (its prospect contacts are counted).
    rep_id : str
        The rep.
    start, end : Timestamp
        The span the figures cover (the year to date on a review page).
    currency : str
        ISO code.
    """
    own = figures["margin"]
    row = own.loc[own["rep_id"] == rep_id]
    mar = float(row["margin"].sum()) if len(row) else 0.0
    pct = float(row["margin_pct"].iloc[0]) if len(row) else float("nan")
    table = figures["commissions"]
    mine = table.loc[table["rep_id"] == rep_id]
    cards = [(i18n.t("money.card_rep_margin"), _money(mar, currency),
              i18n.t("money.card_rep_margin_note", pct=_pct(pct))),
             (i18n.t("money.card_rep_commission"), _money(float(mine["total"].sum()), currency),
              i18n.t("money.card_rep_commission_note", tier=int(mine["tier"].iloc[0]) if len(mine) else 0,
                     attainment=_pct(float(mine["attainment"].iloc[0])) if len(mine) else "–"))]
    activity = figures.get("activity")
    if activity is not None:
        act = activity_against_plan(dataset, activity, rep_id=rep_id, start=start, end=end)
        cards.append((i18n.t("money.card_rep_activity"),
                      f"{i18n.fmt_number(int(act['done'].iloc[0]))} / {i18n.fmt_number(int(act['needed'].iloc[0]))}",
                      i18n.t("money.card_rep_activity_note", done=i18n.fmt_number(int(act["done"].iloc[1])),
                             needed=i18n.fmt_number(int(act["needed"].iloc[1])))))
    return cards
