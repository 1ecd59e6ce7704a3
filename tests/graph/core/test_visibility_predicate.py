"""The record predicate as `visible` writes it (a CASE on `sharing`, which Neo4j does not
rewrite into conjunctive normal form) has the truth of the rule as docs/visibility.md
states it (the OR of four cases), for every combination of sharing level, owner and named
readers, and for viewers with and without peers: evaluated by the real Neo4j."""

from __future__ import annotations

import itertools

from graph.core.db import Graph
from graph.core.visibility import visible

# The rule as stated, spelled here only to be compared with the one builder of it.
STATED = ("(v.sharing = 'PUBLIC' OR v.contributedBy = $viewerOrg"
          " OR (v.sharing = 'CONSORTIUM' AND v.contributedBy IN $viewerPeers)"
          " OR (v.sharing = 'RESTRICTED' AND $viewerOrg IN coalesce(v.sharedWith, [])))")

SHARING = ["PUBLIC", "CONSORTIUM", "RESTRICTED", "PRIVATE", None]
OWNERS = ["ORG-VIEWER", "ORG-PEER", "ORG-OTHER", None]
NAMED = [None, [], ["ORG-VIEWER"], ["ORG-OTHER"], ["ORG-PEER", "ORG-VIEWER"]]
RECORDS = [{k: v for k, v in (("sharing", s), ("contributedBy", o), ("sharedWith", n))
            if v is not None}
           for s, o, n in itertools.product(SHARING, OWNERS, NAMED)]
VIEWERS = [("ORG-VIEWER", ["ORG-VIEWER", "ORG-PEER"]), ("ORG-VIEWER", ["ORG-VIEWER"]),
           ("ORG-VIEWER", []), ("ORG-OTHER", ["ORG-OTHER", "ORG-PEER"])]


async def test_every_record_is_seen_by_exactly_whom_the_stated_rule_lets_see_it(graph: Graph):
    for org, peers in VIEWERS:  # one statement per viewer: a parameter is one value
        rows = await graph.query(
            f"UNWIND $records AS v RETURN v, {visible('v')} AS written, {STATED} AS stated",
            {"records": RECORDS, "viewerOrg": org, "viewerPeers": peers})
        assert len(rows) == len(RECORDS)
        differ = [(org, peers, r["v"], r["written"], r["stated"]) for r in rows
                  if bool(r["written"]) != bool(r["stated"])]
        assert differ == []
        # Each viewer sees some records and not others: the comparison is not vacuous.
        assert {bool(r["stated"]) for r in rows} == {True, False}


async def test_the_written_predicate_differs_from_the_stated_only_in_null_against_false(
        graph: Graph):
    """Where the stated OR gives null (no sharing, not the owner) the CASE gives false:
    neither passes a WHERE, and no statement negates the predicate."""
    rows = await graph.query(
        f"UNWIND $records AS v RETURN v, {visible('v')} AS written, {STATED} AS stated",
        {"records": RECORDS, "viewerOrg": "ORG-VIEWER", "viewerPeers": ["ORG-VIEWER"]})
    unequal = [r["v"] for r in rows if r["written"] is not r["stated"]]
    assert unequal and all("sharing" not in v and v.get("contributedBy") != "ORG-VIEWER"
                           for v in unequal)
    assert all(r["written"] is False and r["stated"] is None for r in rows
               if r["v"] in unequal)
