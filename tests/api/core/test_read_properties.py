"""Property-based: random queries by random actors never reveal what they may not read.

For each example, hypothesis builds a query over the schema (random selections, aliases,
inline and named fragments, nested relations, filters and orders on the confidential
contract value, pagination, ids of records the actor may or may not see) and runs it as a
random actor. Then:
1. no value the actor may not read appears anywhere in the response (data or errors):
   confidential contract amounts, quantities and unit prices of others' contracts, supply-link
   volumes and prices, unreadable sensitive notes, ids of invisible records;
2. the response does not depend on those values: the same query, run after the values are
   changed in the database (and restored in a `finally`), gives the same response.

Ground truth is computed here in Python from the raw graph, not through `graph.core.visibility`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auth.viewer import Viewer
from graph.core.db import Graph
from schema.core.common import encode_cursor
from seeds import sample as s
from tests.support.reads import run, viewer_for

ACTORS = [s.NW_HEALTH, s.NW_CITY, s.LK_UNI, s.LK_TECH, s.MONITOR_WORKERS, s.MONITOR_NGO]
CONFIDENTIAL_KEYS = {"valueAmount", "valueCurrency", "unitPrices", "quantity", "volume",
                     "unitPrice", "sensitiveNotes", "sensitiveReaders", "sharedWith"}

ALL_RECORDS = """
MATCH (n) WHERE n.id IS NOT NULL AND n.contributedBy IS NOT NULL
RETURN labels(n)[0] AS label, n.id AS id, n.sharing AS sharing, n.contributedBy AS owner,
       coalesce(n.sharedWith, []) AS sharedWith, properties(n) AS props
"""
ALL_LINKS = "MATCH ()-[r:SOURCES_FROM]->() RETURN r.volume AS volume, r.unitPrice AS price"
MEMBERSHIP = """
MATCH (o:Organisation)-[:MEMBER_OF]->(c:Organisation {kind: 'CONSORTIUM'})
RETURN o.id AS org, c.id AS consortium
"""


@dataclass
class Truth:
    records: list[dict[str, Any]]
    links: list[dict[str, Any]]
    consortia: dict[str, set[str]]
    harmless_numbers: set[float] = field(default_factory=set)

    def peers(self, org: str) -> set[str]:
        mine = self.consortia.get(org, set())
        return {o for o, cs in self.consortia.items() if cs & mine} | {org}

    def visible(self, rec: dict[str, Any], org: str) -> bool:
        sharing = rec["sharing"]
        return (sharing == "PUBLIC" or rec["owner"] == org
                or (sharing == "CONSORTIUM" and rec["owner"] in self.peers(org))
                or (sharing == "RESTRICTED" and org in rec["sharedWith"]))

    def secrets(self, org: str) -> tuple[set[str], list[str], set[float]]:
        """(forbidden exact strings, forbidden substrings, forbidden numbers) for `org`."""
        ids, notes, numbers, readable = set(), [], set(), set()
        for rec in self.records:
            p = rec["props"]
            if not self.visible(rec, org):
                ids.add(rec["id"])
            if rec["label"] == "Contract":
                values = {float(p[key]) for key in ("valueAmount", "quantity")
                          if p.get(key) is not None}
                values |= {float(item["amount"]) for item in json.loads(p.get("unitPrices")
                                                                       or "[]")}
                # A number the actor reads on its own contract may equal another's hidden
                # one (a quantity of 600 on both): seeing it is no leak, so the canary skips
                # it; the non-interference half still catches a dependence on the other's.
                (readable if rec["owner"] == org else numbers).update(values)
            if rec["label"] == "AuditReport" and p.get("sensitiveNotes") \
                    and rec["owner"] != org and org not in (p.get("sensitiveReaders") or []):
                notes.append(p["sensitiveNotes"])
        for link in self.links:
            numbers.update(float(v) for v in (link["volume"], link["price"]) if v is not None)
        return ids, notes, numbers - self.harmless_numbers - readable


@pytest.fixture
async def truth(sample_graph: Graph) -> Truth:
    records = await sample_graph.query(ALL_RECORDS)
    links = await sample_graph.query(ALL_LINKS)
    consortia: dict[str, set[str]] = {}
    for row in await sample_graph.query(MEMBERSHIP):
        consortia.setdefault(row["org"], set()).add(row["consortium"])
    harmless: set[float] = set()
    for rec in records:  # numbers that legitimately appear elsewhere (worker counts, ...)
        for key, value in rec["props"].items():
            if key not in CONFIDENTIAL_KEYS and isinstance(value, int | float) \
                    and not isinstance(value, bool):
                harmless.add(float(value))
    return Truth(records, links, consortia, harmless)


@pytest.fixture
async def viewers(sample_graph: Graph) -> dict[str, Viewer]:
    return {org: await viewer_for(sample_graph, org) for org in ACTORS}


# ----- changing the confidential values, and putting them back ------------------------------
SNAPSHOT = """
MATCH (c:Contract) RETURN c.id AS id, c.valueAmount AS value, c.valueCurrency AS currency,
       c.quantity AS quantity, c.unitPrices AS unitPrices
