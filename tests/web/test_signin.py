"""Signing in and out with a password, sessions kept server side, CSRF on every form and
failures throttled: through the app's HTTP interface, in process, over the real Neo4j."""

from __future__ import annotations

import httpx
import pytest

from graph.core.db import Graph
from graph.orgs.users import disable_user
from seeds import sample as s
from supplygraph.app import create_app
from supplygraph.settings import Settings
from supplygraph.web.session import safe_next
from tests.support.web import (
    Person,
    csrf_of,
    make_person,
    sign_in,
    web_settings,
)


async def test_anonymous_person_asking_for_a_page_is_sent_to_sign_in_and_back(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    # given nobody signed in, asking for a site page
    asked = f"/sites/{s.SITE_KUNSHAN}"
    r = await web.get(asked)
    assert r.status_code == 303
    assert r.headers["location"] == "/signin?next=%2Fsites%2FCN2024074M9S34Q"
    # when the buyer signs in from there
    r = await sign_in(web, people["buyer"], next_path=asked)
    # then she lands on the page she asked for, with a session cookie only the server reads
    assert r.status_code == 303 and r.headers["location"] == asked
    cookie = r.headers["set-cookie"].lower()
    assert "sg_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    page = await web.get(asked)
    assert page.status_code == 200 and "Kunshan" in page.text


async def test_buyer_with_a_wrong_password_gets_no_session(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    r = await sign_in(web, people["buyer"], password="not her password at all")
    assert r.status_code == 401
    assert "sg_session" not in r.headers.get("set-cookie", "")
    assert (await web.get("/exposure")).status_code == 303


async def test_sign_in_without_the_forms_csrf_token_is_refused(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await web.get("/signin")  # the browser has the form's cookie, but the post lacks the field
    r = await web.post("/signin", data={"email": people["buyer"].email,
                                        "password": people["buyer"].password})
    assert r.status_code == 403
    assert "sg_session" not in r.headers.get("set-cookie", "")


async def test_a_cross_site_post_carrying_a_token_of_another_browser_is_refused(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    # given a token the attacker got by opening the form in their own browser
    async with httpx.AsyncClient(transport=web._transport, base_url=str(web.base_url)) as other:
        stolen = csrf_of((await other.get("/signin")).text)
    await web.get("/signin")
    r = await web.post("/signin", data={"csrf": stolen, "email": people["buyer"].email,
                                        "password": people["buyer"].password})
    assert r.status_code == 403


async def test_signed_in_form_without_the_sessions_csrf_token_changes_nothing(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["org_admin"])
    r = await web.post("/admin/users", data={"email": "intruder@example.org",
                                             "role": "admin"})
    assert r.status_code == 403
    listing = await web.get("/admin/users")
    assert "intruder@example.org" not in listing.text


async def test_wrong_passwords_are_throttled_and_then_even_the_right_one_waits(
        sample_graph: Graph, neo4j_settings: Settings, people: dict[str, Person]) -> None:
    app = create_app(web_settings(neo4j_settings, auth_failures_per_minute=3),
                     graph=sample_graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1:8000") as client:
        codes = [(await sign_in(client, people["buyer"], password=f"guess {i}")).status_code
                 for i in range(3)]
        assert codes == [401, 401, 401]
        r = await sign_in(client, people["buyer"])
    assert r.status_code == 429
    assert "sg_session" not in r.headers.get("set-cookie", "")
    assert "Too many failed sign-ins" in r.text


async def test_signing_out_ends_the_session_on_the_server(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    session = web.cookies["sg_session"]
    page = await web.get("/exposure")
    r = await web.post("/signout", data={"csrf": csrf_of(page.text)})
    assert r.status_code == 303
    # the old cookie, sent again (as a thief who copied it would), opens nothing
    web.cookies.set("sg_session", session)
    assert (await web.get("/exposure")).status_code == 303


async def test_disabling_a_person_ends_their_sessions_now(
        web: httpx.AsyncClient, sample_graph: Graph) -> None:
    leaver = await make_person(sample_graph, "leaver", s.NW_HEALTH, "reader")
    await sign_in(web, leaver)
    assert (await web.get("/exposure")).status_code == 200
    assert await disable_user(sample_graph, ref=leaver.email)
    assert (await web.get("/exposure")).status_code == 303
    assert (await sign_in(web, leaver)).status_code == 401


async def test_pages_carry_no_token_and_allow_no_other_origin(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    page = await web.get("/exposure")
    assert "eyJ" not in page.text and web.cookies["sg_session"] not in page.text
    assert "default-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]


@pytest.mark.parametrize("asked", ["//evil.example/", "https://evil.example/",
                                   "/\t/evil.example", "/\\evil.example", "exposure", ""])
def test_sign_in_never_sends_a_person_off_the_site(asked: str) -> None:
    assert safe_next(asked) == "/exposure"


def test_sign_in_sends_a_person_back_to_a_path_of_the_site() -> None:
    assert safe_next("/sites/CN2024074M9S34Q?tab=reports") == "/sites/CN2024074M9S34Q?tab=reports"


async def test_signing_in_again_removes_the_persons_expired_sessions(
        web: httpx.AsyncClient, sample_graph: Graph) -> None:
    person = await make_person(sample_graph, "returning", s.NW_HEALTH, "reader")
    await sign_in(web, person)
    count = ("MATCH (:User {email: $email})-[:HAS_SESSION]->(x:WebSession) "
             "RETURN count(x) AS n")
    await sample_graph.query("MATCH (:User {email: $email})-[:HAS_SESSION]->(x:WebSession) "
                             "SET x.expiresAt = '2000-01-01'", {"email": person.email},
                             write=True)
    assert (await web.get("/exposure")).status_code == 303
    await sign_in(web, person)
    rows = await sample_graph.query(count, {"email": person.email})
    assert rows[0]["n"] == 1
    assert (await web.get("/exposure")).status_code == 200
