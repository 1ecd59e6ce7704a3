"""The report form's sharing and sensitive notes, over HTTP in process (sample data, real
Neo4j): a RESTRICTED report names who may see it, its sensitive notes name who may read them,
each checked at its field with nothing written on error; the site page shows the notes only
to the organisations named."""

from __future__ import annotations

import secrets

import httpx

from graph.core.db import Graph
from seeds import sample as s
from tests.support.web import Person, csrf_of, sign_in

FINDING = {"category": "RECRUITMENT_FEES", "severity": "HIGH", "status": "OPEN",
           "description": "fees paid to a broker in the home village", "dueDate": ""}


def _form(csrf: str, title: str, **more: object) -> dict[str, object]:
    data: dict[str, object] = {
        "csrf": csrf, "siteId": s.SITE_RED_DELTA, "kind": "WORKER_DRIVEN_MONITORING",
        "title": title, "summary": "", "visitDate": "2026-11-03", "publishedAt": "",
        "sharing": "RESTRICTED", "sensitiveNotes": "", "findings": "1", "action": "submit",
        **{f"finding-0-{k}": v for k, v in FINDING.items()}}
    data.update(more)
    return data


async def _written(graph: Graph, title: str) -> int:
    rows = await graph.query("MATCH (r:AuditReport {title: $t}) RETURN count(r) AS n",
                             {"t": title})
    return int(rows[0]["n"])


async def test_monitor_picks_readers_from_every_organisation_but_her_own(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    await sign_in(web, people["monitor"])
    form = await web.get("/reports/new", params={"site": s.SITE_RED_DELTA})
    assert form.status_code == 200
    for field in ("sharedWith", "sensitiveReaders"):
        assert f'name="{field}" value="{s.NW_HEALTH}"' in form.text
        assert f'name="{field}" value="{s.LK_UNI}"' in form.text
        assert f'name="{field}" value="{s.MONITOR_WORKERS}"' not in form.text
    assert '<option value="RESTRICTED"' in form.text and 'id="sensitiveNotes"' in form.text


async def test_restricted_report_with_a_note_for_one_organisation_is_read_by_it_only(
        web: httpx.AsyncClient, people: dict[str, Person]) -> None:
    title = f"Dormitory testimony {secrets.token_hex(3)}"
    note = f"informant-{secrets.token_hex(4)} works the night line"
    # given the monitor's RESTRICTED report, seen by the health trust and the university,
    # whose sensitive note only the health trust may read
    await sign_in(web, people["monitor"])
    form = await web.get("/reports/new", params={"site": s.SITE_RED_DELTA})
    r = await web.post("/reports/new", data=_form(  # type: ignore[arg-type]
        csrf_of(form.text), title, sharedWith=[s.NW_HEALTH, s.LK_UNI], sensitiveNotes=note,
        sensitiveReaders=[s.NW_HEALTH]))
    assert r.status_code == 303, r.text
    own = await web.get(r.headers["location"])
    assert title in own.text and note in own.text  # the author reads her own note
    csrf = csrf_of(own.text)
    # then the health trust's buyer sees the report and its note
    await web.post("/signout", data={"csrf": csrf})
    await sign_in(web, people["buyer"])
    page = await web.get(f"/sites/{s.SITE_RED_DELTA}")
    assert title in page.text and note in page.text
    assert "Some parts of this page" not in page.text  # refused notes are not "partial"
    # the university's buyer sees the report, not the note
    await web.post("/signout", data={"csrf": csrf_of(page.text)})
    await sign_in(web, people["other_buyer"])
    page = await web.get(f"/sites/{s.SITE_RED_DELTA}")
    assert title in page.text and note not in page.text
    # and Civitas, not named, sees neither
    await web.post("/signout", data={"csrf": csrf_of(page.text)})
    await sign_in(web, people["supplier"])
    page = await web.get(f"/sites/{s.SITE_RED_DELTA}")
    assert page.status_code == 200 and title not in page.text and note not in page.text


async def test_sharing_mistakes_are_shown_at_their_field_and_nothing_is_written(
        web: httpx.AsyncClient, people: dict[str, Person], sample_graph: Graph) -> None:
    await sign_in(web, people["monitor"])
    form = await web.get("/reports/new", params={"site": s.SITE_RED_DELTA})
    csrf = csrf_of(form.text)
    cases = [
        # RESTRICTED naming nobody
        ({}, "sharedWith", "Name at least one organisation"),
        # an organisation that does not exist (a form altered by hand)
        ({"sharedWith": ["ORG-NO-SUCH"]}, "sharedWith", "not an organisation you may name"),
        ({"sharedWith": [s.LK_UNI], "sensitiveNotes": "n",
          "sensitiveReaders": ["ORG-NO-SUCH"]}, "sensitiveReaders",
         "not an organisation you may name"),
        # organisations named for a CONSORTIUM report
        ({"sharing": "CONSORTIUM", "sharedWith": [s.LK_UNI]}, "sharedWith",
         "only for “Named organisations”"),
        # readers of notes that are not there
        ({"sharedWith": [s.LK_UNI], "sensitiveReaders": [s.LK_UNI]}, "sensitiveReaders",
         "Write the sensitive notes"),
    ]
    for more, field, message in cases:
        title = f"Refused sharing {secrets.token_hex(3)}"
        r = await web.post("/reports/new", data=_form(csrf, title, **more))  # type: ignore[arg-type]
        assert r.status_code == 422, (more, r.text[:300])
        assert f'id="err-{field}"' in r.text and message in r.text, more
        assert await _written(sample_graph, title) == 0
    # what was ticked and typed is kept
    r = await web.post("/reports/new", data=_form(  # type: ignore[arg-type]
        csrf, "", sharedWith=[s.LK_UNI], sensitiveNotes="kept-note-marker",
        sensitiveReaders=[s.LK_UNI]))
    assert r.status_code == 422 and "kept-note-marker" in r.text
    assert f'name="sharedWith" value="{s.LK_UNI}" checked' in r.text
