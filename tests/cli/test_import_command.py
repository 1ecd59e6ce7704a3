"""`supplygraph import` via subprocess: the summary, the CSV it writes, and one clear line for a
hostile file. Every file uses fresh names, so the sample's story is untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph.core.db import Graph
from supplygraph.settings import Settings
from tests.support.cli import run_cli
from tests.support.imports import HEADER, ORG, good_rows, write_csv
from tests.support.writes import (
    ensure_test_orgs,
    fresh,
)


@pytest.fixture(autouse=True)
async def _test_orgs(sample_graph: Graph) -> None:
    await ensure_test_orgs(sample_graph)


# ----- the CLI ----------------------------------------------------------------------------------
async def test_cli_import_prints_summary_and_writes_csv(
        sample_graph: Graph, neo4j_settings: Settings, tmp_path: Path) -> None:
    words = [fresh() for _ in range(3)]
    path = write_csv(tmp_path / "cli.csv", [HEADER, *good_rows(words)])
    out = tmp_path / "summary.csv"
    proc = run_cli(neo4j_settings, "import", "sites", str(path), "--org", ORG, "--json",
                   "--summary", str(out))
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert (result["created"], result["matched"]) == (3, 1)
    assert out.exists()
    human = run_cli(neo4j_settings, "import", "sites", str(path), "--org", ORG, "--dry-run",
                    "--summary", str(tmp_path / "dry.csv"))
    assert "dry run: nothing written" in human.stdout
    assert "columns not understood (ignored): Internal notes" in human.stdout


async def test_cli_hostile_file_is_one_line_no_traceback(sample_graph: Graph,
                                                         neo4j_settings: Settings,
                                                         tmp_path: Path) -> None:
    path = tmp_path / "x.docx"
    path.write_bytes(b"PK\x03\x04")
    proc = run_cli(neo4j_settings, "import", "sites", str(path), "--org", ORG)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1
    assert "not .docx" in proc.stderr
