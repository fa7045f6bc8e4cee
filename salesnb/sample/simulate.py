"""The simulation of the sample's history: one step per table.

:func:`simulate` runs the months in order and appends each month's rows of the
``orders``, ``invoices`` and ``activities`` tables to their files, so memory does not
grow with the number of order lines; complaints are drawn month by month and written
at the end (:func:`complaint_frame`), like the ``rep_reports`` and ``evaluations``
tables, which follow the reps over the whole history.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from salesnb.sample.draw import choice_index
from salesnb.sample.month import IdSequence, Month, promotions
from salesnb.sample.names import make_ids
from salesnb.sample.orders import (
    Lines,
    Numbered,
    Orders,
    due_returns,
    no_returns,
    number_orders,
    order_headers,
    order_line_frame,
    order_lines,
)
from salesnb.sample.reference import (
    COMPLAINT_P,
    COMPLAINT_P_RECENT,
    COMPLAINTS,
    FAR_FUTURE,
    FIELD_SEASON,
    FIELD_WEEK,
    HISTORY_MONTHS,
    KINDS,
    OUTCOMES_CUSTOMER,
    OUTCOMES_LEAD,
    PROSPECT_SHARE,
    TERMS,
)
from salesnb.sample.timeline import roll_forward
from salesnb.sample.write import csv_writers

if TYPE_CHECKING:
    from salesnb.sample.world import World

#: Complaints drawn in one month: customer, product, opening day, category, severity.
ComplaintDraws = dict[str, np.ndarray]


def simulate(rng: np.random.Generator, w: World, folder: Path, lead_acts: dict[str, np.ndarray],
             lead_pool: dict[str, np.ndarray]) -> tuple[list[ComplaintDraws], np.ndarray]:
    """Simulate the history month by month; write orders, invoices and activities.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        The company.
    folder : pathlib.Path
        Where ``orders.csv``, ``invoices.csv`` and ``activities.csv`` go.
    lead_acts : dict
        The contacts with leads (:func:`salesnb.sample.leads.lead_activities`) with
        their ``lead_id``.
    lead_pool : dict
        Every lead's ``rep``, ``created``, ``closed`` and ``lead_id``.

    Returns
    -------
    complaints : list of dict
        The complaints drawn, for :func:`complaint_frame`.
    monthly_sales : numpy.ndarray
        Net sales of each month (returns included), for the revenue budget.
    """
    promos = promotions(w.cal)
    by_month = _by_month(w, lead_acts)
    pending = no_returns()
    seq = {"orders": IdSequence("O", 7), "invoices": IdSequence("F", 7), "activities": IdSequence("A", 7)}
    complaints: list[ComplaintDraws] = []
    monthly_sales = np.zeros(HISTORY_MONTHS)
    with csv_writers(folder, "orders", "invoices", "activities") as (orders_out, invoices_out, activities_out):
        for m in range(HISTORY_MONTHS):
            month = Month.of(w.cal, w.busdaycal, m, promos)
            orders = order_headers(rng, w, month)
            lines = order_lines(rng, w, month, orders)
            returns, pending = due_returns(rng, w, month, orders, lines, pending)
            numbered = number_orders(orders, returns, seq["orders"])
            order_frame = order_line_frame(w, month, orders, lines, returns, numbered)
            monthly_sales[m] = float(order_frame["net_amount"].sum())
            orders_out.write(order_frame)
            invoices_out.write(invoice_frame(rng, w, orders, lines, numbered, seq["invoices"]))
            complaints += draw_complaints(rng, w, month, orders, lines)
            activities_out.write(activity_frame(rng, w, month, by_month[m], seq["activities"], lead_pool))
    return complaints, monthly_sales


def _by_month(w: World, lead_acts: dict[str, np.ndarray]) -> list[dict[str, np.ndarray]]:
    """Split the contacts with leads by month of the history, in date order."""
    order = np.argsort(lead_acts["date"], kind="stable")
    acts = {k: v[order] for k, v in lead_acts.items()}
    month = (acts["date"].astype("datetime64[M]") - w.cal.months[0]).astype(int)
    return [{k: v[month == m] for k, v in acts.items()} for m in range(HISTORY_MONTHS)]


def invoice_frame(rng: np.random.Generator, w: World, orders: Orders, lines: Lines, numbered: Numbered,
                  seq: IdSequence) -> pd.DataFrame:
    """Draw the month's invoices, one per sales order: due date, payment, partial payments.

    Customers pay around their own delay after the channel's terms; some never pay
    (bad debt, or not yet at the end of the history), and some recent invoices are
    paid in part.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        Customers.
    orders, lines : Orders, Lines
        This month's sales.
    numbered : Numbered
        The order ids; invoices follow their order.
    seq : IdSequence
        The invoice ids issued so far.

    Returns
    -------
    pandas.DataFrame
        The month's rows of the ``invoices`` table.
    """
    cal, n_o = w.cal, len(orders)
    amount = np.round(np.bincount(lines.order, weights=lines.net, minlength=n_o), 2)
    inv_order = np.argsort(numbered.pos[:n_o], kind="stable")
    c = orders.cust[inv_order]
    issue = orders.date[inv_order]
    amt = amount[inv_order]
    due = issue + TERMS[w.cust_channel[c]]
    delay = np.round(w.cust_delay[c] + rng.normal(0, 5, n_o)).astype(np.int64)
    paid = np.maximum(due + delay, issue + rng.integers(0, 8, n_o))
    unpaid = (paid > cal.end) | (rng.random(n_o) < w.cust_baddebt[c])
    recent = issue >= cal.end - 120
    partial = ~unpaid & recent & (rng.random(n_o) < 0.07)
    paid_amt = np.where(partial, np.round(amt * rng.uniform(0.3, 0.8, n_o), 2), amt)
    return pd.DataFrame({
        "invoice_id": seq.next(n_o),
        "customer_id": w.cust_ids[c],
        "issue_date": issue,
        "due_date": due,
        "amount": amt,
        "paid_date": np.where(unpaid, np.datetime64("NaT"), paid),
        "paid_amount": np.where(unpaid, np.nan, paid_amt),
        "order_id": numbered.ids[numbered.pos[inv_order]],
    })


def draw_complaints(rng: np.random.Generator, w: World, month: Month, orders: Orders,
                    lines: Lines) -> list[ComplaintDraws]:
    """Draw the complaints about the month's sales orders (more on equipment, more lately).

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        Products and working days.
    month : Month
        The month.
    orders, lines : Orders, Lines
        This month's sales; a complaint names the product of its order's first line.

    Returns
    -------
    list of dict
        Empty, or one dict of arrays (``cust``, ``prod``, ``opened``, ``cat``, ``sev``).
    """
    n_o = len(orders)
    recent = month.months_left < 6
    has_equipment = np.bincount(lines.order, weights=(w.prod_cat[lines.prod] >= 4), minlength=n_o) > 0
    p_c = 0.011 * (1 + 0.6 * has_equipment) * (1.5 if recent else 1.0)
    hit = np.flatnonzero(rng.random(n_o) < p_c)
    if not len(hit):
        return []
    first_line = np.full(n_o, -1)
    with_lines, at = np.unique(lines.order, return_index=True)  # line 1 of each order
    first_line[with_lines] = lines.prod[at]
    return [{
        "cust": orders.cust[hit], "prod": first_line[hit],
        "opened": roll_forward(orders.date[hit] + rng.integers(2, 25, len(hit)), w.busdaycal),
        "cat": choice_index(rng, COMPLAINT_P_RECENT if recent else COMPLAINT_P, len(hit)),
        "sev": choice_index(rng, np.array([0.45, 0.4, 0.15]), len(hit)),
    }]


def activity_frame(rng: np.random.Generator, w: World, month: Month, lead_acts: dict[str, np.ndarray],
                   seq: IdSequence, lead_pool: dict[str, np.ndarray]) -> pd.DataFrame:
    """Draw the month's contacts with customers and add the month's contacts with leads.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        Customers and reps (active reps contact their accounts more).
    month : Month
        The month.
    lead_acts : dict
        This month's contacts with leads.
    seq : IdSequence
        The activity ids issued so far.
    lead_pool : dict
        Every lead's ``rep``, ``created``, ``closed`` and ``lead_id`` (for the field
        calls and visits made to prospects).

    Returns
    -------
    pandas.DataFrame
        The month's rows of the ``activities`` table, in date order.
    """
    live = np.flatnonzero((w.cust_created <= month.end) & (month.index < w.cust_churn + 3))
    a_rate = 0.33 * w.rep_activity[w.owner(live, np.full(len(live), month.mid))]
    a_cust = np.repeat(live, rng.poisson(a_rate))
    wd = month.workdays
    a_date = np.maximum(wd[rng.integers(0, len(wd), len(a_cust))], w.cust_created[a_cust])
    a_rep = w.owner(a_cust, a_date)
    a_kind = choice_index(rng, np.array([0.45, 0.25, 0.1, 0.2]), len(a_cust))
    b_rep, b_cust, b_date, b_kind = book_contacts(rng, w, month, live)
    b_lead = prospect_contacts(rng, month, b_rep, b_kind, lead_pool, only=b_cust < 0)
    keep = (b_cust >= 0) | (b_lead >= 0)  # a rep with neither accounts nor leads has no field work
    b_rep, b_cust, b_date, b_kind, b_lead = (x[keep] for x in (b_rep, b_cust, b_date, b_kind, b_lead))
    b_cust = np.where(b_lead >= 0, -1, b_cust)
    a_cust = np.r_[a_cust, b_cust]
    a_date = np.r_[a_date, b_date]
    a_rep = np.r_[a_rep, b_rep]
    a_kind = np.r_[a_kind, b_kind]
    a_lead = np.r_[np.full(len(a_cust) - len(b_lead), -1), b_lead]
    a_out = outcomes(rng, a_kind, OUTCOMES_CUSTOMER)
    to_lead = a_lead >= 0
    a_out[to_lead] = outcomes(rng, a_kind[to_lead], OUTCOMES_LEAD)
    l_kind = lead_acts["kind"]
    l_out = outcomes(rng, l_kind, OUTCOMES_LEAD)
    proposal = lead_acts["proposal"]
    l_out[proposal] = np.where(rng.random(int(proposal.sum())) < 0.6, "proposal_sent", "negotiation")
    n_lead = len(l_kind)
    n_a = len(a_cust) + n_lead
    act = pd.DataFrame({
        "activity_date": np.r_[a_date, lead_acts["date"]],
        "rep_id": w.rep_ids[np.r_[a_rep, lead_acts["rep"]]],
        "customer_id": np.r_[np.where(a_cust >= 0, w.cust_ids[np.maximum(a_cust, 0)], None),
                             np.full(n_lead, None)],
        "lead_id": np.r_[np.where(to_lead, lead_pool["lead_id"][np.maximum(a_lead, 0)], None), lead_acts["lead_id"]],
        "kind": np.array(KINDS, dtype=object)[np.r_[a_kind, l_kind]],
        "outcome": np.r_[a_out, l_out],
    })
    act = act.iloc[np.lexsort((np.arange(n_a), act["activity_date"].to_numpy()))]
    act.insert(0, "activity_id", seq.next(n_a))
    return act


def _active_days(w: World, month: Month) -> tuple[np.ndarray, np.ndarray]:
    """Return per rep the first and one past the last position in ``month.workdays`` they work."""
    leave = np.where(np.isnat(w.rep_leave), FAR_FUTURE, w.rep_leave)
    lo = np.searchsorted(month.workdays, w.rep_hire, side="left")
    hi = np.searchsorted(month.workdays, leave, side="right")
    return lo, np.maximum(hi, lo)


def book_contacts(rng: np.random.Generator, w: World, month: Month,
                  live: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Draw the field work of every rep: calls, visits and meetings through the month.

    Per working week a rep makes about :data:`~salesnb.sample.reference.FIELD_WEEK`
    contacts of each kind, more or fewer with the rep's activity and the season
    (:data:`~salesnb.sample.reference.FIELD_SEASON`). Each contact is with an account
    of the rep's book when they have one (none for a rep without accounts yet).

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        Reps and customers.
    month : Month
        The month.
    live : numpy.ndarray
        The customers that still buy this month.

    Returns
    -------
    tuple of numpy.ndarray
        Rep index, customer index (-1 for none), date and kind index of each contact.
    """
    lo, hi = _active_days(w, month)
    effort = (0.15 + 0.85 * np.minimum(w.rep_activity, 1.6)) * FIELD_SEASON[month.moy]
    weeks = (hi - lo) / 5.0
    counts = rng.poisson(weeks[:, None] * effort[:, None] * FIELD_WEEK[None, :])
    n_kinds = len(FIELD_WEEK)
    rep = np.repeat(np.repeat(np.arange(len(lo)), n_kinds), counts.ravel())
    kind = np.repeat(np.tile(np.arange(n_kinds), len(lo)), counts.ravel())
    span = hi[rep] - lo[rep]
    day = month.workdays[lo[rep] + np.floor(rng.random(len(rep)) * span).astype(np.int64)]
    live = live[w.cust_created[live] <= month.start]  # accounts opened this month wait for the next
    owners = w.owner(live, np.full(len(live), month.mid))
    order = np.argsort(owners, kind="stable")
    book = live[order]
    first = np.searchsorted(owners[order], np.arange(len(lo)))
    size = np.bincount(owners, minlength=len(lo))
    pick = first[rep] + np.floor(rng.random(len(rep)) * size[rep]).astype(np.int64)
    cust = np.where(size[rep] > 0, book[np.minimum(pick, max(len(book) - 1, 0))] if len(book) else -1, -1)
    return rep, cust, day, kind


