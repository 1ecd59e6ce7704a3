"""Bearer token validation: signature with pinned algorithms, `typ`, `iss`, `aud`, times.

Tokens of our own authorization server are ES256 only; an external identity provider
(settings.external_issuer + external_jwks_url) may use RS256 or ES256. The issuer is read
from the unverified payload only to choose the key set; the signature is then checked with
that set and `iss` is checked again as a claim. Revocation needs Neo4j and lives in
`auth.backend`.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx
from joserfc import jws, jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jwt import JWTClaimsRegistry

from auth.keys import ALGORITHM
from auth.scopes import Scope

if TYPE_CHECKING:
    from auth.keys import KeyStore
    from supplygraph.settings import Settings

EXTERNAL_ALGORITHMS = ("RS256", "ES256")
ACCEPTED_TYP = frozenset({"at+jwt", "application/at+jwt"})


class TokenError(Exception):
    """The token is not acceptable; `str(exc)` is safe to show to the caller."""


@dataclass(frozen=True)
class TokenClaims:
    issuer: str
    subject: str
    client_id: str
    org_id: str
    scopes: frozenset[Scope]
    jti: str
    expires_at: int
    issued_at: int | None
    external: bool
    audience: str | list[str] | None = None
    scope_text: str = ""


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        obj = jws.extract_compact(token.encode())
        payload = json.loads(obj.payload)
    except (JoseError, ValueError, TypeError, UnicodeError) as exc:
        raise TokenError("malformed token") from exc
    if not isinstance(payload, dict):
        raise TokenError("malformed token")
    return dict(obj.headers()), payload


def _scopes(value: Any) -> tuple[frozenset[Scope], str]:
    parts = value.split() if isinstance(value, str) else list(value or [])
    known = frozenset(Scope(p) for p in parts if p in Scope._value2member_map_)
    return known, " ".join(sorted(s.value for s in known))


class ExternalJwks:
    """The external issuer's JWKS, fetched with httpx and cached.

    Refetched after `ttl` seconds, or when a token names a kid we do not hold, but then at
    most once per `min_refetch` seconds, so a stream of forged kids cannot hammer the IdP.
    """

    def __init__(self, url: str, *, ttl: float = 300.0, min_refetch: float = 60.0,
                 timeout: float = 5.0) -> None:
        self.url = url
        self.ttl = ttl
        self.min_refetch = min_refetch
        self.timeout = timeout
        self._keys: KeySet | None = None
        self._fetched_at = 0.0
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def _fetch(self) -> None:
        async with httpx.AsyncClient(timeout=self.timeout) as client:
            resp = await client.get(self.url)
            resp.raise_for_status()
            data = resp.json()
        self._keys = KeySet.import_key_set(data)
        self._fetched_at = time.monotonic()
        self.fetches += 1

    async def keys_for(self, kid: str | None) -> KeySet:
        async with self._lock:
            age = time.monotonic() - self._fetched_at
            stale = self._keys is None or age > self.ttl
            unknown = self._keys is not None and kid is not None and not any(
                k.kid == kid for k in self._keys.keys)
            if stale or (unknown and age > self.min_refetch):
                try:
                    await self._fetch()
                except (httpx.HTTPError, ValueError, JoseError) as exc:
                    if self._keys is None:
                        raise TokenError("the external issuer's keys are unavailable") from exc
            assert self._keys is not None
            return self._keys


class TokenValidator:
    def __init__(self, settings: Settings, keys: KeyStore) -> None:
        self.settings = settings
        self.keys = keys
        self.issuer = settings.public_url
        # token -> (kept until, its claims): see `_remember`
        self._verified: dict[str, tuple[float, TokenClaims]] = {}
        self.external: ExternalJwks | None = None
        if settings.external_issuer and settings.external_jwks_url:
            self.external = ExternalJwks(settings.external_jwks_url,
                                         ttl=settings.external_jwks_ttl_seconds)

    async def validate(self, token: str) -> TokenClaims:
        hit = self._verified.get(token)
        if hit is not None:
            until, claims = hit
            now = time.time()
            # Its signature and claims were checked within the bound; only `exp` can have
            # passed since (time moves on past `iat`, never back before it).
            if now < until and now <= claims.expires_at + self.settings.token_leeway_seconds:
                return claims
            del self._verified[token]
        header, payload = _unverified(token)
        iss = payload.get("iss")
        if iss == self.issuer:
            claims = self.verify(token, self.keys.verification_keys(), external=False)
            self._remember(token, claims)
            return claims
        if self.external is not None and iss == self.settings.external_issuer:
            keyset = await self.external.keys_for(header.get("kid"))
            return self.verify(token, keyset, external=True)
        raise TokenError("unknown issuer")

    def _remember(self, token: str, claims: TokenClaims) -> None:
        """Keep a verified token of our own for the viewer cache's bound: a signature check
        (ES256) was a twentieth of a small request's CPU (bench/peer). A signing key dropped
        from the key store stops its tokens within the same bound that a revocation takes
        (`viewer_cache_seconds`); 0 keeps nothing. Bounded in entries, oldest out first."""
        seconds = self.settings.viewer_cache_seconds
        if seconds <= 0 or self.settings.viewer_cache_entries <= 0:
            return
        if len(self._verified) >= self.settings.viewer_cache_entries:
            del self._verified[next(iter(self._verified))]
        self._verified[token] = (time.time() + seconds, claims)

    def verify(self, token: str, keyset: KeySet, *, external: bool) -> TokenClaims:
        """Signature, `typ` and claims; no I/O."""
        s = self.settings
        algorithms = list(EXTERNAL_ALGORITHMS) if external else [ALGORITHM]
        try:
            decoded = jwt.decode(token, keyset, algorithms=algorithms)
        except JoseError as exc:
            raise TokenError("invalid signature or key") from exc
        typ = str(decoded.header.get("typ", "")).lower()
        if typ not in ACCEPTED_TYP:
            raise TokenError("not an access token (typ must be at+jwt)")
        issuer = s.external_issuer if external else self.issuer
        audience = (s.external_audience or s.audience) if external else s.audience
        registry = JWTClaimsRegistry(
            leeway=s.token_leeway_seconds,
            iss={"essential": True, "value": issuer},
            aud={"essential": True, "value": audience},
            exp={"essential": True},
            iat={"essential": not external},
            sub={"essential": True},
        )
        claims = decoded.claims
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise TokenError(f"invalid claims: {exc}") from exc
        org_claim = s.external_org_claim if external else "org"
        scope_claim = s.external_scope_claim if external else "scope"
        org = claims.get(org_claim)
        if not isinstance(org, str) or not org:
            raise TokenError("the token names no organisation")
        client_id = claims.get("client_id") or claims.get("azp") or claims["sub"]
        scopes, scope_text = _scopes(claims.get(scope_claim))
        jti = claims.get("jti")
        if not external and not jti:
            raise TokenError("the token has no jti")
        return TokenClaims(issuer=str(issuer), subject=str(claims["sub"]),
                           client_id=str(client_id), org_id=org, scopes=scopes,
                           jti=str(jti or ""), expires_at=int(claims["exp"]),
                           issued_at=claims.get("iat"), external=external,
                           audience=claims.get("aud"), scope_text=scope_text)
