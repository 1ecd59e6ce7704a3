"""The imports page's read paths under attack (supplygraph/readpaths.py WEB): an import run
is its organisation's alone, and an export holds only what the person may see.

Over HTTP in process, signed in through the form, against the sample data on the real
Neo4j: the health trust's contributor imports a site list kept PRIVATE to her organisation;
the workers' network's monitor then types that run's id into the address bar and exports
every site she may see."""

from __future__ import annotations

import csv
import io
import json
import re

import httpx

from graph.core.db import Graph
from supplygraph.imports.background import wait_for_imports
from tests.support.web import Person, csrf_of, sign_in

PRIVATE_NAME = "Heron Precision (Slim River) Sdn Bhd"
PRIVATE_LIST = ("name,country,address,city\n"
                f'"{PRIVATE_NAME}",MY,"4 Jalan Slim Lama",Slim River\n')


async def as_person(web: httpx.AsyncClient, person: Person) -> None:
    web.cookies.clear()
    assert (await sign_in(web, person)).status_code == 303


async def private_import(web: httpx.AsyncClient, person: Person) -> str:
    """The run id of `person`'s import of one site kept PRIVATE to her organisation."""
    await as_person(web, person)
    page = await web.get("/imports")
    sent = await web.post("/imports", data={"csrf": csrf_of(page.text), "sharing": "PRIVATE"},
                          files={"file": ("slim-river.csv", PRIVATE_LIST.encode(), "text/csv")})
    assert sent.status_code == 303, sent.text
    await wait_for_imports()
    run_id = sent.headers["location"].rsplit("/", 1)[-1]
    own = await web.get(f"/imports/{run_id}")
    assert own.status_code == 200 and "slim-river.csv" in own.text
    return run_id


async def test_another_organisations_import_id_typed_in_the_url_is_not_found(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    run_id = await private_import(web, people["requester"])
    # when the monitor of another organisation asks for it
    await as_person(web, people["monitor"])
    page = await web.get(f"/imports/{run_id}")
    status = await web.get(f"/imports/{run_id}", headers={"HX-Request": "true"})
    summary = await web.get(f"/imports/{run_id}/summary.csv")
    unknown = await web.get("/imports/imp_no_such_run_at_all")
    listing = await web.get("/imports")
    # then it is "not found", exactly as a run that does not exist
    assert page.status_code == status.status_code == summary.status_code == 404
    assert page.text == unknown.text
    for answer in (page, status, summary, listing):
        assert "slim-river.csv" not in answer.text and "Slim River" not in answer.text


async def test_an_export_holds_no_site_only_another_organisation_may_see(
        web: httpx.AsyncClient, sample_graph: Graph, people: dict[str, Person]) -> None:
    await private_import(web, people["requester"])
    theirs = await web.get("/exports/sites.csv", params={"country": "MY"})
    assert PRIVATE_NAME in theirs.text  # her organisation's export holds it
    await as_person(web, people["monitor"])
    mine = await web.get("/exports/sites.csv", params={"country": "MY"})
    geo = await web.get("/exports/sites.geojson")
    assert mine.status_code == geo.status_code == 200
    names = {r["name"] for r in csv.DictReader(io.StringIO(mine.text))}
    assert names and PRIVATE_NAME not in names
    assert "Slim River" not in mine.text and "Slim River" not in geo.text
    features = json.loads(geo.text)["features"]
    assert features and all(not re.search("Heron Precision", json.dumps(f))
                            for f in features)
