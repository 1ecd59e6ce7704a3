"""The ASGI application: routes, middleware and the lifespan that owns the driver.

Path of a request: HTTP (Starlette) -> auth (bearer token -> Viewer) -> schema/resolvers
(strawberry) -> graph (named Cypher) -> Neo4j. See docs/architecture.md.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from graph.core.db import Graph
from graph.core.transactions import GraphUnavailable
from graph.core.migrate import is_migrated
from supplygraph.http.adaptive_limit import AdaptiveLimit, process_share
from supplygraph.http.admission import Admission, request_id_of
from supplygraph.settings import Settings, get_settings


async def healthz(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> JSONResponse:
    """Ready when Neo4j answers and is migrated. With the circuit open this answers 503 at
    once without touching the driver (the background probe is what notices Neo4j's return);
    otherwise it waits at most `ready_wait_seconds` (1 s) for the answer."""
    graph: Graph = request.app.state.graph
    if not graph.circuit.admit():
        return _not_ready(request, "unreachable", graph)
    try:
        async with asyncio.timeout(request.app.state.settings.ready_wait_seconds):
            migrated = await is_migrated(graph)
    except TimeoutError:
        # Not a reason to open the circuit: the server may be there and slow.
        return _not_ready(request, "no answer in time", graph)
    except (GraphUnavailable, Exception):  # noqa: BLE001 - any failure means not ready
        return _not_ready(request, "unreachable", graph)
    if not migrated:
        return _not_ready(request, "not migrated", graph)
    return JSONResponse({"ready": True})


def _not_ready(request: Request, why: str, graph: Graph) -> JSONResponse:
    return JSONResponse({"ready": False, "neo4j": why, "circuit": graph.circuit.state.value,
                         "code": "SERVICE_UNAVAILABLE",
                         "requestId": request_id_of(request.scope)},
                        status_code=503, headers={"Retry-After": "1"})


def create_app(settings: Settings | None = None, graph: Graph | None = None) -> Starlette:
    settings = settings or get_settings()
    if settings.debug_memory_dir is not None:
        from supplygraph import memdebug

        memdebug.install(settings.debug_memory_dir, settings.debug_tracemalloc_frames)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        own = graph is None
        app.state.graph = graph or Graph.from_settings(settings)
        worker_task = None
        if settings.run_worker_in_serve:
            # The alert outbox's worker (docs/alerts.md); leases make several processes safe.
            from supplygraph.worker import Worker

            worker = Worker(app.state.graph, settings)
            worker_task = asyncio.create_task(worker.run(), name="alert-worker")
        sweeper_task = None
        if settings.web_purge_minutes > 0:
            # Expired web sessions and setup links (supplygraph/housekeeping.py).
            from supplygraph.housekeeping import Sweeper

            sweeper = Sweeper(app.state.graph, settings)
            sweeper_task = asyncio.create_task(sweeper.run(), name="session-sweeper")
        try:
            yield
        finally:
            if sweeper_task is not None:
                sweeper.stop.set()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(sweeper_task, timeout=10)
            if worker_task is not None:
                worker.stop.set()
                # An unfinished delivery keeps its lease and is delivered again elsewhere.
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(worker_task,
                                           timeout=settings.webhook_timeout_seconds + 5)
            if own:
                await app.state.graph.close()

    from auth.routes import install_auth, oauth_routes
    from supplygraph.http.graphql import graphql_routes
    from supplygraph.web import web_routes
    from supplygraph.web.pages import not_found_page
    from supplygraph.web.queries import PageQueries

    routes = [
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *oauth_routes(),
        *graphql_routes(settings),
        # The web app for people (docs/ui.md), after the API's paths.
        *web_routes(),
    ]
    # An unknown path answers the web app's "not found" page (a browser's address bar is
    # where a mistyped or another organisation's record id comes from).
    app = Starlette(routes=routes, lifespan=lifespan,
                    exception_handlers={404: not_found_page})
    app.state.settings = settings
    app.state.page_queries = PageQueries(settings)
    if graph is not None:
        # Usable without the lifespan (httpx.ASGITransport does not run it).
        app.state.graph = graph
    install_auth(app, settings)
    # Added last, so outermost: its request id and its bound cover the auth middleware too.
    app.add_middleware(Admission, limit=admission_limit(settings))
    return app


def admission_limit(settings: Settings) -> AdaptiveLimit:
    """This process's bound on requests in flight: its share of the host's `max_in_flight`,
    adapted to how long requests take (docs/operations.md, "Load, limits and timeouts")."""
    return AdaptiveLimit(ceiling=process_share(settings.max_in_flight, settings.workers),
                         floor=settings.admission_min_in_flight,
                         target=settings.admission_target_seconds)


def create_app_from_env() -> Starlette:
    """The app built from the environment's settings: what each process of
    `serve --workers N` calls (uvicorn imports it by name, `APP_FACTORY`)."""
    return create_app(get_settings())


APP_FACTORY = "supplygraph.app:create_app_from_env"
