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
from dataclasses import dataclass, field

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
    """Return the similarity of two company names in [0, 1], after normalisation.

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
    """Return the similarity ratio of two sorted-word keys.

    0 when numbers differ or a word was replaced by a different word rather than
    mistyped (``hotel``/``hostal`` are two businesses).
    """
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
                     max_block: int = 60) -> np.ndarray:
    """Return the pairs (i < j) worth comparing: same block and a shared rare word or close in sort order.

    Shape (n_pairs, 2), each pair once, sorted; built as integer codes (a pair of
    leads is 8 bytes, not a Python tuple in a set: tens of millions at 100x).
    """
    n = len(keys)
    by_block: dict[str, list[int]] = defaultdict(list)
    for i, b in enumerate(blocks):
        if keys[i]:
            by_block[b].append(i)
    codes: list[np.ndarray] = [np.zeros(0, dtype=np.int64)]
    for members in by_block.values():
        if len(members) < 2:
            continue
        for ids in _rare_word_groups(keys, members, max_block):
            a, b = np.triu_indices(len(ids), k=1)
            codes.append(_pair_codes(ids[a], ids[b], n))
        # sorted neighbourhood, on the sorted words and on the reversed text (typos)
        for sort_key in (lambda i: (_sorted_words(keys[i]), i), lambda i: (keys[i][::-1], i)):
            ordered = np.array(sorted(members, key=sort_key), dtype=np.int64)
            for step in range(1, window + 1):
                codes.append(_pair_codes(ordered[:-step], ordered[step:], n))
    unique = np.unique(np.concatenate(codes))
    return np.column_stack((unique // max(n, 1), unique % max(n, 1))).astype(np.int64).reshape(-1, 2)


def _rare_word_groups(keys: list[str], members: list[int], max_block: int) -> list[np.ndarray]:
    """Return the groups of a block's names indexed under the same rarest word (of at most ``max_block``)."""
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
    return [np.array(ids, dtype=np.int64) for ids in index.values() if len(ids) > 1]


def _pair_codes(i: np.ndarray, j: np.ndarray, n: int) -> np.ndarray:
    """Return one integer per pair, ``min * n + max``: sorting the codes sorts the pairs."""
    return np.minimum(i, j) * n + np.maximum(i, j)


def _letter_filter(pairs: np.ndarray, sorted_keys: list[str], threshold: float, *,
                   chunk: int = 500_000) -> np.ndarray:
    """Return the pairs whose similarity can reach ``threshold`` by their lengths and letter counts.

    An upper bound of the ratio, vectorised, before difflib; ``chunk`` pairs at a time
    (bounded memory).
    """
    alphabet = {ch: k for k, ch in enumerate(sorted({ch for k in sorted_keys for ch in k}))}
    bags = np.zeros((len(sorted_keys), len(alphabet)), dtype=np.int32)
    for i, k in enumerate(sorted_keys):
        for ch, c in Counter(k).items():
            bags[i, alphabet[ch]] = c
    lens = bags.sum(axis=1)
    keep = []
    for start in range(0, len(pairs), chunk):
        part = pairs[start:start + chunk]
        total = lens[part[:, 0]] + lens[part[:, 1]]
        common = np.minimum(bags[part[:, 0]], bags[part[:, 1]]).sum(axis=1)
        keep.append(part[2 * common >= threshold * total])
    return np.concatenate(keep) if keep else pairs


