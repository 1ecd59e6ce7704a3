"""Strong site identifiers: Open Supply Hub OS ID, LEI, DUNS, RBA facility id and the
contributor's own factory code.

Stored as plain properties of the site (indexed, `ProductionSiteFilter.identifier` finds
them) and compared by matching (`SiteKey.idents`, "SCHEME:value"). The OS ID, a DUNS number
(one per business location), the RBA facility id and a supplier's factory code name one site
each; an LEI names a legal entity, which may run several.

Uniqueness is kept by matching among the sites the caller may see, not by a database
constraint: a constraint would refuse a write because of a site the writer may not see, and
so tell them it exists (docs/visibility.md). A row carrying the identifier of a visible site
is matched to it, or sent to review with the reason; it never creates a second holder
silently.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from graph.core.fields import Checker

# property -> matching scheme
SCHEMES: dict[str, str] = {"osId": "OSH", "lei": "LEI", "duns": "DUNS",
                           "rbaFacilityId": "RBA", "factoryCode": "CODE"}
_LEI = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")
_OS_ID = re.compile(r"^[A-Z]{2}[0-9]{7}[A-Z0-9]{6,8}$")


def clean_identifiers(props: dict[str, Any], c: Checker) -> None:
    """Identifiers in one spelling (upper case, no separators in DUNS), and the checks their
    schemes define (LEI: ISO 17442 shape; DUNS: nine digits; OS ID: country, year, day and
    a code, as OSH issues them)."""
    if props.get("osId"):
        props["osId"] = props["osId"].strip().upper()
        if not _OS_ID.match(props["osId"]):
            c.fail(f"{props['osId']!r} is not an Open Supply Hub OS ID (e.g. CN2019303BQ3FZP)",
                   "osId")
    if props.get("lei"):
        props["lei"] = props["lei"].replace(" ", "").upper()
        if not _LEI.match(props["lei"]):
            c.fail(f"{props['lei']!r} is not an LEI (20 letters and digits)", "lei")
    if props.get("duns"):
        props["duns"] = re.sub(r"[\s-]", "", props["duns"])
        if not (props["duns"].isdigit() and len(props["duns"]) == 9):
            c.fail(f"{props['duns']!r} is not a DUNS number (9 digits)", "duns")
    for key in ("rbaFacilityId", "factoryCode"):
        if props.get(key):
            props[key] = props[key].strip().upper()


def raw_values(data: Mapping[str, Any]) -> set[str]:
    """The identifier values of an unvalidated row, spelt as `clean_identifiers` spells
    them: what to look up before its rows are matched."""
    out = set()
    for key in SCHEMES:
        value = data.get(key)
        if value:
            text = str(value).strip().upper()
            out.add(re.sub(r"[\s-]", "", text) if key in ("duns", "lei") else text)
    return out


def idents(props: Mapping[str, Any], org: str | None) -> list[str]:
    """A site's identifiers as matching compares them; a factory code means something only
    with the organisation whose code it is."""
    out = []
    for key, scheme in SCHEMES.items():
        value = props.get(key)
        if not value:
            continue
        if scheme == "CODE":
            if not org:
                continue
            scheme = f"CODE:{org}"
        out.append(f"{scheme}:{value}")
    return out
