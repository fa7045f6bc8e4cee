"""Assigning open leads to reps: territory, weekly capacity, ownership, fair shares.

The rules, in order:

1. **Ownership**: a lead that already has a rep who is still active on ``as_of``
   stays with that rep (it is their pipeline, not a new lead, and does not use
   new-lead capacity). A lead whose rep has left is handed on like a new one.
2. **Territory**: a lead goes to a rep whose ``region_id`` is the lead's province
   or one of its parent regions (provinces roll up to the rep's region).
3. **Capacity**: each active rep takes at most ``weekly_capacity`` new leads this
   week (or the ``capacity`` override). Capacities are never exceeded.
4. **Best leads first**: in each territory the capacity goes to the leads with the
   highest scores, which maximises the expected number of wins; the rest waits in
   a backlog ordered by score.
5. **Fair shares**: among the leads served, each rep's expected wins (the sum of
   their leads' win chances) is made as close as possible to their share of the
   territory's capacity. First an exact assignment
   (:func:`scipy.optimize.linear_sum_assignment`) fills every rep's capacity slots so
   that each rep gets a slice of every score band; then exchanges of two leads
   between two reps, kept only when both get closer to their fair share, remove
   what is left of the gap. Every rep ends with exactly its number of leads.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment

from salesnb.data import employed
from salesnb.errors import ParameterError
from salesnb.params import check_choice, to_timestamp

__all__ = ["Assignment", "active_reps", "assign_leads", "fairness", "greedy_assign", "territory_of"]

#: Most leads of one territory given to :func:`scipy.optimize.linear_sum_assignment` as a dense
#: square cost matrix (5,000 leads: 200 MB and about a second); larger territories use the
#: equally optimal quantile-order filling (see :func:`_slots`).
EXACT_MATRIX_LEADS = 5_000


@dataclass
class Assignment:
    """The result of :func:`assign_leads`.

    Attributes
    ----------
    assignments : DataFrame
        One row per assigned lead: ``lead_id, rep_id, basis`` (``owner``: kept by its
        rep; ``new``; ``reassigned``: its rep has left), ``score, territory`` and
        ``rank`` (1 = the rep's best lead), ordered by rep then rank.
    backlog : DataFrame
        Leads waiting: ``position`` (1 = next in line), ``lead_id, territory, score,
        reason`` (``capacity`` or ``no_rep``), ordered by score.
    by_rep : DataFrame
        One row per active rep: ``rep_id, name, territory, capacity, new, owned,
        expected_wins`` (sum of the new leads' scores), ``expected_wins_total``
        (owned leads too), ``wins_per_call`` (average score of the new leads) and
        ``utilisation`` (new / capacity).
    """

    assignments: pd.DataFrame
    backlog: pd.DataFrame
    by_rep: pd.DataFrame

    def fairness(self) -> pd.DataFrame:
        """Return the spread of expected wins across reps, per territory and overall; see :func:`fairness`."""
        return fairness(self.by_rep)



def active_reps(reps: pd.DataFrame, *, as_of: object,
                capacity: int | Mapping[str, int] | None = None) -> pd.DataFrame:
    """Return the reps employed on ``as_of`` (hired on or before it, not yet left) with their capacity.

    Parameters
    ----------
    reps : DataFrame
        The ``reps`` table.
    as_of : date
        The day of the assignment.
    capacity : int or mapping of rep_id to int, optional
        Overrides ``weekly_capacity``: one number for every rep, or per rep (reps not
        named keep their own).

    Returns
    -------
    DataFrame
        ``rep_id, name, region_id, capacity`` ordered by ``rep_id``.
    """
    day = to_timestamp("as_of", as_of)
    out = reps.loc[employed(reps, start=day), ["rep_id", "name", "region_id", "weekly_capacity"]].copy()
    out["rep_id"] = out["rep_id"].astype(str)
    out["region_id"] = out["region_id"].astype(str)
    cap = out["weekly_capacity"].astype("Int64").fillna(0).astype(int)
    if capacity is not None:
        if isinstance(capacity, Mapping):
            for rep, value in capacity.items():
                _check_capacity(value, f"capacity[{rep!r}]")
            cap = pd.Series([int(capacity.get(r, c)) for r, c in zip(out["rep_id"], cap, strict=True)],
                            index=out.index)
        else:
            _check_capacity(capacity, "capacity")
            cap = pd.Series(int(capacity), index=out.index)
    out["capacity"] = cap.astype(int)
    return out.drop(columns="weekly_capacity").sort_values("rep_id", kind="stable", ignore_index=True)


def _check_capacity(value: object, name: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ParameterError.from_catalog("leads.error_non_negative_int", name=name, value=repr(value))


def territory_of(region_ids: pd.Series, regions: pd.DataFrame, territories: set[str]) -> pd.Series:
    """Return each region id's territory: itself or its nearest parent that is a rep territory.

    Regions under no territory map to their top-level region (no rep serves them).
    """
    parent = dict(zip(regions["region_id"].astype(str), regions["parent_id"], strict=True))
    cache: dict[str, str] = {}

    def climb(rid: str) -> str:
        if rid in cache:
            return cache[rid]
        seen, cur, top = set(), rid, rid
        while cur and cur not in seen:
            seen.add(cur)
            if cur in territories:
                cache[rid] = cur
                return cur
            top = cur
            nxt = parent.get(cur)
            cur = str(nxt) if nxt is not None and not pd.isna(nxt) else ""
        cache[rid] = top
        return top

    return region_ids.astype(str).map(climb)


def _shares(n: int, capacities: np.ndarray) -> np.ndarray:
    """Return how many of ``n`` leads each rep gets.

    All the capacity when ``n`` fills it, else in proportion (largest remainder, never
    above a capacity).
    """
    total = int(capacities.sum())
    if n >= total:
        return capacities.copy()
    raw = n * capacities / total
    counts = np.floor(raw).astype(int)
    order = np.argsort(-(raw - counts), kind="stable")
    for j in order[: n - counts.sum()]:
        counts[j] += 1
    return np.minimum(counts, capacities)


def _slots(scores: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Return the rep index of each lead from an exact assignment of leads to capacity slots.

    Rep r has ``counts[r]`` slots; its k-th slot aims at the lead found at quantile
    ``(k + 1/2) / counts[r]`` of the score order, so every rep's slots cover the whole
    range from best to weakest in proportion to its size. The cost of putting lead i
    (at quantile ``u_i``) in a slot aiming at ``q`` is ``(u_i - q)^2``, and
    :func:`scipy.optimize.linear_sum_assignment` finds the cheapest way to fill every
    slot (each lead once, each slot once: capacities hold exactly).

    Above :data:`EXACT_MATRIX_LEADS` leads (a territory of a hundred reps and more) the
    square cost matrix and its cubic solve are too large; the slots are then filled in
    quantile order (the k-th best lead to the k-th lowest slot quantile), which is an
    optimal assignment too for this cost (the square of a difference is convex): the
    two differ only in which of several reps with the same slot quantile gets a lead.
    """
    n = len(scores)
    order = np.argsort(-scores, kind="stable")
    quantile = np.empty(n)
    quantile[order] = (np.arange(n) + 0.5) / n
    slot_rep = np.repeat(np.arange(len(counts)), counts)
    slot_q = np.concatenate([(np.arange(c) + 0.5) / c for c in counts if c > 0]) if n else np.zeros(0)
    rep = np.empty(n, dtype=int)
    if n > EXACT_MATRIX_LEADS:
        rep[order] = slot_rep[np.lexsort((np.arange(n), slot_q))]
        return rep
    cost = (quantile[:, None] - slot_q[None, :]) ** 2
    rows, cols = linear_sum_assignment(cost)
    rep[rows] = slot_rep[cols]
    return rep


def _exchange(scores: np.ndarray, rep: np.ndarray, target: np.ndarray, *, max_rounds: int = 10_000) -> np.ndarray:
    """Swap leads between two reps while that brings both closer to their fair share.

    Each swap keeps every rep's number of leads (so capacities still hold) and strictly
    lowers the total gap ``sum_r |W_r - target_r|``; the search stops when no swap
    between any two reps helps. Deterministic: reps are tried from the largest surplus
    and deficit, leads from the best pair.
    """
    rep = rep.copy()
    r = len(target)
    wins = np.bincount(rep, weights=scores, minlength=r)
    # A pair of reps that had no helpful swap still has none until one of them changes:
    # ``changed`` is the round each rep last swapped, ``idle`` the round up to which a
    # surplus rep was found to have no helpful swap with any rep.
    rounds = {"changed": np.full(r, -1), "idle": np.full(r, -2)}
    for t in range(max_rounds):
        swap = _best_swap(scores, rep, wins - target, rounds, t)
        if swap is None:
            break
        i, j, delta = swap
        a, b = rep[i], rep[j]
        rep[i], rep[j] = b, a
        wins[a] -= delta
        wins[b] += delta
        rounds["changed"][[a, b]] = t
    return rep


def _best_swap(scores: np.ndarray, rep: np.ndarray, gap: np.ndarray, rounds: dict[str, np.ndarray],
               t: int) -> tuple[int, int, float] | None:
    """Return the first helpful swap ``(i, j, delta)``: reps from the largest surplus and deficit, best pair.

    A swap moving ``delta`` wins from rep a (surplus ``gap[a] > 0``) to rep b
    (``gap[b] < 0``) helps only when ``0 < delta < gap[a] - gap[b]``; pairs of reps
    without such a pair of leads, and pairs known to have none since neither changed,
    are skipped; the others are scored exactly as a full comparison would.
    """
    changed, idle = rounds["changed"], rounds["idle"]
    order = np.argsort(rep, kind="stable")
    starts = np.searchsorted(rep[order], np.arange(len(gap) + 1))
    deficit = np.array([b for b in np.argsort(gap, kind="stable") if gap[b] < -1e-12], dtype=int)
    for a in np.argsort(-gap, kind="stable"):
        if gap[a] <= 1e-12 or not len(deficit):
            break
        reps = deficit[changed[deficit] >= idle[a]] if changed[a] < idle[a] else deficit
        swap = _swap_with(scores, order[starts[a]:starts[a + 1]], gap, a, reps, order, starts)
        if swap is not None:
            return swap
        idle[a] = t
    return None


def _swap_with(scores: np.ndarray, ia: np.ndarray, gap: np.ndarray, a: int, reps: np.ndarray, order: np.ndarray,
               starts: np.ndarray) -> tuple[int, int, float] | None:
    """Return the best swap of rep a (leads ``ia``) with the first of ``reps`` that has a helpful one, or None."""
    if not len(reps):
        return None
    members = [order[starts[b]:starts[b + 1]] for b in reps]
    pool = np.concatenate(members)
    owner = np.repeat(np.arange(len(reps)), [len(m) for m in members])
    sa = np.sort(scores[ia])
    low = scores[pool] + 1e-10
    high = scores[pool] + (gap[a] - gap[reps])[owner] - 1e-10
    hit = np.searchsorted(sa, low, side="right") < np.searchsorted(sa, high, side="left")
    for k in np.unique(owner[hit]):
        b, ib = reps[k], members[k]
        delta = scores[ia][:, None] - scores[ib][None, :]  # wins moved from a to b
        before = abs(gap[a]) + abs(gap[b])
        after = np.abs(gap[a] - delta) + np.abs(gap[b] + delta)
        best = int(np.argmin(after))
        if after.flat[best] < before - 1e-9:
            return int(ia[best // len(ib)]), int(ib[best % len(ib)]), float(delta.flat[best])
    return None


def _balanced(scores: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Return the rep index of each lead, in fair shares.

    Rep r gets exactly ``counts[r]`` leads and expected wins as close as possible to
    ``counts[r]`` times the average score (slots, then exchanges).
    """
    if len(counts) == 1 or len(scores) == 0:
        return np.zeros(len(scores), dtype=int)
    target = counts * scores.mean()
    return _exchange(scores, _slots(scores, counts), target)


def assign_leads(leads: pd.DataFrame, reps: pd.DataFrame, regions: pd.DataFrame, *, as_of: object,
                 capacity: int | Mapping[str, int] | None = None, score: str = "score",
                 method: str = "optimal") -> Assignment:
    """Give each open lead a rep for this week, within territory and capacity.

    Parameters
    ----------
    leads : DataFrame
        Open leads to assign: ``lead_id, region_id``, the ``score`` column and,
        optionally, ``rep_id`` (current owner).
    reps, regions : DataFrame
        The ``reps`` and ``regions`` tables.
    as_of : date
        The day of the assignment (who is active).
    capacity : int or mapping, optional
        New-lead capacity override (see :func:`active_reps`).
    score : str, default "score"
        Column holding each lead's win probability.
    method : {"optimal", "greedy"}
        ``optimal`` (the default) fills capacity slots with an exact assignment and
        balances expected wins; ``greedy`` gives each lead, best first, to the first rep
        of the territory with room (kept to show what the optimiser gains).

    Returns
    -------
    Assignment
        Assigned leads, the backlog and the per-rep summary.
    """
    check_choice("method", method, ("optimal", "greedy"))
    missing = [c for c in ("lead_id", "region_id", score) if c not in leads]
    if missing:
        raise ParameterError.from_catalog("leads.error_columns", columns=", ".join(missing))
    active = active_reps(reps, as_of=as_of, capacity=capacity)
    work = _work_list(leads, regions, active, score)
    kept = work["owner"].isin(set(active["rep_id"])).to_numpy()
    parts = [pd.DataFrame({"lead_id": work.loc[kept, "lead_id"], "rep_id": work.loc[kept, "owner"],
                           "basis": "owner", "score": work.loc[kept, "score"],
                           "territory": work.loc[kept, "territory"]})]
    backlog = []
    for terr, group in work.loc[~kept].groupby("territory", sort=True):
        team = active.loc[(active["region_id"] == terr) & (active["capacity"] > 0)]
        if team.empty:
            backlog.append(group.assign(reason="no_rep"))
            continue
        caps = team["capacity"].to_numpy(dtype=int)
        n_sel = min(len(group), int(caps.sum()))
        chosen, waiting = group.iloc[:n_sel], group.iloc[n_sel:]
        if len(waiting):
            backlog.append(waiting.assign(reason="capacity"))
        rep_idx = _greedy(caps, n_sel) if method == "greedy" else _balanced(chosen["score"].to_numpy(),
                                                                              _shares(n_sel, caps))
        parts.append(pd.DataFrame({
            "lead_id": chosen["lead_id"].to_numpy(), "rep_id": team["rep_id"].to_numpy()[rep_idx],
            "basis": np.where(chosen["owner"].to_numpy() != "", "reassigned", "new"),
            "score": chosen["score"].to_numpy(), "territory": terr}))
    assigned = pd.concat(parts, ignore_index=True)
    assigned = assigned.sort_values(["rep_id", "score", "lead_id"], ascending=[True, False, True],
                                    kind="stable", ignore_index=True)
    assigned["rank"] = assigned.groupby("rep_id").cumcount() + 1
    return Assignment(assignments=assigned, backlog=_backlog(backlog), by_rep=_by_rep(active, assigned))


def _work_list(leads: pd.DataFrame, regions: pd.DataFrame, active: pd.DataFrame, score: str) -> pd.DataFrame:
    """Return ``lead_id, score, owner, territory`` of the leads, best score first (ties by id)."""
    work = pd.DataFrame({
        "lead_id": leads["lead_id"].astype(str).to_numpy(),
        "score": pd.to_numeric(leads[score], errors="coerce").fillna(0.0).to_numpy(dtype=float),
        "owner": (leads["rep_id"].astype("string").fillna("").to_numpy() if "rep_id" in leads
                  else np.full(len(leads), "")),
    })
    work["territory"] = territory_of(leads["region_id"].reset_index(drop=True), regions,
                                     set(active["region_id"])).to_numpy()
    return work.sort_values(["score", "lead_id"], ascending=[False, True], kind="stable", ignore_index=True)


def _greedy(capacities: np.ndarray, n: int) -> np.ndarray:
    """Return the rep index of each of ``n`` leads, best first: the first rep with room takes it."""
    room = capacities.copy()
    idx = []
    for _ in range(n):
        j = int(np.flatnonzero(room > 0)[0])
        room[j] -= 1
        idx.append(j)
    return np.asarray(idx, dtype=int)


def _backlog(waiting: list[pd.DataFrame]) -> pd.DataFrame:
    """Return the leads waiting as one list, best first: ``position, lead_id, territory, score, reason``."""
    cols = ["position", "lead_id", "territory", "score", "reason"]
    if not waiting:
        return pd.DataFrame(columns=cols)
    out = pd.concat(waiting, ignore_index=True).sort_values(
        ["score", "lead_id"], ascending=[False, True], kind="stable", ignore_index=True)
    out.insert(0, "position", np.arange(1, len(out) + 1))
    return out[cols]


def greedy_assign(leads: pd.DataFrame, reps: pd.DataFrame, regions: pd.DataFrame, **options: Any) -> Assignment:
    """Assign leads like :func:`assign_leads` with ``method="greedy"`` (for comparison)."""
    return assign_leads(leads, reps, regions, method="greedy", **options)


def _by_rep(active: pd.DataFrame, assigned: pd.DataFrame) -> pd.DataFrame:
    new = assigned.loc[assigned["basis"] != "owner"]
    owned = assigned.loc[assigned["basis"] == "owner"]
    out = active.rename(columns={"region_id": "territory"}).copy()
    out["new"] = out["rep_id"].map(new.groupby("rep_id").size()).fillna(0).astype(int)
    out["owned"] = out["rep_id"].map(owned.groupby("rep_id").size()).fillna(0).astype(int)
    out["expected_wins"] = out["rep_id"].map(new.groupby("rep_id")["score"].sum()).fillna(0.0)
    out["expected_wins_total"] = out["expected_wins"] + out["rep_id"].map(
        owned.groupby("rep_id")["score"].sum()).fillna(0.0)
    out["wins_per_call"] = np.where(out["new"] > 0, out["expected_wins"] / out["new"].clip(lower=1), np.nan)
    out["utilisation"] = np.where(out["capacity"] > 0, out["new"] / out["capacity"].clip(lower=1), np.nan)
    return out


def fairness(by_rep: pd.DataFrame) -> pd.DataFrame:
    """Return the spread of new-lead expected wins across the reps who received new leads.

    Territories differ (a rich province brings better leads), so the spread is shown
    per territory, where the assignment balances it, and over all reps.

    Returns
    -------
    DataFrame
        One row per territory and a last row with ``territory`` ``"*"`` for all reps:
        ``reps``, ``min``, ``max`` and ``cv`` (standard deviation over mean) of
        ``expected_wins``, and ``rate_min``, ``rate_max``, ``rate_cv`` of
        ``wins_per_call`` (average win chance of a rep's new leads, which removes the
        effect of different capacities).
    """
    served = by_rep.loc[by_rep["new"] > 0]

    def stats(frame: pd.DataFrame) -> dict[str, float]:
        row: dict[str, float] = {"reps": len(frame)}
        for prefix, col in (("", "expected_wins"), ("rate_", "wins_per_call")):
            v = frame[col].to_numpy(dtype=float)
            mean = v.mean() if len(v) else np.nan
            row[f"{prefix}min"] = v.min() if len(v) else np.nan
            row[f"{prefix}max"] = v.max() if len(v) else np.nan
            row[f"{prefix}cv"] = v.std(ddof=0) / mean if len(v) and mean > 0 else np.nan
        return row

    rows = [{"territory": t, **stats(g)} for t, g in served.groupby("territory", sort=True)]
    rows.append({"territory": "*", **stats(served)})
    return pd.DataFrame(rows, columns=["territory", "reps", "min", "max", "cv", "rate_min", "rate_max",
                                       "rate_cv"])
