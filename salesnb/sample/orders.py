"""The sales orders of one month: who orders, which lines at which price, and the returns.

Each step draws from the one random generator in a fixed order (:func:`order_headers`,
:func:`order_lines`, :func:`due_returns`); :func:`number_orders` and
:func:`order_line_frame` turn the result into rows of the ``orders`` table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.sample.month import IdSequence, Month
from salesnb.sample.reference import (
    BASE_DISCOUNT,
    CATEGORIES,
    CHANNEL_MIX,
    CHANNEL_TREND,
    CHANNELS,
    EXTRA_LINES,
    GROWTH,
    QTY_P,
    SEASON,
    SEASON_BY_CHANNEL,
    STORE,
)
from salesnb.sample.timeline import roll_forward

if TYPE_CHECKING:
    from salesnb.sample.world import World

#: Returns drawn but not booked yet (``date``, ``cust``, ``prod``, ``qty``, ``price``, ``disc``).
Returns = dict[str, np.ndarray]


@dataclass(frozen=True)
class Orders:
    """The sales orders of a month (one entry per order, customers and reps by index)."""

    cust: np.ndarray
    date: np.ndarray
    rep: np.ndarray

    def __len__(self) -> int:
        """Return the number of orders."""
        return len(self.cust)


@dataclass(frozen=True)
class Lines:
    """The lines of a month's sales orders; ``order`` is the position in :class:`Orders`."""

    order: np.ndarray
    prod: np.ndarray
    channel: np.ndarray
    cust: np.ndarray
    qty: np.ndarray
    price: np.ndarray
    disc: np.ndarray
    on_promo: np.ndarray
    net: np.ndarray

    def __len__(self) -> int:
        """Return the number of lines."""
        return len(self.order)


def no_returns() -> Returns:
    """Return an empty set of pending returns."""
    return {k: np.zeros(0, dt) for k, dt in (
        ("date", "datetime64[D]"), ("cust", int), ("prod", int), ("qty", np.int64),
        ("price", float), ("disc", float))}


def order_rate(w: World, month: Month, idx: np.ndarray) -> np.ndarray:
    """Return the expected orders of customers ``idx`` this month.

    The customer's own rate times the season of its channel, the channel's and the
    community's yearly trend, the part of the month the account existed, a slow-down
    before it churns, promotions, reps pacing behind in the last three months, and
    a dip while a new rep takes the account over.
    """
    ch = w.cust_channel[idx]
    owner_mid = w.owner(idx, np.full(len(idx), month.mid))
    comm_growth = np.array([GROWTH[c] for c in w.comm_ids])
    cust_comm = w.prov_comm[w.cust_prov]
    t = month.t
    rate = (w.cust_rate[idx] * SEASON_BY_CHANNEL[ch, month.moy]
            * (1 + CHANNEL_TREND[ch]) ** t * (1 + comm_growth[cust_comm[idx]]) ** t)
    rate *= np.clip((month.end - w.cust_created[idx] + 1).astype(float) / month.n_days, 0, 1)
    to_churn = w.cust_churn[idx] - month.index
    rate *= np.where(to_churn <= 3, 0.35 + 0.15 * (to_churn - 1), 1.0)
    if month.promo:
        rate *= 1.25
    if month.months_left < 3:
        rate *= np.where(w.rep_pacing[owner_mid], 0.55, 1.0)
    since = (month.mid - w.cust_switch[idx]).astype(float) / 30.4
    rate *= np.where((since >= 0) & (since < 3), 0.7 + 0.1 * since, 1.0)
    return rate


def order_headers(rng: np.random.Generator, w: World, month: Month) -> Orders:
    """Draw the month's sales orders: how many per active customer, on which working day.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        Customers and reps.
    month : Month
        The month.

    Returns
    -------
    Orders
        The rep is the account's owner on the order date.
    """
    idx = np.flatnonzero((w.cust_created <= month.end) & (month.index < w.cust_churn))
    n_ord = rng.poisson(order_rate(w, month, idx))
    cust = np.repeat(idx, n_ord)
    wd = month.workdays
    date = np.maximum(wd[rng.integers(0, len(wd), len(cust))], w.cust_created[cust])
    return Orders(cust=cust, date=date, rep=w.owner(cust, date))


