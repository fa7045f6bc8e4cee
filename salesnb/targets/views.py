"""What the target notebook shows: headline, readable tables, a rep's view and the explorer.

Every function returns already-translated frames or display objects, so a notebook
cell stays one call long; texts come from ``salesnb/locale/targets.json``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb import display, i18n
from salesnb.params import parameter_error
from salesnb.targets.allocate import allocate
from salesnb.targets.checks import AUDIT_LEVELS
from salesnb.targets.methods import METHODS
from salesnb.targets.plan import TargetPlan

if TYPE_CHECKING:
    import ipywidgets

__all__ = [
    "KINDS",
    "activity_line",
    "activity_table",
    "activity_week_table",
    "audit_failures",
    "audit_line",
    "audit_summary",
    "bottom_up_line",
    "bottom_up_table",
    "calendar_line",
    "default_rep",
    "explorer",
    "export_note",
    "export_path",
    "feasibility_labels",
    "feasibility_table",
    "forecast_check_table",
    "forecast_method_line",
    "headline",
    "kinds",
    "method_table",
    "notes",
    "plan_line",
    "region_table",
    "rep_months",
    "rep_parts",
    "rep_picker",
    "rep_table",
    "rep_weeks",
    "rounding_demo",
    "show_rep",
]


#: Display kinds of the activity plan's columns (:func:`activity_table`, :func:`activity_week_table`).
ACTIVITY_KINDS = {
    **dict.fromkeys(["target", "from_book", "gap"], "money"),
    **dict.fromkeys(["new_customers_needed", "proposals_needed", "visits_needed", "calls_needed", "calls_capacity",
                     "shortfall"], "int"),
    "month": "month", "week_start": "date",
}

#: Display kinds of every column the target tables show; read them through :func:`kinds`
#: (the constant stays for notebooks written before it).
KINDS = {
    **dict.fromkeys(["last_year", "target", "book", "forecast", "hi_80", "hi_95", "expected", "actual",
                     "difference", "method_last_year_share", "method_potential_blend", "method_growth"], "money"),
    **dict.fromkeys(["share", "book_share", "capacity_share", "availability", "lowest",
                     *[f"m{m:02d}" for m in range(1, 13)]], "pct"),
    **dict.fromkeys(["growth", "vs_forecast"], "pct_signed"),
    **dict.fromkeys(["hire_date", "ramp_end", "leave_date", "week_start"], "date"),
    "month": "month", "weight": "num1", "exact": "num2", "rounded": "int", "largest_remainder": "int",
    "checks": "int", "failing": "int", "days": "int", **ACTIVITY_KINDS,
    **dict.fromkeys(["wape", "total_error", "coverage_80", "coverage_95"], "pct"),
    **dict.fromkeys(["series", "held_out_months"], "int"),
}


def kinds() -> dict[str, str]:
    """Return the display kinds of the target tables' columns, for ``display.table(..., kinds=views.kinds())``."""
    return dict(KINDS)


def _money(value: float, plan: TargetPlan) -> str:
    return i18n.fmt_money(value, plan.currency)


