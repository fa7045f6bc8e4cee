"""What the work-plan notebook shows: the cover, the summary cards and each section's tables and sentences.

Every function returns something a notebook cell displays (an ``HTML`` object or the
headline cards); numbers are formatted by :mod:`salesnb.i18n`, data values escaped by
:mod:`salesnb.display`, words come from ``salesnb/locale/plan.json`` (and the other
domains' catalogs for their codes: channels, seasons, KPIs, complaint causes).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
from IPython.display import HTML

from salesnb import display, i18n
from salesnb import plan as P
from salesnb.catalog import catalog
from salesnb.market import translate as market_words
from salesnb.money import views as money_views
from salesnb.plan.work import WorkPlan

__all__ = ["KINDS", "accounts", "actions", "activities", "aftersales", "calendar", "collection", "cover", "goals",
           "headline", "kinds", "print_style", "prospects", "regions", "standing", "team"]

#: Display kinds of the plan's table columns.
KINDS: dict[str, str] = {
    **dict.fromkeys(["last_year", "target", "current", "prior", "change", "sales_gap", "open_amount", "overdue",
                     "total", "d1_30", "d31_60", "d61_90", "d90_plus", "vacant", "last12", "not_due"], "money"),
    **dict.fromkeys(["growth", "region_growth", "growth_3m", "growth_12m", "momentum"], "pct_signed"),
    **dict.fromkeys(["share", "p_meet", "risk", "mean_score", "use", "weight", "response_within_sla",
                     "resolved_within_sla", "contribution", "overdue_share"], "pct"),
    **dict.fromkeys(["index", "calls", "visits", "new_customers", "visits_month", "wins_year", "expected",
                     "expected_wins", "capacity", "median_response_hours", "median_resolution_days"], "num1"),
    **dict.fromkeys(["rank", "leads", "assigned", "foreign", "customers", "distributors", "to_sign", "reps",
                     "now", "leaving", "vacancies", "hires", "planned", "complaints", "open", "invoices", "oldest_days",
                     "open_complaints", "months_at_full", "new", "owned"], "int"),
    **dict.fromkeys(["w1", "w2", "w3", "w4"], "num1"),
    **dict.fromkeys(["from_book", "revenue", "margin", "expenses", "commission", "contribution", "net_sales",
                     "budget", "value", "bonus_new_customer", "bonus_collected"], "money"),
    **dict.fromkeys(["new_customers_needed", "proposals_needed", "visits_needed", "calls_needed", "calls_capacity",
                     "shortfall", "months_short", "losses"], "int"),
    **dict.fromkeys(["margin_pct", "contribution_pct", "tier_from", "tier_to", "rate"], "pct"),
    "month": "month", "by": "date", "day": "date",
}


def _t(key: str, **values: Any) -> str:
    return i18n.t(f"plan.{key}", **values)


@functools.cache
def _known() -> frozenset[str]:
    """Return every catalog key (``domain.key``)."""
    return frozenset(catalog())


def _word(key: str, value: object) -> str:
    """Return the catalog's word for a code from the data, or the value itself when the catalog has none."""
    return i18n.t(key) if key in _known() else str(value)


def kinds() -> dict[str, str]:
    """Return the display kinds of the plan's table columns."""
    return dict(KINDS)


def _table(frame: pd.DataFrame, work: WorkPlan, caption: str, *, kinds: Mapping[str, str] | None = None,
           **options: Any) -> str:
    """Return one table's HTML, labelled from the plan's catalog; ``kinds`` overrides :data:`KINDS`."""
    return display.table_html(frame, kinds={**KINDS, **(kinds or {})}, labels=display.labels("plan"),
                              currency=work.currency, caption=caption, search=False, **options)


def _p(text: str, *, cls: str = "snb-note") -> str:
    return f'<p class="{cls}">{display.esc(text)}</p>'


def _ul(lines: Sequence[str]) -> str:
    return '<ul class="snb-note">' + "".join(f"<li>{display.esc(line)}</li>" for line in lines) + "</ul>"


def _money(work: WorkPlan, value: float) -> str:
    return i18n.fmt_money(value, work.currency)


def _css_string(value: str) -> str:
    """Return ``value`` as a CSS string literal: every character but letters and digits hex-escaped."""
    return '"' + "".join(c if c.isascii() and c.isalnum() else f"\\{ord(c):06x}" for c in value) + '"'


