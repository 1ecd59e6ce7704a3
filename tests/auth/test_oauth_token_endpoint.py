"""The token endpoint, introspection, revocation, metadata and the access log."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from joserfc import jws

from auth.audit import ACCESS_LOGGER, JsonFormatter
from graph.core.db import Graph
from graph.core.migrate import migrate
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.oauth import Actor, get_token, make_actor

ME = "{ me { organisation { id } scopes clientId } }"


@pytest.fixture
def settings(neo4j_settings: Settings, tmp_path: Path) -> Settings:
    return neo4j_settings.model_copy(update={"keys_dir": tmp_path / "keys"})


@pytest.fixture
async def client(settings: Settings, graph: Graph) -> AsyncIterator[httpx.AsyncClient]:
    await migrate(graph)
    app = create_app(settings, graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def buyer(graph: Graph) -> Actor:
    await migrate(graph)
    return await make_actor(graph, scopes=("sites:read", "reports:read"))


def _header_and_claims(token: str) -> tuple[dict, dict]:
    obj = jws.extract_compact(token.encode())
    return dict(obj.headers()), json.loads(obj.payload)


async def test_buyer_with_basic_auth_gets_an_at_jwt_with_all_registered_scopes(
        client: httpx.AsyncClient, buyer: Actor, settings: Settings) -> None:
    resp = await get_token(client, buyer)
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["token_type"] == "Bearer"
    assert body["scope"] == "reports:read sites:read"
    assert resp.headers["cache-control"] == "no-store"
    header, claims = _header_and_claims(body["access_token"])
    assert header["typ"] == "at+jwt" and header["alg"] == "ES256" and header["kid"]
    assert claims["iss"] == settings.public_url
    assert claims["aud"] == settings.audience
    assert claims["sub"] == claims["client_id"] == buyer.client_id
    assert claims["org"] == buyer.org_id
    assert claims["exp"] - claims["iat"] == settings.token_ttl_seconds
    assert claims["jti"] and claims["nbf"] == claims["iat"]


async def test_buyer_with_client_secret_post_gets_the_scope_it_asked_for(
        client: httpx.AsyncClient, buyer: Actor) -> None:
    resp = await client.post("/oauth/token", data={
        "grant_type": "client_credentials", "client_id": buyer.client_id,
        "client_secret": buyer.client_secret, "scope": "sites:read"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["scope"] == "sites:read"


async def test_buyer_asking_beyond_its_registration_gets_invalid_scope(
        client: httpx.AsyncClient, buyer: Actor) -> None:
    resp = await get_token(client, buyer, scope="sites:read contracts:write")
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_scope"


async def test_buyer_asking_for_an_unknown_scope_gets_invalid_scope(
        client: httpx.AsyncClient, buyer: Actor) -> None:
    resp = await get_token(client, buyer, scope="everything")
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_scope"


async def test_wrong_secret_is_invalid_client_401(client: httpx.AsyncClient,
                                                  buyer: Actor) -> None:
    resp = await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                             auth=(buyer.client_id, "not-the-secret"))
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_client"
    assert resp.headers["www-authenticate"].startswith("Basic")


@pytest.mark.parametrize("how", ["basic", "post"])
async def test_unknown_client_is_invalid_client_401(client: httpx.AsyncClient, how: str) -> None:
    form = {"grant_type": "client_credentials"}
    if how == "basic":
        resp = await client.post("/oauth/token", data=form, auth=("sgc_nobody", "x" * 20))
    else:
        resp = await client.post("/oauth/token", data={**form, "client_id": "sgc_nobody",
                                                        "client_secret": "x" * 20})
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_client"


async def test_revoked_client_is_invalid_client(client: httpx.AsyncClient, buyer: Actor,
                                                graph: Graph) -> None:
    from graph.orgs.clients import revoke_client

    await revoke_client(graph, client_id=buyer.client_id)
    resp = await get_token(client, buyer)
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_client"


async def test_unsupported_grant_is_unsupported_grant_type_400(client: httpx.AsyncClient,
                                                                buyer: Actor) -> None:
    resp = await client.post("/oauth/token", data={"grant_type": "password", "username": "a",
                                                   "password": "b"},
                             auth=(buyer.client_id, buyer.client_secret))
    assert resp.status_code == 400
    assert resp.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize("kwargs", [
    {"json": {"grant_type": "client_credentials"}},
    {"data": {"scope": "sites:read"}},
    {"content": b"grant_type=client_credentials&grant_type=client_credentials",
     "headers": {"content-type": "application/x-www-form-urlencoded"}},
], ids=["json-body", "no-grant-type", "repeated-parameter"])
async def test_malformed_form_is_invalid_request_400(client: httpx.AsyncClient, buyer: Actor,
                                                     kwargs: dict) -> None:
    resp = await client.post("/oauth/token", auth=(buyer.client_id, buyer.client_secret),
                             **kwargs)
    assert resp.status_code == 400
    assert resp.json()["error"] == "invalid_request"


async def test_buyer_introspects_its_token_as_active_and_revoked_as_inactive(
        client: httpx.AsyncClient, buyer: Actor) -> None:
    token = (await get_token(client, buyer)).json()["access_token"]
    auth = (buyer.client_id, buyer.client_secret)
    resp = await client.post("/oauth/introspect", data={"token": token}, auth=auth)
    assert resp.status_code == 200
    body = resp.json()
    assert body["active"] is True and body["client_id"] == buyer.client_id
    assert body["org"] == buyer.org_id and body["scope"] == "reports:read sites:read"

    resp = await client.post("/oauth/revoke", data={"token": token}, auth=auth)
    assert resp.status_code == 200
    resp = await client.post("/oauth/introspect", data={"token": token}, auth=auth)
    assert resp.json() == {"active": False}
    resp = await client.post("/oauth/introspect", data={"token": "garbage"}, auth=auth)
    assert resp.json() == {"active": False}


async def test_introspection_needs_client_authentication(client: httpx.AsyncClient,
                                                         buyer: Actor) -> None:
    token = (await get_token(client, buyer)).json()["access_token"]
    resp = await client.post("/oauth/introspect", data={"token": token})
    assert resp.status_code == 401
    assert resp.json()["error"] == "invalid_client"


async def test_other_client_cannot_revoke_buyers_token(client: httpx.AsyncClient, buyer: Actor,
                                                       graph: Graph) -> None:
    other = await make_actor(graph)
    token = (await get_token(client, buyer)).json()["access_token"]
    resp = await client.post("/oauth/revoke", data={"token": token},
                             auth=(other.client_id, other.client_secret))
    assert resp.status_code == 400
    resp = await client.post("/oauth/introspect", data={"token": token},
                             auth=(buyer.client_id, buyer.client_secret))
    assert resp.json()["active"] is True


async def test_metadata_and_jwks_are_public(client: httpx.AsyncClient,
                                            settings: Settings) -> None:
    meta = (await client.get("/.well-known/oauth-authorization-server")).json()
    assert meta["issuer"] == settings.public_url
    assert meta["token_endpoint"].endswith("/oauth/token")
    assert meta["grant_types_supported"] == ["authorization_code", "client_credentials"]
    # "none": a public client redeeming a code with its PKCE verifier (docs/oauth.md)
    assert set(meta["token_endpoint_auth_methods_supported"]) == {
        "client_secret_basic", "client_secret_post", "none"}
    assert set(meta["introspection_endpoint_auth_methods_supported"]) == {
        "client_secret_basic", "client_secret_post"}
    jwks = (await client.get("/.well-known/jwks.json")).json()
    assert len(jwks["keys"]) == 1
    assert jwks["keys"][0]["kty"] == "EC" and "d" not in jwks["keys"][0]
    assert (settings.signing_keys_dir / "keys.json").stat().st_mode & 0o777 == 0o600


async def test_access_log_records_issue_refusal_and_revocation_without_secrets(
        client: httpx.AsyncClient, buyer: Actor) -> None:
    records: list[logging.LogRecord] = []

    class Capture(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    logger = logging.getLogger(ACCESS_LOGGER)
    handler = Capture()
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    try:
        token = (await get_token(client, buyer)).json()["access_token"]
        await client.post("/oauth/token", data={"grant_type": "client_credentials"},
                          auth=(buyer.client_id, "wrong-" + buyer.client_secret))
        await client.post("/oauth/revoke", data={"token": token},
                          auth=(buyer.client_id, buyer.client_secret))
        await client.post("/graphql", json={"query": ME},
                          headers={"Authorization": f"Bearer {token}"})
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
    lines = [JsonFormatter().format(r) for r in records]
    events = [json.loads(line) for line in lines]
    kinds = [e["event"] for e in events]
    assert "token.issued" in kinds and "token.revoked" in kinds
    refused = [e for e in events if e["event"] == "token.refused"]
    assert refused and refused[0]["error"] == "invalid_client"
    assert refused[0]["client"] == buyer.client_id
    text = "\n".join(lines)
    assert buyer.client_secret not in text
    assert token not in text
    assert token.split(".")[2] not in text
    assert "Basic " not in text and "Bearer " not in text


# ----- the admin scope makes no one an operator ------------------------------------------------
@pytest.mark.parametrize("kind", ["PUBLIC_BUYER", "CONSORTIUM", "MONITOR"])
async def test_admin_scoped_client_of_a_non_operator_cannot_introspect_others_tokens(
        client: httpx.AsyncClient, buyer: Actor, graph: Graph, kind: str) -> None:
    # given a client of another organisation granted `admin` (as an IdP or a direct write
    # could): the scope says what it may call, not who it is
    intruder = await make_actor(graph, kind=kind, scopes=("sites:read", "admin"))
    token = (await get_token(client, buyer)).json()["access_token"]
    resp = await client.post("/oauth/introspect", data={"token": token},
                             auth=(intruder.client_id, intruder.client_secret))
    assert resp.json() == {"active": False}


async def test_operators_admin_client_introspects_any_token(
        client: httpx.AsyncClient, buyer: Actor, graph: Graph) -> None:
    operator = await make_actor(graph, kind="OPERATOR", scopes=("admin",))
    token = (await get_token(client, buyer)).json()["access_token"]
    resp = await client.post("/oauth/introspect", data={"token": token},
                             auth=(operator.client_id, operator.client_secret))
    assert resp.json()["active"] is True and resp.json()["org"] == buyer.org_id
