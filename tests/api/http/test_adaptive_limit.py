"""The arithmetic of the adaptive bound on requests in flight (supplygraph/http/adaptive_limit.py),
driven by given latencies and times: no clock, no server."""

from __future__ import annotations

import pytest

from supplygraph.http.adaptive_limit import AdaptiveLimit, process_share


def _slow(limit: AdaptiveLimit, started: float, in_flight: int = 8) -> None:
    limit.finished(started, started + 1.5, in_flight)  # target 1 s in these tests


def _fast(limit: AdaptiveLimit, times: int, in_flight: int = 8) -> None:
    for _ in range(times):
        limit.finished(100.0, 100.2, in_flight)


def test_a_process_of_n_workers_admits_its_share_of_the_hosts_bound() -> None:
    assert process_share(16, 1) == 16
    assert process_share(16, 2) == 8
    assert process_share(16, 3) == 5  # never more than the host's bound in total
    assert process_share(4, 64) == 1  # and never nothing


def test_a_new_process_admits_its_whole_share() -> None:
    limit = AdaptiveLimit(ceiling=8, floor=2, target=1.0)
    assert limit.limit == 8
    assert limit.admits(7)
    assert not limit.admits(8)


def test_a_request_slower_than_the_target_halves_the_limit() -> None:
    limit = AdaptiveLimit(ceiling=8, floor=2, target=1.0)
    _slow(limit, started=0.0)
    assert limit.limit == 4
    assert limit.decreases == 1
    assert not limit.admits(4)


def test_requests_admitted_before_a_halving_do_not_halve_it_again() -> None:
    # given eight requests admitted together, all slow: one round
    limit = AdaptiveLimit(ceiling=8, floor=1, target=1.0)
    for i in range(8):
        limit.finished(0.0, 1.5 + i / 100, 8)
    # then the limit was halved once, not eight times
    assert limit.limit == 4
    # and a slow request admitted after that halving halves it again
    _slow(limit, started=1.6)
    assert limit.limit == 2


def test_the_limit_never_falls_below_the_floor() -> None:
    limit = AdaptiveLimit(ceiling=16, floor=3, target=1.0)
    for round_ in range(10):
        _slow(limit, started=10.0 * round_)
    assert limit.limit == 3


def test_fast_requests_raise_the_limit_by_about_one_per_round_up_to_the_ceiling() -> None:
    limit = AdaptiveLimit(ceiling=8, floor=2, target=1.0)
    _slow(limit, started=0.0)
    assert limit.limit == 4
    # a round of fast requests at a limit of 4 adds one (1/4, then 1/4.25, ...)
    _fast(limit, 4)
    assert limit.limit == 4
    _fast(limit, 1)
    assert limit.limit == 5
    # and no number of them passes the ceiling
    _fast(limit, 1000)
    assert limit.limit == 8


def test_fast_requests_while_the_limit_is_mostly_unused_do_not_raise_it() -> None:
    limit = AdaptiveLimit(ceiling=8, floor=2, target=1.0)
    _slow(limit, started=0.0)
    # one request in flight of a limit of 4: no evidence that more would be fast
    _fast(limit, 100, in_flight=1)
    assert limit.limit == 4
    # two of four is using it
    _fast(limit, 5, in_flight=2)
    assert limit.limit == 5


def test_a_request_exactly_at_the_target_is_in_time() -> None:
    limit = AdaptiveLimit(ceiling=8, floor=2, target=1.0)
    limit.finished(0.0, 1.0, 8)
    assert limit.limit == 8
    assert limit.decreases == 0


def test_a_target_of_zero_keeps_a_fixed_bound() -> None:
    limit = AdaptiveLimit(ceiling=8, floor=2, target=0.0)
    for round_ in range(5):
        limit.finished(10.0 * round_, 10.0 * round_ + 30.0, 8)
    assert limit.limit == 8
    assert limit.decreases == 0


@pytest.mark.parametrize("floor", [0, 20])
def test_a_floor_outside_one_to_the_ceiling_is_brought_inside(floor: int) -> None:
    limit = AdaptiveLimit(ceiling=8, floor=floor, target=1.0)
    for round_ in range(10):
        _slow(limit, started=10.0 * round_)
    assert 1 <= limit.limit <= 8
