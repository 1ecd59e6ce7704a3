"""Resolvers of disclosure requests, supplier representation and accountability
(graph/disclosures/requests.py, docs/disclosures.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from strawberry.dataloader import DataLoader

from graph.disclosures import requests as d
from graph.core.errors import WriteRejected
from graph.core import fields as v
from resolvers.core.mutations import Idempotency, Result, actor_of, run
from resolvers.core.mutations import graph_of as _graph

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction
    from strawberry.types import Info

    from resolvers.core.context import Context


async def request_disclosure(info: Info[Context, Any], data: dict[str, Any],
                             build: Any) -> Any:
    async def work(idem: Idempotency) -> Result:
        c = v.Checker()
        due = c.date(data, "dueDate", required=True)
        message = c.text(data, "message", max_len=v.MAX_TEXT)
        if due is not None and (why := d.check_due_date(due, d.today_utc())):
            c.fail(why, "dueDate")
        if c.errors:
            raise WriteRejected(c.errors)
        assert due is not None
        actor = actor_of(info)

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            rid = await d.request_disclosure(tx, actor, contract_id=str(data["contractId"]),
                                             due_date=due, message=message)
            result = {"id": rid}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    return await run(info, work, build)


async def decline_disclosure(info: Info[Context, Any], data: dict[str, Any],
                             build: Any) -> Any:
    async def work(idem: Idempotency) -> Result:
        c = v.Checker()
        reason = c.text(data, "reason", required=True, max_len=v.MAX_TEXT)
        if c.errors:
            raise WriteRejected(c.errors)
        assert reason is not None
        actor = actor_of(info)

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            await d.decline_disclosure(tx, actor, request_id=str(data["requestId"]),
                                       reason=reason)
            result = {"id": str(data["requestId"])}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    return await run(info, work, build)


async def set_representation(info: Info[Context, Any], data: dict[str, Any],
                             build: Any) -> Any:
    async def work(idem: Idempotency) -> Result:
        actor = actor_of(info)

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            await d.set_representation(tx, actor, org_id=str(data["organisationId"]),
                                       supplier_id=str(data["supplierId"]),
                                       remove=bool(data.get("remove")))
            result = {"organisationId": str(data["organisationId"]),
                      "supplierId": str(data["supplierId"]),
                      "represents": not data.get("remove")}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    return await run(info, work, build)


async def request_by_id(info: Info[Context, Any], request_id: str) -> dict[str, Any] | None:
    rows = await d.list_requests(info.context.graph, info.context.params,
                                 request_id=request_id)
    return rows[0] if rows else None


async def list_requests(info: Info[Context, Any], *, contract_id: str | None,
                        supplier_id: str | None, status: list[str] | None,
                        ) -> list[dict[str, Any]]:
    return await d.list_requests(info.context.graph, info.context.params,
                                 contract_id=contract_id, supplier_id=supplier_id,
                                 status=status)


async def represented(info: Info[Context, Any]) -> list[str]:
    rows = await info.context.graph.query(d.REPRESENTED, {"org": info.context.viewer.org_id},
                                          name="represented_suppliers")
    return [r["id"] for r in rows]


def accountability_loader(info: Info[Context, Any]) -> DataLoader[str, dict[str, Any]]:
    """One per request: every Supplier.accountability of a response in one query."""
    extra = info.context.extra
    if "accountability" not in extra:
        graph, params = info.context.graph, info.context.params

        async def load(ids: list[str]) -> list[dict[str, Any]]:
            return await d.accountability(graph, params, list(ids))

        extra["accountability"] = DataLoader(load_fn=load)
    loader: DataLoader[str, dict[str, Any]] = extra["accountability"]
    return loader

