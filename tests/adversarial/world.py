"""A generated world for the adversarial suite, and an oracle of who may see what in it.

The world: two consortia; buyers in none, one or both of them; a monitor, an auditor and the
operator; sites, brands, suppliers, contracts, reports with findings and remediation, each
owned by a drawn organisation with a drawn sharing (PUBLIC, CONSORTIUM, RESTRICTED to drawn
organisations, PRIVATE); supply links (some through records a viewer cannot see), contract
values, unit prices and quantities, sensitive notes with drawn readers.

Every text value is a unique token (ten random letters) and every confidential number is
unique, so that finding one in an answer proves where it came from. The oracle below decides
visibility from the policy's words (docs/visibility.md), in Python, independently of the
Cypher it tests.
"""

from __future__ import annotations

import json
import random
import re
import string
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from graph.core.ids import new_id, new_site_id
from graph.core.model import SEVERITY_RANK, Label, Rel
from seeds.shapes import Dataset, iso

K1, K2 = "ORG-ADV-K1", "ORG-ADV-K2"
A, B, C, D, E = ("ORG-ADV-A", "ORG-ADV-B", "ORG-ADV-C", "ORG-ADV-D", "ORG-ADV-E")
MON, AUD, OPR = "ORG-ADV-MON", "ORG-ADV-AUD", "ORG-ADV-OPR"
ORGS: dict[str, tuple[str, tuple[str, ...]]] = {
    K1: ("CONSORTIUM", ()), K2: ("CONSORTIUM", ()),
    A: ("PUBLIC_BUYER", (K1,)), B: ("PUBLIC_BUYER", (K1,)), C: ("PUBLIC_BUYER", (K2,)),
    D: ("PUBLIC_BUYER", (K1, K2)), E: ("PUBLIC_BUYER", ()),
    MON: ("MONITOR", (K1,)), AUD: ("AUDITOR", ()), OPR: ("OPERATOR", ()),
}
MEMBERS = (A, B, C, D, E, MON, AUD)
# Who attacks: a member of one consortium, of the other, of both, of none, a monitor, the
# operator (acting as such).
ATTACKERS = (A, C, D, E, MON, OPR)
SHARINGS = ("PUBLIC", "CONSORTIUM", "RESTRICTED", "PRIVATE")
COMMON = ("Circuit", "Display", "Power", "Assembly")  # words many names share
T0 = datetime(2026, 6, 1, tzinfo=timezone.utc)
TEXT_FIELDS = {
    Label.PRODUCTION_SITE: ("name", "address", "city", "region"),
    Label.BRAND: ("name", "website"),
    Label.SUPPLIER: ("name",),
    Label.CONTRACT: ("reference", "title"),
    Label.AUDIT_REPORT: ("title", "summary", "methodology"),
    Label.FINDING: ("description", "schemeRating"),
    Label.REMEDIATION_ACTION: ("description", "evidence"),
}


@dataclass
class Rec:
    label: Label
    id: str
    owner: str
    sharing: str
    shared_with: tuple[str, ...]
    props: dict[str, Any]
    site: str | None = None  # for reports, findings and actions: the site they are about
    parent: str | None = None  # a finding's report, an action's finding


