"""`setSharing`: one mutation for every kind of record (graph/core/sharing.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.core.fields import Checker
from graph.core.records import check_orgs
from graph.core.errors import WriteRejected
from graph.core.sharing import SHARING_SCOPE, set_sharing
from resolvers.core.mutations import Build, Idempotency, Result, actor_of, run, write

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction
    from strawberry.types import Info

    from resolvers.core.context import Context


async def set_record_sharing(info: Info[Context, Any], data: dict[str, Any],
                             build: Build) -> Any:
    async def work(idem: Idempotency) -> Result:
        c = Checker()
        sharing, shared_with = c.sharing(data)
        c.reject_if_errors()
        actor = actor_of(info)
        scopes = {sc.value for sc in info.context.viewer.scopes}
        allowed = {lbl: sc for lbl, sc in SHARING_SCOPE.items() if sc in scopes}

        async def body(tx: AsyncManagedTransaction) -> Result:
            await check_orgs(tx, actor, shared_with, ["input", "sharedWith"])
            try:
                await set_sharing(tx, str(data["id"]), sharing, shared_with, actor, allowed)
            except WriteRejected as exc:
                raise exc.under("input") from exc
            return {"id": str(data["id"]), "sharing": sharing}

        return await write(info, idem, actor, body)

    return await run(info, work, build)
