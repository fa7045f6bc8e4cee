"""The sample's leads: prospects whose chance of being won depends on their attributes.

Besides fresh leads (closed ones won or lost, open ones mostly recent) the list holds
realistic duplicates: the same company typed again later by another hand, and
companies that are already customers (from a fair or a purchased file).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from salesnb.sample.draw import choice_index, uniform_dates
from salesnb.sample.names import (
    company_key,
    format_phone,
    lead_emails,
    make_ids,
    name_variant,
    person_names,
    phones,
    unique_names,
)
from salesnb.sample.reference import (
    CHANNELS,
    FAR_FUTURE,
    FOREIGN_NAMES,
    LEAD_CHANNEL_EFFECT,
    LEAD_CHANNEL_P,
    LEAD_PATTERNS,
    LOST_P,
    LOST_REASONS,
    PENETRATION,
    SOURCE_EFFECT,
    SOURCE_P,
    SOURCES,
)

if TYPE_CHECKING:
    from salesnb.sample.world import World

#: The columns every part of the lead list carries (the ``leads`` table, by position).
Columns = dict[str, Any]


def leads(rng: np.random.Generator, w: World, scale: float) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Draw the lead list: fresh leads, duplicates of leads, leads that are customers.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        Provinces, reps and customers.
    scale : float
        Size multiplier (2,500 leads at 1).

    Returns
    -------
    pandas.DataFrame
        The ``leads`` table, ids in creation order.
    dict
        ``rep`` (index or -1), ``created``, ``closed`` and ``status`` of each lead, for
        :func:`lead_activities`.
    """
    n = max(50, round(2500 * scale))
    n_open = round(0.8 * n)
    n_closed = n - n_open
    n_dup = round(0.04 * n)
    n_cdup = round(0.016 * n)
    base, digits, styles = _fresh(rng, w, n_closed, n_open - n_dup - n_cdup)
    dup = _duplicates(rng, w, base, digits, styles, n_dup)
    cdup = _customer_leads(rng, w, n_cdup)
    return _lead_frame(rng, w, (base, dup, cdup))


def _fresh(rng: np.random.Generator, w: World, n_closed: int,
           n_open: int) -> tuple[Columns, list[str], np.ndarray]:
    """Draw the leads that are not duplicates: the closed ones first, then the open ones.

    Returns the columns, the phone digits and the phone style of each (duplicates
    write the same number in another style).
    """
    n_base = n_closed + n_open
    # Prospects are spread by population and wealth, not by the company's own presence.
    pop_w = np.asarray(w.prov_weight) / np.array([PENETRATION[w.comm_ids[c]] for c in w.prov_comm])
    prov = choice_index(rng, pop_w, n_base)
    channel = choice_index(rng, LEAD_CHANNEL_P, n_base)
    attrs = _lead_attributes(rng, channel, n_base)
    closed = np.r_[np.ones(n_closed, bool), np.zeros(n_open, bool)]
    outcome = _outcomes(rng, w, attrs, channel, prov, closed)
    rep = _assign(rng, w, w.prov_comm[prov], closed, outcome["created"], outcome["closed"])
    who = _identities(rng, w, prov, channel, attrs["foreign_investor"])
    base = {
        "company": who["company"], "contact_name": who["contact_name"], "phone": who["phone"],
        "email": who["email"], "channel": channel, "prov": prov, "source": attrs["source"],
        "created": outcome["created"], "status": outcome["status"], "closed": outcome["closed"],
        "lost_reason": outcome["lost_reason"], "rep": rep,
        "est_investment": attrs["est_investment"], "employees": attrs["employees"],
        "foreign_investor": attrs["foreign_investor"], "exclusive_interest": attrs["exclusive_interest"],
    }
    return base, who["digits"], who["styles"]


def _lead_attributes(rng: np.random.Generator, channel: np.ndarray, n: int) -> dict[str, np.ndarray]:
    """Draw investment, employees, foreign investor, exclusive interest and source."""
    inv_scale = np.array([2.0, 0.6, 1.6, 1.3, 0.9])[channel]
    investment = np.clip(np.exp(rng.normal(np.log(60000), 0.85, n)) * inv_scale, 5000, 2.5e6)
    investment = np.round(investment / 500) * 500
    employees = np.maximum(1, np.round(np.exp(0.6 * np.log(investment / 60000)
                                              + rng.normal(np.log(12), 0.7, n)))).astype(np.int64)
    return {
        "est_investment": investment,
        "employees": employees,
        "foreign_investor": rng.random(n) < 0.34,
        "exclusive_interest": rng.random(n) < 0.3,
        "source": choice_index(rng, SOURCE_P, n),
    }


