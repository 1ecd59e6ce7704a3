"""Helpers for the alert and disclosure tests: settings that let webhooks reach 127.0.0.1, a
call helper taking those settings, and a real receiver (Starlette on uvicorn, on a free
127.0.0.1 port) that records every request and answers with the status codes it is told; and
`Hooks` (webhooks registered through the API) and `report` (a monitor's report with findings)."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from auth.viewer import Viewer
from graph.core.db import Graph
from resolvers.core.loaders import Loaders, RequestGraph
from resolvers.core.context import Context
from seeds import sample as s
from supplygraph.settings import Settings
from tests.support.oauth import free_port, serve_in_thread
from tests.support.reads import Answer, schema

_KEY = Fernet.generate_key().decode()

REGISTER = """
mutation($input: RegisterWebhookInput!) { registerWebhook(input: $input) {
  webhook { id url filter { minSeverity categories onlyMyExposure } createdAt }
  errors { code message path } } }"""
DELETE = """
mutation($id: ID!) { deleteWebhook(id: $id) { deleted errors { code message path } } }"""
SUBMIT = """
mutation($input: SubmitReportInput!) { submitReport(input: $input) {
  report { id findings { id severity } } errors { code message path } } }"""


def alert_settings(tmp: Path, **over: Any) -> Settings:
    values: dict[str, Any] = {
        "data_dir": tmp, "webhook_allow_hosts": ["127.0.0.1"],
        "webhook_secret_key": _KEY, "webhook_backoff_seconds": 0.01,
        "webhook_backoff_max_seconds": 0.05, "webhook_timeout_seconds": 5.0,
        "webhook_max_attempts": 4, **over}
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


async def call_with(graph: Graph, viewer: Viewer, settings: Settings, query: str,
                    variables: dict[str, Any] | None = None) -> Answer:
    runner = RequestGraph(graph)
    ctx = Context(viewer=viewer, graph=runner, loaders=Loaders(runner, viewer.cypher_params()),
                  settings=settings, request_id="test")
    result = await schema().execute(query, variables, ctx)
    return Answer(result.data, [e.formatted for e in result.errors or []], runner.round_trips)


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    requests: list[Received] = field(default_factory=list)
    # Status codes to answer with, in order; 200 once they run out.
    script: list[int] = field(default_factory=list)


@contextlib.contextmanager
def receiver(script: list[int] | None = None) -> Iterator[Receiver]:
    rec = Receiver(url="", script=list(script or []))

    async def hook(request: Request) -> PlainTextResponse:
        rec.requests.append(Received({k.lower(): v for k, v in request.headers.items()},
                                     await request.body()))
        code = rec.script.pop(0) if rec.script else 200
        return PlainTextResponse("ok" if code < 300 else "no", status_code=code)

    app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    port = free_port()
    with serve_in_thread(app, port) as base:
        rec.url = f"{base}/hook"
        yield rec


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class Hooks:
    """Registers webhooks through the API and deletes them when the test ends."""

    def __init__(self, graph: Graph, settings: Settings) -> None:
        self.graph, self.settings = graph, settings
        self.created: list[tuple[Viewer, str]] = []

    async def register(self, viewer: Viewer, url: str, secret: str,
                       **flt: Any) -> dict[str, Any]:
        answer = await call_with(self.graph, viewer, self.settings, REGISTER,
                                 {"input": {"url": url, "secret": secret, "filter": flt}})
        assert not answer.errors, answer.errors
        payload = answer.data["registerWebhook"]
        if payload["webhook"]:
            self.created.append((viewer, payload["webhook"]["id"]))
        return payload


async def report(graph: Graph, viewer: Viewer, settings: Settings, *findings: tuple[str, str],
                 sharing: str = "PUBLIC", shared_with: list[str] | None = None,
                 site: str = s.SITE_KUNSHAN) -> dict[str, Any]:
    answer = await call_with(graph, viewer, settings, SUBMIT, {"input": {
        "siteId": site, "kind": "WORKER_DRIVEN_MONITORING", "title": "Alert test visit",
        "sharing": sharing, "sharedWith": shared_with or [],
        "findings": [{"category": c, "severity": sev, "description": f"{c} at {sev}"}
                     for c, sev in findings]}})
    assert not answer.errors, answer.errors
    payload = answer.data["submitReport"]
    assert payload["errors"] == [], payload["errors"]
    return payload["report"] or {}


async def cancel_pending(graph: Graph) -> None:
    """Entries left by other tests must not be delivered by this test's workers."""
    await graph.query("MATCH (e:OutboxEntry {status: 'PENDING'}) SET e.status = 'CANCELLED'",
                      write=True)
