"""The web app for people (issue 14, docs/ui.md): server-rendered pages at `/`, beside the
GraphQL API at `/graphql`.

Every page reads through the GraphQL schema, run in process as the signed-in person
(supplygraph/web/queries.py); accounts and sessions live in Neo4j (graph/orgs/users.py);
passwords, roles and the person's viewer are auth/people.py's. `web_routes` returns what
`create_app` mounts, after the API's own routes.
"""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Mount, Route
from starlette.staticfiles import StaticFiles

from supplygraph.web import (
    admin,
    clients,
    consent,
    disclosures,
    exports,
    imports,
    map_search,
    oidc,
    pages,
    report_form,
    signin,
    two_step,
    webhooks,
)
from supplygraph.web.render import STATIC_PATH

STATIC_DIR = Path(__file__).resolve().parent / "static"

GET, BOTH = ["GET"], ["GET", "POST"]

# path -> (handler, methods); supplygraph/readpaths.py declares each (WEB) and
# tests/architecture/test_read_path_registry.py checks that both lists agree.
PAGES: dict[str, tuple[object, list[str]]] = {
    "/": (pages.home, GET),
    "/signin": (signin.signin, BOTH),
    "/signin/code": (two_step.code, BOTH),
    "/signin/oidc": (oidc.start, BOTH),
    "/signin/oidc/callback": (oidc.callback, GET),
    "/signout": (signin.signout, ["POST"]),
    "/setup/{token}": (signin.setup, BOTH),
    "/exposure": (pages.exposure, GET),
    "/map": (map_search.map_page, GET),
    "/map/clusters": (map_search.clusters, GET),
    "/sites/{site_id}": (pages.site, GET),
    "/reports/new": (report_form.new_report, BOTH),
    "/reports/site-search": (report_form.site_search, GET),
    "/contracts/{contract_id}": (disclosures.contract, BOTH),
    "/disclosures": (disclosures.sent, GET),
    # before the request's own page, which would take "inbox" for an id
    "/disclosures/inbox": (disclosures.inbox, GET),
    "/disclosures/{request_id}": (disclosures.answer_page, BOTH),
    "/disclosures/{request_id}/site-search": (disclosures.site_search, GET),
    "/imports": (imports.imports, BOTH),
    # before a run's own page, which would take "review" for an id
    "/imports/review": (imports.review, ["POST"]),
    "/imports/{run_id}": (imports.run_page, GET),
    "/imports/{run_id}/summary.csv": (imports.summary_csv, GET),
    "/exports/sites.csv": (exports.sites_csv, GET),
    "/exports/sites.geojson": (exports.sites_geojson, GET),
    "/account/two-step": (two_step.enrol, BOTH),
    "/admin": (admin.admin_home, GET),
    "/admin/organisations": (admin.organisations, GET),
    "/admin/users": (admin.people, BOTH),
    "/admin/users/{user_id}/disable": (admin.disable, ["POST"]),
    "/admin/clients": (clients.clients, BOTH),
    "/admin/clients/{client_id}/rotate": (clients.rotate, ["POST"]),
    "/admin/clients/{client_id}/disable": (clients.disable, ["POST"]),
    "/admin/webhooks": (webhooks.webhooks, BOTH),
    "/admin/webhooks/{webhook_id}/remove": (webhooks.remove, ["POST"]),
    # The code grant's authorization endpoint: the person approves a client here.
    "/oauth/authorize": (consent.authorize, BOTH),
}


def web_routes() -> list[BaseRoute]:
    routes: list[BaseRoute] = [Route(path, handler, methods=methods)  # type: ignore[arg-type]
                               for path, (handler, methods) in PAGES.items()]
    routes.append(Mount(STATIC_PATH, StaticFiles(directory=STATIC_DIR), name="web-static"))
    return routes
