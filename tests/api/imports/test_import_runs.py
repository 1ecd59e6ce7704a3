"""Import runs through the schema (graph/imports/runs.py): `importRun`, `importRuns` and a
run's `rows`, the organisation's own alone.

Each run is a real import (`start_site_import`, the web app's background import) of a
fresh site list by the write tests' owner, in batches of two rows so that a page of rows
crosses batches; then each actor asks for it."""

from __future__ import annotations

from typing import Any

import pytest

from auth.viewer import Viewer
from graph.core.db import Graph
from graph.core.records import Actor
from supplygraph.imports.background import start_site_import, wait_for_imports
from supplygraph.imports.sites import read_site_table
from supplygraph.settings import Settings
from tests.support.imports import HEADER, good_rows
from tests.support.writes import call, ensure_test_orgs, fresh

RUN = """
query($id: ID!, $first: Int, $after: String, $outcome: ImportRowOutcome) {
  importRun(id: $id) {
    id file state total done startedBy finishedAt
    mappedColumns { column field } unknownColumns
    counts { rows created matched needsConfirmation rejected }
    rows(first: $first, after: $after, outcome: $outcome) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { node { row outcome siteId name messages candidates { siteId } } }
    }
  }
}"""
RUNS = """
query($first: Int, $after: String) {
  importRuns(first: $first, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } edges { node { id file state } }
  }
}"""


async def import_run(graph: Graph, viewer: Viewer, file: str) -> tuple[str, list[str]]:
    """A run of `viewer`'s organisation over five rows (the fourth matches the first, the
    fifth is refused), and the words naming its sites."""
    words = [fresh(), fresh(), fresh()]
    rows = [HEADER, *good_rows(words), [f"{fresh()} Plant", "1 Road", "Town", "XX", "", "",
                                        "", ""]]
    data = "\n".join(",".join(f'"{c}"' for c in row) for row in rows).encode()
    table = read_site_table(file, "csv", data)
    settings = Settings(_env_file=None, import_batch_size=2)  # type: ignore[call-arg]
    actor = Actor(org=viewer.org_id, client=viewer.client_id, peers=tuple(viewer.peers),
                  source=table.source)
    run_id = await start_site_import(graph, settings, table, actor=actor, user="USR-TEST",
                                     sharing="PRIVATE")
    await wait_for_imports()
    return run_id, words


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


def _nodes(rows: dict[str, Any]) -> list[dict[str, Any]]:
    return [e["node"] for e in rows["edges"]]


async def test_owner_reads_its_finished_run_with_counts_and_every_row_in_file_order(
        sample_graph: Graph, nrht: Viewer) -> None:
    # given a finished import of five rows, in batches of two
    run_id, words = await import_run(sample_graph, nrht, f"{fresh()}.csv")
    # when its organisation reads it two rows at a time
    seen: list[dict[str, Any]] = []
    after = None
    while True:
        answer = await call(sample_graph, nrht, RUN, {"id": run_id, "first": 2, "after": after})
        assert answer.errors == []
        run = answer.data["importRun"]
        seen += _nodes(run["rows"])
        if not run["rows"]["pageInfo"]["hasNextPage"]:
            break
        after = run["rows"]["pageInfo"]["endCursor"]
    # then the run, its counts and its five rows, the fourth the first's site
    assert (run["state"], run["total"], run["done"], run["startedBy"]) == ("DONE", 5, 5,
                                                                           "USR-TEST")
    assert run["counts"] == {"rows": 5, "created": 3, "matched": 1, "needsConfirmation": 0,
                             "rejected": 1}
    assert {"column": "Factory Name", "field": "name"} in run["mappedColumns"]
    assert run["unknownColumns"] == ["Internal notes"]
    assert run["rows"]["totalCount"] == 5
    assert [r["row"] for r in seen] == [2, 3, 4, 5, 6]
    assert [r["outcome"] for r in seen] == ["CREATED", "CREATED", "CREATED", "MATCHED",
                                           "REJECTED"]
    assert seen[3]["siteId"] == seen[0]["siteId"] and words[0] in seen[0]["name"]
    assert seen[4]["siteId"] is None and seen[4]["messages"]


