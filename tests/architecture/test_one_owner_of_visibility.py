"""Who may see what is spelled in one module, graph/core/visibility.py: the sharing predicate
(`visible`), who may read a protected field (`Readable`), and the viewer's peers
(`peers_of`). A copy anywhere else drifts (the importer's once did: no RESTRICTED branch, no
consortia), so any spelling of them outside that module fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
OWNER = REPO / "graph" / "core" / "visibility.py"
PACKAGES = ("graph", "schema", "resolvers", "auth", "supplygraph", "seeds")

# What only the owner may spell, as Cypher text inside Python source.
SPELLINGS = {
    # by an operator, or as a CASE on the level (how `visible` decides it)
    "a sharing level compared":
        re.compile(r"\.sharing\s*(=|<>|IN)\s*['\[$]|CASE\s+\S*\.sharing\s+WHEN\b"),
    "the viewer named in sharedWith": re.compile(r"\$viewerOrg\s+IN\b"),
    "ownership by the viewer": re.compile(r"contributedBy\s*=\s*\$viewerOrg"),
    "a record's owner among the viewer's peers":
        re.compile(r"contributedBy\s+IN\s+\$viewerPeers"),
    "peers through consortium membership": re.compile(r"<-\[:MEMBER_OF\]-"),
}


def _sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py") if p != OWNER)


def test_the_owner_module_spells_each_rule() -> None:
    text = OWNER.read_text()
    missing = [what for what, pattern in SPELLINGS.items()
               if what != "a record's owner among the viewer's peers" and not pattern.search(text)]
    assert missing == []


@pytest.mark.parametrize("what", sorted(SPELLINGS))
def test_no_module_but_visibility_spells(what: str) -> None:
    pattern = SPELLINGS[what]
    found = [f"{p.relative_to(REPO)}:{n}: {line.strip()}"
             for p in _sources()
             for n, line in enumerate(p.read_text().splitlines(), start=1)
             if pattern.search(line)]
    assert found == [], f"{what} is spelled outside graph/core/visibility.py"
