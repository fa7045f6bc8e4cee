"""The sample's products: the fixed catalogue with drawn costs, launches and popularity."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesnb.sample.draw import uniform_dates
from salesnb.sample.names import make_ids
from salesnb.sample.reference import CATALOGUE, CATEGORIES, DECLINING, LAUNCHES
from salesnb.sample.timeline import Calendar, roll_forward


@dataclass(frozen=True)
class Products:
    """The products as the simulation sees them (one entry per product, by position).

    Attributes
    ----------
    prod_ids : numpy.ndarray
        Product ids (``P001``).
    prod_cat : numpy.ndarray
        Category index (into :data:`~salesnb.sample.reference.CATEGORIES`).
    prod_price : numpy.ndarray
        List price at the end of the history.
    prod_launch : numpy.ndarray
        Launch day.
    prod_weight : numpy.ndarray
        Popularity within the category.
    prod_decline : numpy.ndarray
        Yearly fade of the sales (the old model only).
    """

    prod_ids: np.ndarray
    prod_cat: np.ndarray
    prod_price: np.ndarray
    prod_launch: np.ndarray
    prod_weight: np.ndarray
    prod_decline: np.ndarray


def product_table(rng: np.random.Generator, cal: Calendar) -> tuple[pd.DataFrame, Products]:
    """Draw costs, launch dates and popularity of the fixed catalogue.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    cal : Calendar
        The history window (launches, the fading old model).

    Returns
    -------
    pandas.DataFrame
        The ``products`` table.
    Products
        What the simulation uses.
    """
    n = len(CATALOGUE)
    cat = np.array([c for c, _n, _p in CATALOGUE])
    names = [name for _c, name, _p in CATALOGUE]
    price = np.array([p for _c, _n, p in CATALOGUE])
    cost = np.round(price * rng.uniform(0.42, 0.68, n), 2)
    launch = roll_forward(uniform_dates(rng, cal.start - 4320, cal.start - 400, n), cal.busdaycal)
    for name, offset in LAUNCHES.items():  # launches happen on the first of a month
        month = cal.months[0] + offset if offset >= 0 else cal.end_month + offset
        launch[names.index(name)] = month.astype("datetime64[D]")
    launch[names.index(DECLINING)] = (cal.months[0] - 176).astype("datetime64[D]")
    weight = np.exp(rng.normal(0, 0.45, n)) * (price / 500.0) ** -0.3
    decline = np.zeros(n)
    decline[names.index(DECLINING)] = 0.6
    frame = pd.DataFrame({
        "product_id": make_ids("P", np.arange(1, n + 1), 3),
        "name": names,
        "category": [CATEGORIES[c] for c in cat],
        "unit_price": price,
        "unit_cost": cost,
        "launch_date": launch,
    })
    return frame, Products(prod_ids=frame["product_id"].to_numpy(), prod_cat=cat, prod_price=price,
                           prod_launch=launch, prod_weight=weight, prod_decline=decline)
