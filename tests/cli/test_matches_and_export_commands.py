"""Open Supply Hub files through `supplygraph import sites`, the review queue through
`supplygraph matches`, and `supplygraph export sites`, via subprocess as a user runs them.
Every file uses fresh names, so the sample's story is untouched."""

from __future__ import annotations

import csv
import io
import json
import secrets
from pathlib import Path

import pytest

from graph.core.db import Graph
from supplygraph.settings import Settings
from tests.support.cli import run_cli
from tests.support.imports import ORG, write_csv
from tests.support.writes import OUTSIDER, ensure_test_orgs, fresh


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


OSH_HEADER = ["country", "name", "address", "sector", "product_type", "facility_type",
              "processing_type", "number_of_workers", "parent_company", "lat", "lng", "os_id",
              "contributor_notes"]


def _os_id() -> str:
    # Fresh each run: the test database outlives a session.
    return "MY2024" + str(secrets.randbelow(900) + 100) + secrets.token_hex(3).upper()


def _osh_row(name: str, address: str, os_id: str, lat: float = 5.3651,
             lng: float = 100.5622) -> list[str]:
    return ["Malaysia", name, address, "Electronics", "Displays", "Final Product Assembly",
            "Assembly", "1001-5000", "Kestrel Group", str(lat), str(lng), os_id, "seen 2025"]


def _import(settings: Settings, path: Path, *more: str) -> dict:
    proc = run_cli(settings, "import", "sites", str(path), "--org", ORG, "--json",
                   "--summary", str(path.with_suffix(".summary.csv")), *more)
    assert proc.returncode in (0, 1), proc.stderr
    return json.loads(proc.stdout)


async def test_an_osh_facility_list_imports_as_it_comes_and_reports_unknown_columns(
        sample_graph: Graph, neo4j_settings: Settings, tmp_path: Path) -> None:
    # given a file in OSH's facility-list columns, one column of which is not ours
    group, os_id = fresh(), _os_id()
    path = write_csv(tmp_path / "osh.csv", [OSH_HEADER, _osh_row(
        f"{group} Display (Kulim) Sdn Bhd", f"12 Jalan {fresh()}, Kulim", os_id)])
    # when it is imported
    result = _import(neo4j_settings, path)
    # then the site is created with OSH's attributes, and the unknown column is reported
    assert result["created"] == 1, result
    assert result["unknownColumns"] == ["contributor_notes"]
    rows = await sample_graph.query(
        "MATCH (n:ProductionSite {osId: $os}) WHERE n.name STARTS WITH $g "
        "RETURN n.sector AS sector, n.facilityType AS ft, n.processingType AS pt, "
        "n.productType AS product, n.parentCompany AS parent, n.workerCount AS workers, "
        "n.location.latitude AS lat", {"g": group, "os": os_id})
    assert rows and dict(rows[0]) == {
        "sector": "Electronics", "ft": "Final Product Assembly", "pt": "Assembly",
        "product": "Displays", "parent": "Kestrel Group", "workers": 1001, "lat": 5.3651}


async def test_a_column_mapped_twice_is_one_line_naming_both(
        neo4j_settings: Settings, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "twice.csv", [["name", "country", "lat", "latitude", "lng"],
                                              ["X", "MY", "5.1", "5.1", "100.1"]])
    proc = run_cli(neo4j_settings, "import", "sites", str(path), "--org", ORG)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "'lat' and 'latitude' both map to latitude" in proc.stderr


