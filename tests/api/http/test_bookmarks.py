"""Read-your-writes across API processes: the causal-consistency bookmark a write hands back
in `X-Supplygraph-Bookmark`, accepted on a later request to any process (which then reads
only once Neo4j has applied that write), and refused with 400 `INVALID_BOOKMARK` when this
service did not issue it.

One Neo4j server applies every write before it answers, so it already reads its own writes:
the two-process test proves the plumbing (the bookmark is returned, carried to the other
process, checked and passed to Neo4j), not a wait that only a cluster would make."""

from __future__ import annotations

import os
import stat
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette

from graph.core.db import Graph
from supplygraph.http.bookmarks import BOOKMARK_HEADER, BookmarkTokens
from supplygraph.http.graphql import REQUEST_ID_HEADER, graphql_routes
from supplygraph.settings import Settings
from tests.support.viewers import AsViewer
from tests.support.oauth import make_actor
from tests.support.served import serve, token
from tests.support.writes import CREATE_SITE, OWNER, ensure_test_orgs, fresh_site_name, writer

SITE = "query($id: ID!) { productionSite(id: $id) { id name } }"
ME = "{ me { organisation { id } } }"


def _create(name: str) -> dict[str, object]:
    return {"query": CREATE_SITE, "variables": {"input": {"name": name, "countryCode": "VN"}}}


@pytest.fixture
def settings(neo4j_settings: Settings, tmp_path: Path) -> Settings:
    return neo4j_settings.model_copy(update={"keys_dir": tmp_path / "keys"})


@pytest.fixture
async def http(settings: Settings, sample_graph: Graph) -> AsyncIterator[httpx.AsyncClient]:
    await ensure_test_orgs(sample_graph)
    app = Starlette(routes=graphql_routes(settings))
    app.state.graph = sample_graph
    app.add_middleware(AsViewer, viewer=await writer(sample_graph, OWNER))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as client:
        yield client


def _refused(r: httpx.Response) -> None:
    assert r.status_code == 400, r.text
    assert r.headers["content-type"].startswith("application/json")
    assert r.json()["errors"][0]["extensions"]["code"] == "INVALID_BOOKMARK"
    assert r.headers[REQUEST_ID_HEADER]
    assert BOOKMARK_HEADER not in r.headers


# ----- one process ------------------------------------------------------------------------------
async def test_member_mutation_hands_back_a_bookmark_and_a_plain_query_none(
        http: httpx.AsyncClient) -> None:
    # when a member writes
    wrote = await http.post("/graphql", json=_create(fresh_site_name()))
    # then the answer carries a bookmark; a read that sent none carries none
    assert wrote.status_code == 200 and wrote.json()["data"]["createProductionSite"]["site"]
    assert wrote.headers[BOOKMARK_HEADER].startswith("1.")
    read = await http.post("/graphql", json={"query": ME})
    assert read.status_code == 200 and BOOKMARK_HEADER not in read.headers


async def test_member_read_with_its_bookmark_sees_the_write_and_gets_a_bookmark_back(
        http: httpx.AsyncClient) -> None:
    wrote = await http.post("/graphql", json=_create(fresh_site_name()))
    site = wrote.json()["data"]["createProductionSite"]["site"]
    read = await http.post("/graphql", headers={BOOKMARK_HEADER: wrote.headers[BOOKMARK_HEADER]},
                           json={"query": SITE, "variables": {"id": site["id"]}})
    assert read.status_code == 200
    assert read.json()["data"]["productionSite"] == {"id": site["id"], "name": site["name"]}
    # the latest header a client saw is always the one to send next
    assert read.headers[BOOKMARK_HEADER].startswith("1.")


async def test_member_bookmark_over_get_is_accepted(http: httpx.AsyncClient) -> None:
    wrote = await http.post("/graphql", json=_create(fresh_site_name()))
    r = await http.get("/graphql", params={"query": ME},
                       headers={BOOKMARK_HEADER: wrote.headers[BOOKMARK_HEADER]})
    assert r.status_code == 200 and r.json()["data"]["me"]


@pytest.mark.parametrize("value", [
    "garbage",
    "1.e30.abc",
    "2.WyJGQjphYmMiXQ." + "A" * 43,  # another version
    "1." + "A" * 3000 + "." + "A" * 43,  # longer than the bound
    "1.WyJGQjphYmMiXQ." + "A" * 43,  # the right shape, a mac of nobody's
    "1.WyJGQjphYmMiXQ." + "A" * 42 + "\u00e9",
])
async def test_member_bookmark_not_issued_here_is_400_invalid_bookmark_before_any_work(
        http: httpx.AsyncClient, value: str) -> None:
    r = await http.post("/graphql", headers={BOOKMARK_HEADER: value.encode()},
                        json=_create(fresh_site_name()))
    _refused(r)


