"""Matching that asks instead of guessing (issue 13): look-alikes go to review with a
reason, identifiers and coordinates count, and the labelled registry set's figures at the
automatic threshold (deterministic: no database, no time)."""

from __future__ import annotations

import pytest

from bench.registry_eval import evaluate, merges_into_empty
from bench.registry_set import labelled_registry
from graph.sites.matching import MATCHED, NEEDS_CONFIRMATION, SiteKey, decide
from supplygraph.settings import Settings

SETTINGS = Settings(_env_file=None)  # type: ignore[call-arg]
KW = {"low": SETTINGS.match_low, "high": SETTINGS.match_high}


def site(name: str, address: str | None, *, id_: str = "S1", country: str = "MY",
         city: str | None = "Kulim", idents: tuple[str, ...] = (),
         at: tuple[float, float] | None = None) -> SiteKey:
    return SiteKey.of(id=id_, name=name, country=country, address=address, city=city,
                      idents=idents, lat=at[0] if at else None, lon=at[1] if at else None)


REGISTERED = site("Kestrel Display (Kulim) Sdn Bhd", "12 Jalan Hi-Tech 6")


def test_a_noisy_copy_of_a_registered_site_is_matched_automatically() -> None:
    row = site("KESTREL DISPLAY (KULIM) SDN. BHD", "Suite 3, 12 Jln Hi-Tech 6", id_="")
    assert decide(row, [REGISTERED], **KW).outcome == MATCHED


@pytest.mark.parametrize(("row", "reason"), [
    (site("Kestrel Assembly (Kulim) Sdn Bhd", "12 Jalan Hi-Tech 6", id_=""), "names differ"),
    (site("Kestrel Display Plant 5 (Kulim) Sdn Bhd", "12 Jalan Hi-Tech 6", id_=""),
     "plant numbers differ"),
    (site("Kestrel Display (Kulim) Sdn Bhd", "14 Jalan Hi-Tech 6", id_=""),
     "street numbers differ"),
    (site("Kestrel Display Power Division (Kulim) Sdn Bhd", "12 Jalan Hi-Tech 6", id_=""),
     "another business unit"),
])
def test_a_look_alike_goes_to_review_with_its_reason(row: SiteKey, reason: str) -> None:
    decision = decide(row, [REGISTERED], **KW)
    assert decision.outcome == NEEDS_CONFIRMATION
    best = decision.best
    assert best is not None and best.evidence is not None
    assert any(r.startswith(reason) for r in best.evidence.reasons), best.evidence.reasons


def test_another_plant_at_another_street_number_is_never_matched() -> None:
    row = site("Kestrel Display Plant 5 (Kulim) Sdn Bhd", "40 Jalan Hi-Tech 6", id_="")
    assert decide(row, [REGISTERED], **KW).outcome != MATCHED


def test_an_lei_shared_with_a_site_in_another_country_is_a_question_with_the_reason() -> None:
    registered = site("Kestrel Display", "12 Jalan Hi-Tech 6", idents=("LEI:529900ABCDEF",))
    row = site("Kestrel Display", "12 Calle Industria", id_="", country="MX",
               city="Guadalajara", idents=("LEI:529900ABCDEF",))
    decision = decide(row, [registered], **KW)
    assert decision.outcome == NEEDS_CONFIRMATION
    assert decision.best is not None and decision.best.evidence is not None
    assert "countries differ" in decision.best.evidence.reasons[0]


def test_a_shared_os_id_matches_a_row_without_an_address() -> None:
    registered = site("Kestrel Display", "12 Jalan Hi-Tech 6", idents=("OSH:MY2024123ABC",))
    row = site("Kestrel Display Sdn Bhd", None, id_="", idents=("osh:my2024123abc",))
    assert decide(row, [registered], **KW).outcome == MATCHED


def test_two_os_ids_for_one_name_and_address_are_a_question() -> None:
    registered = site("Kestrel Display", "12 Jalan Hi-Tech 6", idents=("OSH:MY1",))
    row = site("Kestrel Display", "12 Jalan Hi-Tech 6", id_="", idents=("OSH:MY2",))
    decision = decide(row, [registered], **KW)
    assert decision.outcome == NEEDS_CONFIRMATION
    assert decision.best is not None and decision.best.evidence is not None
    assert decision.best.evidence.identifiers == "CONFLICT"


def test_coordinates_far_apart_stop_an_automatic_match_and_near_ones_stand_in_for_an_address(
        ) -> None:
    registered = site("Kestrel Display", "12 Jalan Hi-Tech 6", at=(5.3650, 100.5620))
    far = site("Kestrel Display", "12 Jalan Hi-Tech 6", id_="", at=(5.40, 100.60))
    near_no_address = site("Kestrel Display", None, id_="", at=(5.3652, 100.5621))
    decision = decide(far, [registered], **KW)
    assert decision.outcome == NEEDS_CONFIRMATION
    assert decision.best is not None and decision.best.evidence is not None
    assert decision.best.evidence.distance_m is not None
    assert decision.best.evidence.distance_m > 5000
    assert decide(near_no_address, [registered], **KW).outcome == MATCHED


def test_every_candidate_carries_its_score_parts() -> None:
    row = site("Kestrel Assembly (Kulim) Sdn Bhd", "12 Jalan Hi-Tech 6", id_="")
    best = decide(row, [REGISTERED], **KW).best
    assert best is not None
    parts = best.as_dict()["parts"]
    assert set(parts) == {"name", "address", "distanceM", "identifiers", "reasons"}
    assert parts["address"] == 100.0 and parts["name"] < 100


def test_on_the_labelled_registry_automatic_matches_are_precise_and_f1_high() -> None:
    # given the labelled set of bench/registry_set.py on its fixed seed
    data = labelled_registry(seed=13)
    # when every row is decided as an import decides it
    figures = evaluate(data, **KW)
    # then automatic matches are almost never wrong, and most duplicates need no question
    assert figures.precision >= 0.995, figures
    assert figures.f1 >= 0.95, figures
    assert figures.review_has_truth == figures.fn  # every missed site was at least offered


def test_importing_distinct_sites_into_an_empty_registry_merges_none() -> None:
    merged, _ = merges_into_empty(labelled_registry(seed=13), **KW)
    assert merged == 0


def test_the_labelled_registry_is_deterministic() -> None:
    a, b = labelled_registry(300, 200, seed=4), labelled_registry(300, 200, seed=4)
    assert [(r.key, r.truth) for r in a.rows] == [(r.key, r.truth) for r in b.rows]
