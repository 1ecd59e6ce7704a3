"""The optional second step of sign-in (TOTP, RFC 6238): turned on by the person, asked for
after the password, throttled, and no code accepted twice."""

from __future__ import annotations

import re
import time

import httpx
import pyotp

from graph.core.db import Graph
from seeds import sample as s
from tests.support.web import csrf_of, make_person, sign_in

SECRET = re.compile(r'<code id="totp-secret">([A-Z2-7]+)</code>')


async def test_person_with_two_step_needs_a_fresh_code_after_the_password(
        web: httpx.AsyncClient, sample_graph: Graph) -> None:
    person = await make_person(sample_graph, "careful", s.NW_HEALTH, "reader")
    await sign_in(web, person)
    # given two-step sign-in turned on with a code from the app
    page = await web.get("/account/two-step")
    secret = SECRET.search(page.text).group(1)  # type: ignore[union-attr]
    totp = pyotp.TOTP(secret)
    done = await web.post("/account/two-step", data={
        "csrf": csrf_of(page.text), "secret": secret, "code": totp.now()})
    assert done.status_code == 200 and "Two-step sign-in is on" in done.text
    await web.post("/signout", data={"csrf": csrf_of(done.text)})
    # when she signs in with her password alone
    r = await sign_in(web, person, next_path="/exposure")
    assert r.status_code == 303 and r.headers["location"] == "/signin/code?next=%2Fexposure"
    # then no page opens until a code is given
    assert (await web.get("/exposure")).status_code == 303
    form = await web.get("/signin/code", params={"next": "/exposure"})
    wrong = await web.post("/signin/code?next=%2Fexposure",
                           data={"csrf": csrf_of(form.text), "code": "000000"})
    assert wrong.status_code == 401
    # the step of the enrolment's code is spent: the next one (within the drift allowed)
    following = totp.at(time.time() + totp.interval)
    right = await web.post("/signin/code?next=%2Fexposure",
                           data={"csrf": csrf_of(form.text), "code": following})
    assert right.status_code == 303 and right.headers["location"] == "/exposure"
    assert (await web.get("/exposure")).status_code == 200
    # and the same code does not open a second session
    async with httpx.AsyncClient(transport=web._transport, base_url=str(web.base_url)) as other:
        await sign_in(other, person)
        again = await other.get("/signin/code")
        replay = await other.post("/signin/code", data={"csrf": csrf_of(again.text),
                                                        "code": following})
        assert replay.status_code == 401
        assert (await other.get("/exposure")).status_code == 303


async def test_a_code_page_without_a_pending_session_sends_to_sign_in(
        web: httpx.AsyncClient) -> None:
    r = await web.get("/signin/code")
    assert r.status_code == 303 and r.headers["location"] == "/signin"


async def test_turning_on_two_step_with_a_wrong_code_changes_nothing(
        web: httpx.AsyncClient, sample_graph: Graph) -> None:
    person = await make_person(sample_graph, "hasty", s.NW_HEALTH, "reader")
    await sign_in(web, person)
    page = await web.get("/account/two-step")
    secret = SECRET.search(page.text).group(1)  # type: ignore[union-attr]
    r = await web.post("/account/two-step", data={"csrf": csrf_of(page.text),
                                                  "secret": secret, "code": "123 45"})
    assert r.status_code == 422
    await web.post("/signout", data={"csrf": csrf_of(r.text)})
    assert (await sign_in(web, person)).headers["location"] == "/exposure"
