"""Last year's sales, the inputs every split of the cascade starts from.

:func:`sales_lines` reduces the order lines to what the cascade needs (date, amount,
territory, category and account owner); :func:`sales_basis` reads from them the 12
months "last year" means, the region × category sales of last year and the year before,
last year's months and each territory's share of market potential; and
:func:`seasonal_indices` gives each region × category its seasonal pattern.

A *territory* is a region reps are assigned to: sales of a province roll up to the
region above it that has reps.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesnb import market, workdays
from salesnb.data import Dataset
from salesnb.params import parameter_error

__all__ = ["SalesBasis", "market_potential", "sales_basis", "sales_lines", "seasonal_indices", "territories"]


@dataclass
class SalesBasis:
    """What the split methods need, read once per dataset, year and ``as_of``.

    Attributes
    ----------
    year : int
        The year planned.
    as_of : Timestamp
        Last day of data used; "last year" is the 12 months to it.
    base_start : Timestamp
        First day of "last year".
    hist : DataFrame
        :func:`sales_lines` up to ``as_of``.
    regions : list of str
        The territories, in the order of the dataset's regions.
    region_names : dict
        Territory → its name.
    categories : list of str
        Categories sold last year, sorted.
    base : ndarray, shape (R, C)
        Last year's sales per territory and category, clipped at 0.
    prev : ndarray, shape (R, C)
        The same for the year before.
    base_month : ndarray, shape (R, C, 12)
        Last year's sales by calendar month (signed).
    base_total : float
        Last year's signed total (returns included).
    potential : ndarray, shape (R,)
        Each territory's share of market potential (sums to 1).
    """

    year: int
    as_of: pd.Timestamp
    base_start: pd.Timestamp
    hist: pd.DataFrame
    regions: list[str]
    region_names: dict[str, str]
    categories: list[str]
    base: np.ndarray
    prev: np.ndarray
    base_month: np.ndarray
    base_total: float
    potential: np.ndarray


def territories(ds: Dataset) -> tuple[list[str], dict[str, str]]:
    """Return the regions reps are assigned to (the territories), and a map region → its territory.

    Parameters
    ----------
    ds : Dataset
        Needs reps and regions.

    Returns
    -------
    territories : list of str
        The regions of the reps, in the order of the dataset's regions.
    rollup : dict
        Every region under a territory (the territory itself included) → that territory.
    """
    reps = ds.reps
    regions = ds.regions
    rep_regions = [str(r) for r in pd.unique(reps["region_id"].astype(str))]
    order = {rid: i for i, rid in enumerate(regions["region_id"].astype(str))}
    territories = sorted(rep_regions, key=lambda r: (order.get(r, len(order)), r))
    wanted = set(territories)
    parent = dict(zip(regions["region_id"].astype(str), regions["parent_id"], strict=True))
    rollup: dict[str, str] = {}
    for rid in order:
        node, seen = rid, set()
        while node not in wanted and node not in seen:
            seen.add(node)
            up = parent.get(node)
            if up is None or pd.isna(up):
                break
            node = str(up)
        if node in wanted:
            rollup[rid] = node
    return territories, rollup


def sales_lines(ds: Dataset) -> pd.DataFrame:
    """Return the order lines with their territory, category and account owner.

    A line's territory is its customer's region rolled up to the level reps are
    assigned at (province → region), or the selling rep's region when the customer's
    region is not under any rep's. Its owner is the rep who holds the account now
    (``customers.rep_id``), or the selling rep when the account has none.

    The joins are the ones :func:`salesnb.market.enrich_orders` does, reduced to the
    columns needed here and done with lookups, which keeps a million lines fast.

    Parameters
    ----------
    ds : Dataset
        Needs orders, customers, products, reps and regions.

    Returns
    -------
    DataFrame
        ``order_date, net_amount`` and the categorical columns ``region_id`` (territory),
        ``category`` and ``owner``, one row per order line.
    """
    _, rollup = territories(ds)
    orders = ds.orders
    customers = ds.customers.set_index(ds.customers["customer_id"].astype(str))
    category = ds.products.set_index(ds.products["product_id"].astype(str))["category"].astype(str)
    rep_region = ds.reps.set_index(ds.reps["rep_id"].astype(str))["region_id"].astype(str)
    # factorize the order lines once, look up each distinct customer/product/rep, expand by code
    cust_codes, cust_ids = pd.factorize(orders["customer_id"].astype(object))
    prod_codes, prod_ids = pd.factorize(orders["product_id"].astype(object))
    rep_codes, rep_ids = pd.factorize(orders["rep_id"].astype(object))
    per_cust = customers.reindex(pd.Index(cust_ids, dtype=object).astype(str))
    cust_territory = per_cust["region_id"].astype(object).map(rollup).to_numpy(dtype=object)
    cust_owner = per_cust["rep_id"].astype(object).to_numpy()
    rep_text = np.asarray(pd.Index(rep_ids, dtype=object).astype(str), dtype=object)
    territory = _expand(cust_codes, cust_territory)
    owner = _expand(cust_codes, cust_owner)
    lost = territory[0] < 0  # customer's region is under no rep: use the selling rep's region
    if lost.any():
        fallback = _expand(rep_codes[lost], rep_region.reindex(rep_text).to_numpy(dtype=object))
        territory = _merge_codes(territory, lost, fallback)
    unowned = owner[0] < 0
    if unowned.any():
        owner = _merge_codes(owner, unowned, _expand(rep_codes[unowned], rep_text))
    cats = category.reindex(pd.Index(prod_ids, dtype=object).astype(str)).to_numpy(dtype=object)
    return pd.DataFrame({
        "order_date": orders["order_date"].to_numpy(),
        "net_amount": orders["net_amount"].to_numpy(dtype=float),
        "region_id": pd.Categorical.from_codes(*_recode(territory[0], territory[1])),
        "category": pd.Categorical.from_codes(*_recode(prod_codes, cats)),
        "owner": pd.Categorical.from_codes(*_recode(owner[0], owner[1])),
    })


def _expand(codes: np.ndarray, per_key: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return values looked up per distinct key as (codes per row, labels); -1 where missing."""
    value_codes, labels = pd.factorize(per_key)  # missing -> -1
    return value_codes[codes], np.asarray(labels, dtype=object)


