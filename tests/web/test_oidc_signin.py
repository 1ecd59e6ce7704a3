"""Signing in through an organisation's own OpenID Connect provider, against real providers
the tests start (tests/support/oidc_provider.py): the web app in process (httpx over ASGI),
the providers on 127.0.0.1 ports, the real Neo4j underneath.

Two organisations of these tests' own, each with its provider: "Oidc Trust A" (accounts
must exist) and "Oidc Trust B" (accounts made on first sign-in, role from `groups`)."""

from __future__ import annotations

import html
import re
import secrets
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, replace
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from auth.people import add_person
from graph.core.db import Graph
from graph.orgs import oidc, users
from graph.orgs.organisations import create_organisation
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.oidc_provider import Provider, running
from tests.support.web import csrf_of, web_settings

_CONTINUE = re.compile(r'<a class="button" href="(/signin/oidc\?[^"]+)"')
CALLBACK = "http://127.0.0.1:8000/signin/oidc/callback"  # the `web` client's public URL
SECRET_ENV = "SG_TEST_OIDC_SECRET"


@dataclass
class Org:
    id: str
    name: str
    domain: str
    provider: Provider


def _provider(tag: str) -> Provider:
    return Provider(client_id=f"sg-{tag}", client_secret=secrets.token_urlsafe(24),
                    redirect_uri=CALLBACK)


@pytest.fixture(scope="module")
def providers() -> Iterator[tuple[Provider, Provider]]:
    a, b = _provider("a"), _provider("b")
    with running(a), running(b):
        yield a, b


@pytest.fixture(scope="module")
async def orgs(sample_graph: Graph, providers: tuple[Provider, Provider]
               ) -> AsyncIterator[tuple[Org, Org]]:
    tag = secrets.token_hex(3)
    made = []
    for letter, provider in zip("AB", providers, strict=True):
        org = await create_organisation(sample_graph, name=f"Oidc Trust {letter} {tag}",
                                        kind="PUBLIC_BUYER", org_id=f"XX-OIDC-{letter}-{tag}")
        made.append(Org(org.id, org.name, f"{letter.lower()}-{tag}.example", provider))
    a, b = made
    await oidc.set_config(sample_graph, oidc.OidcConfig(
        org_id=a.id, issuer=a.provider.issuer, client_id=a.provider.client_id,
        secret_ref=f"env:{SECRET_ENV}_A", domains=(a.domain,), button=True))
    await oidc.set_config(sample_graph, oidc.OidcConfig(
        org_id=b.id, issuer=b.provider.issuer, client_id=b.provider.client_id,
        secret_ref=f"env:{SECRET_ENV}_B", domains=(b.domain,), create_users=True,
        role_claim="groups", role_values={"contributor": ("sg-editors",)},
        default_role="reader"))
    yield a, b
    for org in made:  # other tests' sign-in pages stay as they were
        await oidc.clear_config(sample_graph, org_id=org.id)