@dataclass
class World:
    rng: random.Random
    recs: dict[str, Rec] = field(default_factory=dict)
    # (start id, rel, end id, props): relationship rows
    links: list[tuple[str, Rel, str, dict[str, Any]]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)

    # ----- tokens ---------------------------------------------------------------------------
    def token(self) -> str:
        while True:
            t = "".join(self.rng.choice(string.ascii_lowercase) for _ in range(10))
            if t not in self.used:
                self.used.add(t)
                return t

    def number(self, base: int) -> int:
        while True:
            n = base + self.rng.randrange(10_000, 99_999) * 10 + 7
            if str(n) not in self.used:
                self.used.add(str(n))
                return n

    # ----- the oracle -----------------------------------------------------------------------
    @staticmethod
    def peers(org: str) -> set[str]:
        mine = set(ORGS[org][1]) | ({org} if ORGS[org][0] == "CONSORTIUM" else set())
        return {o for o, (_, ks) in ORGS.items() if set(ks) & mine} | mine | {org}

    def sees(self, viewer: str, rid: str) -> bool:
        r = self.recs[rid]
        own = (r.sharing == "PUBLIC" or r.owner == viewer
               or (r.sharing == "CONSORTIUM" and r.owner in self.peers(viewer))
               or (r.sharing == "RESTRICTED" and viewer in r.shared_with))
        if r.site is not None and r.site != rid:
            return own and self.sees(viewer, r.site)
        return own

    def hidden(self, viewer: str) -> list[Rec]:
        return [r for r in self.recs.values() if not self.sees(viewer, r.id)]

    def canaries(self, viewer: str) -> set[str]:
        """Every value `viewer` may not read: hidden records' ids and texts, protected
        values it may not read on records it may see, and supply-link figures (no reader)."""
        out: set[str] = set()
        for r in self.recs.values():
            if not self.sees(viewer, r.id):
                out.add(r.id)
                out.update(_tokens(r))
                out.update(_protected_values(r))
            elif r.label is Label.CONTRACT and r.owner != viewer:
                out.update(_protected_values(r))
            elif r.label is Label.AUDIT_REPORT and r.owner != viewer \
                    and viewer not in r.props["sensitiveReaders"]:
                out.update(_protected_values(r))
        for *_, props in self.links:
            out.update(str(v) for k, v in props.items() if k in ("volume", "unitPrice"))
        return out

    # ----- building -------------------------------------------------------------------------
    def draw_sharing(self) -> tuple[str, str, tuple[str, ...]]:
        owner = self.rng.choice(MEMBERS + (OPR,))
        sharing = self.rng.choice(SHARINGS)
        shared = tuple(sorted(self.rng.sample(MEMBERS, self.rng.randint(1, 2)))) \
            if sharing == "RESTRICTED" else ()
        return owner, sharing, shared

    def add(self, label: Label, rid: str, props: dict[str, Any], *, site: str | None = None,
            parent: str | None = None, owner: str | None = None,
            sharing: str | None = None) -> Rec:
        o, s, w = self.draw_sharing()
        rec = Rec(label, rid, owner or o, sharing or s, w if sharing is None else (), props,
                  site, parent)
        self.recs[rid] = rec
        return rec

    def link(self, start: str, rel: Rel, end: str, **props: Any) -> None:
        self.links.append((start, rel, end, props))

    def site(self, country: str = "VN", **over: Any) -> Rec:
        sid = new_site_id(country, T0.date(), self.rng)
        props = {"name": f"{self.token()} {self.rng.choice(COMMON)} Plant",
                 "address": f"{self.rng.randint(1, 99)} {self.token()} Road",
                 "city": self.token(), "region": self.token(), "countryCode": country,
                 "siteType": "ASSEMBLY", "status": "ACTIVE",
                 "workerCount": self.rng.choice([300, 800, 1500]), "aliases": [],
                 "aliasesText": ""}
        rec = self.add(Label.PRODUCTION_SITE, sid, props, **over)
        rec.site = sid
        return rec

    def report(self, site: str, **over: Any) -> Rec:
        rid = new_id("RPT", self.rng)
        readers = sorted(self.rng.sample(MEMBERS, self.rng.randint(0, 2)))
        props = {"kind": self.rng.choice(["SOCIAL_AUDIT", "WORKER_DRIVEN_MONITORING"]),
                 "title": self.token(), "summary": self.token(), "methodology": self.token(),
                 "visitDate": "2026-05-01", "publishedAt": "2026-05-20T00:00:00Z",
                 "sensitiveNotes": self.token(), "sensitiveReaders": readers}
        rep = self.add(Label.AUDIT_REPORT, rid, props, site=site, **over)
        for _ in range(self.rng.randint(1, 2)):
            sev = self.rng.choice(["LOW", "MEDIUM", "HIGH", "CRITICAL"])
            fid = new_id("FND", self.rng)
            # A finding is written with its report's owner and sharing, as submitReport does.
            fnd = self.add(Label.FINDING, fid, {
                "category": self.rng.choice(["FORCED_LABOUR", "WAGES", "WORKING_HOURS"]),
                "severity": sev, "severityRank": SEVERITY_RANK[sev], "status": "OPEN",
                "description": self.token(), "schemeRating": self.token(),
                "dueDate": "2026-09-01", "visitDate": "2026-05-01"},
                site=site, parent=rid, owner=rep.owner, sharing=rep.sharing)
            fnd.shared_with = rep.shared_with
            self.link(rid, Rel.HAS_FINDING, fid)
            if self.rng.random() < 0.5:
                aid = new_id("RMA", self.rng)
                act = self.add(Label.REMEDIATION_ACTION, aid, {
                    "description": self.token(), "evidence": self.token(),
                    "dueDate": "2026-10-01", "status": "IN_PROGRESS"},
                    site=site, parent=fid, owner=rep.owner, sharing=rep.sharing)
                act.shared_with = rep.shared_with
                self.link(fid, Rel.REMEDIATED_BY, aid)
        self.link(rid, Rel.ASSESSES, site)
        self.link(rep.owner, Rel.AUTHORED, rid)
        return rep

    def contract(self, brand: str | None, supplier: str | None, sites: list[str]) -> Rec:
        cid = new_id("CTR", self.rng)
        props = {"reference": self.token(), "title": self.token(), "startDate": "2026-01-01",
                 "endDate": "2028-12-31", "cpvCodes": ["30213100-6"],
                 "valueAmount": float(self.number(40_000_000)), "valueCurrency": "EUR",
                 "quantity": self.number(700_000),
                 "unitPrices": json.dumps([{"item": "30213100-6",
                                            "amount": float(self.number(9_000_000)),
                                            "currency": "EUR"}])}
        rec = self.add(Label.CONTRACT, cid, props)
        rec.owner = self.rng.choice((A, B, C, D, E))
        self.link(rec.owner, Rel.HOLDS, cid)
        if brand:
            self.link(cid, Rel.COVERS, brand)
        if supplier:
            self.link(cid, Rel.AWARDED_TO, supplier)
        for s in sites:
            self.link(cid, Rel.SOURCED_FROM, s)
        return rec

    def supply_link(self, start: str, end: str) -> None:
        self.link(start, Rel.SOURCES_FROM, end, contributedBy=self.rng.choice(MEMBERS),
                  volume=self.number(5_000_000), unitPrice=float(self.number(6_000_000)),
                  createdAt=iso(T0), source="adversarial world")

    # ----- loading --------------------------------------------------------------------------
    def dataset(self) -> Dataset:
        ds = Dataset()
        for oid, (kind, ks) in ORGS.items():
            ds.node(Label.ORGANISATION, id=oid, name=f"Org {oid[8:]}", kind=kind,
                    countryCode="GB", **_prov(OPR, "PUBLIC", ()))
            for k in ks:
                ds.rel(Label.ORGANISATION, oid, Rel.MEMBER_OF, Label.ORGANISATION, k)
        for r in self.recs.values():
            ds.node(r.label, id=r.id, **r.props, **_prov(r.owner, r.sharing, r.shared_with))
        for start, rel, end, props in self.links:
            ds.rel(self.label_of(start), start, rel, self.label_of(end), end, **props)
        return ds

    def label_of(self, rid: str) -> Label:
        return self.recs[rid].label if rid in self.recs else Label.ORGANISATION


