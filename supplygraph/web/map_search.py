"""Map and search (issue 14): the visible sites on a map clustered by the server, and the
same filters as a plain form over a paged list that works without a script.

`/map` is the page: the filter form (country, type, product, open findings, words) and a
page of the matching sites (`MapSites`, the `productionSites` list); the script island
(static/map.js) draws country outlines from the vendored world-atlas data and asks
`/map/clusters` for the cells of its viewport. `/map/clusters` runs `SiteClusters`
(`siteClusters`) as the signed-in person and answers JSON: `{"clusters": [...]}`, or 400
with `{"error": {"code", "message", "path"}}` for a bad box, zoom or filter.
"""

from __future__ import annotations

import math
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from graph.core.model import CPV_CATEGORIES, SiteType
from supplygraph.web.pages import signed_in
from supplygraph.web.queries import PageQueryFailed
from supplygraph.web.render import HEADERS, render
from supplygraph.web.session import Person

PAGE_SIZE = 20
TYPES = [t.value for t in SiteType]
PRODUCTS = list(CPV_CATEGORIES)
_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
JSON_HEADERS = HEADERS


def _web_path(path: list[str | int] | None) -> list[str | int]:
    """A schema input path as the route's parameter: `bbox.north` is `north`, a filter's
    country code is `country`."""
    if not path:
        return []
    if path[0] == "bbox":
        return list(path[1:]) or ["bbox"]
    if path[0] == "filter":
        return ["country"] if "countryCode" in path else ["filter"]
    return list(path)


def read_filters(request: Request) -> tuple[dict[str, str], dict[str, Any],
                                             dict[str, tuple[str, str]]]:
    """The form's values as typed, the `ProductionSiteFilter` they make, and errors at the
    fields the form can judge itself (a choice not offered, a country not two letters)."""
    q = request.query_params
    values = {k: (q.get(k) or "").strip() for k in ("country", "type", "product", "open", "q")}
    flt: dict[str, Any] = {}
    errors: dict[str, tuple[str, str]] = {}
    if values["country"]:
        if _COUNTRY.match(values["country"]):
            flt["countryCode"] = [values["country"].upper()]
        else:
            errors["country"] = ("map.error.country", values["country"])
    if values["type"]:
        if values["type"] in TYPES:
            flt["siteType"] = [values["type"]]
        else:
            errors["type"] = ("form.choose", "")
    if values["product"]:
        if values["product"] in PRODUCTS:
            flt["cpvCode"] = values["product"]
        else:
            errors["product"] = ("form.choose", "")
    if values["open"] in ("yes", "no"):
        flt["hasOpenFindings"] = values["open"] == "yes"
    elif values["open"]:
        errors["open"] = ("form.choose", "")
    if values["q"]:
        flt["text"] = values["q"][:200]
    return values, flt, errors


@signed_in
async def map_page(request: Request, person: Person) -> Response:
    values, flt, errors = read_filters(request)
    after = request.query_params.get("after") or None
    sites: list[dict[str, Any]] = []
    total, more, status = 0, None, 200
    if not errors:
        try:
            answer = await request.app.state.page_queries.run(
                request, person.viewer, "MapSites",
                {"filter": flt or None, "first": PAGE_SIZE, "after": after})
        except PageQueryFailed as exc:
            if exc.code != "BAD_USER_INPUT":
                raise
            # the country is the one free-text filter the schema judges (ISO 3166-1), and a
            # cursor typed by hand the other thing it may refuse
            key = "country" if values["country"] else "after"
            errors[key] = ("map.error.country" if key == "country" else "map.error.page",
                           values["country"])
        else:
            connection = answer.data["productionSites"]
            sites = [edge["node"] for edge in connection["edges"]]
            total = connection["totalCount"]
            if connection["pageInfo"]["hasNextPage"]:
                more = connection["pageInfo"]["endCursor"]
    if errors:
        status = 400
    query = {k: v for k, v in values.items() if v}
    return render(request, "map.html", status=status, values=values, errors=errors,
                  sites=sites, total=total, more=more, first_page=after is None,
                  query=query, types=TYPES, products=PRODUCTS)


def _number(q: Any, name: str) -> float:
    try:
        value = float(q.get(name, ""))
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueError(name)
    return value


def _bad(code: str, message: str, path: list[str | int]) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message, "path": path}},
                        status_code=400, headers=JSON_HEADERS)


@signed_in
async def clusters(request: Request, person: Person) -> Response:
    q = request.query_params
    try:
        box = {k: _number(q, k) for k in ("west", "south", "east", "north")}
        zoom_value = _number(q, "zoom")
    except ValueError as exc:
        return _bad("BAD_USER_INPUT", f"{exc} must be a number", [str(exc)])
    if zoom_value != int(zoom_value):
        return _bad("BAD_USER_INPUT", "zoom must be a whole number", ["zoom"])
    _, flt, errors = read_filters(request)
    if errors:
        field = sorted(errors)[0]
        return _bad("BAD_USER_INPUT", f"{field} is not one of the choices", [field])
    try:
        answer = await request.app.state.page_queries.run(
            request, person.viewer, "SiteClusters",
            {"bbox": box, "zoom": int(zoom_value), "filter": flt or None})
    except PageQueryFailed as exc:
        if exc.code == "BAD_USER_INPUT":
            return _bad(exc.code, str(exc), _web_path(exc.path))
        status = 429 if exc.code == "RATE_LIMITED" else 503
        return JSONResponse({"error": {"code": exc.code, "message": str(exc), "path": []}},
                            status_code=status, headers=JSON_HEADERS)
    return JSONResponse({"clusters": answer.data["siteClusters"]}, headers=JSON_HEADERS)
