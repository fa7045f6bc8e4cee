"""Order lines joined with what every market analysis groups by, and the frame checks they share.

:func:`enrich_orders` is the one joined frame the market notebook (and the target,
review and lead domains) reuse; :func:`filter_orders` narrows it to a region or a
category. :func:`as_list` and :func:`check_columns` are the argument helpers of every
analysis module of :mod:`salesnb.market`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.params import parameter_error

if TYPE_CHECKING:
    from salesnb.data import Dataset

__all__ = ["as_list", "check_columns", "enrich_orders", "filter_orders", "month_starts"]


def as_list(by: str | Sequence[str] | None) -> list[str]:
    """Return grouping columns as a list: None -> ``[]``, ``"region"`` -> ``["region"]``."""
    if by is None:
        return []
    return [by] if isinstance(by, str) else list(by)


def check_columns(frame: pd.DataFrame, columns: Sequence[str], *, name: str = "orders") -> None:
    """Raise unless ``frame`` has every one of ``columns``.

    Parameters
    ----------
    frame : DataFrame
        The frame an analysis was given.
    columns : sequence of str
        The columns it needs.
    name : str, default "orders"
        What the frame is, for the message (``"regions"``, ``"market map"`` ...).

    Raises
    ------
    ParameterError
        Naming the missing columns and the ones the frame has.
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ParameterError.from_catalog("market.error_columns", name=name, missing=", ".join(missing),
                                          columns=", ".join(map(str, frame.columns)))


def enrich_orders(dataset: Dataset) -> pd.DataFrame:
    """Order lines with the attributes every market analysis groups by.

    Joins ``orders`` with ``customers`` (channel and the customer's region), ``regions``
    (the customer's province name and its parent region) and ``products`` (category
    and name). This is the frame every other function of this module expects.

    Parameters
    ----------
    dataset : Dataset
        A loaded dataset (:func:`salesnb.data.load`) or any object with ``orders``,
        ``customers``, ``regions`` and ``products`` frames.

    Returns
    -------
    DataFrame
        The order columns plus ``customer`` (name), ``channel``, ``region_id`` (the
        customer's province, or whatever level customers sit at), ``province`` (its
        name), ``parent_id`` and ``region`` (the parent's name; the province's own
        name when it has no parent), ``product`` (name), ``category`` and ``month``
        (first day of the order's month). One row per order line, in order.
    """
    orders = dataset.orders
    customers = dataset.customers[["customer_id", "name", "channel", "region_id"]].rename(
        columns={"name": "customer"})
    regions = dataset.regions[["region_id", "name", "parent_id"]].rename(columns={"name": "province"})
    parents = dataset.regions[["region_id", "name"]].rename(columns={"region_id": "parent_id", "name": "region"})
    products = dataset.products[["product_id", "name", "category"]].rename(columns={"name": "product"})
    drop = [c for c in ("customer", "channel", "region_id", "province", "parent_id", "region", "product",
                        "category", "month") if c in orders.columns]
    out = orders.drop(columns=drop)
    if not all(t.iloc[:, 0].is_unique for t in (customers, regions, parents, products)):
        return _merged(out, customers, regions, parents, products)  # the joins raise pandas' MergeError
    out.index = pd.RangeIndex(len(out))
    _look_up(out, customers, "customer_id")
    _look_up(out, regions, "region_id")
    _look_up(out, parents, "parent_id")
    out["region"] = out["region"].fillna(out["province"])
    _look_up(out, products, "product_id")
    out["month"] = month_starts(out["order_date"])
    return out


def _look_up(out: pd.DataFrame, table: pd.DataFrame, key: str) -> None:
    """Add the other columns of ``table`` (unique ``key``) to ``out`` by ``out[key]``: a left join, in place.

    The same values and dtypes as ``out.merge(table, on=key, how="left")`` without copying ``out``
    (``enrich_orders`` owns the frame it fills).
    """
    found = table.set_index(key).reindex(out[key])
    for col in found.columns:
        out[col] = found[col].to_numpy() if isinstance(found[col].dtype, np.dtype) else found[col].array


