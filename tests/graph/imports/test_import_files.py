"""Bulk import called directly (supplygraph.imports): good, partly bad and hostile files, a resumed
import, OCDS contracts and report files. Every file uses fresh names, so the sample's story is
untouched. (The CLI: tests/cli/test_import_command.py; the importSites mutation:
tests/api/imports/.)"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest

from graph.core.db import Graph
from seeds import sample as s
from supplygraph.imports import sites as site_import
from supplygraph.imports.contracts import import_contracts
from supplygraph.imports.files import ImportFileError
from supplygraph.imports.reports import import_reports
from supplygraph.imports.sites import import_sites
from supplygraph.imports.summary import write_summary_csv
from supplygraph.settings import Settings
from tests.support.imports import HEADER, ORG, good_rows, write_csv
from tests.support.writes import (
    MONITOR,
    TEST_BRAND,
    ensure_test_orgs,
    fresh,
    seeded_site,
)


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


def settings(**over: Any) -> Settings:
    return Settings(_env_file=None, **over)  # type: ignore[call-arg]


async def _count_sites(graph: Graph, names: list[str]) -> int:
    rows = await graph.query("MATCH (n:ProductionSite) WHERE n.name IN $names "
                             "RETURN count(n) AS n", {"names": names})
    return int(rows[0]["n"])


# ----- sites: good files --------------------------------------------------------------------------
async def test_good_csv_creates_matches_and_reports_columns(sample_graph: Graph,
                                                           tmp_path: Path) -> None:
    words = [fresh() for _ in range(3)]
    path = write_csv(tmp_path / "disclosure.csv", [HEADER, *good_rows(words)])
    summary = await import_sites(sample_graph, path, org=ORG, settings=settings())
    out = summary.as_dict()
    assert (out["created"], out["matched"], out["rejected"]) == (3, 1, 0), summary.results
    assert out["unknownColumns"] == ["Internal notes"]
    assert out["mappedColumns"]["No. of workers"] == "workerCount"
    first, _, _, again = summary.results
    assert again.outcome == "MATCHED" and again.record_id == first.record_id
    rows = await sample_graph.query(
        "MATCH (n:ProductionSite {id: $id}) OPTIONAL MATCH (b:Brand)-[:PRODUCED_AT]->(n) "
        "OPTIONAL MATCH (n)-[:MAKES]->(c) RETURN n.source AS source, n.contributedBy AS by, "
        "n.countryCode AS cc, collect(DISTINCT b.id) AS brands, collect(DISTINCT c.id) AS cpv",
        {"id": first.record_id})
    assert rows[0]["by"] == ORG and "disclosure.csv" in rows[0]["source"]
    assert rows[0]["cc"] == "VN" and rows[0]["brands"] == [TEST_BRAND]
    assert rows[0]["cpv"] == ["30213100-6"]
    # the summary CSV has one line per row
    write_summary_csv(summary, tmp_path / "summary.csv")
    lines = list(csv.reader((tmp_path / "summary.csv").open()))
    assert lines[0][:2] == ["row", "outcome"] and len(lines) == 5


async def test_xlsx_and_semicolon_csv(sample_graph: Graph, tmp_path: Path) -> None:
    from openpyxl import Workbook

    words = [fresh() for _ in range(3)]
    wb = Workbook()
    ws = wb.active
    ws.append(["Site name", "Address", "City", "Country code", "Workers", "Latitude",
               "Longitude"])
    ws.append([f"{words[0]} Battery Factory", "9 Dinh Vu Road", "Hai Phong", "VN", 800, 20.86,
               106.68])
    ws.append([f"{words[1]} Cable Works", "3 Calle Industrial", "Tijuana", "MX", 120.0, None,
               None])
    wb.save(tmp_path / "list.xlsx")
    summary = await import_sites(sample_graph, tmp_path / "list.xlsx", org=ORG,
                                 settings=settings())
    assert summary.as_dict()["created"] == 2
    rows = await sample_graph.query("MATCH (n:ProductionSite {id: $id}) "
                                    "RETURN n.location.latitude AS lat, n.workerCount AS w",
                                    {"id": summary.results[0].record_id})
    assert rows[0] == {"lat": 20.86, "w": 800}
    path = write_csv(tmp_path / "semi.csv", [["name", "country", "city"],
                                             [f"{words[2]} Optics", "TH", "Chonburi"]], ";")
    summary = await import_sites(sample_graph, path, org=ORG, settings=settings())
    assert summary.as_dict()["created"] == 1


async def test_dry_run_writes_nothing(sample_graph: Graph, tmp_path: Path) -> None:
    words = [fresh() for _ in range(3)]
    path = write_csv(tmp_path / "dry.csv", [HEADER, *good_rows(words)])
    summary = await import_sites(sample_graph, path, org=ORG, settings=settings(), dry_run=True)
    out = summary.as_dict()
    assert (out["created"], out["matched"]) == (3, 1), summary.results
    names = [r[0] for r in good_rows(words)]
    assert await _count_sites(sample_graph, names) == 0
    rows = await sample_graph.query("MATCH (b:ImportBatch) WHERE b.run CONTAINS $h "
                                    "RETURN count(b) AS n", {"h": summary.sha256})
    assert rows[0]["n"] == 0


# ----- sites: partly bad files ----------------------------------------------------------------
async def test_partly_bad_file_rejects_rows_with_reasons_and_writes_the_rest(
        sample_graph: Graph, tmp_path: Path) -> None:
    w = [fresh() for _ in range(6)]
    rows = [HEADER,
            [f"{w[0]} Metal Plant", "1 Prumyslova", "Brno", "CZ", "40", "", "", ""],
            [f"{w[1]} Plant", "2 Road", "Nowhere", "Atlantis", "40", "", "", ""],
            [f"{w[2]} Plant", "3 Road", "Penang", "MY", "-4", "", "", ""],
            ["", "4 Road", "Penang", "MY", "10", "", "", ""],
            [f"{w[3]} Plant", "5 Road", "Penang", "MY", "10", "", "BRD-NOPE", ""],
            [f"{w[4]} Plant", "6 Road", "Penang", "MY", "10", "1234", "", ""],
            [f"{w[5]} Systems", "7 Road", "Chennai", "IN", "ten", "", "", ""]]
    path = write_csv(tmp_path / "partly.csv", rows)
    summary = await import_sites(sample_graph, path, org=ORG, settings=settings())
    by_row = {r.row: r for r in summary.results}
    assert by_row[2].outcome == "CREATED"
    assert [by_row[i].outcome for i in range(3, 9)] == ["REJECTED"] * 6
    assert "countryCode" in by_row[3].errors[0] and "ISO 3166" in by_row[3].errors[0]
    assert "must not be negative" in by_row[4].errors[0]
    assert by_row[5].errors == ["name: name is required"]
    assert "BRD-NOPE" in by_row[6].errors[0]
    assert "CPV" in by_row[7].errors[0]
    assert "must be a number" in by_row[8].errors[0]
    assert await _count_sites(sample_graph, [r[0] for r in rows[2:]]) == 0
    assert await _count_sites(sample_graph, [rows[1][0]]) == 1


async def test_missing_required_column_is_a_clear_file_error(sample_graph: Graph,
                                                             tmp_path: Path) -> None:
    path = write_csv(tmp_path / "nocountry.csv", [["Factory", "Town", "Colour"],
                                                  ["A", "B", "red"]])
    with pytest.raises(ImportFileError, match="required column.*countryCode.*unknown: Colour"):
        await import_sites(sample_graph, path, org=ORG, settings=settings())


# ----- sites: hostile files ---------------------------------------------------------------------
@pytest.mark.parametrize(("name", "content", "message"), [
    ("list.pdf", b"%PDF-1.7 ...", "not .pdf"),
    ("list.csv", b"name,country\n\x00\x01\x02binary", "binary content"),
    ("list.xlsx", b"name,country\nA,CN\n", "not an XLSX workbook"),
    ("list.xlsx", b"PK\x03\x04garbage-zip", "not a readable XLSX workbook"),
    ("list.csv", b"", "empty"),
    ("list.csv", b"name,country\n\"" + b"x" * 200_000 + b"\",CN\n", "not a readable CSV"),
    ("list.csv", b"\xff\xfe\xfa" * 10 + b"\x81\x8d\x8f\x90\x9d", "not UTF-8"),
])
async def test_hostile_files_give_one_clear_error(sample_graph: Graph, tmp_path: Path,
                                                  name: str, content: bytes,
                                                  message: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        await import_sites(sample_graph, path, org=ORG, settings=settings())


async def test_file_over_the_size_limit_is_refused_before_reading(sample_graph: Graph,
                                                                  tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    with path.open("wb") as fh:  # 100 MB, sparse: cheap to make
        fh.truncate(100 * 1024 * 1024)
    with pytest.raises(ImportFileError, match="over the import limit"):
        await import_sites(sample_graph, path, org=ORG, settings=settings())


async def test_unknown_org_is_a_clear_error(sample_graph: Graph, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "x.csv", [["name", "country"], ["A", "CN"]])
    with pytest.raises(ImportFileError, match="no organisation"):
        await import_sites(sample_graph, path, org="ORG-NOPE", settings=settings())


async def test_formula_injection_is_neutralised_in_the_summary(sample_graph: Graph,
                                                               tmp_path: Path) -> None:
    evil = f"=HYPERLINK(\"http://evil\",\"{fresh()}\")"
    path = write_csv(tmp_path / "evil.csv", [["name", "country"], [evil, "ZZ"]])
    summary = await import_sites(sample_graph, path, org=ORG, settings=settings())
    write_summary_csv(summary, tmp_path / "out.csv")
    lines = list(csv.reader((tmp_path / "out.csv").open()))
    assert lines[1][3].startswith("'=")


# ----- resuming -------------------------------------------------------------------------------
async def test_crashed_import_resumes_without_duplicates(sample_graph: Graph, tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    names = [f"{fresh()} Components Plant" for _ in range(5)]
    rows = [["name", "country", "address"],
            *([n, "PH", f"{i + 1} Carmelray Industrial Park"] for i, n in enumerate(names))]
    path = write_csv(tmp_path / "resume.csv", rows)
    small = settings(import_batch_size=2)
    real = site_import.write_site_batch
    calls = {"n": 0}

    async def crash_on_second_batch(tx: Any, actor: Any, **kw: Any) -> None:
        calls["n"] += 1
        await real(tx, actor, **kw)
        if kw["number"] == 1:
            raise RuntimeError("simulated crash")

    monkeypatch.setattr(site_import, "write_site_batch", crash_on_second_batch)
    with pytest.raises(RuntimeError):
        await import_sites(sample_graph, path, org=ORG, settings=small)
    assert await _count_sites(sample_graph, names) == 2  # batch 0 committed, batch 1 not
    monkeypatch.setattr(site_import, "write_site_batch", real)
    summary = await import_sites(sample_graph, path, org=ORG, settings=small)
    assert summary.resumed_batches == 1
    assert summary.as_dict()["created"] == 5
    assert await _count_sites(sample_graph, names) == 5
    # and a third run changes nothing
    again = await import_sites(sample_graph, path, org=ORG, settings=small)
    assert again.resumed_batches == 3 and await _count_sites(sample_graph, names) == 5


# ----- contracts (OCDS) ---------------------------------------------------------------------
def release(ocid: str, **over: Any) -> dict[str, Any]:
    return {"ocid": ocid, "id": f"{ocid}-award", "date": "2026-01-10T00:00:00Z",
            "tag": ["contract"], "buyer": {"id": "GB-NHS-1", "name": "Northwind Health"},
            "awards": [{"id": "1", "suppliers": [{"id": "GB-COH-09999999",
                                                  "name": f"{ocid} Reseller Ltd"}]}],
            "contracts": [{"id": "1", "awardID": "1", "title": "Laptops",
                           "period": {"startDate": "2026-02-01", "endDate": "2029-01-31"},
                           "value": {"amount": 250000, "currency": "GBP"},
                           "items": [{"id": "1", "quantity": 400, "classification": {
                               "scheme": "CPV", "id": "30213100"}}]}], **over}


async def test_ocds_release_and_record_packages(sample_graph: Graph, tmp_path: Path) -> None:
    a, b, bad = f"ocds-t{fresh()}", f"ocds-t{fresh()}", f"ocds-t{fresh()}"
    package = {"uri": "x", "releases": [
        release(a), release(b),
        release(bad, contracts=[{"id": "1", "value": {"amount": -5, "currency": "GBP"},
                                 "items": [{"classification": {"scheme": "CPV",
                                                               "id": "39100000"}}]}])]}
    path = tmp_path / "releases.json"
    path.write_text(json.dumps(package))
    summary = await import_contracts(sample_graph, path, org=ORG, settings=settings())
    outcomes = [r.outcome for r in summary.results]
    assert outcomes == ["CREATED", "CREATED", "REJECTED"]
    assert any("must not be negative" in e for e in summary.results[2].errors)
    assert any("CPV" in e for e in summary.results[2].errors)
    rows = await sample_graph.query(
        "MATCH (o:Organisation)-[:HOLDS]->(c:Contract {reference: $r})-[:AWARDED_TO]->(s) "
        "MATCH (c)-[:COVERS]->(p:ProductCategory) RETURN o.id AS o, c.valueAmount AS v, "
        "c.quantity AS q, s.identifiers AS ids, p.id AS cpv", {"r": a})
    assert rows == [{"o": ORG, "v": 250000.0, "q": 400, "ids": ["GB-COH-09999999"],
                     "cpv": "30213100-6"}]
    # a record package with the same ocid updates the contract (history), never duplicates
    record = {"uri": "y", "records": [{"ocid": a, "compiledRelease": release(
        a, contracts=[{"id": "1", "title": "Laptops (amended)",
                       "value": {"amount": 260000, "currency": "GBP"},
                       "items": [{"classification": {"scheme": "CPV", "id": "30213100-6"}}]}])}]}
    path2 = tmp_path / "records.json"
    path2.write_text(json.dumps(record))
    summary2 = await import_contracts(sample_graph, path2, org=ORG, settings=settings())
    assert [r.outcome for r in summary2.results] == ["UPDATED"]
    rows = await sample_graph.query("MATCH (c:Contract {reference: $r}) "
                                    "OPTIONAL MATCH (c)-[:HAS_VERSION]->(v) "
                                    "RETURN count(DISTINCT c) AS n, count(v) AS versions, "
                                    "max(c.valueAmount) AS v", {"r": a})
    assert rows[0] == {"n": 1, "versions": 2, "v": 260000.0}


@pytest.mark.parametrize(("content", "message"), [
    ("[1, 2]", "JSON object"), ("{\"foo\": 1}", "neither an OCDS release package"),
    ("{not json", "not valid JSON"),
])
async def test_bad_ocds_files(sample_graph: Graph, tmp_path: Path, content: str,
                              message: str) -> None:
    path = tmp_path / "c.json"
    path.write_text(content)
    with pytest.raises(ImportFileError, match=message):
        await import_contracts(sample_graph, path, org=ORG, settings=settings())


# ----- reports ----------------------------------------------------------------------------------
async def test_report_file_good_and_bad_rows(sample_graph: Graph, tmp_path: Path) -> None:
    title = f"Imported {fresh()}"
    site = await seeded_site(sample_graph)
    doc = {"reports": [
        {"siteId": site, "kind": "WORKER_DRIVEN_MONITORING", "title": title,
         "visitDate": "2026-04-01", "findings": [
             {"category": "WAGES", "severity": "HIGH"},
             {"category": "WORKING_HOURS", "severity": "MEDIUM", "status": "OPEN"}]},
        {"siteId": s.SITE_LK_PRIVATE, "kind": "GRIEVANCE", "title": f"{title} hidden"},
        {"siteId": site, "kind": "GRIEVANCE", "title": f"{title} bad",
         "findings": [{"category": "BRIBERY", "severity": "HIGH"}]},
    ]}
    path = tmp_path / "reports.json"
    path.write_text(json.dumps(doc))
    summary = await import_reports(sample_graph, path, org=MONITOR,
                                   settings=settings())
    assert [r.outcome for r in summary.results] == ["CREATED", "REJECTED", "REJECTED"]
    assert "no production site" in summary.results[1].errors[0]
    assert "findings.0.category" in summary.results[2].errors[0]
    rows = await sample_graph.query(
        "MATCH (r:AuditReport) WHERE r.title STARTS WITH $t "
        "OPTIONAL MATCH (r)-[:HAS_FINDING]->(f) RETURN r.title AS t, count(f) AS n",
        {"t": title})
    assert rows == [{"t": title, "n": 2}]