def prospect_contacts(rng: np.random.Generator, month: Month, rep: np.ndarray, kind: np.ndarray,
                      lead_pool: dict[str, np.ndarray], *, only: np.ndarray) -> np.ndarray:
    """Turn part of the field work into contacts with prospects: the lead each contact is with, or -1.

    A share of each kind (:data:`~salesnb.sample.reference.PROSPECT_SHARE`), and every
    contact marked in ``only`` (a rep without accounts), goes to a lead the rep holds
    that is open the whole month; a rep without such a lead calls accounts.
    """
    alive = (lead_pool["rep"] >= 0) & (lead_pool["created"] <= month.start)
    alive &= np.isnat(lead_pool["closed"]) | (lead_pool["closed"] >= month.end)
    pool = np.flatnonzero(alive)
    owner = lead_pool["rep"][pool]
    order = np.argsort(owner, kind="stable")
    pool, owner = pool[order], owner[order]
    n_reps = int(max(rep.max(initial=-1), owner.max(initial=-1))) + 1
    first = np.searchsorted(owner, np.arange(n_reps))
    size = np.bincount(owner, minlength=n_reps)
    wants = (rng.random(len(rep)) < PROSPECT_SHARE[kind]) | only
    pick = first[rep] + np.floor(rng.random(len(rep)) * size[rep]).astype(np.int64)
    ok = wants & (size[rep] > 0)
    return np.where(ok, pool[np.minimum(pick, max(len(pool) - 1, 0))] if len(pool) else -1, -1)