def print_style(work: WorkPlan) -> HTML:
    """Return the page header and footer of the printed plan: company, year and page number.

    The header text goes into CSS ``@page`` margin boxes as escaped CSS strings (no
    character of the data can end the string or the style element).
    """
    left = _css_string(work.company or _t("title"))
    right = _css_string(_t("print_header", year=work.year))
    page = _css_string(_t("print_page"))
    of = _css_string(_t("print_of"))
    css = (f"@page {{ @top-left {{ content: {left}; }} @top-right {{ content: {right}; }} "
           f"@bottom-right {{ content: {page} counter(page) {of} counter(pages); }} }}")
    return HTML(f'<style media="print">{css}</style><div class="salesnb-plan" hidden></div>')


def cover(work: WorkPlan, *, source: str | None = None) -> HTML:
    """Return the plan's cover: company, year, the data it stands on and where the choices come from."""
    lines = [_t("cover_basis", end=i18n.fmt_date(work.end, format="long"), start=i18n.fmt_date(work.start,
             format="long")),
             _t("cover_choices_file", path=source) if source else _t("cover_choices_cell")]
    return HTML(f'<div class="salesnb-cover"><p class="company">{display.esc(work.company)}</p>'
                f'<p class="year">{display.esc(_t("cover_year", year=work.year))}</p>{_ul(lines)}</div>')


def headline(work: WorkPlan) -> display.Headline:
    """Return the summary's cards: each goal of the year against last year."""
    goals = P.year_goals(work).set_index("goal")
    items = []
    for goal, row in goals.iterrows():
        items.append((_t(f"goal_{goal}"), _goal_value(work, str(goal), row["target"]),
                      _t("goal_vs", last=_goal_value(work, str(goal), row["last_year"]))))
    return display.headline(items)


def _goal_value(work: WorkPlan, goal: str, value: float) -> str:
    if goal == "net_sales":
        return _money(work, value)
    if goal == "margin":
        return i18n.fmt_pct(value)
    if goal in ("dso_days",):
        return _t("days", n=i18n.fmt_number(value))
    if goal == "response_hours":
        return _t("hours", n=i18n.fmt_number(value))
    return i18n.fmt_number(value)


def actions(work: WorkPlan) -> HTML:
    """Return the five actions that matter most, as a numbered list."""
    items = "".join(f"<li>{display.esc(_action_text(work, a))}</li>" for a in P.top_actions(work))
    return HTML(f'<ol class="snb-note salesnb-actions">{items}</ol>')


def _action_text(work: WorkPlan, a: dict[str, Any]) -> str:
    code = a["code"]
    pct = i18n.fmt_pct
    if code == "region":
        return _t("act_region", region=a["region"], growth=pct(a["growth"], signed=True),
                  flag=i18n.t(f"targets.flag_{a['flag']}").lower())
    if code == "whitespace":
        return _t("act_whitespace", region=a["region"], gap=_money(work, a["gap"]), n=a["provinces"])
    if code == "collect":
        return _t("act_collect", dso=i18n.fmt_number(a["dso"]), goal=i18n.fmt_number(a["goal"]),
                  overdue=_money(work, a["overdue"]))
    if code == "accounts":
        return _t("act_accounts", n=a["n"], total=a["total"], sales=_money(work, a["sales"]))
    if code == "leads":
        return _t("act_leads", segment=_segment(a["segment"]).lower(), wins=i18n.fmt_number(a["wins"]),
                  leads=i18n.fmt_number(a["leads"]))
    if code == "push":
        months = ", ".join(i18n.month_name(m.month) for m in a["months"])
        return _t("act_push", months=months)
    cause = _word(f"review.category_{a['cause']}", a["cause"]).lower()
    return _t("act_service", cause=cause, n=a["n"], total=a["total"])


def goals(work: WorkPlan) -> HTML:
    """Return the summary's goals table (goal, last year, target, change)."""
    frame = P.year_goals(work)
    codes = frame["goal"].tolist()
    shown = pd.DataFrame({
        "goal": [_t(f"goal_{g}") for g in codes],
        "last_year": [_goal_value(work, g, v) for g, v in zip(codes, frame["last_year"], strict=True)],
        "target": [_goal_value(work, g, v) for g, v in zip(codes, frame["target"], strict=True)],
        "change": frame["change"],
    })
    return HTML(display.table_html(shown, kinds={"last_year": "text", "target": "text", "change": "pct_signed"},
                                   labels=display.labels("plan"), caption=_t("cap_goals"), search=False))


