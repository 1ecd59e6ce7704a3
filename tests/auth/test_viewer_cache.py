"""The viewer cache alone: its bound in time, its bound in entries, and forgetting."""

from __future__ import annotations

from auth.viewer_cache import ViewerCache


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


ROW = {"org": {"id": "ORG-A"}, "peers": [], "consortia": []}


def test_an_entry_is_reused_until_its_bound_and_not_after() -> None:
    clock = Clock()
    cache = ViewerCache(5.0, clock=clock)
    cache.put(("ORG-A", "c", "t"), ROW)
    clock.now = 4.9
    assert cache.get(("ORG-A", "c", "t")) is ROW
    clock.now = 5.0
    assert cache.get(("ORG-A", "c", "t")) is None
    assert len(cache) == 0


def test_entries_are_bounded_least_recently_used_first_out() -> None:
    cache = ViewerCache(60.0, max_entries=3, clock=Clock())
    for i in range(3):
        cache.put(("ORG-A", "c", f"t{i}"), ROW)
    cache.get(("ORG-A", "c", "t0"))  # used: t1 is now the oldest
    for i in range(3, 1000):
        cache.put(("ORG-A", "c", f"t{i}"), ROW)
        assert len(cache) <= 3
    assert cache.get(("ORG-A", "c", "t1")) is None


def test_entries_are_bounded_in_bytes_too_whatever_their_number() -> None:
    big = {**ROW, "peers": [f"ORG-{i:06d}" for i in range(1000)]}
    cache = ViewerCache(60.0, max_entries=10_000, clock=Clock(), max_bytes=200_000)
    for i in range(100):
        cache.put(("ORG-A", "c", f"t{i}"), big)
        assert cache.bytes <= 200_000
    assert 0 < len(cache) < 100
    assert cache.get(("ORG-A", "c", "t99")) is big  # the newest stays
    assert cache.get(("ORG-A", "c", "t0")) is None  # the oldest went first
    # a row larger than the whole budget is not kept at all
    huge = {**ROW, "peers": [f"ORG-{i:06d}" for i in range(10_000)]}
    cache.put(("ORG-A", "c", "huge"), huge)
    assert cache.get(("ORG-A", "c", "huge")) is None


def test_a_revoked_token_is_forgotten_at_once_and_no_other() -> None:
    cache = ViewerCache(60.0, clock=Clock())
    cache.put(("ORG-A", "c1", "t1"), ROW)
    cache.put(("ORG-A", "c1", "t2"), ROW)
    cache.forget_token("t1")
    assert cache.get(("ORG-A", "c1", "t1")) is None
    assert cache.get(("ORG-A", "c1", "t2")) is ROW


def test_with_zero_seconds_nothing_is_kept() -> None:
    cache = ViewerCache(0.0, clock=Clock())
    cache.put(("ORG-A", "c", "t"), ROW)
    assert cache.get(("ORG-A", "c", "t")) is None
