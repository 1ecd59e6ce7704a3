"""Schema setup: constraints and indexes. Every statement is `IF NOT EXISTS`, so `migrate`
can run any number of times; `is_migrated` tells `seed` and `/readyz` whether it has.

Each index exists for a filter the API offers (docs/architecture.md); full-text indexes back
the `text` filters on sites (name, aliases, address) and on company names.
"""

from __future__ import annotations

import json
from typing import LiteralString

from graph.core.derived import structure_changed_outside
from graph.core.db import Graph

SCHEMA_VERSION = 9  # 2: history, idempotency keys, merged sites, import checkpoints;
# 3: disclosure requests, webhooks, the alert outbox; 4: stored exposures (graph/core/derived.py);
# 5: site identifiers, pending matches (issue 13);
# 6: people's accounts and their web sessions (graph/orgs/users.py);
# 7: the point index on sites' locations (the map, graph/sites/clusters.py);
# 8: authorization codes of the code grant (graph/orgs/codes.py);
# 9: import runs read through GraphQL: runs by id and organisation, batches by run, and each
#    batch's row outcomes (graph/imports/batches.py backfill_outcomes)

CONSTRAINTS: tuple[LiteralString, ...] = (
    "CREATE CONSTRAINT exposure_state_id IF NOT EXISTS "
    "FOR (n:ExposureState) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT organisation_id IF NOT EXISTS FOR (n:Organisation) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT brand_id IF NOT EXISTS FOR (n:Brand) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT supplier_id IF NOT EXISTS FOR (n:Supplier) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT site_id IF NOT EXISTS FOR (n:ProductionSite) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT category_id IF NOT EXISTS FOR (n:ProductCategory) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT contract_id IF NOT EXISTS FOR (n:Contract) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT report_id IF NOT EXISTS FOR (n:AuditReport) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT finding_id IF NOT EXISTS FOR (n:Finding) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT remediation_id IF NOT EXISTS "
    "FOR (n:RemediationAction) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT oauth_client_id IF NOT EXISTS FOR (n:OAuthClient) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT revoked_token_jti IF NOT EXISTS "
    "FOR (n:RevokedToken) REQUIRE n.jti IS UNIQUE",
    # Contributions (graph/core/records.py, graph/core/history.py, supplygraph/importer.py).
    "CREATE CONSTRAINT version_id IF NOT EXISTS FOR (n:Version) REQUIRE n.versionId IS UNIQUE",
    "CREATE CONSTRAINT idempotency_key IF NOT EXISTS "
    "FOR (n:IdempotencyKey) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT merged_site_id IF NOT EXISTS "
    "FOR (n:MergedProductionSite) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT import_batch_key IF NOT EXISTS "
    "FOR (n:ImportBatch) REQUIRE n.key IS UNIQUE",
    "CREATE CONSTRAINT import_run_id IF NOT EXISTS FOR (n:ImportRun) REQUIRE n.id IS UNIQUE",
    # Disclosure requests and alerts (graph/disclosures/requests.py, graph/alerts/outbox.py).
    "CREATE CONSTRAINT disclosure_request_id IF NOT EXISTS "
    "FOR (n:DisclosureRequest) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT webhook_id IF NOT EXISTS FOR (n:Webhook) REQUIRE n.id IS UNIQUE",
    # Pending matches are kept once per organisation and content (graph/sites/pending.py).
    "CREATE CONSTRAINT pending_match_id IF NOT EXISTS "
    "FOR (n:PendingMatch) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT outbox_entry_id IF NOT EXISTS "
    "FOR (n:OutboxEntry) REQUIRE n.id IS UNIQUE",
    # People and their web sessions (graph/orgs/users.py): one account per e-mail address.
    "CREATE CONSTRAINT user_id IF NOT EXISTS FOR (n:User) REQUIRE n.id IS UNIQUE",
    "CREATE CONSTRAINT user_email IF NOT EXISTS FOR (n:User) REQUIRE n.email IS UNIQUE",
    "CREATE CONSTRAINT user_setup_hash IF NOT EXISTS "
    "FOR (n:User) REQUIRE n.setupHash IS UNIQUE",
    "CREATE CONSTRAINT web_session_key IF NOT EXISTS "
    "FOR (n:WebSession) REQUIRE n.key IS UNIQUE",
    # Authorization codes (graph/orgs/codes.py), found by their SHA-256 only.
    "CREATE CONSTRAINT authorization_code_key IF NOT EXISTS "
    "FOR (n:AuthorizationCode) REQUIRE n.key IS UNIQUE",
)