def _similar_names(keys: list[str], blocks: list[str], threshold: float) -> list[tuple[int, int, float]]:
    """Return (i, j, similarity) for the pairs in the same block with similarity >= threshold."""
    sorted_keys = [_sorted_words(k) for k in keys]
    out = []
    exact: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, (k, b) in enumerate(zip(sorted_keys, blocks, strict=True)):
        if k:
            exact[(b, k)].append(i)
    for ids in exact.values():  # identical keys: all pairs against the first (enough to link)
        out.extend((ids[0], j, 1.0) for j in ids[1:])
    pairs = _candidate_pairs(keys, blocks)
    if len(pairs):
        pairs = _letter_filter(pairs, sorted_keys, threshold)
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
    """Return whether a shared address may link two records.

    It may unless it is a personal web-mail address used under clearly different
    company names (``jgarcia@gmail.com`` is many people).
    """
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
        """Return the number of lead records before de-duplication."""
        return len(self.mapping)

    @property
    def n_merged(self) -> int:
        """Return the number of records folded into another one (originals minus masters)."""
        return len(self.mapping) - len(self.leads)

    def open_leads(self) -> pd.DataFrame:
        """Return the masters still open that are not customers already: the list to work."""
        lead = self.leads
        keep = (lead["status"] == "open").fillna(False) if "status" in lead else pd.Series(True, index=lead.index)
        keep &= lead["existing_customer_id"].isna()
        return lead.loc[keep].reset_index(drop=True)

    def customer_leads(self) -> pd.DataFrame:
        """Return the open masters that match an existing customer (hand them to the account's rep)."""
        lead = self.leads
        keep = lead["existing_customer_id"].notna()
        if "status" in lead:
            keep &= (lead["status"] == "open").fillna(False)
        return lead.loc[keep].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """Return the counts by reason: ``reason, records`` (``master`` is the number of distinct contacts)."""
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
    keys = _keys(frame, "company", country_code)
    links = _link_leads(keys, frame["region_id"].astype("string").fillna("").tolist(), threshold)
    groups = _group(frame, links.groups)
    masters = _masters(frame, keys, groups, country_code)
    possible = _possible_pairs(links, groups.ids)
    masters["possible_duplicate_of"] = _possible_partner(possible, groups, masters.index)
    matches = _customer_matches(frame, keys, customers, threshold=threshold, country_code=country_code)
    customer_id, customer_reason = _customer_columns(matches, groups, masters.index)
    masters["existing_customer_id"] = customer_id
    masters["customer_reason"] = customer_reason
    masters = masters.sort_values("lead_id", kind="stable").reset_index(drop=True)
    return Dedup(leads=masters, mapping=_mapping(frame, groups, links.best), possible=possible, customers=matches)


# --------------------------------------------------------------------------- links between leads


@dataclass
class _Links:
    """How the records of a lead list are linked.

    Attributes
    ----------
    groups : _UnionFind
        The groups of records that are one contact.
    best : dict of int to (str, float)
        Each linked record's strongest reason and its similarity.
    possible : list of (int, int, str, float)
        Pairs left for a person to check: positions, reason, similarity.
    """

    groups: _UnionFind
    best: dict[int, tuple[str, float]]
    possible: list[tuple[int, int, str, float]]


def _candidates(keys: pd.DataFrame, region: list[str], threshold: float) -> list[tuple[int, int, str, float]]:
    """Return every pair of records worth linking, strongest reason first.

    Same phone, same email, then names of the same province with a similarity of
    at least ``threshold``; as ``(i, j, reason, similarity)``.
    """
    candidates: list[tuple[int, int, str, float]] = []
    for reason, column in (("same_phone", "phone_key"), ("same_email", "email_key")):
        candidates.extend((i, j, reason, 1.0) for i, j in _exact_pairs(keys[column].tolist()))
    candidates.extend((i, j, "same_name" if sim >= 1.0 else "similar_name", sim)
                      for i, j, sim in _similar_names(keys["name_key"].tolist(), region, threshold))
    candidates.sort(key=lambda e: (_STRENGTH[e[2]], -e[3], e[0], e[1]))
    return candidates


def _link_leads(keys: pd.DataFrame, region: list[str], threshold: float) -> _Links:
    """Join records into groups, strongest links first, never across different phones.

    A web-mail address shared under different names links nothing; near-identical
    names with different emails, and a shared email with different phones, become
    possible duplicates instead.
    """
    name_key, phone_key, email_key = (keys[c].tolist() for c in ("name_key", "phone_key", "email_key"))
    uf = _UnionFind(len(keys), phone_key)
    edges: list[tuple[int, int, str, float]] = []
    possible = []
    for i, j, reason, sim in _candidates(keys, region, threshold):
        if reason == "same_email" and not _email_link_ok(email_key[i], name_key[i], name_key[j]):
            continue
        if reason == "similar_name" and _conflict(email_key[i], email_key[j]):
            possible.append((i, j, "other_email", sim))
            continue
        if uf.union(i, j):
            edges.append((i, j, reason, sim))
        elif reason == "same_email":  # same name only, other phone: usually two businesses
            possible.append((i, j, "other_phone", sim))
    return _Links(groups=uf, best=_strongest(edges), possible=possible)


