"""Signing in through an organisation's own OpenID Connect provider in headless Debian
Chromium: the web app and a provider the tests start (tests/support/oidc_provider.py), both
served on 127.0.0.1; and axe-core on the sign-in page once it offers the provider."""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from auth.people import add_person
from graph.core.db import Graph
from graph.orgs import oidc
from graph.orgs.organisations import create_organisation
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.oauth import free_port, serve_in_thread
from tests.support.oidc_provider import Provider, running
from tests.support.web import loopback_page
from tests.web.test_accessibility import WIDTHS, _violations

SECRET_ENV = "SG_TEST_OIDC_BROWSER_SECRET"


@pytest.fixture(scope="module")
def app_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def provider(app_port: int) -> Iterator[Provider]:
    p = Provider(client_id="sg-browser", client_secret=secrets.token_urlsafe(24),
                 redirect_uri=f"http://127.0.0.1:{app_port}/signin/oidc/callback")
    with running(p):
        yield p


@pytest.fixture(scope="module")
async def oidc_org(sample_graph: Graph, provider: Provider) -> AsyncIterator[tuple[str, str]]:
    """(organisation name, e-mail domain) of an organisation signing in through `provider`."""
    tag = secrets.token_hex(3)
    org = await create_organisation(sample_graph, name=f"Oidc Browser Trust {tag}",
                                    kind="PUBLIC_BUYER", org_id=f"XX-OIDC-W-{tag}")
    await oidc.set_config(sample_graph, oidc.OidcConfig(
        org_id=org.id, issuer=provider.issuer, client_id=provider.client_id,
        secret_ref=f"env:{SECRET_ENV}", domains=(f"w-{tag}.example",), button=True))
    yield org.id, f"w-{tag}.example"
    await oidc.clear_config(sample_graph, org_id=org.id)


@pytest.fixture(scope="module")
def live(sample_graph: Graph, neo4j_settings: Settings, app_port: int, provider: Provider,
         oidc_org: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    os.environ[SECRET_ENV] = provider.client_secret  # the serving process reads it there
    # A first exposure is built on demand: on a loaded machine that needs room.
    settings = neo4j_settings.model_copy(update={
        "keys_dir": tmp_path_factory.mktemp("oidc-web-keys"), "run_worker_in_serve": False,
        "public_url": f"http://127.0.0.1:{app_port}", "query_timeout_seconds": 60.0})
    try:
        with serve_in_thread(create_app(settings), app_port) as base:
            yield base
    finally:
        os.environ.pop(SECRET_ENV, None)


@pytest.fixture
async def page(browser: Any, live: str) -> AsyncIterator[Any]:
    async with loopback_page(browser, live) as p:
        yield p


async def test_person_of_an_oidc_organisation_signs_in_through_its_provider_to_my_exposure(
        page: Any, sample_graph: Graph, provider: Provider,
        oidc_org: tuple[str, str]) -> None:
    from playwright.async_api import expect

    org_id, domain = oidc_org
    email = f"lena-{secrets.token_hex(3)}@{domain}"
    provider.people[email] = {}
    await add_person(sample_graph, org_id=org_id, email=email, role="reader", password=None,
                     setup_hours=1)
    # she types her work address on the sign-in page and continues
    await page.goto("/signin")
    await page.get_by_label("Your e-mail at your organisation").fill(email)
    await page.get_by_role("button", name="Continue").click()
    # signs in at her organisation's provider
    await expect(page.get_by_role("heading", name="Provider sign-in")).to_be_visible()
    await page.get_by_label("Your address").fill(email)
    await page.get_by_role("button", name="Sign in", exact=True).click()
    # and lands on My exposure, signed in
    await expect(page).to_have_url(re.compile(r"^http://127\.0\.0\.1:\d+/exposure$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text("My exposure")


async def test_the_organisations_button_takes_her_to_its_provider(
        page: Any, oidc_org: tuple[str, str], provider: Provider) -> None:
    from playwright.async_api import expect

    await page.goto("/signin")
    await page.get_by_role("link", name="Sign in with Oidc Browser Trust").click()
    await expect(page.get_by_role("heading", name="Provider sign-in")).to_be_visible()
    assert page.url.startswith(provider.issuer)


async def test_sign_in_page_offering_a_provider_has_no_serious_accessibility_violation(
        browser: Any, live: str, oidc_org: tuple[str, str]) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(base_url=live, bypass_csp=True)
    context.set_default_timeout(120_000)
    found = {}
    try:
        page = await context.new_page()
        for width in WIDTHS:
            await page.set_viewport_size({"width": width, "height": 900})
            await page.goto("/signin")
            await expect(page.get_by_role("link", name="Sign in with")).to_be_visible()
            found[width] = await _violations(page)
            # and with the message at the field
            await page.get_by_label("Your e-mail at your organisation").fill(
                "someone@no-provider.example")
            await page.get_by_role("button", name="Continue").click()
            await expect(page.locator("#oidc-error")).to_be_visible()
            found[-width] = await _violations(page)
    finally:
        await context.close()
    assert all(v == [] for v in found.values()), found