def headline(plan: TargetPlan, *, feasibility: pd.DataFrame | None = None) -> list[tuple[str, str, str]]:
    """Return the cards a director reads first: target, largest region, hardest month, reps on ramp, audit.

    The hardest month is the one whose target grows most over the same month last year.
    With ``feasibility`` (from :func:`salesnb.targets.feasibility`), a card gives the
    region and month least likely to be met.

    Parameters
    ----------
    plan : TargetPlan
        From :func:`salesnb.targets.breakdown`.
    feasibility : DataFrame, optional
        From :func:`salesnb.targets.feasibility`.

    Returns
    -------
    list of (title, value, note)
        In the report language, for :func:`salesnb.display.headline`.
    """
    last_year = float(plan.regions["last_year"].sum())
    growth = plan.annual_target / last_year - 1 if last_year > 0 else float("nan")
    cards = [(i18n.t("targets.card_target", year=plan.year), _money(plan.annual_target, plan),
              i18n.t("targets.card_target_note", growth=i18n.fmt_pct(growth, signed=True),
                     last=_money(last_year, plan)))]
    ranked = plan.regions.sort_values("target", ascending=False, kind="stable")
    share = ranked["target"].to_numpy(dtype=float) / (plan.annual_target or 1)
    others = ", ".join(f"{n} {i18n.fmt_pct(v)}" for n, v in zip(ranked["name"].iloc[1:3], share[1:3], strict=True))
    cards.append((i18n.t("targets.card_region"), str(ranked["name"].iloc[0]),
                  i18n.t("targets.card_region_note", share=i18n.fmt_pct(share[0]), others=others or "–")))
    months = plan.monthly.groupby("month")[["target", "last_year"]].sum()
    months = months.loc[months["last_year"] > 0]
    if len(months):
        ratio = months["target"] / months["last_year"] - 1
        hardest = ratio.idxmax()
        cards.append((i18n.t("targets.card_hardest"), i18n.month_name(hardest.month),
                      i18n.t("targets.card_hardest_note", growth=i18n.fmt_pct(ratio.max(), signed=True))))
    ramping = plan.reps.loc[plan.reps["status"] == "ramping", "rep_id"].tolist()
    cards.append((i18n.t("targets.card_ramp"), i18n.fmt_number(len(ramping)),
                  ", ".join(ramping[:6]) + (" …" if len(ramping) > 6 else "") if ramping
                  else i18n.t("targets.card_ramp_none")))
    if feasibility is not None and len(feasibility):
        worst = feasibility.sort_values("p_meet", kind="stable").iloc[0]
        cards.append((i18n.t("targets.card_feasibility"), i18n.fmt_pct(worst["p_meet"], decimals=0),
                      i18n.t("targets.card_feasibility_note", region=worst["name"],
                             month=i18n.month_name(pd.Timestamp(worst["month"]).month))))
    checks, failing = len(plan.audit), int((~plan.audit["ok"]).sum())
    cards.append((i18n.t("targets.card_audit"),
                  i18n.t("targets.audit_all_ok") if not failing else i18n.t("targets.audit_failing", n=failing),
                  i18n.t("targets.card_audit_note", n=i18n.fmt_number(checks))))
    return cards


def plan_line(plan: TargetPlan) -> str:
    """Return one sentence: the target, the method and what "last year" means."""
    return i18n.t("targets.plan_line", target=_money(plan.annual_target, plan), year=plan.year,
                  method=i18n.t(f"targets.method_{plan.method}"), start=i18n.fmt_date(plan.base_start),
                  end=i18n.fmt_date(plan.base_end), last=_money(plan.regions["last_year"].sum(), plan))


def calendar_line(plan: TargetPlan) -> str:
    """Return one sentence: the holiday calendar, the closures and the working days of the year."""
    cal = plan.calendar.loc[plan.calendar["calendar"] == plan.calendar["calendar"].iloc[0]]
    n_closed = int((cal["closed"] & ~cal["weekend"] & cal["holiday"].eq("")).sum())
    closures = i18n.t("targets.closures_part", n=n_closed) if n_closed else ""
    return i18n.t("targets.calendar_line", country=plan.country, closures=closures,
                  days=i18n.fmt_number(int(cal["working"].sum())), year=plan.year)


def audit_line(plan: TargetPlan) -> str:
    """Return one sentence saying whether every check reconciles."""
    failing = int((~plan.audit["ok"]).sum())
    if failing:
        return i18n.t("targets.audit_bad_line", n=failing, total=len(plan.audit))
    return i18n.t("targets.audit_ok_line", n=i18n.fmt_number(len(plan.audit)),
                  target=_money(plan.annual_target, plan))


