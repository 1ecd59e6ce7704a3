"""The read-path registry: every way data leaves supplygraph, declared against the policy.

docs/visibility.md states the policy; this module says, for each read path, which rule of
it holds there and which piece of code holds it. A read path is every field of every
GraphQL object type (root fields, relation fields, analytics, mutation payloads, history,
disclosure requests, webhook deliveries, import summaries), the body of a webhook delivery,
every label of `/metrics`, and every listing of the CLI.

tests/architecture/test_read_path_registry.py walks the schema, the CLI parser, the metrics
registry and a real webhook body, and fails on a path declared nowhere, a declaration of a
path that no longer exists, and a declaration whose code does not do what its rule says (a
plain field its shape does not read, a protected field its shape does not protect, a rule
held in Cypher by code outside graph/). tests/adversarial/ generates operations over the
declared GraphQL paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Any

from auth.viewer import Viewer
from graph.alerts import outbox, webhooks
from graph.analytics import contradictions, exposure, exposure_store, leverage, risk
from graph.companies import commands as companies
from graph.companies.fields import BRAND_SHAPE, SUPPLIER_SHAPE
from graph.companies.supply_chain import supply_chain_by_brand
from graph.contracts import commands as contracts
from graph.contracts.fields import (
    CONTRACT_QUANTITY,
    CONTRACT_SHAPE,
    CONTRACT_UNIT_PRICES,
    CONTRACT_VALUE,
)
from graph.core import errors, history, nodes, sharing
from graph.core import nodes as rel
from graph.core.visibility import Protected, Shape
from graph.disclosures import requests as disclosures
from graph.imports import runs, site_rows
from graph.lists import (
    list_brands,
    list_contracts,
    list_orgs,
    list_reports,
    list_sites,
    list_suppliers,
)
from graph.orgs import clients, oidc, organisations, users, viewer
from graph.orgs.fields import ORGANISATION_SHAPE
from graph.reports import commands as reports
from graph.reports.fields import FINDING_SHAPE, REMEDIATION_SHAPE, REPORT_SHAPE, SENSITIVE_NOTES
from graph.sites import commands as sites
from graph.sites import clusters, export, matching, merge, pending
from graph.sites.fields import CATEGORY_SHAPE, SITE_SHAPE


class Rule(Enum):
    """How the visibility policy holds on one read path (docs/visibility.md)."""

    FIELD = "a plain field of a record read only where visible_as admits the viewer"
    PROTECTED = "a protected field: CASE WHEN <readable> THEN value END, in the projection"
    RELATED = "the targets of a relation, each visible (and through visible intermediates)"
    LIST = "rows filtered by visibility before any filter, order, count, cursor or search"
    ANALYTIC = "computed in Cypher from records the viewer may see, never from others"
    BANDED = "counts that include hidden records, shown banded on their hidden part"
    OWN = "the calling organisation's own records (webhooks, requests it made or received)"
    OWN_OR_OPERATOR = "told to the organisation it concerns and to the operator only"
    CALLER = "the caller's own token and organisation, from the validated token"
    PAGING = "the structure of a page of visible rows (counts and cursors of those rows)"
    VALUE = "a value inside an object already read under one of the other rules"
    WRITE = "a mutation: checks ownership and visibility in its command, answers a payload"
    PAYLOAD = "a mutation's answer: its input echoed, or the record re-read as the caller"
    ERROR = "an error about the caller's input, worded alike for hidden and unknown ids"
    SCHEMA = "the schema itself, no data"
    FIXED = "a label from a fixed vocabulary of ours, never from a request"
    CONSOLE = "the CLI, run by the operator with the database's credentials"
    AS_ORG = "the CLI acting for one organisation: what that organisation may see"
    PAGE = ("a web page: GraphQL documents (supplygraph/web/documents.graphql) run in process "
            "as the signed-in person, so every field holds its own rule above")


@dataclass(frozen=True)
class ReadPath:
    rule: Rule
    by: Any  # the code that holds the rule: a Shape, Protected, Relation or Cypher builder
    note: str = ""


def _fields(rule: Rule, by: Any, names: str, note: str = "") -> dict[str, ReadPath]:
    return {n: ReadPath(rule, by, note) for n in names.split()}


_PROVENANCE = "id sharing contributedBy createdAt updatedAt source"


def _record(shape: Shape, names: str, **more: ReadPath) -> dict[str, ReadPath]:
    return {**_fields(Rule.FIELD, shape, f"{_PROVENANCE} {names}"), **more}


def _connection(by: Any) -> dict[str, dict[str, ReadPath]]:
    return {"Connection": {**_fields(Rule.PAGING, by, "totalCount pageInfo"),
                           "edges": ReadPath(Rule.PAGING, by)},
            "Edge": _fields(Rule.PAGING, by, "cursor node")}


def _versions() -> dict[str, ReadPath]:
    return {**_fields(Rule.FIELD, history.history_query, "number change at organisationId "
                                                         "source note record"),
            "clientId": ReadPath(Rule.OWN_OR_OPERATOR, history.history_query,
                                 "the writing client: its organisation and the operator")}


def _payload(record: str, by: Any, note: str = "") -> dict[str, ReadPath]:
    return {record: ReadPath(Rule.PAYLOAD, by, note), "errors": ReadPath(Rule.ERROR, errors)}


_HISTORY = ReadPath(Rule.RELATED, history.history_query, "versions of a visible record")

GRAPHQL: dict[str, dict[str, ReadPath]] = {
    "ProductionSite": _record(
        SITE_SHAPE, "name aliases address city region countryCode location siteType "
                    "workerCount status osId lei duns rbaFacilityId factoryCode sector "
                    "productType facilityType processingType parentCompany",
        products=ReadPath(Rule.RELATED, rel.SITE_PRODUCTS),
        operators=ReadPath(Rule.RELATED, rel.SITE_OPERATORS),
        brands=ReadPath(Rule.RELATED, rel.SITE_BRANDS),
        reports=ReadPath(Rule.RELATED, rel.SITE_REPORTS),
        findings=ReadPath(Rule.RELATED, rel.SITE_FINDINGS),
        openFindingCount=ReadPath(Rule.RELATED, rel.SITE_FINDINGS,
                                  "a count of the related, in Cypher (related_count)"),
        leverage=ReadPath(Rule.BANDED, leverage.site_leverage_query),
        risk=ReadPath(Rule.ANALYTIC, risk.site_risk_query),
        contradictions=ReadPath(Rule.ANALYTIC, contradictions.contradictions_query),
        history=_HISTORY),
    "Brand": _record(
        BRAND_SHAPE, "name countryCode website",
        suppliers=ReadPath(Rule.RELATED, rel.BRAND_SUPPLIERS),
        sites=ReadPath(Rule.RELATED, rel.BRAND_SITES),
        supplyChain=ReadPath(Rule.ANALYTIC, supply_chain_by_brand),
        leverage=ReadPath(Rule.BANDED, leverage.brand_leverage_query)),
    "Supplier": _record(
        SUPPLIER_SHAPE, "name countryCode roles identifiers",
        sites=ReadPath(Rule.RELATED, rel.SUPPLIER_SITES),
        subSuppliers=ReadPath(Rule.RELATED, rel.SUPPLIER_SUBSUPPLIERS),
        customers=ReadPath(Rule.RELATED, rel.SUPPLIER_BRAND_CUSTOMERS,
                           "and SUPPLIER_SUPPLIER_CUSTOMERS"),
        accountability=ReadPath(Rule.ANALYTIC, disclosures.ACCOUNTABILITY,
                                "requests on contracts the viewer may see")),
    "Organisation": _record(ORGANISATION_SHAPE, "name kind countryCode",
                            consortia=ReadPath(Rule.RELATED, rel.ORGANISATION_CONSORTIA)),
    "AuditReport": _record(
        REPORT_SHAPE, "kind title summary visitDate publishedAt methodology",
        sensitiveNotes=ReadPath(Rule.PROTECTED, SENSITIVE_NOTES),
        author=ReadPath(Rule.RELATED, rel.REPORT_AUTHOR),
        site=ReadPath(Rule.RELATED, rel.REPORT_SITE, "a report is visible only with its site"),
        findings=ReadPath(Rule.RELATED, rel.REPORT_FINDINGS),
        history=_HISTORY),
    "Finding": _record(
        FINDING_SHAPE, "category severity status description dueDate schemeRating",
        remediation=ReadPath(Rule.RELATED, rel.FINDING_REMEDIATION), history=_HISTORY),
    "RemediationAction": _record(REMEDIATION_SHAPE, "description dueDate status evidence"),
    "Contract": _record(
        CONTRACT_SHAPE, "reference title startDate endDate cpvCodes",
        value=ReadPath(Rule.PROTECTED, CONTRACT_VALUE),
        unitPrices=ReadPath(Rule.PROTECTED, CONTRACT_UNIT_PRICES),
        quantity=ReadPath(Rule.PROTECTED, CONTRACT_QUANTITY),
        buyer=ReadPath(Rule.RELATED, rel.CONTRACT_BUYER),
        supplier=ReadPath(Rule.RELATED, rel.CONTRACT_SUPPLIER),
        brands=ReadPath(Rule.RELATED, rel.CONTRACT_BRANDS),
        products=ReadPath(Rule.RELATED, rel.CONTRACT_PRODUCTS),
        sites=ReadPath(Rule.RELATED, rel.CONTRACT_SITES),
        exposure=ReadPath(Rule.ANALYTIC, exposure.exposure_query),
        history=_HISTORY),
    "ProductCategory": _fields(Rule.FIELD, CATEGORY_SHAPE, "id cpvCode name"),
    "Location": _fields(Rule.VALUE, SITE_SHAPE, "latitude longitude"),
    "Money": _fields(Rule.VALUE, CONTRACT_VALUE, "amount currency"),
    "UnitPrice": _fields(Rule.VALUE, CONTRACT_UNIT_PRICES, "item amount currency"),
    "PageInfo": _fields(Rule.PAGING, list_sites,
                        "hasNextPage hasPreviousPage startCursor endCursor"),
    # Versions (graph/core/history.py): the record's visibility today, its readers today.
    "ProductionSiteVersion": _versions(),
    "AuditReportVersion": _versions(),
    "FindingVersion": _versions(),
    "ContractVersion": _versions(),
    # Analytics (graph/analytics/).
    "ExposureEntry": _fields(Rule.ANALYTIC, exposure.exposure_query, "tier path site findings"),
    "PathStep": _fields(Rule.ANALYTIC, exposure.exposure_query, "kind id name",
                        "every step of a path is visible"),
    "SupplyChainEntry": _fields(Rule.ANALYTIC, supply_chain_by_brand, "tier supplier site"),
    "Leverage": {**_fields(Rule.BANDED, leverage.shown_count,
                           "members membersInMyConsortia contracts"),
                 "namedMembers": ReadPath(Rule.ANALYTIC, leverage.site_leverage_query,
                                          "holders of contracts the viewer may see")},
    "CountBand": _fields(Rule.BANDED, leverage.shown_count, "exact band"),
    "Risk": _fields(Rule.ANALYTIC, risk.site_risk_query, "score level lastReportAt stale factors"),
    "RiskFactor": _fields(Rule.ANALYTIC, risk.site_risk_query,
                          "kind points explanation findingId stale"),
    "Contradiction": _fields(Rule.ANALYTIC, contradictions.contradictions_query,
                             "category claim evidence finding daysApart"),
    "SupplierAccountability": _fields(Rule.ANALYTIC, disclosures.ACCOUNTABILITY,
                                      "requestsReceived answeredOnTime answeredLate overdue "
                                      "declined open"),
    # Disclosure requests (graph/disclosures/requests.py): the requester, the contract's
    # owner and the supplier's representatives, only while the contract stays visible;
    # supplierId only where the supplier is visible to the viewer or represented by it.
    "DisclosureRequest": _fields(Rule.OWN, disclosures.list_requests,
                                 "id contractId supplierId requestedBy message dueDate "
                                 "requestedAt status answeredAt answeredOnTime answeredBy "
                                 "declinedAt declineReason"),
    # Alerts (graph/alerts/): an organisation's own webhooks and the deliveries of findings
    # it may read today.
    "Webhook": {**_fields(Rule.OWN, webhooks.list_webhooks, "id url filter createdAt"),
                "deliveries": ReadPath(Rule.OWN, webhooks.deliveries,
                                       "only of findings the owner may read today")},
    "WebhookFilter": _fields(Rule.VALUE, webhooks.list_webhooks,
                             "minSeverity categories onlyMyExposure"),
    "Delivery": _fields(Rule.OWN, webhooks.DELIVERIES,
                        "id event status attempts createdAt finishedAt dropReason"),
    "DeliveryAttempt": _fields(Rule.VALUE, webhooks.DELIVERIES,
                               "number at statusCode error durationMs"),
    # The caller (auth/viewer.py, from the validated token and graph/orgs/viewer.py).
    "Viewer": _fields(Rule.CALLER, Viewer, "organisation consortia scopes clientId issuer"),
    "ViewerOrganisation": _fields(Rule.CALLER, viewer.VIEWER_CONTEXT, "id name kind"),
    "_Service": _fields(Rule.SCHEMA, None, "sdl"),
    # Mutation payloads (resolvers/core/mutations.py re-reads a written record as the caller).
    "MutationError": _fields(Rule.ERROR, errors, "code message path"),
    "ProductionSitePayload": {
        **_payload("site", nodes.nodes_by_id),
        "outcome": ReadPath(Rule.PAYLOAD, sites.create_site),
        "candidates": ReadPath(Rule.LIST, matching.SiteIndex, "visible same-country sites"),
        "pendingMatchId": ReadPath(Rule.PAYLOAD, pending.save_pending,
                                   "the caller's own submission, kept")},
    "SiteCandidate": _fields(Rule.LIST, matching.SiteIndex, "siteId name score parts"),
    "MatchScoreParts": _fields(Rule.VALUE, matching.SiteIndex,
                               "name address distanceM identifiers reasons",
                               "computed from the caller's input and a visible candidate"),
    # The review queue (graph/sites/pending.py): the submitting organisation's and the
    # operator's; candidates and the decided site filtered by what the reader sees today.
    "PendingMatch": {
        **_fields(Rule.OWN_OR_OPERATOR, pending.LIST_PENDING,
                  "id status name countryCode address city submittedBy source row createdAt "
                  "decidedAt decidedBy decisionNote"),
        **_fields(Rule.LIST, pending.list_pending, "candidates siteId",
                  "only sites the reader may see today")},
    # Import runs (graph/imports/runs.py): the organisation that started one alone (the
    # operator too sees only its own); a row names a site only while the reader may see it.
    "ImportRun": {
        **_fields(Rule.OWN, runs.RUN_BY_ID, "id file state total done startedAt finishedAt "
                  "startedBy mappedColumns unknownColumns counts",
                  "by id; a list reads the same fields through RUNS_PAGE"),
        "rows": ReadPath(Rule.OWN, runs.ROWS_PAGE, "the run's own batches, paged in Cypher")},
    "ImportColumn": _fields(Rule.VALUE, runs.RUN_BY_ID, "column field"),
    "ImportRunCounts": _fields(Rule.VALUE, runs.RUN_BY_ID,
                               "rows created matched updated needsConfirmation rejected"),
    "ImportRunRow": {
        **_fields(Rule.OWN, runs.ROWS_PAGE, "row outcome name messages pendingMatchId"),
        **_fields(Rule.LIST, runs.rows_pages, "siteId candidates",
                  "only sites the reader may see today")},
    "ImportRunConnection": {**_fields(Rule.PAGING, runs.RUNS_PAGE, "totalCount pageInfo"),
                            "edges": ReadPath(Rule.PAGING, runs.RUNS_PAGE)},
    "ImportRunEdge": _fields(Rule.PAGING, runs.RUNS_PAGE, "cursor node"),
    "ImportRunRowConnection": {**_fields(Rule.PAGING, runs.ROWS_PAGE, "totalCount pageInfo"),
                               "edges": ReadPath(Rule.PAGING, runs.ROWS_PAGE)},
    "ImportRunRowEdge": _fields(Rule.PAGING, runs.ROWS_PAGE, "cursor node"),
    "SiteExport": _fields(Rule.LIST, export.EXPORT_PAGE,
                          "content count hasNextPage endCursor",
                          "visible sites only, paged by id (keyset)"),
    "SiteCluster": _fields(Rule.ANALYTIC, clusters.clusters_query,
                           "count latitude longitude siteId name",
                           "grouped from visible, filtered sites only (graph/sites/clusters.py)"),
    "PendingMatchPayload": {**_payload("pendingMatch", pending.list_pending),
                            "site": ReadPath(Rule.PAYLOAD, nodes.nodes_by_id)},
    "BrandPayload": _payload("brand", nodes.nodes_by_id),
    "SupplierPayload": _payload("supplier", nodes.nodes_by_id),
    "ContractPayload": _payload("contract", nodes.nodes_by_id),
    "ReportPayload": _payload("report", nodes.nodes_by_id,
                              "with findings selected and reports read, by "
                              "nodes.node_with_related: the report with its findings under "
                              "REPORT_FINDINGS' checks"),
    "FindingPayload": _payload("finding", nodes.nodes_by_id),
    "RemediationActionPayload": _payload("remediationAction", nodes.nodes_by_id),
    "SupplyLinkPayload": _payload("recorded", companies.record_supply_link),
    "SetSharingPayload": {**_payload("id", sharing.set_sharing),
                          "sharing": ReadPath(Rule.PAYLOAD, sharing.set_sharing)},
    "MergeProductionSitesPayload": {
        **_payload("site", nodes.nodes_by_id),
        **_fields(Rule.PAYLOAD, merge.merge_sites, "mergedIds movedRelationships",
                  "the caller's own input, after the merge checked each id")},
    "ImportSitesPayload": {
        **_payload("results", site_rows.visible_sites),
        **_fields(Rule.PAYLOAD, site_rows.visible_sites,
                  "created matched needsConfirmation rejected", "counts of the caller's rows")},
    "ImportSiteResult": {
        **_payload("row", site_rows.visible_sites),
        **_fields(Rule.PAYLOAD, site_rows.visible_sites, "outcome siteId pendingMatchId"),
        "candidates": ReadPath(Rule.LIST, matching.SiteIndex)},
    "DisclosureRequestPayload": _payload("request", disclosures.list_requests),
    "SupplierRepresentativePayload": {
        **_payload("represents", disclosures.set_representation),
        **_fields(Rule.PAYLOAD, disclosures.set_representation, "organisationId supplierId")},
    "WebhookPayload": _payload("webhook", webhooks.list_webhooks),
    "DeleteWebhookPayload": _payload("deleted", webhooks.delete_webhook),
}

for _name, _by in (("ProductionSite", list_sites), ("Brand", list_brands),
                   ("Supplier", list_suppliers), ("AuditReport", list_reports),
                   ("Contract", list_contracts), ("ExposureEntry", exposure.exposure_query),
                   ("Organisation", list_orgs)):
    for _suffix, _fields_of in _connection(_by).items():
        GRAPHQL[_name + _suffix] = _fields_of

GRAPHQL["Query"] = {
    "productionSite": ReadPath(Rule.FIELD, nodes.nodes_by_id,
                               "with reports read, by nodes.node_with_related: the site with "
                               "its reports, their findings and its findings, each under the "
                               "checks of its own relation (SITE_REPORTS, REPORT_FINDINGS, "
                               "SITE_FINDINGS)"),
    "brand": ReadPath(Rule.FIELD, nodes.nodes_by_id,
                      "with one supplyChain selected, by supply_chain.brand_with_supply_chain: "
                      "the brand under the same check, its chain as supply_chain_by_brand "
                      "reads it"),
    "supplier": ReadPath(Rule.FIELD, nodes.nodes_by_id),
    "report": ReadPath(Rule.FIELD, nodes.nodes_by_id),
    "contract": ReadPath(Rule.FIELD, nodes.nodes_by_id),
    "organisation": ReadPath(Rule.FIELD, nodes.nodes_by_id),
    "_entities": ReadPath(Rule.FIELD, nodes.nodes_by_id, "federation: the same loaders"),
    "productionSites": ReadPath(Rule.LIST, list_sites),
    "brands": ReadPath(Rule.LIST, list_brands),
    "suppliers": ReadPath(Rule.LIST, list_suppliers),
    "reports": ReadPath(Rule.LIST, list_reports),
    "contracts": ReadPath(Rule.LIST, list_contracts),
    "organisations": ReadPath(Rule.LIST, list_orgs, "PUBLIC records, visible() all the same"),
    "myExposure": ReadPath(Rule.ANALYTIC, exposure_store.stored_exposure_query,
                           "the organisation's stored reach, built by the walk as the "
                           "organisation and kept exact (graph/core/derived.py)"),
    "disclosureRequests": ReadPath(Rule.OWN, disclosures.list_requests),
    "disclosureRequest": ReadPath(Rule.OWN, disclosures.list_requests,
                                  "one id, the same visibility as the list"),
    "representedSuppliers": ReadPath(Rule.OWN, disclosures.REPRESENTED),
    "webhooks": ReadPath(Rule.OWN, webhooks.list_webhooks),
    "pendingMatches": ReadPath(Rule.OWN_OR_OPERATOR, pending.LIST_PENDING),
    "importRun": ReadPath(Rule.OWN, runs.RUN_BY_ID, "another organisation's run: null, as an "
                          "unknown id"),
    "importRuns": ReadPath(Rule.OWN, runs.RUNS_PAGE),
    "siteExport": ReadPath(Rule.LIST, export.EXPORT_PAGE),
    "siteClusters": ReadPath(Rule.ANALYTIC, clusters.clusters_query,
                             "counts and mean positions of visible, filtered sites per cell; "
                             "a one-site cell names that visible site"),
    "me": ReadPath(Rule.CALLER, Viewer),
    "_service": ReadPath(Rule.SCHEMA, None),
}

GRAPHQL["Mutation"] = {
    "createProductionSite": ReadPath(Rule.WRITE, sites.create_site),
    "updateProductionSite": ReadPath(Rule.WRITE, sites.update_site),
    "mergeProductionSites": ReadPath(Rule.WRITE, merge.merge_sites),
    "importSites": ReadPath(Rule.WRITE, sites.create_site_batch),
    "createBrand": ReadPath(Rule.WRITE, companies.create_company),
    "createSupplier": ReadPath(Rule.WRITE, companies.create_company),
    "recordSupplyLink": ReadPath(Rule.WRITE, companies.record_supply_link),
    "createContract": ReadPath(Rule.WRITE, contracts.create_contract),
    "updateContract": ReadPath(Rule.WRITE, contracts.update_contract),
    "discloseContractSites": ReadPath(Rule.WRITE, contracts.disclose_sites),
    "submitReport": ReadPath(Rule.WRITE, reports.submit_report),
    "updateFinding": ReadPath(Rule.WRITE, reports.update_finding_status),
    "addRemediationAction": ReadPath(Rule.WRITE, reports.add_remediation_action),
    "setSharing": ReadPath(Rule.WRITE, sharing.set_sharing),
    "requestDisclosure": ReadPath(Rule.WRITE, disclosures.request_disclosure),
    "declineDisclosure": ReadPath(Rule.WRITE, disclosures.decline_disclosure),
    "setSupplierRepresentative": ReadPath(Rule.WRITE, disclosures.set_representation),
    "registerWebhook": ReadPath(Rule.WRITE, webhooks.create_webhook),
    "deleteWebhook": ReadPath(Rule.WRITE, webhooks.delete_webhook),
    "confirmMatch": ReadPath(Rule.WRITE, pending.confirm),
    "rejectMatch": ReadPath(Rule.WRITE, pending.reject),
}

# The body of a webhook delivery (supplygraph/worker.py): the envelope is the recipient's
# own outbox entry; the rest is read as the webhook's organisation at delivery time.
WEBHOOK_BODY: dict[str, ReadPath] = {
    **_fields(Rule.OWN, outbox.lease, "id event createdAt webhookId"),
    **_fields(Rule.FIELD, outbox.recipient_view, "finding report site",
              "as the recipient today; dropped when it may not read the finding"),
}

# `/metrics` (supplygraph/http/metrics.py) is open to every caller.
METRIC_LABELS: dict[str, ReadPath] = {
    "type": ReadPath(Rule.FIXED, None, "query, mutation, subscription or unknown"),
    "code": ReadPath(Rule.FIXED, None, "an extensions.code of ours"),
    "query": ReadPath(Rule.FIXED, None, "the name of one of our Cypher queries"),
}

# The CLI's subcommands and actions that print data (the rest print only what they did).
CLI: dict[str, ReadPath] = {
    "neo4j": ReadPath(Rule.CONSOLE, None, "the server's state"),
    "db": ReadPath(Rule.CONSOLE, None, "migrations applied"),
    "seed": ReadPath(Rule.CONSOLE, None, "counts loaded"),
    "orgs add": ReadPath(Rule.CONSOLE, organisations.create_organisation),
    "orgs list": ReadPath(Rule.CONSOLE, organisations.list_organisations),
    "clients add": ReadPath(Rule.CONSOLE, clients.create_client, "the secret, once"),
    "clients list": ReadPath(Rule.CONSOLE, clients.LIST_CLIENTS, "never a secret"),
    "clients revoke": ReadPath(Rule.CONSOLE, clients.revoke_client),
    "keys rotate": ReadPath(Rule.CONSOLE, None, "key ids only"),
    "keys list": ReadPath(Rule.CONSOLE, None, "key ids only"),
    "schema print": ReadPath(Rule.SCHEMA, None),
    "import": ReadPath(Rule.AS_ORG, site_rows.visible_sites,
                       "matches and candidates among sites --org may see"),
    "matches list": ReadPath(Rule.AS_ORG, pending.LIST_PENDING,
                             "--org's own pending matches (all for an operator), candidates "
                             "it may see"),
    "matches confirm": ReadPath(Rule.AS_ORG, pending.confirm),
    "matches reject": ReadPath(Rule.AS_ORG, pending.reject),
    "export": ReadPath(Rule.AS_ORG, export.EXPORT_PAGE, "the sites --org may see"),
    "serve": ReadPath(Rule.CONSOLE, None),
    "demo-client": ReadPath(Rule.CONSOLE, clients.create_client),
    "worker": ReadPath(Rule.CONSOLE, outbox.counts, "counts per delivery state"),
    "orgs oidc": ReadPath(Rule.CONSOLE, oidc.config_of_org,
                          "the client secret's reference (env:/file:), never the secret"),
    "users add": ReadPath(Rule.CONSOLE, users.create_user, "the setup link, once"),
    "users list": ReadPath(Rule.CONSOLE, users.list_users, "never a password hash"),
    "users disable": ReadPath(Rule.CONSOLE, users.disable_user),
    "users purge-sessions": ReadPath(Rule.CONSOLE, users.purge_sessions, "counts only"),
}

# The web app's pages (supplygraph/web/__init__.py PAGES). A PAGE names the operations of
# supplygraph/web/documents.graphql it runs; the rest say what they show and who to.
WEB: dict[str, ReadPath] = {
    "/": ReadPath(Rule.CALLER, users.session_context, "a redirect: signed in or not"),
    "/signin": ReadPath(Rule.CALLER, users.user_for_sign_in,
                        "one answer for an unknown address, a wrong password and a disabled "
                        "account; throttled per address and per e-mail"),
    "/signin/oidc": ReadPath(Rule.CALLER, oidc.config_of_email,
                             "a redirect to the provider of the organisation the address's "
                             "domain (or the button) names; the sign-in page lists the names "
                             "of organisations with a button (public records)"),
    "/signin/oidc/callback": ReadPath(Rule.CALLER, users.user_of_org,
                                      "the person the validated ID token names, of the "
                                      "organisation whose flow this browser started only; "
                                      "one message for unknown and other organisations'"),
    "/signin/code": ReadPath(Rule.CALLER, users.pending_session,
                             "the second step of the caller's own session"),
    "/signout": ReadPath(Rule.CALLER, users.end_session),
    "/setup/{token}": ReadPath(Rule.CALLER, users.complete_setup,
                               "one answer for unknown, spent and expired links"),
    "/exposure": ReadPath(Rule.PAGE, "MyExposure"),
    "/map": ReadPath(Rule.PAGE, "MapSites", "the search half: a page of the visible sites "
                     "matching the filters"),
    "/map/clusters": ReadPath(Rule.PAGE, "SiteClusters", "JSON for the map's script: the "
                              "cells of the visible sites in a box"),
    "/sites/{site_id}": ReadPath(Rule.PAGE, "SitePage",
                                 "a site the person may not see is not found, as an unknown id"),
    "/reports/new": ReadPath(Rule.PAGE, "SiteName SiteSearch ReportReaders SubmitReport"),
    "/reports/site-search": ReadPath(Rule.PAGE, "SiteSearch"),
    "/contracts/{contract_id}": ReadPath(Rule.PAGE, "ContractPage RequestDisclosure",
                                         "a contract the person may not see is not found"),
    "/disclosures": ReadPath(Rule.PAGE, "DisclosureRequests",
                             "the visible requests, those the person's organisation sent"),
    "/disclosures/inbox": ReadPath(Rule.PAGE, "DisclosureInbox",
                                   "the visible requests addressed to a represented supplier"),
    "/disclosures/{request_id}": ReadPath(Rule.PAGE, "DisclosureRequestPage SiteName "
                                          "SiteSearch DiscloseSites DeclineDisclosure",
                                          "a request not in the person's inbox is not found"),
    "/disclosures/{request_id}/site-search": ReadPath(Rule.PAGE, "SiteSearch"),
    "/imports": ReadPath(Rule.PAGE, "PendingMatches ImportRuns",
                         "contributors; the upload runs `supplygraph import sites` as the "
                         "person; the organisation's own recent runs"),
    "/imports/review": ReadPath(Rule.PAGE, "PendingMatches ConfirmMatch RejectMatch",
                                "a pending match not the organisation's is NOT_FOUND at the row"),
    "/imports/{run_id}": ReadPath(Rule.PAGE, "ImportRun",
                                  "the run and a page of its rows, to the organisation that "
                                  "started it; another organisation's run is not found"),
    "/imports/{run_id}/summary.csv": ReadPath(Rule.PAGE, "ImportRun",
                                              "as the run's page, every row, page by page"),
    "/exports/sites.csv": ReadPath(Rule.PAGE, "SiteExport", "the sites the person may see"),
    "/exports/sites.geojson": ReadPath(Rule.PAGE, "SiteExport",
                                       "the sites the person may see"),
    "/account/two-step": ReadPath(Rule.CALLER, users.set_totp,
                                  "a new secret for the person themselves, stored once "
                                  "a code made from it comes back"),
    "/admin": ReadPath(Rule.CALLER, users.session_context, "a redirect by role"),
    "/admin/organisations": ReadPath(Rule.OWN_OR_OPERATOR, organisations.list_organisations,
                                     "the operator only; everyone else: not found"),
    "/admin/users": ReadPath(Rule.OWN_OR_OPERATOR, users.list_users,
                             "the organisation's admins (their own $orgId, chosen by "
                             "supplygraph/web/admin.py) and the operator"),
    "/admin/users/{user_id}/disable": ReadPath(Rule.WRITE, users.disable_user,
                                               "within the admin's own organisation only"),
    "/admin/clients": ReadPath(Rule.OWN_OR_OPERATOR, clients.list_clients,
                               "the organisation's admins (their own $orgId, chosen by "
                               "supplygraph/web/clients.py) and the operator; never a secret "
                               "but the one just made"),
    "/admin/clients/{client_id}/rotate": ReadPath(Rule.WRITE, clients.rotate_secret,
                                                  "within the admin's own organisation only; "
                                                  "the new secret, once"),
    "/admin/clients/{client_id}/disable": ReadPath(Rule.WRITE, clients.revoke_client,
                                                   "within the admin's own organisation only"),
    "/admin/webhooks": ReadPath(Rule.PAGE, "AdminWebhooks RegisterWebhook",
                                "the person's own organisation's webhooks (admins only)"),
    "/admin/webhooks/{webhook_id}/remove": ReadPath(Rule.PAGE, "DeleteWebhook",
                                                    "another organisation's webhook is not "
                                                    "found"),
    "/oauth/authorize": ReadPath(Rule.CALLER, clients.GET_CLIENT,
                                 "a client of the person's own organisation only (its name, "
                                 "the scopes the person may grant); errors before the "
                                 "redirect URI is verified stay on this site"),
}

# Rules held in the Cypher that reads Neo4j: their code must live in graph/.
IN_CYPHER = frozenset({Rule.FIELD, Rule.PROTECTED, Rule.RELATED, Rule.LIST, Rule.ANALYTIC,
                       Rule.OWN, Rule.OWN_OR_OPERATOR, Rule.WRITE})


def protected_of(shape: Shape) -> dict[str, Protected]:
    return {p.name: p for p in shape.protected}