def _strongest(edges: list[tuple[int, int, str, float]]) -> dict[int, tuple[str, float]]:
    """Return each linked record's strongest reason and its similarity."""
    best: dict[int, tuple[str, float]] = {}
    for i, j, reason, sim in edges:
        for k in (i, j):
            cur = best.get(k)
            if cur is None or _STRENGTH[reason] < _STRENGTH[cur[0]]:
                best[k] = (reason, sim)
    return best


# --------------------------------------------------------------------------- masters


@dataclass
class _Groups:
    """The groups of a lead list and the master of each.

    Attributes
    ----------
    ids : ndarray of str
        Lead ids by position.
    status, created : Series
        Status (``""`` when missing) and creation date by position.
    master_pos : Series
        Group root -> position of its master.
    members : Series
        Group root -> positions of its records.
    master_of : ndarray of int
        Position -> position of its master.
    """

    ids: np.ndarray
    status: pd.Series
    created: pd.Series
    master_pos: pd.Series
    members: pd.Series
    master_of: np.ndarray


def _group(frame: pd.DataFrame, uf: _UnionFind) -> _Groups:
    """Pick each group's master: an open lead if any, then the earliest created, then the lowest id."""
    n = len(frame)
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
    return _Groups(ids=frame["lead_id"].astype(str).to_numpy(), status=status, created=created,
                   master_pos=master_pos, members=order.groupby("root", sort=False)["pos"].apply(list),
                   master_of=master_pos.reindex(root_of).to_numpy())


def _mapping(frame: pd.DataFrame, groups: _Groups, best: dict[int, tuple[str, float]]) -> pd.DataFrame:
    """Return one row per original lead: ``lead_id, company, master_id, reason, similarity``."""
    ids, master_of = groups.ids, groups.master_of
    n = len(ids)
    return pd.DataFrame({
        "lead_id": ids,
        "company": frame["company"].astype("string").to_numpy(),
        "master_id": ids[master_of],
        "reason": ["master" if master_of[i] == i else best.get(i, ("same_name", 1.0))[0] for i in range(n)],
        "similarity": [1.0 if master_of[i] == i else float(best.get(i, ("", 1.0))[1]) for i in range(n)],
    })


@dataclass
class _Merged:
    """What the records of each group add to its master, in the order of the groups."""

    fills: dict[str, dict[int, object]]
    merged_from: list[list[str]] = field(default_factory=list)
    other_phones: list[list[str]] = field(default_factory=list)
    other_emails: list[list[str]] = field(default_factory=list)
    prior: list[object] = field(default_factory=list)


def _masters(frame: pd.DataFrame, keys: pd.DataFrame, groups: _Groups, country_code: str) -> pd.DataFrame:
    """Return the master of each group with what its other records add (indexed by group root)."""
    masters = frame.join(keys).iloc[groups.master_pos.to_numpy()].copy()
    masters.index = groups.master_pos.index
    columns = {c: frame[c].astype(object).where(frame[c].notna(), None).tolist()
               for c in (*_CONTACT, "rep_id") if c in frame}
    merged = _merge_groups(groups, columns)
    for col, values in merged.fills.items():
        if values:
            masters.loc[list(values), col] = list(values.values())
    masters["merged_from"] = merged.merged_from
    masters["n_records"] = np.asarray([len(x) for x in merged.merged_from], dtype=np.int64)
    masters["other_phones"] = merged.other_phones
    masters["other_emails"] = merged.other_emails
    masters["prior_status"] = pd.array(merged.prior, dtype="string")
    if "phone" in masters:
        masters["phone_key"] = normalize_phone(masters["phone"], country_code=country_code).fillna("")
    if "email" in masters:
        masters["email_key"] = normalize_email(masters["email"]).fillna("")
    return masters