def outcomes(rng: np.random.Generator, kind: np.ndarray, table: tuple) -> np.ndarray:
    """Draw the outcome of each contact from the labels and chances of its kind.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    kind : numpy.ndarray
        Index into :data:`~salesnb.sample.reference.KINDS` of each contact.
    table : tuple
        ``(labels, chances)`` per kind (``OUTCOMES_CUSTOMER`` or ``OUTCOMES_LEAD``).

    Returns
    -------
    numpy.ndarray
        Object array of labels.
    """
    out = np.empty(len(kind), dtype=object)
    for k, (labels, probs) in enumerate(table):
        mask = kind == k
        if mask.any():
            out[mask] = np.array(labels, dtype=object)[choice_index(rng, np.array(probs), int(mask.sum()))]
    return out


def complaint_frame(rng: np.random.Generator, w: World, parts: list[ComplaintDraws]) -> pd.DataFrame:
    """Draw first response and resolution of every complaint; return the ``complaints`` table.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        Customers, products and the history window.
    parts : list of dict
        What :func:`simulate` returned.

    Returns
    -------
    pandas.DataFrame
        Complaints opened up to the end of the history, in opening order; billing
        complaints name no product.
    """
    cal = w.cal
    c = _complaint_columns(parts, cal.end)
    n = len(c["opened"])
    sev = c["sev"]
    first = c["opened"] + rng.geometric(np.array([0.25, 0.35, 0.6])[sev]) - 1
    resolve_days = np.round(rng.gamma(2.0, np.array([9.0, 7.0, 5.0])[sev])).astype(np.int64)
    resolved = first + resolve_days
    stuck = rng.random(n) < 0.03
    no_first = first > cal.end
    no_res = (resolved > cal.end) | stuck
    cat = c["cat"]
    product = np.where(cat == COMPLAINTS.index("billing"), -1, c["prod"])
    return pd.DataFrame({
        "complaint_id": make_ids("Q", np.arange(1, n + 1), 6),
        "customer_id": w.cust_ids[c["cust"]],
        "product_id": np.where(product >= 0, w.prod_ids[np.maximum(product, 0)], None),
        "opened_date": c["opened"],
        "first_response_date": np.where(no_first, np.datetime64("NaT"), first),
        "resolved_date": np.where(no_res, np.datetime64("NaT"), resolved),
        "category": np.array(COMPLAINTS, dtype=object)[cat],
        "severity": np.array(("low", "medium", "high"), dtype=object)[sev],
    })