def _segment(code: str) -> str:
    return _t("segment_foreign") if code == P.prospects.FOREIGN else market_words(
        pd.DataFrame({"channel": [code]}))["channel"].iloc[0]


def standing(work: WorkPlan) -> HTML:
    """Return where we stand: this year to date against the same period last year, by region, and trends."""
    total = P.same_period(work).iloc[0]
    line = _t("standing_line", current=_money(work, total["current"]), prior=_money(work, total["prior"]),
              growth=i18n.fmt_pct(total["growth"], signed=True), end=i18n.fmt_date(work.end, format="long"))
    by_region = market_words(P.same_period(work, by="region"))
    trends = P.trends(work, by="region")[["region", "last12", "growth_12m", "growth_3m", "momentum"]]
    share = {"contribution": "pct"}  # the market's share of the change here, not the budget's money
    return HTML(_p(line) + _table(by_region, work, _t("cap_same_period"), kinds=share)
                + _table(trends, work, _t("cap_trends")))


def seasons_line(work: WorkPlan) -> HTML:
    """Return the sentence naming the high and low seasons."""
    s = P.seasons(work)
    high = ", ".join(i18n.month_name(int(m)) for m in s.loc[s["season"] == "high", "month"])
    low = ", ".join(i18n.month_name(int(m)) for m in s.loc[s["season"] == "low", "month"])
    return HTML(_p(_t("seasons_line", high=high or "–", low=low or "–")))


def target_basis(work: WorkPlan) -> HTML:
    """Return the annual target against the forecast, and its split by quarter and by category."""
    f = P.target_vs_forecast(work)
    lines = [_t("basis_target", target=_money(work, f["target"]), method=i18n.t(
        f"targets.method_{work.targets.method}"), last=_money(work, float(work.targets.regions["last_year"].sum())))]
    if f["months"]:
        lines.append(_t("basis_forecast", forecast=_money(work, f["forecast"]), hi80=_money(work, f["hi_80"]),
                        hi95=_money(work, f["hi_95"]), vs=i18n.fmt_pct(f["vs_forecast"], signed=True)))
        lines.append(_t("basis_chance", p=i18n.fmt_pct(f["p_month"], decimals=0), below=f["months_below"],
                        months=f["months"]))
    else:
        lines.append(_t("basis_no_forecast"))
    if work.forecasts.attrs.get("rep_method") == "theta":
        lines.append(_t(f"basis_reps_theta_{'auto' if work.rep_method == 'auto' else 'asked'}",
                        n=work.forecasts.attrs["rep_series"], limit=work.forecasts.attrs["rep_limit"]))
    quarter = P.target_split(work, by="quarter").assign(quarter=lambda q: q["quarter"].map(lambda n: f"T{n}" if
                                                        i18n.locale_of().startswith("es") else f"Q{n}"))
    category = P.target_split(work, by="category")
    return HTML(_ul(lines) + _table(quarter, work, _t("cap_quarters")) + _table(category, work, _t("cap_categories")))


def months_table(work: WorkPlan) -> HTML:
    """Return the target by month with last year, the seasonal index and the chance of meeting it."""
    return HTML(_table(P.target_split(work, by="month"), work, _t("cap_months")))


def regions(work: WorkPlan) -> HTML:
    """Return the plan by region, its white space, and the customer network by channel."""
    plan = P.region_plan(work)
    plan = plan.assign(flag=plan["flag"].map(lambda f: i18n.t(f"targets.flag_{f}") if isinstance(f, str) else ""))
    main = plan[["name", "last_year", "target", "growth", "flag", "rank", "index", "reps", "vacant"]]
    main = main if main["vacant"].any() else main.drop(columns="vacant")
    space = plan[["name", "whitespace", "sales_gap", "customers", "distributors", "to_sign"]]
    net = P.network(work).merge(work.targets.regions[["region_id", "name"]], on="region_id")
    channels = {c: f"ch_{c}" for c in P.territory.CHANNELS}
    net = net[["name", *channels, "total"]].rename(columns=channels)
    counts = dict.fromkeys([*channels.values(), "total"], "int")  # customers, not money
    net_html = _table(net, work, _t("cap_network"), kinds=counts)
    return HTML(_table(main, work, _t("cap_regions")) + _table(space, work, _t("cap_whitespace"))
                + _p(_t("network_line")) + net_html)


