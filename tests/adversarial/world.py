"""A generated world for the adversarial suite, and an oracle of who may see what in it.

The world: two consortia; buyers in none, one or both of them; a monitor, an auditor, the
operator and a supplier's representative; sites, brands, suppliers, contracts, reports with
findings and remediation, each owned by a drawn organisation with a drawn sharing (PUBLIC,
CONSORTIUM, RESTRICTED to drawn organisations, PRIVATE); supply links (some through records a
viewer cannot see), contract values, unit prices and quantities, sensitive notes with drawn
readers; a site merged into another (as the operator merges them); a webhook per member with
deliveries for every alerting finding (pending, delivered, dropped); disclosure requests on
contracts, open and declined; an import run per member, its rows naming sites it may or may
not see.

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
from datetime import datetime, timedelta, timezone
from typing import Any

from graph.core.ids import new_id, new_site_id
from graph.core.model import SEVERITY_RANK, Label, Rel
from seeds.shapes import Dataset, iso

K1, K2 = "ORG-ADV-K1", "ORG-ADV-K2"
A, B, C, D, E = ("ORG-ADV-A", "ORG-ADV-B", "ORG-ADV-C", "ORG-ADV-D", "ORG-ADV-E")
MON, AUD, OPR = "ORG-ADV-MON", "ORG-ADV-AUD", "ORG-ADV-OPR"
S = "ORG-ADV-S"  # a supplier's compliance contact: REPRESENTS one supplier
ORGS: dict[str, tuple[str, tuple[str, ...]]] = {
    K1: ("CONSORTIUM", ()), K2: ("CONSORTIUM", ()),
    A: ("PUBLIC_BUYER", (K1,)), B: ("PUBLIC_BUYER", (K1,)), C: ("PUBLIC_BUYER", (K2,)),
    D: ("PUBLIC_BUYER", (K1, K2)), E: ("PUBLIC_BUYER", ()),
    MON: ("MONITOR", (K1,)), AUD: ("AUDITOR", ()), OPR: ("OPERATOR", ()),
    S: ("SUPPLIER", ()),
}
MEMBERS = (A, B, C, D, E, MON, AUD)
# Who attacks: a member of one consortium, of the other, of both, of none, a monitor, the
# operator (acting as such), a supplier's representative.
ATTACKERS = (A, C, D, E, MON, OPR, S)
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
class Side:
    """A record outside the graph model's labels: a webhook, a delivery, a disclosure
    request, a pending match or an import run."""
    kind: str  # WEBHOOK, DELIVERY, REQUEST, PENDING or RUN
    id: str
    owner: str
    props: dict[str, Any]
    ref: str | None = None  # a delivery's finding, a request's contract
    hook: str | None = None  # a delivery's webhook
    supplier: str | None = None  # a request's addressee

    def texts(self) -> set[str]:
        out = {t for k in ("url", "message", "declineReason", "dropReason", "createdAt")
               if self.props.get(k) for t in [str(self.props[k])]}
        if self.kind == "PENDING":
            out |= set(_TOKEN.findall(f"{self.props['name']} {self.props['site']} "
                                      f"{self.props['source']}"))
        if self.kind == "RUN":  # the file's name, the rows' names and messages (not the
            # candidates': those are sites' names, told wherever the site is visible)
            rows = [r for b in json.loads(self.props["_batches"]) for r in b]
            out |= set(_TOKEN.findall(" ".join([self.props["file"], *(
                f"{r['name']} {' '.join(r['errors'])}" for r in rows)])))
        return out


@dataclass
class World:
    rng: random.Random
    recs: dict[str, Rec] = field(default_factory=dict)
    # (start id, rel, end id, props): relationship rows
    links: list[tuple[str, Rel, str, dict[str, Any]]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    sides: dict[str, Side] = field(default_factory=dict)
    merging: dict[str, str] = field(default_factory=dict)  # duplicate -> site to keep
    merged: dict[str, str] = field(default_factory=dict)  # those the service merged
    represented: str = ""  # the supplier S represents

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

    def knows(self, rid: str) -> bool:
        return rid in self.recs or rid in self.sides

    def sees(self, viewer: str, rid: str) -> bool:
        if rid in self.sides:
            return self._sees_side(viewer, self.sides[rid])
        r = self.recs[rid]
        own = (r.sharing == "PUBLIC" or r.owner == viewer
               or (r.sharing == "CONSORTIUM" and r.owner in self.peers(viewer))
               or (r.sharing == "RESTRICTED" and viewer in r.shared_with))
        if r.site is not None and r.site != rid:
            return own and self.sees(viewer, r.site)
        return own

    def _sees_side(self, viewer: str, x: Side) -> bool:
        if x.kind == "WEBHOOK":
            return x.owner == viewer
        if x.kind == "PENDING":
            return x.owner == viewer or viewer == OPR
        if x.kind == "RUN":  # the organisation's alone, the operator's too
            return x.owner == viewer
        if x.kind == "DELIVERY":
            assert x.hook and x.ref
            return self.sides[x.hook].owner == viewer and self.sees(viewer, x.ref)
        assert x.ref
        # a request: the requesting side's consortium where it may see the contract too,
        # and the organisations representing the addressed supplier
        return ((x.owner in self.peers(viewer) and self.sees(viewer, x.ref))
                or (viewer == S and x.supplier == self.represented))

    def hidden(self, viewer: str) -> list[Rec]:
        return [r for r in self.recs.values() if not self.sees(viewer, r.id)]

    def hidden_sides(self, viewer: str) -> list[Side]:
        return [x for x in self.sides.values() if not self.sees(viewer, x.id)]

    def told(self, viewer: str) -> set[str]:
        """Ids told by design: a request addressed to the supplier a representative speaks
        for names its contract and that supplier (docs/disclosure.md)."""
        if viewer != S:
            return set()
        return {v for x in self.sides.values() if x.kind == "REQUEST"
                and x.supplier == self.represented for v in (x.ref, x.supplier) if v}

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
        for x in self.hidden_sides(viewer):
            out.add(x.id)
            out.update(x.texts())
        return out - self.told(viewer)

    # ----- building -------------------------------------------------------------------------
    def draw_sharing(self) -> tuple[str, str, tuple[str, ...]]:
        owner = self.rng.choice(MEMBERS + (OPR,))
        sharing = self.rng.choice(SHARINGS)
        shared = tuple(sorted(self.rng.sample(MEMBERS, self.rng.randint(1, 2)))) \
            if sharing == "RESTRICTED" else ()
        return owner, sharing, shared

    def when(self) -> str:
        """A time no other value has: deliveries and requests are ordered by theirs."""
        while True:
            t = iso(T0 + timedelta(seconds=self.rng.randrange(60, 40_000_000)))
            if t not in self.used:
                self.used.add(t)
                return t

    def webhook(self, owner: str) -> Side:
        x = Side("WEBHOOK", new_id("WHK", self.rng), owner, {
            "url": f"https://{self.token()}.example/hook", "secretEnc": "unused",
            "minSeverity": "HIGH", "minRank": 3, "categories": [], "onlyMyExposure": False,
            "active": True, "createdAt": self.when(), "updatedAt": iso(T0)})
        self.sides[x.id] = x
        return x

    def delivery(self, hook: Side, finding: str, status: str | None = None, *,
                 register: bool = True) -> Side:
        """An outbox entry as graph/alerts/outbox.py writes it."""
        status = status or self.rng.choice(["PENDING", "DELIVERED", "DROPPED"])
        props: dict[str, Any] = {
            "event": "finding.created", "status": status, "createdAt": self.when(),
            "attempts": 0 if status == "PENDING" else 1, "leaseUntil": 0, "nextAttemptAt": 0,
            "payload": json.dumps({"event": "finding.created", "findingId": finding})}
        if status == "DROPPED":
            props["dropReason"] = self.token()
        x = Side("DELIVERY", "DLV-" + self.token(), hook.owner, props, ref=finding,
                 hook=hook.id)
        if register:
            self.sides[x.id] = x
        return x

    def request(self, contract: str, owner: str, supplier: str, *,
                register: bool = True) -> Side:
        """A disclosure request as graph/disclosures/requests.py writes it (CONSORTIUM)."""
        t = self.when()
        props: dict[str, Any] = {"message": self.token(), "dueDate": "2027-09-01",
                                 "status": "OPEN", "requestedAt": t, "updatedAt": t,
                                 "createdAt": t}
        if self.rng.random() < 0.3:
            props.update(status="DECLINED", declinedAt=t, declineReason=self.token(),
                         answeredBy=S)
        x = Side("REQUEST", new_id("DRQ", self.rng), owner, props, ref=contract,
                 supplier=supplier)
        if register:
            self.sides[x.id] = x
        return x

    def pending(self, owner: str, candidates: list[str], *, register: bool = True) -> Side:
        """A pending match as graph/sites/pending.py keeps it: a submitted site, its
        candidates (which the owner may no longer see), and for a decided one the site."""
        t = self.when()
        name = f"{self.token()} {self.rng.choice(COMMON)} Plant"
        site = {"name": name, "countryCode": "VN", "address": f"5 {self.token()} Road"}
        cands = [{"id": c, "name": self.recs[c].props["name"], "score": 75.0,
                  "parts": {"name": 80.0, "address": 100.0, "distanceM": None,
                            "identifiers": "NONE", "reasons": ["names differ"]}}
                 for c in candidates]
        props: dict[str, Any] = {
            "id": "PM-" + self.token().upper(), "status": "PENDING", "name": name,
            "countryCode": "VN", "site": json.dumps(site), "links": "{}",
            "candidates": json.dumps(cands), "candidateIds": candidates, "row": 2,
            "source": f"import of {self.token()}.csv", "createdAt": t, "sharing": "PRIVATE",
            "sharedWith": []}
        if candidates and self.rng.random() < 0.4:
            props.update(status="CONFIRMED", siteId=candidates[0], decidedAt=t,
                         decidedBy=owner)
        x = Side("PENDING", props.pop("id"), owner, props)
        if register:
            self.sides[x.id] = x
        return x

    def import_run(self, owner: str, sites: list[str], *, register: bool = True) -> Side:
        """An import run as graph/imports/runs.py and batches.py keep it, in two batches: a
        created row and a matched one naming `sites` (which the owner may no longer see), a
        row needing confirmation with them as candidates, and a refused row."""
        key = f"sites:{owner}:2:{self.token()}"
        cands = [{"id": c, "name": self.recs[c].props["name"], "score": 75.0,
                  "parts": {"name": 80.0, "address": None, "distanceM": None,
                            "identifiers": "NONE", "reasons": [self.token()]}}
                 for c in sites]
        rows = [
            {"row": 2, "outcome": "CREATED", "id": sites[0], "name": f"{self.token()} Plant",
             "candidates": [], "errors": [], "pendingMatchId": None},
            {"row": 3, "outcome": "MATCHED", "id": sites[-1], "name": f"{self.token()} Co",
             "candidates": cands[-1:], "errors": [], "pendingMatchId": None},
            {"row": 4, "outcome": "NEEDS_CONFIRMATION", "id": None,
             "name": f"{self.token()} {self.rng.choice(COMMON)} Works", "candidates": cands,
             "errors": [], "pendingMatchId": "PM-" + self.token().upper()},
            {"row": 5, "outcome": "REJECTED", "id": None, "name": f"{self.token()} Plant",
             "candidates": [], "errors": [f"countryCode: {self.token()}"],
             "pendingMatchId": None}]
        t = self.when()
        props: dict[str, Any] = {
            "createdBy": "USR-" + self.token().upper(), "file": f"{self.token()}.csv",
            "run": key, "state": "DONE", "total": 4, "done": 4, "createdAt": t,
            "finishedAt": t, "error": None,
            "header": json.dumps({"mapped": {self.token(): "name"}, "unknown": [self.token()]}),
            "summary": json.dumps({"rows": 4, "created": 1, "matched": 1, "updated": 0,
                                   "needsConfirmation": 1, "rejected": 1}),
            "_batches": json.dumps([rows[:2], rows[2:]])}
        x = Side("RUN", "imp_" + self.token(), owner, props)
        if register:
            self.sides[x.id] = x
        return x

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
                 "aliasesText": "",
                 # around Bac Ninh, two decimals: one cell of the map at low zooms, apart
                 # at high ones (Dataset writes lat/lon as the point `location`)
                 "lat": 21.0 + self.rng.randint(0, 40) / 100,
                 "lon": 105.9 + self.rng.randint(0, 40) / 100}
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

    def merge_publishes_nothing(self, dup: str, keep: str) -> bool:
        """Everyone who may see the kept site may see the duplicate (whose names and id
        a merge puts there)."""
        return all(self.sees(v, dup) for v in ORGS if self.sees(v, keep))

    def apply_merge(self, dup: str, keep: str) -> None:
        """What a merge moves: reports (with their findings and actions) on the duplicate
        are on the kept site, and seen where it is."""
        self.merged[dup] = keep
        for r in self.recs.values():
            if r.site == dup and r.id != dup:
                r.site = keep

    def statements(self) -> list[tuple[str, dict[str, Any]]]:
        """What Dataset has no label for, written as the service writes it: representation,
        webhooks, outbox entries, disclosure requests (graph/alerts, graph/disclosures)."""
        out: list[tuple[str, dict[str, Any]]] = [
            ("MATCH (o:Organisation {id: $o}), (s:Supplier {id: $s}) "
             "CREATE (o)-[:REPRESENTS]->(s)", {"o": S, "s": self.represented})]
        for x in self.sides.values():
            out.extend(side_statements(x))
        return out

    def label_of(self, rid: str) -> Label:
        return self.recs[rid].label if rid in self.recs else Label.ORGANISATION


_TOKEN = re.compile(r"[a-z]{10}")


def _tokens(r: Rec) -> set[str]:
    return {t for k in TEXT_FIELDS.get(r.label, ())
            for t in _TOKEN.findall(str(r.props.get(k) or ""))}


def side_statements(x: Side) -> list[tuple[str, dict[str, Any]]]:
    if x.kind == "WEBHOOK":
        return [("CREATE (w:Webhook) SET w = $props",
                 {"props": {"id": x.id, "contributedBy": x.owner, **x.props}})]
    if x.kind == "PENDING":
        return [("CREATE (p:PendingMatch) SET p = $props",
                 {"props": {"id": x.id, "contributedBy": x.owner, **x.props}})]
    if x.kind == "RUN":
        run = {k: v for k, v in x.props.items() if not k.startswith("_")}
        out = [("CREATE (r:ImportRun) SET r = $props",
                {"props": {"id": x.id, "contributedBy": x.owner, **run}})]
        for number, rows in enumerate(json.loads(x.props["_batches"])):
            out.append(("CREATE (b:ImportBatch) SET b = $props", {"props": {
                "key": f"{run['run']}:{number}", "run": run["run"], "number": number,
                "results": json.dumps(rows), "outcomes": [r["outcome"] for r in rows],
                "org": x.owner, "createdAt": run["createdAt"]}}))
        return out
    if x.kind == "DELIVERY":
        return [("CREATE (e:OutboxEntry) SET e = $props",
                 {"props": {"id": x.id, "webhookId": x.hook, "owner": x.owner,
                            "subjectId": x.ref, **x.props}})]
    return [("MATCH (c:Contract {id: $c}), (s:Supplier {id: $s}), (o:Organisation {id: $o}) "
             "CREATE (r:DisclosureRequest) SET r = $props "
             "CREATE (o)-[:REQUESTED {createdAt: $props.createdAt}]->(r) "
             "CREATE (r)-[:CONCERNS]->(c) CREATE (r)-[:ADDRESSED_TO]->(s)",
             {"c": x.ref, "s": x.supplier, "o": x.owner,
              "props": {"id": x.id, "contractId": x.ref, "supplierId": x.supplier,
                        **_prov(x.owner, "CONSORTIUM", ()), **x.props}})]


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
    # An eighth: a duplicate of the seventh, which the operator merges into it once loaded
    # (the suite holds the merge to publishing nothing: merge_publishes_nothing)
    keep = w.recs[sites[-1]]
    dup = w.site(keep.props["countryCode"])
    draw = w.rng.random()
    if draw < 1 / 3:
        dup.sharing, dup.shared_with = "PUBLIC", ()
    elif draw < 2 / 3:
        dup.owner, dup.sharing, dup.shared_with = keep.owner, keep.sharing, keep.shared_with
    w.merging[dup.id] = keep.id
    sites.append(dup.id)
    brands = [w.add(Label.BRAND, new_id("BRD", w.rng), {
        "name": f"{w.token()} Devices", "countryCode": "GB",
        "website": f"https://{w.token()}.example"}).id for _ in range(2)]
    suppliers = [w.add(Label.SUPPLIER, new_id("SUP", w.rng), {
        "name": f"{w.token()} {w.rng.choice(COMMON)} Co", "countryCode": "VN",
        "roles": ["CONTRACT_MANUFACTURER"], "identifiers": []}).id for _ in range(4)]
    # S represents the first supplier; its name is public, as a representative's client is
    w.represented = suppliers[0]
    w.recs[suppliers[0]].sharing, w.recs[suppliers[0]].shared_with = "PUBLIC", ()
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
    for i in range(4):
        sup = suppliers[0] if i == 0 else w.rng.choice(suppliers)
        c = w.contract(w.rng.choice(brands), sup, w.rng.sample(sites, 1))
        if w.rng.random() < 0.75:
            w.request(c.id, c.owner, sup)
    for _ in range(5):
        w.report(w.rng.choice(sites))
    for m in (*MEMBERS, OPR):
        # each with candidates drawn from every site, seen by the member or not
        w.pending(m, w.rng.sample(sites, 2))
    hooks = [w.webhook(m) for m in MEMBERS]
    for f in [r for r in w.recs.values() if r.label is Label.FINDING]:
        if f.props["severityRank"] >= 3:
            for h in hooks:
                w.delivery(h, f.id)
    # drawn last, so that the rest of the world is the one drawn before runs were in it
    for m in (*MEMBERS, OPR):
        w.import_run(m, w.rng.sample(sites, 2))
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
    """`rename`: every hidden text, and every protected value `viewer` may not read, changed
    (no count moves, so leverage is compared too); `delete`: every record hidden from `viewer`
    gone, with its links; `unlink`: the same but hidden contracts kept, so that leverage,
    which counts hidden contracts banded, must not move when only the hidden suppliers,
    brands, sites and links between them go; `add`: hidden records
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
        for r in w.recs.values():
            if w.sees(viewer, r.id) and _protected_values(r) and not _may_read(w, viewer, r):
                out.append((_SET_TEXT, {"id": r.id, "props": _new_protected(w, r)}))
        out.append(("MATCH ()-[l:SOURCES_FROM]->() SET l.volume = l.volume + 1000, "
                    "l.unitPrice = l.unitPrice + 1000.0", {}))
        for x in w.hidden_sides(viewer):
            props = {k: w.token() for k in ("message", "declineReason", "dropReason")
                     if x.props.get(k)}
            if "url" in x.props:
                props["url"] = f"https://{w.token()}.example/hook"
            if x.kind == "PENDING":
                props.update(name=f"{w.token()} Plant", source=f"import of {w.token()}.csv",
                             site=json.dumps({"address": f"5 {w.token()} Road"}))
            if x.kind == "RUN":
                props.update(file=f"{w.token()}.csv")
            t = w.when()  # a hidden delivery or request moves in time: no order may change
            props.update({k: t for k in ("createdAt", "requestedAt") if k in x.props})
            out.append((_SET_TEXT, {"id": x.id, "props": props}))
    elif kind in ("delete", "unlink"):
        for r in w.hidden(viewer):
            if kind == "unlink" and r.label is Label.CONTRACT:
                continue  # the chains behind the contracts go; the contracts stay
            out.append((_DELETE, {"id": r.id}))
            contracts |= r.label is Label.CONTRACT
        for x in w.hidden_sides(viewer):
            out.append((_DELETE, {"id": x.id}))
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
    if "lat" in props:  # a site's coordinates: the point `location`, as the service writes it
        props = dict(props)
        at = {"lat": props.pop("lat"), "lon": props.pop("lon")}
        return (f"CREATE (n:{label}) SET n = $props, "
                "n.location = point({latitude: $lat, longitude: $lon})", {"props": props, **at})
    return f"CREATE (n:{label}) SET n = $props", {"props": props}