def _complaint_columns(parts: list[ComplaintDraws], end: np.datetime64) -> ComplaintDraws:
    """Join the monthly draws, keep those opened within the history, sort by opening day."""
    if parts:
        c = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    else:
        c = {"cust": np.zeros(0, int), "prod": np.zeros(0, int),
             "opened": np.zeros(0, "datetime64[D]"), "cat": np.zeros(0, int),
             "sev": np.zeros(0, int)}
    keep = c["opened"] <= end
    c = {k: v[keep] for k, v in c.items()}
    order = np.lexsort((np.arange(len(c["opened"])), c["opened"]))
    return {k: v[order] for k, v in c.items()}


def rep_report_frame(rng: np.random.Generator, w: World) -> pd.DataFrame:
    """Draw each rep's monthly report: due on the 5th, late or missing by report discipline.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        Reps and the history window.

    Returns
    -------
    pandas.DataFrame
        The ``rep_reports`` table: one row per rep and month employed, but the last
        month of history (its report is not due yet).
    """
    cal = w.cal
    rows_rep, rows_m = [], []
    hire_m = w.rep_hire.astype("datetime64[M]")
    leave_m = np.where(np.isnat(w.rep_leave), cal.end_month,
                       w.rep_leave.astype("datetime64[M]")).astype("datetime64[M]")
    for r in range(len(w.rep_ids)):
        months = cal.months[:-1]  # the last month's report is not due yet
        mask = (months >= hire_m[r]) & (months <= leave_m[r])
        rows_rep.append(np.full(mask.sum(), r))
        rows_m.append(months[mask])
    rep = np.concatenate(rows_rep)
    month = np.concatenate(rows_m)
    n = len(rep)
    due = (month + 1).astype("datetime64[D]") + 4
    quality = (w.rep_discipline[rep] - 40) / 60  # 0 (poor) .. ~1 (good)
    missing = rng.random(n) < 0.02 + 0.16 * (1 - quality)
    late = rng.random(n) < 0.05 + 0.45 * (1 - quality)
    delay = np.where(late, 1 + rng.geometric(0.18, n), -rng.integers(0, 5, n))
    submitted = due + delay
    missing |= submitted > cal.end
    return pd.DataFrame({
        "rep_id": w.rep_ids[rep],
        "period_start": month.astype("datetime64[D]"),
        "due_date": due,
        "submitted_date": np.where(missing, np.datetime64("NaT"), submitted),
    })


