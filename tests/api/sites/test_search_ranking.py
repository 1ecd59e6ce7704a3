"""Text search as an adversarial member would probe it (issue 11, class 7): hidden sites must
not change the order of a text search. Full-text scores depend on statistics over every
indexed record, visible or not, so the order may not come from them."""

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