def accounts(work: WorkPlan) -> HTML:
    """Return one card per key account, with its next actions."""
    cards = P.account_cards(work)
    words = market_words(cards[["channel"]])["channel"]
    return HTML('<div class="salesnb-accounts">' + "".join(
        _account_card(work, row, channel) for (_, row), channel in zip(cards.iterrows(), words, strict=True))
        + "</div>")


def _account_card(work: WorkPlan, row: pd.Series, channel: str) -> str:
    """Return the HTML card of one key account."""
    facts = [
        (_t("card_last_year"), _money(work, row["last_year"])),
        (_t("card_growth"), i18n.fmt_pct(row["growth"], signed=True)),
        (_t("card_margin"), i18n.fmt_pct(row["margin_pct"]) if pd.notna(row["margin_pct"]) else "–"),
        (_t("card_target"), _t("card_target_value", growth=i18n.fmt_pct(row["region_growth"], signed=True))),
        (_t("card_visits"), i18n.fmt_number(row["visits_month"], decimals=1)),
        (_t("card_receivables"), _t("card_receivables_value", open=_money(work, row["open_amount"]),
                                    overdue=_money(work, row["overdue"]))),
        (_t("card_complaints"), _t("card_complaints_value", n=int(row["complaints"]),
                                   open=int(row["open_complaints"]))),
        (_t("card_risk"), i18n.fmt_pct(row["risk"], decimals=0) if pd.notna(row["risk"]) else "–"),
    ]
    dl = "".join(f'<div class="kv"><span class="k">{display.esc(k)}</span><span class="v">{display.esc(v)}</span></div>'
                 for k, v in facts)
    title = f"{int(row['rank'])}. {row['customer']}"
    sub = " · ".join(str(v) for v in (channel, row["province"], row["rep"]) if str(v))
    return (f'<div class="salesnb-account"><h4>{display.esc(title)}</h4><p class="sub">{display.esc(sub)}</p>'
            f'<div class="facts">{dl}</div>{_ul(_next_actions(work, row))}</div>')


def _next_actions(work: WorkPlan, row: pd.Series) -> list[str]:
    """Return the next actions of one key account, from its own figures."""
    out = []
    if row["overdue"] > 0:
        out.append(_t("next_collect", amount=_money(work, row["overdue"])))
    if row["open_complaints"] > 0:
        out.append(_t("next_complaint", n=int(row["open_complaints"])))
    if pd.notna(row["risk"]) and row["risk"] >= 0.2:
        out.append(_t("next_risk"))
    if row["growth"] < -0.05:
        out.append(_t("next_recover", growth=i18n.fmt_pct(row["growth"], signed=True)))
    if row["visits_month"] < 1:
        out.append(_t("next_visit"))
    return out or [_t("next_keep")]


def prospects(work: WorkPlan) -> HTML:
    """Return the open leads by segment, the wins expected per quarter, the province ranking and who works them."""
    seg = P.segments(work)
    seg = seg.assign(segment=seg["segment"].map(_segment))
    wins = P.expected_wins(work).pivot_table(index="segment", columns="quarter", values="expected_wins",
                                             aggfunc="sum", fill_value=0.0)
    wins = wins.reindex(columns=[1, 2, 3, 4], fill_value=0.0).rename(columns=lambda q: f"w{q}").reset_index()
    wins["segment"] = wins["segment"].map(_segment)
    line = _t("pace_line", n=P.prospects.pace(work), total=i18n.fmt_number(len(work.lead_work.scored)))
    wins_html = display.table_html(wins, kinds={f"w{q}": "num1" for q in range(1, 5)},
                                   labels=display.labels("plan"), caption=_t("cap_wins"), search=False)
    reps = work.lead_work.assignment.by_rep[["name", "territory", "capacity", "new", "owned", "expected_wins"]]
    reps = reps.sort_values(["expected_wins", "name"], ascending=[False, True], kind="stable")
    return HTML(_table(seg, work, _t("cap_segments")) + _p(line) + wins_html
                + _table(market_words(P.leads_by_province(work)), work, _t("cap_provinces"))
                + _table(reps, work, _t("cap_lead_reps")))