def _merge_codes(base: tuple[np.ndarray, np.ndarray], where: np.ndarray,
                 other: tuple[np.ndarray, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Replace the coded values of ``base`` at ``where`` by those of ``other``."""
    codes = base[0].copy()
    codes[where] = np.where(other[0] >= 0, other[0] + len(base[1]), -1)
    return codes, np.r_[base[1], other[1]]


def _recode(codes: np.ndarray, labels: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Turn codes into ``labels`` (which may repeat; -1 = missing, shown as "nan") into codes into sorted text."""
    text = np.array([str(v) for v in labels] + ["nan"], dtype=object)
    new_codes, uniques = pd.factorize(text, sort=True)
    mapped = new_codes[np.where(codes < 0, len(labels), codes)]
    return mapped, [str(u) for u in uniques]


def market_potential(ds: Dataset, regions: list[str]) -> np.ndarray:
    """Return each territory's share of market potential.

    The share is the mean of its shares of purchasing power (population × GDP per
    capita), households and, when present, retail sales. A territory's own figures
    count, or the sum over the regions below it when its own are missing or zero.

    Parameters
    ----------
    ds : Dataset
        Needs regions (and reps, for the roll-up).
    regions : list of str
        The territories, as :func:`territories` gives them.

    Returns
    -------
    ndarray
        One share per territory, summing to 1 (equal shares when no figure is known).
    """
    _, rollup = territories(ds)
    reg = ds.regions.copy()
    reg["region_id"] = reg["region_id"].astype(str)
    reg["power"] = reg["population"].astype(float) * reg["gdp_per_capita"].astype(float)
    cols = ["power", "households"] + (["retail_sales"] if "retail_sales" in reg else [])
    values = reg.set_index("region_id")[cols].astype(float).fillna(0.0)
    own = values.reindex(regions).fillna(0.0)
    below = values.loc[[r for r in values.index if rollup.get(r) in regions and r not in regions]]
    below = below.groupby(below.index.map(rollup)).sum().reindex(regions).fillna(0.0)
    figures = own.where(own > 0, below)
    shares = []
    for col in cols:
        total = figures[col].sum()
        if total > 0:
            shares.append(figures[col].to_numpy() / total)
    if not shares:
        return np.full(len(regions), 1 / max(len(regions), 1))
    return np.mean(shares, axis=0)


def _as_of(hist: pd.DataFrame, year: int, as_of: object | None) -> pd.Timestamp:
    """Last day of data to use: ``as_of``, or the end of the last complete month of orders."""
    last = pd.Timestamp(hist["order_date"].max()).normalize()
    if as_of is None:
        # the last complete month of data: the month of the last order when that order falls in the
        # month's last week (data runs to the month's end), else the month before
        month_end = last + pd.offsets.MonthEnd(0)
        as_of_ts = month_end if (month_end - last).days < 7 else last.replace(day=1) - pd.Timedelta(days=1)
        as_of_ts = min(as_of_ts, pd.Timestamp(year - 1, 12, 31))
    else:
        as_of_ts = pd.Timestamp(workdays.as_date(as_of, name="as_of"))
    first = pd.Timestamp(hist["order_date"].min()).normalize()
    if as_of_ts < first:
        raise parameter_error("targets_as_of_early", as_of=as_of_ts.date(), first=first.date())
    return as_of_ts


def _matrix(rows: pd.DataFrame, regions: list[str], categories: list[str]) -> np.ndarray:
    """Sales of ``rows`` as a region × category matrix, clipped at 0."""
    table = rows.groupby(["region_id", "category"], observed=True)["net_amount"].sum().unstack(fill_value=0.0)
    table = table.reindex(index=regions, columns=categories, fill_value=0.0).fillna(0.0)
    return np.clip(table.to_numpy(dtype=float), 0, None)


def _by_month(rows: pd.DataFrame, regions: list[str], categories: list[str]) -> np.ndarray:
    """Signed sales of ``rows`` as a region × category × calendar-month array."""
    month_idx = rows["order_date"].dt.month.to_numpy() - 1
    r_idx = pd.Index(regions).get_indexer(rows["region_id"])
    c_idx = pd.Index(categories).get_indexer(rows["category"])
    keep = (r_idx >= 0) & (c_idx >= 0)
    out = np.zeros((len(regions), len(categories), 12))
    np.add.at(out, (r_idx[keep], c_idx[keep], month_idx[keep]), rows["net_amount"].to_numpy()[keep])
    return out


def sales_basis(ds: Dataset, *, year: int, as_of: object | None) -> SalesBasis:
    """Read last year's sales (and the year before's) for planning ``year``.

    Parameters
    ----------
    ds : Dataset
        Needs orders, customers, products, reps and regions.
    year : int
        The year planned.
    as_of : date-like or None
        Last day of data used; by default the end of the last complete month of orders
        (the month of the last order when that order is in the month's last 7 days,
        else the month before), no later than 31 December of the year before ``year``.

    Returns
    -------
    SalesBasis

    Raises
    ------
    ParameterError
        When the dataset has no orders, ``as_of`` is before the first order, or there
        are no sales in the 12 months to ``as_of``.
    """
    hist = sales_lines(ds)
    if hist.empty:
        raise parameter_error("targets_no_orders")
    as_of_ts = _as_of(hist, year, as_of)
    hist = hist.loc[hist["order_date"] <= as_of_ts].reset_index(drop=True)
    base_start = as_of_ts - pd.DateOffset(years=1) + pd.Timedelta(days=1)
    prev_start = as_of_ts - pd.DateOffset(years=2) + pd.Timedelta(days=1)
    in_base = hist["order_date"] >= base_start
    in_prev = (hist["order_date"] >= prev_start) & ~in_base
    regions, _ = territories(ds)
    base_rows = hist.loc[in_base]
    sold = base_rows.groupby("category", observed=True)["net_amount"].sum()
    categories = sorted(str(c) for c in sold.index[sold > 0])
    if not categories or base_rows["net_amount"].sum() <= 0:
        raise parameter_error("targets_no_sales", as_of=as_of_ts.date())
    names = ds.regions.set_index(ds.regions["region_id"].astype(str))["name"].astype(str)
    return SalesBasis(
        year=year, as_of=as_of_ts, base_start=base_start, hist=hist, regions=regions,
        region_names={r: names.get(r, r) for r in regions}, categories=categories,
        base=_matrix(base_rows, regions, categories), prev=_matrix(hist.loc[in_prev], regions, categories),
        base_month=_by_month(base_rows, regions, categories),
        base_total=float(base_rows["net_amount"].sum()), potential=market_potential(ds, regions),
    )


def seasonal_indices(basis: SalesBasis) -> np.ndarray:
    """Return the R x C x 12 seasonal indices of :func:`salesnb.market.seasonality`.

    Seasonality is fed with monthly sums per region and category (the same numbers as
    the order lines give, since it works on monthly totals), which keeps it fast. A
    region × category never sold follows its category's pattern.

    Parameters
    ----------
    basis : SalesBasis
        From :func:`sales_basis`.

    Returns
    -------
    ndarray, shape (R, C, 12)
        Non-negative indices (1 = an average month).
    """
    hist = basis.hist
    month = hist["order_date"].to_numpy().astype("datetime64[M]").astype("datetime64[ns]")
    monthly = (hist.assign(order_date=month)
               .groupby(["region_id", "category", "order_date"], observed=True, sort=True)["net_amount"].sum()
               .reset_index())
    monthly["region_id"] = monthly["region_id"].astype(str)
    monthly["category"] = monthly["category"].astype(str)
    by_cell = market.seasonality(monthly, by=["region_id", "category"])
    out = np.ones((len(basis.regions), len(basis.categories), 12))
    cat_pos = {c: i for i, c in enumerate(basis.categories)}
    reg_pos = {r: i for i, r in enumerate(basis.regions)}
    cells = by_cell.loc[by_cell["category"].isin(cat_pos) & by_cell["region_id"].isin(reg_pos)]
    if len(cells) < 12 * len(basis.regions) * len(basis.categories):  # cells never sold: the category's pattern
        by_cat = market.seasonality(monthly, by="category")
        for cat, grp in by_cat.loc[by_cat["category"].isin(cat_pos)].groupby("category", sort=False):
            out[:, cat_pos[cat], :] = grp.sort_values("month")["index"].to_numpy()[None, :]
    r = cells["region_id"].map(reg_pos).to_numpy()
    c = cells["category"].map(cat_pos).to_numpy()
    out[r, c, cells["month"].to_numpy() - 1] = cells["index"].to_numpy()
    return np.clip(out, 0, None)
