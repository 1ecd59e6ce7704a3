"""Webhooks: a member's endpoint for alerts, where it may point, its secret, its signature.

- **Where**: `http` or `https` only; the host must resolve, and every address it resolves to
  must be a public unicast one (no loopback, private, link-local, shared, multicast or
  reserved range) unless the operator allows the host (`webhook_allow_hosts`) or all private
  addresses (`webhook_allow_private`). Checked at registration and again before every
  delivery (`check_url`), so a name re-pointed at an internal address later (DNS rebinding)
  is refused then. Redirects are never followed.
- **Secret**: needed in clear to sign, so it is stored encrypted (Fernet, AES-128-CBC +
  HMAC-SHA256) with the operator's key (`webhook_secret_key`, or a key file created in the
  keys folder); it is never returned by the API and never logged.
- **Signature**: `X-Supplygraph-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
  "<t>.<body>">`, as Stripe does, so that a receiver can refuse old replays.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import os
import socket
from typing import TYPE_CHECKING, Any, LiteralString
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

from graph.core.model import Label
from graph.core.visibility import lit, visible_as

if TYPE_CHECKING:
    from neo4j import AsyncManagedTransaction

    from supplygraph.settings import Settings

SIGNATURE_HEADER = "X-Supplygraph-Signature"
DELIVERY_HEADER = "X-Supplygraph-Delivery"
EVENT_HEADER = "X-Supplygraph-Event"
MAX_URL = 2000


# ----- where a webhook may point ---------------------------------------------------------------
def _allowed_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return _allowed_address(ip.ipv4_mapped)
    return ip.is_global and not ip.is_multicast


async def _resolve(host: str, port: int) -> list[str]:
    loop = asyncio.get_running_loop()
    infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


async def check_url(url: str, settings: Settings) -> str | None:
    """Why `url` may not receive webhooks, or None when it may."""
    if len(url) > MAX_URL:
        return f"url is longer than {MAX_URL} characters"
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "url is not a valid URL"
    if parts.scheme not in ("http", "https"):
        return "url must be an http:// or https:// URL"
    host = parts.hostname
    if not host:
        return "url has no host"
    if parts.username or parts.password:
        return "url must not carry credentials"
    if host.lower() in {h.lower() for h in settings.webhook_allow_hosts}:
        return None
    try:
        addresses = await _resolve(host, port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError):
        return f"the host {host!r} does not resolve"
    if not addresses:
        return f"the host {host!r} does not resolve"
    if settings.webhook_allow_private:
        return None
    allowed = {h.lower() for h in settings.webhook_allow_hosts}
    for addr in addresses:
        ip = ipaddress.ip_address(addr.split("%")[0])
        if not _allowed_address(ip) and addr not in allowed:
            return (f"the host {host!r} resolves to a loopback, private, link-local or "
                    "reserved address; an operator must allow it")
    return None


# ----- the secret -------------------------------------------------------------------------------
def _fernet(settings: Settings) -> Fernet:
    if settings.webhook_secret_key is not None:
        return Fernet(settings.webhook_secret_key.get_secret_value().encode())
    path = settings.signing_keys_dir / "webhook-secrets.key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first: use theirs
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(Fernet.generate_key())
    return Fernet(path.read_bytes().strip())


def encrypt_secret(secret: str, settings: Settings) -> str:
    return _fernet(settings).encrypt(secret.encode()).decode()


def decrypt_secret(token: str, settings: Settings) -> str:
    return _fernet(settings).decrypt(token.encode()).decode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for `body` sent at `timestamp`."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, header: str, body: bytes) -> bool:
    """For receivers (and tests): does `header` sign `body` with `secret`?"""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        expected = sign(secret, int(fields["t"]), body)
    except (KeyError, ValueError):
        return False
    return hmac.compare_digest(expected, header)


# ----- storage ----------------------------------------------------------------------------------
_CREATE: LiteralString = (
    "CREATE (w:Webhook {id: $id, contributedBy: $org, url: $url, secretEnc: $secretEnc, "
    "minSeverity: $minSeverity, minRank: $minRank, categories: $categories, "
    "onlyMyExposure: $onlyMyExposure, active: true, createdAt: $now, updatedAt: $now, "
    "createdByClient: $client}) RETURN w.id AS id"
)

# What the API shows of a webhook: never the secret.
_LIST: LiteralString = (
    "MATCH (w:Webhook {contributedBy: $org, active: true}) "
    "RETURN w {.id, .url, .minSeverity, .categories, .onlyMyExposure, .createdAt, "
    ".contributedBy} AS webhook ORDER BY w.createdAt, w.id"
)
_ACCESS: LiteralString = (
    "OPTIONAL MATCH (w:Webhook {id: $id, active: true}) "
    "RETURN w IS NOT NULL AS exists, w.contributedBy AS owner"
)
# Deleted webhooks are deactivated, not removed: their deliveries stay recorded.
_DELETE: LiteralString = (
    "MATCH (w:Webhook {id: $id}) SET w.active = false, w.deletedAt = $now, "
    "w.secretEnc = null, w.updatedAt = $now "
    "WITH w OPTIONAL MATCH (e:OutboxEntry {webhookId: w.id, status: 'PENDING'}) "
    "SET e.status = 'CANCELLED', e.finishedAt = $now RETURN count(e) AS cancelled"
)


async def create_webhook(tx: AsyncManagedTransaction, params: dict[str, Any]) -> str:
    row = await (await tx.run(_CREATE, params)).single()
    assert row is not None
    return str(row["id"])


async def list_webhooks(graph: Any, org: str) -> list[dict[str, Any]]:
    rows = await graph.query(_LIST, {"org": org}, name="webhooks")
    return [r["webhook"] for r in rows]


async def delete_webhook(tx: AsyncManagedTransaction, *, webhook_id: str, org: str,
                         now: str) -> bool:
    """False when the organisation has no such active webhook (another's is not found
    either: a webhook is private to its owner)."""
    row = await (await tx.run(_ACCESS, {"id": webhook_id})).single()
    if row is None or not row["exists"] or row["owner"] != org:
        return False
    await tx.run(_DELETE, {"id": webhook_id, "now": now})
    return True


# A webhook's owner sees the deliveries of findings it may read now, and no other: an entry
# for a finding it may not read (pending, or dropped for that reason) would tell that the
# finding exists, when, and with one webhook per filter its category and severity.
DELIVERIES: LiteralString = lit(
    "MATCH (w:Webhook {id: $id, contributedBy: $viewerOrg}) "
    "MATCH (e:OutboxEntry {webhookId: w.id}) "
    "WHERE EXISTS { MATCH (f:Finding {id: e.subjectId}) "
    f"WHERE {visible_as(Label.FINDING, 'f')} }} "
    "WITH e ORDER BY e.createdAt DESC, e.id LIMIT $limit "
    "OPTIONAL MATCH (e)-[:ATTEMPT]->(a:DeliveryAttempt) "
    "WITH e, a ORDER BY a.number "
    "RETURN e {.id, .event, .status, .attempts, .createdAt, .finishedAt, .nextAttemptAt, "
    "  .dropReason} AS entry, "
    "  collect(a {.number, .at, .statusCode, .error, .durationMs}) AS attempts "
    "ORDER BY entry.createdAt DESC, entry.id"
)


async def deliveries(graph: Any, *, webhook_id: str, viewer: dict[str, Any],
                     limit: int) -> list[dict[str, Any]]:
    """The latest deliveries of the viewer's own webhook, as the viewer may read them."""
    return await graph.query(DELIVERIES, {"id": webhook_id, **viewer, "limit": limit},
                             name="webhook_deliveries")