def activities(work: WorkPlan) -> HTML:
    """Return calls, visits and new customers per rep and month (last 12 months) against capacity."""
    frame = P.activity_last_year(work)[["name", "region_id", "calls", "visits", "new_customers", "capacity", "use"]]
    total = frame[["calls", "visits", "new_customers"]].sum()
    line = _t("activity_line", calls=i18n.fmt_number(total["calls"]), visits=i18n.fmt_number(total["visits"]),
              new=i18n.fmt_number(total["new_customers"], decimals=1))
    return HTML(_p(line) + _table(frame, work, _t("cap_activity")))


def team(work: WorkPlan) -> HTML:
    """Return headcount by region, hires with their ramp, trainings, the evaluation and the reviews."""
    heads = P.headcount(work).drop(columns="region_id")
    hires = P.hires_plan(work).drop(columns="region_id")
    hires_html = (_table(hires.assign(month=hires["month"].map(lambda m: pd.Timestamp(work.year, int(m), 1)),
                                      full_quota_month=hires["full_quota_month"].map(_month_or_next)),
                         work, _t("cap_hires")) if len(hires) else _p(_t("no_hires")))
    ramp = _t("ramp_line", months=int(work.target_options.get("ramp_months", 3)))
    days = [i18n.fmt_date(d, format="full") for d in work.training]
    training = _ul([_t("training_day", day=d) for d in days]) if days else _p(_t("no_training"))
    kpis = P.evaluation().assign(kpi=lambda f: f["kpi"].map(lambda k: i18n.t(f"review.kpi_{k}")))
    return HTML(_table(heads, work, _t("cap_headcount")) + _p(ramp) + hires_html
                + f"<h4>{display.esc(_t('h_training'))}</h4>" + training
                + _table(kpis, work, _t("cap_evaluation")) + _p(_reviews_line(work)) + _incentives(work))


def _incentives(work: WorkPlan) -> str:
    """Return the incentive scheme's tiers and its cost on the year's target."""
    inc = P.incentives(work)
    tiers = inc["plan"].assign(base=lambda f: f["base"].map(lambda b: _word(f"money.base_{b}", b)))
    line = _t("incentive_line", share=i18n.fmt_pct(inc["share"], decimals=2), cost=_money(work, inc["cost"]),
              last=_money(work, inc["last_year"]["total"]))
    return _table(tiers, work, _t("cap_commission_plan")) + _p(line)


def _month_or_next(month: int) -> str:
    return i18n.month_name(int(month)) if month <= 12 else _t("next_year")


def _reviews_line(work: WorkPlan) -> str:
    cal = P.review_calendar(work.year)
    quarterly = ", ".join(i18n.month_name(int(m)) for m in cal.loc[cal["kind"] == "quarterly", "month"])
    return _t("reviews_line", quarterly=quarterly)


def collection(work: WorkPlan) -> HTML:
    """Return the DSO against its goal, what is overdue by age, and who collects what by when."""
    c = P.collection(work)
    line = _t("collection_line", dso=i18n.fmt_number(c["dso"]), goal=i18n.fmt_number(c["dso_goal"]),
              open=_money(work, c["open"]), overdue=_money(work, c["overdue"]))
    aging = c["aging"][["current", "d1_30", "d31_60", "d61_90", "d90_plus", "total", "overdue_share"]]
    aging = aging.rename(columns={"current": "not_due"})
    who = P.collectors(work)[["name", "rep", "invoices", "overdue", "oldest_days", "by"]]
    return HTML(_p(line) + _table(aging, work, _t("cap_aging")) + _table(who, work, _t("cap_collectors")))


def aftersales(work: WorkPlan) -> HTML:
    """Return the service goals against last year, the main causes and the actions."""
    s = P.service(work)
    line = _t("service_line", n=s["complaints"], within=i18n.fmt_pct(s["response_within_sla"], decimals=0),
              median=i18n.fmt_number(s["median_response_hours"]), goal=i18n.fmt_number(s["response_goal"]),
              days=i18n.fmt_number(s["median_resolution_days"], decimals=1), open=s["open"])
    by = P.causes(work)
    acts = list(dict.fromkeys(_t(f"fix_{c}" if f"plan.fix_{c}" in _known() else "fix_other")
                              for c in by["category"].head(3)))
    by = by.assign(category=by["category"].map(lambda c: _word(f"review.category_{c}", c)))
    cols = ["category", "complaints", "share", "median_response_hours", "response_within_sla",
            "median_resolution_days", "open"]
    return HTML(_p(line) + _table(by[cols], work, _t("cap_causes")) + _ul(acts))


