"""The matcher's figures on a labelled registry (`bench/registry_set.py`): precision,
recall and F1 of automatic matches, the review share, and merges of distinct sites into an
empty registry. Each row is decided as `supplygraph import sites` decides it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from bench.registry_set import LabelledRegistry
from graph.sites.matching import MATCHED, NEEDS_CONFIRMATION, SiteIndex, decide
from seeds.matching_set import Accuracy


@dataclass
class Figures(Accuracy):
    rows: int
    tp: int = 0  # matched automatically to the right site
    fp: int = 0  # matched automatically to a wrong site
    fn: int = 0  # a known site, not matched automatically to it
    review: int = 0  # sent to review
    review_has_truth: int = 0  # ... with the right site among the candidates
    false_by_kind: Counter[str] = field(default_factory=Counter)
    missed_by_noise: Counter[str] = field(default_factory=Counter)

    @property
    def review_share(self) -> float:
        return self.review / self.rows if self.rows else 0.0


def evaluate(data: LabelledRegistry, *, low: float, high: float,
             registry: bool = True) -> Figures:
    """Each row decided as an import decides it (`SiteIndex` of the registry, plus the rows
    created before it). A row whose truth is an earlier row that went to review is new as
    far as the matcher can know: created is right for it, matched is wrong."""
    index = SiteIndex()
    for s in data.sites if registry else ():
        index.add(s.key())
    # A row is the same site as its truth; a created row stands for what it is a copy of,
    # so a later copy matched to an earlier created copy is right.
    canon = {s.id: s.id for s in data.sites} if registry else {}
    present = set(canon)
    f = Figures(len(data.rows))
    for row in data.rows:
        d = decide(row.key, index.near(row.key), low=low, high=high)
        same = canon.get(row.truth, row.truth) if row.truth else row.key.id
        truth = same if same in present else None
        if d.outcome == MATCHED:
            assert d.best is not None
            if canon.get(d.best.id) == truth:
                f.tp += 1
                continue
            f.fp += 1
            f.false_by_kind[row.kind.split(":")[0] if truth is None else "wrong site"] += 1
        if truth is not None:
            f.fn += 1
            f.missed_by_noise.update(row.kind.split(":")[-1].split("+"))
        if d.outcome == NEEDS_CONFIRMATION:
            f.review += 1
            f.review_has_truth += any(canon.get(c.id) == truth for c in d.candidates)
        elif d.outcome != MATCHED:
            index.add(row.key)
            canon[row.key.id] = same
            present.add(same)
    return f


def merges_into_empty(data: LabelledRegistry, *, low: float, high: float) -> tuple[int, int]:
    """The registry's own (distinct) sites imported into an empty registry: (automatic
    matches, that is merges of two distinct sites; rows sent to review)."""
    index = SiteIndex()
    merged = review = 0
    for s in data.sites:
        key = s.key()
        d = decide(key, index.near(key), low=low, high=high)
        if d.outcome == MATCHED:
            merged += 1
        elif d.outcome == NEEDS_CONFIRMATION:
            review += 1
        else:
            index.add(key)
    return merged, review
