"""Where the market is and where we are not yet: attractiveness, penetration, the market map."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.market.orders import check_columns
from salesnb.market.periods import window_orders
from salesnb.params import check_choice, check_fraction, check_positive_int

__all__ = ["DEFAULT_WEIGHTS", "QUADRANTS", "attractiveness", "market_map", "penetration", "top_areas", "whitespace"]


#: Default weights of the attractiveness index (they are normalised to sum 1).
DEFAULT_WEIGHTS: dict[str, float] = {
    "population": 0.3,
    "households": 0.2,
    "gdp_per_capita": 0.2,
    "retail_sales": 0.3,
}


#: Indicators that measure size; the index takes their logarithm.
_SIZE_INDICATORS = ("population", "households", "retail_sales")


def _areas(regions: pd.DataFrame, level: str | None) -> pd.DataFrame:
    """Return the rows of ``regions`` that are ranked: one ``level``, or the leaves of the tree."""
    check_columns(regions, ["region_id", "name", "parent_id"], name="regions")
    if level is not None:
        if "level" not in regions.columns:
            raise ParameterError.from_catalog("market.error_level_column")
        levels = sorted(regions["level"].dropna().astype(str).unique())
        check_choice("level", level, levels)
        return regions.loc[regions["level"].astype("string").eq(level).fillna(False)]
    parents = set(regions["parent_id"].dropna().astype(str))
    return regions.loc[~regions["region_id"].astype(str).isin(parents)]


def _check_weights(regions: pd.DataFrame, weights: Mapping[str, float] | None) -> dict[str, float]:
    given = dict(DEFAULT_WEIGHTS if weights is None else weights)
    if not given:
        raise ParameterError.from_catalog("market.error_weights_empty")
    out: dict[str, float] = {}
    for name, weight in given.items():
        if name not in regions.columns or not pd.api.types.is_numeric_dtype(regions[name]):
            numeric = [c for c in regions.columns if pd.api.types.is_numeric_dtype(regions[c]) and c != "rank"]
            if weights is None and name == "retail_sales":
                continue  # optional column: the default weights skip it when absent
            raise ParameterError.from_catalog("market.error_weights_column", value=repr(name),
                                              numeric=", ".join(numeric))
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not np.isfinite(weight) or weight < 0:
            raise ParameterError.from_catalog("market.error_weights_negative", name=name, value=repr(weight))
        if weights is None and regions[name].isna().all():
            continue
        out[name] = float(weight)
    total = sum(out.values())
    if total <= 0:
        raise ParameterError.from_catalog("market.error_weights_total", value=repr(given))
    return {k: v / total for k, v in out.items()}


def attractiveness(regions: pd.DataFrame, *, weights: Mapping[str, float] | None = None,
                   method: str = "zscore", level: str | None = None) -> pd.DataFrame:
    """Compute a weighted index of how attractive each province (or county) is as a market.

    Method, step by step:

    1. take the areas to rank: the rows of one ``level`` or, by default, the
       smallest areas (rows no other row names as parent);
    2. put size indicators (``population``, ``households``, ``retail_sales``) in
       logarithms, so ten times the people counts as a step, not as ten steps;
    3. make indicators comparable: ``zscore`` subtracts the mean and divides by the
       standard deviation over the areas; ``rank`` uses the percentile rank
       (0 = lowest, 1 = highest), which no single outlier can stretch;
    4. average them with ``weights`` (normalised to sum 1; a missing value counts
       as average);
    5. rescale to 0-100 (the least attractive area 0, the most 100) and rank.

    Parameters
    ----------
    regions : DataFrame
        The ``regions`` table.
    weights : mapping of str to float, optional
        Indicator column -> weight; default :data:`DEFAULT_WEIGHTS` (population 0.3,
        households 0.2, GDP per capita 0.2, retail sales 0.3; retail sales is
        skipped when the data lacks it). Any numeric column of ``regions`` may be used.
    method : {"zscore", "rank"}
        How indicators are put on one scale.
    level : str, optional
        A value of the ``level`` column (``"province"``, ``"county"``).

    Returns
    -------
    DataFrame
        One row per area, most attractive first: ``region_id``, ``name``,
        ``parent_id``, ``parent`` (its name), the indicators, ``z_<indicator>``
        (the standardised values), ``score`` (weighted average), ``index``
        (0-100) and ``rank`` (1 = most attractive).
    """
    check_choice("method", method, ("zscore", "rank"))
    areas = _areas(regions, level)
    w = _check_weights(regions, weights)
    names = regions.set_index("region_id")["name"]
    shown = [c for c in (*DEFAULT_WEIGHTS, *w) if c in areas.columns]
    out = areas[["region_id", "name", "parent_id", *dict.fromkeys(shown)]].copy()
    out.insert(3, "parent", out["parent_id"].map(names))
    score = np.zeros(len(areas))
    for col, weight in w.items():
        x = areas[col].astype(float)
        if col in _SIZE_INDICATORS:
            x = np.log1p(x.clip(lower=0))
        if method == "zscore":
            std = float(x.std(ddof=0))
            z = (x - x.mean()) / std if std > 0 else x * 0.0
        else:
            n = int(x.notna().sum())
            z = (x.rank(method="average") - 1) / (n - 1) - 0.5 if n > 1 else x * 0.0
        z = z.fillna(0.0)
        out[f"z_{col}"] = z.to_numpy()
        score += weight * z.to_numpy()
    out["score"] = score
    span = score.max() - score.min() if len(score) else 0.0
    out["index"] = 100 * (score - score.min()) / span if span > 0 else 50.0
    out = out.sort_values("score", ascending=False, kind="stable").reset_index(drop=True)
    out["rank"] = out["score"].rank(ascending=False, method="min").astype(int)
    return out


def _ancestor_map(regions: pd.DataFrame, region_ids: Sequence[str], targets: set[str]) -> dict[str, str]:
    """Each region id -> itself or its nearest ancestor in ``targets`` (absent when none)."""
    parent = dict(zip(regions["region_id"].astype(str), regions["parent_id"], strict=True))
    out: dict[str, str] = {}
    for rid in region_ids:
        node, seen = str(rid), set()
        while node not in targets and node in parent and node not in seen:
            seen.add(node)
            up = parent[node]
            if up is None or (isinstance(up, float) and np.isnan(up)) or up is pd.NA:
                break
            node = str(up)
        if node in targets:
            out[str(rid)] = node
    return out


def penetration(enriched: pd.DataFrame, regions: pd.DataFrame, *, period_end: object, months: int = 12,
                level: str | None = None, value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """How deep we already are in each area: sales per inhabitant and customers per 100,000.

    Parameters
    ----------
    enriched : DataFrame
        Output of :func:`enrich_orders` (uses ``region_id`` and ``customer_id``).
    regions : DataFrame
        The ``regions`` table; areas are chosen as in :func:`attractiveness`.
        Customers who sit in a smaller area are counted in the area above them.
    period_end : date-like
        Last day of the window.
    months : int, default 12
        Window length.

    Returns
    -------
    DataFrame
        One row per area (every area, zero where we sell nothing): ``region_id``,
        ``name``, ``population``, ``households``, ``sales`` (in the window),
        ``customers`` (customers with positive net purchases in the window),
        ``sales_per_capita``, ``customers_per_100k``.
    """
    check_columns(enriched, ["region_id", "customer_id", value, date])
    areas = _areas(regions, level)
    data = window_orders(enriched, period_end, months, date, columns=["region_id", "customer_id", value])
    ids = data["region_id"].astype("string").fillna("")
    mapping = _ancestor_map(regions, list(ids.unique()), set(areas["region_id"].astype(str)))
    area = ids.map(mapping)
    per_customer = data.groupby([area.rename("_area"), data["customer_id"]], observed=True)[value].sum()
    sales = per_customer.groupby(level="_area").sum()
    buyers = (per_customer > 0).groupby(level="_area").sum()
    out = areas[["region_id", "name", "population", "households"]].copy()
    key = out["region_id"].astype(str)
    out["sales"] = key.map(sales).fillna(0.0).astype(float).to_numpy()
    out["customers"] = key.map(buyers).fillna(0).astype(int).to_numpy()
    pop = out["population"].astype(float)
    out["sales_per_capita"] = np.where(pop > 0, out["sales"] / pop.where(pop > 0), np.nan)
    out["customers_per_100k"] = np.where(pop > 0, 1e5 * out["customers"] / pop.where(pop > 0), np.nan)
    return out.reset_index(drop=True)


QUADRANTS = ("whitespace", "core", "niche", "low_priority")


def market_map(enriched: pd.DataFrame, regions: pd.DataFrame, *, period_end: object, months: int = 12,
               weights: Mapping[str, float] | None = None, method: str = "zscore", level: str | None = None,
               metric: str = "sales_per_capita", cut: float = 0.5, within: str = "",
               value: str = "net_amount", date: str = "order_date") -> pd.DataFrame:
    """Attractiveness against penetration per area, with the quadrant each area falls in.

    An area is *attractive* when its index is at or above the ``cut`` quantile of all
    areas (the median by default) and *penetrated* when its ``metric`` is. Quadrants:
    ``whitespace`` (attractive, low penetration: where to grow), ``core``
    (attractive, penetrated: defend), ``niche`` (less attractive, penetrated) and
    ``low_priority``. ``sales_gap`` is what the area would add if it sold as much per
    inhabitant as the median core area (0 when it already does).

    Parameters
    ----------
    enriched : DataFrame
        Output of :func:`enrich_orders`.
    regions : DataFrame
        The ``regions`` table.
    period_end : date-like
        Last day of the penetration window.
    months : int
        Penetration window.
    weights, method, level
        As in :func:`attractiveness`.
    metric : {"sales_per_capita", "customers_per_100k"}
        The penetration measure of the quadrant.
    cut : float, default 0.5
        Quantile splitting high from low on both axes.
    within : str
        Keep only the areas of one region (name or code); thresholds stay national.

    Returns
    -------
    DataFrame
        The columns of :func:`attractiveness` and :func:`penetration` plus
        ``quadrant`` and ``sales_gap``, most attractive first.
    """
    check_choice("metric", metric, ("sales_per_capita", "customers_per_100k"))
    cut = check_fraction("cut", cut)
    attract = attractiveness(regions, weights=weights, method=method, level=level)
    pen = penetration(enriched, regions, period_end=period_end, months=months, level=level, value=value, date=date)
    out = attract.merge(pen.drop(columns=["name", "population", "households"]), on="region_id", how="left")
    high_attr = out["index"] >= out["index"].quantile(cut)
    high_pen = out[metric] >= out[metric].quantile(cut)
    out["quadrant"] = np.select([high_attr & ~high_pen, high_attr & high_pen, ~high_attr & high_pen],
                                ["whitespace", "core", "niche"], "low_priority")
    core = out["quadrant"] == "core"
    benchmark = float(out.loc[core, "sales_per_capita"].median()) if core.any() else \
        float(out["sales_per_capita"].quantile(cut))
    out["sales_gap"] = ((benchmark - out["sales_per_capita"]).clip(lower=0) * out["population"]).fillna(0.0)
    if isinstance(within, str) and within.strip():
        key = within.strip().lower()
        cols = ("parent", "parent_id", "name", "region_id")
        hit = pd.Series(False, index=out.index)
        for col in cols:
            hit |= out[col].astype("string").str.strip().str.lower().eq(key).fillna(False)
        if not hit.any():
            raise ParameterError.from_catalog("market.error_within", value=repr(within))
        out = out.loc[hit]
    out = out.reset_index(drop=True)
    out.attrs["cuts"] = {"index": float(attract["index"].quantile(cut)),
                         metric: float(pen[metric].quantile(cut))}
    return out


def whitespace(mapped: pd.DataFrame) -> pd.DataFrame:
    """Return the whitespace areas of :func:`market_map`: attractive and under-penetrated, biggest gap first."""
    check_columns(mapped, ["quadrant", "sales_gap", "index"], name="market map")
    out = mapped.loc[mapped["quadrant"] == "whitespace"]
    return out.sort_values(["sales_gap", "index"], ascending=False, kind="stable").reset_index(drop=True)


def top_areas(mapped: pd.DataFrame, *, n: int = 100) -> pd.DataFrame:
    """Return the ``n`` most attractive areas (a "top 100 counties" list) with our position in each."""
    check_columns(mapped, ["rank"], name="market map")
    n = check_positive_int("n", n)
    return mapped.sort_values(["rank"], kind="stable").head(n).reset_index(drop=True)