def _merge_groups(groups: _Groups, columns: dict[str, list[object]]) -> _Merged:
    """Collect, group by group, the ids merged, the contact details to fill and keep, the prior outcome."""
    status, created, ids = groups.status.tolist(), groups.created.tolist(), groups.ids
    merged = _Merged(fills={c: {} for c in columns})
    for root, members in groups.members.items():
        m = int(groups.master_pos[root])
        ordered = [m] + [p for p in members if p != m]
        merged.merged_from.append([ids[p] for p in ordered])
        if len(ordered) == 1:
            merged.other_phones.append([])
            merged.other_emails.append([])
            merged.prior.append(pd.NA)
            continue
        _fill_master(columns, merged.fills, root, ordered)
        merged.other_phones.append(_other_contacts(columns, merged.fills, "phone", root, ordered))
        merged.other_emails.append(_other_contacts(columns, merged.fills, "email", root, ordered))
        merged.prior.append(_prior_status(ordered, status, created, ids))
    return merged


def _fill_master(columns: dict[str, list[object]], fills: dict[str, dict[int, object]], root: int,
                 ordered: list[int]) -> None:
    """Note, for each empty contact field of the master (``ordered[0]``), the first value of its group."""
    m = ordered[0]
    for col, values in columns.items():
        if values[m] is None:
            filler = next((values[p] for p in ordered if values[p] is not None), None)
            if filler is not None:
                fills[col][root] = filler


def _other_contacts(columns: dict[str, list[object]], fills: dict[str, dict[int, object]], col: str, root: int,
                    ordered: list[int]) -> list[str]:
    """Return the group's other values of ``col`` (``phone`` or ``email``), the master's left out."""
    if col not in columns:
        return []
    kept = fills[col].get(root, columns[col][ordered[0]])
    return _distinct((columns[col][p] for p in ordered), kept)


def _prior_status(ordered: list[int], status: list[str], created: list[object], ids: np.ndarray) -> object:
    """Return ``won``/``lost`` of the latest closed record when the master is open, else NA."""
    closed = [p for p in ordered[1:] if status[p] in ("won", "lost")]
    if not closed or status[ordered[0]] != "open":
        return pd.NA
    last = max(closed, key=lambda p: (pd.Timestamp(created[p]) if not pd.isna(created[p]) else pd.Timestamp.min,
                                      ids[p]))
    return status[last]


# --------------------------------------------------------------------------- possible duplicates (not merged)


def _possible_pairs(links: _Links, ids: np.ndarray) -> pd.DataFrame:
    """Return the pairs left for a person that did not end in one group: ``lead_id, other_id, reason, similarity``."""
    uf = links.groups
    poss = pd.DataFrame([(ids[i], ids[j], reason, sim) for i, j, reason, sim in links.possible
                         if uf.find(i) != uf.find(j)],
                        columns=["lead_id", "other_id", "reason", "similarity"])
    return poss.drop_duplicates(["lead_id", "other_id"]).reset_index(drop=True)


def _possible_partner(possible: pd.DataFrame, groups: _Groups, roots: pd.Index) -> pd.api.extensions.ExtensionArray:
    """Return, for each group root, the first possible duplicate of one of its records (or NA)."""
    partner: dict[str, str] = {}
    for a, b in zip(possible["lead_id"], possible["other_id"], strict=True):
        partner.setdefault(a, b)
        partner.setdefault(b, a)
    ids = groups.ids
    return pd.array([next((partner[ids[p]] for p in groups.members[r] if ids[p] in partner), pd.NA) for r in roots],
                    dtype="string")


# --------------------------------------------------------------------------- existing customers


def _customer_columns(matches: pd.DataFrame, groups: _Groups,
                      roots: pd.Index) -> tuple[pd.api.extensions.ExtensionArray, pd.api.extensions.ExtensionArray]:
    """Return the customer id and reason of each group root: its first record that matches a customer."""
    by_lead = matches.drop_duplicates("lead_id").set_index("lead_id") if len(matches) else None
    ids = groups.ids
    cust_id, cust_reason = [], []
    for r in roots:
        hit = None
        if by_lead is not None:
            hits = [ids[p] for p in groups.members[r] if ids[p] in by_lead.index]
            hit = by_lead.loc[hits[0]] if hits else None
        cust_id.append(pd.NA if hit is None else hit["customer_id"])
        cust_reason.append(pd.NA if hit is None else hit["reason"])
    return pd.array(cust_id, dtype="string"), pd.array(cust_reason, dtype="string")


