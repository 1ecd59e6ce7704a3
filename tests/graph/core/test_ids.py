"""Site ids (graph.core.ids): the documented shape and a check character that catches typos."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from graph.core.ids import _B32, check_character, is_valid_site_id, new_site_id
from seeds import sample


# ----- site ids ----------------------------------------------------------------------------
def test_site_id_has_the_documented_shape():
    sid = new_site_id("CN")
    assert len(sid) == 15 and sid[:2] == "CN" and is_valid_site_id(sid)


@given(st.sampled_from(["CN", "VN", "MY", "TH", "PH", "MX", "CZ", "IN"]),
       st.integers(min_value=0, max_value=14), st.sampled_from(list("0123456789ABCDEFGHJKMNPQRSTVWXYZ")))
def test_a_mistyped_character_in_a_site_id_is_caught(cc: str, pos: int, ch: str):
    sid = new_site_id(cc)
    typo = sid[:pos] + ch + sid[pos + 1:]
    if typo != sid:
        assert not is_valid_site_id(typo)


@given(st.integers(min_value=2, max_value=13))
def test_swapped_neighbours_in_a_site_id_are_caught(pos: int):
    sid = new_site_id("VN")
    swapped = sid[:pos] + sid[pos + 1] + sid[pos] + sid[pos + 2:]
    if swapped != sid:
        assert not is_valid_site_id(swapped)


def test_check_character_matches_the_sample_constants():
    for sid in (sample.SITE_KUNSHAN, sample.SITE_TINFIELD, sample.SITE_RED_DELTA):
        assert check_character(sid[:-1]) == sid[-1]
        assert all(c in _B32 for c in sid[9:14])
