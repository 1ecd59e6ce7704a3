"""The authorization code grant with PKCE (docs/oauth.md): a person of the health trust signs
in, approves a client of the trust on the consent page, and the client redeems the code for a
token that reads GraphQL with the trust's visibility; and every way the flow is refused."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from joserfc import jws

from auth.client_registration import register_client
from graph.core.db import Graph
from graph.orgs.users import disable_user
from seeds import sample as s
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.web import Person, make_person, sign_in, web_settings

CALLBACK = "http://127.0.0.1:8765/callback"
SECOND_CALLBACK = "http://localhost:8765/cb"
ME = "{ me { organisation { id } scopes clientId } }"
SITES = """query($a: ID!, $b: ID!) { a: productionSite(id: $a) { id }
                                    b: productionSite(id: $b) { id } }"""


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def trust_client(graph: Graph, *, public: bool = True,
                       scopes: tuple[str, ...] = ("sites:read", "contracts:write"),
                       org: str = s.NW_HEALTH, redirect_uris: tuple[str, ...] = (CALLBACK,),
                       ) -> tuple[str, str | None]:
    return await register_client(graph, org_id=org, name="Trust dashboard", public=public,
                                 scopes=list(scopes), redirect_uris=list(redirect_uris))


def ask(client_id: str, challenge: str, **more: str) -> dict[str, str]:
    return {"response_type": "code", "client_id": client_id, "redirect_uri": CALLBACK,
            "scope": "sites:read contracts:write", "state": "st-1",
            "code_challenge": challenge, "code_challenge_method": "S256", **more}


def hidden_fields(page: str) -> dict[str, str]:
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))


async def approve(web: httpx.AsyncClient, params: dict[str, str],
                  decision: str = "allow") -> httpx.Response:
    page = await web.get("/oauth/authorize", params=params)
    assert page.status_code == 200, page.text
    return await web.post("/oauth/authorize", data={**hidden_fields(page.text),
                                                    "decision": decision})


def code_of(answer: httpx.Response) -> str:
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith(CALLBACK + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == ["st-1"]
    return query["code"][0]


async def redeem(web: httpx.AsyncClient, client_id: str, code: str, verifier: str,
                 secret: str | None = None, **more: str) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": CALLBACK,
            "code_verifier": verifier, **more}
    if secret is None:
        return await web.post("/oauth/token", data={**form, "client_id": client_id})
    return await web.post("/oauth/token", data=form, auth=(client_id, secret))


async def asking(web: httpx.AsyncClient, graph: Graph, person: Person,
                 **more: str) -> dict[str, str]:
    """Given a public client of the trust and `person` signed in: its authorization request."""
    client_id, _ = await trust_client(graph)
    await sign_in(web, person)
    return ask(client_id, pkce()[1], **more)


@dataclass
class Approved:
    client_id: str
    code: str
    verifier: str


async def approved_code(web: httpx.AsyncClient, graph: Graph, person: Person,
                        redirect_uris: tuple[str, ...] = (CALLBACK,)) -> Approved:
    """Given a public client of the trust, `person` signed in and approving it: the code."""
    client_id, _ = await trust_client(graph, redirect_uris=redirect_uris)
    await sign_in(web, person)
    verifier, challenge = pkce()
    return Approved(client_id, code_of(await approve(web, ask(client_id, challenge))), verifier)


async def bearer(web: httpx.AsyncClient, token: str, query: str,
                 variables: dict | None = None) -> httpx.Response:
    return await web.post("/graphql", json={"query": query, "variables": variables or {}},
                          headers={"Authorization": f"Bearer {token}"})


async def test_buyer_approves_a_public_client_whose_token_reads_with_the_trusts_visibility(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph) -> None:
    client_id, secret = await trust_client(sample_graph)
    assert secret is None
    await sign_in(web, people["buyer"])
    verifier, challenge = pkce()
    page = await web.get("/oauth/authorize", params=ask(client_id, challenge))
    assert "Trust dashboard" in page.text and client_id in page.text
    # a reader may not grant contracts:write: it is not offered
    assert "<code>sites:read</code>" in page.text and "contracts:write</code>" not in page.text
    code = code_of(await approve(web, ask(client_id, challenge)))
    answer = await redeem(web, client_id, code, verifier)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["scope"] == "sites:read" and answer.headers["cache-control"] == "no-store"
    claims = json.loads(jws.extract_compact(body["access_token"].encode()).payload)
    assert claims["org"] == s.NW_HEALTH and claims["client_id"] == client_id
    assert claims["sub"].startswith("usr_") and claims["sub"] != client_id
    me = (await bearer(web, body["access_token"], ME)).json()["data"]["me"]
    assert me["organisation"]["id"] == s.NW_HEALTH and me["scopes"] == ["sites:read"]
    sites = await bearer(web, body["access_token"], SITES,
                         {"a": s.SITE_KUNSHAN, "b": s.SITE_LK_PRIVATE})
    assert sites.json()["data"] == {"a": {"id": s.SITE_KUNSHAN}, "b": None}


async def test_wrong_verifier_is_refused_and_the_code_is_spent(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph) -> None:
    flow = await approved_code(web, sample_graph, people["buyer"])
    wrong = await redeem(web, flow.client_id, flow.code, pkce()[0])
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    again = await redeem(web, flow.client_id, flow.code, flow.verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


OTHER_CLIENT = object()  # stands for a second client of the trust, registered by the test


# The token request's fields that differ from the approved one's (None: left out) -> the error.
@pytest.mark.parametrize(("changed", "error"), [
    pytest.param({"code_verifier": None}, "invalid_request",
                 id="public_client_without_a_verifier_gets_invalid_request"),
    pytest.param({"redirect_uri": SECOND_CALLBACK}, "invalid_grant",
                 id="client_naming_its_other_redirect_uri_gets_invalid_grant"),
    pytest.param({"client_id": OTHER_CLIENT}, "invalid_grant",
                 id="another_client_presenting_the_code_gets_invalid_grant"),
])
async def test_token_request_unlike_the_approval_is_refused(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph,
        changed: dict[str, object], error: str) -> None:
    # given a code the buyer approved for a client with two callbacks, and a second client
    flow = await approved_code(web, sample_graph, people["buyer"],
                               redirect_uris=(CALLBACK, SECOND_CALLBACK))
    other_id, _ = await trust_client(sample_graph)
    form: dict[str, object] = {"grant_type": "authorization_code", "code": flow.code,
                               "redirect_uri": CALLBACK, "code_verifier": flow.verifier,
                               "client_id": flow.client_id}
    form |= {k: other_id if v is OTHER_CLIENT else v for k, v in changed.items()}
    # when the client asks for a token with it, then it is refused
    answer = await web.post("/oauth/token",
                            data={k: v for k, v in form.items() if v is not None})
    assert answer.status_code == 400 and answer.json()["error"] == error


async def test_reused_code_is_refused_and_revokes_the_token_it_bought(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph) -> None:
    flow = await approved_code(web, sample_graph, people["buyer"])
    first = await redeem(web, flow.client_id, flow.code, flow.verifier)
    assert first.status_code == 200
    token = first.json()["access_token"]
    assert (await bearer(web, token, ME)).status_code == 200
    second = await redeem(web, flow.client_id, flow.code, flow.verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    assert (await bearer(web, token, ME)).status_code == 401


@pytest.mark.parametrize("uri", [CALLBACK + "/more", CALLBACK + "?x=1", CALLBACK.upper(),
                                 "https://evil.example/callback", "http://127.0.0.1:8765/"])
async def test_unregistered_redirect_uri_is_refused_here_without_redirecting(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph,
        uri: str) -> None:
    params = await asking(web, sample_graph, people["buyer"], redirect_uri=uri)
    answer = await web.get("/oauth/authorize", params=params)
    assert answer.status_code == 400
    assert "location" not in answer.headers and "invalid_request" in answer.text


@pytest.mark.parametrize("method", ["plain", ""])
async def test_plain_or_absent_challenge_method_is_refused_at_the_client(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph,
        method: str) -> None:
    client_id, _ = await trust_client(sample_graph)
    await sign_in(web, people["buyer"])
    verifier = secrets.token_urlsafe(48)
    answer = await web.get("/oauth/authorize", params=ask(
        client_id, verifier, code_challenge_method=method))
    assert answer.status_code == 303
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert answer.headers["location"].startswith(CALLBACK)
    assert query["error"] == ["invalid_request"] and "code" not in query


async def test_confidential_client_needs_pkce_and_its_secret(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph) -> None:
    client_id, secret = await trust_client(sample_graph, public=False)
    assert secret
    await sign_in(web, people["requester"])
    no_pkce = await web.get("/oauth/authorize", params={
        k: v for k, v in ask(client_id, "x").items() if not k.startswith("code_")})
    assert parse_qs(urlsplit(no_pkce.headers["location"]).query)["error"] == ["invalid_request"]
    verifier, challenge = pkce()
    code = code_of(await approve(web, ask(client_id, challenge)))
    unauthenticated = await redeem(web, client_id, code, verifier)  # no secret
    assert unauthenticated.status_code == 401
    verifier, challenge = pkce()
    code = code_of(await approve(web, ask(client_id, challenge)))
    answer = await redeem(web, client_id, code, verifier, secret=secret)
    assert answer.status_code == 200, answer.text
    assert answer.json()["scope"] == "contracts:write sites:read"  # a contributor's


async def test_public_client_gets_no_client_credentials_token(
        web: httpx.AsyncClient, sample_graph: Graph) -> None:
    client_id, _ = await trust_client(sample_graph)
    answer = await web.post("/oauth/token", data={"grant_type": "client_credentials",
                                                  "client_id": client_id})
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


async def test_person_of_another_organisation_cannot_approve_the_client(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph) -> None:
    params = await asking(web, sample_graph, people["other_buyer"])
    answer = await web.get("/oauth/authorize", params=params)
    assert answer.status_code == 303 and "Trust dashboard" not in answer.text
    assert parse_qs(urlsplit(answer.headers["location"]).query)["error"] == ["access_denied"]


async def test_person_who_denies_sends_access_denied_and_no_code(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph) -> None:
    answer = await approve(web, await asking(web, sample_graph, people["buyer"]),
                           decision="deny")
    query = parse_qs(urlsplit(answer.headers["location"]).query)
    assert query["error"] == ["access_denied"] and query["state"] == ["st-1"]
    assert "code" not in query


async def test_signed_out_person_signs_in_first_and_comes_back(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph) -> None:
    client_id, _ = await trust_client(sample_graph)
    _, challenge = pkce()
    answer = await web.get("/oauth/authorize", params=ask(client_id, challenge))
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin?next=")
    back = await sign_in(web, people["buyer"],
                         next_path=parse_qs(urlsplit(answer.headers["location"]).query)
                         ["next"][0])
    assert back.headers["location"].startswith("/oauth/authorize?")
    assert (await web.get(back.headers["location"])).status_code == 200


async def test_consent_without_the_csrf_token_is_refused(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph) -> None:
    params = await asking(web, sample_graph, people["buyer"])
    page = await web.get("/oauth/authorize", params=params)
    fields = {k: v for k, v in hidden_fields(page.text).items() if k != "csrf"}
    answer = await web.post("/oauth/authorize", data={**fields, "decision": "allow"})
    assert answer.status_code == 403 and "location" not in answer.headers


async def test_disabling_the_person_ends_their_tokens(
        sample_graph: Graph, neo4j_settings: Settings) -> None:
    # no viewer cache: the refusal is seen on the next request, not within its bound
    app = create_app(web_settings(neo4j_settings, viewer_cache_seconds=0), graph=sample_graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1:8000") as web:
        await _disabled_person_flow(web, sample_graph)


async def _disabled_person_flow(web: httpx.AsyncClient, sample_graph: Graph) -> None:
    person = await make_person(sample_graph, "leaver", s.NW_HEALTH, "reader")
    flow = await approved_code(web, sample_graph, person)
    token = (await redeem(web, flow.client_id, flow.code, flow.verifier)).json()["access_token"]
    assert (await bearer(web, token, ME)).status_code == 200
    await disable_user(sample_graph, ref=person.email, org_id=None)
    assert (await bearer(web, token, ME)).status_code == 401


async def test_metadata_announces_the_code_grant_with_s256_only(
        web: httpx.AsyncClient) -> None:
    meta = (await web.get("/.well-known/oauth-authorization-server")).json()
    assert meta["authorization_endpoint"].endswith("/oauth/authorize")
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert "authorization_code" in meta["grant_types_supported"]
