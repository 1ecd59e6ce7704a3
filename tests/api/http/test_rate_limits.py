"""Rate limits through the whole stack (auth/limits.py): per-client request and cost budgets
answered with 429 and Retry-After, and failed authentications throttled per client id and
per address before any secret is hashed.

The limits run on a pinned clock that the tests move by hand, so that nothing here depends
on how fast the machine is.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

import auth.server
from auth.client_secrets import hash_secret, new_client_secret
from auth.limits import Limits
from graph.core.db import Graph
from graph.orgs.clients import create_client
from seeds import sample as s
from supplygraph.app import create_app
from supplygraph.settings import Settings

SITES = "{ productionSites(first: 7) { edges { node { id } } } }"  # cost 15


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Client:
    id: str
    secret: str


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _app(settings: Settings, graph: Graph, clock: Clock) -> Starlette:
    app = create_app(settings, graph)
    app.state.limits = Limits(settings, clock=clock)
    return app


def _http(app: Starlette, address: str = "127.0.0.1") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=(address, 40000)),
                             base_url="http://t")


async def _client(graph: Graph, org: str) -> Client:
    secret = new_client_secret()
    cid = f"sgc_rl_{secrets.token_hex(4)}"
    await create_client(graph, client_id=cid, org_id=org, secret_hash=hash_secret(secret),
                        scopes=["sites:read", "reports:read", "contracts:read"])
    return Client(cid, secret)


async def _token(http: httpx.AsyncClient, client: Client) -> str:
    r = await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                        auth=(client.id, client.secret))
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


async def _ask(http: httpx.AsyncClient, token: str, query: str = SITES) -> httpx.Response:
    return await http.post("/graphql", json={"query": query},
                           headers={"authorization": f"Bearer {token}"})


def _limited(r: httpx.Response) -> dict:
    assert r.status_code == 429, r.text
    [error] = r.json()["errors"]
    assert error["extensions"]["code"] == "RATE_LIMITED"
    assert int(r.headers["retry-after"]) == error["extensions"]["retryAfter"] >= 1
    return error


@pytest.fixture
def keyed(neo4j_settings: Settings, tmp_path: Path) -> Settings:
    return neo4j_settings.model_copy(update={"keys_dir": tmp_path / "keys"})


async def test_a_client_over_its_request_budget_waits_and_other_clients_go_on(
        keyed: Settings, sample_graph: Graph, clock: Clock) -> None:
    settings = keyed.model_copy(update={"rate_limit_requests_per_minute": 3})
    app = _app(settings, sample_graph, clock)
    trust, ministry = await _client(sample_graph, s.NW_HEALTH), \
        await _client(sample_graph, s.NW_MINISTRY)
    async with _http(app) as http:
        a, b = await _token(http, trust), await _token(http, ministry)
        for _ in range(3):
            assert (await _ask(http, a)).status_code == 200
        refused = await _ask(http, a)
        error = _limited(refused)
        # a token comes back every 60 / 3 s; the answer says so and names the request
        assert refused.headers["retry-after"] == "20"
        assert error["extensions"]["requestId"] == refused.headers["x-request-id"]
        # another member's client has its own budget
        assert (await _ask(http, b)).status_code == 200
        clock.now += 20
        assert (await _ask(http, a)).status_code == 200
        _limited(await _ask(http, a))


async def test_a_client_over_its_cost_budget_is_refused_with_the_cost_and_when_to_retry(
        keyed: Settings, sample_graph: Graph, clock: Clock) -> None:
    settings = keyed.model_copy(update={"rate_limit_cost_per_minute": 30,
                                        "max_query_cost": 30})
    app = _app(settings, sample_graph, clock)
    trust = await _client(sample_graph, s.NW_HEALTH)
    async with _http(app) as http:
        token = await _token(http, trust)
        for _ in range(2):
            ok = await _ask(http, token)
            assert ok.status_code == 200
            assert ok.json()["extensions"]["cost"]["charged"] == 15
        error = _limited(await _ask(http, token))
        assert error["extensions"]["cost"] == 15
        # 15 units at 30 a minute come back in 30 s
        assert error["extensions"]["retryAfter"] == 30
        # a cheaper query fits what has come back sooner
        clock.now += 2
        cheap = await _ask(http, token, "{ me { clientId } }")
        assert cheap.status_code == 200 and cheap.json()["extensions"]["cost"]["charged"] == 1


async def test_wrong_secrets_are_throttled_per_client_id_before_any_secret_is_hashed(
        keyed: Settings, sample_graph: Graph, clock: Clock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    settings = keyed.model_copy(update={"auth_failures_per_minute": 3})
    app = _app(settings, sample_graph, clock)
    trust = await _client(sample_graph, s.NW_HEALTH)
    hashed: list[str] = []
    real = auth.server.verify_secret

    def counting(secret: str, stored: str) -> bool:
        hashed.append(secret)
        return real(secret, stored)

    monkeypatch.setattr(auth.server, "verify_secret", counting)
    # from three addresses, so that only the client id's budget runs out
    for i in range(3):
        async with _http(app, f"10.0.0.{i + 1}") as http:
            r = await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                                auth=(trust.id, "wrong"))
            assert r.status_code == 401 and r.json()["error"] == "invalid_client"
    assert len(hashed) == 3
    async with _http(app, "10.0.0.9") as http:
        # then even the right secret waits, and nothing is hashed for it
        r = await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                            auth=(trust.id, trust.secret))
        assert r.status_code == 429
        assert r.json()["error"] == "rate_limited" and int(r.headers["retry-after"]) == 20
        for endpoint in ("/oauth/introspect", "/oauth/revoke"):
            r = await http.post(endpoint, data={"token": "x"}, auth=(trust.id, trust.secret))
            assert r.status_code == 429
        assert len(hashed) == 3
        clock.now += 20
        assert (await _token(http, trust))


async def test_wrong_secrets_from_one_address_are_throttled_whatever_client_id_they_name(
        keyed: Settings, sample_graph: Graph, clock: Clock) -> None:
    settings = keyed.model_copy(update={"auth_failures_per_minute": 3})
    app = _app(settings, sample_graph, clock)
    trust = await _client(sample_graph, s.NW_HEALTH)
    async with _http(app, "10.0.1.1") as http:
        for i in range(3):
            r = await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                                auth=(f"sgc_guess_{i}", "wrong"))
            assert r.status_code == 401
        r = await http.post("/oauth/token", data={"grant_type": "client_credentials"},
                            auth=(trust.id, trust.secret))
        assert r.status_code == 429
    async with _http(app, "10.0.1.2") as elsewhere:
        assert await _token(elsewhere, trust)


async def test_bad_bearer_tokens_from_one_address_are_throttled_before_checking_more(
        keyed: Settings, sample_graph: Graph, clock: Clock) -> None:
    settings = keyed.model_copy(update={"auth_failures_per_minute": 3})
    app = _app(settings, sample_graph, clock)
    trust = await _client(sample_graph, s.NW_HEALTH)
    async with _http(app, "10.0.2.2") as good:
        token = await _token(good, trust)
    async with _http(app, "10.0.2.1") as http:
        for _ in range(3):
            r = await _ask(http, "not-a-token")
            assert r.status_code == 401
        _limited(await _ask(http, token))
    async with _http(app, "10.0.2.2") as good:
        assert (await _ask(good, token)).status_code == 200