class _CustomerHits:
    """The best customer of each lead: strongest reason first, never across different phones."""

    def __init__(self, lead_keys: pd.DataFrame, cust_keys: pd.DataFrame, cust_ids: list[str],
                 cust_phones: bool) -> None:
        self.lead_keys, self.cust_keys = lead_keys, cust_keys
        self.lead_phone = lead_keys["phone_key"].tolist()
        self.cust_phone = cust_keys["phone_key"].tolist() if cust_phones else [""] * len(cust_keys)
        self.cust_pos = {cid: k for k, cid in enumerate(cust_ids)}
        self.found: dict[int, tuple[str, str, float]] = {}

    def add(self, i: int, cid: str, reason: str, sim: float) -> None:
        """Match lead ``i`` to customer ``cid`` unless phones conflict or a stronger match is known."""
        k = self.cust_pos[cid]
        if reason != "same_phone" and _conflict(self.lead_phone[i], self.cust_phone[k]):
            return
        if reason == "same_email" and not _email_link_ok(self.lead_keys["email_key"].iat[i],
                                                         self.lead_keys["name_key"].iat[i],
                                                         self.cust_keys["name_key"].iat[k]):
            return
        cur = self.found.get(i)
        if cur is None or _STRENGTH[reason] < _STRENGTH[cur[1]]:
            self.found[i] = (cid, reason, sim)


def _customer_matches(leads: pd.DataFrame, lead_keys: pd.DataFrame, customers: pd.DataFrame | None, *,
                      threshold: float, country_code: str) -> pd.DataFrame:
    """Return the leads that match a customer: ``lead_id, customer_id, reason, similarity``."""
    cols = ["lead_id", "customer_id", "reason", "similarity"]
    if customers is None or customers.empty or "customer_id" not in customers:
        return pd.DataFrame(columns=cols)
    cust = customers.reset_index(drop=True)
    ckeys = _keys(cust, "name", country_code)
    cust_ids = cust["customer_id"].astype(str).tolist()
    hits = _CustomerHits(lead_keys, ckeys, cust_ids, "phone" in cust)
    for key, reason, column in (("phone_key", "same_phone", "phone"), ("email_key", "same_email", "email")):
        if column in cust:
            _match_exact(hits, lead_keys[key], ckeys[key], cust_ids, reason)
    _match_names(hits, leads, cust, ckeys, cust_ids, threshold)
    lead_ids = leads["lead_id"].astype(str).tolist()
    rows = [(lead_ids[i], cid, reason, sim) for i, (cid, reason, sim) in sorted(hits.found.items())]
    return pd.DataFrame(rows, columns=cols)


def _match_exact(hits: _CustomerHits, lead_values: pd.Series, cust_values: pd.Series, cust_ids: list[str],
                 reason: str) -> None:
    """Match leads to the first customer with the same phone or email key."""
    index: dict[str, str] = {}
    for v, cid in zip(cust_values, cust_ids, strict=True):
        if v and v not in index:
            index[v] = cid
    for i, v in enumerate(lead_values):
        if v and v in index:
            hits.add(i, index[v], reason, 1.0)


def _match_names(hits: _CustomerHits, leads: pd.DataFrame, cust: pd.DataFrame, ckeys: pd.DataFrame,
                 cust_ids: list[str], threshold: float) -> None:
    """Match leads to customers by name in the same province: identical keys, then near-identical ones."""
    lead_keys = hits.lead_keys
    c_region = (cust["region_id"].astype("string").fillna("").tolist() if "region_id" in cust
                else [""] * len(cust))
    exact = {}
    for k, b, cid in zip(ckeys["name_key"], c_region, cust_ids, strict=True):
        if k:
            exact.setdefault((b, _sorted_words(k)), cid)
    l_region = leads["region_id"].astype("string").fillna("")
    for i, (k, b) in enumerate(zip(lead_keys["name_key"], l_region, strict=True)):
        hit = exact.get((b, _sorted_words(k))) if k else None
        if hit is not None:
            hits.add(i, hit, "same_name", 1.0)
    n = len(leads)
    keys = lead_keys["name_key"].tolist() + ckeys["name_key"].tolist()
    for i, j, sim in _similar_names(keys, l_region.tolist() + c_region, threshold):
        if (i < n) == (j < n):
            continue
        li, cj = (i, j - n) if i < n else (j, i - n)
        hits.add(li, cust_ids[cj], "same_name" if sim >= 1.0 else "similar_name", sim)
