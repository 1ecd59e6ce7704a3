"""Brand and supplier fields: one table each for reads, input checks and imports."""

from __future__ import annotations

import re
from typing import Any

from graph.core.fields import COUNTRY, ENUMS, TEXTS, Checker, Field, FieldTable
from graph.core.model import Label, SupplierRole
from graph.core.visibility import Shape

_URL = re.compile(r"^https?://[^\s]{1,300}$")

BRAND_FIELDS = FieldTable(Label.BRAND, (
    Field("name", required=True, max_len=300),
    Field("countryCode", COUNTRY),
    Field("website", max_len=300),
))
SUPPLIER_FIELDS = FieldTable(Label.SUPPLIER, (
    Field("name", required=True, max_len=300),
    Field("countryCode", COUNTRY),
    Field("roles", ENUMS, enum=SupplierRole, default=()),
    Field("identifiers", TEXTS, default=()),
))

BRAND_SHAPE: Shape = BRAND_FIELDS.shape()
SUPPLIER_SHAPE: Shape = SUPPLIER_FIELDS.shape()


def brand_props(data: dict[str, Any], c: Checker) -> dict[str, Any]:
    props = BRAND_FIELDS.validate(data, c)
    if props.get("website") and not _URL.match(props["website"]):
        c.fail("website must be an http(s) URL", "website")
    return props


def supplier_props(data: dict[str, Any], c: Checker) -> dict[str, Any]:
    return SUPPLIER_FIELDS.validate(data, c)
