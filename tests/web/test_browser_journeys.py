"""The web app in headless Debian Chromium: one journey per actor and the sign-in attacks,
with Playwright's auto-waiting expectations (no sleeps), every request on 127.0.0.1.

Journeys: the buyer signs in by keyboard at 375 px, sees Kunshan in her exposure and opens
its page; the monitor submits a report with two findings and sees it on the site page, and
shares one with two organisations and its sensitive note with one of them (who alone reads
it on the site page); the
operator adds a person who then sets a password and signs in; the supplier's compliance
contact answers a disclosure request with a site and the buyer sees it answered; an expired
session goes to sign-in and back. Attacks: a tampered CSRF token is refused, another
organisation's record id answers "not found", and wrong passwords are throttled."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest

from auth.people import token_key
from graph.core.db import Graph
from seeds import sample as s
from supplygraph.app import create_app
from supplygraph.settings import Settings
from tests.support.oauth import free_port, serve_in_thread
from tests.support.web import (
    PASSWORD,
    Person,
    contributor_of_new_org,
    health_trust_request,
    loopback_page,
    make_person,
)

KUNSHAN = "Jadeport Kunshan Campus 3"
RED_DELTA = "Red Delta Battery Plant Bac Ninh"


@pytest.fixture
async def page(browser: Any, web_url: str) -> AsyncIterator[Any]:
    async with loopback_page(browser, web_url) as p:
        yield p


async def _sign_in(page: Any, person: Person, password: str = PASSWORD) -> None:
    from playwright.async_api import expect

    await page.goto("/signin")
    await page.get_by_label("E-mail address").fill(person.email)
    await page.get_by_label("Password").fill(password)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", level=1)).not_to_have_text("Sign in")


async def test_buyer_signs_in_by_keyboard_at_375px_sees_kunshan_and_opens_its_page(
        page: Any, people: dict[str, Person]) -> None:
    from playwright.async_api import expect

    await page.set_viewport_size({"width": 375, "height": 740})
    # given the sign-in page, used by keyboard alone
    await page.goto("/exposure")
    await expect(page).to_have_url(re.compile(r"/signin\?next=%2Fexposure$"))
    await page.keyboard.press("Tab")  # the skip link
    await page.keyboard.press("Tab")  # the brand
    await page.keyboard.press("Tab")
    await expect(page.get_by_label("E-mail address")).to_be_focused()
    await page.keyboard.type(people["buyer"].email)
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    # then her exposure, with Kunshan, and no sideways scrolling at 375 px
    await expect(page.get_by_role("heading", level=1)).to_have_text("My exposure")
    link = page.get_by_role("link", name=KUNSHAN).first
    await expect(link).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375
    # when she opens it, the site page shows its identity and its reports
    await link.click()
    await expect(page.get_by_role("heading", level=1)).to_have_text(KUNSHAN)
    await expect(page.get_by_text(s.SITE_KUNSHAN)).to_be_visible()
    await expect(page.get_by_role("heading", name="Reports")).to_be_visible()
    assert await page.evaluate("document.documentElement.scrollWidth") <= 375


async def test_monitor_submits_a_report_with_two_findings_and_sees_it_on_the_site_page(
        page: Any, people: dict[str, Person]) -> None:
    from playwright.async_api import expect

    await _sign_in(page, people["monitor"])
    await page.get_by_role("link", name="Submit a report").click()
    # the site, found by search (htmx swaps the results in as she types)
    await page.get_by_label("Find the site by name, alias or address").fill("Red Delta")
    await page.get_by_role("link", name=RED_DELTA).click()
    await expect(page.locator("#chosen-site")).to_contain_text(RED_DELTA)
    await page.get_by_label("Kind of report").select_option("WORKER_DRIVEN_MONITORING")
    await page.get_by_label("Title").fill("Browser journey: dormitory interviews")
    await page.get_by_label("Date of the visit").fill("2026-11-20")
    first = page.locator("#finding-0")
    await first.get_by_label("Category").select_option("FORCED_LABOUR")
    await first.get_by_label("Severity").select_option("CRITICAL")
    await first.get_by_label("What was found").fill("recruitment debts of three months' pay")
    await page.get_by_role("button", name="Add a finding").click()
    second = page.locator("#finding-1")
    await expect(second).to_be_visible()
    # what was typed before adding the row is kept
    await expect(page.get_by_label("Title")).to_have_value(
        "Browser journey: dormitory interviews")
    await second.get_by_label("Category").select_option("WORKING_HOURS")
    await second.get_by_label("Severity").select_option("HIGH")
    await second.get_by_label("What was found").fill("seven-day weeks before shipments")
    await page.get_by_role("button", name="Save the report").click()
    # then the site page, with the report and both findings in its timeline
    await expect(page.get_by_role("heading", level=1)).to_have_text(RED_DELTA)
    await expect(page.get_by_role("status")).to_have_text("Your report was saved.")
    report = page.locator(".timeline > li", has_text="Browser journey: dormitory interviews")
    await expect(report).to_contain_text("recruitment debts of three months' pay")
    await expect(report).to_contain_text("seven-day weeks before shipments")


SITIAWAN = ("Factory name,Country,Address,City\n"
            '"Kingfisher Display (Sitiawan) Sdn Bhd",MY,"8 Jalan Sitiawan Jaya",Sitiawan\n'
            '"Kingfisher Assembly (Sitiawan) Sdn Bhd",MY,"8 Jalan Sitiawan Jaya",Sitiawan\n')


async def test_contributor_uploads_a_site_list_sees_the_summary_and_confirms_a_doubtful_match(
        page: Any, sample_graph: Graph) -> None:
    from playwright.async_api import expect

    await _sign_in(page, await contributor_of_new_org(sample_graph, "journey-importer"))
    await page.get_by_role("link", name="Imports").click()
    await page.get_by_label("Site list (CSV or XLSX)").set_input_files(
        {"name": "sitiawan.csv", "mimeType": "text/csv", "buffer": SITIAWAN.encode()})
    await page.get_by_role("button", name="Import", exact=True).click()
    # the progress while it runs; the summary once it ends (htmx reloads the page)
    await expect(page.get_by_role("heading", level=1)).to_have_text("Import of sitiawan.csv")
    counts = page.locator("#summary-counts")
    await expect(counts).to_contain_text("New sites: 1")
    await expect(counts).to_contain_text("Kept for review: 1")
    await expect(page.locator("#summary-rows")).to_contain_text("names differ")
    # the doubtful row waits in the review queue, with its candidate: she confirms it
    await page.get_by_role("link", name="Decide them").click()
    confirm = page.get_by_role("button", name="This is the site: Kingfisher Display (Sitiawan) "
                                              "Sdn Bhd, for the submitted Kingfisher Assembly "
                                              "(Sitiawan) Sdn Bhd")
    await confirm.click()
    await expect(page.locator("#decided")).to_be_visible()
    await expect(confirm).to_have_count(0)
    await expect(page.get_by_text("No doubtful matches are waiting")).to_be_visible()


async def test_monitor_shares_a_report_with_two_organisations_and_its_notes_with_one(
        page: Any, people: dict[str, Person]) -> None:
    from playwright.async_api import expect

    title = "Browser journey: restricted testimony"
    note = "the informant's shift leader kept the passports"
    # given the monitor's report on Red Delta, RESTRICTED to the health trust and the
    # university, with a sensitive note only the health trust may read
    await _sign_in(page, people["monitor"])
    await page.goto(f"/reports/new?site={s.SITE_RED_DELTA}")
    await page.get_by_label("Kind of report").select_option("WORKER_DRIVEN_MONITORING")
    await page.get_by_label("Title").fill(title)
    await page.get_by_label("Who may read it").select_option("RESTRICTED")
    shared = page.get_by_role("group", name="Organisations that may see the report")
    await shared.get_by_label("Northwind Regional Health Trust").check()
    await shared.get_by_label("University of Lakeshore").check()
    await page.get_by_label("Sensitive notes", exact=True).fill(note)
    readers = page.get_by_role("group", name="Organisations that may read the sensitive notes")
    await readers.get_by_label("Northwind Regional Health Trust").check()
    first = page.locator("#finding-0")
    await first.get_by_label("Category").select_option("FORCED_LABOUR")
    await first.get_by_label("Severity").select_option("CRITICAL")
    await page.get_by_role("button", name="Save the report").click()
    await expect(page.get_by_role("status")).to_have_text("Your report was saved.")
    await page.get_by_role("button", name="Sign out").click()
    # then the health trust's buyer reads the note on the site page
    await _sign_in(page, people["buyer"])
    await page.goto(f"/sites/{s.SITE_RED_DELTA}")
    report = page.locator(".timeline > li", has_text=title)
    await expect(report).to_contain_text(note)
    await page.get_by_role("button", name="Sign out").click()
    # and the university's buyer sees the report without it
    await _sign_in(page, people["other_buyer"])
    await page.goto(f"/sites/{s.SITE_RED_DELTA}")
    report = page.locator(".timeline > li", has_text=title)
    await expect(report).to_be_visible()
    await expect(report).not_to_contain_text(note)
    await expect(page.get_by_text(note)).to_have_count(0)


async def test_operator_adds_a_person_who_then_signs_in(
        page: Any, people: dict[str, Person]) -> None:
    from playwright.async_api import expect

    await _sign_in(page, people["operator"])
    await page.get_by_role("link", name="Administration").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Organisations")
    await page.get_by_role("link", name="People of Northwind Regional Health Trust").click()
    email = people["buyer"].email.replace("buyer", "invited")
    await page.get_by_label("E-mail address").fill(email)
    await page.get_by_label("Role").select_option("contributor")
    await page.get_by_role("button", name="Add", exact=True).click()
    link = await page.locator("#setup-link code").inner_text()
    await page.get_by_role("button", name="Sign out").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    # the new person opens the one-time link, chooses a password and signs in
    await page.goto(link)
    await page.get_by_label("New password").fill("a long passphrase of mine")
    await page.get_by_label("The same password again").fill("a long passphrase of mine")
    await page.get_by_role("button", name="Set password").click()
    await expect(page.get_by_role("status")).to_have_text(
        "Your password is set. Sign in with it now.")
    await _sign_in(page, Person(email, s.NW_HEALTH, "contributor"),
                   password="a long passphrase of mine")
    await expect(page.get_by_role("heading", level=1)).to_have_text("My exposure")


async def test_supplier_answers_a_disclosure_request_and_the_buyer_sees_it_answered(
        page: Any, people: dict[str, Person], sample_graph: Graph) -> None:
    from playwright.async_api import expect

    # given the health trust's open request to Civitas, on a contract of its own
    _, request_id = await health_trust_request(sample_graph)
    # Civitas's compliance contact opens her inbox and the request
    await _sign_in(page, people["supplier"])
    await page.get_by_role("link", name="Requests to answer").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Requests to answer")
    await page.locator("#inbox-waiting-table").get_by_role("link", name=request_id).click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(request_id)
    # finds the site by search (htmx swaps the results in as she types) and adds it
    await page.get_by_label("Find the site by name, alias or address").fill("Kunshan Campus")
    await page.get_by_role("link", name=f"Add {KUNSHAN}").click()
    await expect(page.locator("#chosen-sites")).to_contain_text(KUNSHAN)
    await page.get_by_role("button", name="Send the answer (1 sites)").click()
    # then sees it answered
    await expect(page.get_by_role("status")).to_have_text(
        "Answered: the sites are disclosed to the buyer.")
    await expect(page.locator("#request-status")).to_contain_text("Answered")
    await page.get_by_role("button", name="Sign out").click()
    # and the buyer who asked sees it answered, on time, among her requests
    await _sign_in(page, people["buyer"])
    await page.get_by_role("link", name="Disclosure requests").click()
    row = page.locator(f"#request-{request_id}")
    await expect(row).to_contain_text("Answered")
    await expect(row).to_contain_text("on time")


async def test_expired_session_goes_to_sign_in_and_back_to_the_page_asked_for(
        page: Any, people: dict[str, Person], sample_graph: Graph) -> None:
    from playwright.async_api import expect

    await _sign_in(page, people["buyer"])
    cookie = next(c for c in await page.context.cookies() if c["name"] == "sg_session")
    await sample_graph.query("MATCH (x:WebSession {key: $key}) SET x.expiresAt = '2000-01-01'",
                             {"key": token_key(cookie["value"])}, write=True)
    await page.goto(f"/sites/{s.SITE_KUNSHAN}")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    await page.get_by_label("E-mail address").fill(people["buyer"].email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page).to_have_url(re.compile(f"/sites/{s.SITE_KUNSHAN}$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(KUNSHAN)


async def test_a_form_with_a_tampered_csrf_token_is_refused(
        page: Any, people: dict[str, Person]) -> None:
    from playwright.async_api import expect

    await _sign_in(page, people["org_admin"])
    await page.goto("/admin/users")
    await page.evaluate("document.querySelectorAll('input[name=csrf]')"
                        ".forEach(i => i.value = 'forged')")
    await page.get_by_label("E-mail address").fill("forged@example.org")
    await page.get_by_role("button", name="Add", exact=True).click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Form refused")
    await page.goto("/admin/users")
    await expect(page.get_by_text("forged@example.org")).to_have_count(0)


async def test_another_organisations_record_id_in_the_address_bar_is_not_found(
        page: Any, people: dict[str, Person]) -> None:
    from playwright.async_api import expect

    await _sign_in(page, people["buyer"])
    response = await page.goto(f"/sites/{s.SITE_LK_PRIVATE}")
    assert response.status == 404
    await expect(page.get_by_role("heading", level=1)).to_have_text("Not found")
    await expect(page.get_by_text("Deccan")).to_have_count(0)


async def test_wrong_passwords_are_throttled_in_the_browser(
        browser: Any, sample_graph: Graph, neo4j_settings: Settings,
        tmp_path_factory: pytest.TempPathFactory) -> None:
    from playwright.async_api import expect

    # its own server: the failures it makes must not throttle the other journeys' address
    port = free_port()
    settings = neo4j_settings.model_copy(update={
        "keys_dir": tmp_path_factory.mktemp("web-throttle-keys"), "run_worker_in_serve": False,
        "public_url": f"http://127.0.0.1:{port}", "auth_failures_per_minute": 3})
    victim = await make_person(sample_graph, "victim", s.NW_HEALTH, "reader")
    with serve_in_thread(create_app(settings), port) as base:
        context = await browser.new_context(base_url=base)
        try:
            page = await context.new_page()
            await page.goto("/signin")
            for guess in ("guess one", "guess two", "guess three"):
                await page.get_by_label("E-mail address").fill(victim.email)
                await page.get_by_label("Password").fill(guess)
                await page.get_by_role("button", name="Sign in").click()
                await expect(page.get_by_role("alert")).to_contain_text("do not match")
            await page.get_by_label("Password").fill(PASSWORD)
            await page.get_by_role("button", name="Sign in").click()
            await expect(page.get_by_role("alert")).to_contain_text("Too many failed sign-ins")
            await expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        finally:
            await context.close()


async def test_buyer_finds_a_site_on_the_map_by_zooming_into_clusters_and_opens_it(
        page: Any, people: dict[str, Person]) -> None:
    from playwright.async_api import expect

    await page.set_viewport_size({"width": 1280, "height": 900})
    await _sign_in(page, people["buyer"])
    await page.get_by_role("link", name="Map and search").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Map and search")
    # the map draws the server's clusters of the whole world
    status = page.locator(".map-status")
    await expect(status).to_have_text(re.compile(r"^\d+ sites in this view$"))
    await expect(page.locator(".map-land path").first).to_be_attached()
    # by keyboard: focus the map, zoom in and out with + and -
    await page.locator(".map-canvas").focus()
    await page.keyboard.press("+")
    await expect(status).to_have_text(re.compile(r"^\d+ sites in this view$"))
    await page.keyboard.press("-")
    # a cluster opens by zooming in, until a single site is a link to its page
    site = page.locator(".map-marks a.map-site")
    for _ in range(10):
        if await site.count():
            break
        await page.locator(".map-marks .map-cluster").first.focus()
        await page.keyboard.press("Enter")
        await expect(status).to_have_text(re.compile(r"^\d+ sites in this view$"))
    name = await site.first.get_attribute("aria-label")
    await site.first.click()
    await expect(page).to_have_url(re.compile(r"/sites/[A-Z0-9]+$"))
    await expect(page.get_by_role("heading", level=1)).to_have_text(name)


async def test_without_a_script_the_map_page_filters_a_list_that_links_to_sites(
        browser: Any, web_url: str, people: dict[str, Person]) -> None:
    from playwright.async_api import expect

    context = await browser.new_context(base_url=web_url, java_script_enabled=False)
    context.set_default_timeout(120_000)
    try:
        page = await context.new_page()
        await page.set_viewport_size({"width": 375, "height": 740})
        await _sign_in(page, people["buyer"])
        await page.goto("/map")
        await expect(page.locator("#map")).to_be_hidden()
        await page.get_by_label("Name, address or city").fill("Kunshan")
        await page.get_by_label("Country").fill("CN")
        await page.get_by_role("button", name="Show sites").click()
        await expect(page).to_have_url(re.compile(r"/map\?.*q=Kunshan"))
        assert await page.evaluate("document.documentElement.scrollWidth") <= 375
        await page.get_by_role("link", name=KUNSHAN).click()
        await expect(page.get_by_role("heading", level=1)).to_have_text(KUNSHAN)
    finally:
        await context.close()