def default_rep(plan: TargetPlan) -> str:
    """Return the rep a notebook shows first: the first one ramping up, else the largest target."""
    reps = plan.reps.loc[(plan.reps["target"] > 0) & (plan.reps["status"] != "vacant")]
    ramping = reps.loc[reps["status"] == "ramping"]
    pick = ramping if len(ramping) else reps.sort_values("target", ascending=False, kind="stable")
    return str(pick["rep_id"].iloc[0]) if len(pick) else str(plan.reps["rep_id"].iloc[0])


def method_table(comparison: pd.DataFrame) -> pd.DataFrame:
    """:func:`~salesnb.targets.compare_methods` as one row per region and one column per method.

    Columns: ``name, last_year`` and ``method_<method>`` (target) for each method, plus a total row.
    """
    wide = comparison.pivot_table(index=["region_id", "name", "last_year"], columns="method", values="target",
                                  aggfunc="sum", sort=False)
    wide = wide[[m for m in METHODS if m in wide.columns]]
    wide.columns = [f"method_{m}" for m in wide.columns]
    wide = wide.reset_index().drop(columns="region_id")
    total = {"name": i18n.t("common.total"), **wide.drop(columns="name").sum().to_dict()}
    return pd.concat([wide, pd.DataFrame([total])], ignore_index=True)


def region_table(plan: TargetPlan) -> pd.DataFrame:
    """Regions with last year, target, share, growth and whether the target was locked."""
    out = plan.regions[["name", "last_year", "target"]].copy()
    out["share"] = plan.regions["target"] / plan.annual_target if plan.annual_target else 0.0
    last = out["last_year"].to_numpy(dtype=float)
    out["growth"] = np.where(last > 0, out["target"] / np.where(last > 0, last, 1) - 1, np.nan)
    out["locked"] = [i18n.t("common.yes") if v else "" for v in plan.regions["locked"]]
    return out


def rep_table(plan: TargetPlan) -> pd.DataFrame:
    """Reps with their status (translated), hire/ramp/leave dates, book, weight and target."""
    reps = plan.reps.loc[(plan.reps["target"] > 0) | (plan.reps["status"] != "vacant")]
    out = reps[["rep_id", "name", "region_id", "status", "hire_date", "ramp_end", "leave_date", "book",
                "book_share", "capacity_share", "availability", "target"]].copy()
    out["status"] = [i18n.t(f"targets.status_{s}") for s in out["status"]]
    out["ramp_end"] = out["ramp_end"].where(reps["status"] == "ramping")
    book = out["book"].to_numpy(dtype=float)
    out["growth"] = np.where(book > 0, out["target"] / np.where(book > 0, book, 1) - 1, np.nan)
    out["locked"] = [i18n.t("common.yes") if v else "" for v in reps["locked"]]
    return out.sort_values(["region_id", "rep_id"], kind="stable").reset_index(drop=True)


def rounding_demo(total: float = 100, weights: Sequence[float] = (1, 1, 1)) -> pd.DataFrame:
    """Why largest remainder: exact share, naive rounding and largest remainder, side by side."""
    w = np.asarray(weights, dtype=float)
    exact = total * w / w.sum()
    parts = allocate(total, w)
    frame = pd.DataFrame({"part": [f"{i + 1}" for i in range(len(w))], "weight": w, "exact": exact,
                          "rounded": np.round(exact), "largest_remainder": parts})
    sums = {"part": i18n.t("common.total"), "weight": w.sum(), "exact": exact.sum(),
            "rounded": np.round(exact).sum(), "largest_remainder": parts.sum()}
    return pd.concat([frame, pd.DataFrame([sums])], ignore_index=True)


def audit_summary(plan: TargetPlan) -> pd.DataFrame:
    """One row per kind of check: what it checks, how many, how many fail."""
    audit = plan.audit
    grouped = audit.groupby("level", sort=False)["ok"].agg(checks="size", ok="all")
    grouped["failing"] = audit.groupby("level", sort=False)["ok"].apply(lambda s: int((~s).sum()))
    out = grouped.reset_index()
    out["check"] = [i18n.t(f"targets.level_{lv}") if lv in AUDIT_LEVELS else lv for lv in out["level"]]
    out["ok"] = [i18n.t("common.yes") if v else i18n.t("common.no") for v in out["ok"]]
    return out[["check", "checks", "failing", "ok"]]