def product_cdf(w: World, m: int) -> np.ndarray:
    """Return the cumulative product-choice probabilities per channel for month ``m``.

    Category shares follow the channel mix and the season; within a category products
    sell by popularity, once launched (slowly for a few months), the old model fading.
    """
    moy = int(str(w.cal.months[m])[5:7]) - 1
    mid = w.cal.month_start(m) + 14
    t = float(w.cal.years(mid))
    launched = w.prod_launch <= w.cal.month_start(m)  # on sale from the first order date
    weight = w.prod_weight * launched * np.exp(-w.prod_decline * t)
    # Fresh launches sell at full speed after a few months.
    age = (mid - w.prod_launch).astype(float) / 30.4
    weight = weight * np.where(age < 4, 0.4 + 0.15 * np.maximum(age, 0), 1.0)
    n_cat = len(CATEGORIES)
    cat_sum = np.bincount(w.prod_cat, weights=weight, minlength=n_cat)
    share = CHANNEL_MIX * SEASON[:, moy][None, :]
    share = share * (cat_sum > 0)[None, :]
    p = share[:, w.prod_cat] * (weight / np.where(cat_sum > 0, cat_sum, 1.0)[w.prod_cat])[None, :]
    p = p / p.sum(axis=1, keepdims=True)
    cdf = p.cumsum(axis=1)
    cdf[:, -1] = 1.0
    return cdf


def order_lines(rng: np.random.Generator, w: World, month: Month, orders: Orders) -> Lines:
    """Draw the lines of the month's orders: products, quantities, prices and discounts.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        Customers and products.
    month : Month
        The month (season, price level, promotion).
    orders : Orders
        From :func:`order_headers`.

    Returns
    -------
    Lines
        One line per product and order.
    """
    l_ord, prod, l_ch = _line_products(rng, w, month, w.cust_channel[orders.cust])
    n_l = len(l_ord)
    l_cust = orders.cust[l_ord]
    unit_factor = np.minimum(1.0, (800.0 / w.prod_price) ** 0.4)
    q = rng.geometric(QTY_P[l_ch]) * w.cust_size[l_cust] * unit_factor[prod]
    if month.promo:
        q = q * 1.1
    qty = np.maximum(1, np.round(q)).astype(np.int64)
    price_cents = np.round(w.prod_price[prod] * month.price_factor * 100)
    price = price_cents / 100
    disc_pct = np.round(100 * (BASE_DISCOUNT[l_ch] + rng.normal(0, 0.02, n_l)))
    on_promo = np.zeros(n_l, bool)
    if month.promo:
        on_promo = rng.random(n_l) < 0.7
        disc_pct = disc_pct + on_promo * rng.integers(6, 11, n_l)
    disc_pct = np.where((l_ch == STORE) & (rng.random(n_l) < 0.3), 0, disc_pct)
    disc = np.clip(disc_pct, 0, 45) / 100
    net = np.round(qty * price * (1 - disc) * 100) / 100
    return Lines(order=l_ord, prod=prod, channel=l_ch, cust=l_cust, qty=qty, price=price, disc=disc,
                 on_promo=on_promo, net=net)