def _outcomes(rng: np.random.Generator, w: World, attrs: dict[str, np.ndarray], channel: np.ndarray,
              prov: np.ndarray, closed: np.ndarray) -> dict[str, np.ndarray]:
    """Draw creation and closing dates and whether each closed lead was won (the conversion signal)."""
    cal = w.cal
    n = len(closed)
    created = np.where(
        closed,
        uniform_dates(rng, cal.start, cal.end - 20, n),
        np.where(rng.random(n) < 0.75,
                 uniform_dates(rng, cal.end - 270, cal.end, n),
                 uniform_dates(rng, cal.end - 900, cal.end - 271, n)),
    )
    lag = 5 + np.round(rng.gamma(2.0, 18.0, n)).astype(np.int64)
    closed_date = np.where(closed, np.minimum(created + lag, cal.end), np.datetime64("NaT", "D"))
    logit = (-1.5 + 0.7 * np.log(attrs["est_investment"] / 60000)
             + 1.3 * attrs["exclusive_interest"] + SOURCE_EFFECT[attrs["source"]]
             + LEAD_CHANNEL_EFFECT[channel] + 0.6 * w.prov_attr[prov]
             + 0.25 * attrs["foreign_investor"] + rng.normal(0, 0.3, n))
    won = closed & (rng.random(n) < 1 / (1 + np.exp(-logit)))
    status = np.where(closed, np.where(won, "won", "lost"), "open").astype(object)
    lost_reason = np.where(closed & ~won, np.array(LOST_REASONS, dtype=object)[choice_index(rng, LOST_P, n)],
                           None)
    return {"created": created, "closed": closed_date, "status": status, "lost_reason": lost_reason}


def _assign(rng: np.random.Generator, w: World, comm: np.ndarray, closed: np.ndarray, created: np.ndarray,
            closed_date: np.ndarray) -> np.ndarray:
    """Give every closed lead and a quarter of the open ones a rep of their community."""
    cal = w.cal
    rep = np.full(len(closed), -1)
    idx = np.flatnonzero(closed)
    rep[idx] = pick_reps(rng, w, comm[idx], created[idx], closed_date[idx])
    idx = np.flatnonzero(~closed & (rng.random(len(closed)) < 0.25))
    rep[idx] = pick_reps(rng, w, comm[idx], np.maximum(created[idx], cal.end - 400), np.full(len(idx), cal.end))
    return rep


def _identities(rng: np.random.Generator, w: World, prov: np.ndarray, channel: np.ndarray,
                foreign: np.ndarray) -> dict[str, Any]:
    """Draw contact person, company name (new to the customer list), phone and e-mail."""
    n = len(prov)
    contacts: list[str | None] = []
    local = person_names(rng, n)
    fpick = rng.integers(len(FOREIGN_NAMES), size=n)
    nocontact = rng.random(n) < 0.08
    for i in range(n):
        if nocontact[i]:
            contacts.append(None)
        elif foreign[i] and fpick[i] % 2 == 0:
            contacts.append(FOREIGN_NAMES[fpick[i]])
        else:
            contacts.append(" ".join(local[i].split()[:2]))
    towns = [w.prov_town[p] for p in prov]
    seen = {company_key(name) for name in w.cust_names}
    company = unique_names(rng, channel, towns, LEAD_PATTERNS, seen)
    digits = phones(rng, [w.prov_prefix[p] for p in prov])
    styles = choice_index(rng, np.array([0.3, 0.3, 0.1, 0.15, 0.1, 0.05]), n)
    phone: list[str | None] = [format_phone(d, s) for d, s in zip(digits, styles.tolist(), strict=True)]
    for i in np.flatnonzero(rng.random(n) < 0.05):
        phone[i] = None
    return {"contact_name": contacts, "company": company, "digits": digits, "styles": styles, "phone": phone,
            "email": lead_emails(rng, company, contacts)}


def _open_columns(n: int) -> Columns:
    """Return the status columns of ``n`` open, unassigned leads."""
    return {
        "status": np.full(n, "open", dtype=object),
        "closed": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
        "lost_reason": np.full(n, None, dtype=object),
        "rep": np.full(n, -1),
    }