@pytest.fixture
async def web(sample_graph: Graph, neo4j_settings: Settings, orgs: tuple[Org, Org],
              monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[httpx.AsyncClient]:
    for letter, org in zip("AB", orgs, strict=True):
        monkeypatch.setenv(f"{SECRET_ENV}_{letter}", org.provider.client_secret)
    app = create_app(web_settings(neo4j_settings, oidc_timeout_seconds=3.0), graph=sample_graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1:8000") as client:
        yield client


async def person_of(graph: Graph, org: Org, tag: str, **claims: object) -> str:
    """A person the organisation's provider knows; with an account here unless told not."""
    email = f"{tag}-{secrets.token_hex(3)}@{org.domain}"
    org.provider.people[email] = dict(claims)
    return email


async def with_account(graph: Graph, org: Org, tag: str, role: str = "reader") -> str:
    email = await person_of(graph, org, tag)
    await add_person(graph, org_id=org.id, email=email, role=role, password=None,
                     setup_hours=1)
    return email


async def start(web: httpx.AsyncClient, email: str, next_path: str = "") -> httpx.Response:
    """The e-mail form sent; its answer page (which goes on at once in a browser) followed."""
    page = await web.get("/signin")
    r = await web.post("/signin/oidc", data={"csrf": csrf_of(page.text), "email": email,
                                             "next": next_path})
    if r.status_code != 200:
        return r
    found = _CONTINUE.search(r.text)
    assert found, "the page goes on nowhere"
    assert f'content="0; url={found.group(1)}"' in r.text
    return await web.get(html.unescape(found.group(1)))


async def at_provider(location: str, who: str, go: str = "yes") -> str:
    """The person signs in at the provider's own page; the address it sends the browser
    back to."""
    async with httpx.AsyncClient() as browser:
        page = await browser.get(location)
        assert page.status_code == 200, page.text
        fields = dict(parse_qs(urlsplit(location).query))
        form = {k: v[0] for k, v in fields.items()} | {"who": who, "go": go}
        back = await browser.post(location.split("?")[0], data=form)
    assert back.status_code == 303, back.text
    return back.headers["location"]


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


async def provider_answer(web: httpx.AsyncClient, graph: Graph, org: Org, tag: str) -> str:
    """Given a person with an account who signs in at her organisation's provider: the
    address it sends her browser back to, not followed yet."""
    email = await with_account(graph, org, tag)
    r = await start(web, email)
    return await at_provider(r.headers["location"], email)


async def through_provider(web: httpx.AsyncClient, email: str, go: str = "yes"
                           ) -> httpx.Response:
    """The whole sign-in from the e-mail form: started here, signed in at the provider (or
    not, with go="no"), and the answer of the address the provider sends the browser back to."""
    r = await start(web, email)
    return await web.get(path_of(await at_provider(r.headers["location"], email, go)))


def flow_started(r: httpx.Response) -> bool:
    return any(c.startswith("sg_oidc=") and not c.startswith('sg_oidc=""')
               for c in r.headers.get_list("set-cookie"))


def no_session(r: httpx.Response) -> bool:
    return "sg_session=" not in r.headers.get("set-cookie", "")


async def signed_in(web: httpx.AsyncClient) -> bool:
    # A page that needs a session and no GraphQL: cheap on a loaded machine.
    return (await web.get("/account/two-step")).status_code == 200


# ----- the journey --------------------------------------------------------------------------
async def test_person_of_an_oidc_organisation_signs_in_through_its_provider(
        web: httpx.AsyncClient, sample_graph: Graph, orgs: tuple[Org, Org]) -> None:
    a, _ = orgs
    email = await with_account(sample_graph, a, "ana")
    asked = a.provider.token_requests
    # when she types her work address, she is sent to her organisation's provider with a
    # PKCE challenge, a state and a nonce, and a short-lived cookie binding them to her browser
    r = await start(web, email, next_path="/disclosures")
    assert r.status_code == 303 and r.headers["location"].startswith(a.provider.issuer)
    query = parse_qs(urlsplit(r.headers["location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    assert query["redirect_uri"] == [CALLBACK] and "openid" in query["scope"][0].split()
    flow_cookie = r.headers["set-cookie"].lower()
    assert "sg_oidc=" in flow_cookie and "httponly" in flow_cookie
    assert "samesite=lax" in flow_cookie and "path=/signin/oidc" in flow_cookie
    # and signs in there
    back = await at_provider(r.headers["location"], email)
    r = await web.get(path_of(back))
    # then she has the same session as a password sign-in, on the page she asked for
    assert r.status_code == 303 and r.headers["location"] == "/disclosures"
    cookies = r.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("sg_session=")).lower()
    assert "httponly" in session and "samesite=lax" in session
    assert a.provider.token_requests == asked + 1  # the code exchanged once, by the server
    page = await web.get("/account/two-step")
    assert page.status_code == 200 and email in page.text


async def test_the_organisations_button_starts_the_same_sign_in(
        web: httpx.AsyncClient, sample_graph: Graph, orgs: tuple[Org, Org]) -> None:
    a, b = orgs
    page = await web.get("/signin")
    assert f"Sign in with {a.name}" in page.text and f"Sign in with {b.name}" not in page.text
    email = await with_account(sample_graph, a, "bea")
    r = await web.get("/signin/oidc", params={"org": a.id})
    assert r.status_code == 303 and r.headers["location"].startswith(a.provider.issuer)
    r = await web.get(path_of(await at_provider(r.headers["location"], email)))
    assert r.status_code == 303 and r.headers["location"] == "/exposure"
    assert await signed_in(web)


async def test_a_new_person_of_an_organisation_that_allows_it_gets_an_account_with_the_mapped_role(
        web: httpx.AsyncClient, sample_graph: Graph, orgs: tuple[Org, Org]) -> None:
    _, b = orgs
    editor = await person_of(sample_graph, b, "cem", groups=["staff", "sg-editors"])
    r = await through_provider(web, editor)
    assert r.status_code == 303 and await signed_in(web)
    roles = {u.email: u.role for u in await users.list_users(sample_graph, org_id=b.id)}
    assert roles[editor] == "contributor"


# ----- refused: no session, nothing written -------------------------------------------------
@pytest.mark.parametrize(("who", "status", "reason"), [
    pytest.param("stranger", 403, "not a person of that organisation",
                 id="person_the_organisation_does_not_have_gets_403"),
    pytest.param("disabled", 403, "disabled", id="disabled_person_gets_403"),
    pytest.param("declined", 401, "did not sign you in",
                 id="person_the_provider_does_not_sign_in_gets_401_on_the_sign_in_page"),
])
async def test_a_refused_person_sees_why_and_nothing_is_written(
        web: httpx.AsyncClient, sample_graph: Graph, orgs: tuple[Org, Org], who: str,
        status: int, reason: str) -> None:
    a, _ = orgs
    # given a person A's provider knows: without an account here, disabled, or declining
    if who == "stranger":
        email = await person_of(sample_graph, a, "dan")
    else:
        email = await with_account(sample_graph, a, who)
    if who == "disabled":
        assert await users.disable_user(sample_graph, ref=email)
    before = await users.list_users(sample_graph, org_id=a.id)
    # when she signs in through the provider
    r = await through_provider(web, email, go="no" if who == "declined" else "yes")
    # then she is told why, without a session, and no account is made or changed
    assert r.status_code == status and no_session(r) and reason in r.text
    assert await users.list_users(sample_graph, org_id=a.id) == before
    assert not await signed_in(web)


async def test_a_token_from_one_organisations_provider_never_signs_anyone_into_another(
        web: httpx.AsyncClient, sample_graph: Graph, orgs: tuple[Org, Org]) -> None:
    a, b = orgs
    # given a person of B, and A's provider claiming her address for one of its own people
    # (a provider is its organisation's to run, and may lie about any address)
    victim = await with_account(sample_graph, b, "eve")
    a.provider.people[victim] = {}
    r = await web.get("/signin/oidc", params={"org": a.id})
    r = await web.get(path_of(await at_provider(r.headers["location"], victim)))
    # then A's token maps only to A's people: refused, and B's account untouched
    assert r.status_code == 403 and no_session(r) and not await signed_in(web)
    # even were A's configuration to admit any e-mail domain (its first line of defence)
    kept = await oidc.config_of_org(sample_graph, org_id=a.id)
    assert kept is not None
    await oidc.set_config(sample_graph, replace(kept, domains=()))
    try:
        r = await web.get("/signin/oidc", params={"org": a.id})
        r = await web.get(path_of(await at_provider(r.headers["location"], victim)))
    finally:
        await oidc.set_config(sample_graph, kept)
    assert r.status_code == 403 and no_session(r) and not await signed_in(web)
    # nor does a code of A's provider, swapped into a flow this browser started for B
    r = await start(web, victim)  # B's domain: a flow for B
    state_b = parse_qs(urlsplit(r.headers["location"]).query)["state"][0]
    async with httpx.AsyncClient(transport=web._transport, base_url=str(web.base_url)) as other:
        started = await other.get("/signin/oidc", params={"org": a.id})
        a_back = await at_provider(started.headers["location"], victim)
    a_code = parse_qs(urlsplit(a_back).query)["code"][0]
    r = await web.get(f"/signin/oidc/callback?code={a_code}&state={state_b}")
    assert r.status_code == 401 and no_session(r) and not await signed_in(web)


async def test_an_answer_with_another_state_is_refused_before_the_provider_is_asked(
        web: httpx.AsyncClient, sample_graph: Graph, orgs: tuple[Org, Org]) -> None:
    a, _ = orgs
    back = await provider_answer(web, sample_graph, a, "fay")
    asked = a.provider.token_requests
    code = parse_qs(urlsplit(back).query)["code"][0]
    r = await web.get(f"/signin/oidc/callback?code={code}&state=not-the-state")
    assert r.status_code == 400 and no_session(r) and "not started in this browser" in r.text
    assert a.provider.token_requests == asked
    # and the flow is spent: the right state afterwards finds no flow either
    r = await web.get(path_of(back))
    assert r.status_code == 400 and not await signed_in(web)


async def test_an_answer_naming_another_issuer_is_refused_before_the_code_is_used(
        web: httpx.AsyncClient, sample_graph: Graph, orgs: tuple[Org, Org]) -> None:
    # the mix-up attack (RFC 9207): an answer that says another provider issued it
    a, b = orgs
    back = await provider_answer(web, sample_graph, a, "ike")
    asked = a.provider.token_requests
    r = await web.get(path_of(back) + "&" + urlencode({"iss": b.provider.issuer}))
    assert r.status_code == 401 and no_session(r) and a.provider.token_requests == asked


async def test_an_answer_in_a_browser_that_did_not_start_the_sign_in_is_refused(
        web: httpx.AsyncClient, sample_graph: Graph, orgs: tuple[Org, Org]) -> None:
    # the login-CSRF attack: the attacker's own code and state, fed to the victim's browser
    a, _ = orgs
    back = await provider_answer(web, sample_graph, a, "gus")  # the attacker's
    async with httpx.AsyncClient(transport=web._transport, base_url=str(web.base_url)) as victim:
        r = await victim.get(path_of(back))
        assert r.status_code == 400 and no_session(r)
        assert (await victim.get("/account/two-step")).status_code == 303


@pytest.mark.parametrize("mischief", ["replay", "other_key", "other_audience", "expired",
                                      "alg_none"])
async def test_an_id_token_that_does_not_hold_is_refused(
        mischief: str, web: httpx.AsyncClient, sample_graph: Graph,
        orgs: tuple[Org, Org]) -> None:
    a, _ = orgs
    email = await with_account(sample_graph, a, "hal")
    if mischief == "replay":  # an ID token issued before, for another flow (another nonce)
        assert (await through_provider(web, email)).status_code == 303
        page = await web.get("/account/two-step")
        await web.post("/signout", data={"csrf": csrf_of(page.text)})
    a.provider.mischief = mischief
    try:
        r = await through_provider(web, email)
    finally:
        a.provider.mischief = None
    assert r.status_code == 401 and no_session(r)
    assert "could not accept" in r.text and not await signed_in(web)


async def test_an_address_no_organisation_signs_in_with_gets_a_message_at_the_field(
        web: httpx.AsyncClient, orgs: tuple[Org, Org]) -> None:
    r = await start(web, "someone@no-provider.example")
    assert r.status_code == 422 and 'aria-invalid="true"' in r.text
    assert "No organisation signs in through its own provider" in r.text
    assert not flow_started(r)


async def test_starting_from_the_form_without_its_csrf_token_is_refused(
        web: httpx.AsyncClient, orgs: tuple[Org, Org]) -> None:
    a, _ = orgs
    await web.get("/signin")
    r = await web.post("/signin/oidc", data={"email": f"x@{a.domain}"})
    assert r.status_code == 403 and not flow_started(r)


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers (a provider that hangs)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)
        yield int(s.getsockname()[1])


async def test_a_provider_that_does_not_answer_gets_a_clear_message_not_a_hang(
        sample_graph: Graph, neo4j_settings: Settings, silent_port: int) -> None:
    tag = secrets.token_hex(3)
    org = await create_organisation(sample_graph, name=f"Oidc Silent {tag}",
                                    kind="PUBLIC_BUYER", org_id=f"XX-OIDC-S-{tag}")
    await oidc.set_config(sample_graph, oidc.OidcConfig(
        org_id=org.id, issuer=f"http://127.0.0.1:{silent_port}", client_id="sg",
        domains=(f"s-{tag}.example",)))
    try:
        app = create_app(web_settings(neo4j_settings, oidc_timeout_seconds=0.5),
                         graph=sample_graph)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                     base_url="http://127.0.0.1:8000") as web:
            r = await start(web, f"kim@s-{tag}.example")
        assert r.status_code == 503 and "did not answer" in r.text
        assert not flow_started(r)
    finally:
        await oidc.clear_config(sample_graph, org_id=org.id)
