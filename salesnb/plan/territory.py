"""Plan by region and key accounts: the target breakdown joined with the market map and the review.

* :func:`region_plan` — each region's target and growth, attractiveness and rank,
  white space, reps and the network of customers by channel;
* :func:`account_cards` — one card per key account (the market analysis's top accounts):
  last year, growth asked of its region, visits per month, open receivables,
  complaints, risk of loss.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.plan.prospects import segment_of

if TYPE_CHECKING:
    from salesnb.plan.work import WorkPlan

__all__ = ["CHANNELS", "account_cards", "network", "region_plan"]

#: Customer channels from the smallest outlet to the widest reach (the network's tiers).
CHANNELS = ("store", "franchise", "mall", "distributor", "other")


def network(work: WorkPlan) -> pd.DataFrame:
    """Return the customers who bought in the last 12 months per region and channel.

    Returns
    -------
    DataFrame
        ``region_id`` and one column per channel of :data:`CHANNELS`, plus ``total``.
    """
    orders = work.orders.loc[work.orders["order_date"].between(work.start, work.end),
                             ["customer_id", "region_id", "parent_id", "channel"]]
    regions = orders["parent_id"].fillna(orders["region_id"]).astype(str)
    buying = orders.assign(territory=regions).drop_duplicates("customer_id")
    table = pd.crosstab(buying["territory"], buying["channel"].astype(str))
    table = table.reindex(columns=list(CHANNELS), fill_value=0)
    table["total"] = table.sum(axis=1)
    return table.rename_axis("region_id").reset_index()


def region_plan(work: WorkPlan) -> pd.DataFrame:
    """Return one row per region of the target breakdown, best target first.

    Returns
    -------
    DataFrame
        ``region_id, name, last_year, target, growth, flag`` (bottom-up check),
        ``index, rank`` (attractiveness), ``whitespace`` (provinces in the white-space
        quadrant), ``sales_gap`` (their sum), ``customers`` (bought in the last 12
        months), ``distributors``, ``to_sign`` (distributor leads expected to be won this
        year), ``reps`` (active reps), ``vacant`` (target held by a vacancy).
    """
    tp = work.targets
    out = tp.regions[["region_id", "name", "last_year", "target"]].copy()
    out["growth"] = out["target"] / out["last_year"].where(out["last_year"] > 0) - 1
    checked = work.checked.loc[work.checked["level"] == "region"].set_index("id")
    out["flag"] = out["region_id"].map(checked["flag"])
    mapped = work.mapped.set_index("region_id")
    out["index"] = out["region_id"].map(mapped["index"])
    out["rank"] = out["region_id"].map(mapped["rank"])
    white = work.provinces.loc[work.provinces["quadrant"] == "whitespace"].groupby("parent_id")
    out["whitespace"] = out["region_id"].map(white.size()).fillna(0).astype(int)
    out["sales_gap"] = out["region_id"].map(white["sales_gap"].sum()).fillna(0.0)
    net = network(work).set_index("region_id")
    out["customers"] = out["region_id"].map(net["total"]).fillna(0).astype(int)
    out["distributors"] = out["region_id"].map(net["distributor"]).fillna(0).astype(int)
    out["to_sign"] = out["region_id"].map(_distributor_wins(work)).fillna(0.0).round().astype(int)
    reps = tp.reps.loc[tp.reps["target"] > 0]
    out["reps"] = out["region_id"].map(reps.loc[reps["status"] != "vacant"].groupby("region_id").size())
    out["reps"] = out["reps"].fillna(0).astype(int)
    out["vacant"] = out["region_id"].map(reps.loc[reps["status"] == "vacant"].groupby("region_id")["target"].sum())
    out["vacant"] = out["vacant"].fillna(0)
    return out.sort_values(["target", "region_id"], ascending=[False, True], kind="stable").reset_index(drop=True)


def _distributor_wins(work: WorkPlan) -> pd.Series:
    """Return the wins expected this year from distributor leads, per region (sum of win chances)."""
    scored = work.lead_work.scored
    dist = scored.loc[segment_of(scored).isin(["distributor"]) | (scored["channel"].astype(str) == "distributor")]
    parents = work.dataset.regions.set_index("region_id")["parent_id"]
    region = dist["region_id"].astype(str).map(parents).fillna(dist["region_id"].astype(str))
    return dist["score"].astype(float).groupby(region).sum()


def account_cards(work: WorkPlan, *, n: int | None = None) -> pd.DataFrame:
    """Return one row per key account: the figures of its card.

    Parameters
    ----------
    work : WorkPlan
    n : int, optional
        The first ``n`` key accounts (default: the plan's ``n_accounts``).

    Returns
    -------
    DataFrame
        ``rank, customer_id, customer, channel, province, region, rep, last_year, prior,
        growth`` (last 12 months against the 12 before), ``region_growth`` (what the
        target asks of its region), ``visits_month`` (visits per month, last 12 months),
        ``open_amount`` and ``overdue`` (receivables), ``complaints`` (last 12 months),
        ``open_complaints``, ``risk`` (chance of being lost within 90 days), ``margin_pct``
        (gross margin share, :func:`salesnb.money.margin`).
    """
    ka = work.key_accounts.head(work.n_accounts if n is None else n).copy()
    ids = ka["customer_id"].astype(str)
    ka = ka.rename(columns={"sales": "last_year"})
    cust = work.dataset.customers.assign(customer_id=work.dataset.customers["customer_id"].astype(str))
    owner = cust.set_index("customer_id")["rep_id"].astype(str)
    names = work.dataset.reps.set_index(work.dataset.reps["rep_id"].astype(str))["name"]
    ka["rep"] = ids.map(owner).map(names).fillna("")
    region_id = ids.map(cust.set_index("customer_id")["region_id"].astype(str))
    parent = region_id.map(work.dataset.regions.set_index("region_id")["parent_id"]).fillna(region_id)
    regions = work.targets.regions.set_index("region_id")
    ka["region_growth"] = parent.map(regions["target"] / regions["last_year"].where(regions["last_year"] > 0) - 1)
    ka["visits_month"] = ids.map(_visits(work)).fillna(0.0) / 12
    inv = work.invoices.assign(customer_id=work.invoices["customer_id"].astype(str))
    ka["open_amount"] = ids.map(inv.groupby("customer_id")["outstanding"].sum()).fillna(0.0)
    overdue = inv.loc[inv["days_overdue"] > 0].groupby("customer_id")["outstanding"].sum()
    ka["overdue"] = ids.map(overdue).fillna(0.0)
    comp = work.complaints.assign(customer_id=work.complaints["customer_id"].astype(str)).groupby("customer_id")
    ka["complaints"] = ids.map(comp.size()).fillna(0).astype(int)
    ka["open_complaints"] = ids.map(comp["open"].sum()).fillna(0).astype(int)
    risk = work.churn.scores.assign(customer_id=work.churn.scores["customer_id"].astype(str))
    ka["risk"] = ids.map(risk.set_index("customer_id")["risk"])
    margins = work.margins.assign(customer_id=work.margins["customer_id"].astype(str)).set_index("customer_id")
    ka["margin_pct"] = ids.map(margins["margin_pct"])
    cols = ["rank", "customer_id", "customer", "channel", "province", "region", "rep", "last_year", "prior", "growth",
            "region_growth", "visits_month", "open_amount", "overdue", "complaints", "open_complaints", "risk",
            "margin_pct"]
    return ka[cols].reset_index(drop=True)


def _visits(work: WorkPlan) -> pd.Series:
    """Return the visits of the last 12 months per customer."""
    if not work.dataset.has("activities"):
        return pd.Series(dtype=float)
    acts = work.dataset.activities
    acts = acts.loc[acts["activity_date"].between(work.start, work.end) & (acts["kind"] == "visit"), ["customer_id"]]
    acts = acts.loc[acts["customer_id"].notna()]
    return acts.groupby(acts["customer_id"].astype(str)).size().astype(float).rename("visits").pipe(
        lambda s: s.where(np.isfinite(s), 0.0))