def _duplicates(rng: np.random.Generator, w: World, base: Columns, digits: list[str], styles: np.ndarray,
                n_dup: int) -> Columns:
    """Draw duplicates of fresh leads: the same company typed again, later, often by another hand."""
    cal = w.cal
    n_base = len(base["created"])
    src = rng.choice(n_base, size=n_dup, replace=False) if n_dup <= n_base else np.zeros(0, int)
    vkind = rng.integers(0, 5, n_dup)
    pstyle = rng.integers(0, 6, n_dup)
    d_created = np.minimum(base["created"][src] + rng.integers(10, 200, n_dup), cal.end)
    s = src.tolist()
    dup = {
        "company": [name_variant(base["company"][i], k) for i, k in zip(s, vkind.tolist(), strict=True)],
        "contact_name": [base["contact_name"][i] if r < 0.7 else None
                         for i, r in zip(s, rng.random(n_dup).tolist(), strict=True)],
        "phone": [format_phone(digits[i], (st if st != styles[i] else (st + 1) % 6)) if r < 0.85 else None
                  for i, st, r in zip(s, pstyle.tolist(), rng.random(n_dup).tolist(), strict=True)],
        "email": [base["email"][i] if r < 0.6 else None
                  for i, r in zip(s, rng.random(n_dup).tolist(), strict=True)],
        "channel": base["channel"][src], "prov": base["prov"][src],
        "source": choice_index(rng, SOURCE_P, n_dup), "created": d_created,
        **_open_columns(n_dup),
        "est_investment": base["est_investment"][src], "employees": base["employees"][src],
        "foreign_investor": base["foreign_investor"][src],
        "exclusive_interest": base["exclusive_interest"][src],
    }
    with_rep = np.flatnonzero(rng.random(n_dup) < 0.2)
    dup["rep"][with_rep] = pick_reps(rng, w, w.prov_comm[base["prov"][src[with_rep]]],
                                     np.maximum(d_created[with_rep], cal.end - 400),
                                     np.full(len(with_rep), cal.end))
    return dup


def _customer_leads(rng: np.random.Generator, w: World, n_cdup: int) -> Columns:
    """Draw leads that are already customers (the list came from a fair or a purchased file)."""
    cal = w.cal
    n_cust = len(w.cust_ids)
    csrc = rng.choice(n_cust, size=min(n_cdup, n_cust), replace=False)
    n_cdup = len(csrc)
    attrs = _lead_attributes(rng, w.cust_channel[csrc], n_cdup)
    vk = rng.integers(0, 8, n_cdup)
    cst = rng.integers(0, 6, n_cdup)
    created = uniform_dates(rng, cal.end - 300, cal.end, n_cdup)
    contacts = [" ".join(p.split()[:2]) for p in person_names(rng, n_cdup)]
    s = csrc.tolist()
    return {
        "company": [w.cust_names[i] if k >= 5 else name_variant(w.cust_names[i], k)
                    for i, k in zip(s, vk.tolist(), strict=True)],
        "contact_name": contacts,
        "phone": [format_phone(w.cust_phone[i], st if st != 1 else 0) for i, st in zip(s, cst.tolist(), strict=True)],
        "email": [None] * n_cdup,
        "channel": w.cust_channel[csrc], "prov": w.cust_prov[csrc],
        "source": attrs["source"], "created": created,
        **_open_columns(n_cdup),
        "est_investment": attrs["est_investment"], "employees": attrs["employees"],
        "foreign_investor": attrs["foreign_investor"],
        "exclusive_interest": attrs["exclusive_interest"],
    }


