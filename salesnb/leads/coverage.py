"""Whitespace: where the market is bigger than our customer base, territory by territory.

A territory's share of the market (retail sales of its provinces, or population
times GDP per head without them) is set against its share of our customers; the
difference, in percentage points, is its whitespace (positive: under-served). Next
to it: the open leads there, the wins they are expected to bring and, with an
assignment, the reps and the backlog.
"""

from __future__ import annotations

import pandas as pd

from salesnb.leads.assign import Assignment, territory_of

__all__ = ["whitespace"]


def whitespace(scored: pd.DataFrame, *, customers: pd.DataFrame, regions: pd.DataFrame,
               assignment: Assignment | None = None) -> pd.DataFrame:
    """Return where the market is bigger than our customer base, per territory.

    The market share of a territory is its share of retail sales (or, without that
    column, of population times GDP per head) over the provinces; the customer share
    is its share of our customers. Whitespace is the difference in percentage
    points: positive means under-served.

    Returns
    -------
    DataFrame
        ``territory, name, potential_share, customer_share, gap, customers,
        open_leads, expected_wins_open`` (sum of their scores), and with an
        assignment ``reps, backlog``; largest gap first.
    """
    reps_region = set(assignment.by_rep["territory"]) if assignment is not None else set()
    parents = set(regions["parent_id"].dropna().astype(str))
    leaves = regions.loc[~regions["region_id"].astype(str).isin(parents)].copy()
    leaves["territory"] = territory_of(leaves["region_id"], regions, reps_region).to_numpy()
    if "retail_sales" in leaves and leaves["retail_sales"].notna().any():
        size = leaves["retail_sales"].astype(float).fillna(0.0)
    else:
        size = leaves["population"].astype(float) * leaves["gdp_per_capita"].astype(float)
    potential = size.groupby(leaves["territory"]).sum()
    to_terr = dict(zip(leaves["region_id"].astype(str), leaves["territory"], strict=True))
    cust_terr = customers["region_id"].astype(str).map(lambda r: to_terr.get(r, r))
    cust_n = cust_terr.value_counts()
    lead_terr = scored["region_id"].astype(str).map(lambda r: to_terr.get(r, r)) if len(scored) else \
        pd.Series(dtype=str)
    names = regions.assign(region_id=regions["region_id"].astype(str)).set_index("region_id")["name"]
    out = pd.DataFrame({"territory": potential.index})
    out["name"] = out["territory"].map(names)
    out["potential_share"] = (potential / potential.sum()).to_numpy() if potential.sum() > 0 else 0.0
    out["customers"] = out["territory"].map(cust_n).fillna(0).astype(int)
    total_c = max(int(out["customers"].sum()), 1)
    out["customer_share"] = out["customers"] / total_c
    out["gap"] = 100 * (out["potential_share"] - out["customer_share"])
    out["open_leads"] = out["territory"].map(lead_terr.value_counts()).fillna(0).astype(int)
    wins = scored["score"].groupby(lead_terr.to_numpy()).sum() if len(scored) else pd.Series(dtype=float)
    out["expected_wins_open"] = out["territory"].map(wins).fillna(0.0)
    if assignment is not None:
        out["reps"] = out["territory"].map(assignment.by_rep.groupby("territory").size()).fillna(0).astype(int)
        out["backlog"] = out["territory"].map(assignment.backlog.groupby("territory").size()).fillna(0) \
            .astype(int)
    cols = ["territory", "name", "potential_share", "customer_share", "gap", "customers", "open_leads",
            "expected_wins_open", *(["reps", "backlog"] if assignment is not None else [])]
    return out[cols].sort_values(["gap", "territory"], ascending=[False, True], kind="stable",
                                 ignore_index=True)
