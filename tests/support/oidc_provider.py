"""A small, real OpenID Connect provider the tests start: Starlette served by uvicorn on a
free 127.0.0.1 port, with its own RSA key (joserfc).

It does what the web app relies on a provider to do, and checks what a provider checks:
discovery (`/.well-known/openid-configuration`), its key set (`/jwks`), the authorization
endpoint (exact client id and redirect URI, `response_type=code`, `openid` in the scope, a
PKCE S256 challenge; a sign-in form where a person of the provider types their address), and
the token endpoint (client_secret_basic, single-use codes bound to client and redirect URI,
the PKCE verifier checked against the challenge). The ID token carries iss, sub, aud, exp,
iat, nonce, email, email_verified and `groups`.

`mischief` makes the token endpoint misbehave as an attacker or a broken provider would, for
the attack tests: `other_key` (signed by a key not in the JWKS, under the published key's
id), `other_audience`, `replay` (the ID token issued before, for another flow), `expired`,
`alg_none` (unsigned).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import json
import secrets
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from tests.support.oauth import free_port, serve_in_thread


@dataclass
class Provider:
    client_id: str
    client_secret: str
    redirect_uri: str
    # e-mail -> extra claims (e.g. groups); a person the provider knows
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    issuer: str = ""
    mischief: str | None = None
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(
        2048, parameters={"kid": secrets.token_hex(4), "use": "sig", "alg": "RS256"}))
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    issued: list[str] = field(default_factory=list)
    token_requests: int = 0

    # ----- endpoints ----------------------------------------------------------------------
    async def discovery(self, request: Request) -> Response:
        return JSONResponse({
            "issuer": self.issuer, "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token", "jwks_uri": f"{self.issuer}/jwks",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic"],
            "code_challenge_methods_supported": ["S256"]})

    async def jwks(self, request: Request) -> Response:
        return JSONResponse({"keys": [self.key.as_dict(private=False)]})

    async def authorize(self, request: Request) -> Response:
        q = dict(request.query_params) if request.method == "GET" else \
            {k: str(v) for k, v in (await request.form()).items()}
        if q.get("client_id") != self.client_id or q.get("redirect_uri") != self.redirect_uri:
            return HTMLResponse("unknown client or redirect URI", status_code=400)
        back = self.redirect_uri + "?"
        if q.get("response_type") != "code" or "openid" not in q.get("scope", "").split() \
                or q.get("code_challenge_method") != "S256" or not q.get("code_challenge"):
            return RedirectResponse(back + urlencode({"error": "invalid_request",
                                                      "state": q.get("state", "")}), 303)
        if request.method == "GET":
            hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" '
                             f'value="{html.escape(v)}">' for k, v in q.items())
            return HTMLResponse(
                "<!doctype html><html lang=en><title>Provider sign-in</title><main>"
                "<h1>Provider sign-in</h1><form method=post action=/authorize>"
                f"{hidden}<label for=who>Your address</label>"
                "<input id=who name=who type=email>"
                "<button name=go value=yes>Sign in</button>"
                "<button name=go value=no>Cancel</button></form></main></html>")
        who = q.get("who", "").strip().lower()
        if q.get("go") != "yes":
            return RedirectResponse(back + urlencode({"error": "access_denied",
                                                      "state": q.get("state", "")}), 303)
        if who not in self.people:
            return HTMLResponse("unknown person", status_code=401)
        code = secrets.token_urlsafe(24)
        self.codes[code] = {"who": who, "nonce": q.get("nonce"),
                            "challenge": q["code_challenge"], "redirect_uri": q["redirect_uri"]}
        return RedirectResponse(back + urlencode({"code": code, "state": q.get("state", "")}),
                                303)

    def _client_ok(self, request: Request) -> bool:
        header = request.headers.get("authorization", "")
        if not header.startswith("Basic "):
            return False
        expected = base64.b64encode(f"{self.client_id}:{self.client_secret}".encode()).decode()
        return secrets.compare_digest(header[6:], expected)

    async def token(self, request: Request) -> Response:
        self.token_requests += 1
        form = {k: str(v) for k, v in (await request.form()).items()}
        if not self._client_ok(request):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        grant = self.codes.pop(form.get("code", ""), None)  # single use
        if form.get("grant_type") != "authorization_code" or grant is None \
                or form.get("redirect_uri") != grant["redirect_uri"]:
            return JSONResponse({"error": "invalid_grant"}, status_code=400)
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(
            hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
        if not secrets.compare_digest(challenge, grant["challenge"]):
            return JSONResponse({"error": "invalid_grant",
                                 "error_description": "PKCE verifier"}, status_code=400)
        access = secrets.token_urlsafe(24)
        id_token = self._id_token(grant)
        self.issued.append(id_token)
        return JSONResponse({"access_token": access, "token_type": "Bearer",
                             "expires_in": 300, "id_token": id_token})

    def _id_token(self, grant: dict[str, Any]) -> str:
        now = int(time.time())
        claims = {"iss": self.issuer, "sub": hashlib.sha256(grant["who"].encode()).hexdigest(),
                  "aud": self.client_id, "iat": now, "exp": now + 300,
                  "nonce": grant["nonce"], "email": grant["who"], "email_verified": True,
                  **self.people[grant["who"]]}
        key = self.key
        if self.mischief == "replay" and self.issued:
            return self.issued[-1]
        if self.mischief == "other_audience":
            claims["aud"] = "another-client"
        if self.mischief == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 600
        if self.mischief == "other_key":
            key = RSAKey.generate_key(2048, parameters={"kid": self.key.kid})
        if self.mischief == "alg_none":
            part = [base64.urlsafe_b64encode(json.dumps(x).encode()).decode().rstrip("=")
                    for x in ({"alg": "none", "kid": self.key.kid}, claims)]
            return f"{part[0]}.{part[1]}."
        return jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)

    def app(self) -> Starlette:
        return Starlette(routes=[
            Route("/.well-known/openid-configuration", self.discovery),
            Route("/jwks", self.jwks),
            Route("/authorize", self.authorize, methods=["GET", "POST"]),
            Route("/token", self.token, methods=["POST"])])


@contextlib.contextmanager
def running(provider: Provider) -> Iterator[Provider]:
    """The provider served on a free 127.0.0.1 port (its issuer is that address)."""
    port = free_port()
    provider.issuer = f"http://127.0.0.1:{port}"
    with serve_in_thread(provider.app(), port):
        yield provider
