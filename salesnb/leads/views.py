"""What the lead-prioritisation report shows: headline, tables in words, notes, Explore.

Each cell of ``notebooks/02_lead_prioritization.ipynb`` is one or two calls on the
results of the analysis modules (:mod:`~salesnb.leads.clean`,
:mod:`~salesnb.leads.score`, :mod:`~salesnb.leads.evaluate`,
:mod:`~salesnb.leads.assign`, :mod:`~salesnb.leads.coverage`); the charts are in
:mod:`salesnb.plots.leads`. Every text comes from ``salesnb/locale/leads.json``;
data values are only ever arguments.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from salesnb import i18n, params
from salesnb.leads.assign import Assignment, territory_of
from salesnb.leads.clean import Dedup
from salesnb.leads.evaluate import Backtest
from salesnb.leads.score import LeadScorer
from salesnb.params import to_timestamp

if TYPE_CHECKING:
    import ipywidgets

__all__ = [
    "backlog_table",
        "customer_table",
    "evidence_note",
    "evidence_table",
    "explore",
    "explore_frame",
    "explorer",
    "export_folder",
    "factor_table",
    "fairness_note",
    "fairness_table",
    "headline",
    "kinds",
    "merge_table",
    "mode_note",
    "rep_table",
    "translate",
]


def translate(frame: pd.DataFrame, *, lang: str | None = None) -> pd.DataFrame:
    """Return ``frame`` with the codes of the usual columns in words.

    Channel, source, basis, reason (merge and backlog reasons), prior status and
    mode become words of the report language; list columns (``merged_from``,
    ``other_phones`` …) become ``"; "``-separated text. Other values are kept.
    """
    out = frame.copy()
    catalog = i18n.catalog()
    prefixes = {"channel": "val_channel_", "source": "val_source_", "basis": "basis_",
                "reason": "reason_", "prior_status": "status_", "mode": "mode_"}
    for col, prefix in prefixes.items():
        if col in out:
            out[col] = out[col].map(lambda v, p=prefix: i18n.t(f"leads.{p}{v}", lang=lang)
                                    if isinstance(v, str) and f"leads.{p}{v}" in catalog else v)
    if "reason" in out and "position" in out:  # backlog reasons
        out["reason"] = out["reason"].map(lambda v: i18n.t(f"leads.backlog_{v}", lang=lang)
                                          if isinstance(v, str) and f"leads.backlog_{v}" in catalog else v)
    for col in ("merged_from", "other_phones", "other_emails", "positive", "negative"):
        if col in out:
            out[col] = out[col].map(lambda v: "; ".join(map(str, v)) if isinstance(v, list | tuple) else v)
    return out


def kinds() -> dict[str, str]:
    """Return the display kinds (:func:`salesnb.display.format_cell`) of the report's numeric columns."""
    pct = ("score", "similarity", "potential_share", "customer_share", "wins_per_call", "utilisation",
           "win_rate", "capture", "cum_capture", "mean_score", "observed", "rate_min", "rate_max")
    num1 = ("gap", "expected_wins", "expected_wins_total", "expected_wins_open", "min", "max")
    num2 = ("mean_abs", "lift", "cv", "rate_cv")
    text = ("rank", "position", "decile")
    out = {c: "pct" for c in pct} | {c: "num1" for c in num1} | {c: "num2" for c in num2}
    return out | {c: "int" for c in text}


