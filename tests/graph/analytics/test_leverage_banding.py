"""Leverage banding called directly (graph.analytics.leverage): no two shown counts differ by a
small number, whatever the minimum (the counts on the sample: tests/api/analytics/test_leverage.py)."""

from __future__ import annotations

import pytest

from graph.analytics.leverage import band, band_counts


@pytest.mark.parametrize("minimum", [2, 3, 5])
def test_band_counts_never_exposes_a_small_difference(minimum: int) -> None:
    for members in range(0, 12):
        for peers in range(0, members + 1):
            a, p, _ = band_counts(members=members, peers=peers, contracts=members,
                                  minimum=minimum)
            for b in (a, p):
                assert b.exact is None or b.exact == 0 or b.exact >= minimum
            if a.exact is not None and p.exact is not None:
                assert a.exact - p.exact == 0 or a.exact - p.exact >= minimum
    assert band(2, 3).band == "fewer than 3"
