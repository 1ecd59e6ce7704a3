"""The resource side: bearer tokens at /graphql, forged tokens, rotation, revocation across
processes, the external issuer, and `me`.

/graphql is mounted here as a minimal strawberry app exposing only `me` (the real schema is
built in schema/); the middleware in front of it is the production one from create_app.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Mount, Route

from auth.keys import KeyStore
from auth.viewer_cache import ViewerCache
from graph.orgs.clients import revoke_client
from graph.core.db import Graph
from graph.core.migrate import migrate
from graph.orgs.organisations import create_organisation
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.oauth import (
    ME,
    Actor,
    build_app,
    free_port,
    get_token,
    make_actor,
    serve_in_thread,
)

@pytest.fixture
def settings(neo4j_settings: Settings, tmp_path: Path) -> Settings:
    return neo4j_settings.model_copy(update={"keys_dir": tmp_path / "keys"})


@pytest.fixture
async def client(settings: Settings, graph: Graph) -> AsyncIterator[httpx.AsyncClient]:
    await migrate(graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_app(settings, graph)),
                                 base_url="http://testserver") as c:
        yield c


@pytest.fixture
async def consortium(graph: Graph) -> str:
    await migrate(graph)
    org = await create_organisation(graph, name="Test purchasing centre", kind="CONSORTIUM")
    return org.id


@pytest.fixture
async def buyer(graph: Graph, consortium: str) -> Actor:
    return await make_actor(graph, consortia=[consortium])


async def _token(client: httpx.AsyncClient, actor: Actor) -> str:
    resp = await get_token(client, actor)
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


async def _me(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post("/graphql", json={"query": ME},
                             headers={"Authorization": f"Bearer {token}"})


def _b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _parts(token: str) -> tuple[dict, dict, str]:
    h, p, s = token.split(".")
    pad = lambda x: x + "=" * (-len(x) % 4)  # noqa: E731
    return (json.loads(base64.urlsafe_b64decode(pad(h))),
            json.loads(base64.urlsafe_b64decode(pad(p))), s)


def _sign(settings: Settings, claims: dict, header: dict | None = None) -> str:
    """A token signed with the server's real current key (for claim-level forgeries)."""
    keys = KeyStore(settings.signing_keys_dir, token_ttl=settings.token_ttl_seconds,
                    leeway=settings.token_leeway_seconds)
    key = keys.signing_key()
    return jwt.encode(header or {"alg": "ES256", "typ": "at+jwt", "kid": key.kid}, claims, key,
                      algorithms=["ES256"], default_type=None)


def _assert_invalid_token(resp: httpx.Response) -> None:
    assert resp.status_code == 401, resp.text
    assert resp.headers["www-authenticate"].startswith("Bearer")
    assert 'error="invalid_token"' in resp.headers["www-authenticate"]
    assert resp.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


# ----- the guard --------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_anonymous_caller_gets_401_with_bearer_challenge(client: httpx.AsyncClient,
                                                               method: str) -> None:
    resp = await client.request(method, "/graphql", params={"query": ME} if method == "GET"
                                else None, json={"query": ME} if method == "POST" else None)
    assert resp.status_code == 401
    assert resp.headers["www-authenticate"].startswith("Bearer")
    assert "invalid_token" not in resp.headers["www-authenticate"]
    assert resp.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_buyer_calls_me_and_sees_its_org_consortia_and_scopes(
        client: httpx.AsyncClient, buyer: Actor, consortium: str) -> None:
    resp = await _me(client, await _token(client, buyer))
    assert resp.status_code == 200, resp.text
    me = resp.json()["data"]["me"]
    assert me["organisation"]["id"] == buyer.org_id
    assert me["organisation"]["kind"] == "PUBLIC_BUYER"
    assert me["consortia"] == [consortium]
    assert me["scopes"] == ["reports:read", "sites:read"]
    assert me["clientId"] == buyer.client_id


