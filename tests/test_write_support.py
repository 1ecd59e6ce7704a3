"""Helpers for the write tests: actors with write scopes, and running a mutation as one of
them (optionally with an Idempotency-Key)."""

from __future__ import annotations

from typing import Any

from auth.scopes import Scope
from auth.viewer import Viewer
from graph.db import Graph
from graph.loaders import Loaders, RequestGraph
from schema.context import Context
from supplygraph.settings import Settings
from tests.test_read_support import PEERS, Answer, schema

ALL = frozenset({Scope.SITES_READ, Scope.REPORTS_READ, Scope.CONTRACTS_READ,
                 Scope.SITES_WRITE, Scope.REPORTS_WRITE, Scope.CONTRACTS_WRITE})


async def writer(graph: Graph, org: str, scopes: frozenset[Scope] = ALL,
                 kind: str = "PUBLIC_BUYER", client: str | None = None) -> Viewer:
    rows = await graph.query(PEERS, {"org": org})
    return Viewer(org_id=org, client_id=client or f"test-{org}", scopes=scopes, org_kind=kind,
                  peers=frozenset(rows[0]["peers"]) | {org})


async def call(graph: Graph, viewer: Viewer, query: str, variables: dict[str, Any] | None = None,
               *, key: str | None = None) -> Answer:
    runner = RequestGraph(graph)
    ctx = Context(viewer=viewer, graph=runner, loaders=Loaders(runner, viewer.cypher_params()),
                  settings=Settings(_env_file=None),  # type: ignore[call-arg]
                  request_id="test", extra={"idempotency_key": key} if key else {})
    result = await schema().execute(query, variables, ctx)
    return Answer(result.data, [e.formatted for e in result.errors or []], runner.round_trips)


def codes(payload: dict[str, Any]) -> list[str]:
    return [e["code"] for e in payload["errors"]]
