"""What the scorer sees: one row of attributes per lead, with regional figures joined.

The features of a lead are its ``channel`` and ``source``, every extra attribute
column of the leads table (``est_investment``, ``employees``, ``foreign_investor``,
``exclusive_interest`` …) and four figures of its province from the regions table:
its attractiveness rank and index (:func:`salesnb.market.attractiveness`), GDP per
head and households. Identifiers, contact details, dates, the outcome and the rep
are never features.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesnb import market
from salesnb.params import to_timestamp

__all__ = [
    "NOT_FEATURES",
    "REGION_FEATURES",
    "history",
    "lead_features",
    "region_features",
    "snapshot",
]

#: Columns of a lead that are never used to score it (ids, contacts, dates, outcome, owner,
#: and the columns :func:`salesnb.leads.deduplicate` adds).
NOT_FEATURES = frozenset({
    "lead_id", "company", "contact_name", "phone", "email", "region_id", "created_date", "status",
    "closed_date", "lost_reason", "rep_id", "name_key", "phone_key", "email_key", "merged_from",
    "n_records", "other_phones", "other_emails", "prior_status", "existing_customer_id",
    "customer_reason", "possible_duplicate_of", "territory", "score", "positive", "negative", "why",
    "watch_out",
})
#: Regional columns joined to each lead.
REGION_FEATURES = ("region_rank", "region_index", "region_gdp_per_capita", "region_households")


def snapshot(leads: pd.DataFrame, *, as_of: object) -> pd.DataFrame:
    """Return the lead list as it stood on ``as_of``.

    Leads created after ``as_of`` are left out; a lead closed after ``as_of`` was
    still open then (its ``closed_date`` and ``lost_reason`` are cleared). So the
    report for an earlier date scores exactly what was known on that date.

    Parameters
    ----------
    leads : DataFrame
        The ``leads`` table.
    as_of : date
        The day the list is taken on (``"2026-10-31"``).

    Returns
    -------
    DataFrame
        A copy with the same columns.
    """
    day = to_timestamp("as_of", as_of)
    out = leads.loc[pd.to_datetime(leads["created_date"]) <= day].copy()
    later = pd.to_datetime(out["closed_date"]) > day if "closed_date" in out else pd.Series(False, index=out.index)
    if later.any():
        out.loc[later, "status"] = "open"
        out.loc[later, "closed_date"] = pd.NaT
        if "lost_reason" in out:
            out.loc[later, "lost_reason"] = pd.NA
    return out


def region_features(regions: pd.DataFrame) -> pd.DataFrame:
    """Return the regional figures of every region id, for joining onto leads.

    Provinces (the areas leads sit in) get their own figures; a higher-level region
    gets none, so a lead filed at region level scores with its regional figures missing.

    Returns
    -------
    DataFrame
        Indexed by ``region_id``: ``region_rank`` (1 = most attractive),
        ``region_index`` (0-100), ``region_gdp_per_capita``, ``region_households``.
    """
    ranked = market.attractiveness(regions)
    out = pd.DataFrame({
        "region_rank": ranked["rank"].astype(float).to_numpy(),
        "region_index": ranked["index"].astype(float).to_numpy(),
    }, index=pd.Index(ranked["region_id"].astype(str), name="region_id"))
    stats = regions.assign(region_id=regions["region_id"].astype(str)).set_index("region_id")
    out["region_gdp_per_capita"] = stats["gdp_per_capita"].astype(float).reindex(out.index)
    out["region_households"] = stats["households"].astype(float).reindex(out.index)
    return out


def lead_features(leads: pd.DataFrame, regions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Return the features of each lead, in the same row order and index as ``leads``.

    Parameters
    ----------
    leads : DataFrame
        Leads (the raw table, a snapshot or the de-duplicated masters).
    regions : DataFrame, optional
        The ``regions`` table; without it no regional columns are added.

    Returns
    -------
    DataFrame
        ``channel``, ``source``, every extra attribute column (numbers stay numbers,
        true/false columns stay booleans) and the :data:`REGION_FEATURES`.
    """
    keep = [c for c in leads.columns if c not in NOT_FEATURES
            and not pd.api.types.is_datetime64_any_dtype(leads[c])
            and not (leads[c].dtype == object
                     and leads[c].map(lambda v: isinstance(v, list | tuple | np.ndarray)).any())]
    out = leads[keep].copy()
    if regions is not None and "region_id" in leads:
        reg = region_features(regions)
        joined = reg.reindex(leads["region_id"].astype(str).to_numpy())
        for col in REGION_FEATURES:
            out[col] = joined[col].to_numpy()
    return out


def history(leads: pd.DataFrame, regions: pd.DataFrame | None = None) -> tuple[pd.DataFrame, pd.Series]:
    """Return the closed leads as training data: their features and whether each was won.

    Parameters
    ----------
    leads : DataFrame
        Leads (usually a :func:`snapshot`); only ``won`` and ``lost`` rows are used.
    regions : DataFrame, optional
        The ``regions`` table.

    Returns
    -------
    X : DataFrame
        :func:`lead_features` of the closed leads (index: their ``lead_id``).
    y : Series of bool
        True for won.
    """
    closed = leads.loc[leads["status"].isin(["won", "lost"])]
    X = lead_features(closed, regions)
    X.index = pd.Index(closed["lead_id"].astype(str), name="lead_id")
    y = pd.Series((closed["status"] == "won").to_numpy(dtype=bool), index=X.index, name="won")
    return X, y
