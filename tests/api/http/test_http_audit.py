"""GraphQL over HTTP: the npm graphql-http audit suite (tests/http_audit/audit.mjs) against a
live supplygraph with a member's bearer token, and the refusals the spec asks for."""

from __future__ import annotations

import json

import httpx

from tests.support.live_api import LiveApi, live, node_tool, run_node  # noqa: F401
from tests.support.paths import TESTS

AUDIT = TESTS / "http_audit"
GRAPHQL_RESPONSE = "application/graphql-response+json"


def test_graphql_http_audit_has_no_error_and_no_warning_with_a_member_token(
        live: LiveApi) -> None:  # noqa: F811
    node_tool(AUDIT)
    out = run_node(["audit.mjs"], AUDIT, {"AUDIT_URL": live.graphql_url,
                                          "AUDIT_TOKEN": live.token("northwind")})
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout.strip().splitlines()[-1])
    print("graphql-http audit: ok={ok} notice={notice} warn={warn} error={error}".format(
        **report))
    assert report["error"] == 0 and report["warn"] == 0, json.dumps(report["results"], indent=1)
    assert report["ok"] > 50


def _post(live: LiveApi, body: str | bytes, content_type: str,  # noqa: F811 - the fixture's name
          accept: str = GRAPHQL_RESPONSE) -> httpx.Response:
    return httpx.post(live.graphql_url, content=body, timeout=30, headers={
        **live.headers("northwind"), "content-type": content_type, "accept": accept})


def test_mutation_over_get_is_refused_with_405(live: LiveApi) -> None:  # noqa: F811
    r = httpx.get(live.graphql_url, params={"query": "mutation { __typename }"},
                  headers={**live.headers("northwind"), "accept": GRAPHQL_RESPONSE})
    assert r.status_code == 405
    assert "POST" in r.headers.get("allow", "")


def test_query_over_get_answers(live: LiveApi) -> None:  # noqa: F811
    r = httpx.get(live.graphql_url, params={"query": "{ me { clientId } }"},
                  headers={**live.headers("northwind"), "accept": GRAPHQL_RESPONSE})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert r.json()["data"]["me"]["clientId"] == live.clients["northwind"].client_id


def test_oversized_document_is_refused_with_413_json(live: LiveApi) -> None:  # noqa: F811
    query = "{ " + "me { clientId } " * 200_000 + "}"
    r = _post(live, json.dumps({"query": query}), "application/json")
    assert r.status_code == 413
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


def test_wrong_content_type_is_refused_with_415(live: LiveApi) -> None:  # noqa: F811
    r = _post(live, "query=%7B__typename%7D", "application/x-www-form-urlencoded")
    assert r.status_code == 415
    assert "errors" in r.json()


def test_parse_error_with_graphql_response_json_is_400_without_data(
        live: LiveApi) -> None:  # noqa: F811
    r = _post(live, json.dumps({"query": "{"}), "application/json")
    assert r.status_code == 400
    assert "data" not in r.json() and r.json()["errors"]


def test_validation_error_with_plain_json_accept_stays_200(live: LiveApi) -> None:  # noqa: F811
    r = _post(live, json.dumps({"query": "{ nope }"}), "application/json",
              accept="application/json")
    assert r.status_code == 200
    assert r.json()["errors"]


def test_variable_coercion_error_is_400(live: LiveApi) -> None:  # noqa: F811
    r = _post(live, json.dumps({"query": "query($id: ID!) { productionSite(id: $id) { id } }",
                                "variables": {"id": {"x": 1}}}), "application/json")
    assert r.status_code == 400
    assert "data" not in r.json()


def test_request_without_a_token_is_still_401(live: LiveApi) -> None:  # noqa: F811
    r = httpx.post(live.graphql_url, json={"query": "{ __typename }"},
                   headers={"accept": GRAPHQL_RESPONSE})
    assert r.status_code == 401