INDEXES: tuple[LiteralString, ...] = (
    "CREATE INDEX site_country IF NOT EXISTS FOR (n:ProductionSite) ON (n.countryCode)",
    "CREATE INDEX site_type IF NOT EXISTS FOR (n:ProductionSite) ON (n.siteType)",
    "CREATE INDEX site_country_type IF NOT EXISTS "
    "FOR (n:ProductionSite) ON (n.countryCode, n.siteType)",
    "CREATE INDEX site_sharing IF NOT EXISTS FOR (n:ProductionSite) ON (n.sharing)",
    # Identifiers: indexes, not uniqueness constraints (graph/sites/identifiers.py says why).
    "CREATE INDEX site_os_id IF NOT EXISTS FOR (n:ProductionSite) ON (n.osId)",
    "CREATE INDEX site_lei IF NOT EXISTS FOR (n:ProductionSite) ON (n.lei)",
    "CREATE INDEX site_duns IF NOT EXISTS FOR (n:ProductionSite) ON (n.duns)",
    "CREATE INDEX site_rba IF NOT EXISTS FOR (n:ProductionSite) ON (n.rbaFacilityId)",
    "CREATE INDEX site_factory_code IF NOT EXISTS FOR (n:ProductionSite) ON (n.factoryCode)",
    # The map's bounding boxes (point.withinBBox, graph/sites/clusters.py).
    "CREATE POINT INDEX site_location IF NOT EXISTS FOR (n:ProductionSite) ON (n.location)",
    "CREATE INDEX site_findings_changed IF NOT EXISTS "
    "FOR (n:ProductionSite) ON (n.findingsChangedAt)",
    "CREATE INDEX finding_status IF NOT EXISTS FOR (n:Finding) ON (n.status)",
    "CREATE INDEX finding_severity IF NOT EXISTS FOR (n:Finding) ON (n.severityRank)",
    "CREATE INDEX finding_category IF NOT EXISTS FOR (n:Finding) ON (n.category)",
    "CREATE INDEX contract_buyer IF NOT EXISTS FOR (n:Contract) ON (n.contributedBy)",
    "CREATE INDEX contract_reference IF NOT EXISTS FOR (n:Contract) ON (n.reference)",
    "CREATE INDEX report_kind IF NOT EXISTS FOR (n:AuditReport) ON (n.kind)",
    "CREATE INDEX brand_country IF NOT EXISTS FOR (n:Brand) ON (n.countryCode)",
    "CREATE INDEX supplier_country IF NOT EXISTS FOR (n:Supplier) ON (n.countryCode)",
    "CREATE INDEX category_cpv IF NOT EXISTS FOR (n:ProductCategory) ON (n.cpvCode)",
    "CREATE INDEX organisation_kind IF NOT EXISTS FOR (n:Organisation) ON (n.kind)",
    "CREATE INDEX disclosure_supplier IF NOT EXISTS "
    "FOR (n:DisclosureRequest) ON (n.supplierId)",
    "CREATE INDEX disclosure_contract IF NOT EXISTS "
    "FOR (n:DisclosureRequest) ON (n.contractId)",
    "CREATE INDEX webhook_owner IF NOT EXISTS FOR (n:Webhook) ON (n.contributedBy)",
    "CREATE INDEX pending_match_owner IF NOT EXISTS FOR (n:PendingMatch) ON (n.contributedBy)",
    "CREATE INDEX webhook_active IF NOT EXISTS FOR (n:Webhook) ON (n.active)",
    # A run's rows are its batches (`importRun.rows`); an organisation lists its own runs.
    "CREATE INDEX import_batch_run IF NOT EXISTS FOR (n:ImportBatch) ON (n.run)",
    "CREATE INDEX import_run_org IF NOT EXISTS FOR (n:ImportRun) ON (n.contributedBy)",
    "CREATE INDEX outbox_due IF NOT EXISTS FOR (n:OutboxEntry) ON (n.status, n.nextAttemptAt)",
    "CREATE INDEX outbox_webhook IF NOT EXISTS FOR (n:OutboxEntry) ON (n.webhookId)",
    "CREATE FULLTEXT INDEX site_text IF NOT EXISTS FOR (n:ProductionSite) "
    "ON EACH [n.name, n.aliasesText, n.address, n.city]",
    "CREATE FULLTEXT INDEX company_text IF NOT EXISTS FOR (n:Brand|Supplier|Organisation) "
    "ON EACH [n.name]",
)

_MARK: LiteralString = (
    "MERGE (m:SchemaMigration {id: 'supplygraph'}) SET m.version = $version, m.at = datetime()"
)
_IS_MIGRATED: LiteralString = (
    "OPTIONAL MATCH (m:SchemaMigration {id: 'supplygraph'}) RETURN m.version AS version"
)
_AWAIT: LiteralString = "CALL db.awaitIndexes(300)"
# Version 9: import batches committed before they kept `outcomes` (graph/imports/batches.py)
# are given theirs, read from their rows; a data step of this migration, hence here.
_WITHOUT_OUTCOMES: LiteralString = (
    "MATCH (b:ImportBatch) WHERE b.outcomes IS NULL RETURN b.key AS key, b.results AS results "
    "LIMIT 500"
)
_SET_OUTCOMES: LiteralString = (
    "UNWIND $batches AS x MATCH (b:ImportBatch {key: x.key}) SET b.outcomes = x.outcomes"
)


async def migrate(graph: Graph) -> int:
    """Create every constraint and index; returns how many statements ran."""
    statements = (*CONSTRAINTS, *INDEXES)
    for stmt in statements:
        await graph.query(stmt, write=True, name="migrate")
    await graph.query(_AWAIT, write=True, name="migrate")
    await backfill_outcomes(graph)
    await graph.query(_MARK, {"version": SCHEMA_VERSION}, write=True, name="migrate")
    # Stored exposures built by an earlier release may differ in form: rebuild them all.
    await structure_changed_outside(graph)
    return len(statements)


async def backfill_outcomes(graph: Graph) -> int:
    """Gives every import batch without `outcomes` its rows' outcomes; safe to run again."""
    done = 0
    while rows := await graph.query(_WITHOUT_OUTCOMES, write=True, name="migrate"):
        batches = [{"key": r["key"], "outcomes": [x["outcome"] for x in
                                                  json.loads(r["results"] or "[]")]}
                   for r in rows]
        await graph.query(_SET_OUTCOMES, {"batches": batches}, write=True, name="migrate")
        done += len(batches)
    return done


async def is_migrated(graph: Graph) -> bool:
    rows = await graph.query(_IS_MIGRATED, name="is_migrated")
    return bool(rows) and rows[0]["version"] is not None and rows[0]["version"] >= SCHEMA_VERSION
