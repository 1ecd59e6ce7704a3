"""The review queue's resolvers: `pendingMatches`, `confirmMatch`, `rejectMatch`
(graph/sites/pending.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.core.errors import BAD_USER_INPUT, WriteRejected
from graph.core.fields import Checker
from graph.sites import pending
from resolvers.core.mutations import Build, Idempotency, Result, actor_of, run, write

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction
    from strawberry.types import Info

    from resolvers.core.context import Context

MAX_PAGE = 500


async def pending_matches(info: Info[Context, Any], *, status: str | None, first: int,
                          offset: int) -> list[dict[str, Any]]:
    if not 0 < first <= MAX_PAGE or offset < 0:
        from graphql import GraphQLError

        raise GraphQLError(f"first must be 1-{MAX_PAGE} and offset at least 0",
                           extensions={"code": BAD_USER_INPUT})
    ctx = info.context
    return await pending.list_pending(ctx.graph, ctx.params, status=status, skip=offset,
                                      limit=first)


async def pending_by_id(info: Info[Context, Any], pid: str) -> dict[str, Any] | None:
    ctx = info.context
    rows = await pending.list_pending(ctx.graph, ctx.params, status=None, skip=0, limit=1,
                                      pid=pid)
    return rows[0] if rows else None


def _note(data: dict[str, Any]) -> str | None:
    c = Checker()
    note = c.text(data, "note", max_len=500)
    c.reject_if_errors()
    return note


async def confirm_match(info: Info[Context, Any], data: dict[str, Any], build: Build) -> Any:
    async def work(idem: Idempotency) -> Result:
        note = _note(data)
        if not data.get("siteId"):
            raise WriteRejected.one(BAD_USER_INPUT, "siteId is required", ["input", "siteId"])
        actor = actor_of(info)

        async def body(tx: AsyncManagedTransaction) -> Result:
            sid = await pending.confirm(tx, actor, str(data["pendingMatchId"]),
                                        str(data["siteId"]), note=note)
            return {"pendingMatchId": str(data["pendingMatchId"]), "siteId": sid}

        return await write(info, idem, actor, body)

    return await run(info, work, build)


async def reject_match(info: Info[Context, Any], data: dict[str, Any], build: Build) -> Any:
    async def work(idem: Idempotency) -> Result:
        note = _note(data)
        actor = actor_of(info)

        async def body(tx: AsyncManagedTransaction) -> Result:
            sid = await pending.reject(tx, actor, str(data["pendingMatchId"]), note=note)
            return {"pendingMatchId": str(data["pendingMatchId"]), "siteId": sid}

        return await write(info, idem, actor, body)

    return await run(info, work, build)
