"""The imports page over HTTP in process, on a real Neo4j with the sample data: a contributor
uploads a CSV or XLSX site list, follows its progress, reads the per-row summary (and its
CSV), decides doubtful matches; a bad file is refused at the field with nothing written;
the export files hold the sites the person may see.

Each test uses a town of its own, so that one test's sites never become another's
candidates."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import re
from collections.abc import AsyncIterator

import httpx
import pytest
from openpyxl import Workbook

from graph.core.db import Graph
from graph.imports import runs
from supplygraph.app import create_app
from supplygraph.imports.background import wait_for_imports
from supplygraph.settings import Settings
from tests.support.web import Person, contributor_of_new_org, csrf_of, sign_in, web_settings

RUN_ID = re.compile(r"/imports/(imp_[A-Za-z0-9_-]+)$")
HEADER = "Factory name,Country,Address,City,Shift pattern\n"


def site_list(town: str, street: str) -> str:
    """Two look-alikes at one address (another legal entity of the group: review, never an
    automatic match), and a row without its country (refused)."""
    return (HEADER
            + f'"Orchid Display ({town}) Sdn Bhd",MY,"{street}",{town},2x12\n'
            + f'"Orchid Assembly ({town}) Sdn Bhd",MY,"{street}",{town},3x8\n'
            + f'"Orchid Logistics ({town})",,"{street}",{town},\n')


@pytest.fixture(scope="module")
async def importer(sample_graph: Graph) -> Person:
    """The contributor who imports: her organisation's review queue holds only this
    module's doubtful matches."""
    return await contributor_of_new_org(sample_graph, "importer")


async def as_person(web: httpx.AsyncClient, person: Person) -> None:
    web.cookies.clear()
    assert (await sign_in(web, person)).status_code == 303


async def upload(web: httpx.AsyncClient, name: str, content: bytes | str,
                 sharing: str = "PUBLIC", csrf: str | None = None) -> httpx.Response:
    page = await web.get("/imports")
    body = content.encode() if isinstance(content, str) else content
    return await web.post("/imports", data={
        "csrf": csrf if csrf is not None else csrf_of(page.text), "sharing": sharing},
        files={"file": (name, body, "application/octet-stream")})


async def finished_run(web: httpx.AsyncClient, sent: httpx.Response) -> tuple[str, str]:
    """(run id, its page) once the background import has ended."""
    assert sent.status_code == 303, sent.text
    found = RUN_ID.search(sent.headers["location"])
    assert found
    await wait_for_imports()
    page = await web.get(f"/imports/{found.group(1)}")
    assert page.status_code == 200
    return found.group(1), page.text


async def sites_named(graph: Graph, text: str) -> list[str]:
    rows = await graph.query("MATCH (n:ProductionSite) WHERE n.name CONTAINS $text "
                             "RETURN n.id AS id ORDER BY n.id", {"text": text})
    return [r["id"] for r in rows]


async def runs_of_file(graph: Graph, name: str) -> int:
    rows = await graph.query("MATCH (r:ImportRun {file: $name}) RETURN count(r) AS n",
                             {"name": name})
    return int(rows[0]["n"])


# ----- upload, progress, summary -----------------------------------------------------------
async def test_contributor_uploads_a_csv_and_reads_what_became_of_each_row(
        web: httpx.AsyncClient, sample_graph: Graph, importer: Person) -> None:
    await as_person(web, importer)
    page = await web.get("/imports")
    assert page.status_code == 200 and '<a href="/imports" aria-current="page">' in page.text
    run_id, text = await finished_run(web, await upload(
        web, "tapah.csv", site_list("Tapah", "12 Jalan Kledang Industrial Park")))
    assert 'id="import-done"' in text and "All 3 rows read." in text
    # the columns understood, and the one that was not
    assert "Factory name → name" in text
    assert "Not understood, ignored: Shift pattern" in text
    assert "New sites: 1" in text and "Kept for review: 1" in text and "Refused: 1" in text
    assert re.search(r'<tr id="row-2">.*?New site', text, re.S)
    assert re.search(r'<tr id="row-3">.*?Kept for review.*?names differ', text, re.S)
    assert re.search(r'<tr id="row-4" class="severe">.*?Refused.*?countryCode', text, re.S)
    assert len(await sites_named(sample_graph, "(Tapah)")) == 1
    # the same summary as the CLI writes, as a file
    summary = await web.get(f"/imports/{run_id}/summary.csv")
    assert summary.status_code == 200
    assert summary.headers["content-disposition"] == 'attachment; filename="tapah-summary.csv"'
    rows = list(csv.reader(io.StringIO(summary.text)))
    assert rows[0] == ["row", "outcome", "id", "name", "candidates", "errors", "pending match"]
    assert [r[1] for r in rows[1:]] == ["CREATED", "NEEDS_CONFIRMATION", "REJECTED"]
    # and the run is among the organisation's recent imports
    assert f'href="/imports/{run_id}"' in (await web.get("/imports")).text