def calendar(work: WorkPlan) -> HTML:
    """Return the year month by month: target, season, pushes, promotions, reviews, trainings, hires."""
    cal = P.year_calendar(work)
    rows = pd.DataFrame({
        "month": cal["month"],
        "target": cal["target"],
        "season": market_words(cal[["season"]])["season"],
        "what": [_calendar_items(r) for _, r in cal.iterrows()],
    })
    return HTML(_table(rows, work, _t("cap_calendar")))


def _calendar_items(row: pd.Series) -> str:
    """Return what happens in one month, as one line."""
    items = [_t(f"review_{row['review']}")]
    if row["push"]:
        items.append(_t("cal_push"))
    items += [_t("cal_promo", name=name.title()) for name in row["promotions"]]
    items += [_t("cal_training", day=i18n.fmt_date(d, format="d MMM")) for d in row["training"]]
    items += [_t("cal_hire", region=r) for r in row["hires"]]
    return " · ".join(items)


def segment_labels(work: WorkPlan) -> dict[str, str]:
    """Return the report-language name of every lead segment of the plan (for the wins chart)."""
    return {code: _segment(code) for code in P.expected_wins(work)["segment"].unique()}


def competitors(work: WorkPlan) -> HTML:
    """Return the competitors: who takes leads and customers from us, where, and their position."""
    prof = P.competitors(work)
    if prof.empty:
        return HTML(_p(_t("needs_competitors")))
    line = _t("competitors_line", n=len(prof), losses=int(prof["losses"].sum()), top=prof["competitor"].iloc[0])
    shown = money_views.competitor_table(prof)[["competitor", "price_position", "channels", "strongest", "leads",
                                                "customers", "value"]]
    return HTML(_p(line) + _table(shown, work, _t("cap_competitors")))


def activity_plan(work: WorkPlan) -> HTML:
    """Return the calls, visits, proposals and new customers each month and rep needs, against capacity."""
    act = work.activity
    cols = ["target", "from_book", "new_customers_needed", "proposals_needed", "visits_needed", "calls_needed",
            "calls_capacity", "shortfall"]
    months = act.groupby("month")[cols].sum().reset_index().drop(columns="from_book")
    reps = act.groupby("rep_id")[cols[2:]].sum().reset_index()
    reps["months_short"] = reps["rep_id"].map(act.loc[~act["feasible"]].groupby("rep_id").size()).fillna(0)
    names = work.dataset.reps.set_index(work.dataset.reps["rep_id"].astype(str))["name"]
    reps.insert(0, "name", reps["rep_id"].astype(str).map(names).fillna(reps["rep_id"].astype(str)))
    line = _t("activity_plan_line", value=_money(work, act.attrs.get("customer_value", float("nan"))),
              retention=i18n.fmt_pct(act.attrs.get("retention", float("nan")), decimals=0),
              short=int((reps["months_short"] > 0).sum()), n=len(reps))
    return HTML(_p(line) + _table(months, work, _t("cap_activity_months"))
                + _table(reps.drop(columns="rep_id"), work, _t("cap_activity_reps")))


def budget(work: WorkPlan) -> HTML:
    """Return the year's budget: revenue, margin, expenses, commission and contribution by month; lines; regions."""
    need = P.budget.has_money(work)
    if not (need["expenses"] and need["budget"]):
        return HTML(_p(_t("needs_budget")))
    months = P.budget_months(work)
    total = months[["revenue", "margin", "expenses", "commission", "contribution"]].sum()
    lines = P.expense_plan(work)
    source = lines["source"].iloc[0] if len(lines) else "budget"
    by_line = lines.groupby("line")[["budget", "last_year"]].sum().reset_index()
    by_line["share"] = by_line["budget"] / float(total["revenue"]) if total["revenue"] else float("nan")
    by_line["line"] = by_line["line"].map(lambda x: _word(f"money.line_{x}", x))
    text = [_t("budget_line", revenue=_money(work, total["revenue"]), margin=_money(work, total["margin"]),
               expenses=_money(work, total["expenses"]), commission=_money(work, total["commission"]),
               contribution=_money(work, total["contribution"])),
            _t(f"budget_source_{source}")]
    contrib = P.region_contribution(work).drop(columns="region_id")
    return HTML(_ul(text) + _table(months, work, _t("cap_budget_months"))
                + _table(by_line, work, _t("cap_budget_lines"))
                + _table(contrib, work, _t("cap_contribution")))
