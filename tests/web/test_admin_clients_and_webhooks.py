"""Administration of OAuth clients and webhooks (docs/ui.md), as an organisation admin, the
operator and people who may not: secrets shown once, errors at the field with nothing
written, CSRF refused, and another organisation's ids answering "not found"."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from auth.client_registration import register_client
from graph.core.db import Graph
from seeds import sample as s
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.web import Person, csrf_of, make_person, sign_in, web_settings

SECRET = re.compile(r'<code id="client-secret">([^<]+)</code>')
MADE = re.compile(r"Client (sgc_[A-Za-z0-9_-]+) (?:was registered|has a new secret)")


@pytest.fixture
async def web(sample_graph: Graph, neo4j_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with webhooks allowed to 127.0.0.1 only (no DNS in the tests), no viewer cache
    (a disabled client is refused on the next request)."""
    settings = web_settings(neo4j_settings, webhook_allow_hosts=["127.0.0.1"],
                            webhook_allow_private=False, viewer_cache_seconds=0)
    app = create_app(settings, graph=sample_graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1:8000") as client:
        yield client


async def client_token(web: httpx.AsyncClient, client_id: str, secret: str) -> int:
    answer = await web.post("/oauth/token", data={"grant_type": "client_credentials"},
                            auth=(client_id, secret))
    return answer.status_code


async def register(web: httpx.AsyncClient, **form: object) -> httpx.Response:
    page = await web.get("/admin/clients")
    data = {"csrf": csrf_of(page.text), "name": "Dashboard", "kind": "confidential",
            "scopes": ["sites:read"], "redirect_uris": "https://dash.example.org/cb", **form}
    return await web.post("/admin/clients", data=data)


# ----- OAuth clients ---------------------------------------------------------------------------
async def test_org_admin_registers_a_client_and_sees_its_secret_once(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["org_admin"])
    made = await register(web, name="Procurement dashboard",
                          scopes=["sites:read", "contracts:read"],
                          redirect_uris="https://dash.example.org/cb\nhttp://127.0.0.1:9000/cb")
    assert made.status_code == 201
    client_id = MADE.search(made.text).group(1)  # type: ignore[union-attr]
    secret = SECRET.search(made.text).group(1)  # type: ignore[union-attr]
    assert await client_token(web, client_id, secret) == 200
    listing = await web.get("/admin/clients")
    assert client_id in listing.text and "Procurement dashboard" in listing.text
    assert "https://dash.example.org/cb" in listing.text and "contracts:read" in listing.text
    assert secret not in listing.text and 'id="client-secret"' not in listing.text
    assert made.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("form,field,words", [
    ({"redirect_uris": "http://dash.example.org/cb"}, "redirect_uris", "Use https"),
    ({"redirect_uris": "https://*.example.org/cb"}, "redirect_uris", "wildcard"),
    ({"redirect_uris": "https://dash.example.org/cb#x"}, "redirect_uris", "fragment"),
    ({"kind": "public", "redirect_uris": ""}, "redirect_uris", "public client needs"),
    ({"scopes": ["admin"]}, "scopes", "may not grant: admin"),
    ({"scopes": []}, "scopes", "at least one scope"),
])
async def test_bad_registration_is_shown_at_its_field_and_nothing_is_written(
        web: httpx.AsyncClient, people: dict[str, Person], form: dict, field: str,
        words: str) -> None:
    await sign_in(web, people["org_admin"])
    before = await web.get("/admin/clients")
    name = f"Refused {field} {words[:6]}"
    answer = await register(web, name=name, **form)
    assert answer.status_code == 422
    assert f'id="err-{field}"' in answer.text and words in answer.text
    assert 'id="client-secret"' not in answer.text
    after = await web.get("/admin/clients")
    assert after.text.count("<tr id=\"client-") == before.text.count("<tr id=\"client-")
    assert f"<td>{name}<br>" not in after.text


async def test_registration_without_the_csrf_token_is_refused(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["org_admin"])
    answer = await web.post("/admin/clients", data={
        "name": "No token client", "scopes": ["sites:read"], "kind": "confidential"})
    assert answer.status_code == 403
    assert "No token client" not in (await web.get("/admin/clients")).text


async def test_org_admin_rotates_a_secret_and_the_old_one_stops(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["org_admin"])
    made = await register(web, name="Rotated")
    client_id = MADE.search(made.text).group(1)  # type: ignore[union-attr]
    old = SECRET.search(made.text).group(1)  # type: ignore[union-attr]
    rotated = await web.post(f"/admin/clients/{client_id}/rotate",
                             data={"csrf": csrf_of(made.text)})
    assert rotated.status_code == 200
    new = SECRET.search(rotated.text).group(1)  # type: ignore[union-attr]
    assert new != old
    assert await client_token(web, client_id, old) == 401
    assert await client_token(web, client_id, new) == 200


async def test_org_admin_disables_a_client_whose_tokens_stop(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["org_admin"])
    made = await register(web, name="Disabled later")
    client_id = MADE.search(made.text).group(1)  # type: ignore[union-attr]
    secret = SECRET.search(made.text).group(1)  # type: ignore[union-attr]
    token = (await web.post("/oauth/token", data={"grant_type": "client_credentials"},
                            auth=(client_id, secret))).json()["access_token"]
    off = await web.post(f"/admin/clients/{client_id}/disable",
                         data={"csrf": csrf_of(made.text)})
    assert off.status_code == 303
    assert await client_token(web, client_id, secret) == 401
    me = await web.post("/graphql", json={"query": "{ me { clientId } }"},
                        headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401


async def test_org_admin_typing_another_organisations_client_id_gets_not_found(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph) -> None:
    theirs, secret = await register_client(sample_graph, org_id=s.LK_UNI, name="Uni app",
                                           public=False, scopes=["sites:read"],
                                           redirect_uris=[])
    assert secret is not None
    await sign_in(web, people["org_admin"])
    page = await web.get("/admin/clients")
    assert theirs not in page.text
    csrf = csrf_of(page.text)
    unknown = await web.post("/admin/clients/sgc_no_such_client/disable", data={"csrf": csrf})
    for action in ("rotate", "disable"):
        answer = await web.post(f"/admin/clients/{theirs}/{action}", data={"csrf": csrf})
        assert answer.status_code == 404 and answer.text == unknown.text
    assert (await web.get(f"/admin/clients?org={s.LK_UNI}")).status_code == 404
    # untouched: the university's client still gets tokens with its own secret
    assert await client_token(web, theirs, secret) == 200


async def test_operator_manages_any_organisations_clients(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph) -> None:
    theirs, _ = await register_client(sample_graph, org_id=s.LK_UNI, name="Uni portal",
                                      public=False, scopes=["sites:read"], redirect_uris=[])
    await sign_in(web, people["operator"])
    page = await web.get(f"/admin/clients?org={s.LK_UNI}")
    assert page.status_code == 200 and theirs in page.text
    off = await web.post(f"/admin/clients/{theirs}/disable?org={s.LK_UNI}",
                         data={"csrf": csrf_of(page.text)})
    assert off.status_code == 303 and off.headers["location"] == f"/admin/clients?org={s.LK_UNI}"


async def test_reader_has_no_client_or_webhook_administration(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    assert (await web.get("/admin/clients")).status_code == 404
    assert (await web.get("/admin/webhooks")).status_code == 404


# ----- webhooks --------------------------------------------------------------------------------
async def add_webhook(web: httpx.AsyncClient, url: str,
                      secret: str = "a-long-enough-secret") -> httpx.Response:
    page = await web.get("/admin/webhooks")
    return await web.post("/admin/webhooks", data={
        "csrf": csrf_of(page.text), "url": url, "secret": secret, "minSeverity": "CRITICAL"})


async def test_org_admin_adds_lists_and_removes_a_webhook(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["org_admin"])
    added = await add_webhook(web, "http://127.0.0.1:9/trust-hook-add")
    assert added.status_code == 303
    hook = added.headers["location"].split("added=")[1]
    page = await web.get("/admin/webhooks")
    assert f'id="webhook-{hook}"' in page.text and "trust-hook-add" in page.text
    assert "a-long-enough-secret" not in page.text
    removed = await web.post(f"/admin/webhooks/{hook}/remove", data={"csrf": csrf_of(page.text)})
    assert removed.status_code == 303
    assert f'id="webhook-{hook}"' not in (await web.get("/admin/webhooks")).text


@pytest.mark.parametrize("url,secret,field", [
    ("http://10.1.2.3/hook", "a-long-enough-secret", "url"),
    ("ftp://127.0.0.1/hook", "a-long-enough-secret", "url"),
    ("http://127.0.0.1:9/trust-hook-short", "short", "secret"),
])
async def test_refused_webhook_shows_the_apis_reason_at_the_field(
        web: httpx.AsyncClient, people: dict[str, Person], url: str, secret: str,
        field: str) -> None:
    await sign_in(web, people["org_admin"])
    answer = await add_webhook(web, url, secret)
    assert answer.status_code == 422
    assert f'id="err-{field}"' in answer.text and 'aria-invalid="true"' in answer.text
    assert f"<code>{url}</code>" not in answer.text  # not listed: nothing written


async def test_webhook_form_without_the_csrf_token_is_refused(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["org_admin"])
    answer = await web.post("/admin/webhooks", data={
        "url": "http://127.0.0.1:9/trust-hook-nocsrf", "secret": "a-long-enough-secret"})
    assert answer.status_code == 403
    assert "trust-hook-nocsrf" not in (await web.get("/admin/webhooks")).text


async def test_org_admin_cannot_remove_another_organisations_webhook(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    uni_admin = await make_person(sample_graph, "uni_admin", s.LK_UNI, "admin")
    await sign_in(web, uni_admin)
    hook = (await add_webhook(web, "http://127.0.0.1:9/uni-hook")).headers["location"] \
        .split("added=")[1]
    web.cookies.clear()
    await sign_in(web, people["org_admin"])
    page = await web.get("/admin/webhooks")
    assert hook not in page.text
    csrf = csrf_of(page.text)
    theirs = await web.post(f"/admin/webhooks/{hook}/remove", data={"csrf": csrf})
    unknown = await web.post("/admin/webhooks/WHK-NOSUCH/remove", data={"csrf": csrf})
    assert theirs.status_code == unknown.status_code == 404 and theirs.text == unknown.text
    web.cookies.clear()
    await sign_in(web, uni_admin)
    assert f'id="webhook-{hook}"' in (await web.get("/admin/webhooks")).text