def headline(dedup: Dedup, scored: pd.DataFrame, assignment: Assignment, scorer: LeadScorer, *,
             top_n: int = 200, lang: str | None = None) -> list[tuple[str, str, str]]:
    """Return the numbers a director reads first, as (label, value, note) cards.

    Contacts to work, records merged (and leads that already are customers), the
    wins expected from the best ``top_n``, new leads assigned against capacity, the
    backlog and the scoring method with its history.
    """
    params.check_positive_int("top_n", top_n, lang=lang)

    def t(key: str, **values: object) -> str:
        return i18n.t(f"leads.{key}", lang=lang, **values)

    n_cust = len(dedup.customer_leads())
    top = scored["score"].head(top_n)
    new = assignment.assignments.loc[assignment.assignments["basis"] != "owner"]
    capacity = int(assignment.by_rep["capacity"].sum())
    closed = getattr(scorer, "n_won_", 0) + getattr(scorer, "n_lost_", 0)
    return [
        (t("headline_contacts"), i18n.fmt_number(len(scored), lang=lang), t("headline_contacts_sub")),
        (t("headline_merged"), i18n.fmt_number(dedup.n_merged, lang=lang),
         t("headline_merged_sub", n=i18n.fmt_number(n_cust, lang=lang))),
        (t("headline_expected", n=i18n.fmt_number(min(top_n, len(scored)), lang=lang)),
         i18n.fmt_number(float(top.sum()), decimals=1, lang=lang),
         t("headline_expected_sub", rate=i18n.fmt_pct(float(top.mean()) if len(top) else None, lang=lang))),
        (t("headline_assigned"), i18n.fmt_number(len(new), lang=lang),
         t("headline_assigned_sub", capacity=i18n.fmt_number(capacity, lang=lang))),
        (t("headline_backlog"), i18n.fmt_number(len(assignment.backlog), lang=lang), t("headline_backlog_sub")),
        (t("headline_mode"), t(f"mode_{scorer.mode_}"),
         t("headline_mode_sub", n=i18n.fmt_number(closed, lang=lang))),
    ]


def merge_table(dedup: Dedup) -> pd.DataFrame:
    """Return every merged record next to the one it was merged into.

    Columns ``lead_id, company, master_id, master_company, reason, similarity``;
    the masters themselves are left out.
    """
    names = dedup.leads.set_index("lead_id")["company"] if len(dedup.leads) else pd.Series(dtype=str)
    originals = dedup.mapping.loc[dedup.mapping["reason"] != "master"].copy()
    originals["master_company"] = originals["master_id"].map(names)
    return originals[["lead_id", "company", "master_id", "master_company", "reason", "similarity"]] \
        .sort_values(["master_id", "lead_id"], kind="stable", ignore_index=True)


def customer_table(dedup: Dedup, customers: pd.DataFrame) -> pd.DataFrame:
    """Return the open leads that already are customers, with the account and its rep.

    Columns ``lead_id, company, customer_id, customer_name, customer_rep, reason``.
    """
    found = dedup.customer_leads()
    cust = customers.assign(customer_id=customers["customer_id"].astype(str)).set_index("customer_id")
    out = pd.DataFrame({
        "lead_id": found["lead_id"],
        "company": found["company"],
        "customer_id": found["existing_customer_id"],
        "customer_name": found["existing_customer_id"].map(cust["name"]),
        "customer_rep": found["existing_customer_id"].map(cust["rep_id"]) if "rep_id" in cust else pd.NA,
        "reason": found["customer_reason"],
    })
    return out.reset_index(drop=True)


def evidence_table(bt: Backtest, *, lang: str | None = None) -> pd.DataFrame:
    """Return the backtest's numbers in words: ``metric, value`` (formatted text)."""
    if not bt.ok:
        return pd.DataFrame(columns=["metric", "value"])
    m = bt.metrics
    rows = [
        ("metric_closed", i18n.fmt_number(bt.n_closed, lang=lang)),
        ("metric_base_rate", i18n.fmt_pct(m["base_rate"], lang=lang)),
        ("metric_auc", i18n.fmt_number(m["auc"], decimals=3, lang=lang)),
        ("metric_capture_20", i18n.fmt_pct(m["capture_20"], lang=lang)),
        ("metric_lift_top", i18n.fmt_number(m["lift_top"], decimals=2, lang=lang)),
        ("metric_brier", i18n.fmt_number(m["brier"], decimals=3, lang=lang)),
    ]
    return pd.DataFrame({"metric": [i18n.t(f"leads.{k}", lang=lang) for k, _ in rows],
                         "value": [v for _, v in rows]})


def factor_table(scorer: LeadScorer, X: pd.DataFrame, *, lang: str | None = None) -> pd.DataFrame:
    """Return the fields by weight in the scores: ``field, label, mean_abs, mean``.

    ``label`` is the field in words; ``mean_abs`` and ``mean`` are the average absolute
    and signed effect on the log-odds (positive: raises the scores). Fields without
    effect are left out.
    """
    if X.empty:
        return pd.DataFrame(columns=["field", "label", "mean_abs", "mean"])
    if hasattr(scorer, "feature_names_in_"):
        X = X[list(scorer.feature_names_in_)]
    imp = scorer.importance(X)
    imp = imp.loc[imp["mean_abs"] > 0].copy()
    imp["label"] = [i18n.t(f"leads.feat_{f}", lang=lang) if f"leads.feat_{f}" in i18n.catalog() else lbl
                    for f, lbl in zip(imp["field"], imp["label"], strict=True)]
    return imp[["field", "label", "mean_abs", "mean"]].reset_index(drop=True)


