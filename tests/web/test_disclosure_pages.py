"""Disclosure requests in the web app, over HTTP in process and a real Neo4j with the sample
data: the health trust's buyer sends a request from the contract page and follows it on her
list; Civitas's compliance contact (its organisation speaks for the contractor) answers it
with a site found by search, or declines it. Each test that writes makes its own contract of
the health trust awarded to Civitas, so that requests of one test never meet another's."""

from __future__ import annotations

import re

import httpx

from graph.core.db import Graph
from seeds import sample as s
from tests.support.web import Person, csrf_of, in_days, new_contract, sign_in

OVERDUE_ROW = re.compile(r'<tr id="request-' + s.REQUEST_NW_HEALTH_LAPTOPS
                         + r'" class="severe">.*?</tr>', re.S)


async def as_person(web: httpx.AsyncClient, person: Person) -> None:
    web.cookies.clear()
    assert (await sign_in(web, person)).status_code == 303


async def request_disclosure(web: httpx.AsyncClient, contract: str, due: str,
                             message: str = "Please list the assembly sites",
                             csrf: str | None = None) -> httpx.Response:
    page = await web.get(f"/contracts/{contract}")
    return await web.post(f"/contracts/{contract}", data={
        "csrf": csrf if csrf is not None else csrf_of(page.text), "dueDate": due,
        "message": message})


async def open_request(web: httpx.AsyncClient, graph: Graph, people: dict[str, Person],
                       ) -> tuple[str, str]:
    """(contract, request): a new contract, and the requester's request on it, sent through
    the contract page; the client is left signed in as the requester."""
    contract = await new_contract(graph)
    await as_person(web, people["requester"])
    sent = await request_disclosure(web, contract, in_days(30))
    assert sent.status_code == 303, sent.text
    found = re.search(r"requested=(DRQ-[A-Za-z0-9-]+)", sent.headers["location"])
    assert found
    return contract, found.group(1)


