"""The relying party of an organisation's own OpenID Connect provider (docs/ui.md).

authlib's client pieces do the protocol: `AsyncOAuth2Client` builds the authorization
request (PKCE S256) and exchanges the code; `OpenIDProviderMetadata` checks the provider's
discovery document; `CodeIDToken` checks the ID token's claims (iss, aud, azp, exp, iat,
nonce, at_hash) after joserfc has checked its signature with a key of the provider's JWKS,
in an algorithm the provider announces and we accept (asymmetric only: never `none`, never
an HMAC keyed by something public).

Every request to the provider has a timeout (`oidc_timeout_seconds`), so an unreachable
provider costs a person that long at most; discovery documents and key sets are kept for
`oidc_metadata_ttl_seconds` in the process, and a key set is fetched again once when an ID
token names a key it does not hold (the provider rotated its keys).
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
from authlib.common.security import is_secure_transport
from authlib.integrations.httpx_client import AsyncOAuth2Client, OAuthError
from authlib.oidc.core import CodeIDToken
from authlib.oidc.discovery import OpenIDProviderMetadata
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

if TYPE_CHECKING:
    from graph.orgs.oidc import OidcConfig
    from supplygraph.settings import Settings

# What we accept for an ID token's signature: the provider's keys are public, so only
# asymmetric algorithms; the provider's discovery document narrows this further.
ACCEPTED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
                       "ES256", "ES384", "ES512", "EdDSA")


class OidcFailure(Exception):
    """Signing in through the provider failed; `reason` picks the message shown
    (`oidc.<reason>` in the catalogue) and is all that is logged: never a token."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Flow:
    """What the browser's short-lived cookie carries from the start to the callback."""

    org_id: str
    state: str
    nonce: str
    verifier: str
    next: str

    @classmethod
    def new(cls, org_id: str, next_path: str) -> Flow:
        # 256 bits each; the verifier is 43 characters of the unreserved set (RFC 7636).
        return cls(org_id, secrets.token_urlsafe(32), secrets.token_urlsafe(32),
                   secrets.token_urlsafe(32), next_path)


@dataclass(frozen=True)
class Metadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    algorithms: tuple[str, ...]


def read_secret(ref: str | None) -> str | None:
    """The client secret from its reference (`env:NAME`, `file:/path`), read when used so
    that it is never stored with the configuration nor kept longer than a request."""
    if ref is None:
        return None
    kind, _, where = ref.partition(":")
    value: str | None = None
    if kind == "env":
        value = os.environ.get(where)
    elif kind == "file":
        try:
            value = Path(where).read_text().strip()
        except OSError:
            value = None
    if not value:
        raise OidcFailure("misconfigured")
    return value


