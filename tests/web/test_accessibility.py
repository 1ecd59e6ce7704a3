"""axe-core (pinned in tests/web/axe) on every page of the web app, in headless Chromium, at
desktop width and at 375 px: no serious or critical violation.

With SUPPLYGRAPH_SCREENSHOTS=<folder> set (`make ui-screenshots`), each page checked is also
saved there as a PNG, which is how the screenshots in docs/ui.md are made."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from auth.client_registration import register_client
from auth.people import add_person, new_totp_secret
from graph.orgs.users import set_totp
from seeds import sample as s
from graph.core.db import Graph
from supplygraph.imports.actor import actor_for
from supplygraph.imports.background import start_site_import, wait_for_imports
from supplygraph.imports.sites import read_site_table
from supplygraph.settings import Settings
from tests.support.browser import axe_script
from tests.support.web import PASSWORD, Person

# (screenshot name, who, path)
PAGES = [
    ("signin", None, "/signin"),
    ("exposure", "buyer", "/exposure"),
    ("map", "buyer", "/map"),
    ("site", "buyer", f"/sites/{s.SITE_KUNSHAN}"),
    ("report-form", "monitor", f"/reports/new?site={s.SITE_RED_DELTA}&q=Jadeport"),
    ("disclosures", "buyer", "/disclosures"),
    ("contract", "requester", f"/contracts/{s.CONTRACT_NW_HEALTH_LAPTOPS}"),
    ("disclosure-inbox", "supplier", "/disclosures/inbox"),
    ("disclosure-answer", "supplier",
     f"/disclosures/{s.REQUEST_NW_HEALTH_DESKTOPS}?site={s.SITE_KUNSHAN}&q=Jadeport"),
    ("two-step", "buyer", "/account/two-step"),
    ("admin-users", "org_admin", "/admin/users"),
    ("admin-organisations", "operator", "/admin/organisations"),
    ("admin-clients", "org_admin", "/admin/clients"),
    ("admin-webhooks", "org_admin", "/admin/webhooks"),
    ("not-found", "buyer", f"/sites/{s.SITE_LK_PRIVATE}"),
    ("imports", "monitor", "/imports"),
    ("imports-review", "monitor", "/imports#review"),
    ("import-run", "monitor", "/imports/{run}"),
    ("oauth-consent", "requester", "/oauth/authorize?{consent}"),
    ("setup", None, "/setup/{setup}"),
    ("signin-code", "two_step", "/signin/code"),
]
WIDTHS = (1280, 375)
LUMUT = ("Factory name,Country,Address,City,Shift pattern\n"
         '"Egret Display (Lumut) Sdn Bhd",MY,"5 Jalan Lumut Jaya",Lumut,2x12\n'
         '"Egret Assembly (Lumut) Sdn Bhd",MY,"5 Jalan Lumut Jaya",Lumut,3x8\n'
         '"Egret Logistics (Lumut)",,"5 Jalan Lumut Jaya",Lumut,\n')


@pytest.fixture(scope="module")
async def import_run(sample_graph: Graph, neo4j_settings: Settings,
                     people: dict[str, Person]) -> str:
    """A finished import of the monitor's organisation with a row of each kind (and so a
    doubtful match in its queue), run as the imports page runs it."""
    table = read_site_table("lumut.csv", "csv", LUMUT.encode())
    actor = await actor_for(sample_graph, people["monitor"].org, table.source)
    run = await start_site_import(sample_graph, neo4j_settings, table, actor=actor,
                                  user="test", sharing="PUBLIC")
    await wait_for_imports()
    return run


@pytest.fixture(scope="module")
async def links(sample_graph: Graph, import_run: str) -> dict[str, str]:
    """What the pages' paths need: the import run, the query of a consent request for a
    client of the health trust (its requester approves it), a new person's setup token."""
    client_id, _ = await register_client(
        sample_graph, org_id=s.NW_HEALTH, name="Trust dashboard", public=True,
        scopes=["sites:read", "contracts:write"],
        redirect_uris=["http://127.0.0.1:8765/callback"])
    consent = urlencode({"response_type": "code", "client_id": client_id,
                         "redirect_uri": "http://127.0.0.1:8765/callback",
                         "scope": "sites:read contracts:write", "state": "st-1",
                         "code_challenge": "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
                         "code_challenge_method": "S256"})
    _, setup = await add_person(sample_graph, org_id=s.LK_UNI,
                                email=f"new-{secrets.token_hex(4)}@example.org",
                                role="reader", password=None, setup_hours=1)
    return {"run": import_run, "consent": consent, "setup": setup or ""}


@pytest.fixture(scope="module")
async def everyone(sample_graph: Graph, people: dict[str, Person]) -> dict[str, Person]:
    """The people, and one with two-step sign-in on: after the password, the code page."""
    person = Person(f"two-step-{secrets.token_hex(4)}@example.org", s.NW_HEALTH, "reader")
    user_id, _ = await add_person(sample_graph, org_id=person.org, email=person.email,
                                  role=person.role, password=PASSWORD, setup_hours=1)
    await set_totp(sample_graph, user_id=user_id, secret=new_totp_secret(), step=0)
    return {**people, "two_step": person}


async def _violations(page: Any) -> list[dict[str, Any]]:
    await page.add_script_tag(path=axe_script())
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"],
             "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("name,who,path", PAGES, ids=[p[0] for p in PAGES])
async def test_page_has_no_serious_or_critical_accessibility_violation(
        browser: Any, web_url: str, everyone: dict[str, Person], links: dict[str, str],
        name: str, who: str | None, path: str) -> None:
    from playwright.async_api import expect

    path = path.format(**links)

    # The page's CSP allows only its own scripts: axe is injected around it, in tests only.
    context = await browser.new_context(base_url=web_url, bypass_csp=True)
    context.set_default_timeout(120_000)
    shots = os.environ.get("SUPPLYGRAPH_SCREENSHOTS")
    try:
        page = await context.new_page()
        if who is not None:
            await page.goto("/signin")
            await page.get_by_label("E-mail address").fill(everyone[who].email)
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await expect(page.get_by_role("heading", level=1)).not_to_have_text("Sign in")
        found = {}
        for width in WIDTHS:
            await page.set_viewport_size({"width": width, "height": 900})
            await page.goto(path)
            await expect(page.locator("main h1")).to_be_visible()
            if name == "map":  # axe looks at the markers too, once the script drew them
                await expect(page.locator(".map-marks > *").first).to_be_attached()
            found[width] = await _violations(page)
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                # the first screenful: what a person sees on opening the page
                await page.screenshot(path=str(Path(shots) / f"{name}-{width}.png"))
    finally:
        await context.close()
    assert found == {w: [] for w in WIDTHS}


async def test_the_check_finds_a_violation_where_there_is_one(browser: Any) -> None:
    # so that a page passing above is a page axe looked at, not a check that cannot fail
    context = await browser.new_context(bypass_csp=True)
    try:
        page = await context.new_page()
        await page.set_content('<html lang="en"><title>t</title><main><h1>x</h1>'
                               '<input type="text"><img src="data:,"></main></html>')
        ids = {v["id"] for v in await _violations(page)}
    finally:
        await context.close()
    assert {"label", "image-alt"} <= ids
