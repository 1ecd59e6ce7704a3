"""Map and search over HTTP, in process, over the sample data: the page's list and filters
without a script, and the JSON clusters its script asks for, as the signed-in person.

Actors: the health trust's buyer and the University of Lakeshore's buyer, who alone may see
its PRIVATE site in Hosur."""

from __future__ import annotations

import httpx

from graph.core.db import Graph
from seeds import sample as s
from tests.support.web import Person, sign_in

WORLD = {"west": "-180", "south": "-85", "east": "180", "north": "85", "zoom": "2"}


async def _around_private_site(graph: Graph, d: float, zoom: int) -> dict[str, str]:
    """A box around the university's private site (given: its location, from the data)."""
    at = (await graph.query("MATCH (s:ProductionSite {id: $id}) RETURN "
                            "s.location.latitude AS lat, s.location.longitude AS lon",
                            {"id": s.SITE_LK_PRIVATE}))[0]
    return {"west": str(at["lon"] - d), "south": str(at["lat"] - d),
            "east": str(at["lon"] + d), "north": str(at["lat"] + d), "zoom": str(zoom)}


async def _total(web: httpx.AsyncClient, params: dict[str, str]) -> int:
    answer = await web.get("/map/clusters", params=params)
    assert answer.status_code == 200, answer.text
    return sum(c["count"] for c in answer.json()["clusters"])


async def test_buyer_sees_the_map_page_with_filters_and_a_list_of_sites(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    page = await web.get("/map")
    assert page.status_code == 200
    assert 'href="/map" aria-current="page"' in page.text
    for part in ('id="f-country"', 'id="f-type"', 'id="f-product"', 'id="f-open"',
                 'id="map"', "/static/web/map.js", "/static/web/vendor/topojson-client.min.js",
                 'data-outlines="/static/web/vendor/countries-110m.json"'):
        assert part in page.text
    assert "Showing 20 of " in page.text and 'href="/sites/' in page.text
    assert "<script>" not in page.text  # no inline script (CSP 'self')


async def test_the_list_filters_without_a_script_and_links_to_site_pages(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    page = await web.get("/map", params={"q": "Kunshan", "country": "cn"})
    assert page.status_code == 200
    assert f'href="/sites/{s.SITE_KUNSHAN}"' in page.text
    none = await web.get("/map", params={"q": "Kunshan", "country": "VN"})
    assert f'href="/sites/{s.SITE_KUNSHAN}"' not in none.text


async def test_a_bad_filter_is_shown_at_its_field(web: httpx.AsyncClient,
                                                  people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    for params in ({"country": "China"}, {"country": "XX"}):
        page = await web.get("/map", params=params)
        assert page.status_code == 400
        assert 'id="err-country"' in page.text
        assert 'aria-invalid="true"' in page.text
    bad_type = await web.get("/map", params={"type": "CASTLE"})
    assert bad_type.status_code == 400 and 'id="err-type"' in bad_type.text


async def test_the_clusters_count_another_organisations_private_site_only_for_it(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph) -> None:
    tiny = await _around_private_site(sample_graph, 0.0005, 16)
    near = await _around_private_site(sample_graph, 0.5, 6)
    # the university sees its own site, alone in its cell, and counts it nearby
    await sign_in(web, people["other_buyer"])
    own = (await web.get("/map/clusters", params=tiny)).json()["clusters"]
    assert [(c["count"], c["siteId"]) for c in own] == [(1, s.SITE_LK_PRIVATE)]
    owner_near = await _total(web, near)
    # the health trust's buyer: nothing in the tiny box, one fewer nearby
    web.cookies.clear()
    await sign_in(web, people["buyer"])
    assert (await web.get("/map/clusters", params=tiny)).json()["clusters"] == []
    assert await _total(web, near) <= owner_near - 1


async def test_the_clusters_answer_the_page_filters(web: httpx.AsyncClient,
                                                    people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    everything = await _total(web, WORLD)
    china = await _total(web, WORLD | {"country": "CN"})
    assembly = await _total(web, WORLD | {"type": "ASSEMBLY"})
    laptops = await _total(web, WORLD | {"product": "30213100-6"})
    flagged = await _total(web, WORLD | {"open": "yes"})
    clean = await _total(web, WORLD | {"open": "no"})
    assert 0 < china < everything and assembly <= everything and laptops <= everything
    assert flagged + clean == everything


async def test_bad_clusters_requests_get_400_json_with_code_and_path(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    for params, path in ((WORLD | {"north": "91"}, ["north"]),
                         (WORLD | {"west": "170", "east": "-170"}, ["west"]),
                         (WORLD | {"zoom": "25"}, ["zoom"]),
                         (WORLD | {"zoom": "9"}, ["bbox"]),
                         (WORLD | {"zoom": "1.5"}, ["zoom"]),
                         (WORLD | {"south": "nan"}, ["south"]),
                         ({k: v for k, v in WORLD.items() if k != "east"}, ["east"]),
                         (WORLD | {"country": "XX"}, ["country"]),
                         (WORLD | {"type": "CASTLE"}, ["type"])):
        answer = await web.get("/map/clusters", params=params)
        assert answer.status_code == 400, (params, answer.text)
        error = answer.json()["error"]
        assert (error["code"], error["path"]) == ("BAD_USER_INPUT", path), params


async def test_the_map_needs_a_signed_in_person(web: httpx.AsyncClient) -> None:
    page = await web.get("/map")
    data = await web.get("/map/clusters", params=WORLD)
    assert page.status_code == data.status_code == 303
    assert page.headers["location"].startswith("/signin")