def fairness_table(assignment: Assignment, regions: pd.DataFrame, *, lang: str | None = None) -> pd.DataFrame:
    """Return :meth:`Assignment.fairness` with territory names, the all-reps row named in words."""
    out = assignment.fairness()
    names = regions.assign(region_id=regions["region_id"].astype(str)).set_index("region_id")["name"]
    out["territory"] = [i18n.t("leads.all_reps", lang=lang) if t == "*" else names.get(t, t)
                        for t in out["territory"]]
    return out


def rep_table(assignment: Assignment, regions: pd.DataFrame) -> pd.DataFrame:
    """Return per rep ``rep_id, name, territory`` (its name), ``capacity, new, owned, expected_wins, wins_per_call``."""
    names = regions.assign(region_id=regions["region_id"].astype(str)).set_index("region_id")["name"]
    out = assignment.by_rep[["rep_id", "name", "territory", "capacity", "new", "owned", "expected_wins",
                             "wins_per_call"]].copy()
    out["territory"] = out["territory"].map(lambda v: names.get(v, v))
    return out


def backlog_table(assignment: Assignment, scored: pd.DataFrame, regions: pd.DataFrame, *,
                  lang: str | None = None) -> pd.DataFrame:
    """Return the backlog in words: ``position, lead_id, company, territory`` (its name), ``score, reason``."""
    names = regions.assign(region_id=regions["region_id"].astype(str)).set_index("region_id")["name"]
    out = assignment.backlog.copy()
    out["territory"] = out["territory"].map(lambda v: names.get(v, v))
    company = scored.assign(lead_id=scored["lead_id"].astype(str)).set_index("lead_id")["company"]
    out.insert(2, "company", out["lead_id"].map(company))
    return translate(out, lang=lang)


def evidence_note(bt: Backtest, *, lang: str | None = None) -> str:
    """Return one sentence on what the backtest shows (or why there is none)."""
    if not bt.ok:
        return i18n.t("leads.note_no_history", n=i18n.fmt_number(bt.n_closed, lang=lang), lang=lang)
    return i18n.t("leads.note_capture", capture=i18n.fmt_pct(bt.metrics["capture_20"], lang=lang),
                  lift=i18n.fmt_number(bt.metrics["lift_top"], decimals=1, lang=lang), lang=lang)


def mode_note(scorer: LeadScorer, *, lang: str | None = None) -> str:
    """Return which scoring method ran and on how much history, as a sentence."""
    n_won, n_lost = getattr(scorer, "n_won_", 0), getattr(scorer, "n_lost_", 0)
    return i18n.t("leads.note_mode", mode=i18n.t(f"leads.mode_{scorer.mode_}", lang=lang),
                  n=i18n.fmt_number(n_won + n_lost, lang=lang), won=i18n.fmt_number(n_won, lang=lang), lang=lang)


def fairness_note(assignment: Assignment, *, lang: str | None = None) -> str:
    """Return the spread of expected wins across all reps and the range of win chance per new lead."""
    row = assignment.fairness().iloc[-1]
    return i18n.t("leads.note_fairness", cv=i18n.fmt_number(row["cv"], decimals=2, lang=lang),
                  low=i18n.fmt_pct(row["rate_min"], lang=lang), high=i18n.fmt_pct(row["rate_max"], lang=lang),
                  lang=lang)


