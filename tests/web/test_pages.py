"""The pages as each actor sees them, through the app's HTTP interface in process, over the
sample data in a real Neo4j: what the GraphQL schema shows that person, and nothing else."""

from __future__ import annotations

import re

import httpx

from seeds import sample as s
from tests.support.web import (
    PASSWORD,
    Person,
    csrf_of,
    sign_in,
)

SETUP_LINK = re.compile(r"http://[^<\s]+/setup/([A-Za-z0-9_-]+)")


def _report_form(csrf: str, site: str, title: str, findings: list[dict[str, str]],
                 **more: str) -> dict[str, str]:
    data = {"csrf": csrf, "siteId": site, "kind": "WORKER_DRIVEN_MONITORING", "title": title,
            "summary": "", "visitDate": "2026-11-02", "publishedAt": "", "sharing": "PUBLIC",
            "findings": str(len(findings)), "action": "submit", **more}
    for i, f in enumerate(findings):
        data.update({f"finding-{i}-{k}": v for k, v in f.items()})
    return data


FORCED = {"category": "FORCED_LABOUR", "severity": "CRITICAL", "status": "OPEN",
          "description": "passports held by the dormitory office", "dueDate": "2027-01-31"}
HOURS = {"category": "WORKING_HOURS", "severity": "HIGH", "status": "OPEN",
         "description": "84-hour weeks in peak season", "dueDate": ""}