_TOKEN = re.compile(r"[a-z]{10}")


def _tokens(r: Rec) -> set[str]:
    return {t for k in TEXT_FIELDS.get(r.label, ()) for t in _TOKEN.findall(str(r.props.get(k) or ""))}


def _prov(owner: str, sharing: str, shared: tuple[str, ...]) -> dict[str, Any]:
    return {"contributedBy": owner, "createdAt": iso(T0), "updatedAt": iso(T0),
            "source": "adversarial world", "sharing": sharing, "sharedWith": list(shared)}


def _protected_values(r: Rec) -> set[str]:
    if r.label is Label.CONTRACT:
        prices = json.loads(r.props["unitPrices"])
        return {str(int(r.props["valueAmount"])), str(r.props["quantity"]),
                *(str(int(p["amount"])) for p in prices)}
    if r.label is Label.AUDIT_REPORT and r.props.get("sensitiveNotes"):
        return {r.props["sensitiveNotes"]}
    return set()


def build(seed: int) -> World:
    """A world drawn from `seed`: 7 sites, 2 brands, 4 suppliers, 4 contracts, 5 reports."""
    w = World(random.Random(seed))
    sites = [w.site(w.rng.choice(["VN", "CN"])).id for _ in range(7)]
    brands = [w.add(Label.BRAND, new_id("BRD", w.rng), {
        "name": f"{w.token()} Devices", "countryCode": "GB",
        "website": f"https://{w.token()}.example"}).id for _ in range(2)]
    suppliers = [w.add(Label.SUPPLIER, new_id("SUP", w.rng), {
        "name": f"{w.token()} {w.rng.choice(COMMON)} Co", "countryCode": "VN",
        "roles": ["CONTRACT_MANUFACTURER"], "identifiers": []}).id for _ in range(4)]
    for b in brands:
        for s in w.rng.sample(suppliers, 2):
            w.supply_link(b, s)
        w.link(b, Rel.PRODUCED_AT, w.rng.choice(sites))
    for i, s in enumerate(suppliers):
        for t in suppliers[i + 1:]:
            if w.rng.random() < 0.4:
                w.supply_link(s, t)
        for site in w.rng.sample(sites, 2):
            w.link(s, Rel.OPERATES, site)
    for _ in range(4):
        w.contract(w.rng.choice(brands), w.rng.choice(suppliers), w.rng.sample(sites, 1))
    for _ in range(5):
        w.report(w.rng.choice(sites))
    return w