def audit_failures(plan: TargetPlan) -> pd.DataFrame:
    """Return the failing checks (empty when every level reconciles)."""
    bad = plan.audit.loc[~plan.audit["ok"]].copy()
    bad["level"] = [i18n.t(f"targets.level_{lv}") if lv in AUDIT_LEVELS else lv for lv in bad["level"]]
    bad["difference"] = bad["actual"] - bad["expected"]
    return bad[["level", "parent", "expected", "actual", "difference"]]


def feasibility_table(feasibility: pd.DataFrame) -> pd.DataFrame:
    """Regions by month (columns ``m01`` … ``m12``) of P(actual ≥ target), plus the lowest month."""
    if feasibility.empty:
        return pd.DataFrame()
    wide = feasibility.pivot_table(index="name", columns=feasibility["month"].dt.month, values="p_meet",
                                   aggfunc="mean", sort=True)
    wide.columns = [f"m{m:02d}" for m in wide.columns]
    wide["lowest"] = wide.min(axis=1)
    return wide.sort_values("lowest", kind="stable").reset_index()


def feasibility_labels() -> dict[str, str]:
    """Headers for :func:`feasibility_table`: month names in the report language."""
    return {"name": i18n.t("targets.col_name"), "lowest": i18n.t("targets.col_lowest"),
            **{f"m{m:02d}": i18n.month_name(m, width="abbreviated") for m in range(1, 13)}}


def bottom_up_line(checked: pd.DataFrame, forecasts: pd.DataFrame) -> str:
    """Return one sentence: how many targets are unrealistic or a stretch (or that nothing was forecast).

    Parameters
    ----------
    checked : DataFrame
        From :func:`salesnb.targets.bottom_up`.
    forecasts : DataFrame
        From :func:`salesnb.targets.forecast_history`.

    Returns
    -------
    str
    """
    if forecasts.empty:
        return i18n.t("targets.no_forecast")
    return i18n.t("targets.bottom_up_line", n=len(checked), unrealistic=int((checked["flag"] == "unrealistic").sum()),
                  stretch=int((checked["flag"] == "stretch").sum()))


def forecast_method_line(check: pd.DataFrame, *, asked: str = "auto") -> str:
    """Return which method forecast the reps and why, and how the reps' forecasts did on held-out history.

    Parameters
    ----------
    check : DataFrame
        From :func:`salesnb.targets.forecast_check` (its ``attrs`` name the reps' method
        and how many rep series there were).
    asked : {"auto", "ensemble", "theta"}, default "auto"
        The ``rep_method`` the notebook asked for: ``"auto"`` explains the choice by the
        number of rep series.

    Returns
    -------
    str
    """
    method = check.attrs.get("rep_method", "ensemble")
    why = "auto" if asked == "auto" else "asked"
    lines = [i18n.t(f"targets.reps_method_{method}_{why}", n=check.attrs.get("rep_series", 0),
                    limit=check.attrs.get("rep_limit", ""))]
    reps = check.loc[check["level"] == "rep"]
    if reps.empty:
        lines.append(i18n.t("targets.forecast_check_none"))
    else:
        row = reps.iloc[0]
        lines.append(i18n.t("targets.forecast_check_line", holdout=check.attrs.get("holdout", 12),
                            wape=i18n.fmt_pct(row["wape"]), total=i18n.fmt_pct(row["total_error"]),
                            cov80=i18n.fmt_pct(row["coverage_80"], decimals=0),
                            cov95=i18n.fmt_pct(row["coverage_95"], decimals=0)))
    return " ".join(lines)


