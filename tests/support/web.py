"""The web app's actors and clients: people of the sample organisations with passwords, an
in-process client (httpx over ASGI, cookies kept) and helpers to sign in through the form.

Accounts get unique e-mail addresses, so test runs never share one; each test gets its own
app (and so its own sign-in throttle) and its own cookies."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from auth.people import add_person
from graph.core.db import Graph
from seeds import sample as s
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.writes import call, writer

PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass(frozen=True)
class Person:
    email: str
    org: str
    role: str
    password: str = PASSWORD


# who -> (organisation, role): a buyer of the health trust, a monitor of the workers'
# network, the health trust's admin, the operator's admin, a buyer of the university, a
# buyer of the health trust who may request disclosures (contracts:write), and the
# compliance contact of Civitas, which speaks for the health trust's contractor.
ACTORS = {"buyer": (s.NW_HEALTH, "reader"), "monitor": (s.MONITOR_WORKERS, "contributor"),
          "org_admin": (s.NW_HEALTH, "admin"), "operator": (s.OPERATOR, "admin"),
          "other_buyer": (s.LK_UNI, "reader"), "requester": (s.NW_HEALTH, "contributor"),
          "supplier": (s.CIVITAS, "contributor")}


async def make_person(graph: Graph, who: str, org: str, role: str) -> Person:
    email = f"{who}-{secrets.token_hex(4)}@example.org"
    await add_person(graph, org_id=org, email=email, role=role, password=PASSWORD,
                     setup_hours=1)
    return Person(email, org, role)


async def contributor_of_new_org(graph: Graph, who: str) -> Person:
    """A contributor of a monitoring organisation of its own: a review queue no other test
    adds to (the imports page's tests and journey)."""
    from graph.orgs.organisations import create_organisation

    org = await create_organisation(graph, name=f"{who} {secrets.token_hex(3)}", kind="MONITOR")
    return await make_person(graph, who, org.id, "contributor")


@pytest.fixture(scope="module")
async def people(sample_graph: Graph) -> dict[str, Person]:
    """One set per test module (Argon2 makes each account cost half a second here); a test
    that disables or throttles someone makes its own person instead."""
    return {who: await make_person(sample_graph, who, org, role)
            for who, (org, role) in ACTORS.items()}


def web_settings(settings: Settings, **changes: object) -> Settings:
    return settings.model_copy(update={"run_worker_in_serve": False, **changes})


@pytest.fixture
async def web(sample_graph: Graph, neo4j_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """A browser-like client of the app, in process (cookies kept, redirects not followed)."""
    app = create_app(web_settings(neo4j_settings), graph=sample_graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1:8000") as client:
        yield client


def csrf_of(page: str) -> str:
    found = _CSRF.search(page)
    assert found, "the page has no CSRF field"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient, person: Person, next_path: str = "",
                  password: str | None = None) -> httpx.Response:
    """Opens the sign-in page (as a browser would) and sends its form."""
    page = await client.get("/signin", params={"next": next_path} if next_path else None)
    return await client.post("/signin", data={
        "csrf": csrf_of(page.text), "email": person.email,
        "password": PASSWORD if password is None else password, "next": next_path})


# ----- disclosure requests ---------------------------------------------------------------------
CREATE_CONTRACT = """
mutation($input: CreateContractInput!) { createContract(input: $input) {
  contract { id } errors { code message path } } }"""
REQUEST_DISCLOSURE = """
mutation($input: RequestDisclosureInput!) { requestDisclosure(input: $input) {
  request { id } errors { code message path } } }"""


def in_days(n: int) -> str:
    return (datetime.now(UTC).date() + timedelta(days=n)).isoformat()


async def new_contract(graph: Graph) -> str:
    """A new contract of the health trust, awarded to Civitas (which the sample's Civitas
    organisation speaks for), shared with its consortium: a test's own, so that requests of
    one test never meet another's (one open request per contract and buyer)."""
    answer = await call(graph, await writer(graph, s.NW_HEALTH), CREATE_CONTRACT, {"input": {
        "reference": f"ocds-web-{secrets.token_hex(4)}", "title": "Docking stations",
        "supplierId": "SUP-CIVITAS", "sharing": "CONSORTIUM"}})
    assert not answer.errors, answer.errors
    return str(answer.data["createContract"]["contract"]["id"])


async def health_trust_request(graph: Graph, due_in_days: int = 30) -> tuple[str, str]:
    """(contract, request): a new contract and the health trust's open request on it, made
    through the API as the trust."""
    contract = await new_contract(graph)
    answer = await call(graph, await writer(graph, s.NW_HEALTH), REQUEST_DISCLOSURE, {
        "input": {"contractId": contract, "dueDate": in_days(due_in_days),
                  "message": "Please list the assembly sites"}})
    assert not answer.errors and not answer.data["requestDisclosure"]["errors"], answer
    return contract, str(answer.data["requestDisclosure"]["request"]["id"])


@asynccontextmanager
async def loopback_page(browser: Any, base_url: str) -> AsyncIterator[Any]:
    """A Playwright page on `base_url` that fails the test, once closed, if the browser asked
    any host but 127.0.0.1: no CDN, no font or tile server, nothing from outside."""
    context = await browser.new_context(base_url=base_url)
    context.set_default_timeout(120_000)
    requested: list[str] = []
    page = await context.new_page()
    page.on("request", lambda req: requested.append(req.url))
    try:
        yield page
    finally:
        await context.close()
    hosts = {urlsplit(u).hostname for u in requested if urlsplit(u).scheme in ("http", "https")}
    assert hosts <= {"127.0.0.1"}, requested
