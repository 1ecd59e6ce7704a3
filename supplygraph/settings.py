"""Typed settings, read once from the environment (and an optional `.env`).

`NEO4J_*` keep the names every Neo4j tool uses; everything else is `SUPPLYGRAPH_*`.
Secrets are `SecretStr` so that they never print in a repr or a log line.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

NEO4J_VERSION = "5.26.30"


def _default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "supplygraph"


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "supplygraph"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="SUPPLYGRAPH_", env_file=".env", extra="ignore", populate_by_name=True
    )

    # An external Neo4j (Docker, Aura, a cluster). Unset: the managed local server.
    neo4j_uri: str | None = Field(default=None, validation_alias=AliasChoices("NEO4J_URI"))
    neo4j_user: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_USER"))
    neo4j_password: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("NEO4J_PASSWORD")
    )
    neo4j_database: str = Field(default="neo4j", validation_alias=AliasChoices("NEO4J_DATABASE"))

    # The managed local Neo4j.
    data_dir: Path = Field(default_factory=_default_data_dir)
    cache_dir: Path = Field(default_factory=_default_cache_dir)
    neo4j_version: str = NEO4J_VERSION
    neo4j_bolt_port: int = 7687
    # Sized for a 2-core, 24 GiB machine shared with the API process and tests.
    neo4j_heap: str = "2g"
    neo4j_pagecache: str = "2g"
    neo4j_start_timeout: float = 120.0
    # Server-side ceiling on any transaction; queries also pass their own timeout.
    neo4j_transaction_timeout: str = "60s"
    # How long a cached Cypher plan is kept before a change in the data's statistics may
    # replan it (Neo4j's dbms.cypher.min_replan_interval; its default). Planning the
    # visibility-heavy list queries costs seconds on a cold server; tests, which wipe and
    # reload small worlds all the time, keep plans for the session.
    neo4j_replan_interval: str = "10s"
    # Limits and timeouts (docs/operations.md, "Load, limits and timeouts"). A statement's
    # transaction is stopped by Neo4j after query_timeout_seconds (answered TIMEOUT).
    query_timeout_seconds: float = 15.0
    # The driver's pool: one connection per request in flight (max_in_flight) and the
    # outbox worker's, with room to spare; waiting for one answers 503 OVERLOADED after
    # the acquisition timeout. A connect to a server that does not answer gives up after
    # the connection timeout (a refused connect fails at once).
    neo4j_max_pool_size: int = Field(default=100, ge=1, le=1000)
    neo4j_acquisition_timeout_seconds: float = Field(default=2.0, gt=0, le=120)
    neo4j_connection_timeout_seconds: float = Field(default=5.0, gt=0, le=120)
    # Transient errors (deadlocks, a leader switch) are retried with backoff this long.
    neo4j_retry_seconds: float = Field(default=5.0, ge=0, le=120)
    # With Neo4j unreachable every transaction fails at once (503 SERVICE_UNAVAILABLE);
    # a background probe asks it this often (graph/core/circuit.py).
    circuit_retry_seconds: float = Field(default=0.5, gt=0, le=60)
    # Once it answers again, Neo4j is cold: its first `circuit_warm_transactions` run at most
    # `circuit_warm_in_flight` at a time (about Neo4j's cores), so that the first requests
    # finish in a second or two instead of all of them planning together for 16-20 s.
    circuit_warm_in_flight: int = Field(default=2, ge=1, le=1000)
    circuit_warm_transactions: int = Field(default=50, ge=0, le=100_000)
    # Before closing, the probe runs the `circuit_warm_statements` reads this process runs
    # most, once each, for at most `circuit_warm_seconds` (graph/core/warm.py): a restarted
    # Neo4j plans and compiles each query shape again, for seconds when cold. Off by
    # default: on the loaded machine of its only measurement no statement finished within
    # the budget, which then only kept the circuit open longer (bench/README.md, run 5).
    circuit_warm_statements: int = Field(default=0, ge=0, le=48)
    circuit_warm_seconds: float = Field(default=10.0, ge=0, le=120)
    # /readyz waits at most this long for Neo4j's answer while the circuit is closed: a
    # load balancer's check must not hang on a Neo4j that accepts connections before it
    # answers them (starting), nor on a cold plan after a restart.
    ready_wait_seconds: float = Field(default=1.0, gt=0, le=60)

    # The API.
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"
    # `serve` (docs/operations.md): how many API processes share the port, and how long a
    # SIGTERM waits for requests in flight before cancelling them. Keep the container's stop
    # timeout above this plus webhook_timeout_seconds (the outbox worker's last delivery).
    workers: int = Field(default=1, ge=1, le=64)
    shutdown_grace_seconds: float = Field(default=20.0, gt=0, le=3600)
    # Requests the API works on at once over all `workers` processes of this host (each takes
    # its share); beyond it a request is answered 503 OVERLOADED with Retry-After at once,
    # rather than queueing (the 12 s p50 of issue 15). Health checks and /metrics are not
    # counted. Sized for Neo4j on 2 cores: about 8 requests per Neo4j core.
    max_in_flight: int = Field(default=16, ge=1, le=10_000)
    # Each process lowers its share while its requests finish slower than this (halved per
    # round of slow requests, down to admission_min_in_flight; grown back by about one per
    # round of fast ones): supplygraph/http/adaptive_limit.py. 0: a fixed share. 0.5 s: on a
    # quiet 2-core host it held the 64-client mix to 7 answers over 2 s with two workers, where
    # 1 s let 21 through (bench/README.md).
    admission_target_seconds: float = Field(default=0.5, ge=0, le=60)
    admission_min_in_flight: int = Field(default=2, ge=1, le=10_000)
    # Behind a reverse proxy: take the client's address from X-Forwarded-For, trusting only
    # the addresses in uvicorn's FORWARDED_ALLOW_IPS (default 127.0.0.1).
    proxy_headers: bool = False

    # Debugging memory (supplygraph/memdebug.py, bench/reliability/memory.py): unset, nothing.
    # Set, `serve` answers SIGUSR1 (a tracemalloc snapshot, when tracing) and SIGUSR2 (RSS
    # before and after malloc_trim) with files in this folder; tracing slows every request.
    debug_memory_dir: Path | None = None
    debug_tracemalloc_frames: int = Field(default=0, ge=0, le=100)

    # OAuth.
    token_ttl_seconds: int = 3600
    token_leeway_seconds: int = 30
    keys_dir: Path | None = None  # default: <data_dir>/keys
    audience: str = "supplygraph"
    external_issuer: str | None = None
    external_jwks_url: str | None = None
    external_audience: str | None = None
    external_org_claim: str = "org"
    external_scope_claim: str = "scope"
    external_jwks_ttl_seconds: float = 300.0
    # HMAC key (any string, 32 random bytes or more) signing the causal-consistency bookmarks
    # handed to clients (supplygraph/http/bookmarks.py); every API process needs the same.
    # Unset: `bookmarks.key` in the keys folder, created on first use (mode 0600).
    bookmark_key: SecretStr | None = None
    # How long a token's organisation, peers and revocation state are reused without asking
    # Neo4j (auth/viewer_cache.py): the bound on how late a revocation made on another
    # process, or a membership change, takes effect. 0 asks on every request.
    viewer_cache_seconds: float = Field(default=5.0, ge=0, le=60)
    viewer_cache_entries: int = Field(default=4096, ge=0, le=1_000_000)

    # GraphQL limits.
    max_depth: int = 12
    max_tokens: int = 5000
    max_aliases: int = 30
    max_page_size: int = 100
    default_page_size: int = 20
    max_batch_operations: int = 10
    max_body_bytes: int = 1_000_000

    # Cost and rate limits (docs/limits.md). Each API process keeps its own buckets; a
    # per-minute figure of 0 turns that limit off.
    max_query_cost: int = 50_000  # per request, estimated before it runs (schema/core/cost.py)
    cost_list_estimate: int = 10  # the size assumed for a list that takes no `first`
    max_selected_fields: int = 5_000  # per request, fragments spread (cost.py)
    rate_limit_requests_per_minute: int = 1200  # per OAuth client
    rate_limit_cost_per_minute: int = 1_000_000  # per OAuth client
    auth_failures_per_minute: int = 10  # per client id and per address, before any hashing
    rate_limit_max_keys: int = 10_000  # clients or addresses tracked per limit (LRU)

    # The web app for people (docs/ui.md): sessions live server side for this long after
    # sign-in; sign-in failures are throttled by auth_failures_per_minute, per e-mail address
    # and per network address. `web_locale`: the message catalogue pages are rendered in.
    web_session_hours: float = 8.0
    web_setup_link_hours: float = 72.0
    # Each `serve` process removes expired sessions and setup links this often (0: never;
    # `supplygraph users purge-sessions` does it once). supplygraph/housekeeping.py.
    web_purge_minutes: float = Field(default=60.0, ge=0)
    web_locale: str = "en"
    # Signing in through an organisation's own OpenID Connect provider (docs/ui.md): every
    # request to a provider gives up after oidc_timeout_seconds (an unreachable provider
    # costs a person that long); discovery documents and key sets are kept this long; the
    # browser has oidc_flow_minutes to come back from the provider.
    oidc_timeout_seconds: float = Field(default=5.0, gt=0, le=60)
    oidc_metadata_ttl_seconds: float = Field(default=300.0, ge=0, le=86_400)
    oidc_flow_minutes: float = Field(default=10.0, gt=0, le=60)
    # A site list uploaded on the web app's imports page (supplygraph/web/imports.py): at
    # most this many bytes and rows; the CLI's own limits (import_max_bytes) are for files
    # an operator runs.
    web_import_max_bytes: int = 10_000_000
    web_import_max_rows: int = 50_000

    # Site matching (graph/sites/matching.py) and bulk import (supplygraph/importer.py).
    # Scores are 0-100: at or above match_high an existing site is reused; from match_low
    # to match_high the caller must confirm; below match_low a new site is created.
    match_high: float = 82.0
    match_low: float = 70.0
    import_max_bytes: int = 50_000_000
    import_batch_size: int = 500
    import_max_batch_rows: int = 1000  # rows per importSites mutation call

    # Alerts (docs/alerts.md): webhooks, the outbox and its worker.
    run_worker_in_serve: bool = True
    # Hosts (names or IP addresses) a webhook may target even when they resolve to a
    # loopback, private, link-local or reserved address; or allow all such addresses.
    webhook_allow_hosts: list[str] = Field(default_factory=list)
    webhook_allow_private: bool = False
    # Fernet key (urlsafe base64, 32 bytes) encrypting webhook secrets at rest. Unset: a key
    # file `webhook-secrets.key` in the keys folder, created on first use (mode 0600).
    webhook_secret_key: SecretStr | None = None
    webhook_timeout_seconds: float = 10.0
    webhook_max_attempts: int = 8
    webhook_backoff_seconds: float = 10.0  # first retry; doubles each time, with jitter
    webhook_backoff_max_seconds: float = 3600.0
    worker_lease_seconds: float = 60.0  # at least twice the timeout is used
    worker_poll_seconds: float = 2.0
    worker_batch_size: int = 20

    # Analytics (issue 7: leverage, risk, contradictions; docs/leverage.md, docs/risk.md).
    leverage_min_count: int = 3  # counts 1..n-1 are shown as the band "fewer than n"
    stale_after_days: int = 548  # about 18 months: newest visible report older = stale
    contradiction_window_days: int = 180
    # The country risk table (country_code, rating 1-5, label, source, as_of). Unset: the
    # illustrative placeholder shipped in seeds/country_risk.csv.
    country_risk_path: Path | None = None

    @model_validator(mode="after")
    def _a_budget_holds_the_largest_request(self) -> Settings:
        if 0 < self.rate_limit_cost_per_minute < self.max_query_cost:
            raise ValueError("rate_limit_cost_per_minute must be at least max_query_cost: "
                             "a request the ceiling admits must fit in a full budget")
        return self

    @property
    def managed(self) -> bool:
        """True when the project runs its own local Neo4j."""
        return self.neo4j_uri is None

    @property
    def neo4j_dir(self) -> Path:
        return self.data_dir / "neo4j"

    @property
    def signing_keys_dir(self) -> Path:
        return self.keys_dir or (self.data_dir / "keys")


@lru_cache
def get_settings() -> Settings:
    return Settings()
