"""Validation of contributed data and the field tables it is driven by, shared by every entry
point (the API, the importer, the CLI).

Input arrives as plain dicts with the GraphQL field names (camelCase); each checker returns
the cleaned properties for Neo4j and appends `FieldError`s with the input path. Nothing is
written when any error was found.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any

from graph.core.model import (
    CPV_CATEGORIES,
    ISO_COUNTRIES,
    Sharing,
)
from graph.core.errors import BAD_USER_INPUT, FieldError, WriteRejected
from graph.core.model import Label
from graph.core.visibility import Protected, Shape

Path = tuple[str | int, ...]
MAX_TEXT = 2000
MAX_LIST = 200


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

    def reject_if_errors(self) -> None:
        """Refuse the write (nothing is written) when any check failed."""
        if self.errors:
            raise WriteRejected(self.errors)

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




def drop_none(props: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in props.items() if v is not None}


# ----- field tables -----------------------------------------------------------------------------
# One table per entity (graph/<domain>/fields.py) says, per property: how input is validated,
# whether the GraphQL type reads it as a plain property, and which spreadsheet headers an
# import maps to it. The Shape (what reads project), the input checks and the import column
# map are all derived from it, so a new plain field is one row there.
TEXT, TEXTS, COUNTRY, ENUM, ENUMS, INT, NUMBER, DATE, TIMESTAMP, CPV = (
    "text", "texts", "country", "enum", "enums", "int", "number", "date", "timestamp", "cpv")

PROVENANCE = ("id", "sharing", "contributedBy", "createdAt", "updatedAt", "source")


@dataclass(frozen=True)
class Field:
    """One property of an entity."""

    name: str  # the Neo4j property and the GraphQL field (camelCase)
    kind: str = TEXT
    required: bool = False  # on create
    max_len: int = MAX_TEXT
    enum: type[Enum] | None = None
    minimum: float | None = 0
    maximum: float | None = None
    default: Any = None  # on create, when not given
    read: bool = True  # a plain property the GraphQL type reads
    write: bool = True  # accepted from input
    columns: tuple[str, ...] = ()  # import headers that map to it (normalised spelling)

    def clean(self, c: Checker, data: dict[str, Any], *, partial: bool) -> Any:
        required = self.required and not partial
        if self.kind == TEXT:
            return c.text(data, self.name, required=required, max_len=self.max_len)
        if self.kind == TEXTS:
            return c.texts(data, self.name)
        if self.kind == COUNTRY:
            return c.country(data, self.name, required=required)
        if self.kind == ENUM:
            assert self.enum is not None
            return c.enum(data, self.name, self.enum, required=required)
        if self.kind == ENUMS:
            assert self.enum is not None
            return c.enums(data, self.name, self.enum)
        if self.kind in (INT, NUMBER):
            return c.number(data, self.name, integer=self.kind == INT, minimum=self.minimum,
                            maximum=self.maximum)
        if self.kind == DATE:
            return c.date(data, self.name, required=required)
        if self.kind == TIMESTAMP:
            return c.timestamp(data, self.name)
        if self.kind == CPV:
            return c.cpv_codes(data, self.name)
        raise ValueError(f"unknown field kind {self.kind!r}")


@dataclass(frozen=True)
class FieldTable:
    label: Label
    fields: tuple[Field, ...]

    def validate(self, data: dict[str, Any], c: Checker, *, partial: bool = False,
                 ) -> dict[str, Any]:
        """The cleaned properties of the writable fields; on create (`partial` False) the
        defaults of those not given. None values are dropped."""
        props: dict[str, Any] = {}
        for f in self.fields:
            if not f.write:
                continue
            value = f.clean(c, data, partial=partial)
            if value is None and not partial:
                value = f.default
            props[f.name] = list(value) if isinstance(value, tuple) else value
        return drop_none(props)

    def plain(self) -> tuple[str, ...]:
        return (*PROVENANCE, *(f.name for f in self.fields if f.read))

    def shape(self, *, protected: tuple[Protected, ...] = (),
              computed: tuple[tuple[str, str], ...] = ()) -> Shape:
        secret = {p for pr in protected for p in pr.props}
        return Shape(self.label, tuple(p for p in self.plain() if p not in secret),
                     protected=protected, computed=computed)

    def columns(self) -> dict[str, tuple[str, ...]]:
        """Import header aliases by field, for the fields an import may fill."""
        return {f.name: f.columns for f in self.fields if f.columns}