def _line_products(rng: np.random.Generator, w: World, month: Month,
                   o_ch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw how many lines each order has and their products (duplicates in an order dropped)."""
    n_lines = 1 + rng.poisson(EXTRA_LINES[o_ch])
    l_ord = np.repeat(np.arange(len(o_ch)), n_lines)
    l_ch = o_ch[l_ord]
    cdf = product_cdf(w, month.index)
    u = rng.random(len(l_ord))
    prod = np.empty(len(l_ord), dtype=np.int64)
    for c in range(len(CHANNELS)):
        sel = l_ch == c
        prod[sel] = np.searchsorted(cdf[c], u[sel], side="left")
    prod = np.minimum(prod, len(w.prod_ids) - 1)
    key = l_ord.astype(np.int64) * len(w.prod_ids) + prod
    _, first = np.unique(key, return_index=True)
    keep = np.sort(first)
    return l_ord[keep], prod[keep], l_ch[keep]


def due_returns(rng: np.random.Generator, w: World, month: Month, orders: Orders, lines: Lines,
                pending: Returns) -> tuple[Returns, Returns]:
    """Draw the lines that come back within a few weeks; book those due this month.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        Customers, reps and working days.
    month : Month
        The month.
    orders, lines : Orders, Lines
        This month's sales.
    pending : Returns
        Returns drawn in earlier months and not booked yet.

    Returns
    -------
    tuple of Returns
        The returns booked this month (with ``rep`` and ``net`` added) and those still
        pending.
    """
    ret = np.flatnonzero(rng.random(len(lines)) < 0.016)
    if len(ret):
        new = {
            "date": roll_forward(orders.date[lines.order[ret]] + rng.integers(5, 45, len(ret)), w.busdaycal),
            "cust": lines.cust[ret], "prod": lines.prod[ret],
            "qty": -np.minimum(lines.qty[ret], 1 + rng.poisson(0.3, len(ret))),
            "price": lines.price[ret], "disc": lines.disc[ret],
        }
        pending = {k: np.concatenate([pending[k], new[k]]) for k in pending}
    due_now = pending["date"] <= month.end
    due = {k: v[due_now] for k, v in pending.items()}
    pending = {k: v[~due_now] for k, v in pending.items()}
    due["rep"] = w.owner(due["cust"], due["date"])
    due["net"] = np.round(due["qty"] * due["price"] * (1 - due["disc"]) * 100) / 100
    return due, pending


@dataclass(frozen=True)
class Numbered:
    """Order ids of a month: sales orders first, then returns, numbered in date order.

    ``pos[i]`` is the rank of order ``i`` (returns follow the sales orders) and
    ``ids[pos[i]]`` its id.
    """

    pos: np.ndarray
    ids: np.ndarray


def number_orders(orders: Orders, returns: Returns, seq: IdSequence) -> Numbered:
    """Give the month's sales orders and returns their ids: by date, customer, sale before return.

    Parameters
    ----------
    orders : Orders
        This month's sales orders.
    returns : Returns
        The returns booked this month (one order each).
    seq : IdSequence
        The order ids issued so far.

    Returns
    -------
    Numbered
    """
    n = len(orders) + len(returns["date"])
    all_date = np.r_[orders.date, returns["date"]]
    all_cust = np.r_[orders.cust, returns["cust"]]
    is_ret = np.r_[np.zeros(len(orders), bool), np.ones(len(returns["date"]), bool)]
    order = np.lexsort((np.arange(n), is_ret, all_cust, all_date))
    pos = np.empty(n, dtype=np.int64)
    pos[order] = np.arange(n)
    return Numbered(pos=pos, ids=seq.next(n))


def order_line_frame(w: World, month: Month, orders: Orders, lines: Lines, returns: Returns,
                     numbered: Numbered) -> pd.DataFrame:
    """Return the month's rows of the ``orders`` table, by order id and line number.

    Parameters
    ----------
    w : World
        Ids of customers, reps and products.
    month : Month
        The month (its promotion code).
    orders, lines : Orders, Lines
        This month's sales.
    returns : Returns
        The returns booked this month (one line each).
    numbered : Numbered
        From :func:`number_orders`.

    Returns
    -------
    pandas.DataFrame
    """
    pos, ids = numbered.pos, numbered.ids
    n_o, n_l, n_r = len(orders), len(lines), len(returns["date"])
    line_no = _line_numbers(pos[lines.order])
    promo = month.promo
    promo_col = np.where(lines.on_promo, promo, None) if promo else np.full(n_l, None)
    ret_pos = pos[n_o + np.arange(n_r)]
    frame = pd.DataFrame({
        "order_id": np.r_[ids[pos[lines.order]], ids[ret_pos]],
        "line_no": np.r_[line_no, np.ones(n_r, np.int64)],
        "order_date": np.r_[orders.date[lines.order], returns["date"]],
        "customer_id": w.cust_ids[np.r_[lines.cust, returns["cust"]]],
        "rep_id": w.rep_ids[np.r_[orders.rep[lines.order], returns["rep"]]],
        "product_id": w.prod_ids[np.r_[lines.prod, returns["prod"]]],
        "quantity": np.r_[lines.qty, returns["qty"]],
        "unit_price": np.r_[lines.price, returns["price"]],
        "discount": np.r_[lines.disc, returns["disc"]],
        "net_amount": np.r_[lines.net, returns["net"]],
        "promo_code": np.r_[promo_col, np.full(n_r, None)],
    })
    sort_key = np.r_[pos[lines.order], ret_pos]
    return frame.iloc[np.lexsort((frame["line_no"].to_numpy(), sort_key))]


def _line_numbers(rank: np.ndarray) -> np.ndarray:
    """Return 1, 2, ... within each order, in line order (``rank`` is each line's order rank)."""
    s_order = np.argsort(rank, kind="stable")
    l_sorted = rank[s_order]
    starts = np.r_[0, np.flatnonzero(np.diff(l_sorted)) + 1]
    counts = np.diff(np.r_[starts, len(l_sorted)])
    line_no_sorted = np.arange(len(l_sorted)) - np.repeat(starts, counts) + 1
    line_no = np.empty(len(rank), dtype=np.int64)
    line_no[s_order] = line_no_sorted
    return line_no
