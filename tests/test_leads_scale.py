"""The lead scorer's fast paths give what the straightforward ones gave (issue #15 part 3)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from test_leads import synthetic

from salesnb import leads
from salesnb.leads import clean, score


def explain_row_by_row(scorer: leads.LeadScorer, X: pd.DataFrame, *, top: int, min_effect: float,
                       lang: str) -> tuple[list[list[str]], list[list[str]]]:
    """The explanations as first written: one lead at a time, every phrase built anew."""
    contrib = scorer.grouped(scorer.contributions(X))
    values, names = contrib.to_numpy(), list(contrib.columns)
    positive, negative = [], []
    for r in range(len(X)):
        row = values[r]
        order = np.argsort(-np.abs(row), kind="stable")
        pos = [j for j in order if row[j] >= min_effect][:top]
        neg = [j for j in order if row[j] <= -min_effect][:top]
        positive.append([scorer.phrase(names[j], X[names[j]].iat[r], lang=lang) for j in pos])
        negative.append([scorer.phrase(names[j], X[names[j]].iat[r], lang=lang) for j in neg])
    return positive, negative


@pytest.fixture(scope="module")
def history() -> tuple[pd.DataFrame, np.ndarray]:
    """Return 600 synthetic closed leads (missing values included)."""
    return synthetic(600, seed=3)


@pytest.mark.parametrize("mode", ["rules", "bayes", "model"])
@pytest.mark.parametrize(("top", "min_effect", "lang"), [(3, 0.05, "en"), (1, 0.0, "es"), (5, 0.3, "en")])
def test_explain_equals_the_row_by_row_explanations(history, mode: str, top: int, min_effect: float,
                                                    lang: str) -> None:
    """Explanations built with shared phrases equal those built one lead at a time."""
    X, y = history
    scorer = leads.LeadScorer(mode=mode).fit(X, y)
    got = scorer.explain(X, top=top, min_effect=min_effect, lang=lang)
    positive, negative = explain_row_by_row(scorer, X, top=top, min_effect=min_effect, lang=lang)
    assert got["positive"].tolist() == positive
    assert got["negative"].tolist() == negative


def test_contributions_in_blocks_equal_the_whole(history, monkeypatch) -> None:
    """Model contributions computed a block of leads at a time equal those of all at once.

    Equal to the last bits or so: the models' matrix products round a row slightly
    differently in batches of another size (as the contributions always did: a lead's
    log-odds alone and in the stacked frame). Up to ``_CONTRIB_CHUNK`` leads (the 10x
    sample's 18,783 open leads) there is one block, the computation as before.
    """
    X, y = history
    whole = leads.LeadScorer(mode="model").fit(X, y).contributions(X)
    monkeypatch.setattr(score, "_CONTRIB_CHUNK", 70)
    blocks = leads.LeadScorer(mode="model").fit(X, y).contributions(X)
    pd.testing.assert_frame_equal(blocks, whole, check_exact=False, rtol=1e-12, atol=1e-12)


def test_contributions_are_recalled_for_the_same_leads_in_any_order(history) -> None:
    """A second call on the same leads, reordered or a subset, gives their rows of the first call."""
    X, y = history
    scorer = leads.LeadScorer(mode="model").fit(X, y)
    whole = scorer.contributions(X)
    again = X.iloc[np.random.default_rng(0).permutation(len(X))[:400]]
    pd.testing.assert_frame_equal(scorer.contributions(again), whole.loc[again.index], check_exact=True)
    fresh = leads.LeadScorer(mode="model").fit(X, y).contributions(again)
    pd.testing.assert_frame_equal(scorer.contributions(again), fresh, check_exact=False, rtol=1e-12, atol=1e-12)
    changed = again.assign(est_investment=again["est_investment"] * 2)
    other = leads.LeadScorer(mode="model").fit(X, y)
    other.contributions(changed.head(1))  # a memo of another frame, so both compute ``changed`` alike
    pd.testing.assert_frame_equal(scorer.contributions(changed), other.contributions(changed), check_exact=True)


def test_refit_forgets_the_recalled_contributions(history) -> None:
    """Fitting again never answers with contributions of the model fitted before."""
    X, y = history
    scorer = leads.LeadScorer(mode="model").fit(X, y)
    before = scorer.contributions(X)
    after = scorer.fit(X, ~y).contributions(X)
    assert not np.allclose(before.to_numpy(), after.to_numpy())


def candidate_pairs_as_first_written(keys: list[str], blocks: list[str], *, window: int = 4,
                                     max_block: int = 60) -> set[tuple[int, int]]:
    """The de-duplication's candidate pairs as a set of tuples, as first written."""
    by_block: dict[str, list[int]] = {}
    for i, b in enumerate(blocks):
        if keys[i]:
            by_block.setdefault(b, []).append(i)
    pairs: set[tuple[int, int]] = set()
    for members in by_block.values():
        df: dict[str, int] = {}
        for i in members:
            for w in set(keys[i].split()):
                df[w] = df.get(w, 0) + 1
        index: dict[str, list[int]] = {}
        for i in members:
            rare = min(set(keys[i].split()), key=lambda w: (df[w], w))
            if df[rare] <= max_block:
                index.setdefault(rare, []).append(i)
        for ids in index.values():
            pairs.update((min(i, j), max(i, j)) for a, i in enumerate(ids) for j in ids[a + 1:])
        for sort_key in (lambda i: (clean._sorted_words(keys[i]), i), lambda i: (keys[i][::-1], i)):
            ordered = sorted(members, key=sort_key)
            for a in range(len(ordered)):
                for b in range(a + 1, min(a + 1 + window, len(ordered))):
                    pairs.add((min(ordered[a], ordered[b]), max(ordered[a], ordered[b])))
    return pairs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_candidate_pairs_equal_the_set_of_tuples(seed: int) -> None:
    """The pairs as integer codes equal the set of tuples, sorted, with empty names and tiny blocks."""
    rng = np.random.default_rng(seed)
    words = ["bar", "cafe", "sol", "luna", "mar", "norte", "sur", "casa", "pepe", "ana", "garcia", "lopez"]
    keys = [" ".join(rng.choice(words, rng.integers(0, 4))) for _ in range(400)]
    blocks = rng.choice(["P1", "P2", "P3", "P4"], 400).tolist()
    blocks[:3] = ["only1", "only2", "only3"]
    expected = np.array(sorted(candidate_pairs_as_first_written(keys, blocks, max_block=15)),
                        dtype=np.int64).reshape(-1, 2)
    np.testing.assert_array_equal(clean._candidate_pairs(keys, blocks, max_block=15), expected)
    assert clean._candidate_pairs(["", ""], ["P1", "P1"]).shape == (0, 2)