# ----- perturbations: changes to what one viewer may not read ------------------------------
@dataclass(frozen=True)
class Perturbation:
    kind: str  # rename, delete or add
    statements: tuple[tuple[str, dict[str, Any]], ...]
    touches_contracts: bool  # leverage counts include hidden contracts (banded): masked


_SET_TEXT = "MATCH (n {id: $id}) SET n += $props"
_DELETE = "MATCH (n {id: $id}) DETACH DELETE n"


def perturb(w: World, viewer: str, kind: str) -> Perturbation:
    """`rename`: every hidden text, and every protected value `viewer` may not read, changed;
    `delete`: every record hidden from `viewer` gone, with its links; `add`: hidden records
    added where they would tell most (a site sharing words with visible ones, a report with
    findings on every visible site, a supplier and a contract on the viewer's visible
    chain)."""
    out: list[tuple[str, dict[str, Any]]] = []
    contracts = False
    if kind == "rename":
        for r in w.hidden(viewer):
            props = {k: f"{w.token()} {w.rng.choice(COMMON)}" for k in TEXT_FIELDS[r.label]
                     if r.props.get(k)}
            props.update(_new_protected(w, r))
            out.append((_SET_TEXT, {"id": r.id, "props": props}))
            contracts |= r.label is Label.CONTRACT
        for r in w.recs.values():
            if w.sees(viewer, r.id) and _protected_values(r) and not _may_read(w, viewer, r):
                out.append((_SET_TEXT, {"id": r.id, "props": _new_protected(w, r)}))
        out.append(("MATCH ()-[l:SOURCES_FROM]->() SET l.volume = l.volume + 1000, "
                    "l.unitPrice = l.unitPrice + 1000.0", {}))
    elif kind == "delete":
        for r in w.hidden(viewer):
            out.append((_DELETE, {"id": r.id}))
            contracts |= r.label is Label.CONTRACT
    else:
        out.extend(_additions(w, viewer))
        contracts = True
    return Perturbation(kind, tuple(out), contracts)


