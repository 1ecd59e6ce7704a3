"""Validation of contributed data, shared by the mutations and the bulk import.

Input arrives as plain dicts with the GraphQL field names (camelCase); each checker returns
the cleaned properties for Neo4j and appends `FieldError`s with the input path. Nothing is
written when any error was found.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from graph.core.model import (
    CPV_CATEGORIES,
    SEVERITY_RANK,
    FindingCategory,
    FindingStatus,
    RemediationStatus,
    ReportKind,
    Severity,
    Sharing,
    SiteStatus,
    SiteType,
    SupplierRole,
)
from graph.core.records import BAD_USER_INPUT, FieldError
from schema.common import ISO_COUNTRIES

Path = tuple[str | int, ...]
MAX_TEXT = 2000
MAX_LIST = 200
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_URL = re.compile(r"^https?://[^\s]{1,300}$")


class Checker:
    """Collects errors while cleaning one input object."""

    def __init__(self, prefix: Sequence[str | int] = ("input",)) -> None:
        self.prefix = tuple(prefix)
        self.errors: list[FieldError] = []

    def fail(self, message: str, *path: str | int) -> None:
        self.errors.append(FieldError(BAD_USER_INPUT, message, (*self.prefix, *path)))

    @property
    def ok(self) -> bool:
        return not self.errors

    # ----- scalars -------------------------------------------------------------------------
    def text(self, data: dict[str, Any], key: str, *, required: bool = False,
             max_len: int = MAX_TEXT) -> str | None:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(f"{key} is required", key)
            return None
        if not isinstance(value, str):
            value = str(value)
        value = value.strip()
        if len(value) > max_len:
            self.fail(f"{key} is longer than {max_len} characters", key)
            return None
        return value

    def texts(self, data: dict[str, Any], key: str) -> list[str] | None:
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, str):
            value = [v for v in re.split(r"[;|]", value)]
        out = [str(v).strip() for v in value if str(v).strip()]
        if len(out) > MAX_LIST:
            self.fail(f"{key} has more than {MAX_LIST} entries", key)
            return None
        for i, v in enumerate(out):
            if len(v) > MAX_TEXT:
                self.fail(f"{key} entry is too long", key, i)
        return out

    def country(self, data: dict[str, Any], key: str = "countryCode", *,
                required: bool = False) -> str | None:
        value = self.text(data, key, required=required, max_len=10)
        if value is None:
            return None
        code = value.upper()
        if code not in ISO_COUNTRIES:
            self.fail(f"{value!r} is not an ISO 3166-1 alpha-2 country code", key)
            return None
        return code

    def date(self, data: dict[str, Any], key: str, *, required: bool = False) -> str | None:
        value = data.get(key)
        if isinstance(value, datetime):
            return value.date().isoformat()
        if isinstance(value, date):
            return value.isoformat()
        text = self.text(data, key, required=required, max_len=40)
        if text is None:
            return None
        try:
            parsed = date.fromisoformat(text[:10]) if len(text) >= 10 else None
        except ValueError:
            parsed = None
        if parsed is None or (len(text) > 10 and text[10] not in "T "):
            self.fail(f"{text!r} is not a date (YYYY-MM-DD)", key)
            return None
        if not 1900 <= parsed.year <= 2200:
            self.fail(f"{text!r} is not a plausible date", key)
            return None
        return parsed.isoformat()

    def timestamp(self, data: dict[str, Any], key: str) -> str | None:
        text = self.text(data, key, max_len=40)
        if text is None:
            return None
        try:
            value = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{text!r} is not an ISO 8601 timestamp", key)
            return None
        return value.isoformat().replace("+00:00", "Z")

    def number(self, data: dict[str, Any], key: str, *, integer: bool = False,
               minimum: float | None = 0, maximum: float | None = None) -> Any:
        value = data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            num = float(str(value).replace(",", "").strip()) if isinstance(value, str) \
                else float(value)
        except ValueError:
            self.fail(f"{key} must be a number", key)
            return None
        if num != num or num in (float("inf"), float("-inf")):
            self.fail(f"{key} must be a finite number", key)
            return None
        if integer and num != int(num):
            self.fail(f"{key} must be a whole number", key)
            return None
        if minimum is not None and num < minimum:
            self.fail(f"{key} must not be negative" if minimum == 0
                      else f"{key} must be at least {minimum}", key)
            return None
        if maximum is not None and num > maximum:
            self.fail(f"{key} must be at most {maximum}", key)
            return None
        return int(num) if integer else num

    def enum(self, data: dict[str, Any], key: str, kind: type[Enum], *,
             required: bool = False) -> str | None:
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.fail(f"{key} is required", key)
            return None
        text = str(getattr(value, "value", value)).strip().upper().replace(" ", "_")
        try:
            return str(kind(text).value)
        except ValueError:
            self.fail(f"{value!r} is not one of {', '.join(m.value for m in kind)}", key)  # type: ignore[attr-defined]
            return None

    def enums(self, data: dict[str, Any], key: str, kind: type[Enum]) -> list[str] | None:
        values = data.get(key)
        if values is None:
            return None
        if isinstance(values, str):
            values = [v for v in re.split(r"[;|,]", values) if v.strip()]
        out = []
        for i, v in enumerate(values):
            text = str(getattr(v, "value", v)).strip().upper().replace(" ", "_")
            try:
                out.append(str(kind(text).value))
            except ValueError:
                self.fail(f"{v!r} is not one of {', '.join(m.value for m in kind)}",  # type: ignore[attr-defined]
                          key, i)
        return out

    def cpv_codes(self, data: dict[str, Any], key: str) -> list[str] | None:
        values = self.texts(data, key)
        if values is None:
            return None
        out = []
        for i, v in enumerate(values):
            code = v.split()[0]
            if code not in CPV_CATEGORIES:
                self.fail(f"{v!r} is not a known CPV code (one of "
                          f"{', '.join(CPV_CATEGORIES)})", key, i)
            else:
                out.append(code)
        return out

    def sharing(self, data: dict[str, Any], default: str = Sharing.PUBLIC.value,
                ) -> tuple[str, list[str]]:
        sharing = self.enum(data, "sharing", Sharing) or default
        shared_with = self.texts(data, "sharedWith") or []
        if shared_with and sharing != Sharing.RESTRICTED.value:
            self.fail("sharedWith is only for RESTRICTED records", "sharedWith")
        return sharing, shared_with


def _drop_none(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None}


# ----- per record -----------------------------------------------------------------------------
def site_props(data: dict[str, Any], c: Checker, *, partial: bool = False) -> dict[str, Any]:
    """ProductionSite properties; `partial` for an update (only what is given)."""
    props: dict[str, Any] = {
        "name": c.text(data, "name", required=not partial, max_len=300),
        "address": c.text(data, "address", max_len=500),
        "city": c.text(data, "city", max_len=200),
        "region": c.text(data, "region", max_len=200),
        "countryCode": c.country(data, required=not partial),
        "siteType": c.enum(data, "siteType", SiteType),
        "status": c.enum(data, "status", SiteStatus),
        "workerCount": c.number(data, "workerCount", integer=True, maximum=2_000_000),
        "latitude": c.number(data, "latitude", minimum=-90, maximum=90),
        "longitude": c.number(data, "longitude", minimum=-180, maximum=180),
    }
    aliases = c.texts(data, "aliases")
    if aliases is not None:
        props["aliases"] = aliases
        props["aliasesText"] = " | ".join(aliases)
    if (props["latitude"] is None) != (props["longitude"] is None):
        c.fail("latitude and longitude go together", "latitude")
    if not partial:
        props.setdefault("status", None)
        props["status"] = props["status"] or SiteStatus.ACTIVE.value
        props.setdefault("aliases", [])
        props.setdefault("aliasesText", "")
    return _drop_none(props)


def brand_props(data: dict[str, Any], c: Checker) -> dict[str, Any]:
    website = c.text(data, "website", max_len=300)
    if website and not _URL.match(website):
        c.fail("website must be an http(s) URL", "website")
    return _drop_none({"name": c.text(data, "name", required=True, max_len=300),
                       "countryCode": c.country(data), "website": website})


def supplier_props(data: dict[str, Any], c: Checker) -> dict[str, Any]:
    return _drop_none({"name": c.text(data, "name", required=True, max_len=300),
                       "countryCode": c.country(data),
                       "roles": c.enums(data, "roles", SupplierRole) or [],
                       "identifiers": c.texts(data, "identifiers") or []})


def contract_props(data: dict[str, Any], c: Checker, *, partial: bool = False,
                   ) -> dict[str, Any]:
    props: dict[str, Any] = {
        "reference": c.text(data, "reference", required=not partial, max_len=200),
        "title": c.text(data, "title", max_len=500),
        "startDate": c.date(data, "startDate"),
        "endDate": c.date(data, "endDate"),
        "cpvCodes": c.cpv_codes(data, "cpvCodes"),
        "quantity": c.number(data, "quantity", integer=True),
    }
    value = data.get("value")
    if value is not None:
        vc = Checker((*c.prefix, "value"))
        props["valueAmount"] = vc.number(value, "amount")
        currency = vc.text(value, "currency", required=True, max_len=3)
        if currency and not _CURRENCY.match(currency.upper()):
            vc.fail(f"{currency!r} is not an ISO 4217 currency code", "currency")
        props["valueCurrency"] = currency.upper() if currency else None
        c.errors += vc.errors
    prices = data.get("unitPrices")
    if prices is not None:
        items = []
        for i, p in enumerate(prices):
            pc = Checker((*c.prefix, "unitPrices", i))
            items.append({"item": pc.text(p, "item", max_len=200),
                          "amount": pc.number(p, "amount"),
                          "currency": (pc.text(p, "currency", max_len=3) or "").upper() or None})
            c.errors += pc.errors
        props["unitPrices"] = json.dumps(items)
    start, end = props.get("startDate"), props.get("endDate")
    if start and end and end < start:
        c.fail("endDate is before startDate", "endDate")
    return _drop_none(props)


def finding_props(data: dict[str, Any], c: Checker) -> dict[str, Any]:
    severity = c.enum(data, "severity", Severity, required=True)
    return _drop_none({
        "category": c.enum(data, "category", FindingCategory, required=True),
        "severity": severity,
        "severityRank": SEVERITY_RANK[Severity(severity)] if severity else None,
        "status": c.enum(data, "status", FindingStatus) or FindingStatus.OPEN.value,
        "description": c.text(data, "description", max_len=MAX_TEXT),
        "dueDate": c.date(data, "dueDate"),
        "schemeRating": c.text(data, "schemeRating", max_len=100),
    })


def report_props(data: dict[str, Any], c: Checker) -> dict[str, Any]:
    props = _drop_none({
        "kind": c.enum(data, "kind", ReportKind, required=True),
        "title": c.text(data, "title", required=True, max_len=500),
        "summary": c.text(data, "summary", max_len=10_000),
        "visitDate": c.date(data, "visitDate"),
        "publishedAt": c.timestamp(data, "publishedAt"),
        "methodology": c.text(data, "methodology", max_len=MAX_TEXT),
        "sensitiveNotes": c.text(data, "sensitiveNotes", max_len=10_000),
        "sensitiveReaders": c.texts(data, "sensitiveReaders") or [],
    })
    visit = props.get("visitDate")
    if visit and visit > date.today().isoformat():
        c.fail("visitDate is in the future", "visitDate")
    return props


def remediation_props(data: dict[str, Any], c: Checker) -> dict[str, Any]:
    return _drop_none({
        "description": c.text(data, "description", required=True, max_len=MAX_TEXT),
        "dueDate": c.date(data, "dueDate"),
        "status": c.enum(data, "status", RemediationStatus) or RemediationStatus.PLANNED.value,
        "evidence": c.text(data, "evidence", max_len=MAX_TEXT),
    })
