"""The sites a signed-in person may see, as a file: `/exports/sites.csv` (Open Supply Hub's
facility-list columns, which `supplygraph import sites` and the imports page read back) and
`/exports/sites.geojson` (one FeatureCollection).

Streamed a page at a time from the GraphQL `siteExport` field run as the person
(supplygraph/web/queries.py): the same visibility, scope check and rate budget as a client
exporting through the API; no Cypher of its own. `?country=CN&country=VN` narrows it as
`siteExport(countryCode:)` does.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from supplygraph.web.pages import signed_in
from supplygraph.web.render import HEADERS, translator
from supplygraph.web.session import Person

_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
MAX_COUNTRIES = 50
MEDIA = {"CSV": "text/csv; charset=utf-8", "GEOJSON": "application/geo+json"}
SUFFIX = {"CSV": "csv", "GEOJSON": "geojson"}


async def _pages(request: Request, person: Person, fmt: str,
                 countries: list[str] | None) -> AsyncIterator[dict[str, Any]]:
    after: str | None = None
    while True:
        answer = await request.app.state.page_queries.run(
            request, person.viewer, "SiteExport",
            {"format": fmt, "countryCode": countries, "after": after})
        page = answer.data["siteExport"]
        yield page
        if not page["hasNextPage"]:
            return
        after = page["endCursor"]


async def _csv(pages: AsyncIterator[dict[str, Any]]) -> AsyncIterator[str]:
    async for page in pages:  # the header comes with the first page only
        yield page["content"]


async def _geojson(pages: AsyncIterator[dict[str, Any]]) -> AsyncIterator[str]:
    """The pages' features in one collection."""
    yield '{"type": "FeatureCollection", "features": ['
    first = True
    async for page in pages:
        for feature in json.loads(page["content"]).get("features", []):
            yield ("" if first else ",\n") + json.dumps(feature, ensure_ascii=False)
            first = False
    yield "]}\n"


async def _export(request: Request, person: Person, fmt: str) -> Response:
    asked = request.query_params.getlist("country")
    if len(asked) > MAX_COUNTRIES or not all(_COUNTRY.match(c) for c in asked):
        return Response(translator(request)("exports.error.country"), status_code=400,
                        media_type="text/plain; charset=utf-8", headers=HEADERS)
    pages = _pages(request, person, fmt, [c.upper() for c in asked] or None)
    # The first page is asked before the answer starts, so that a refusal (a missing
    # scope, the rate budget) is a whole error page rather than a truncated file.
    first = await anext(pages)

    async def chained() -> AsyncIterator[dict[str, Any]]:
        yield first
        async for page in pages:
            yield page

    body = _csv(chained()) if fmt == "CSV" else _geojson(chained())
    return StreamingResponse(body, media_type=MEDIA[fmt], headers={
        **HEADERS, "Content-Disposition": f'attachment; filename="sites.{SUFFIX[fmt]}"'})


@signed_in
async def sites_csv(request: Request, person: Person) -> Response:
    return await _export(request, person, "CSV")


@signed_in
async def sites_geojson(request: Request, person: Person) -> Response:
    return await _export(request, person, "GEOJSON")