# ----- the buyer ----------------------------------------------------------------------------
async def test_buyer_sees_her_organisations_requests_with_the_overdue_one_marked(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await as_person(web, people["buyer"])
    page = await web.get("/disclosures")
    assert page.status_code == 200
    assert '<a href="/disclosures"' in page.text  # in her navigation
    assert f'id="request-{s.REQUEST_NW_HEALTH_DESKTOPS}"' in page.text
    overdue = OVERDUE_ROW.search(page.text)
    assert overdue and "Overdue" in overdue.group(0) and "2026-11-30" in overdue.group(0)
    # the university's buyer sends none of them and sees none of the trust's
    await as_person(web, people["other_buyer"])
    theirs = await web.get("/disclosures")
    assert theirs.status_code == 200 and "DRQ-SAMPLE" not in theirs.text


async def test_requester_sends_a_request_from_the_contract_page_and_sees_it_open(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    contract, request_id = await open_request(web, sample_graph, people)
    page = await web.get(f"/contracts/{contract}?requested={request_id}")
    assert page.status_code == 200
    assert f"Disclosure request {request_id} sent" in page.text
    assert f"Due by {in_days(30)}:" in page.text and "Open" in page.text
    listed = await web.get("/disclosures")
    assert f'id="request-{request_id}"' in listed.text


async def test_contract_page_shows_exposure_and_disclosed_sites_and_no_form_to_a_reader(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await as_person(web, people["buyer"])
    page = await web.get(f"/contracts/{s.CONTRACT_NW_HEALTH_LAPTOPS}")
    assert page.status_code == 200
    assert "Contract ocds-nw01-2025-0001" in page.text
    assert "Civitas IT Solutions Ltd" in page.text
    assert re.search(r"This contract reaches \d+ sites you may see; [1-9]\d* of them",
                     page.text)
    disclosed = page.text.split('id="disclosed-sites"')[1].split("</ul>")[0]
    assert f'href="/sites/{s.SITE_KUNSHAN}"' in disclosed
    assert 'name="dueDate"' not in page.text  # a reader may not request


async def test_request_form_shows_errors_at_the_field_and_writes_nothing(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    contract = await new_contract(sample_graph)
    await as_person(web, people["requester"])
    for due, expected in (("tomorrow", "Give a date as year-month-day."),
                          ("2027-02-30", "is not a date"),
                          (in_days(-1), "dueDate must be after today")):
        answer = await request_disclosure(web, contract, due)
        assert answer.status_code == 422, due
        assert 'id="dueDate"' in answer.text and 'aria-invalid="true"' in answer.text
        assert 'aria-describedby="err-dueDate"' in answer.text
        assert expected in answer.text.split('id="err-dueDate"')[1].split("</p>")[0]
        assert f'value="{due}"' in answer.text  # what was typed is kept
    page = await web.get(f"/contracts/{contract}")
    assert "No disclosure request on this contract." in page.text


async def test_a_reader_sending_the_request_form_is_refused_and_nothing_is_written(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    contract = await new_contract(sample_graph)
    await as_person(web, people["buyer"])  # of the contract's buyer, but a reader
    answer = await request_disclosure(web, contract, in_days(30))
    assert answer.status_code == 422
    assert "Your account may not do this." in answer.text
    assert "No disclosure request on this contract." in answer.text


async def test_a_second_open_request_on_the_contract_is_refused_at_the_top(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    contract, _ = await open_request(web, sample_graph, people)
    again = await request_disclosure(web, contract, in_days(40))
    assert again.status_code == 422
    assert "still open" in again.text.split('id="form-errors"')[1].split("</div>")[0]
    assert (await web.get(f"/contracts/{contract}")).text.count("Due by ") == 1


async def test_another_organisations_contract_answers_not_found(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await as_person(web, people["other_buyer"])
    hidden = await web.get(f"/contracts/{s.CONTRACT_NW_HEALTH_DESKTOPS}")  # PRIVATE
    unknown = await web.get("/contracts/CTR-DOES-NOT-EXIST")
    assert hidden.status_code == unknown.status_code == 404
    assert hidden.text == unknown.text


# ----- the supplier's representative -----------------------------------------------------------
async def test_supplier_answers_a_request_with_a_site_found_by_search(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    contract, request_id = await open_request(web, sample_graph, people)
    await as_person(web, people["supplier"])
    inbox = await web.get("/disclosures/inbox")
    assert inbox.status_code == 200 and '<a href="/disclosures/inbox"' in inbox.text
    waiting = inbox.text.split('id="inbox-waiting-table"')[1].split("</table>")[0]
    assert f'href="/disclosures/{request_id}"' in waiting
    found = await web.get(f"/disclosures/{request_id}", params={"q": "Kunshan Campus"})
    assert f"/disclosures/{request_id}?site={s.SITE_KUNSHAN}" in found.text
    # the results alone, as htmx asks for them, keep the sites already chosen
    partial = await web.get(f"/disclosures/{request_id}/site-search",
                            params={"q": "Tinfield", "site": s.SITE_KUNSHAN})
    assert f"?site={s.SITE_KUNSHAN}&amp;site={s.SITE_TINFIELD}" in partial.text
    chosen = await web.get(f"/disclosures/{request_id}", params={"site": s.SITE_KUNSHAN})
    assert "Send the answer (1 sites)" in chosen.text
    sent = await web.post(f"/disclosures/{request_id}", data={
        "csrf": csrf_of(chosen.text), "siteId": s.SITE_KUNSHAN, "action": "answer"})
    assert sent.status_code == 303
    done = await web.get(sent.headers["location"])
    assert "Answered: the sites are disclosed" in done.text
    assert 'name="reason"' not in done.text  # nothing left to answer
    # the buyer sees it answered, on time, and the site disclosed on her contract
    await as_person(web, people["buyer"])
    row = (await web.get("/disclosures")).text.split(f'id="request-{request_id}"')[1]
    assert "Answered" in row.split("</tr>")[0] and "on time" in row.split("</tr>")[0]
    page = await web.get(f"/contracts/{contract}")
    assert f'href="/sites/{s.SITE_KUNSHAN}"' in page.text.split('id="disclosed-sites"')[1]


async def test_supplier_answering_with_no_site_is_told_at_the_field(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    _, request_id = await open_request(web, sample_graph, people)
    await as_person(web, people["supplier"])
    page = await web.get(f"/disclosures/{request_id}")
    answer = await web.post(f"/disclosures/{request_id}",
                            data={"csrf": csrf_of(page.text), "action": "answer"})
    assert answer.status_code == 422
    assert 'id="err-siteIds"' in answer.text and "Add at least one site" in answer.text
    assert "Waiting for an answer" in (await web.get("/disclosures/inbox")).text
    still = await web.get(f"/disclosures/{request_id}")
    assert 'name="reason"' in still.text  # still open


async def test_supplier_declines_with_a_reason_and_a_blank_reason_is_refused_at_the_field(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    _, request_id = await open_request(web, sample_graph, people)
    await as_person(web, people["supplier"])
    page = await web.get(f"/disclosures/{request_id}")
    blank = await web.post(f"/disclosures/{request_id}", data={
        "csrf": csrf_of(page.text), "action": "decline", "reason": "  "})
    assert blank.status_code == 422
    assert 'aria-describedby="err-reason"' in blank.text and "Say why you decline." in blank.text
    declined = await web.post(f"/disclosures/{request_id}", data={
        "csrf": csrf_of(page.text), "action": "decline",
        "reason": "The contract ended before delivery."})
    assert declined.status_code == 303
    assert "Declined: the buyer sees your reason." in (
        await web.get(declined.headers["location"])).text
    again = await web.post(f"/disclosures/{request_id}", data={
        "csrf": csrf_of(page.text), "action": "decline", "reason": "twice"})
    assert again.status_code == 422
    assert "This request is already answered or declined." in again.text
    await as_person(web, people["buyer"])
    row = (await web.get("/disclosures")).text.split(f'id="request-{request_id}"')[1]
    assert "Declined" in row and "The contract ended before delivery." in row


async def test_forms_without_the_sessions_csrf_token_are_refused_and_change_nothing(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    contract, request_id = await open_request(web, sample_graph, people)
    forged = await request_disclosure(web, contract, in_days(20), csrf="forged")
    assert forged.status_code == 403
    assert (await web.get(f"/contracts/{contract}")).text.count("Due by ") == 1
    await as_person(web, people["supplier"])
    refused = await web.post(f"/disclosures/{request_id}", data={
        "csrf": "forged", "action": "decline", "reason": "no"})
    assert refused.status_code == 403
    assert 'name="reason"' in (await web.get(f"/disclosures/{request_id}")).text


async def test_a_request_not_addressed_to_the_persons_supplier_answers_not_found(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await as_person(web, people["supplier"])
    assert (await web.get(f"/disclosures/{s.REQUEST_NW_HEALTH_DESKTOPS}")).status_code == 200
    # the buyer who sent it does not answer it; the monitor may not see it at all
    for who in ("buyer", "monitor"):
        await as_person(web, people[who])
        mine = await web.get(f"/disclosures/{s.REQUEST_NW_HEALTH_DESKTOPS}")
        unknown = await web.get("/disclosures/DRQ-DOES-NOT-EXIST")
        assert mine.status_code == unknown.status_code == 404, who
        assert mine.text == unknown.text
        posted = await web.post(f"/disclosures/{s.REQUEST_NW_HEALTH_DESKTOPS}", data={
            "csrf": csrf_of(mine.text), "action": "decline", "reason": "not mine"})
        assert posted.status_code == 404


async def test_navigation_offers_each_role_its_own_disclosure_page(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    links = {}
    for who in ("buyer", "supplier", "monitor"):
        await as_person(web, people[who])
        page = (await web.get("/exposure")).text
        links[who] = ('href="/disclosures"' in page, 'href="/disclosures/inbox"' in page)
    assert links == {"buyer": (True, False), "supplier": (False, True),
                     "monitor": (False, False)}