def _rel(a: str, rel: str, b: str) -> tuple[str, dict[str, Any]]:
    return f"MATCH (a {{id: $a}}), (b {{id: $b}}) CREATE (a)-[:{rel}]->(b)", {"a": a, "b": b}


def _additions(w: World, viewer: str) -> list[tuple[str, dict[str, Any]]]:
    owner = _stranger(viewer)
    prov = _prov(owner, "PRIVATE", ())
    out: list[tuple[str, dict[str, Any]]] = []
    visible_sites = [r for r in w.recs.values() if r.label is Label.PRODUCTION_SITE
                     and w.sees(viewer, r.id) and r.id not in w.merged]
    hook = next((x for x in w.sides.values() if x.kind == "WEBHOOK" and x.owner == viewer),
                None)
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
        if hook is not None:  # an alert on the viewer's own webhook for a finding it may not read
            out.extend(side_statements(w.delivery(hook, fid, "PENDING", register=False)))
            out.extend(side_statements(w.delivery(hook, fid, "DROPPED", register=False)))
    # a stranger's pending matches, with the viewer's visible sites as candidates
    cands = [s.id for s in visible_sites][:3]
    out.extend(side_statements(w.pending(owner, cands, register=False)))
    # a stranger's import run, its rows naming the viewer's visible sites
    if cands:
        out.extend(side_statements(w.import_run(owner, cands, register=False)))
    # disclosure requests: a stranger's on every contract the viewer sees, the viewer's own
    # on every contract it does not; never to the supplier a representative speaks for
    awarded = {a: b for a, rel, b, _ in w.links if rel is Rel.AWARDED_TO}
    others = [r.id for r in w.recs.values()
              if r.label is Label.SUPPLIER and r.id != w.represented]
    for c in [r for r in w.recs.values() if r.label is Label.CONTRACT]:
        sup = awarded[c.id] if awarded[c.id] != w.represented or viewer != S else others[0]
        by = owner if w.sees(viewer, c.id) else viewer
        out.extend(side_statements(w.request(c.id, by, sup, register=False)))
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
