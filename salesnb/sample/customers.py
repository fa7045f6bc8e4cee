"""The sample's customers: where and when they started, how they buy, who handles them, how they pay."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.sample.draw import choice_index, uniform_dates
from salesnb.sample.names import LEGAL_FORM, make_ids, phones, slug, unique_names
from salesnb.sample.reference import CHANNELS, FAR_FUTURE, HISTORY_MONTHS, NAME_PATTERNS, ORDER_RATE
from salesnb.sample.timeline import Calendar, roll_forward

if TYPE_CHECKING:
    from salesnb.sample.regions import Provinces
    from salesnb.sample.reps import Staff

#: Days before the history start of the oldest account (about 2008).
_OLDEST = 5783


@dataclass(frozen=True)
class Customers:
    """The customers as the simulations see them (one entry per customer, by position).

    Attributes
    ----------
    cust_ids, cust_names, cust_phone : numpy.ndarray or list of str
        Ids (oldest account first), company names, phone numbers.
    cust_channel, cust_prov : numpy.ndarray
        Channel index and province index.
    cust_created : numpy.ndarray
        The day the account was opened.
    cust_rate, cust_size : numpy.ndarray
        Orders per month and order size, relative to the channel's.
    cust_churn : numpy.ndarray
        Month of the history when orders stop (beyond the history: never).
    cust_owner0, cust_owner1, cust_switch : numpy.ndarray
        The rep before and from the switch day (far future: no switch).
    cust_delay, cust_baddebt : numpy.ndarray
        Mean days paid after the due date, chance an invoice is never paid.
    """

    cust_ids: np.ndarray
    cust_names: list[str]
    cust_phone: list[str]
    cust_channel: np.ndarray
    cust_prov: np.ndarray
    cust_created: np.ndarray
    cust_rate: np.ndarray
    cust_size: np.ndarray
    cust_churn: np.ndarray
    cust_owner0: np.ndarray
    cust_owner1: np.ndarray
    cust_switch: np.ndarray
    cust_delay: np.ndarray
    cust_baddebt: np.ndarray


def customers(rng: np.random.Generator, cal: Calendar, provinces: Provinces, staff: Staff,
              scale: float) -> tuple[pd.DataFrame, Customers]:
    """Draw the customers; ids follow the creation date (oldest accounts first).

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    cal : Calendar
        The history window.
    provinces : Provinces
        Where customers are (by market weight).
    staff : Staff
        The reps (:func:`salesnb.sample.reps.reps`).
    scale : float
        Size multiplier.

    Returns
    -------
    pandas.DataFrame
        The ``customers`` table.
    Customers
        What the simulations use.
    """
    n = max(30, round(1000 * scale))
    prov, created, channel = _starts(rng, cal, provinces.prov_weight, n)
    rate, size, churn = _habits(rng, cal, channel, created)
    owner0, owner1, switch = _owners(rng, len(provinces.comm_ids), staff, provinces.prov_comm[prov], created)
    delay, baddebt = _payment(rng, n)
    names, phone, email = _contacts(rng, provinces, prov, channel)
    ids = make_ids("C", np.arange(1, n + 1), max(4, len(str(n))))
    order = np.lexsort((np.arange(n), created))
    names_o = [names[i] for i in order]
    phone_o = [phone[i] for i in order]
    frame = pd.DataFrame({
        "customer_id": ids,
        "name": names_o,
        "channel": np.array(CHANNELS, dtype=object)[channel[order]],
        "region_id": provinces.prov_ids[prov[order]],
        "rep_id": staff.rep_ids[owner1[order]],
        "created_date": created[order],
        "phone": phone_o,
        "email": [email[i] for i in order],
    })
    return frame, Customers(
        cust_ids=ids, cust_names=names_o, cust_phone=phone_o,
        cust_channel=channel[order], cust_prov=prov[order], cust_created=created[order],
        cust_rate=rate[order], cust_size=size[order], cust_churn=churn[order],
        cust_owner0=owner0[order], cust_owner1=owner1[order], cust_switch=switch[order],
        cust_delay=delay[order], cust_baddebt=baddebt[order],
    )


def _starts(rng: np.random.Generator, cal: Calendar, prov_weight: np.ndarray,
            n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw province, creation date and channel; the mix drifts from stores to distributors."""
    prov = choice_index(rng, prov_weight, n)
    in_history = rng.random(n) < 0.18
    created = np.where(
        in_history,
        uniform_dates(rng, cal.start, cal.end - 14, n),
        uniform_dates(rng, cal.start - _OLDEST, cal.start - 1, n),
    )
    created = roll_forward(created, cal.busdaycal)
    epoch = cal.start - _OLDEST
    t = np.clip((created - epoch).astype(float) / (cal.end - epoch).astype(float), 0, 1)
    old = np.array([0.08, 0.62, 0.1, 0.08, 0.12])
    new = np.array([0.34, 0.2, 0.14, 0.24, 0.08])
    probs = old[None, :] * (1 - t[:, None]) + new[None, :] * t[:, None]
    cum = probs.cumsum(axis=1)
    channel = np.minimum((cum < rng.random(n)[:, None]).sum(axis=1), 4)
    return prov, created, channel