def _may_read(w: World, viewer: str, r: Rec) -> bool:
    if r.label is Label.CONTRACT:
        return r.owner == viewer
    return r.owner == viewer or viewer in r.props.get("sensitiveReaders", ())


def _new_protected(w: World, r: Rec) -> dict[str, Any]:
    if r.label is Label.CONTRACT:
        return {"valueAmount": float(w.number(50_000_000)), "quantity": w.number(800_000),
                "unitPrices": json.dumps([{"item": "30213100-6",
                                           "amount": float(w.number(9_500_000)),
                                           "currency": "EUR"}])}
    if r.label is Label.AUDIT_REPORT:
        return {"sensitiveNotes": w.token()}
    return {}


def _stranger(viewer: str) -> str:
    # an owner whose PRIVATE records `viewer` never sees
    return next(o for o in (E, AUD, B, C) if o != viewer)


def _node(label: str, props: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return f"CREATE (n:{label}) SET n = $props", {"props": props}


def _rel(a: str, rel: str, b: str) -> tuple[str, dict[str, Any]]:
    return f"MATCH (a {{id: $a}}), (b {{id: $b}}) CREATE (a)-[:{rel}]->(b)", {"a": a, "b": b}


def _additions(w: World, viewer: str) -> list[tuple[str, dict[str, Any]]]:
    owner = _stranger(viewer)
    prov = _prov(owner, "PRIVATE", ())
    out: list[tuple[str, dict[str, Any]]] = []
    visible_sites = [r for r in w.recs.values()
                     if r.label is Label.PRODUCTION_SITE and w.sees(viewer, r.id)]
    for s in visible_sites:
        # a hidden twin sharing the visible site's words, for search and matching
        twin = {**s.props, "name": f"{s.props['name']} {s.props['name']}",
                "id": new_site_id(s.props["countryCode"], T0.date(), w.rng), **prov}
        out.append(_node("ProductionSite", twin))
        rid = new_id("RPT", w.rng)
        out.append(_node("AuditReport", {
            "id": rid, "kind": "SOCIAL_AUDIT", "title": w.token(), "summary": w.token(),
            "visitDate": "2026-05-02", **prov}))
        out.append(_rel(rid, "ASSESSES", s.id))
        fid = new_id("FND", w.rng)
        out.append(_node("Finding", {
            "id": fid, "category": "FORCED_LABOUR", "severity": "CRITICAL", "severityRank": 4,
            "status": "OPEN", "description": w.token(), **prov}))
        out.append(_rel(rid, "HAS_FINDING", fid))
    visible_parties = [r for r in w.recs.values() if r.label in (Label.BRAND, Label.SUPPLIER)
                       and w.sees(viewer, r.id)]
    for p in visible_parties:
        sup = new_id("SUP", w.rng)
        out.append(_node("Supplier", {
            "id": sup, "name": f"{w.token()} Co", "countryCode": "VN", **prov}))
        out.append(_rel(p.id, "SOURCES_FROM", sup))
        for s in visible_sites[:2]:
            out.append(_rel(sup, "OPERATES", s.id))
        cid = new_id("CTR", w.rng)
        out.append(_node("Contract", {
            "id": cid, "reference": w.token(), "title": w.token(),
            "valueAmount": float(w.number(60_000_000)), **prov}))
        out.append(_rel(owner, "HOLDS", cid))
        out.append(_rel(cid, "COVERS" if p.label is Label.BRAND else "AWARDED_TO", p.id))
    return out
