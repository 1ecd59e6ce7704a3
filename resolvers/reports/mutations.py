"""Report mutations over graph/reports/commands.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.core.fields import Checker
from graph.core.model import FindingStatus
from graph.reports import commands
from graph.reports.fields import remediation_props, report_input
from resolvers.core.mutations import Build, Idempotency, Result, actor_of, run, write

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction
    from strawberry.types import Info

    from resolvers.core.context import Context


async def submit_report(info: Info[Context, Any], data: dict[str, Any], build: Build) -> Any:
    async def work(idem: Idempotency) -> Result:
        c = Checker()
        report, findings = report_input(data, c)
        c.reject_if_errors()
        actor = actor_of(info, data.get("source"))

        async def body(tx: AsyncManagedTransaction) -> Result:
            rid, _ = await commands.submit_report(tx, actor, site_id=str(data["siteId"]),
                                                  report=report, findings=findings)
            return {"id": rid}

        return await write(info, idem, actor, body)

    return await run(info, work, build)


async def update_finding(info: Info[Context, Any], data: dict[str, Any], build: Build) -> Any:
    async def work(idem: Idempotency) -> Result:
        c = Checker()
        status = c.enum(data, "status", FindingStatus, required=True)
        note = c.text(data, "note")
        c.reject_if_errors()
        assert status is not None
        actor = actor_of(info)
        fid = str(data["id"])

        async def body(tx: AsyncManagedTransaction) -> Result:
            await commands.update_finding_status(tx, actor, fid, status=status, note=note)
            return {"id": fid}

        return await write(info, idem, actor, body)

    return await run(info, work, build)


async def add_remediation_action(info: Info[Context, Any], data: dict[str, Any],
                                 build: Build) -> Any:
    async def work(idem: Idempotency) -> Result:
        c = Checker()
        props = remediation_props(data, c)
        c.reject_if_errors()
        actor = actor_of(info, data.get("source"))

        async def body(tx: AsyncManagedTransaction) -> Result:
            return {"id": await commands.add_remediation_action(
                tx, actor, str(data["findingId"]), props)}

        return await write(info, idem, actor, body)

    return await run(info, work, build)
