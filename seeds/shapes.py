"""Record shapes shared by the sample data and the generated data at scale.

A `Dataset` collects node rows per label and relationship rows per (start, type, end);
`Dataset.load` writes them in batches through `graph.core.bulk`. The generators take a
`random.Random`, so the same seed yields the same graph, ids and timestamps included.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from operator import itemgetter
from typing import Any

from graph.core.bulk import absent, last_per_key, write_nodes, write_rels
from graph.core.derived import structure_changed_outside
from graph.core.db import Graph
from graph.core.ids import new_id, new_site_id
from graph.core.model import (
    CPV_CATEGORIES,
    SEVERITY_RANK,
    FindingCategory,
    FindingStatus,
    Label,
    Rel,
    ReportKind,
    Severity,
    SiteType,
)

SOURCE_SAMPLE = "supplygraph sample data (fictional)"
SOURCE_SCALE = "supplygraph generated data (fictional)"
EPOCH = datetime(2026, 11, 1, tzinfo=timezone.utc)

COUNTRIES: dict[str, dict[str, Any]] = {
    # code: cities with rough coordinates, regions, and the site types common there.
    "CN": {"cities": [("Kunshan", "Jiangsu", 31.38, 120.98), ("Shenzhen", "Guangdong", 22.54, 114.06),
                      ("Chongqing", "Chongqing", 29.56, 106.55), ("Zhengzhou", "Henan", 34.75, 113.62)],
           "streets": ["Jinsha Road", "Huanqing Road", "Longgang Avenue", "Xinghua Street"]},
    "VN": {"cities": [("Bac Ninh", "Bac Ninh", 21.18, 106.07), ("Thai Nguyen", "Thai Nguyen", 21.59, 105.85),
                      ("Hai Phong", "Hai Phong", 20.86, 106.68)],
           "streets": ["Yen Phong Industrial Park", "Que Vo Industrial Zone", "Dinh Vu Road"]},
    "MY": {"cities": [("Penang", "Pulau Pinang", 5.35, 100.30), ("Kulim", "Kedah", 5.37, 100.56),
                      ("Johor Bahru", "Johor", 1.49, 103.74)],
           "streets": ["Jalan Hi-Tech", "Lorong Perindustrian", "Jalan Bayan Lepas"]},
    "TH": {"cities": [("Ayutthaya", "Ayutthaya", 14.35, 100.57), ("Chonburi", "Chonburi", 13.36, 100.98),
                      ("Prachinburi", "Prachinburi", 14.05, 101.37)],
           "streets": ["Rojana Industrial Park", "Amata Nakorn Road", "Hi-Tech Estate Road"]},
    "PH": {"cities": [("Calamba", "Laguna", 14.21, 121.16), ("Lapu-Lapu", "Cebu", 10.31, 123.95),
                      ("Clark", "Pampanga", 15.18, 120.53)],
           "streets": ["Carmelray Industrial Park", "Mactan Economic Zone", "Clark Freeport Road"]},
    "MX": {"cities": [("Guadalajara", "Jalisco", 20.67, -103.35), ("Ciudad Juarez", "Chihuahua", 31.69, -106.42),
                      ("Tijuana", "Baja California", 32.51, -117.04)],
           "streets": ["Avenida Periferico Sur", "Boulevard Independencia", "Calle Industrial"]},
    "CZ": {"cities": [("Pardubice", "Pardubice", 50.04, 15.78), ("Kutna Hora", "Central Bohemia", 49.95, 15.27),
                      ("Brno", "South Moravia", 49.19, 16.61)],
           "streets": ["Prumyslova", "Tovarni", "Technicka"]},
    "IN": {"cities": [("Chennai", "Tamil Nadu", 13.08, 80.27), ("Noida", "Uttar Pradesh", 28.53, 77.39),
                      ("Sriperumbudur", "Tamil Nadu", 12.97, 79.95)],
           "streets": ["SIPCOT Industrial Park", "Sector 63 Road", "Oragadam Main Road"]},
}
COUNTRY_CODES = list(COUNTRIES)

_NAME_A = ["Jade", "Lotus", "Silver", "Red", "Golden", "Blue", "Eastern", "Pearl", "Summit",
           "Harbour", "Crane", "Orchid", "Phoenix", "Cedar", "River", "Stone", "Bright", "Delta"]
_NAME_B = ["Circuit", "Precision", "Electronics", "Components", "Power", "Display", "Cable",
           "Battery", "Metal", "Plastics", "Optics", "Assembly", "Systems", "Tech"]
_SITE_SUFFIX = ["Plant", "Factory", "Campus", "Works", "Facility", "Site"]
_LEGAL = {"CN": "Co., Ltd.", "VN": "Co., Ltd", "MY": "Sdn. Bhd.", "TH": "Co., Ltd.",
          "PH": "Inc.", "MX": "S.A. de C.V.", "CZ": "s.r.o.", "IN": "Pvt. Ltd."}

SITE_TYPES_BY_ROLE = {
    "CONTRACT_MANUFACTURER": [SiteType.ASSEMBLY, SiteType.ASSEMBLY, SiteType.WAREHOUSE],
    "COMPONENT_MAKER": [SiteType.COMPONENT, SiteType.COMPONENT, SiteType.OTHER],
    "SMELTER_REFINER": [SiteType.SMELTER_REFINER],
    "MINE": [SiteType.MINE],
    "RECYCLER": [SiteType.RECYCLING],
}

_FINDING_TEXT = {
    FindingCategory.FORCED_LABOUR: "Workers' identity documents held by the employer",
    FindingCategory.CHILD_LABOUR: "Workers under 16 found on the production line",
    FindingCategory.FREEDOM_OF_ASSOCIATION: "Workers dismissed after attempting to form a union",
    FindingCategory.DISCRIMINATION: "Pregnancy tests required at hiring",
    FindingCategory.OCCUPATIONAL_SAFETY_AND_HEALTH: "Solvent exposure without respiratory protection",
    FindingCategory.WAGES: "Overtime paid below the legal premium",
    FindingCategory.WORKING_HOURS: "Weekly hours above 60 in peak season",
    FindingCategory.REGULAR_EMPLOYMENT: "Dispatch workers above the legal share of the workforce",
    FindingCategory.HARSH_TREATMENT: "Verbal abuse by line supervisors",
    FindingCategory.RECRUITMENT_FEES: "Migrant workers paid recruitment fees to agents",
    FindingCategory.GRIEVANCE_MECHANISM: "No confidential channel for complaints",
    FindingCategory.ENVIRONMENT: "Wastewater discharged without treatment",
}
_SCHEME_GRADE = {Severity.CRITICAL: "Priority", Severity.HIGH: "Major", Severity.MEDIUM: "Minor",
                 Severity.LOW: "Risk of non-conformance"}


def iso(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def provenance(owner: str, created: datetime, source: str, sharing: str = "PUBLIC",
               shared_with: list[str] | None = None) -> dict[str, Any]:
    return {"contributedBy": owner, "createdAt": iso(created), "updatedAt": iso(created),
            "source": source, "sharing": sharing, "sharedWith": shared_with or []}


@dataclass
class Dataset:
    nodes: dict[Label, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    rels: dict[tuple[Label, Rel, Label], list[tuple[str, str, dict[str, Any]]]] = field(
        default_factory=lambda: defaultdict(list))
    # (label, id) of the nodes this load CREATEd: a relationship with one of them at an end
    # cannot exist yet, so it is CREATEd too.
    created: set[tuple[Label, str]] = field(default_factory=set)

    def node(self, label: Label, **props: Any) -> dict[str, Any]:
        self.nodes[label].append(props)
        return props

    def rel(self, start: Label, start_id: str, rel: Rel, end: Label, end_id: str,
            **props: Any) -> None:
        self.rels[(start, rel, end)].append((start_id, end_id, props))

    def counts(self) -> tuple[int, int]:
        return (sum(len(v) for v in self.nodes.values()),
                sum(len(v) for v in self.rels.values()))

    def clear(self) -> None:
        self.nodes.clear()
        self.rels.clear()
        self.created.clear()

    async def load(self, graph: Graph, batch_size: int = 5000,
                   advance: Callable[[int], None] | None = None) -> None:
        # Nodes first, so that every relationship finds both ends.
        await self.load_nodes(graph, batch_size, advance)
        await self.load_rels(graph, batch_size)

    async def load_nodes(self, graph: Graph, batch_size: int = 5000,
                         advance: Callable[[int], None] | None = None) -> None:
        self.created.clear()  # this load's, not an earlier load's of the same rows
        for label, rows in self.nodes.items():
            # A label's rows all new (a seed's chunk, the first load of the sample): CREATE.
            # Any of them there already (a second load): MERGE them all, as before.
            new = await absent(graph, label, [r["id"] for r in rows])
            if new:
                rows = last_per_key(rows, itemgetter("id"))
                self.created.update((label, r["id"]) for r in rows)
            for i in range(0, len(rows), batch_size):
                chunk = rows[i:i + batch_size]
                await write_nodes(graph, label, chunk, new=new)
                if advance:
                    advance(len(chunk))

    async def load_rels(self, graph: Graph, batch_size: int = 5000) -> None:
        """The relationships; both ends of each must have been written already."""
        created = self.created
        for (start, rel, end), rel_rows in self.rels.items():
            fresh: list[tuple[str, str, dict[str, Any]]] = []
            known: list[tuple[str, str, dict[str, Any]]] = []
            for r in rel_rows:
                new_end = (start, r[0]) in created or (end, r[1]) in created
                (fresh if new_end else known).append(r)
            fresh = last_per_key(fresh, itemgetter(0, 1))
            for rows, new in ((fresh, True), (known, False)):
                for i in range(0, len(rows), batch_size):
                    await write_rels(graph, start, rel, end, rows[i:i + batch_size], new=new)
        # Bulk writes bypass the commands: stored exposures are rebuilt on their next read.
        await structure_changed_outside(graph)


def categories(ds: Dataset, owner: str) -> None:
    created = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for cpv, name in CPV_CATEGORIES.items():
        ds.node(Label.PRODUCT_CATEGORY, id=cpv, cpvCode=cpv, name=name,
                **provenance(owner, created, "CPV 2008 vocabulary"))


def company_name(rng: random.Random, country: str) -> str:
    return f"{rng.choice(_NAME_A)} {rng.choice(_NAME_B)} {_LEGAL.get(country, 'Ltd.')}"


def site_row(rng: random.Random, *, country: str, supplier_name: str, site_type: SiteType,
             owner: str, source: str, used_ids: set[str], name: str | None = None,
             sharing: str = "PUBLIC", shared_with: list[str] | None = None,
             status: str = "ACTIVE", workers: int | None = None) -> dict[str, Any]:
    city, region, lat, lon = rng.choice(COUNTRIES[country]["cities"])
    street = rng.choice(COUNTRIES[country]["streets"])
    created = EPOCH - timedelta(days=rng.randint(30, 1000), seconds=rng.randint(0, 86399))
    sid = new_site_id(country, created.date(), rng)
    while sid in used_ids:
        sid = new_site_id(country, created.date(), rng)
    used_ids.add(sid)
    short = supplier_name.split(" Co.")[0].split(" Sdn.")[0].split(" S.A.")[0]
    name = name or f"{short} {city} {rng.choice(_SITE_SUFFIX)} {rng.randint(1, 9)}"
    aliases = [f"{short} ({city})", f"{short.upper()} {city.upper()} No.{rng.randint(1, 9)}"]
    return {
        "id": sid, "name": name, "aliases": aliases, "aliasesText": " | ".join(aliases),
        "address": f"{rng.randint(1, 400)} {street}", "city": city, "region": region,
        "countryCode": country, "siteType": site_type.value, "status": status,
        "workerCount": workers if workers is not None else rng.choice(
            [120, 300, 800, 1500, 3000, 6000, 12000, 25000]),
        "lat": round(lat + rng.uniform(-0.08, 0.08), 5),
        "lon": round(lon + rng.uniform(-0.08, 0.08), 5),
        **provenance(owner, created, source, sharing, shared_with),
    }


def report_with_findings(ds: Dataset, rng: random.Random, *, site_id: str, author: str,
                         kind: ReportKind, source: str, visit: date,
                         findings: list[tuple[FindingCategory, Severity, FindingStatus]],
                         sharing: str = "PUBLIC", shared_with: list[str] | None = None,
                         title: str | None = None, summary: str | None = None,
                         sensitive_notes: str | None = None,
                         sensitive_readers: list[str] | None = None,
                         report_id: str | None = None) -> str:
    published = datetime.combine(visit + timedelta(days=rng.randint(10, 60)),
                                 datetime.min.time(), tzinfo=timezone.utc)
    rid = report_id or new_id("RPT", rng)
    methodology = {
        ReportKind.SOCIAL_AUDIT: "Announced two-day audit against a code of conduct",
        ReportKind.WORKER_DRIVEN_MONITORING: "Off-site worker interviews, repeated monthly",
        ReportKind.NGO_INVESTIGATION: "Undercover employment and off-site interviews",
        ReportKind.GRIEVANCE: "Complaint received through the monitor's hotline",
        ReportKind.SELF_ASSESSMENT: "Supplier self-assessment questionnaire",
        ReportKind.MEDIA: "Press report, claims checked with two sources",
    }[kind]
    ds.node(Label.AUDIT_REPORT, id=rid, kind=kind.value,
            title=title or f"{kind.value.replace('_', ' ').title()} {visit.isoformat()}",
            summary=summary or (f"{len(findings)} findings" if findings else "No findings"),
            visitDate=visit.isoformat(), publishedAt=iso(published), methodology=methodology,
            sensitiveNotes=sensitive_notes, sensitiveReaders=sensitive_readers or [],
            findingCount=len(findings),
            **provenance(author, published, source, sharing, shared_with))
    ds.rel(Label.AUDIT_REPORT, rid, Rel.ASSESSES, Label.PRODUCTION_SITE, site_id)
    ds.rel(Label.ORGANISATION, author, Rel.AUTHORED, Label.AUDIT_REPORT, rid)
    for category, severity, status in findings:
        fid = new_id("FND", rng)
        due = visit + timedelta(days=rng.choice([30, 60, 90, 180]))
        ds.node(Label.FINDING, id=fid, category=category.value, severity=severity.value,
                severityRank=SEVERITY_RANK[severity], status=status.value,
                description=_FINDING_TEXT[category], dueDate=due.isoformat(),
                schemeRating=_SCHEME_GRADE[severity], visitDate=visit.isoformat(),
                **provenance(author, published, source, sharing, shared_with))
        ds.rel(Label.AUDIT_REPORT, rid, Rel.HAS_FINDING, Label.FINDING, fid)
        if status in (FindingStatus.IN_REMEDIATION, FindingStatus.REMEDIATED):
            aid = new_id("RMA", rng)
            ds.node(Label.REMEDIATION_ACTION, id=aid,
                    description=f"Corrective action plan: {_FINDING_TEXT[category].lower()}",
                    dueDate=(due + timedelta(days=30)).isoformat(),
                    status="DONE" if status == FindingStatus.REMEDIATED else "IN_PROGRESS",
                    evidence="Follow-up visit and worker interviews"
                    if status == FindingStatus.REMEDIATED else None,
                    **provenance(author, published, source, sharing, shared_with))
            ds.rel(Label.FINDING, fid, Rel.REMEDIATED_BY, Label.REMEDIATION_ACTION, aid)
    return rid


def random_findings(rng: random.Random, kind: ReportKind,
                    ) -> list[tuple[FindingCategory, Severity, FindingStatus]]:
    # Self-assessments and audits find less than worker-driven monitoring: that gap is
    # the reason the service exists.
    mean = {ReportKind.SELF_ASSESSMENT: 0.3, ReportKind.SOCIAL_AUDIT: 1.2,
            ReportKind.MEDIA: 1.0}.get(kind, 2.2)
    n = min(5, int(rng.expovariate(1 / mean))) if mean else 0
    cats = rng.sample(list(FindingCategory), n)
    out = []
    for cat in cats:
        sev = rng.choices(list(Severity), weights=[3, 4, 3, 1.5 if cat in (
            FindingCategory.FORCED_LABOUR, FindingCategory.CHILD_LABOUR) else 1])[0]
        status = rng.choices(list(FindingStatus), weights=[4, 3, 3, 1])[0]
        out.append((cat, sev, status))
    return out


def contract_row(rng: random.Random, *, buyer: str, reference: str, title: str,
                 cpv: list[str], start: date, sharing: str, source: str,
                 value: float | None = None, quantity: int | None = None,
                 currency: str = "EUR", contract_id: str | None = None) -> dict[str, Any]:
    qty = quantity if quantity is not None else rng.choice([50, 200, 500, 1200, 4000, 10000])
    unit = round(rng.uniform(150, 1400), 2)
    amount = value if value is not None else round(qty * unit, 2)
    created = datetime.combine(start, datetime.min.time(), tzinfo=timezone.utc)
    return {
        "id": contract_id or new_id("CTR", rng), "reference": reference, "title": title,
        "startDate": start.isoformat(), "endDate": (start + timedelta(days=365 * 3)).isoformat(),
        "cpvCodes": cpv, "valueAmount": amount, "valueCurrency": currency, "quantity": qty,
        "unitPrices": json.dumps([{"item": cpv[0], "amount": unit, "currency": currency}]),
        **provenance(buyer, created, source, sharing),
    }