class RelyingParty:
    """One per process (app.state.oidc): the provider documents and keys it has fetched."""

    def __init__(self, settings: Settings) -> None:
        self._timeout = httpx.Timeout(settings.oidc_timeout_seconds)
        self._ttl = settings.oidc_metadata_ttl_seconds
        self._leeway = settings.token_leeway_seconds
        self._metadata: dict[str, tuple[float, Metadata]] = {}
        self._keys: dict[str, tuple[float, KeySet]] = {}

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with httpx.AsyncClient(timeout=self._timeout, trust_env=False) as client:
                response = await client.get(url, headers={"Accept": "application/json"})
        except httpx.HTTPError:
            raise OidcFailure("unreachable") from None
        if response.status_code != 200:
            raise OidcFailure("unreachable")
        try:
            body = response.json()
        except ValueError:
            raise OidcFailure("provider_bad") from None
        if not isinstance(body, dict):
            raise OidcFailure("provider_bad")
        return body

    async def metadata(self, issuer: str) -> Metadata:
        cached = self._metadata.get(issuer)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        if not is_secure_transport(issuer):
            raise OidcFailure("misconfigured")  # https, or a loopback address for tests
        doc = await self._get_json(issuer.rstrip("/") + "/.well-known/openid-configuration")
        try:
            OpenIDProviderMetadata(doc).validate()
        except (ValueError, TypeError, KeyError):
            raise OidcFailure("provider_bad") from None
        # OpenID Connect Discovery 4.3: the document's issuer is exactly the one asked for.
        if doc.get("issuer") != issuer:
            raise OidcFailure("provider_bad")
        announced = doc.get("id_token_signing_alg_values_supported") or []
        algorithms = tuple(a for a in ACCEPTED_ALGORITHMS if a in announced)
        if not algorithms:
            raise OidcFailure("provider_bad")
        meta = Metadata(issuer, doc["authorization_endpoint"], doc["token_endpoint"],
                        doc["jwks_uri"], algorithms)
        self._metadata[issuer] = (time.monotonic() + self._ttl, meta)
        return meta

    async def _key_set(self, jwks_uri: str, *, fresh: bool = False) -> KeySet:
        cached = self._keys.get(jwks_uri)
        if not fresh and cached is not None and cached[0] > time.monotonic():
            return cached[1]
        try:
            keys = KeySet.import_key_set(await self._get_json(jwks_uri))  # type: ignore[arg-type]
        except (JoseError, ValueError, TypeError, KeyError):
            raise OidcFailure("provider_bad") from None
        self._keys[jwks_uri] = (time.monotonic() + self._ttl, keys)
        return keys

    def _client(self, config: OidcConfig, redirect_uri: str,
                secret: str | None) -> AsyncOAuth2Client:
        return AsyncOAuth2Client(
            client_id=config.client_id, client_secret=secret, scope=" ".join(config.scopes),
            redirect_uri=redirect_uri, code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic" if secret else "none",
            timeout=self._timeout, trust_env=False)

    async def authorization_url(self, config: OidcConfig, redirect_uri: str,
                                flow: Flow) -> str:
        meta = await self.metadata(config.issuer)
        async with self._client(config, redirect_uri, None) as client:
            url, _ = client.create_authorization_url(
                meta.authorization_endpoint, state=flow.state, code_verifier=flow.verifier,
                nonce=flow.nonce)
        return str(url)

    async def claims(self, config: OidcConfig, redirect_uri: str, code: str,
                     flow: Flow) -> dict[str, Any]:
        """Exchanges the code (with the PKCE verifier) and returns the ID token's claims
        once its signature and claims hold; raises `OidcFailure` otherwise."""
        meta = await self.metadata(config.issuer)
        secret = read_secret(config.secret_ref)
        try:
            async with self._client(config, redirect_uri, secret) as client:
                token = await client.fetch_token(meta.token_endpoint, code=code,
                                                 code_verifier=flow.verifier)
        except httpx.HTTPError:
            raise OidcFailure("unreachable") from None
        except (OAuthError, ValueError, KeyError):
            raise OidcFailure("refused") from None
        id_token = token.get("id_token") if isinstance(token, dict) else None
        if not isinstance(id_token, str):
            raise OidcFailure("bad_token")
        return await self._validate(config, meta, id_token, flow,
                                    token.get("access_token"))

    async def _validate(self, config: OidcConfig, meta: Metadata, id_token: str, flow: Flow,
                        access_token: object) -> dict[str, Any]:
        keys = await self._key_set(meta.jwks_uri)
        try:
            try:
                decoded = jwt.decode(id_token, keys, algorithms=list(meta.algorithms))
            except ValueError:
                # A key id we do not hold: the provider may have rotated its keys.
                decoded = jwt.decode(id_token, await self._key_set(meta.jwks_uri, fresh=True),
                                     algorithms=list(meta.algorithms))
            claims = CodeIDToken(
                decoded.claims, decoded.header,
                options={"iss": {"essential": True, "value": config.issuer},
                         "aud": {"essential": True, "value": config.client_id},
                         "sub": {"essential": True}, "exp": {"essential": True},
                         "iat": {"essential": True},
                         "nonce": {"essential": True, "value": flow.nonce}},
                params={"nonce": flow.nonce, "client_id": config.client_id,
                        "access_token": access_token if isinstance(access_token, str) else None})
            claims.validate(now=int(time.time()), leeway=self._leeway)
        except (JoseError, ValueError, TypeError, KeyError):
            raise OidcFailure("bad_token") from None
        return dict(claims)
