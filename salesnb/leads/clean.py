"""Cleaning and de-duplication of the lead list, and matching leads to customers.

Two records are the same contact when they share a phone number or an email
address (compared through :mod:`salesnb.normalize`, so ``+34 912 345 678`` and
``912-345-678`` match), or when their company names are near-identical in the
same province. Near-identical is measured with a token-sorted similarity ratio
(:func:`name_similarity`, Python's :class:`difflib.SequenceMatcher` on the
normalised words in alphabetical order), computed only between names of the same
province that share a rare word or sort next to each other, so it scales to tens
of thousands of leads.

Records joined only by their name while their phone numbers differ are *not*
merged (two shops called "Muebles García" in one city are common): they are
listed as possible duplicates for a person to check.

Nothing is lost: the mapping has one row per original lead (``lead_id`` ->
``master_id`` with the reason), each master lists the ids it was merged from,
and every other phone and email of its group is kept on it.
"""

from __future__ import annotations

import difflib
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesnb.errors import ParameterError
from salesnb.normalize import normalize_email, normalize_name, normalize_phone

__all__ = ["FREE_MAIL_DOMAINS", "REASONS", "Dedup", "deduplicate", "name_similarity"]

#: Why a lead was joined to its master, strongest first.
REASONS = ("master", "same_phone", "same_email", "same_name", "similar_name")
_STRENGTH = {r: i for i, r in enumerate(REASONS)}
_CONTACT = ("contact_name", "phone", "email")
#: Two words count as one mistyped word from this ratio on ("garcia"/"garcai" 0.83, "hotel"/"hostal" 0.73).
_TYPO_RATIO = 0.8
#: Web-mail domains: a shared address there is a person, who may front several companies.
FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "hotmail.com", "hotmail.es", "outlook.com", "outlook.es",
    "live.com", "live.es", "msn.com", "yahoo.com", "yahoo.es", "icloud.com", "me.com", "aol.com",
    "gmx.com", "gmx.es", "proton.me", "protonmail.com", "telefonica.net", "terra.es",
})


def _sorted_words(key: str) -> str:
    return " ".join(sorted(key.split()))


def name_similarity(a: str, b: str) -> float:
    """Similarity of two company names in [0, 1], after normalisation.

    Names are normalised (:func:`salesnb.normalize.normalize_name`: accents, case,
    punctuation and legal forms removed), their words sorted, and compared with
    :class:`difflib.SequenceMatcher` (``2 * matches / total length``). Names whose
    numbers differ (``Tienda 1`` / ``Tienda 2``) score 0.

    Examples
    --------
    >>> name_similarity("Muebles García S.L.", "MUEBLES GARCIA")
    1.0
    >>> round(name_similarity("Muebles Garcia Lopez", "Mubles Garcia Lopez"), 2)
    0.97
    >>> name_similarity("Hotel Valle Alto", "Hostal Valle Alto")  # another word, not a typo
    0.0
    """
    ka, kb = normalize_name(a), normalize_name(b)
    return _similarity(_sorted_words(ka), _sorted_words(kb))


def _digits(key: str) -> frozenset[str]:
    return frozenset(w for w in key.split() if any(ch.isdigit() for ch in w))