async def test_viewer_peers_include_consortium_members(graph: Graph, consortium: str,
                                                       buyer: Actor,
                                                       settings: Settings) -> None:
    from auth.backend import resolve_viewer
    from auth.tokens import TokenValidator

    other = await make_actor(graph, consortia=[consortium])
    outsider = await make_actor(graph)
    app = build_app(settings, graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as c:
        token = await _token(c, buyer)
    claims = await TokenValidator(settings, app.state.oauth_keys).validate(token)
    viewer = await resolve_viewer(graph, claims)
    assert {buyer.org_id, other.org_id, consortium} <= viewer.peers
    assert outsider.org_id not in viewer.peers
    assert viewer.consortia == frozenset({consortium})


# ----- forged tokens ----------------------------------------------------------------------
async def test_token_with_alg_none_is_refused(client: httpx.AsyncClient, buyer: Actor) -> None:
    _, claims, _ = _parts(await _token(client, buyer))
    forged = f"{_b64({'alg': 'none', 'typ': 'at+jwt'})}.{_b64(claims)}."
    _assert_invalid_token(await _me(client, forged))


async def test_payload_swapped_under_a_valid_signature_is_refused(
        client: httpx.AsyncClient, buyer: Actor, graph: Graph) -> None:
    token = await _token(client, buyer)
    h, claims, sig = token.split(".")[0], _parts(token)[1], token.split(".")[2]
    claims["scope"] = "sites:read sites:write contracts:read contracts:write admin"
    _assert_invalid_token(await _me(client, f"{h}.{_b64(claims)}.{sig}"))


async def test_hs256_signed_with_the_public_key_is_refused(client: httpx.AsyncClient,
                                                           buyer: Actor) -> None:
    token = await _token(client, buyer)
    header, claims, _ = _parts(token)
    jwks = (await client.get("/.well-known/jwks.json")).json()
    public_pem = ECKey.import_key(jwks["keys"][0]).as_pem(private=False)
    # joserfc refuses to build such a key, so the attacker signs by hand.
    signing_input = f"{_b64({'alg': 'HS256', 'typ': 'at+jwt', 'kid': header['kid']})}." \
                    f"{_b64(claims)}"
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    forged = f"{signing_input}.{_b64(mac)}"
    _assert_invalid_token(await _me(client, forged))


@pytest.mark.parametrize("typ", [None, "JWT", "id+jwt"], ids=["missing", "JWT", "id+jwt"])
async def test_token_without_at_jwt_typ_is_refused(client: httpx.AsyncClient, buyer: Actor,
                                                   settings: Settings, typ: str | None) -> None:
    header, claims, _ = _parts(await _token(client, buyer))
    new_header = {"alg": "ES256", "kid": header["kid"]} | ({"typ": typ} if typ else {})
    _assert_invalid_token(await _me(client, _sign(settings, claims, new_header)))


async def test_application_at_jwt_typ_is_accepted(client: httpx.AsyncClient, buyer: Actor,
                                                  settings: Settings) -> None:
    header, claims, _ = _parts(await _token(client, buyer))
    token = _sign(settings, claims, {"alg": "ES256", "kid": header["kid"],
                                     "typ": "application/AT+JWT"})
    assert (await _me(client, token)).status_code == 200


@pytest.mark.parametrize("change", [
    {"iss": "https://evil.example"},
    {"aud": "someone-else"},
    {"exp": -120},
    {"nbf": 600},
    {"iat": 600},
], ids=["wrong-iss", "wrong-aud", "expired", "nbf-in-future", "iat-in-future"])
async def test_token_with_bad_claims_is_refused(client: httpx.AsyncClient, buyer: Actor,
                                                settings: Settings, change: dict) -> None:
    _, claims, _ = _parts(await _token(client, buyer))
    now = int(time.time())
    for key, value in change.items():
        claims[key] = now + value if isinstance(value, int) else value
    _assert_invalid_token(await _me(client, _sign(settings, claims)))


async def test_token_signed_by_an_unknown_key_is_refused(client: httpx.AsyncClient,
                                                         buyer: Actor) -> None:
    header, claims, _ = _parts(await _token(client, buyer))
    stranger = ECKey.generate_key("P-256", private=True, auto_kid=True)
    for kid in (header["kid"], stranger.kid):
        forged = jwt.encode({"alg": "ES256", "typ": "at+jwt", "kid": kid}, claims, stranger,
                            algorithms=["ES256"])
        _assert_invalid_token(await _me(client, forged))


async def test_revoked_token_is_refused_at_once(client: httpx.AsyncClient,
                                               buyer: Actor) -> None:
    token = await _token(client, buyer)
    assert (await _me(client, token)).status_code == 200
    resp = await client.post("/oauth/revoke", data={"token": token},
                             auth=(buyer.client_id, buyer.client_secret))
    assert resp.status_code == 200
    _assert_invalid_token(await _me(client, token))


class _Clock:
    """The viewer cache's clock, moved by hand: no test waits for its bound."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _pinned_cache(app: Starlette, seconds: float = 5.0) -> _Clock:
    clock = _Clock()
    app.state.viewer_cache = ViewerCache(seconds, clock=clock)
    return clock


async def test_tokens_of_a_revoked_client_are_refused_within_the_cache_bound(
        settings: Settings, graph: Graph, buyer: Actor) -> None:
    # `supplygraph clients revoke` writes to Neo4j from another process: the API learns of
    # it when the token's cached context expires (viewer_cache_seconds), not later.
    app = build_app(settings, graph)
    clock = _pinned_cache(app)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as client:
        token = await _token(client, buyer)
        assert (await _me(client, token)).status_code == 200
        await revoke_client(graph, client_id=buyer.client_id)
        clock.now += 5.0
        _assert_invalid_token(await _me(client, token))


async def test_with_the_cache_off_a_revoked_client_is_refused_at_once(
        settings: Settings, graph: Graph, buyer: Actor) -> None:
    app = build_app(settings.model_copy(update={"viewer_cache_seconds": 0}), graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as client:
        token = await _token(client, buyer)
        assert (await _me(client, token)).status_code == 200
        await revoke_client(graph, client_id=buyer.client_id)
        _assert_invalid_token(await _me(client, token))


async def test_an_organisation_joining_a_consortium_is_seen_within_the_cache_bound(
        settings: Settings, graph: Graph, consortium: str) -> None:
    app = build_app(settings, graph)
    clock = _pinned_cache(app)
    newcomer = await make_actor(graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://testserver") as client:
        token = await _token(client, newcomer)
        consortia = lambda r: r.json()["data"]["me"]["consortia"]  # noqa: E731
        assert consortia(await _me(client, token)) == []
        await graph.query("MATCH (o:Organisation {id: $o}), (c:Organisation {id: $c}) "
                          "MERGE (o)-[:MEMBER_OF]->(c)",
                          {"o": newcomer.org_id, "c": consortium}, write=True)
        clock.now += 5.0
        assert consortium in consortia(await _me(client, token))


async def test_revocation_on_one_instance_is_seen_by_another_within_the_cache_bound(
        settings: Settings, graph: Graph, buyer: Actor) -> None:
    first, second = build_app(settings, graph), build_app(settings, graph)
    clock = _pinned_cache(second)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=first),
                                 base_url="http://one") as one, \
            httpx.AsyncClient(transport=httpx.ASGITransport(app=second),
                              base_url="http://two") as two:
        token = await _token(one, buyer)
        assert (await _me(two, token)).status_code == 200
        await one.post("/oauth/revoke", data={"token": token},
                       auth=(buyer.client_id, buyer.client_secret))
        clock.now += 5.0  # the other process's cached context has run out: no later than this
        _assert_invalid_token(await _me(two, token))


# ----- rotation ---------------------------------------------------------------------------
async def test_after_rotation_old_tokens_work_new_tokens_use_new_key_and_jwks_has_both(
        client: httpx.AsyncClient, buyer: Actor, settings: Settings) -> None:
    old_token = await _token(client, buyer)
    old_kid = _parts(old_token)[0]["kid"]
    store = KeyStore(settings.signing_keys_dir, token_ttl=settings.token_ttl_seconds,
                     leeway=settings.token_leeway_seconds)
    previous, current = store.rotate()  # as `supplygraph keys rotate` does, out of process
    assert previous == old_kid
    new_token = await _token(client, buyer)
    assert _parts(new_token)[0]["kid"] == current
    assert (await _me(client, old_token)).status_code == 200
    assert (await _me(client, new_token)).status_code == 200
    kids = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert kids == {old_kid, current}


async def test_retired_key_leaves_jwks_once_its_tokens_have_expired(settings: Settings,
                                                                    tmp_path: Path) -> None:
    short = settings.model_copy(update={"keys_dir": tmp_path / "short", "token_ttl_seconds": 1,
                                        "token_leeway_seconds": 0})
    store = KeyStore(short.signing_keys_dir, token_ttl=1, leeway=0)
    old = store.signing_key().kid
    store.rotate()
    assert old in {k["kid"] for k in store.public_jwks()["keys"]}
    time.sleep(1.2)
    assert old not in {k["kid"] for k in store.public_jwks()["keys"]}
    assert len(store.verification_keys().keys) == 1


# ----- external identity provider ---------------------------------------------------------
async def test_token_from_external_issuer_is_accepted_with_mapped_org_and_scopes(
        settings: Settings, graph: Graph, buyer: Actor) -> None:
    idp_key = RSAKey.generate_key(2048, parameters={"alg": "RS256", "use": "sig"},
                                  private=True, auto_kid=True)

    async def jwks(request: Request) -> JSONResponse:
        return JSONResponse(KeySet([idp_key]).as_dict(private=False))

    idp = Starlette(routes=[Mount("/realms/buyers", routes=[
        Route("/protocol/openid-connect/certs", jwks)])])
    port = free_port()
    issuer = f"http://127.0.0.1:{port}/realms/buyers"
    with serve_in_thread(idp, port) as base:
        ext = settings.model_copy(update={
            "external_issuer": issuer,
            "external_jwks_url": f"{base}/realms/buyers/protocol/openid-connect/certs",
            "external_audience": "supplygraph-api", "external_org_claim": "organisation",
            "external_scope_claim": "scp"})
        app = build_app(ext, graph)
        now = int(time.time())
        claims = {"iss": issuer, "aud": "supplygraph-api", "sub": "svc-procurement",
                  "azp": "procurement-system", "organisation": buyer.org_id,
                  "scp": "sites:read unknown:thing", "iat": now, "exp": now + 300,
                  "jti": "ext-1"}
        good = jwt.encode({"alg": "RS256", "typ": "at+jwt", "kid": idp_key.kid}, claims,
                          idp_key, algorithms=["RS256"])
        wrong_aud = jwt.encode({"alg": "RS256", "typ": "at+jwt", "kid": idp_key.kid},
                               claims | {"aud": "other"}, idp_key, algorithms=["RS256"])
        stranger = RSAKey.generate_key(2048, private=True, auto_kid=True)
        unknown_key = jwt.encode({"alg": "RS256", "typ": "at+jwt", "kid": stranger.kid},
                                 claims, stranger, algorithms=["RS256"])
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://testserver") as c:
            resp = await _me(c, good)
            assert resp.status_code == 200, resp.text
            me = resp.json()["data"]["me"]
            assert me["organisation"]["id"] == buyer.org_id
            assert me["scopes"] == ["sites:read"]
            assert me["clientId"] == "procurement-system"
            _assert_invalid_token(await _me(c, wrong_aud))
            _assert_invalid_token(await _me(c, unknown_key))
            # an unknown kid refetches at most once a minute
            _assert_invalid_token(await _me(c, unknown_key))
            assert app.state.token_validator.external.fetches == 1


async def test_member_with_a_valid_token_gets_503_not_500_when_neo4j_is_down(
        settings: Settings, graph: Graph) -> None:
    from neo4j import AsyncGraphDatabase

    actor = await make_actor(graph)
    app = create_app(settings, graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://t") as c:
        token = (await get_token(c, actor)).json()["access_token"]
    driver = AsyncGraphDatabase.driver("bolt://127.0.0.1:9", auth=("neo4j", "x"),
                                       connection_timeout=1.0, max_transaction_retry_time=1.0)
    dead = Graph(driver, "neo4j", 2.0)
    try:
        down = create_app(settings, dead)  # same keys: the token's signature is valid
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=down),
                                     base_url="http://t") as c:
            r = await c.post("/graphql", json={"query": "{ me { clientId } }"},
                             headers={"Authorization": f"Bearer {token}"})
    finally:
        await driver.close()
    assert r.status_code == 503
    assert r.json()["errors"][0]["extensions"]["code"] == "SERVICE_UNAVAILABLE"
    assert "bolt" not in r.text