def forecast_check_table(check: pd.DataFrame) -> pd.DataFrame:
    """:func:`salesnb.targets.forecast_check` with translated level and method names."""
    out = check.rename(columns={"method": "forecast_method", "months": "held_out_months"})
    out["level"] = [i18n.t(f"targets.level_name_{lv}") for lv in out["level"]]
    out["forecast_method"] = [i18n.t(f"targets.forecast_method_{m}") for m in out["forecast_method"]]
    return out.reset_index(drop=True)


def bottom_up_table(checked: pd.DataFrame, *, only_flagged: bool = False) -> pd.DataFrame:
    """:func:`salesnb.targets.bottom_up` with translated level and flag, worst first."""
    order = {"unrealistic": 0, "stretch": 1, "no_forecast": 2, "ok": 3}
    out = checked.copy()
    if only_flagged:
        out = out.loc[out["flag"].isin(["unrealistic", "stretch"])]
    out = out.iloc[np.lexsort((out["id"].astype(str).to_numpy(), out["flag"].map(order).to_numpy()))]
    out["level"] = [i18n.t(f"targets.level_name_{lv}") for lv in out["level"]]
    out["flag"] = [i18n.t(f"targets.flag_{f}") for f in out["flag"]]
    return out.reset_index(drop=True)


def notes(plan: TargetPlan) -> list[str]:
    """Plain sentences for the plan's notes (vacant regions …)."""
    out = []
    for note in plan.notes:
        if note["code"] == "vacant":
            out.append(i18n.t("targets.note_vacant", region=note["region_id"], months=note["months"]))
    return out


def export_path(export_dir: str, year: int) -> Path:
    """Return where the notebook writes the plan workbook: ``<export_dir>/targets_<year>.xlsx``.

    ``export_dir`` is used as it is when given; when empty the folder is
    ``reports/exports/<year>/`` of the project (git-ignored), wherever the kernel runs.
    """
    from salesnb import config

    if not isinstance(export_dir, str):
        raise parameter_error("folder", name="export_dir", value=repr(export_dir))
    folder = Path(export_dir).expanduser().resolve() if export_dir.strip() else config.exports_dir(str(year))
    return folder / f"targets_{year}.xlsx"


def export_note(path: Path, *, written: bool) -> str:
    """Return the sentence saying where the plan workbook went, or where ``export = True`` would write it."""
    from salesnb import config

    if written:
        return i18n.t("targets.note_export", path=config.shown_path(path))
    return i18n.t("targets.note_no_export", path=config.shown_path(path.parent))


# --------------------------------------------------------------------------- one rep


def rep_months(plan: TargetPlan, rep_id: str) -> pd.DataFrame:
    """Return a rep's months: working days with a target and the target (all categories)."""
    daily = plan.daily.loc[plan.daily["rep_id"].astype(str) == str(rep_id)]
    per_day = daily.groupby("date")["target"].sum()
    months = per_day.groupby(per_day.index.to_period("M")).agg(["size", "sum"])
    return pd.DataFrame({"month": months.index.to_timestamp(), "days": months["size"].to_numpy(),
                         "target": months["sum"].to_numpy()})


def rep_weeks(plan: TargetPlan, rep_id: str) -> pd.DataFrame:
    """Return a rep's ISO weeks: ``week`` (``2027-W05``), Monday, working days, target."""
    weeks = plan.weekly.loc[plan.weekly["rep_id"].astype(str) == str(rep_id)]
    return pd.DataFrame({
        "week": [f"{y}-W{w:02d}" for y, w in zip(weeks["iso_year"], weeks["iso_week"], strict=True)],
        "week_start": weeks["week_start"].to_numpy(), "days": weeks["days"].to_numpy(),
        "target": weeks["target"].to_numpy(),
    })


