"""The committed schema.graphql is the schema: a change to the schema shows up in review."""

from __future__ import annotations

import re
import subprocess
import sys

from tests.support.paths import REPO

FIX = "run `supplygraph schema print --output schema.graphql` and commit it"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "supplygraph.cli", "schema", "print", *args],
                          cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


def test_committed_schema_graphql_is_in_sync_with_the_code() -> None:
    out = _cli()
    assert out.returncode == 0, out.stderr
    committed = (REPO / "schema.graphql").read_text(encoding="utf-8")
    assert out.stdout == committed, f"schema.graphql is out of date: {FIX}"


def test_federation_sdl_declares_every_entity_keyed_by_id() -> None:
    out = _cli("--federation")
    assert out.returncode == 0, out.stderr
    assert 'import: ["@key"]' in out.stdout
    for entity in ("ProductionSite", "Brand", "Supplier", "Organisation", "AuditReport",
                   "Contract"):
        assert re.search(rf'^type {entity}( implements [\w &]+)? @key\(fields: "id"\)',
                         out.stdout, re.MULTILINE), entity