async def test_a_look_alike_waits_in_the_queue_and_is_decided_from_the_command_line(
        sample_graph: Graph, neo4j_settings: Settings, tmp_path: Path) -> None:
    # A town of its own: in Kulim, another test's "... Display (Kulim) Sdn Bhd" at another
    # number 12 could make this first row a question too, depending on the order of tests.
    group, street, town = fresh(), f"Jalan {fresh()}", fresh()
    first = write_csv(tmp_path / "a.csv", [OSH_HEADER, _osh_row(
        f"{group} Display ({town}) Sdn Bhd", f"12 {street}, {town}", "")])
    assert _import(neo4j_settings, first)["created"] == 1
    # another legal entity of the group, same building: a question, not a match
    second = write_csv(tmp_path / "b.csv", [OSH_HEADER, _osh_row(
        f"{group} Assembly ({town}) Sdn Bhd", f"12 {street}, {town}", "")])
    result = _import(neo4j_settings, second)
    assert result["needsConfirmation"] == 1 and result["matched"] == 0
    human_import = run_cli(neo4j_settings, "import", "sites", str(second), "--org", ORG,
                           "--summary", str(tmp_path / "b.summary.csv"))
    assert "1 need confirmation" in human_import.stdout  # again: kept once (below)
    assert f"kept for review: supplygraph matches list --org {ORG}" in human_import.stdout
    listed = run_cli(neo4j_settings, "matches", "list", "--org", ORG, "--json")
    assert listed.returncode == 0, listed.stderr
    mine = [p for p in json.loads(listed.stdout)["pendingMatches"]
            if p["name"].startswith(group)]
    assert len(mine) == 1
    pid, candidate = mine[0]["id"], mine[0]["candidates"][0]
    assert candidate["parts"]["reasons"][0].startswith("names differ")
    # the import summary a reviewer opens says the same: candidate, its parts, the queue entry
    summary = list(csv.DictReader((tmp_path / "b.summary.csv").open(encoding="utf-8")))
    assert summary[0]["outcome"] == "NEEDS_CONFIRMATION"
    assert summary[0]["pending match"] == pid
    assert candidate["id"] in summary[0]["candidates"]
    assert "address 100.0" in summary[0]["candidates"]
    assert "names differ" in summary[0]["candidates"]
    human = run_cli(neo4j_settings, "matches", "list", "--org", ORG)
    assert pid in human.stdout and "names differ" in human.stdout
    # the outsider does not see it, and cannot decide it
    theirs = run_cli(neo4j_settings, "matches", "list", "--org", OUTSIDER, "--json")
    assert pid not in theirs.stdout
    refused = run_cli(neo4j_settings, "matches", "reject", pid, "--org", OUTSIDER)
    assert refused.returncode == 2 and refused.stderr.count("\n") == 1
    assert "NOT_FOUND" in refused.stderr and "Traceback" not in refused.stderr
    # the owner confirms it once; a second decision is one line and exit 2
    done = run_cli(neo4j_settings, "matches", "confirm", pid, "--site", candidate["id"],
                   "--org", ORG, "--note", "one entity")
    assert done.returncode == 0, done.stderr
    assert f"{pid} confirmed as {candidate['id']}" in done.stdout
    again = run_cli(neo4j_settings, "matches", "reject", pid, "--org", ORG)
    assert again.returncode == 2 and "CONFLICT" in again.stderr
    missing_site = run_cli(neo4j_settings, "matches", "confirm", pid, "--org", ORG)
    assert missing_site.returncode == 2 and "--site" in missing_site.stderr
    rows = await sample_graph.query(
        "MATCH (:ProductionSite {id: $id})-[:HAS_VERSION]->(v:Version {change: "
        "'MATCH_CONFIRMED'}) RETURN v.versionBy AS by, v.versionAt AS at", {"id": candidate["id"]})
    assert len(rows) == 1 and rows[0]["by"] == ORG and rows[0]["at"]


async def test_export_gives_what_the_organisation_may_see_in_osh_columns(
        neo4j_settings: Settings, tmp_path: Path) -> None:
    group, os_id = fresh(), _os_id()
    path = write_csv(tmp_path / "private.csv", [OSH_HEADER, _osh_row(
        f"{group} Optics Sdn Bhd", f"7 Jalan {fresh()}, Penang", os_id,
        lat=5.3542, lng=100.3011)])
    assert _import(neo4j_settings, path, "--sharing", "PRIVATE")["created"] == 1
    out = tmp_path / "mine.csv"
    proc = run_cli(neo4j_settings, "export", "sites", "--org", ORG, "--format", "csv",
                   "--country", "my", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    mine = [r for r in rows if r["name"].startswith(group)]
    assert len(mine) == 1 and mine[0]["os_id"] == os_id
    assert (mine[0]["lat"], mine[0]["lng"], mine[0]["country"]) == ("5.3542", "100.3011", "MY")
    geo = run_cli(neo4j_settings, "export", "sites", "--org", ORG, "--format", "geojson",
                  "--country", "MY")
    features = [f for f in json.loads(geo.stdout)["features"]
                if f["properties"]["name"].startswith(group)]
    assert features[0]["geometry"] == {"type": "Point", "coordinates": [100.3011, 5.3542]}
    # the outsider's export does not have the private site
    theirs = run_cli(neo4j_settings, "export", "sites", "--org", OUTSIDER, "--country", "MY")
    assert theirs.returncode == 0 and group not in theirs.stdout
    # and the exported file imports back as it is: the same site, matched
    again = _import(neo4j_settings, out, "--dry-run")
    assert again["rejected"] == 0