"""
SNAPSHOT_NOTES = "MATCH (r:AuditReport) RETURN r.id AS id, r.sensitiveNotes AS notes"
SNAPSHOT_LINKS = """
MATCH (a)-[l:SOURCES_FROM]->(b) RETURN elementId(l) AS id, l.volume AS volume,
       l.unitPrice AS price
"""
PERTURB = """
MATCH (c:Contract) WHERE c.contributedBy <> $org
SET c.valueAmount = 1.0e9 - c.valueAmount, c.quantity = c.quantity * 3 + 1,
    c.valueCurrency = 'XTS',
    c.unitPrices = '[{"item": "changed", "amount": 0.5, "currency": "XTS"}]'
WITH count(*) AS _
MATCH (r:AuditReport) WHERE r.sensitiveNotes IS NOT NULL AND r.contributedBy <> $org
  AND NOT $org IN coalesce(r.sensitiveReaders, [])
SET r.sensitiveNotes = 'changed: ' + r.sensitiveNotes
WITH count(*) AS _
MATCH ()-[l:SOURCES_FROM]->() SET l.volume = l.volume * 2 + 1, l.unitPrice = 0.25
"""
RESTORE_CONTRACTS = """
UNWIND $rows AS row MATCH (c:Contract {id: row.id})
SET c.valueAmount = row.value, c.valueCurrency = row.currency, c.quantity = row.quantity,
    c.unitPrices = row.unitPrices