def _merged(out: pd.DataFrame, customers: pd.DataFrame, regions: pd.DataFrame, parents: pd.DataFrame,
            products: pd.DataFrame) -> pd.DataFrame:
    """Join as :func:`enrich_orders` by merges (for tables whose keys repeat: pandas' validation raises)."""
    out = out.merge(customers, on="customer_id", how="left", validate="many_to_one")
    out = out.merge(regions, on="region_id", how="left", validate="many_to_one")
    out = out.merge(parents, on="parent_id", how="left", validate="many_to_one")
    out["region"] = out["region"].fillna(out["province"])
    out = out.merge(products, on="product_id", how="left", validate="many_to_one")
    out["month"] = month_starts(out["order_date"])
    return out


def month_starts(dates: pd.Series) -> pd.Series:
    """Return the first day of each date's month (``dates.dt.to_period("M").dt.to_timestamp()``, faster).

    Examples
    --------
    >>> month_starts(pd.Series(pd.to_datetime(["2026-03-31", "2026-04-01"]))).dt.day.tolist()
    [1, 1]
    """
    if dates.dtype == np.dtype("datetime64[ns]"):
        values = dates.to_numpy().astype("datetime64[M]").astype("datetime64[ns]")
        return pd.Series(values, index=dates.index, name=dates.name)
    return dates.dt.to_period("M").dt.to_timestamp()


def _options(frame: pd.DataFrame, columns: Sequence[str]) -> dict[str, str]:
    """Lower-cased names and codes found in ``columns`` -> the column they belong to."""
    found: dict[str, str] = {}
    for col in columns:
        if col in frame.columns:
            for value in frame[col].dropna().unique():  # each distinct value once, not every line
                found.setdefault(str(value).strip().lower(), col)
    return found


def filter_orders(enriched: pd.DataFrame, *, region: str = "", category: str = "", copy: bool = True) -> pd.DataFrame:
    """Return the order lines of one region or province and/or one category.

    Parameters
    ----------
    enriched : DataFrame
        Output of :func:`enrich_orders`.
    region : str
        A region or province, by name or code (``"Andalucía"``, ``"ES-AN"``,
        ``"Sevilla"``); case and surrounding spaces are ignored. Empty keeps all.
    category : str
        A product category by name; empty keeps all.
    copy : bool, default True
        False returns ``enriched`` itself when nothing is filtered (for a caller that only
        reads the lines: no copy of every line), and the selected lines without a second copy.

    Returns
    -------
    DataFrame
        A filtered copy (``enriched`` itself when ``copy`` is False and nothing is filtered).

    Raises
    ------
    ParameterError
        When ``region`` or ``category`` is not in the data; the message lists the choices,
        in the report language (these are notebook parameters).
    """
    mask = None
    for name, value, columns in (("region", region, ("region", "parent_id", "province", "region_id")),
                                 ("category", category, ("category",))):
        if not isinstance(value, str):
            raise parameter_error("text", name=name, value=repr(value))
        key = value.strip().lower()
        if not key:
            continue
        options = _options(enriched, columns)
        if key not in options:
            names = sorted({str(v) for v in enriched[columns[0]].dropna().unique()})
            shown = ", ".join(names[:30]) + (" ..." if len(names) > 30 else "")
            raise parameter_error(f"{name}_not_found", shown=shown, value=repr(value))
        hit = np.zeros(len(enriched), dtype=bool)
        for col in columns:
            if col in enriched.columns:
                hit |= _matches(enriched[col], key)
        mask = hit if mask is None else mask & hit
    if mask is None:
        return enriched.copy() if copy else enriched
    return enriched.loc[mask].copy() if copy else enriched.loc[mask]


def _matches(values: pd.Series, key: str) -> np.ndarray:
    """Rows whose value, stripped and lower-cased, is ``key`` (compared once per distinct value, not per row)."""
    distinct = pd.Series(values.dropna().unique())
    found = distinct[distinct.astype("string").str.strip().str.lower().eq(key).fillna(False).to_numpy(dtype=bool)]
    return values.isin(found).to_numpy(dtype=bool) if len(found) else np.zeros(len(values), dtype=bool)