def _word_ratio(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


def _similarity(sa: str, sb: str) -> float:
    """Ratio of two sorted-word keys; 0 when numbers differ or a word was replaced
    by a different word rather than mistyped (``hotel``/``hostal`` are two businesses)."""
    if not sa or not sb:
        return 0.0
    if sa == sb:
        return 1.0
    if _digits(sa) != _digits(sb):
        return 0.0
    wa, wb = set(sa.split()), set(sb.split())
    only_a, only_b = wa - wb, wb - wa
    if only_a and only_b:
        for left, right in ((only_a, only_b), (only_b, only_a)):
            for w in left:
                if max(_word_ratio(w, v) for v in right) < _TYPO_RATIO:
                    return 0.0
    return _word_ratio(sa, sb)


def _candidate_pairs(keys: list[str], blocks: list[str], *, window: int = 4,
                     max_block: int = 60) -> set[tuple[int, int]]:
    """Pairs (i < j) worth comparing: same block and a shared rare word or close in sort order."""
    by_block: dict[str, list[int]] = defaultdict(list)
    for i, b in enumerate(blocks):
        if keys[i]:
            by_block[b].append(i)
    pairs: set[tuple[int, int]] = set()
    for members in by_block.values():
        if len(members) < 2:
            continue
        # 1. a shared rare word (each name is indexed under its rarest word)
        df: dict[str, int] = defaultdict(int)
        words = {i: set(keys[i].split()) for i in members}
        for i in members:
            for w in words[i]:
                df[w] += 1
        index: dict[str, list[int]] = defaultdict(list)
        for i in members:
            rare = min(words[i], key=lambda w: (df[w], w))
            if df[rare] <= max_block:
                index[rare].append(i)
        for ids in index.values():
            for a in range(len(ids)):
                for b in range(a + 1, len(ids)):
                    i, j = ids[a], ids[b]
                    pairs.add((min(i, j), max(i, j)))
        # 2. sorted neighbourhood, on the sorted words and on the reversed text (typos)
        for sort_key in (lambda i: (_sorted_words(keys[i]), i), lambda i: (keys[i][::-1], i)):
            ordered = sorted(members, key=sort_key)
            for a in range(len(ordered)):
                for b in range(a + 1, min(a + 1 + window, len(ordered))):
                    i, j = ordered[a], ordered[b]
                    pairs.add((min(i, j), max(i, j)))
    return pairs


def _similar_names(keys: list[str], blocks: list[str], threshold: float) -> list[tuple[int, int, float]]:
    """(i, j, similarity) for pairs in the same block with similarity >= threshold."""
    sorted_keys = [_sorted_words(k) for k in keys]
    out = []
    exact: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (k, b) in enumerate(zip(sorted_keys, blocks, strict=True)):
        if k:
            exact[(b, k)].append(i)
    for ids in exact.values():  # identical keys: all pairs against the first (enough to link)
        out.extend((ids[0], j, 1.0) for j in ids[1:])
    pairs = np.array(sorted(_candidate_pairs(keys, blocks)), dtype=np.int64).reshape(-1, 2)
    if len(pairs):
        # upper bounds of the ratio from lengths and letter counts, vectorised, before difflib
        alphabet = {ch: k for k, ch in enumerate(sorted({ch for k in sorted_keys for ch in k}))}
        bags = np.zeros((len(keys), len(alphabet)), dtype=np.int32)
        for i, k in enumerate(sorted_keys):
            for ch, c in Counter(k).items():
                bags[i, alphabet[ch]] = c
        lens = bags.sum(axis=1)
        total = lens[pairs[:, 0]] + lens[pairs[:, 1]]
        common = np.minimum(bags[pairs[:, 0]], bags[pairs[:, 1]]).sum(axis=1)
        pairs = pairs[2 * common >= threshold * total]
    for i, j in pairs.tolist():
        a, b = sorted_keys[i], sorted_keys[j]
        if a == b:
            continue
        s = _similarity(a, b)
        if s >= threshold:
            out.append((i, j, s))
    return out


class _UnionFind:
    """Groups of records; two groups whose phone numbers differ are never joined."""

    def __init__(self, n: int, phones: list[str]) -> None:
        self.parent = list(range(n))
        self.phones = [{p} if p else set() for p in phones]

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> bool:
        """Join the groups of i and j unless their phones conflict; True when joined (or already one)."""
        ri, rj = self.find(i), self.find(j)
        if ri == rj:
            return True
        pi, pj = self.phones[ri], self.phones[rj]
        if pi and pj and not pi & pj:
            return False
        keep, gone = min(ri, rj), max(ri, rj)
        self.parent[gone] = keep
        self.phones[keep] = pi | pj
        return True


def _conflict(a: str, b: str) -> bool:
    return bool(a) and bool(b) and a != b


def _email_link_ok(email: str, name_a: str, name_b: str) -> bool:
    """A shared address links two records unless it is a personal web-mail address
    used under clearly different company names (``jgarcia@gmail.com`` is many people)."""
    domain = email.rpartition("@")[2]
    if domain not in FREE_MAIL_DOMAINS:
        return True
    return _similarity(_sorted_words(name_a), _sorted_words(name_b)) >= 0.6


@dataclass
class Dedup:
    """The result of :func:`deduplicate`.

    Attributes
    ----------
    leads : DataFrame
        One row per distinct contact (the *master* of each group), with every input
        column plus ``name_key, phone_key, email_key``, ``merged_from`` (list of the
        original lead ids in the group, master first), ``n_records``,
        ``other_phones`` and ``other_emails`` (contact details of the merged records
        that differ from the master's), ``prior_status`` (``won``/``lost`` when an
        earlier record of the group was closed, else missing),
        ``existing_customer_id`` and ``customer_reason`` (when the contact already
        is a customer), ``possible_duplicate_of`` (a lead to check by hand).
    mapping : DataFrame
        One row per original lead: ``lead_id, company`` (as written), ``master_id,
        reason, similarity``; the reason is one of :data:`REASONS` (``master`` for the
        master itself).
    possible : DataFrame
        Pairs left for a person to check, not merged: ``lead_id, other_id, reason,
        similarity`` with reason ``other_phone`` (same email, different phones) or
        ``other_email`` (near-identical name, different emails).
    customers : DataFrame
        Leads matching an existing customer: ``lead_id, customer_id, reason, similarity``.
    """

    leads: pd.DataFrame
    mapping: pd.DataFrame
    possible: pd.DataFrame
    customers: pd.DataFrame

    @property
    def n_original(self) -> int:
        """Number of lead records before de-duplication."""
        return len(self.mapping)

    @property
    def n_merged(self) -> int:
        """Records folded into another one (originals minus masters)."""
        return len(self.mapping) - len(self.leads)

    def open_leads(self) -> pd.DataFrame:
        """Masters still open that are not customers already: the list to work."""
        lead = self.leads
        keep = (lead["status"] == "open").fillna(False) if "status" in lead else pd.Series(True, index=lead.index)
        keep &= lead["existing_customer_id"].isna()
        return lead.loc[keep].reset_index(drop=True)

    def customer_leads(self) -> pd.DataFrame:
        """Open masters that match an existing customer (hand them to the account's rep)."""
        lead = self.leads
        keep = lead["existing_customer_id"].notna()
        if "status" in lead:
            keep &= (lead["status"] == "open").fillna(False)
        return lead.loc[keep].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """Counts by reason: ``reason, records`` (``master`` is the number of distinct contacts)."""
        counts = self.mapping["reason"].value_counts().reindex(list(REASONS), fill_value=0)
        return counts.rename("records").rename_axis("reason").reset_index()


def _keys(frame: pd.DataFrame, name_col: str, country_code: str) -> pd.DataFrame:
    def col(name: str) -> pd.Series:
        return frame[name] if name in frame else pd.Series(pd.NA, index=frame.index, dtype="string")

    return pd.DataFrame({
        "name_key": normalize_name(col(name_col)).fillna(""),
        "phone_key": normalize_phone(col("phone"), country_code=country_code).fillna(""),
        "email_key": normalize_email(col("email")).fillna(""),
    }, index=frame.index)


def _exact_pairs(values: Iterable[str]) -> list[tuple[int, int]]:
    first: dict[str, int] = {}
    out = []
    for i, v in enumerate(values):
        if not v:
            continue
        if v in first:
            out.append((first[v], i))
        else:
            first[v] = i
    return out


def _distinct(values: Iterable[object], exclude: object) -> list[str]:
    seen: list[str] = []
    for v in values:
        if v is None or v is pd.NA or (isinstance(v, float) and np.isnan(v)):
            continue
        text = str(v)
        if text and text != exclude and text not in seen:
            seen.append(text)
    return seen


def deduplicate(leads: pd.DataFrame, *, customers: pd.DataFrame | None = None,
                threshold: float = 0.92, country_code: str = "34") -> Dedup:
    """Find duplicate leads, merge them, and flag leads that already are customers.

    Parameters
    ----------
    leads : DataFrame
        The ``leads`` table (``lead_id, company, phone, email, region_id, status,
        created_date`` are used; other columns are carried along).
    customers : DataFrame, optional
        The ``customers`` table; ``phone`` and ``email`` columns are used when present,
        names are compared within the same province.
    threshold : float, default 0.92
        Minimum :func:`name_similarity` for two names to count as the same company.
    country_code : str, default "34"
        Calling code assumed for phone numbers written without one.

    Returns
    -------
    Dedup
        Masters, the lead -> master mapping, possible duplicates left for a person,
        and customer matches. Within a group the master is an open lead if there is
        one, then the earliest created, then the lowest id; its empty contact fields
        are filled from the other records.

    Raises
    ------
    ParameterError
        When a required column is missing or ``threshold`` is not in (0, 1].

    Examples
    --------
    >>> result = deduplicate(ds.leads, customers=ds.customers)
    >>> result.n_merged, len(result.leads)
    """
    need = ["lead_id", "company", "region_id"]
    missing = [c for c in need if c not in leads]
    if missing:
        raise ParameterError.from_catalog("leads.error_columns", columns=", ".join(missing))
    if not 0 < float(threshold) <= 1:
        raise ParameterError.from_catalog("leads.error_unit_interval", name="threshold", value=repr(threshold))
    frame = leads.reset_index(drop=True)
    n = len(frame)
    keys = _keys(frame, "company", country_code)
    region = frame["region_id"].astype("string").fillna("").tolist()
    name_key, phone_key, email_key = (keys[c].tolist() for c in ("name_key", "phone_key", "email_key"))

    # --- links between leads -------------------------------------------------------
    candidates: list[tuple[int, int, str, float]] = []
    for reason, values in (("same_phone", phone_key), ("same_email", email_key)):
        candidates.extend((i, j, reason, 1.0) for i, j in _exact_pairs(values))
    candidates.extend((i, j, "same_name" if sim >= 1.0 else "similar_name", sim)
                      for i, j, sim in _similar_names(name_key, region, threshold))
    candidates.sort(key=lambda e: (_STRENGTH[e[2]], -e[3], e[0], e[1]))
    uf = _UnionFind(n, phone_key)
    edges: list[tuple[int, int, str, float]] = []
    possible = []
    for i, j, reason, sim in candidates:
        if reason == "same_email" and not _email_link_ok(email_key[i], name_key[i], name_key[j]):
            continue
        if reason == "similar_name" and _conflict(email_key[i], email_key[j]):
            possible.append((i, j, "other_email", sim))
            continue
        if uf.union(i, j):
            edges.append((i, j, reason, sim))
        elif reason == "same_email":  # same name only, other phone: usually two businesses
            possible.append((i, j, "other_phone", sim))
    best: dict[int, tuple[str, float]] = {}
    for i, j, reason, sim in edges:
        for k in (i, j):
            cur = best.get(k)
            if cur is None or _STRENGTH[reason] < _STRENGTH[cur[0]]:
                best[k] = (reason, sim)
    # --- masters ---------------------------------------------------------------------
    status = frame["status"].astype("string").fillna("") if "status" in frame else pd.Series("", index=frame.index)
    created = pd.to_datetime(frame["created_date"]) if "created_date" in frame else pd.Series(pd.NaT, index=frame.index)
    order = pd.DataFrame({
        "root": [uf.find(i) for i in range(n)],
        "closed": (status != "open").astype(int).to_numpy(),
        "created": created.to_numpy(),
        "lead_id": frame["lead_id"].astype(str).to_numpy(),
        "pos": np.arange(n),
    }).sort_values(["root", "closed", "created", "lead_id"], kind="stable", na_position="last")
    master_pos = order.groupby("root", sort=False)["pos"].first()
    root_of = order.set_index("pos")["root"].sort_index().to_numpy()
    master_of = master_pos.reindex(root_of).to_numpy()
    ids = frame["lead_id"].astype(str).to_numpy()

    mapping = pd.DataFrame({
        "lead_id": ids,
        "company": frame["company"].astype("string").to_numpy(),
        "master_id": ids[master_of],
        "reason": ["master" if master_of[i] == i else best.get(i, ("same_name", 1.0))[0] for i in range(n)],
        "similarity": [1.0 if master_of[i] == i else float(best.get(i, ("", 1.0))[1]) for i in range(n)],
    })

    groups = order.groupby("root", sort=False)["pos"].apply(list)
    masters = frame.join(keys).iloc[master_pos.to_numpy()].copy()
    masters.index = master_pos.index
    columns = {c: frame[c].astype(object).where(frame[c].notna(), None).tolist()
               for c in (*_CONTACT, "rep_id") if c in frame}
    status_l = status.tolist()
    created_l = created.tolist()
    merged_from, other_phones, other_emails, prior = [], [], [], []
    fills: dict[str, dict[int, object]] = {c: {} for c in columns}
    for root, members in groups.items():
        m = int(master_pos[root])
        ordered = [m] + [p for p in members if p != m]
        merged_from.append([ids[p] for p in ordered])
        if len(ordered) == 1:
            other_phones.append([])
            other_emails.append([])
            prior.append(pd.NA)
            continue
        for col, values in columns.items():
            if values[m] is None:
                filler = next((values[p] for p in ordered if values[p] is not None), None)
                if filler is not None:
                    fills[col][root] = filler
        phone_m = fills.get("phone", {}).get(root, columns["phone"][m]) if "phone" in columns else None
        email_m = fills.get("email", {}).get(root, columns["email"][m]) if "email" in columns else None
        other_phones.append(_distinct((columns["phone"][p] for p in ordered), phone_m)
                            if "phone" in columns else [])
        other_emails.append(_distinct((columns["email"][p] for p in ordered), email_m)
                            if "email" in columns else [])
        closed = [p for p in ordered[1:] if status_l[p] in ("won", "lost")]
        if closed and status_l[m] == "open":
            last = max(closed, key=lambda p: (pd.Timestamp(created_l[p]) if not pd.isna(created_l[p])
                                              else pd.Timestamp.min, ids[p]))
            prior.append(status_l[last])
        else:
            prior.append(pd.NA)
    for col, values in fills.items():
        if values:
            masters.loc[list(values), col] = list(values.values())
    masters["merged_from"] = merged_from
    masters["n_records"] = np.asarray([len(x) for x in merged_from], dtype=np.int64)
    masters["other_phones"] = other_phones
    masters["other_emails"] = other_emails
    masters["prior_status"] = pd.array(prior, dtype="string")
    if "phone" in masters:
        masters["phone_key"] = normalize_phone(masters["phone"], country_code=country_code).fillna("")
    if "email" in masters:
        masters["email_key"] = normalize_email(masters["email"]).fillna("")

    # --- possible duplicates (not merged) ---------------------------------------------
    poss = pd.DataFrame([(ids[i], ids[j], reason, sim) for i, j, reason, sim in possible
                         if uf.find(i) != uf.find(j)],
                        columns=["lead_id", "other_id", "reason", "similarity"])
    poss = poss.drop_duplicates(["lead_id", "other_id"]).reset_index(drop=True)
    partner: dict[str, str] = {}
    for a, b in zip(poss["lead_id"], poss["other_id"], strict=True):
        partner.setdefault(a, b)
        partner.setdefault(b, a)
    masters["possible_duplicate_of"] = pd.array(
        [next((partner[ids[p]] for p in groups[r] if ids[p] in partner), pd.NA) for r in masters.index],
        dtype="string")

    # --- existing customers -----------------------------------------------------------
    matches = _customer_matches(frame, keys, customers, threshold=threshold, country_code=country_code)
    by_lead = matches.drop_duplicates("lead_id").set_index("lead_id") if len(matches) else None
    cust_id, cust_reason = [], []
    for r in masters.index:
        hit = None
        if by_lead is not None:
            hits = [ids[p] for p in groups[r] if ids[p] in by_lead.index]
            hit = by_lead.loc[hits[0]] if hits else None
        cust_id.append(pd.NA if hit is None else hit["customer_id"])
        cust_reason.append(pd.NA if hit is None else hit["reason"])
    masters["existing_customer_id"] = pd.array(cust_id, dtype="string")
    masters["customer_reason"] = pd.array(cust_reason, dtype="string")
    masters = masters.sort_values("lead_id", kind="stable").reset_index(drop=True)
    return Dedup(leads=masters, mapping=mapping, possible=poss, customers=matches)


def _customer_matches(leads: pd.DataFrame, lead_keys: pd.DataFrame, customers: pd.DataFrame | None, *,
                      threshold: float, country_code: str) -> pd.DataFrame:
    cols = ["lead_id", "customer_id", "reason", "similarity"]
    if customers is None or customers.empty or "customer_id" not in customers:
        return pd.DataFrame(columns=cols)
    cust = customers.reset_index(drop=True)
    ckeys = _keys(cust, "name", country_code)
    lead_ids = leads["lead_id"].astype(str).tolist()
    cust_ids = cust["customer_id"].astype(str).tolist()
    found: dict[int, tuple[str, str, float]] = {}

    c_phone = ckeys["phone_key"].tolist() if "phone" in cust else [""] * len(cust)
    c_pos = {cid: k for k, cid in enumerate(cust_ids)}
    l_phone = lead_keys["phone_key"].tolist()

    def add(i: int, cid: str, reason: str, sim: float) -> None:
        if reason != "same_phone" and _conflict(l_phone[i], c_phone[c_pos[cid]]):
            return
        if reason == "same_email" and not _email_link_ok(lead_keys["email_key"].iat[i],
                                                         lead_keys["name_key"].iat[i],
                                                         ckeys["name_key"].iat[c_pos[cid]]):
            return
        cur = found.get(i)
        if cur is None or _STRENGTH[reason] < _STRENGTH[cur[1]]:
            found[i] = (cid, reason, sim)

    for key, reason in (("phone_key", "same_phone"), ("email_key", "same_email")):
        if (key == "phone_key" and "phone" not in cust) or (key == "email_key" and "email" not in cust):
            continue
        index: dict[str, str] = {}
        for v, cid in zip(ckeys[key], cust_ids, strict=True):
            if v and v not in index:
                index[v] = cid
        for i, v in enumerate(lead_keys[key]):
            if v and v in index:
                add(i, index[v], reason, 1.0)
    # names: identical keys by lookup, then near-identical ones blocked by province
    c_region = (cust["region_id"].astype("string").fillna("").tolist() if "region_id" in cust
                else [""] * len(cust))
    exact = {}
    for k, b, cid in zip(ckeys["name_key"], c_region, cust_ids, strict=True):
        if k:
            exact.setdefault((b, _sorted_words(k)), cid)
    for i, (k, b) in enumerate(zip(lead_keys["name_key"], leads["region_id"].astype("string").fillna(""),
                                   strict=True)):
        hit = exact.get((b, _sorted_words(k))) if k else None
        if hit is not None:
            add(i, hit, "same_name", 1.0)
    n = len(leads)
    keys = lead_keys["name_key"].tolist() + ckeys["name_key"].tolist()
    blocks = leads["region_id"].astype("string").fillna("").tolist() + c_region
    for i, j, sim in _similar_names(keys, blocks, threshold):
        if (i < n) == (j < n):
            continue
        li, cj = (i, j - n) if i < n else (j, i - n)
        add(li, cust_ids[cj], "same_name" if sim >= 1.0 else "similar_name", sim)
    rows = [(lead_ids[i], cid, reason, sim) for i, (cid, reason, sim) in sorted(found.items())]
    return pd.DataFrame(rows, columns=cols)
