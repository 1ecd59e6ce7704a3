"""axe-core (pinned in tests/web/axe) on every page of the web app, in headless Chromium, at
desktop width and at 375 px: no serious or critical violation.

With SUPPLYGRAPH_SCREENSHOTS=<folder> set (`make ui-screenshots`), each page checked is also
saved there as a PNG, which is how the screenshots in docs/ui.md are made."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

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
    ("not-found", "buyer", f"/sites/{s.SITE_LK_PRIVATE}"),
    ("imports", "monitor", "/imports"),
    ("import-run", "monitor", "/imports/{run}"),
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


async def _violations(page: Any) -> list[dict[str, Any]]:
    await page.add_script_tag(path=axe_script())
    result = await page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [{"id": v["id"], "impact": v["impact"],
             "nodes": [n["target"] for n in v["nodes"]][:3]}
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


@pytest.mark.parametrize("name,who,path", PAGES, ids=[p[0] for p in PAGES])
async def test_page_has_no_serious_or_critical_accessibility_violation(
        browser: Any, web_url: str, people: dict[str, Person], import_run: str, name: str,
        who: str | None, path: str) -> None:
    from playwright.async_api import expect

    path = path.replace("{run}", import_run)

    # The page's CSP allows only its own scripts: axe is injected around it, in tests only.
    context = await browser.new_context(base_url=web_url, bypass_csp=True)
    context.set_default_timeout(120_000)
    shots = os.environ.get("SUPPLYGRAPH_SCREENSHOTS")
    try:
        page = await context.new_page()
        if who is not None:
            await page.goto("/signin")
            await page.get_by_label("E-mail address").fill(people[who].email)
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