def evaluation_frame(rng: np.random.Generator, w: World) -> pd.DataFrame:
    """Draw the quarterly evaluations of the reps employed the whole quarter (30 days' grace).

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        Reps and the history window.

    Returns
    -------
    pandas.DataFrame
        The ``evaluations`` table: discipline and responsiveness scores (0-100) per rep
        and complete quarter, by rep.
    """
    cal = w.cal
    q_months = cal.months[(cal.months.astype(int) % 3 == 0)]
    q_months = q_months[(q_months + 2) <= cal.end_month]
    leave = np.where(np.isnat(w.rep_leave), FAR_FUTURE, w.rep_leave)
    rows = []
    for q in q_months:
        q_start = q.astype("datetime64[D]")
        q_end = (q + 3).astype("datetime64[D]") - 1
        ok = np.flatnonzero((w.rep_hire <= q_end - 30) & (leave >= q_end))
        rows.append((np.full(len(ok), q_start), ok))
    period = np.concatenate([p for p, _ in rows]) if rows else np.zeros(0, "datetime64[D]")
    rep = np.concatenate([r for _, r in rows]) if rows else np.zeros(0, int)
    order = np.lexsort((period, rep))
    period, rep = period[order], rep[order]
    n = len(rep)
    discipline = np.clip(np.round(w.rep_discipline[rep] + rng.normal(0, 6, n)), 0, 100)
    responsiveness = np.clip(np.round(55 + 30 * np.minimum(w.rep_activity[rep], 1.3) / 1.3
                                      + rng.normal(0, 8, n)), 0, 100)
    return pd.DataFrame({
        "rep_id": w.rep_ids[rep],
        "period_start": period,
        "discipline": discipline.astype(float),
        "responsiveness": responsiveness.astype(float),
    })
