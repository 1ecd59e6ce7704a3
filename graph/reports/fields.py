"""Report, finding and remediation fields: one table each for reads, input checks, imports.

A report's sensitive notes are Protected: readable by its author and the organisations it
names in `sensitiveReaders` (graph/core/visibility.py).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from graph.core.fields import (
    DATE,
    ENUM,
    MAX_TEXT,
    TEXTS,
    TIMESTAMP,
    Checker,
    Field,
    FieldTable,
)
from graph.core.model import (
    SEVERITY_RANK,
    FindingCategory,
    FindingStatus,
    Label,
    RemediationStatus,
    ReportKind,
    Severity,
)
from graph.core.visibility import Protected, Readable, Shape

SENSITIVE_NOTES = Protected(
    "sensitiveNotes", ("sensitiveNotes",), Readable.OWNER_OR_NAMED, named_by="sensitiveReaders",
    description="Sensitive material (worker testimony, informant details): readable by the "
                "report's author and the organisations it names; null with a FORBIDDEN "
                "error for everyone else.")

REPORT_FIELDS = FieldTable(Label.AUDIT_REPORT, (
    Field("kind", ENUM, enum=ReportKind, required=True),
    Field("title", required=True, max_len=500),
    Field("summary", max_len=10_000),
    Field("visitDate", DATE),
    Field("publishedAt", TIMESTAMP),
    Field("methodology", max_len=MAX_TEXT),
    Field("sensitiveNotes", max_len=10_000, read=False),  # Protected: SENSITIVE_NOTES
    Field("sensitiveReaders", TEXTS, default=(), read=False),
))
FINDING_FIELDS = FieldTable(Label.FINDING, (
    Field("category", ENUM, enum=FindingCategory, required=True),
    Field("severity", ENUM, enum=Severity, required=True),
    Field("status", ENUM, enum=FindingStatus, default=FindingStatus.OPEN.value),
    Field("description", max_len=MAX_TEXT),
    Field("dueDate", DATE),
    Field("schemeRating", max_len=100),
))
REMEDIATION_FIELDS = FieldTable(Label.REMEDIATION_ACTION, (
    Field("description", required=True, max_len=MAX_TEXT),
    Field("dueDate", DATE),
    Field("status", ENUM, enum=RemediationStatus, default=RemediationStatus.PLANNED.value),
    Field("evidence", max_len=MAX_TEXT),
))

REPORT_SHAPE: Shape = REPORT_FIELDS.shape(protected=(SENSITIVE_NOTES,))
FINDING_SHAPE: Shape = FINDING_FIELDS.shape()
REMEDIATION_SHAPE: Shape = REMEDIATION_FIELDS.shape()


def report_props(data: dict[str, Any], c: Checker) -> dict[str, Any]:
    props = REPORT_FIELDS.validate(data, c)
    visit = props.get("visitDate")
    if visit and visit > date.today().isoformat():
        c.fail("visitDate is in the future", "visitDate")
    return props


def finding_props(data: dict[str, Any], c: Checker) -> dict[str, Any]:
    props = FINDING_FIELDS.validate(data, c)
    if "severity" in props:
        props["severityRank"] = SEVERITY_RANK[Severity(props["severity"])]
    return props


def remediation_props(data: dict[str, Any], c: Checker) -> dict[str, Any]:
    return REMEDIATION_FIELDS.validate(data, c)


def report_input(data: dict[str, Any], c: Checker) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A submitted report (the fields of `submitReport`, from the API or an import file):
    its properties with its sharing, and its findings' properties."""
    props = report_props(data, c)
    sharing, shared_with = c.sharing(data)
    findings = []
    for i, f in enumerate(data.get("findings") or []):
        fc = Checker((*c.prefix, "findings", i))
        findings.append(finding_props(f if isinstance(f, dict) else {}, fc))
        c.errors += fc.errors
    return {**props, "sharing": sharing, "sharedWith": shared_with}, findings