async def test_buyer_sees_kunshan_in_her_exposure_with_the_most_urgent_first(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    page = await web.get("/exposure")
    assert page.status_code == 200
    assert f'href="/sites/{s.SITE_KUNSHAN}"' in page.text
    assert "Contract " in page.text
    # within each tier of each contract: contradicted audits, then stale evidence, then open
    # HIGH/CRITICAL findings (each row says which it has: C, S, H or -)
    marks: list[str] = []
    for table in page.text.split("<tbody>")[1:]:
        rows = table.split("</tbody>")[0].split("<tr")[1:]
        urgency = [re.search(r'data-urgency="([-CSH]{3})"', r).group(1)  # type: ignore[union-attr]
                   for r in rows]
        marks += urgency
        severe = [' class="severe"' in r.split(">")[0] for r in rows]
        assert all((u[2] == "H") == f for u, f in zip(urgency, severe, strict=True))
        tiers = [int(re.search(r"<td>(\d+)</td>", r).group(1)) for r in rows]  # type: ignore[union-attr]
        for tier in set(tiers):
            keys = [tuple(c != "-" for c in u)
                    for t, u in zip(tiers, urgency, strict=True) if t == tier]
            assert keys == sorted(keys, reverse=True)
    # and the sample's health trust has both a contradicted audit and stale evidence in reach
    assert any(m[0] == "C" for m in marks) and any(m[1] == "S" for m in marks)
    assert "Audit contradicted by monitoring" in page.text and "Stale: newest report" in page.text


async def test_buyer_opening_another_organisations_private_site_gets_not_found(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    hidden = await web.get(f"/sites/{s.SITE_LK_PRIVATE}")
    unknown = await web.get("/sites/XX2026001AAAAAA")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.text == unknown.text
    # the university's own buyer sees it
    await web.post("/signout", data={"csrf": csrf_of(hidden.text)})
    await sign_in(web, people["other_buyer"])
    assert (await web.get(f"/sites/{s.SITE_LK_PRIVATE}")).status_code == 200


async def test_site_page_shows_identity_operators_reports_and_risk(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    page = await web.get(f"/sites/{s.SITE_KUNSHAN}")
    assert page.status_code == 200
    for part in (s.SITE_KUNSHAN, "Operated by", "Reports", "Risk", "Score ", "Leverage",
                 "Contradicted audits", "found nothing on Forced labour"):
        assert part in page.text
    assert 'id="report-RPT-KUNSHAN-WDM-2026"' in page.text


async def test_monitor_submits_a_report_with_two_findings_and_sees_it_on_the_site(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["monitor"])
    form = await web.get("/reports/new", params={"site": s.SITE_RED_DELTA})
    assert "Red Delta" in form.text or s.SITE_RED_DELTA in form.text
    r = await web.post("/reports/new", data=_report_form(
        csrf_of(form.text), s.SITE_RED_DELTA, "Night shift interviews", [FORCED, HOURS]))
    assert r.status_code == 303, r.text
    assert r.headers["location"].startswith(f"/sites/{s.SITE_RED_DELTA}?submitted=")
    page = await web.get(r.headers["location"])
    assert "Night shift interviews" in page.text
    assert "passports held by the dormitory office" in page.text
    assert "84-hour weeks in peak season" in page.text


async def test_report_with_errors_shows_them_at_the_field_and_writes_nothing(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["monitor"])
    form = await web.get("/reports/new", params={"site": s.SITE_TINFIELD})
    bad = {**HOURS, "dueDate": "next spring", "description": "unique-bad-report-marker"}
    r = await web.post("/reports/new", data=_report_form(
        csrf_of(form.text), s.SITE_TINFIELD, "", [FORCED, bad]))
    assert r.status_code == 422
    assert 'id="err-title"' in r.text and 'id="err-findings-1-dueDate"' in r.text
    assert 'id="err-findings-0-dueDate"' not in r.text
    # what was typed is kept
    assert "unique-bad-report-marker" in r.text
    page = await web.get(f"/sites/{s.SITE_TINFIELD}")
    assert "unique-bad-report-marker" not in page.text


async def test_report_the_schema_refuses_at_a_finding_writes_nothing(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    # a date the form accepts but the schema does not (month 13): the mutation's error comes
    # back at that finding's field, and the first, valid finding is not written either
    await sign_in(web, people["monitor"])
    form = await web.get("/reports/new", params={"site": s.SITE_TINFIELD})
    bad = {**HOURS, "dueDate": "2027-13-45", "description": "unique-schema-refused-marker"}
    r = await web.post("/reports/new", data=_report_form(
        csrf_of(form.text), s.SITE_TINFIELD, "Refused", [FORCED, bad]))
    assert r.status_code == 422
    assert 'id="err-findings-1-dueDate"' in r.text
    page = await web.get(f"/sites/{s.SITE_TINFIELD}")
    assert "unique-schema-refused-marker" not in page.text


async def test_reader_cannot_submit_a_report(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    form = await web.get("/reports/new", params={"site": s.SITE_KUNSHAN})
    r = await web.post("/reports/new", data=_report_form(
        csrf_of(form.text), s.SITE_KUNSHAN, "reader-report-marker", [FORCED]))
    assert r.status_code == 422
    assert "may not submit reports" in r.text


async def test_monitor_finds_the_site_by_search(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["monitor"])
    r = await web.get("/reports/site-search", params={"q": "Kunshan"})
    assert f"/reports/new?site={s.SITE_KUNSHAN}" in r.text


async def test_org_admin_adds_a_person_who_sets_a_password_and_signs_in(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["org_admin"])
    listing = await web.get("/admin/users")
    assert people["buyer"].email in listing.text
    email = people["buyer"].email.replace("buyer", "newcomer")
    r = await web.post("/admin/users", data={"csrf": csrf_of(listing.text), "email": email,
                                             "role": "reader"})
    assert r.status_code == 200
    token = SETUP_LINK.search(r.text).group(1)  # type: ignore[union-attr]
    await web.post("/signout", data={"csrf": csrf_of(r.text)})
    setup = await web.get(f"/setup/{token}")
    done = await web.post(f"/setup/{token}", data={"csrf": csrf_of(setup.text),
                                                   "password": PASSWORD, "again": PASSWORD})
    assert done.status_code == 303
    # the link works once
    again = await web.post(f"/setup/{token}", data={"csrf": csrf_of(setup.text),
                                                    "password": PASSWORD, "again": PASSWORD})
    assert again.status_code == 410
    newcomer = Person(email, s.NW_HEALTH, "reader")
    assert (await sign_in(web, newcomer)).status_code == 303
    assert (await web.get("/exposure")).status_code == 200


async def test_org_admin_asking_for_another_organisations_people_gets_not_found(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["org_admin"])
    r = await web.get("/admin/users", params={"org": s.LK_UNI})
    assert r.status_code == 404 and people["other_buyer"].email not in r.text
    assert (await web.get("/admin/organisations")).status_code == 404


async def test_reader_has_no_administration(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    assert (await web.get("/admin")).status_code == 404
    assert (await web.get("/admin/users")).status_code == 404


async def test_operator_lists_organisations_and_manages_their_people(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["operator"])
    orgs = await web.get("/admin/organisations")
    assert orgs.status_code == 200 and s.LK_UNI in orgs.text
    page = await web.get("/admin/users", params={"org": s.LK_UNI})
    assert people["other_buyer"].email in page.text


async def test_buyer_pages_through_her_exposure_without_losing_or_repeating_a_site(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["buyer"])
    whole = await web.get("/exposure")
    everything = re.findall(r'href="/sites/([A-Z0-9]+)"', whole.text)
    assert len(everything) > 40 and "Next " not in whole.text
    seen: list[str] = []
    page = await web.get("/exposure", params={"first": "40"})
    while True:
        seen += re.findall(r'href="/sites/([A-Z0-9]+)"', page.text)
        following = re.search(r'href="(/exposure\?first=40&amp;after=[^"]+)"', page.text)
        if following is None:
            break
        page = await web.get(following.group(1).replace("&amp;", "&"))
    assert sorted(seen) == sorted(everything)
