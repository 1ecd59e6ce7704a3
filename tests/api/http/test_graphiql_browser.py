"""GraphiQL served offline, driven in headless Debian Chromium (Playwright for Python with
its executable path set; `playwright install` is never run): a member sets its token in the
page, runs a query through the page and sees the result; every request stays on 127.0.0.1."""

from __future__ import annotations

import shutil
from urllib.parse import urlsplit

import httpx

from seeds import sample as s
from tests.support.live_api import LiveApi, live, missing  # noqa: F401 - `live` is a fixture

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
QUERY = '{ productionSite(id: "%s") { id name } me { clientId } }' % s.SITE_KUNSHAN


def _chromium() -> str:
    if shutil.which(CHROMIUM) is None:
        missing("chromium", "apt-get install -y chromium (make test does, as root)")
    return CHROMIUM


def test_browser_get_of_graphql_serves_the_page_without_a_token(
        live: LiveApi) -> None:  # noqa: F811
    r = httpx.get(live.graphql_url, headers={"accept": "text/html,application/xhtml+xml"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "/static/graphiql/vendor/graphiql.min.js" in r.text
    assert "https://" not in r.text and "unpkg" not in r.text
    assert "default-src 'self'" in r.headers["content-security-policy"]
    # the API itself still needs the token, over GET as over POST
    assert httpx.get(live.graphql_url, params={"query": "{ __typename }"}).status_code == 401
    assert httpx.get(live.graphql_url, params={"query": "{ __typename }"},
                     headers={"accept": "text/html"}).status_code == 401


async def test_member_runs_a_query_through_graphiql_in_headless_chromium(
        live: LiveApi) -> None:  # noqa: F811
    from playwright.async_api import async_playwright

    executable = _chromium()
    requested: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=executable, args=ARGS,
                                           headless=True)
        try:
            page = await browser.new_page()
            page.on("request", lambda req: requested.append(req.url))
            # given the page, loaded without a token
            await page.goto(live.graphql_url, wait_until="load")
            await page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=30_000)
            # when the member sets its token and runs a query through the page
            await page.fill("#token", live.token("northwind"))
            await page.click("#token-set")
            await page.wait_for_function("document.querySelector('#token-state')"
                                         ".textContent === 'token set'")
            await page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=30_000)
            await page.evaluate("q => document.querySelector("
                                "'.graphiql-query-editor .CodeMirror').CodeMirror.setValue(q)",
                                QUERY)
            await page.click(".graphiql-execute-button")
            # then the rendered result holds the site and the member's client
            result = page.locator(".graphiql-response .CodeMirror-code")
            await result.filter(has_text=s.SITE_KUNSHAN).wait_for(timeout=30_000)
            text = await result.inner_text()
        finally:
            await browser.close()
    assert live.clients["northwind"].client_id in text
    assert '"name"' in text and "errors" not in text
    hosts = {urlsplit(u).hostname for u in requested if urlsplit(u).scheme in ("http", "https")}
    assert hosts == {"127.0.0.1"}, requested
    assert any(u.endswith("/static/graphiql/vendor/graphiql.min.js") for u in requested)