def _lead_frame(rng: np.random.Generator, w: World,
                parts: tuple[Columns, ...]) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Put the parts together in creation order (ties at random) and number them."""
    cols = {k: np.concatenate([np.asarray(p[k], dtype=object if isinstance(p[k], list) else None)
                               for p in parts]) for k in parts[0]}
    total = len(cols["created"])
    order = np.lexsort((rng.random(total), cols["created"].astype("datetime64[D]")))
    cols = {k: v[order] for k, v in cols.items()}
    rep_all = cols["rep"].astype(int)
    frame = pd.DataFrame({
        "lead_id": make_ids("L", np.arange(1, total + 1), max(5, len(str(total)))),
        "company": cols["company"],
        "contact_name": cols["contact_name"],
        "phone": cols["phone"],
        "email": cols["email"],
        "channel": np.array(CHANNELS, dtype=object)[cols["channel"].astype(int)],
        "region_id": w.prov_ids[cols["prov"].astype(int)],
        "source": np.array(SOURCES, dtype=object)[cols["source"].astype(int)],
        "created_date": cols["created"].astype("datetime64[D]"),
        "status": cols["status"],
        "closed_date": cols["closed"].astype("datetime64[D]"),
        "lost_reason": cols["lost_reason"],
        "rep_id": np.where(rep_all >= 0, w.rep_ids[np.maximum(rep_all, 0)], None),
        "est_investment": cols["est_investment"].astype(float),
        "employees": cols["employees"].astype(np.int64),
        "foreign_investor": cols["foreign_investor"].astype(bool),
        "exclusive_interest": cols["exclusive_interest"].astype(bool),
    })
    sim = {
        "rep": rep_all,
        "created": cols["created"].astype("datetime64[D]"),
        "closed": cols["closed"].astype("datetime64[D]"),
        "status": cols["status"],
    }
    return frame, sim


def pick_reps(rng: np.random.Generator, w: World, comm: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """Draw a rep of each community who is employed on every day of ``[lo, hi]``.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        The reps.
    comm : numpy.ndarray
        The community index of each draw.
    lo, hi : numpy.ndarray
        First and last day the rep must be employed, one per draw.

    Returns
    -------
    numpy.ndarray
        Rep indices; -1 where the community has no such rep.
    """
    n = len(comm)
    order = np.argsort(w.rep_comm, kind="stable")
    counts = np.bincount(w.rep_comm, minlength=len(w.comm_ids))
    starts = np.r_[0, np.cumsum(counts)[:-1]]
    leave = np.where(np.isnat(w.rep_leave), FAR_FUTURE, w.rep_leave)
    out = np.full(n, -1)
    todo = np.arange(n)
    for _ in range(12):
        if not len(todo):
            break
        c = comm[todo]
        pick = order[starts[c] + np.floor(rng.random(len(todo)) * counts[c]).astype(int)]
        ok = (w.rep_hire[pick] <= lo[todo]) & (leave[pick] >= hi[todo])
        out[todo[ok]] = pick[ok]
        todo = todo[~ok]
    for i in todo:  # rare: fall back to a scan of the community
        cands = np.flatnonzero((w.rep_comm == comm[i]) & (w.rep_hire <= lo[i]) & (leave >= hi[i]))
        out[i] = cands[0] if len(cands) else -1
    return out


def lead_activities(rng: np.random.Generator, w: World, lead_sim: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Draw contacts with leads: several before a lead closes, a few on assigned open leads.

    Parameters
    ----------
    rng : numpy.random.Generator
        The generator.
    w : World
        The reps and the history window.
    lead_sim : dict
        The second result of :func:`leads`.

    Returns
    -------
    dict
        ``date``, ``rep`` (index), ``lead`` (index), ``kind`` (index into
        :data:`~salesnb.sample.reference.KINDS`) and ``proposal`` (the contact made a
        proposal: the last one of each won lead and of some lost ones) of each contact.
    """
    rep = lead_sim["rep"]
    status = lead_sim["status"]
    closed = (status != "open") & (rep >= 0)
    open_assigned = np.flatnonzero((status == "open") & (rep >= 0))
    touched = open_assigned[rng.random(len(open_assigned)) < 0.35]
    idx_c = np.flatnonzero(closed)
    effort = w.rep_activity[rep]  # quiet reps also work their leads less
    n_c = 1 + rng.poisson(np.where(status[idx_c] == "won", 3.0, 1.5) * effort[idx_c])
    n_o = 1 + rng.poisson(0.4 * effort[touched])
    lead = np.r_[np.repeat(idx_c, n_c), np.repeat(touched, n_o)]
    lo = lead_sim["created"][lead]
    hi = np.where(np.isnat(lead_sim["closed"][lead]), w.cal.end, lead_sim["closed"][lead])
    r = rep[lead]
    lo = np.maximum(lo, w.rep_hire[r])
    date = uniform_dates(rng, lo, hi, len(lead))
    kind = choice_index(rng, np.array([0.55, 0.12, 0.08, 0.25]), len(lead))
    proposal = _proposal_contacts(rng, lead, date, status)
    kind = np.where(proposal, 2, kind)  # a proposal is made in a meeting
    return {"date": date, "rep": r, "lead": lead, "kind": kind, "proposal": proposal}


def _proposal_contacts(rng: np.random.Generator, lead: np.ndarray, date: np.ndarray,
                       status: np.ndarray) -> np.ndarray:
    """Mark the last contact of every won lead, and of 40 % of the lost ones, as a proposal."""
    order = np.lexsort((date, lead))
    last = np.zeros(len(lead), bool)
    if len(lead):
        is_last = np.r_[lead[order][1:] != lead[order][:-1], True]
        last[order[is_last]] = True
    st = status[lead]
    return last & ((st == "won") | ((st == "lost") & (rng.random(len(lead)) < 0.4)))
