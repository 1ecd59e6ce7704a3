"""OAuth clients in headless Debian Chromium (Playwright, auto-waiting, no sleeps): the health
trust's admin registers a client and sees its secret once; a person approves an app on the
consent page by keyboard, which is checked by axe-core like every page."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlencode

import pytest

from auth.client_registration import register_client
from graph.core.db import Graph
from seeds import sample as s
from tests.support.web import PASSWORD, Person
from tests.web.test_accessibility import WIDTHS, _violations


@pytest.fixture
async def page(browser: Any, web_url: str) -> AsyncIterator[Any]:
    context = await browser.new_context(base_url=web_url, bypass_csp=True)
    context.set_default_timeout(120_000)
    page = await context.new_page()
    try:
        yield page
    finally:
        await context.close()


async def _sign_in(page: Any, person: Person) -> None:
    from playwright.async_api import expect

    await page.goto("/signin")
    await page.get_by_label("E-mail address").fill(person.email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).not_to_have_text("Sign in")


async def test_org_admin_registers_a_client_and_sees_its_secret_once(
        page: Any, people: dict[str, Person]) -> None:
    from playwright.async_api import expect

    await _sign_in(page, people["org_admin"])
    await page.goto("/admin")
    await page.get_by_role("link", name="OAuth clients").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text("OAuth clients of")
    await page.get_by_label("Name", exact=True).fill("Browser-made dashboard")
    await page.get_by_label("sites:read").check()
    await page.get_by_label("Redirect URIs").fill("https://dashboard.example.org/callback")
    await page.get_by_role("button", name="Register").click()
    secret = page.locator("#client-secret")
    await expect(secret).to_be_visible()
    shown = await secret.inner_text()
    assert len(shown) >= 40
    row = page.locator("tr", has_text="Browser-made dashboard")
    await expect(row).to_contain_text("https://dashboard.example.org/callback")
    # opened again, the list has the client and no page has its secret
    await page.get_by_role("link", name="OAuth clients").click()
    await expect(page.locator("tr", has_text="Browser-made dashboard")).to_be_visible()
    await expect(page.locator("#client-secret")).to_have_count(0)
    assert shown not in await page.content()


async def test_person_approves_an_app_on_an_accessible_consent_page(
        page: Any, people: dict[str, Person], sample_graph: Graph) -> None:
    from playwright.async_api import expect

    callback = "http://127.0.0.1:9/callback"  # nothing listens: the redirect is only read
    client_id, _ = await register_client(sample_graph, org_id=s.NW_HEALTH, name="Ward tablets",
                                         public=True, scopes=["sites:read"],
                                         redirect_uris=[callback])
    await _sign_in(page, people["buyer"])
    query = urlencode({"response_type": "code", "client_id": client_id,
                       "redirect_uri": callback, "state": "st", "code_challenge": "c" * 43,
                       "code_challenge_method": "S256"})
    found = {}
    for width in WIDTHS:
        await page.set_viewport_size({"width": width, "height": 900})
        await page.goto(f"/oauth/authorize?{query}")
        await expect(page.get_by_role("heading", level=1)).to_have_text("Allow access")
        await expect(page.get_by_text("Ward tablets")).to_be_visible()
        found[width] = await _violations(page)
    assert found == {w: [] for w in WIDTHS}
    allow = page.get_by_role("button", name="Allow")
    await allow.focus()
    async with page.expect_request(lambda r: r.url.startswith(callback)) as sent:
        await page.keyboard.press("Enter")
    assert "code=" in (await sent.value).url and "state=st" in (await sent.value).url
