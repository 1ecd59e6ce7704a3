"""`history` on sites, reports, findings and contracts: the record's versions, oldest first.

A version shows the record as it was after one write, with who wrote it (organisation and
OAuth client), when, from which source, and why (a note). The same visibility applies as
to the record: no history for a record the caller may not see, and protected fields
(contract value, sensitive notes) only for those who may read them on the record today.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import strawberry

from graph.core.history import history

if TYPE_CHECKING:
    from strawberry.types import Info

    from graph.core.visibility import Shape
    from resolvers.core.context import Context


def _meta(v: dict[str, Any]) -> dict[str, Any]:
    return {"number": v["number"], "change": v.get("change") or "UPDATE", "at": v.get("at"),
            "organisation_id": v.get("by"), "client_id": v.get("client"),
            "source": v.get("source"), "note": v.get("note")}


async def versions(info: Info[Context, Any], shape: Shape, record_id: str,
                   ) -> list[dict[str, Any]]:
    found = await history(info.context.graph, shape, [str(record_id)],
                          info.context.params)
    return found.get(str(record_id), [])


def _version_type(name: str, record: Any) -> Any:
    cls = type(name, (), {
        "__annotations__": {
            "number": int, "change": str, "at": str | None,
            "organisation_id": strawberry.ID | None, "client_id": str | None,
            "source": str | None, "note": str | None, "record": record,
        },
        "__doc__": "One version of a record: its state after one write.",
    })
    return strawberry.type(cls, description="One version of a record: its state after one "
                                            "write, who wrote it, when, from which source.")


def _types() -> dict[str, Any]:
    from schema.types import AuditReport, Contract, Finding, ProductionSite

    return {
        "ProductionSiteVersion": _version_type("ProductionSiteVersion", ProductionSite),
        "AuditReportVersion": _version_type("AuditReportVersion", AuditReport),
        "FindingVersion": _version_type("FindingVersion", Finding),
        "ContractVersion": _version_type("ContractVersion", Contract),
    }


_T = _types()
ProductionSiteVersion = _T["ProductionSiteVersion"]
AuditReportVersion = _T["AuditReportVersion"]
FindingVersion = _T["FindingVersion"]
ContractVersion = _T["ContractVersion"]


async def site_history(info: Info[Context, Any], record_id: str) -> list[Any]:
    from schema.types import SITE_SHAPE, ProductionSite

    return [ProductionSiteVersion(**_meta(v), record=ProductionSite.from_row(v["node"]))
            for v in await versions(info, SITE_SHAPE, record_id)]


async def report_history(info: Info[Context, Any], record_id: str) -> list[Any]:
    from schema.types import REPORT_SHAPE, AuditReport

    return [AuditReportVersion(**_meta(v), record=AuditReport.from_row(v["node"]))
            for v in await versions(info, REPORT_SHAPE, record_id)]


async def finding_history(info: Info[Context, Any], record_id: str) -> list[Any]:
    from schema.types import FINDING_SHAPE, Finding

    return [FindingVersion(**_meta(v), record=Finding.from_row(v["node"]))
            for v in await versions(info, FINDING_SHAPE, record_id)]


async def contract_history(info: Info[Context, Any], record_id: str) -> list[Any]:
    from schema.types import CONTRACT_SHAPE, Contract

    return [ContractVersion(**_meta(v), record=Contract.from_row(v["node"]))
            for v in await versions(info, CONTRACT_SHAPE, record_id)]