"""
RESTORE_NOTES = "UNWIND $rows AS row MATCH (r:AuditReport {id: row.id}) " \
                "SET r.sensitiveNotes = row.notes"
RESTORE_LINKS = "UNWIND $rows AS row MATCH ()-[l]->() WHERE elementId(l) = row.id " \
                "SET l.volume = row.volume, l.unitPrice = row.price"


# ----- the query generator --------------------------------------------------------------------
SCALARS = {
    "ProductionSite": ["id", "name", "countryCode", "siteType", "workerCount", "status",
                       "sharing", "contributedBy", "aliases", "city", "openFindingCount",
                       "location { latitude longitude }"],
    "Supplier": ["id", "name", "roles", "countryCode", "sharing"],
    "Brand": ["id", "name", "countryCode", "website"],
    "AuditReport": ["id", "title", "kind", "summary", "sensitiveNotes", "sharing",
                    "contributedBy", "visitDate"],
    "Finding": ["id", "category", "severity", "status", "description", "schemeRating"],
    "RemediationAction": ["id", "status", "description", "evidence"],
    "Contract": ["id", "reference", "title", "quantity", "sharing", "contributedBy",
                 "cpvCodes", "value { amount currency }", "unitPrices { item amount currency }",
                 "startDate"],
    "Organisation": ["id", "name", "kind"],
    "ProductCategory": ["id", "cpvCode", "name"],
}
RELATIONS = {
    "ProductionSite": {"operators": "Supplier", "brands": "Brand", "products": "ProductCategory",
                       "findings": "Finding", "reports(first: 3)": "AuditReport*"},
    "Supplier": {"sites": "ProductionSite", "subSuppliers": "Supplier"},
    "Brand": {"suppliers": "Supplier", "sites": "ProductionSite"},
    "AuditReport": {"findings": "Finding", "site": "ProductionSite", "author": "Organisation"},
    "Finding": {"remediation": "RemediationAction"},
    "Contract": {"buyer": "Organisation", "supplier": "Supplier", "brands": "Brand",
                 "sites": "ProductionSite"},
    "Organisation": {},
    "RemediationAction": {},
    "ProductCategory": {},
}
CONFIDENTIAL_VALUES = [4_200_000.0, 1_150_000.0, 860_000.0, 9_800_000.0, 2_400_000.0,
                       540_000.0, 1_900_000.0]
STORY_IDS = [s.SITE_KUNSHAN, s.SITE_RED_DELTA, s.SITE_NW_PRIVATE_DISCLOSURE, s.SITE_LK_PRIVATE,
             s.REPORT_WORKER_MONITORING, s.REPORT_RED_DELTA_NGO, s.CONTRACT_NW_HEALTH_DESKTOPS,
             s.CONTRACT_LK_TECH_DISPLAYS, s.CONTRACT_NW_HEALTH_LAPTOPS,
             s.CONTRACT_NW_MINISTRY_LAPTOPS, "BRD-CORVID", "SUP-JADEPORT"]


class Builder:
    def __init__(self, draw: Any) -> None:
        self.draw = draw
        self.aliases = 0
        self.fragments: list[str] = []

    def alias(self, name: str) -> str:
        if self.aliases < 20 and self.draw(st.booleans()):
            self.aliases += 1
            return f"a{self.aliases}: {name}"
        return name

    def selection(self, type_name: str, depth: int) -> str:
        draw = self.draw
        fields = draw(st.lists(st.sampled_from(SCALARS[type_name]), min_size=1, max_size=5,
                               unique=True))
        parts = [self.alias(f) for f in fields]
        rels = RELATIONS[type_name]
        if depth > 0 and rels:
            for name in draw(st.lists(st.sampled_from(sorted(rels)), max_size=2, unique=True)):
                target = rels[name]
                inner = self.selection(target.rstrip("*"), depth - 1)
                if target.endswith("*"):
                    inner = f"totalCount edges {{ cursor node {{ {inner} }} }}"
                parts.append(f"{self.alias(name)} {{ {inner} }}")
        body = " ".join(parts)
        how = draw(st.sampled_from(["plain", "plain", "inline", "named"]))
        if how == "inline":
            return f"... on {type_name} {{ {body} }}"
        if how == "named":
            name = f"F{len(self.fragments)}"
            self.fragments.append(f"fragment {name} on {type_name} {{ {body} }}")
            return f"...{name}"
        return body

    def page_args(self) -> list[str]:
        draw = self.draw
        args = [f"first: {draw(st.integers(0, 8))}"]
        if draw(st.booleans()):
            args.append(f'after: "{encode_cursor(draw(st.integers(0, 12)))}"')
        return args

    def root(self, alias: str) -> str:
        draw = self.draw
        kind = draw(st.sampled_from(["sites", "contracts", "contracts", "reports", "brands",
                                     "suppliers", "one"]))
        if kind == "one":
            field, type_name = draw(st.sampled_from([
                ("productionSite", "ProductionSite"), ("contract", "Contract"),
                ("report", "AuditReport"), ("brand", "Brand"), ("supplier", "Supplier")]))
            id_ = draw(st.sampled_from(STORY_IDS))
            return f'{alias}: {field}(id: "{id_}") {{ {self.selection(type_name, 2)} }}'
        args = self.page_args()
        if kind == "contracts":
            filters = []
            if draw(st.booleans()):
                filters.append(f"valueMin: {draw(st.sampled_from(CONFIDENTIAL_VALUES + [0.0]))}")
            if draw(st.booleans()):
                filters.append(f"valueMax: {draw(st.sampled_from(CONFIDENTIAL_VALUES))}")
            if filters:
                args.append("filter: {" + ", ".join(filters) + "}")
            if draw(st.booleans()):
                order = draw(st.lists(st.sampled_from(
                    ["{field: VALUE, direction: DESC}", "{field: VALUE}", "{field: START_DATE}",
                     "{field: REFERENCE, direction: DESC}"]), min_size=1, max_size=2))
                args.append("orderBy: [" + ", ".join(order) + "]")
            type_name = "Contract"
        elif kind == "sites":
            options = {
                "countryCode": ['countryCode: ["CN", "IN"]'], "hasOpenFindings": [
                    "hasOpenFindings: true", "hasOpenFindings: false"],
                "minSeverity": ["minSeverity: HIGH"],
                "text": ['text: "Kunshan"', 'text: "Hosur"', 'text: "Zhengzhou Warehouse"'],
                "findingCategory": ["findingCategory: RECRUITMENT_FEES"],
                "supplierId": ['supplierId: "SUP-DECCAN"'],
            }
            keys = draw(st.lists(st.sampled_from(sorted(options)), max_size=2, unique=True))
            filters = [draw(st.sampled_from(options[k])) for k in keys]
            if filters:
                args.append("filter: {" + ", ".join(filters) + "}")
            type_name = "ProductionSite"
        else:
            type_name = {"reports": "AuditReport", "brands": "Brand",
                         "suppliers": "Supplier"}[kind]
        field = {"sites": "productionSites"}.get(kind, kind)
        inner = self.selection(type_name, 2)
        return (f"{alias}: {field}({', '.join(args)}) "
                f"{{ totalCount pageInfo {{ hasNextPage endCursor }} "
                f"edges {{ cursor node {{ {inner} }} }} }}")


@st.composite
def queries(draw: Any) -> tuple[str, str]:
    b = Builder(draw)
    # Each root gets its own alias: two roots of one name with different arguments conflict.
    roots = [b.root(f"r{i}") for i in range(draw(st.integers(1, 2)))]
    actor = draw(st.sampled_from(ACTORS))
    return actor, "{ " + " ".join(roots) + " } " + " ".join(b.fragments)


# Counts of visible records: equal to a hidden number only by coincidence (a supplier count of
# 22 beside a hidden quantity of 22), so the canary does not read them; whether a count
# depends on hidden data is what the non-interference half of the property checks.
_COUNTS = frozenset({"totalCount", "openFindingCount"})


def _leaves(value: Any, key: str = "") -> list[Any]:
    if isinstance(value, dict):
        return [x for k, v in value.items() for x in _leaves(v, k)]
    if isinstance(value, list):
        return [x for v in value for x in _leaves(v, key)]
    return [] if key in _COUNTS and isinstance(value, int) else [value]


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(case=queries())
async def test_random_queries_never_reveal_nor_depend_on_unreadable_values(
        sample_graph: Graph, truth: Truth, viewers: dict[str, Viewer],
        case: tuple[str, str]) -> None:
    actor, query = case
    viewer = viewers[actor]
    ids, notes, numbers = truth.secrets(actor)

    before = await run(sample_graph, viewer, query)
    assert not [e for e in before.errors if e["extensions"]["code"] not in ("FORBIDDEN",)], \
        (query, before.errors)
    leaves = _leaves(before.data) + _leaves(before.errors)
    for leaf in leaves:
        if isinstance(leaf, str):
            assert leaf not in ids, (actor, leaf, query)
            assert not any(n in leaf for n in notes), (actor, leaf, query)
        elif isinstance(leaf, int | float) and not isinstance(leaf, bool):
            assert float(leaf) not in numbers, (actor, leaf, query)

    contracts = await sample_graph.query(SNAPSHOT)
    reports = await sample_graph.query(SNAPSHOT_NOTES)
    links = await sample_graph.query(SNAPSHOT_LINKS)
    try:
        await sample_graph.query(PERTURB, {"org": actor}, write=True)
        after = await run(sample_graph, viewer, query)
    finally:
        await sample_graph.query(RESTORE_CONTRACTS, {"rows": contracts}, write=True)
        await sample_graph.query(RESTORE_NOTES, {"rows": reports}, write=True)
        await sample_graph.query(RESTORE_LINKS, {"rows": links}, write=True)
    assert after.data == before.data, (actor, query)
    # Errors arrive in resolver completion order (timing, not data): compare them as sets.
    assert sorted(map(repr, after.errors)) == sorted(map(repr, before.errors)), (actor, query)
