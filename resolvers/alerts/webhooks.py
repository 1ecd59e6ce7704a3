"""Resolvers of webhooks (graph/alerts/webhooks.py, docs/alerts.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graph.alerts import webhooks as w
from graph.core.ids import new_id
from graph.core.model import SEVERITY_RANK, FindingCategory, Severity
from graph.alerts.outbox import ALERT_MIN_RANK
from graph.core.errors import NOT_FOUND, WriteRejected
from graph.core import fields as v
from resolvers.core.mutations import Idempotency, Result, actor_of, run
from resolvers.core.mutations import graph_of as _graph

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction
    from strawberry.types import Info

    from resolvers.core.context import Context

MIN_SECRET, MAX_SECRET = 16, 256


async def register_webhook(info: Info[Context, Any], data: dict[str, Any], build: Any) -> Any:
    settings = info.context.settings

    async def work(idem: Idempotency) -> Result:
        c = v.Checker()
        url = c.text(data, "url", required=True, max_len=w.MAX_URL)
        if url is not None and (why := await w.check_url(url, settings)):
            c.fail(why, "url")
        secret = data.get("secret") or ""
        if not MIN_SECRET <= len(secret) <= MAX_SECRET:
            c.fail(f"secret must be {MIN_SECRET} to {MAX_SECRET} characters", "secret")
        flt = data.get("filter") or {}
        fc = v.Checker(("input", "filter"))
        severity = fc.enum(flt, "minSeverity", Severity) or Severity.HIGH.value
        rank = SEVERITY_RANK[Severity(severity)]
        if rank < ALERT_MIN_RANK:
            fc.fail("alerts are sent for HIGH and CRITICAL findings: minSeverity must be HIGH "
                    "or CRITICAL", "minSeverity")
        categories = fc.enums(flt, "categories", FindingCategory) or []
        c.errors += fc.errors
        if c.errors:
            raise WriteRejected(c.errors)
        actor = actor_of(info)
        params = {"id": new_id("WHK"), "url": url,
                  "secretEnc": w.encrypt_secret(secret, settings), "minSeverity": severity,
                  "minRank": rank, "categories": categories,
                  "onlyMyExposure": bool(flt.get("onlyMyExposure")), **actor.params()}

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            hid = await w.create_webhook(tx, params)
            result = {"id": hid}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    return await run(info, work, build)


async def delete_webhook(info: Info[Context, Any], webhook_id: str, build: Any) -> Any:
    async def work(idem: Idempotency) -> Result:
        actor = actor_of(info)

        async def tx_fn(tx: AsyncManagedTransaction) -> Result:
            if not await w.delete_webhook(tx, webhook_id=webhook_id, org=actor.org,
                                          now=actor.now):
                raise WriteRejected.one(NOT_FOUND, f"no webhook with id {webhook_id!r}",
                                        ["id"])
            result = {"id": webhook_id, "deleted": True}
            await idem.save(tx, result, actor.now)
            return result

        return await _graph(info).write(tx_fn)

    return await run(info, work, build)


async def webhooks(info: Info[Context, Any]) -> list[dict[str, Any]]:
    return await w.list_webhooks(info.context.graph, info.context.viewer.org_id)


async def deliveries(info: Info[Context, Any], webhook_id: str,
                     limit: int) -> list[dict[str, Any]]:
    return await w.deliveries(info.context.graph, webhook_id=webhook_id,
                              viewer=info.context.params, limit=limit)
