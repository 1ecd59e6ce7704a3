"""Leverage banding called directly (graph.analytics.leverage.shown_count): a count never pins
down a small number of hidden members or contracts, whatever the minimum (the counts on the
sample: tests/api/analytics/test_leverage.py)."""

from __future__ import annotations

import pytest

from graph.analytics.leverage import shown_count


@pytest.mark.parametrize("minimum", [2, 3, 5])
def test_an_exact_count_hides_none_or_at_least_the_minimum(minimum: int) -> None:
    for known in range(0, 12):
        for hidden in range(0, 12):
            shown = shown_count(known + hidden, known, minimum)
            if shown.exact is not None:
                assert shown.exact == known + hidden
                assert hidden == 0 or hidden >= minimum


@pytest.mark.parametrize("minimum", [2, 3, 5])
def test_every_small_hidden_count_shows_the_same_band(minimum: int) -> None:
    """Given what the viewer knows, 1..minimum-1 hidden are indistinguishable, and the band
    says the range they cover."""
    for known in range(0, 12):
        shown = {shown_count(known + h, known, minimum) for h in range(1, minimum)}
        assert len(shown) == 1
        (band,) = shown
        assert band.exact is None
    assert shown_count(2, 0, 3).band == "fewer than 3"
    assert shown_count(3, 2, 3).band == "3 to 4"


def test_known_beyond_total_is_a_bug_not_a_count() -> None:
    with pytest.raises(ValueError):
        shown_count(1, 2, 3)
