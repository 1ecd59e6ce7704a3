"""Text search and matching as an adversarial member would probe them (issue 11, class 7):
hidden sites must change neither the order of a text search nor which visible sites a
submitted site is matched against. Full-text scores depend on statistics over every
indexed record, visible or not, so neither may rank by them or cut before visibility."""

from __future__ import annotations

from typing import Any

from auth.viewer import Viewer
from graph.core.db import Graph
from tests.support.writes import CREATE_SITE, OUTSIDER, call, fresh

SEARCH = """query($text: String!) { productionSites(first: 20, filter: {text: $text}) {
  totalCount edges { cursor node { id name } } } }"""

_HIDDEN = """
UNWIND range(1, $n) AS i
CREATE (s:ProductionSite {id: $tag + '-' + toString(i), name: $name, countryCode: 'VN',
  aliases: [], aliasesText: '', address: $address, city: 'Bac Ninh', status: 'ACTIVE',
  sharing: 'PRIVATE', sharedWith: [], contributedBy: $owner, source: 'ranking probe',
  createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z'})
"""


async def _hidden(graph: Graph, tag: str, n: int, name: str, address: str = "") -> None:
    await graph.query(_HIDDEN, {"n": n, "tag": tag, "name": name, "address": address,
                                "owner": OUTSIDER}, write=True)


async def _drop(graph: Graph, tag: str) -> None:
    await graph.query("MATCH (s:ProductionSite) WHERE s.id STARTS WITH $tag + '-' "
                      "DETACH DELETE s", {"tag": tag}, write=True)


async def _search(graph: Graph, viewer: Viewer, text: str) -> Any:
    answer = await call(graph, viewer, SEARCH, {"text": text})
    assert answer.errors == []
    return answer.data


async def test_member_search_order_is_the_same_whatever_hidden_sites_contain_its_words(
        sample_graph: Graph, nrht: Viewer) -> None:
    a, b = fresh().lower(), fresh().lower()
    tag_a, tag_b = fresh("HIDA"), fresh("HIDB")
    # two visible sites, one heavy in each word: by a corpus-weighted score their order
    # flips with how common each word is among all sites, hidden ones included
    for name in (f"{a} {a} {b}", f"{b} {a} {b}"):
        await call(sample_graph, nrht, CREATE_SITE, {"input": {
            "name": name.title(), "countryCode": "VN", "city": "Bac Ninh",
            "sharing": "PUBLIC", "createAnyway": True}})
    await _hidden(sample_graph, tag_a, 40, f"{a} Hidden Works")
    with_a = await _search(sample_graph, nrht, f"{a} {b}")
    await _drop(sample_graph, tag_a)
    await _hidden(sample_graph, tag_b, 40, f"{b} Hidden Works")
    with_b = await _search(sample_graph, nrht, f"{a} {b}")
    await _drop(sample_graph, tag_b)
    assert with_a == with_b
    assert with_a["productionSites"]["totalCount"] == 2


async def test_hidden_sites_do_not_crowd_a_visible_one_out_of_the_candidates(
        sample_graph: Graph, nrht: Viewer) -> None:
    word = fresh()
    visible = {"name": f"{word} Circuit", "countryCode": "VN",
               "address": f"12 {word} Road", "city": "Tu Son",
               "sharing": "PUBLIC", "createAnyway": True}
    made = await call(sample_graph, nrht, CREATE_SITE, {"input": visible})
    sid = made.data["createProductionSite"]["site"]["id"]
    probe = {"name": f"{word} Circuits", "countryCode": "VN",
             "address": f"Lot 12, {word} Industrial Zone", "city": "Bac Ninh"}
    # 250 hidden sites that repeat the submitted words: each scores above the visible one
    tag = fresh("HIDC")
    await _hidden(sample_graph, tag, 250, f"{word} Circuits Lot Ind Bac Ninh",
                  f"Lot 12, {word} Industrial Zone, Bac Ninh")
    try:
        crowded = (await call(sample_graph, nrht, CREATE_SITE, {"input": probe}))
    finally:
        await _drop(sample_graph, tag)
    payload = crowded.data["createProductionSite"]
    assert sid in {c["siteId"] for c in payload["candidates"]}, payload
    assert all(c["siteId"] == sid for c in payload["candidates"][:1])