def explore_frame(scored: pd.DataFrame, assignment: Assignment, *, regions: pd.DataFrame,
                  reps: pd.DataFrame, mask: bool = True, lang: str | None = None) -> pd.DataFrame:
    """Return the scored leads as a reader browses them: names and words instead of codes.

    Returns
    -------
    DataFrame
        ``lead_id, company, contact_name, phone, email, region, territory, channel,
        source, score, rep, why, watch_out``, best first; phones and emails masked
        when ``mask``; ``rep`` is the assigned rep's name (empty when waiting).
    """
    from salesnb.export import mask_contacts

    names = regions.assign(region_id=regions["region_id"].astype(str)).set_index("region_id")["name"]
    rep_names = reps.assign(rep_id=reps["rep_id"].astype(str)).set_index("rep_id")["name"]
    placed = assignment.assignments.set_index("lead_id")
    lead_ids = scored["lead_id"].astype(str)
    terr = lead_ids.map(placed["territory"]) if len(placed) else pd.Series(pd.NA, index=scored.index)
    missing = terr.isna()
    if missing.any():
        terr[missing] = territory_of(scored.loc[missing, "region_id"], regions,
                                     set(assignment.by_rep["territory"])).to_numpy()
    out = pd.DataFrame({
        "lead_id": lead_ids,
        "company": scored["company"],
        "contact_name": scored.get("contact_name", pd.Series(pd.NA, index=scored.index)),
        "phone": scored.get("phone", pd.Series(pd.NA, index=scored.index)),
        "email": scored.get("email", pd.Series(pd.NA, index=scored.index)),
        "region": scored["region_id"].astype(str).map(names),
        "territory": terr.astype(str).map(lambda v: names.get(v, v)),
        "channel": scored["channel"],
        "source": scored.get("source", pd.Series(pd.NA, index=scored.index)),
        "score": scored["score"].astype(float),
        "rep": lead_ids.map(placed["rep_id"]).map(rep_names) if len(placed) else pd.NA,
        "why": scored["why"],
        "watch_out": scored["watch_out"],
    })
    out = translate(out, lang=lang)
    return (mask_contacts(out) if mask else out).reset_index(drop=True)


def explore(pool: pd.DataFrame, *, territory: str = "", channel: str = "",
            score_range: tuple[float, float] = (0.0, 1.0), top_n: int = 50) -> pd.DataFrame:
    """Return the leads of :func:`explore_frame` filtered by territory (or province), channel and win chance.

    Empty filters keep everything; ``score_range`` is inclusive. Returns at most
    ``top_n`` rows, best first.
    """
    out = pool
    if territory:
        out = out.loc[(out["territory"].astype(str) == territory) | (out["region"].astype(str) == territory)]
    if channel:
        out = out.loc[out["channel"].astype(str) == channel]
    low, high = float(score_range[0]), float(score_range[1])
    out = out.loc[(out["score"] >= low - 1e-12) & (out["score"] <= high + 1e-12)]
    return out.sort_values(["score", "lead_id"], ascending=[False, True], kind="stable").head(int(top_n))


def explorer(pool: pd.DataFrame, *, labels: dict[str, str] | None = None, kinds: dict[str, str] | None = None,
             top_n: int = 50) -> ipywidgets.VBox:
    """Return interactive filters over :func:`explore` for JupyterLab: territory, channel, win-chance range.

    The report HTML drops widget views, so show :func:`explore`'s default table
    before this cell: the static page keeps that.
    """
    import ipywidgets as widgets
    from IPython.display import display as show

    from salesnb import display

    everything = i18n.t("leads.widget_all")

    def options(column: str) -> list[tuple[str, str]]:
        values = sorted({str(v) for v in pool[column].dropna()})
        return [(everything, "")] + [(v, v) for v in values]

    territory = widgets.Dropdown(options=options("territory"), value="", description=i18n.t("leads.widget_region"))
    channel = widgets.Dropdown(options=options("channel"), value="", description=i18n.t("leads.widget_channel"))
    score = widgets.FloatRangeSlider(value=(0.0, 1.0), min=0.0, max=1.0, step=0.05,
                                     description=i18n.t("leads.widget_score"))
    output = widgets.Output()

    def render(*_: Any) -> None:
        view = explore(pool, territory=territory.value, channel=channel.value, score_range=score.value,
                       top_n=top_n)
        output.clear_output(wait=True)
        with output:
            show(display.table(view, labels=labels, kinds=kinds, empty=i18n.t("leads.note_explore_empty")))

    for w in (territory, channel, score):
        w.observe(render, names="value")
    render()
    return widgets.VBox([widgets.HBox([territory, channel, score]), output])


def export_folder(export_dir: str, *, as_of: object) -> Path:
    """Return the folder call lists go to.

    ``export_dir``, or ``call_lists_<YYYY-MM-DD>`` (the ``as_of`` day) in the current
    folder (next to the executed notebook) when it is empty.
    """
    if export_dir.strip():
        return Path(export_dir).expanduser().resolve()
    return Path.cwd() / f"call_lists_{to_timestamp('as_of', as_of).date().isoformat()}"
