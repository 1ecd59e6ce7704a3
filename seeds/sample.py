"""The sample data set: small, hand-shaped, fictional, and telling a story a buyer knows.

Two consortia (Northwind's public purchasing consortium of a health trust, a city and a
ministry; Lakeshore's universities), two monitors and an auditor, four brands, suppliers over
three tiers, about a hundred sites in CN, VN, MY, TH, PH, MX, CZ and IN, contracts (most shared
inside the consortium, some private, one public) and reports of every kind.

The story the tests rely on (names and ids are constants below):
- Jadeport's Kunshan campus (`SITE_KUNSHAN`) passed a social audit in March 2026 with no
  finding, and worker-driven monitoring in May 2026 reported retained identity documents
  (FORCED_LABOUR, CRITICAL, OPEN) and excessive hours: the clean audit is contradicted.
  Three members of the Northwind consortium buy Corvid laptops assembled there.
- The Tinfield smelter (`SITE_TINFIELD`) is three tiers below Corvid
  (Corvid -> Jadeport -> Silverbay -> Tinfield) and has a CRITICAL safety grievance.
- Red Delta's battery plant (`SITE_RED_DELTA`) has an NGO investigation on recruitment fees
  shared (RESTRICTED) with the Northwind members only.

Loading twice leaves the same graph: every id, timestamp and value is fixed.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timezone
from typing import Any

from graph.core.db import Graph
from graph.core.model import FindingCategory as C
from graph.core.model import FindingStatus as St
from graph.core.model import Label, Rel, ReportKind, SiteType
from graph.core.model import Severity as Sv
from seeds.shapes import (
    SOURCE_SAMPLE,
    Dataset,
    categories,
    contract_row,
    provenance,
    random_findings,
    report_with_findings,
    site_row,
)

# Organisations.
OPERATOR = "ORG-OPERATOR"
NORTHWIND = "ORG-NWC"  # consortium
LAKESHORE = "ORG-LUC"  # consortium
NW_HEALTH = "ORG-NRHT"  # Northwind Regional Health Trust
NW_CITY = "ORG-EASTMERE"  # City of Eastmere
NW_MINISTRY = "ORG-NMOE"  # Northwind Ministry of Education
LK_UNI = "ORG-ULAKE"  # University of Lakeshore
LK_TECH = "ORG-LTU"  # Lakeshore Technical University
LK_COLLEGE = "ORG-GREYHAVEN"  # Greyhaven College Group
MONITOR_WORKERS = "ORG-WVMN"  # Workers' Voice Monitoring Network
MONITOR_NGO = "ORG-FCRC"  # Fair Circuits Research Centre
AUDITOR = "ORG-VERITAS"  # Veritas Social Compliance Ltd
CIVITAS = "ORG-CIVITAS"  # speaks for the contractor SUP-CIVITAS (docs/disclosures.md)

NORTHWIND_MEMBERS = (NW_HEALTH, NW_CITY, NW_MINISTRY)
LAKESHORE_MEMBERS = (LK_UNI, LK_TECH, LK_COLLEGE)

# Story sites (valid site ids, check character included).
SITE_KUNSHAN = "CN2024074M9S34Q"
SITE_RED_DELTA = "VN20241546Q3D2B"
SITE_TINFIELD = "MY20232645VT4F9"
SITE_CHONGQING = "CN20240085V37ED"
SITE_GUADALAJARA = "MX20241263S3E2O"
SITE_NW_PRIVATE_DISCLOSURE = "CN20250488JT977"  # disclosed by the health trust, CONSORTIUM
SITE_LK_PRIVATE = "IN2025182KB6CQH"  # known only to the University of Lakeshore, PRIVATE

# Reports of the story.
REPORT_CLEAN_AUDIT = "RPT-KUNSHAN-AUDIT-2026"
REPORT_WORKER_MONITORING = "RPT-KUNSHAN-WDM-2026"
REPORT_RED_DELTA_NGO = "RPT-REDDELTA-NGO-2025"
REPORT_TINFIELD_GRIEVANCE = "RPT-TINFIELD-GRV-2026"

# Contracts.
# One person per sample organisation that people sign in for (not the consortia), for the web
# app (`supplygraph demo-client` gives them a password made on the machine it runs on; none is
# kept here): (organisation, e-mail address, role).
SAMPLE_PEOPLE = [
    (NW_HEALTH, "buyer@nrht.sample.example", "admin"),
    (NW_CITY, "buyer@eastmere.sample.example", "reader"),
    (NW_MINISTRY, "buyer@nmoe.sample.example", "reader"),
    (LK_UNI, "buyer@ulake.sample.example", "admin"),
    (LK_TECH, "buyer@ltu.sample.example", "reader"),
    (LK_COLLEGE, "buyer@greyhaven.sample.example", "reader"),
    (MONITOR_WORKERS, "monitor@wvmn.sample.example", "contributor"),
    (MONITOR_NGO, "researcher@fcrc.sample.example", "contributor"),
    (AUDITOR, "auditor@veritas.sample.example", "contributor"),
    (CIVITAS, "compliance@civitas.sample.example", "contributor"),
    (OPERATOR, "operator@sample.example", "admin"),
]

CONTRACT_NW_HEALTH_LAPTOPS = "CTR-NRHT-LAPTOPS"
CONTRACT_NW_HEALTH_DESKTOPS = "CTR-NRHT-DESKTOPS"  # PRIVATE
CONTRACT_NW_CITY_PHONES = "CTR-EASTMERE-PHONES"
CONTRACT_NW_MINISTRY_LAPTOPS = "CTR-NMOE-LAPTOPS"  # PUBLIC
CONTRACT_LK_UNI_SERVERS = "CTR-ULAKE-SERVERS"
CONTRACT_LK_TECH_DISPLAYS = "CTR-LTU-DISPLAYS"  # PRIVATE
CONTRACT_LK_COLLEGE_LAPTOPS = "CTR-GREYHAVEN-LAPTOPS"

_T0 = datetime(2025, 1, 6, 9, 0, tzinfo=timezone.utc)

ORGANISATIONS: list[tuple[str, str, str, str, tuple[str, ...]]] = [
    # id, name, kind, country, consortia
    (OPERATOR, "supplygraph Operations", "OPERATOR", "NL", ()),
    (NORTHWIND, "Northwind Public Purchasing Consortium", "CONSORTIUM", "GB", ()),
    (LAKESHORE, "Lakeshore Universities ICT Consortium", "CONSORTIUM", "NL", ()),
    (NW_HEALTH, "Northwind Regional Health Trust", "PUBLIC_BUYER", "GB", (NORTHWIND,)),
    (NW_CITY, "City of Eastmere", "PUBLIC_BUYER", "GB", (NORTHWIND,)),
    (NW_MINISTRY, "Northwind Ministry of Education", "PUBLIC_BUYER", "GB", (NORTHWIND,)),
    (LK_UNI, "University of Lakeshore", "PUBLIC_BUYER", "NL", (LAKESHORE,)),
    (LK_TECH, "Lakeshore Technical University", "PUBLIC_BUYER", "NL", (LAKESHORE,)),
    (LK_COLLEGE, "Greyhaven College Group", "PUBLIC_BUYER", "NL", (LAKESHORE,)),
    (MONITOR_WORKERS, "Workers' Voice Monitoring Network", "MONITOR", "MY", ()),
    (MONITOR_NGO, "Fair Circuits Research Centre", "MONITOR", "DE", ()),
    (AUDITOR, "Veritas Social Compliance Ltd", "AUDITOR", "HK", ()),
    (CIVITAS, "Civitas IT Solutions", "SUPPLIER", "GB", ()),
]

BRANDS = [
    ("BRD-CORVID", "Corvid Computing", "US", "https://corvid.example"),
    ("BRD-HALDEN", "Halden Devices", "DE", "https://halden.example"),
    ("BRD-NIMBUS", "Nimbus Mobile", "KR", "https://nimbus.example"),
    ("BRD-AURALUX", "Auralux Displays", "JP", "https://auralux.example"),
]

# id, name, country, roles, how many sites, where its sites are
SUPPLIERS: list[tuple[str, str, str, list[str], int, list[str]]] = [
    ("SUP-CIVITAS", "Civitas IT Solutions Ltd", "GB", ["CONTRACTOR"], 0, []),
    ("SUP-PUBLITECH", "Publitech Resellers B.V.", "NL", ["RESELLER", "CONTRACTOR"], 0, []),
    ("SUP-JADEPORT", "Jadeport Electronics Manufacturing Co., Ltd.", "TW",
     ["CONTRACT_MANUFACTURER"], 12, ["CN", "VN", "MX"]),
    ("SUP-LOTUSRIVER", "Lotus River Technology Co., Ltd.", "CN",
     ["CONTRACT_MANUFACTURER"], 11, ["CN", "IN"]),
    ("SUP-MERIDIAN", "Meridian Assembly Systems S.A. de C.V.", "MX",
     ["CONTRACT_MANUFACTURER"], 7, ["MX", "CZ"]),
    ("SUP-SILVERBAY", "Silverbay Circuit Boards Co., Ltd.", "CN", ["COMPONENT_MAKER"], 10,
     ["CN", "TH"]),
    ("SUP-KINABALU", "Kinabalu Components Sdn. Bhd.", "MY", ["COMPONENT_MAKER"], 9, ["MY"]),
    ("SUP-REDDELTA", "Red Delta Batteries Co., Ltd", "VN", ["COMPONENT_MAKER"], 7, ["VN"]),
    ("SUP-CHAOPHRAYA", "Chao Phraya Displays Co., Ltd.", "TH",
     ["COMPONENT_MAKER", "CONTRACT_MANUFACTURER"], 8, ["TH"]),
    ("SUP-VISAYAS", "Visayas Cable Works Inc.", "PH", ["COMPONENT_MAKER"], 8, ["PH"]),
    ("SUP-MORAVIA", "Moravia Power Supplies s.r.o.", "CZ", ["COMPONENT_MAKER"], 7, ["CZ"]),
    ("SUP-DECCAN", "Deccan Precision Parts Pvt. Ltd.", "IN", ["COMPONENT_MAKER"], 7, ["IN"]),
    ("SUP-TINFIELD", "Tinfield Smelting Sdn. Bhd.", "MY", ["SMELTER_REFINER"], 3, ["MY"]),
    ("SUP-GOLDENRIDGE", "Golden Ridge Refinery Inc.", "PH", ["SMELTER_REFINER"], 3, ["PH"]),
    ("SUP-NILGIRI", "Nilgiri Minerals Pvt. Ltd.", "IN", ["MINE"], 4, ["IN"]),
    ("SUP-BOHEMIA", "Bohemia E-Waste Recycling s.r.o.", "CZ", ["RECYCLER"], 3, ["CZ"]),
]

# (buyer of the link, customer, supplier, volume, unit price); the tiers.
SUPPLY_LINKS: list[tuple[str, str, str, int, float]] = [
    ("BRD-CORVID", "BRD-CORVID", "SUP-JADEPORT", 400_000, 212.5),
    ("BRD-CORVID", "BRD-CORVID", "SUP-MERIDIAN", 120_000, 231.0),
    ("BRD-HALDEN", "BRD-HALDEN", "SUP-LOTUSRIVER", 90_000, 640.0),
    ("BRD-HALDEN", "BRD-HALDEN", "SUP-MERIDIAN", 30_000, 655.0),
    ("BRD-NIMBUS", "BRD-NIMBUS", "SUP-LOTUSRIVER", 1_200_000, 96.0),
    ("BRD-NIMBUS", "BRD-NIMBUS", "SUP-JADEPORT", 600_000, 98.5),
    ("BRD-AURALUX", "BRD-AURALUX", "SUP-CHAOPHRAYA", 250_000, 88.0),
    ("SUP-JADEPORT", "SUP-JADEPORT", "SUP-SILVERBAY", 2_000_000, 14.2),
    ("SUP-JADEPORT", "SUP-JADEPORT", "SUP-REDDELTA", 900_000, 22.0),
    ("SUP-JADEPORT", "SUP-JADEPORT", "SUP-KINABALU", 700_000, 3.1),
    ("SUP-LOTUSRIVER", "SUP-LOTUSRIVER", "SUP-SILVERBAY", 1_500_000, 13.9),
    ("SUP-LOTUSRIVER", "SUP-LOTUSRIVER", "SUP-VISAYAS", 3_000_000, 0.8),
    ("SUP-LOTUSRIVER", "SUP-LOTUSRIVER", "SUP-DECCAN", 450_000, 2.4),
    ("SUP-MERIDIAN", "SUP-MERIDIAN", "SUP-MORAVIA", 150_000, 17.5),
    ("SUP-MERIDIAN", "SUP-MERIDIAN", "SUP-KINABALU", 200_000, 3.0),
    ("SUP-CHAOPHRAYA", "SUP-CHAOPHRAYA", "SUP-KINABALU", 300_000, 2.9),
    ("SUP-SILVERBAY", "SUP-SILVERBAY", "SUP-TINFIELD", 800, 31_000.0),
    ("SUP-KINABALU", "SUP-KINABALU", "SUP-TINFIELD", 300, 30_500.0),
    ("SUP-KINABALU", "SUP-KINABALU", "SUP-GOLDENRIDGE", 40, 61_000.0),
    ("SUP-REDDELTA", "SUP-REDDELTA", "SUP-NILGIRI", 1_200, 9_000.0),
    ("SUP-DECCAN", "SUP-DECCAN", "SUP-NILGIRI", 600, 9_200.0),
    ("SUP-MORAVIA", "SUP-MORAVIA", "SUP-BOHEMIA", 50, 1_200.0),
]


def build_sample() -> Dataset:
    rng = random.Random(2026)
    ds = Dataset()
    src = SOURCE_SAMPLE
    categories(ds, OPERATOR)

    for oid, name, kind, country, consortia in ORGANISATIONS:
        ds.node(Label.ORGANISATION, id=oid, name=name, kind=kind, countryCode=country,
                **provenance(OPERATOR, _T0, src))
        for c in consortia:
            ds.rel(Label.ORGANISATION, oid, Rel.MEMBER_OF, Label.ORGANISATION, c)

    for bid, name, country, website in BRANDS:
        ds.node(Label.BRAND, id=bid, name=name, countryCode=country, website=website,
                **provenance(OPERATOR, _T0, src))
    supplier_names = {}
    for sid, name, country, roles, _, _ in SUPPLIERS:
        supplier_names[sid] = name
        ds.node(Label.SUPPLIER, id=sid, name=name, countryCode=country, roles=roles,
                identifiers=[f"LEI-{sid[4:]:X<18}"], **provenance(OPERATOR, _T0, src))
    for owner, customer, supplier, volume, price in SUPPLY_LINKS:
        start = Label.BRAND if customer.startswith("BRD-") else Label.SUPPLIER
        ds.rel(start, customer, Rel.SOURCES_FROM, Label.SUPPLIER, supplier,
               contributedBy=owner, volume=volume, unitPrice=price,
               createdAt="2025-01-06T09:00:00Z", source=src)

    # Sites: the story sites by hand, the rest shaped by the supplier's role.
    used: set[str] = set()
    story = _story_sites(rng, used)
    sites_by_supplier: dict[str, list[str]] = {}
    for operator, row in story:
        ds.node(Label.PRODUCTION_SITE, **row)
        sites_by_supplier.setdefault(operator, []).append(row["id"])
    from seeds.shapes import SITE_TYPES_BY_ROLE

    for sid, name, _, roles, n_sites, countries in SUPPLIERS:
        have = len(sites_by_supplier.get(sid, []))
        for i in range(have, n_sites):
            site_type = rng.choice(SITE_TYPES_BY_ROLE.get(roles[0], [SiteType.OTHER]))
            row = site_row(rng, country=countries[i % len(countries)], supplier_name=name,
                           site_type=site_type, owner=MONITOR_NGO if i % 3 else OPERATOR,
                           source=src, used_ids=used,
                           status="CLOSED" if i == 5 else "ACTIVE")
            ds.node(Label.PRODUCTION_SITE, **row)
            sites_by_supplier.setdefault(sid, []).append(row["id"])
    cpv_by_role = {"CONTRACT_MANUFACTURER": ["30213100-6", "30213300-8", "32250000-0"],
                   "COMPONENT_MAKER": ["30231300-0", "32420000-3"]}
    for sid, _, _, roles, _, _ in SUPPLIERS:
        for k, site in enumerate(sites_by_supplier.get(sid, [])):
            ds.rel(Label.SUPPLIER, sid, Rel.OPERATES, Label.PRODUCTION_SITE, site)
            for cpv in cpv_by_role.get(roles[0], [])[: 1 + k % 2]:
                ds.rel(Label.PRODUCTION_SITE, site, Rel.MAKES, Label.PRODUCT_CATEGORY, cpv)
    # Disclosed direct links brand -> site.
    for brand, supplier in (("BRD-CORVID", "SUP-JADEPORT"), ("BRD-NIMBUS", "SUP-LOTUSRIVER"),
                            ("BRD-HALDEN", "SUP-MERIDIAN"), ("BRD-AURALUX", "SUP-CHAOPHRAYA")):
        for site in sites_by_supplier[supplier][:3]:
            ds.rel(Label.BRAND, brand, Rel.PRODUCED_AT, Label.PRODUCTION_SITE, site)

    _contracts(ds, rng, sites_by_supplier)
    _disclosure_requests(ds)
    _story_reports(ds, rng)
    _more_reports(ds, rng, sites_by_supplier)
    return ds


def _story_sites(rng: random.Random, used: set[str]) -> list[tuple[str, dict[str, Any]]]:
    def fixed(row: dict[str, Any], site_id: str, **over: Any) -> dict[str, Any]:
        used.discard(row["id"])
        used.add(site_id)
        row.update(id=site_id, **over)
        return row

    src = SOURCE_SAMPLE
    kunshan = fixed(site_row(rng, country="CN", supplier_name="Jadeport", name=
                             "Jadeport Kunshan Campus 3", site_type=SiteType.ASSEMBLY,
                             owner=OPERATOR, source=src, used_ids=used, workers=18000),
                    SITE_KUNSHAN, city="Kunshan", region="Jiangsu",
                    address="88 Jinsha Road, Kunshan Economic and Technological Development Zone",
                    aliases=["Jadeport (Kunshan) Electronics", "JEM Kunshan Plant 3"],
                    aliasesText="Jadeport (Kunshan) Electronics | JEM Kunshan Plant 3")
    chongqing = fixed(site_row(rng, country="CN", supplier_name="Lotus River",
                               name="Lotus River Chongqing Assembly", site_type=SiteType.ASSEMBLY,
                               owner=OPERATOR, source=src, used_ids=used, workers=25000),
                      SITE_CHONGQING, city="Chongqing", region="Chongqing")
    guadalajara = fixed(site_row(rng, country="MX", supplier_name="Meridian",
                                 name="Meridian Guadalajara Plant", site_type=SiteType.ASSEMBLY,
                                 owner=OPERATOR, source=src, used_ids=used, workers=6000),
                        SITE_GUADALAJARA, city="Guadalajara", region="Jalisco")
    red_delta = fixed(site_row(rng, country="VN", supplier_name="Red Delta",
                               name="Red Delta Battery Plant Bac Ninh",
                               site_type=SiteType.COMPONENT, owner=MONITOR_NGO, source=src,
                               used_ids=used, workers=3000),
                      SITE_RED_DELTA, city="Bac Ninh", region="Bac Ninh")
    tinfield = fixed(site_row(rng, country="MY", supplier_name="Tinfield",
                              name="Tinfield Smelter Butterworth",
                              site_type=SiteType.SMELTER_REFINER, owner=MONITOR_WORKERS,
                              source=src, used_ids=used, workers=800),
                     SITE_TINFIELD, city="Penang", region="Pulau Pinang")
    nw_disclosed = fixed(site_row(rng, country="CN", supplier_name="Jadeport",
                                  name="Jadeport Zhengzhou Warehouse 2",
                                  site_type=SiteType.WAREHOUSE, owner=NW_HEALTH, source=
                                  "Contractor disclosure to Northwind Regional Health Trust",
                                  used_ids=used, sharing="CONSORTIUM", workers=400),
                         SITE_NW_PRIVATE_DISCLOSURE, city="Zhengzhou", region="Henan")
    lk_private = fixed(site_row(rng, country="IN", supplier_name="Deccan",
                                name="Deccan Precision Hosur Unit", site_type=SiteType.COMPONENT,
                                owner=LK_UNI, source="University of Lakeshore supplier visit",
                                used_ids=used, sharing="PRIVATE", workers=900),
                       SITE_LK_PRIVATE, city="Hosur", region="Tamil Nadu")
    return [("SUP-JADEPORT", kunshan), ("SUP-LOTUSRIVER", chongqing),
            ("SUP-MERIDIAN", guadalajara), ("SUP-REDDELTA", red_delta),
            ("SUP-TINFIELD", tinfield), ("SUP-JADEPORT", nw_disclosed),
            ("SUP-DECCAN", lk_private)]


def _contracts(ds: Dataset, rng: random.Random, sites: dict[str, list[str]]) -> None:
    src = SOURCE_SAMPLE
    # id, buyer, reference, title, cpv, brand, contractor, value, qty, sharing, start, sites
    rows = [
        (CONTRACT_NW_HEALTH_LAPTOPS, NW_HEALTH, "ocds-nw01-2025-0001",
         "Laptops for clinical staff 2025-2028", ["30213100-6"], "BRD-CORVID", "SUP-CIVITAS",
         4_200_000.0, 5000, "CONSORTIUM", date(2025, 3, 1),
         [SITE_KUNSHAN, SITE_NW_PRIVATE_DISCLOSURE]),
        (CONTRACT_NW_HEALTH_DESKTOPS, NW_HEALTH, "ocds-nw01-2025-0002",
         "Desktop refresh for administration", ["30213300-8"], "BRD-HALDEN", "SUP-CIVITAS",
         1_150_000.0, 1400, "PRIVATE", date(2025, 6, 1), [SITE_GUADALAJARA]),
        (CONTRACT_NW_CITY_PHONES, NW_CITY, "ocds-nw02-2025-0107",
         "Mobile telephones for city services", ["32250000-0"], "BRD-NIMBUS", "SUP-PUBLITECH",
         860_000.0, 3200, "CONSORTIUM", date(2025, 4, 15), [SITE_CHONGQING]),
        (CONTRACT_NW_MINISTRY_LAPTOPS, NW_MINISTRY, "ocds-nw03-2024-0042",
         "Classroom laptops framework", ["30213100-6"], "BRD-CORVID", "SUP-CIVITAS",
         9_800_000.0, 28000, "PUBLIC", date(2024, 9, 1), [SITE_KUNSHAN]),
        (CONTRACT_LK_UNI_SERVERS, LK_UNI, "ocds-lk01-2025-0011",
         "Research computing servers", ["48820000-2"], "BRD-HALDEN", "SUP-CIVITAS",
         2_400_000.0, 600, "CONSORTIUM", date(2025, 2, 1), [sites["SUP-LOTUSRIVER"][1]]),
        (CONTRACT_LK_TECH_DISPLAYS, LK_TECH, "ocds-lk02-2025-0019",
         "Display screens for teaching rooms", ["30231300-0"], "BRD-AURALUX", "SUP-PUBLITECH",
         540_000.0, 2100, "PRIVATE", date(2025, 5, 20), [sites["SUP-CHAOPHRAYA"][0]]),
        (CONTRACT_LK_COLLEGE_LAPTOPS, LK_COLLEGE, "ocds-lk03-2025-0003",
         "Student laptops", ["30213100-6"], "BRD-CORVID", "SUP-PUBLITECH",
         1_900_000.0, 3800, "CONSORTIUM", date(2025, 8, 1), [SITE_KUNSHAN]),
    ]
    for cid, buyer, ref, title, cpv, brand, contractor, value, qty, sharing, start, cs in rows:
        ds.node(Label.CONTRACT, **contract_row(
            rng, buyer=buyer, reference=ref, title=title, cpv=cpv, start=start,
            sharing=sharing, source=src, value=value, quantity=qty, contract_id=cid))
        ds.rel(Label.ORGANISATION, buyer, Rel.HOLDS, Label.CONTRACT, cid)
        ds.rel(Label.CONTRACT, cid, Rel.AWARDED_TO, Label.SUPPLIER, contractor)
        ds.rel(Label.CONTRACT, cid, Rel.COVERS, Label.BRAND, brand)
        for c in cpv:
            ds.rel(Label.CONTRACT, cid, Rel.COVERS, Label.PRODUCT_CATEGORY, c)
        for s in cs:
            ds.rel(Label.CONTRACT, cid, Rel.SOURCED_FROM, Label.PRODUCTION_SITE, s)


# The health trust's requests to Civitas, the contractor of both its contracts: one open
# (due 2027-03-31) and one past its due date, which reads OVERDUE (docs/disclosures.md).
REQUEST_NW_HEALTH_DESKTOPS = "DRQ-SAMPLE-NRHT-DESKTOPS"
REQUEST_NW_HEALTH_LAPTOPS = "DRQ-SAMPLE-NRHT-LAPTOPS"


def _disclosure_requests(ds: Dataset) -> None:
    ds.rel(Label.ORGANISATION, CIVITAS, Rel.REPRESENTS, Label.SUPPLIER, "SUP-CIVITAS",
           createdAt="2025-01-06T09:00:00Z", createdBy=OPERATOR)
    asked = datetime(2026, 11, 2, 10, 0, tzinfo=timezone.utc)
    for rid, contract, due, message in (
            (REQUEST_NW_HEALTH_DESKTOPS, CONTRACT_NW_HEALTH_DESKTOPS, "2027-03-31",
             "Please list the final assembly sites of the desktops."),
            (REQUEST_NW_HEALTH_LAPTOPS, CONTRACT_NW_HEALTH_LAPTOPS, "2026-11-30",
             "Please list every site assembling or packing the laptops.")):
        ds.node(Label.DISCLOSURE_REQUEST, id=rid, contractId=contract,
                supplierId="SUP-CIVITAS", message=message, dueDate=due, status="OPEN",
                requestedAt=asked.isoformat().replace("+00:00", "Z"),
                **provenance(NW_HEALTH, asked, SOURCE_SAMPLE, sharing="CONSORTIUM"))
        ds.rel(Label.ORGANISATION, NW_HEALTH, Rel.REQUESTED, Label.DISCLOSURE_REQUEST, rid,
               createdAt=asked.isoformat().replace("+00:00", "Z"))
        ds.rel(Label.DISCLOSURE_REQUEST, rid, Rel.CONCERNS, Label.CONTRACT, contract)
        ds.rel(Label.DISCLOSURE_REQUEST, rid, Rel.ADDRESSED_TO, Label.SUPPLIER, "SUP-CIVITAS")


def _story_reports(ds: Dataset, rng: random.Random) -> None:
    src = SOURCE_SAMPLE
    report_with_findings(
        ds, rng, site_id=SITE_KUNSHAN, author=AUDITOR, kind=ReportKind.SOCIAL_AUDIT,
        source="Veritas audit programme", visit=date(2026, 3, 10), findings=[],
        report_id=REPORT_CLEAN_AUDIT, title="Announced social audit, Kunshan Campus 3",
        summary="No non-conformances found in labour, health and safety or ethics.")
    report_with_findings(
        ds, rng, site_id=SITE_KUNSHAN, author=MONITOR_WORKERS,
        kind=ReportKind.WORKER_DRIVEN_MONITORING, source=src, visit=date(2026, 5, 20),
        findings=[(C.FORCED_LABOUR, Sv.CRITICAL, St.OPEN),
                  (C.WORKING_HOURS, Sv.HIGH, St.OPEN),
                  (C.RECRUITMENT_FEES, Sv.HIGH, St.OPEN)],
        report_id=REPORT_WORKER_MONITORING,
        title="Worker-driven monitoring, Kunshan Campus 3, May 2026",
        summary="Student interns and dispatch workers report retained identity documents "
                "and 72-hour weeks in peak season.",
        sensitive_notes="Testimony of 14 workers; two informants can be identified by line "
                        "and shift. Contact only through the monitor.",
        sensitive_readers=[NW_HEALTH])
    report_with_findings(
        ds, rng, site_id=SITE_RED_DELTA, author=MONITOR_NGO, kind=ReportKind.NGO_INVESTIGATION,
        source=src, visit=date(2025, 11, 4),
        findings=[(C.RECRUITMENT_FEES, Sv.HIGH, St.IN_REMEDIATION),
                  (C.WAGES, Sv.MEDIUM, St.OPEN)],
        sharing="RESTRICTED", shared_with=list(NORTHWIND_MEMBERS),
        report_id=REPORT_RED_DELTA_NGO, title="Recruitment fees at Red Delta, Bac Ninh",
        sensitive_notes="Agent names and fee receipts held by FCRC.",
        sensitive_readers=[NW_HEALTH, NW_CITY])
    report_with_findings(
        ds, rng, site_id=SITE_TINFIELD, author=MONITOR_WORKERS, kind=ReportKind.GRIEVANCE,
        source=src, visit=date(2026, 8, 2),
        findings=[(C.OCCUPATIONAL_SAFETY_AND_HEALTH, Sv.CRITICAL, St.OPEN)],
        report_id=REPORT_TINFIELD_GRIEVANCE, title="Furnace burns grievance, Tinfield smelter")
    report_with_findings(
        ds, rng, site_id=SITE_CHONGQING, author=AUDITOR, kind=ReportKind.SOCIAL_AUDIT,
        source="Veritas audit programme", visit=date(2025, 6, 18),
        findings=[(C.WORKING_HOURS, Sv.MEDIUM, St.REMEDIATED),
                  (C.OCCUPATIONAL_SAFETY_AND_HEALTH, Sv.LOW, St.REMEDIATED)])
    report_with_findings(
        ds, rng, site_id=SITE_CHONGQING, author=MONITOR_NGO, kind=ReportKind.MEDIA,
        source="Press summary by FCRC", visit=date(2025, 12, 1),
        findings=[(C.REGULAR_EMPLOYMENT, Sv.MEDIUM, St.DISPUTED)])
    report_with_findings(
        ds, rng, site_id=SITE_GUADALAJARA, author=LK_UNI, kind=ReportKind.SELF_ASSESSMENT,
        source="Supplier questionnaire via University of Lakeshore", visit=date(2025, 9, 9),
        findings=[], sharing="CONSORTIUM")
    report_with_findings(
        ds, rng, site_id=SITE_LK_PRIVATE, author=LK_UNI, kind=ReportKind.SOCIAL_AUDIT,
        source="University of Lakeshore commissioned audit", visit=date(2025, 10, 2),
        findings=[(C.DISCRIMINATION, Sv.HIGH, St.OPEN)], sharing="PRIVATE")


def _more_reports(ds: Dataset, rng: random.Random, sites: dict[str, list[str]]) -> None:
    authors = {
        ReportKind.SOCIAL_AUDIT: [AUDITOR],
        ReportKind.WORKER_DRIVEN_MONITORING: [MONITOR_WORKERS],
        ReportKind.NGO_INVESTIGATION: [MONITOR_NGO],
        ReportKind.GRIEVANCE: [MONITOR_WORKERS, MONITOR_NGO],
        ReportKind.SELF_ASSESSMENT: [NW_CITY, LK_TECH],
        ReportKind.MEDIA: [MONITOR_NGO],
    }
    story = {SITE_KUNSHAN, SITE_RED_DELTA, SITE_TINFIELD, SITE_CHONGQING, SITE_GUADALAJARA,
             SITE_NW_PRIVATE_DISCLOSURE, SITE_LK_PRIVATE}
    pool = sorted(s for group in sites.values() for s in group if s not in story)
    for site in rng.sample(pool, 55):
        kind = rng.choice(list(ReportKind))
        author = rng.choice(authors[kind])
        sharing = rng.choices(["PUBLIC", "CONSORTIUM", "RESTRICTED"], weights=[6, 2, 1])[0]
        shared_with = list(LAKESHORE_MEMBERS) if sharing == "RESTRICTED" else []
        visit = date(2024, 1, 1) + (date(2026, 10, 1) - date(2024, 1, 1)) * rng.random()
        report_with_findings(ds, rng, site_id=site, author=author, kind=kind,
                             source=SOURCE_SAMPLE, visit=visit,
                             findings=random_findings(rng, kind), sharing=sharing,
                             shared_with=shared_with)


async def load_sample(graph: Graph) -> dict[str, int]:
    ds = build_sample()
    await ds.load(graph)
    return {label.value: len(rows) for label, rows in ds.nodes.items()}