async def test_owner_filters_rows_by_outcome_counted_before_the_page(
        sample_graph: Graph, nrht: Viewer) -> None:
    run_id, _ = await import_run(sample_graph, nrht, f"{fresh()}.csv")
    created = await call(sample_graph, nrht, RUN, {"id": run_id, "first": 1,
                                                   "outcome": "CREATED"})
    refused = await call(sample_graph, nrht, RUN, {"id": run_id, "outcome": "REJECTED"})
    rows = created.data["importRun"]["rows"]
    assert rows["totalCount"] == 3 and rows["pageInfo"]["hasNextPage"]
    assert [r["row"] for r in _nodes(rows)] == [2]
    assert [r["row"] for r in _nodes(refused.data["importRun"]["rows"])] == [6]


async def test_owner_lists_its_runs_newest_first(sample_graph: Graph, nrht: Viewer) -> None:
    older, _ = await import_run(sample_graph, nrht, f"{fresh()}.csv")
    newer, _ = await import_run(sample_graph, nrht, f"{fresh()}.csv")
    answer = await call(sample_graph, nrht, RUNS, {"first": 100})
    ids = [n["id"] for n in _nodes(answer.data["importRuns"])]
    assert answer.errors == [] and ids.index(newer) < ids.index(older)
    assert answer.data["importRuns"]["totalCount"] == len(ids)


@pytest.mark.parametrize("who", ["peer", "other", "monitor", "operator"])
async def test_another_organisation_reads_a_run_as_an_unknown_id(
        sample_graph: Graph, nrht: Viewer, actors: dict[str, Viewer], who: str) -> None:
    # given the owner's run
    run_id, words = await import_run(sample_graph, nrht, f"{fresh()}-secret.csv")
    viewer = actors[who]
    # when another organisation (its consortium's peer, the operator) asks by id and lists
    theirs = await call(sample_graph, viewer, RUN, {"id": run_id})
    unknown = await call(sample_graph, viewer, RUN, {"id": "imp_no_such_run_at_all"})
    listed = await call(sample_graph, viewer, RUNS, {"first": 100})
    # then null without an error, as an id that exists nowhere, and not listed
    assert theirs.data == unknown.data == {"importRun": None}
    assert theirs.errors == unknown.errors == []
    assert run_id not in str(listed.data) and "-secret.csv" not in str(listed.data)


async def test_a_token_without_sites_write_is_refused_runs(
        sample_graph: Graph, nrht: Viewer, read_only: Viewer) -> None:
    run_id, _ = await import_run(sample_graph, nrht, f"{fresh()}.csv")
    one = await call(sample_graph, read_only, RUN, {"id": run_id})
    many = await call(sample_graph, read_only, RUNS)
    assert one.data == {"importRun": None}
    assert [e["extensions"]["code"] for e in one.errors + many.errors] == ["FORBIDDEN"] * 2
    assert run_id not in str(one.errors + many.errors)


async def test_owner_passing_a_forged_cursor_gets_bad_user_input_at_the_argument(
        sample_graph: Graph, nrht: Viewer) -> None:
    run_id, _ = await import_run(sample_graph, nrht, f"{fresh()}.csv")
    rows = await call(sample_graph, nrht, RUN, {"id": run_id, "after": "not-a-cursor"})
    runs = await call(sample_graph, nrht, RUNS, {"first": 1000})
    assert [e["extensions"]["code"] for e in rows.errors + runs.errors] == ["BAD_USER_INPUT"] * 2
    assert rows.errors[0]["extensions"]["inputPath"] == ["after"]
    assert rows.errors[0]["path"] == ["importRun", "rows"]
    assert runs.errors[0]["extensions"]["inputPath"] == ["first"]