def rep_parts(plan: TargetPlan, rep_id: str) -> list[object]:
    """Return one rep's view: the monthly table, the weekly table (HTML) and the calendar (a Figure)."""
    from salesnb.plots import targets as charts

    labels = display.labels("targets")
    kinds = {"target": "money", "month": "month", "week_start": "date"}
    return [
        display.table(rep_months(plan, rep_id), labels=labels, kinds=kinds, currency=plan.currency,
                      caption=i18n.t("targets.rep_months_caption", rep=rep_id), search=False),
        display.table(rep_weeks(plan, rep_id), labels=labels, kinds=kinds, currency=plan.currency,
                      caption=i18n.t("targets.rep_weeks_caption", rep=rep_id), max_rows=60, search=False),
        charts.calendar_heatmap(plan, rep_id),
    ]


def rep_picker(plan: TargetPlan, *, default: str | None = None) -> ipywidgets.Dropdown:
    """Return the rep dropdown of the Explore section (reps with a target), set to ``default``.

    Show it in the cell above :func:`show_rep` (``show_rep(plan, rep, picker=picker)``);
    an HTML export drops it.
    """
    import ipywidgets as widgets

    reps = plan.reps.loc[plan.reps["target"] > 0]
    options = [(f"{r} · {n}" if n else r, r) for r, n in zip(reps["rep_id"], reps["name"], strict=True)]
    value = default if default in set(reps["rep_id"]) else (options[0][1] if options else None)
    return widgets.Dropdown(options=options, value=value, description=i18n.t("targets.explore_rep"))


def show_rep(plan: TargetPlan, rep_id: str, *, picker: ipywidgets.Dropdown | None = None) -> None:
    """Display one rep's monthly and weekly tables and calendar (the static default view).

    With ``picker`` (:func:`rep_picker`, shown above), choosing another rep replaces
    these outputs in place with that rep's.
    """
    from salesnb import notebook

    def render(rep_id: str = rep_id) -> list[object]:
        return rep_parts(plan, rep_id)

    notebook.live_view({"rep_id": picker} if picker is not None else {}, render)


def explorer(plan: TargetPlan, *, default: str | None = None) -> ipywidgets.Dropdown:
    """Display the rep picker with the chosen rep's view below it, replaced in place on a change.

    Returns the picker (already shown). One-cell form of :func:`rep_picker` + :func:`show_rep`.
    """
    from IPython.display import display as show

    picker = rep_picker(plan, default=default)
    show(picker)
    show_rep(plan, picker.value, picker=picker)
    return picker


def activity_line(work: pd.DataFrame, *, currency: str = "EUR") -> str:
    """Return one sentence on the activity plan: what a new customer is worth, the book kept, reps short of calls.

    Parameters
    ----------
    work : DataFrame
        From :func:`salesnb.targets.activity.activity_plan`.
    currency : str
        ISO code.
    """
    per_rep = work.groupby("rep_id")["shortfall"].sum()
    return i18n.t("targets.activity_line", value=i18n.fmt_money(work.attrs.get("customer_value", 0.0), currency),
                  retention=i18n.fmt_pct(work.attrs.get("retention", 1.0)), n=int((per_rep > 0).sum()),
                  reps=len(per_rep))


def activity_table(work: pd.DataFrame) -> pd.DataFrame:
    """Return each rep's year of the activity plan: target, book, gap and the work it needs, and months short."""
    cols = ["target", "from_book", "gap", "new_customers_needed", "proposals_needed", "visits_needed",
            "calls_needed", "calls_capacity", "shortfall"]
    out = work.groupby("rep_id", as_index=False)[cols].sum()
    short = work.loc[~work["feasible"]].groupby("rep_id")["month"].apply(
        lambda m: ", ".join(i18n.month_name(d.month, width="abbreviated") for d in m))
    out["months_short"] = out["rep_id"].map(short).fillna("")
    return out


def activity_week_table(weeks: pd.DataFrame, *, rep_id: str | None = None) -> pd.DataFrame:
    """Return the activity plan per rep and ISO week (one rep's weeks when ``rep_id`` is given)."""
    out = weeks if rep_id is None else weeks.loc[weeks["rep_id"] == rep_id]
    return out[["rep_id", "week_start", "target", "new_customers_needed", "visits_needed", "calls_needed"]].reset_index(
        drop=True)