async def test_contributor_uploads_an_xlsx_workbook(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    book = Workbook()
    sheet = book.active
    sheet.append(["name", "country", "address", "city", "number_of_workers"])
    sheet.append(["Lotus Circuits (Kampar) Sdn Bhd", "Malaysia", "7 Jalan Kampar Baru",
                  "Kampar", 420])
    buffer = io.BytesIO()
    book.save(buffer)
    await as_person(web, people["monitor"])
    _, text = await finished_run(web, await upload(web, "kampar.xlsx", buffer.getvalue()))
    assert "New sites: 1" in text and "Refused: 0" in text
    assert len(await sites_named(sample_graph, "Lotus Circuits (Kampar)")) == 1


async def test_the_status_of_a_running_import_is_a_progress_bar_htmx_asks_again_for(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    # given a run of the monitor's organisation, a quarter done (recorded as the importer
    # records it, without a task behind it)
    await runs.create_run(sample_graph, run_id="imp_test_progress_gopeng",
                          org=people["monitor"].org, user="test", file="gopeng.csv",
                          run="sites:test:gopeng", total=400, header={"mapped": {},
                                                                      "unknown": []},
                          now="2026-12-07T00:00:00Z")
    await runs.advance(sample_graph, "imp_test_progress_gopeng", 100)
    await as_person(web, people["monitor"])
    page = await web.get("/imports/imp_test_progress_gopeng")
    assert page.status_code == 200
    assert '<progress id="import-progress" max="400" value="100">' in page.text
    assert "Imported 100 of 400 rows" in page.text
    fragment = await web.get("/imports/imp_test_progress_gopeng",
                             headers={"HX-Request": "true"})
    assert fragment.text.startswith('<div id="import-status"')
    assert 'hx-trigger="every 2s"' in fragment.text and "<h1>" not in fragment.text


# ----- bad files: errors at the field, nothing written -------------------------------------
@pytest.fixture
async def small_web(sample_graph: Graph, neo4j_settings: Settings,
                    ) -> AsyncIterator[httpx.AsyncClient]:
    """The app with a 2 kB, 3-row upload limit."""
    app = create_app(web_settings(neo4j_settings, web_import_max_bytes=2000,
                                  web_import_max_rows=3), graph=sample_graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1:8000") as client:
        yield client


def field_error(page: str) -> str:
    found = re.search(r'<p class="error" id="err-file">(.*?)</p>', page, re.S)
    assert found, "no error at the file field"
    assert 'aria-invalid="true" aria-describedby="err-file' in page
    return found.group(1)


@pytest.mark.parametrize("name,content,status,expected", [
    ("notes.pdf", b"%PDF-1.4 Orchid Bidor", 422, "Only CSV and XLSX files can be imported."),
    ("bidor.xlsx", b"Factory name,Country\nOrchid Bidor,MY\n", 422, "could not be read"),
    ("bidor.csv", "name,country,lat,latitude\nOrchid Bidor,MY,4.1,4.1\n", 422,
     "Two columns mean the same field («lat», «latitude» → latitude)"),
    ("bidor.csv", "name,town\nOrchid Bidor,Bidor\n", 422,
     "Required columns are missing: countryCode"),
    ("bidor.csv", "name,country\n", 422, "The file has a header but no rows."),
    ("bidor.csv", "name,country\n" + "Orchid Bidor,MY\n" * 4, 422, "more rows than the limit"),
    ("bidor.csv", "name,country\n" + "Orchid Bidor Plant,MY\n" * 200, 413,
     "larger than 2 kB"),
])
async def test_contributor_uploading_a_bad_file_gets_the_error_at_the_field_and_nothing_written(
        small_web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person],
        name: str, content: bytes | str, status: int, expected: str) -> None:
    await as_person(small_web, people["monitor"])
    sent = await upload(small_web, name, content)
    assert sent.status_code == status
    assert expected in field_error(sent.text)
    assert await sites_named(sample_graph, "Orchid Bidor") == []
    assert await runs_of_file(sample_graph, name) == 0


async def test_an_upload_without_a_file_or_with_a_forged_token_writes_nothing(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    await as_person(web, people["monitor"])
    page = await web.get("/imports")
    none = await web.post("/imports", data={"csrf": csrf_of(page.text), "sharing": "PUBLIC"})
    assert none.status_code == 422 and "Choose a CSV or XLSX file." in field_error(none.text)
    forged = await upload(web, "sungkai.csv", "name,country\nOrchid Sungkai,MY\n",
                          csrf="forged")
    assert forged.status_code == 403
    assert await sites_named(sample_graph, "Orchid Sungkai") == []
    assert await runs_of_file(sample_graph, "sungkai.csv") == 0


async def test_a_reader_is_refused_the_imports_page_and_not_offered_it(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await as_person(web, people["buyer"])
    assert (await web.get("/imports")).status_code == 403
    assert 'href="/imports"' not in (await web.get("/exposure")).text


# ----- the review queue ----------------------------------------------------------------------
PENDING = re.compile(r'<tr id="pending-([^"]+)">')


async def pending_of(web: httpx.AsyncClient, town: str) -> tuple[str, str, str]:
    """(pending match id, its first candidate's site id, the page) of the look-alike in
    `town`, found on the imports page."""
    page = (await web.get("/imports")).text
    for pending in PENDING.findall(page):
        row = page[page.index(f'<tr id="pending-{pending}">'):]
        row = row[:row.index("</tr>")]
        if f"Orchid Assembly ({town})" in row:
            site = re.search(r'name="siteId" value="([^"]+)"', row)
            assert site
            return pending, site.group(1), page
    raise AssertionError(f"no pending match from {town} in the queue")


async def decide(web: httpx.AsyncClient, action: str, pending: str, site: str = "",
                 ) -> httpx.Response:
    page = await web.get("/imports")
    return await web.post("/imports/review", data={
        "csrf": csrf_of(page.text), "action": action, "pendingMatchId": pending,
        "siteId": site})


async def test_contributor_confirms_a_doubtful_match_and_it_leaves_the_queue(
        web: httpx.AsyncClient, sample_graph: Graph, importer: Person) -> None:
    await as_person(web, importer)
    await finished_run(web, await upload(web, "temoh.csv",
                                         site_list("Temoh", "3 Jalan Temoh Jaya")))
    pending, site, page = await pending_of(web, "Temoh")
    assert "names differ" in page  # the score's reasons, for the reviewer
    done = await decide(web, "confirm", pending, site)
    assert done.status_code == 303 and done.headers["location"].startswith("/imports?decided=")
    assert f'id="pending-{pending}"' not in (await web.get("/imports")).text
    # deciding it again is the mutation's CONFLICT, shown on the page, nothing changed
    again = await decide(web, "reject", pending)
    assert again.status_code == 409
    assert "This match was already decided" in again.text
    assert len(await sites_named(sample_graph, "(Temoh)")) == 1


async def test_contributor_rejects_a_doubtful_match_and_a_new_site_is_registered(
        web: httpx.AsyncClient, sample_graph: Graph, importer: Person) -> None:
    await as_person(web, importer)
    await finished_run(web, await upload(web, "trolak.csv",
                                         site_list("Trolak", "9 Jalan Trolak Utara")))
    pending, _, _ = await pending_of(web, "Trolak")
    done = await decide(web, "reject", pending)
    assert done.status_code == 303
    assert len(await sites_named(sample_graph, "(Trolak)")) == 2


async def test_deciding_an_unknown_pending_match_is_not_found_at_the_queue(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await as_person(web, people["monitor"])
    answer = await decide(web, "reject", "PM-NOSUCHMATCH")
    assert answer.status_code == 404
    assert 'id="review-error"' in answer.text and "not in your queue" in answer.text
    forged = await web.post("/imports/review", data={
        "csrf": "forged", "action": "reject", "pendingMatchId": "PM-NOSUCHMATCH"})
    assert forged.status_code == 403


# ----- export ----------------------------------------------------------------------------------
async def test_a_signed_in_person_exports_the_sites_as_csv_and_geojson(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await as_person(web, people["buyer"])
    exported = await web.get("/exports/sites.csv", params={"country": "cn"})
    assert exported.status_code == 200
    assert exported.headers["content-disposition"] == 'attachment; filename="sites.csv"'
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert rows and {r["country"] for r in rows} == {"CN"}
    assert "Kunshan" in exported.text
    geo = await web.get("/exports/sites.geojson", params={"country": "CN"})
    assert geo.headers["content-disposition"] == 'attachment; filename="sites.geojson"'
    collection = json.loads(geo.text)
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == len(rows)
    bad = await web.get("/exports/sites.csv", params={"country": "China"})
    assert bad.status_code == 400 and "two-letter country codes" in bad.text


async def test_an_export_asked_for_without_signing_in_goes_to_sign_in(
        web: httpx.AsyncClient) -> None:
    answer = await web.get("/exports/sites.csv")
    assert answer.status_code == 303 and answer.headers["location"].startswith("/signin")


async def test_a_second_upload_while_the_organisations_import_runs_is_refused_at_the_field(
        web: httpx.AsyncClient, sample_graph: Graph) -> None:
    from supplygraph.imports import background

    person = await contributor_of_new_org(sample_graph, "busy-importer")
    # given an import of her organisation still running in this process (a task that waits
    # until the test lets it end)
    release = asyncio.Event()
    background._BY_ORG[person.org] = asyncio.get_running_loop().create_task(release.wait())
    try:
        await as_person(web, person)
        sent = await upload(web, "pangkor.csv", "name,country\nEgret Pangkor,MY\n")
        assert sent.status_code == 409
        assert "still running" in field_error(sent.text)
        assert await runs_of_file(sample_graph, "pangkor.csv") == 0
    finally:
        release.set()
        await background._BY_ORG.pop(person.org)