async def test_member_bookmark_altered_or_signed_with_another_key_is_refused(
        http: httpx.AsyncClient, settings: Settings) -> None:
    wrote = await http.post("/graphql", json=_create(fresh_site_name()))
    version, payload, mac = wrote.headers[BOOKMARK_HEADER].split(".")
    other = BookmarkTokens(settings.model_copy(update={"bookmark_key": SecretStr("k" * 40)}))
    for value in (f"{version}.{payload}A.{mac}",
                  other.issue(["FB:kcwQkzNgRCy8Q/6CWf23/0EL7waQ"])):
        _refused(await http.post("/graphql", headers={BOOKMARK_HEADER: value},
                                 json={"query": ME}))


async def test_member_sending_two_bookmark_headers_is_refused(http: httpx.AsyncClient) -> None:
    wrote = await http.post("/graphql", json=_create(fresh_site_name()))
    value = wrote.headers[BOOKMARK_HEADER]
    r = await http.post("/graphql", headers=[(BOOKMARK_HEADER, value), (BOOKMARK_HEADER, value)],
                        json={"query": ME})
    _refused(r)


async def test_member_empty_bookmark_header_counts_as_none(http: httpx.AsyncClient) -> None:
    r = await http.post("/graphql", headers={BOOKMARK_HEADER: " "}, json={"query": ME})
    assert r.status_code == 200 and r.json()["data"]["me"]


async def test_member_bookmark_of_ours_that_neo4j_cannot_parse_is_400_not_an_internal_error(
        http: httpx.AsyncClient, settings: Settings) -> None:
    # a token this service signed around something that is no Neo4j bookmark (a key leaked,
    # or a Neo4j whose format changed): Neo4j refuses it, the answer is still a clean 400
    forged = BookmarkTokens(settings).issue(["FB:abc"])
    _refused(await http.post("/graphql", headers={BOOKMARK_HEADER: forged},
                             json={"query": SITE, "variables": {"id": "SITE-VN-NOPE"}}))


def test_processes_sharing_a_keys_folder_share_one_bookmark_key(tmp_path: Path) -> None:
    settings = Settings(keys_dir=tmp_path / "keys", _env_file=None)  # type: ignore[call-arg]
    first, second = BookmarkTokens(settings), BookmarkTokens(settings)
    issued = first.issue(["FB:one", "FB:two"])
    assert second.accept([issued]) == ["FB:one", "FB:two"]
    key = tmp_path / "keys" / "bookmarks.key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    assert sorted(p.name for p in key.parent.iterdir()) == ["bookmarks.key"]


# ----- two processes ----------------------------------------------------------------------------
async def test_member_write_on_one_process_is_read_on_another_with_the_bookmark(
        sample_graph: Graph, neo4j_settings: Settings, tmp_path: Path) -> None:
    # given two API processes sharing keys (as operators run them behind one address)
    actor = await make_actor(sample_graph, scopes=("sites:read", "sites:write"))
    shared = {"public_url": "http://127.0.0.1:8000", "SUPPLYGRAPH_KEYS_DIR": str(tmp_path / "keys")}
    with serve(neo4j_settings, tmp_path, **shared) as one, \
            serve(neo4j_settings, tmp_path, **shared) as other:
        async with httpx.AsyncClient(base_url=one.base_url, timeout=120) as a, \
                httpx.AsyncClient(base_url=other.base_url, timeout=120) as b:
            auth = await token(a, actor)
            # when the member writes through one
            name = fresh_site_name()
            wrote = await a.post("/graphql", headers=auth, json=_create(name))
            site = wrote.json()["data"]["createProductionSite"]["site"]
            bookmark = wrote.headers[BOOKMARK_HEADER]
            # then the other accepts its bookmark and the read sees the write
            read = await b.post("/graphql", headers={**auth, BOOKMARK_HEADER: bookmark},
                                json={"query": SITE, "variables": {"id": site["id"]}})
            assert read.status_code == 200, read.text
            assert read.json()["data"]["productionSite"] == {"id": site["id"], "name": name}
            assert read.headers[BOOKMARK_HEADER].startswith("1.")
            # and it refuses one it did not issue, as the first would
            _refused(await b.post("/graphql", headers={**auth, BOOKMARK_HEADER: bookmark + "x"},
                                  json={"query": ME}))
            # and it hands what it accepts to Neo4j: a token of the shared key around no
            # bookmark of Neo4j's is refused there
            keys = Settings(keys_dir=tmp_path / "keys", _env_file=None)  # type: ignore[call-arg]
            wrapped = BookmarkTokens(keys).issue(["FB:abc"])
            _refused(await b.post("/graphql", headers={**auth, BOOKMARK_HEADER: wrapped},
                                  json={"query": SITE, "variables": {"id": site["id"]}}))