def _habits(rng: np.random.Generator, cal: Calendar, channel: np.ndarray,
            created: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw order rate, order size and the churn month (when orders stop; stores close more)."""
    n = len(channel)
    rate = ORDER_RATE[channel] * np.exp(rng.normal(-0.18, 0.6, n))
    size = np.exp(rng.normal(-0.08, 0.4, n))
    churn_p = np.array([0.06, 0.24, 0.1, 0.08, 0.15])[channel]
    created_m = np.maximum((created.astype("datetime64[M]") - cal.months[0]).astype(int), 0)
    lo = np.maximum(created_m + 4, 3)
    hi = HISTORY_MONTHS - 2
    churn = np.full(n, HISTORY_MONTHS + 99)
    can = (rng.random(n) < churn_p) & (lo < hi)
    churn[can] = lo[can] + np.floor(rng.random(can.sum()) * (hi - lo[can])).astype(int)
    return rate, size, churn


def _owners(rng: np.random.Generator, n_comm: int, staff: Staff, comm: np.ndarray,
            created: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Draw who handles each account before and after its switch date.

    The first owner is a tenured rep of the community; leavers hand over to their
    replacement, new hires take over part of the community's accounts on their hire
    date, and accounts opened after the switch belong to the new owner from day one.
    """
    n = len(comm)
    tenured = ~staff.rep_new
    owner0 = np.empty(n, dtype=int)
    for c in range(n_comm):
        members = np.flatnonzero(comm == c)
        pool = np.flatnonzero(tenured & (staff.rep_comm == c))
        owner0[members] = pool[rng.integers(len(pool), size=len(members))]
    owner1 = owner0.copy()
    switch = np.full(n, FAR_FUTURE)
    for r, left in enumerate(staff.rep_replaces):
        if left >= 0:
            mine = owner0 == left
            owner1[mine] = r
            switch[mine] = staff.rep_leave[left] + 1
    team = np.bincount(staff.rep_comm, minlength=n_comm)
    for r in np.flatnonzero(staff.rep_new & (staff.rep_replaces < 0)):
        share = 0.6 / team[staff.rep_comm[r]]  # about 60 % of an average book
        pool = np.flatnonzero((comm == staff.rep_comm[r]) & (switch == FAR_FUTURE) & (rng.random(n) < share))
        owner1[pool] = r
        switch[pool] = staff.rep_hire[r]
    late = created >= switch
    owner0[late] = owner1[late]
    switch[late] = FAR_FUTURE
    return owner0, owner1, switch


def _payment(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Draw the days each customer pays after the due date (mean) and its bad-debt chance."""
    payer = choice_index(rng, np.array([0.68, 0.25, 0.07]), n)
    delay = np.array([-3.0, 22.0, 65.0])[payer] + rng.normal(0, 4, n)
    baddebt = np.array([0.001, 0.004, 0.03])[payer]
    return delay, baddebt


def _contacts(rng: np.random.Generator, provinces: Provinces, prov: np.ndarray,
              channel: np.ndarray) -> tuple[list[str], list[str], list[str]]:
    """Draw each customer's company name, phone number and e-mail address."""
    town = [provinces.prov_town[p] for p in prov]
    names = unique_names(rng, channel, town, NAME_PATTERNS, set())
    phone = phones(rng, [provinces.prov_prefix[p] for p in prov])
    email_user = ("pedidos", "info", "compras", "administracion")
    eu = rng.integers(len(email_user), size=len(prov))
    email = [f"{email_user[e]}@{slug(LEGAL_FORM.sub('', nm))}.es" for e, nm in zip(eu.tolist(), names, strict=True)]
    return names, phone, email
