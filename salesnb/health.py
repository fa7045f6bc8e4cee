"""Data health: what a dataset holds, what was rejected, what is missing or dangling.

These functions feed ``notebooks/00_data_check.ipynb``. Each takes a loaded
:class:`~salesnb.data.Dataset` and returns a tidy DataFrame; none changes the data.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesnb.data import Dataset, employed, file_label
from salesnb.i18n import get_language, t
from salesnb.normalize import normalize_name
from salesnb.schema import TABLES

__all__ = [
    "ANALYSES",
    "coverage",
    "duplicates",
    "history_months",
    "orphans",
    "overview",
    "rejected_summary",
    "unassigned",
]


@dataclass(frozen=True)
class Analysis:
    """What one later analysis needs from the data."""

    key: str
    notebook: str
    tables: tuple[str, ...]
    min_months: int
    good_months: int


#: The analyses of the workbook and the data each needs.
ANALYSES = (
    Analysis("market", "01_market_analysis", ("orders", "customers", "products", "regions"), 13, 36),
    Analysis("forecast", "01_market_analysis", ("orders", "products", "regions"), 12, 36),
    Analysis("leads", "02_lead_prioritization", ("leads", "regions", "reps"), 0, 0),
    Analysis("targets", "03_target_breakdown", ("orders", "reps", "products", "regions"), 12, 24),
    Analysis("review", "04_periodic_review",
             ("orders", "reps", "activities", "invoices", "complaints", "rep_reports"), 1, 13),
)


def history_months(dataset: Dataset) -> int:
    """Count the calendar months between the first and last order (inclusive)."""
    dates = dataset.orders["order_date"].dropna()
    if dates.empty:
        return 0
    first, last = dates.min(), dates.max()
    return (last.year - first.year) * 12 + last.month - first.month + 1


def overview(dataset: Dataset) -> pd.DataFrame:
    """One row per table: file, encoding, rows kept, rows rejected, date coverage.

    Returns
    -------
    DataFrame
        Columns ``table, file, encoding, rows, rejected, first_date, last_date``,
        one row per table supplied, in contract order; ``file`` names a workbook's
        sheet in the report language.
    """
    summary = dataset.summary()
    files = dataset.report.files
    lang = get_language()
    summary.insert(1, "file", [file_label(files.get(t, {}).get("file", ""), lang=lang) for t in summary["table"]])
    summary.insert(2, "encoding", [files.get(t, {}).get("encoding", "") for t in summary["table"]])
    return summary


def rejected_summary(dataset: Dataset) -> pd.DataFrame:
    """Rejected rows grouped by table, column and rule, with an example and the fix.

    Returns
    -------
    DataFrame
        Columns ``table, column, rule, rows, example_row, example_value, hint``, with
        ``rule`` and ``hint`` in the report language; empty when nothing was rejected.
    """
    cols = ["table", "column", "rule", "rows", "example_row", "example_value", "hint"]
    rej = dataset.rejected_frame(lang=get_language())
    if rej.empty:
        return pd.DataFrame(columns=cols)
    keyed = rej.assign(column=rej["column"].fillna(""))
    grouped = keyed.groupby(["table", "column", "rule"], sort=True, dropna=False)
    out = grouped.agg(rows=("row", "nunique"), example_row=("row", "first"),
                      example_value=("value", "first"), hint=("hint", "first")).reset_index()
    return out[cols].sort_values(["rows", "table"], ascending=[False, True], kind="stable",
                                 ignore_index=True)


def duplicates(dataset: Dataset) -> pd.DataFrame:
    """Likely duplicate records, found with the same rules the lead report merges by.

    Customers repeat a customer when their normalised names match in the same
    province. Leads are matched by :func:`salesnb.leads.deduplicate` (same phone, same
    email, same or near-identical name in the same province, never across conflicting
    phones), both among leads and against existing customers. Here they are counted;
    the lead report merges them.

    Returns
    -------
    DataFrame
        Columns ``table, record_id, duplicate_of, reason``: one row per record that
        repeats another (the reference record itself is not listed).
    """
    customers = dataset.customers
    key = normalize_name(customers["name"]) + "|" + customers["region_id"].astype(str)
    first = customers.groupby(key, sort=False)["customer_id"].transform("first")
    repeat = customers[first != customers["customer_id"]]
    parts = [pd.DataFrame({"table": "customers", "record_id": repeat["customer_id"].astype(str),
                           "duplicate_of": "customers " + first[repeat.index].astype(str),
                           "reason": "same_name"})]
    if dataset.has("leads") and len(dataset.leads):
        from salesnb.leads import deduplicate

        found = deduplicate(dataset.leads, customers=customers)
        merged = found.mapping[found.mapping["reason"] != "master"]
        parts.append(pd.DataFrame({"table": "leads", "record_id": merged["lead_id"].astype(str),
                                   "duplicate_of": "leads " + merged["master_id"].astype(str),
                                   "reason": merged["reason"]}))
        known = found.customers
        parts.append(pd.DataFrame({"table": "leads", "record_id": known["lead_id"].astype(str),
                                   "duplicate_of": "customers " + known["customer_id"].astype(str),
                                   "reason": known["reason"]}))
    result = pd.concat(parts, ignore_index=True).drop_duplicates(["table", "record_id"], keep="first")
    return result.sort_values(["table", "record_id"], kind="stable", ignore_index=True)


def orphans(dataset: Dataset, *, as_of: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """Find records nothing points at, or that point at something gone.

    Parameters
    ----------
    dataset : Dataset
    as_of : date, optional
        Reference date for "has left" (default: the last order date).

    Returns
    -------
    DataFrame
        Columns ``check, count, examples``: customers who never ordered, products
        never sold, active reps without customers, customers whose rep has left.
    """
    orders = dataset.orders
    as_of = pd.Timestamp(as_of) if as_of is not None else orders["order_date"].max()
    customers, products, reps = dataset.customers, dataset.products, dataset.reps
    active = reps[employed(reps, start=as_of)]
    left = set(reps["rep_id"]) - set(active["rep_id"])
    checks = {
        "customers_never_ordered": customers.loc[~customers["customer_id"].isin(orders["customer_id"]),
                                                 "customer_id"],
        "products_never_sold": products.loc[~products["product_id"].isin(orders["product_id"]),
                                            "product_id"],
        "active_reps_without_customers": active.loc[~active["rep_id"].isin(customers["rep_id"]),
                                                    "rep_id"],
        "customers_of_reps_who_left": customers.loc[customers["rep_id"].isin(left), "customer_id"],
    }
    rows = [{"check": name, "count": len(ids), "examples": ", ".join(map(str, ids.head(5)))}
            for name, ids in checks.items()]
    return pd.DataFrame(rows)


def unassigned(dataset: Dataset) -> pd.DataFrame:
    """Contacts nobody owns: open leads and customers without a rep, by channel.

    Returns
    -------
    DataFrame
        Columns ``table, channel, count``; zero rows when every contact has a rep.
    """
    parts = []
    customers = dataset.customers
    parts.append(customers.loc[customers["rep_id"].isna()].assign(table="customers"))
    if dataset.has("leads"):
        leads = dataset.leads
        parts.append(leads.loc[leads["rep_id"].isna() & (leads["status"] == "open")]
                     .assign(table="leads"))
    both = pd.concat([p[["table", "channel"]] for p in parts], ignore_index=True)
    counts = both.groupby(["table", "channel"], sort=True, observed=True).size()
    return counts.rename("count").reset_index()


def coverage(dataset: Dataset) -> pd.DataFrame:
    """Which later analyses this data supports, and what limits the others.

    Returns
    -------
    DataFrame
        Columns ``analysis, notebook, status, reason`` with status ``ok``,
        ``limited`` (runs, with caveats) or ``missing`` (needs more data); the
        reason is in the report language.
    """
    months = history_months(dataset)
    rows = []
    for a in ANALYSES:
        lacking = [t for t in a.tables if not dataset.has(t)]
        required_lacking = [t for t in lacking if TABLES[t].required or t == a.tables[0]
                            or (a.key == "leads" and t == "leads")]
        if required_lacking:
            status, reason = "missing", ("tables", ", ".join(required_lacking))
        elif a.min_months and months < a.min_months:
            status, reason = "missing", ("months", f"{months}/{a.min_months}")
        elif lacking:
            status, reason = "limited", ("tables", ", ".join(lacking))
        elif a.good_months and months < a.good_months:
            status, reason = "limited", ("months", f"{months}/{a.good_months}")
        elif a.key == "leads":
            closed = int(dataset.leads["status"].isin(["won", "lost"]).sum())
            # the lead scorer learns from 30 closed leads (below that it scores by rules)
            status, reason = ("ok", ("closed_leads", str(closed))) if closed >= 30 else \
                ("limited", ("closed_leads", str(closed)))
        else:
            status, reason = "ok", ("months", str(months))
        rows.append({"analysis": a.key, "notebook": a.notebook, "status": status,
                     "reason": t(f"datacheck.reason_{reason[0]}", value=reason[1])})
    return pd.DataFrame(rows)


def monthly_rows(dataset: Dataset) -> pd.DataFrame:
    """Rows per calendar month of every dated table (by its main date column).

    Returns
    -------
    DataFrame
        Index: table name; columns: month starts; values: row counts (0 for a gap).
    """
    main_dates = {"orders": "order_date", "leads": "created_date", "activities": "activity_date",
                  "invoices": "issue_date", "complaints": "opened_date"}
    counts = {}
    for name, column in main_dates.items():
        if dataset.has(name) and len(dataset[name]):
            months = dataset[name][column].dropna().dt.to_period("M")
            counts[name] = months.value_counts()
    if not counts:
        return pd.DataFrame()
    frame = pd.DataFrame(counts).T.fillna(0).astype(int)
    full = pd.period_range(frame.columns.min(), frame.columns.max(), freq="M")
    frame = frame.reindex(columns=full, fill_value=0)
    frame.columns = full.to_timestamp()
    return frame


def monthly_sales(dataset: Dataset) -> pd.DataFrame:
    """Net sales per calendar month (returns included), with empty months as zero.

    Returns
    -------
    DataFrame
        Columns ``month, net_amount``.
    """
    orders = dataset.orders
    if orders.empty:
        return pd.DataFrame({"month": pd.Series(dtype="datetime64[ns]"), "net_amount": []})
    sales = orders.groupby(orders["order_date"].dt.to_period("M"))["net_amount"].sum()
    full = pd.period_range(sales.index.min(), sales.index.max(), freq="M")
    sales = sales.reindex(full, fill_value=0.0)
    return pd.DataFrame({"month": full.to_timestamp(), "net_amount": sales.to_numpy()})


def headline(dataset: Dataset, *, duplicate_rows: pd.DataFrame | None = None) -> list[tuple[str, str, str]]:
    """Return the data-check headline: (label, value, note) in the report language.

    Parameters
    ----------
    dataset : Dataset
    duplicate_rows : DataFrame, optional
        What :func:`duplicates` returned for ``dataset``, when the caller has it (the data
        check shows it too); computed here otherwise. The lead de-duplication behind it is
        the check's largest cost on a large company, so it is best run once.
    """
    from salesnb.i18n import fmt_date, fmt_number

    if duplicate_rows is None:
        duplicate_rows = duplicates(dataset)

    orders = dataset.orders["order_date"].dropna()
    open_unassigned = 0
    if dataset.has("leads"):
        leads = dataset.leads
        open_unassigned = int((leads["status"].eq("open") & leads["rep_id"].isna()).sum())
    period = (t("datacheck.hl_history_note", first=fmt_date(orders.min(), format="LLL y"),
                last=fmt_date(orders.max(), format="LLL y")) if len(orders) else "")
    return [
        (t("datacheck.hl_tables"), fmt_number(len(dataset.tables)), ""),
        (t("datacheck.hl_rows"), fmt_number(sum(len(f) for f in dataset.tables.values())), ""),
        (t("datacheck.hl_rejected"), fmt_number(dataset.n_rejected), ""),
        (t("datacheck.hl_history"), fmt_number(history_months(dataset)), period),
        (t("datacheck.hl_duplicates"), fmt_number(len(duplicate_rows)), ""),
        (t("datacheck.hl_unassigned"), fmt_number(open_unassigned), ""),
    ]
