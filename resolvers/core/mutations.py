"""The one mutation pattern: validate, write in one managed transaction, answer with a payload.

A mutation resolver is `work(idem) -> Result`: it validates its input with the domain's field
table (graph/<domain>/fields.py), calls the domain's command (graph/<domain>/commands.py)
inside `graph.write`, saves its Idempotency-Key in the same transaction, and returns a
JSON-able result (ids written, outcome) or raises `WriteRejected`. The schema passes `build`,
which turns a result into the GraphQL payload by reading the records back through the
request's loaders (so the caller's visibility applies). `run` wraps both with the
Idempotency-Key: a stored result is built again without writing; a key reused with another
body is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from graphql import print_ast
from neo4j.exceptions import ConstraintError

from graph.core import idempotency as idem_store
from graph.core.errors import BAD_USER_INPUT, FieldError, WriteRejected
from graph.core.records import Actor

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction
    from strawberry.types import Info

    from graph.core.db import RequestGraph
    from graph.core.nodes import Prefetch
    from graph.core.visibility import Shape
    from resolvers.core.context import Context

IDEMPOTENCY_HEADER = "Idempotency-Key"
MAX_KEY = 255
Result = dict[str, Any]
Work = Callable[["Idempotency"], Awaitable[Result]]
Build = Callable[[Any, Result], Awaitable[Any]]


def actor_of(info: Info[Context, Any], source: str | None = None) -> Actor:
    viewer = info.context.viewer
    return Actor(org=viewer.org_id, client=viewer.client_id, peers=tuple(viewer.peers),
                 operator=viewer.is_operator,
                 source=source or f"supplygraph API (client {viewer.client_id})")


def graph_of(info: Info[Context, Any]) -> RequestGraph:
    """The request's graph: its writes and reads carry the request's bookmarks."""
    return info.context.graph


def errors_result(errors: list[FieldError]) -> Result:
    return {"errors": [{"code": e.code, "message": e.message, "path": [str(p) for p in e.path]}
                       for e in errors]}


class Idempotency:
    """The request's Idempotency-Key for one mutation field, if it sent one."""

    def __init__(self, key: str | None, body_hash: str, client: str,
                 too_long: bool = False) -> None:
        self.key, self.body_hash, self.client = key, body_hash, client
        self.too_long = too_long

    async def save(self, tx: AsyncManagedTransaction, result: Result, now: str) -> None:
        if self.key:
            await idem_store.remember(tx, self.key, self.body_hash, result, client=self.client,
                                      now=now)


def _idempotency(info: Info[Context, Any]) -> Idempotency:
    request = info.context.request
    key = request.headers.get(IDEMPOTENCY_HEADER) if request is not None else None
    key = key or info.context.extra.get("idempotency_key")
    if key and len(key) > MAX_KEY:
        return Idempotency(None, "", "", too_long=True)
    client = info.context.viewer.client_id
    if not key:  # nothing to store or compare: the body is not printed and hashed
        return Idempotency(None, "", client)
    body = json.dumps([print_ast(info.operation), info.variable_values],
                      sort_keys=True, default=str)
    body_hash = hashlib.sha256(body.encode()).hexdigest()
    return Idempotency(idem_store.scoped_key(client, key, str(info.path.key)), body_hash,
                       client)


async def run(info: Info[Context, Any], work: Work, build: Build) -> Any:
    idem = _idempotency(info)
    if idem.too_long:
        return await build(info, errors_result([FieldError(
            BAD_USER_INPUT, f"the Idempotency-Key is longer than {MAX_KEY} characters", ())]))
    if idem.key:
        stored = await idem_store.lookup(graph_of(info), idem.key)
        if stored is not None:
            return await build(info, _replay(idem, stored))
    try:
        result = await work(idem)
    except WriteRejected as exc:
        result = errors_result(exc.errors)
    except ConstraintError:
        # The same key committed by a concurrent request: answer as it did. Otherwise a
        # concurrent write took a unique value first (a version number): nothing was
        # written, and trying again will do.
        stored = await idem_store.lookup(graph_of(info), idem.key) if idem.key else None
        result = _replay(idem, stored) if stored is not None else errors_result([FieldError(
            "CONFLICT", "a concurrent change to the same record won; nothing was written, "
                        "try again", ())])
    info.context.loaders.clear_all()
    return await build(info, result)


async def write(info: Info[Context, Any], idem: Idempotency, actor: Actor,
                body: Callable[[AsyncManagedTransaction], Awaitable[Result]]) -> Result:
    """`body` in one write transaction, with the Idempotency-Key saved beside its result."""
    async def tx_fn(tx: AsyncManagedTransaction) -> Result:
        result = await body(tx)
        await idem.save(tx, result, actor.now)
        return result

    return await graph_of(info).write(tx_fn)


def _replay(idem: Idempotency, stored: tuple[str, Result]) -> Result:
    body_hash, result = stored
    if body_hash != idem.body_hash:
        return errors_result([FieldError(
            "IDEMPOTENCY_KEY_REUSED", "this Idempotency-Key was used with a different request "
                                      "body; use a new key for a new request", ())])
    return {**result, "replayed": True}


async def load(info: Info[Context, Any], shape: Shape, record_id: str | None,
               parts: tuple[Prefetch, ...] = ()) -> Any:
    """The record a mutation wrote, read back as the caller may see it; with `parts`, what
    its selected fields will read comes in the same round trip (loaders.node_with)."""
    if not record_id:
        return None
    loaders = info.context.loaders
    return await (loaders.node_with(shape, parts) if parts else loaders.node(shape)
                  ).load(record_id)
