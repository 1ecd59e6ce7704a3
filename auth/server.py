"""The authorization server: authlib's generic server behind a thin Starlette adapter.

authlib is synchronous and asks for clients and tokens through plain method calls. So each
request goes in three steps:
1. on the event loop: read the form, load what authlib will ask for from Neo4j (the client
   record; for introspection and revocation the validated token);
2. in a worker thread: authlib runs on a per-request `AuthorizationServer` holding only
   that data (client secret checks are a slow hash: they must not block the loop);
3. on the event loop: persist what authlib decided (revoked jti) and write the access log.
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientCredentialsGrant,
    ClientMixin,
    InvalidClientError,
    InvalidRequestError,
    InvalidScopeError,
    JsonRequest,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from authlib.oauth2.rfc9068 import JWTBearerTokenGenerator

from auth import code_grant
from auth.client_secrets import verify_secret
from auth.keys import ALGORITHM
from auth.scopes import Scope

if TYPE_CHECKING:
    from auth.code_grant import NewCode
    from auth.keys import KeyStore
    from auth.tokens import TokenClaims
    from graph.orgs.clients import ClientRecord
    from graph.orgs.codes import CodeRecord
    from supplygraph.settings import Settings

AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


# ----- the client and token models authlib asks for -----------------------------------------
class Client(ClientMixin):
    def __init__(self, record: ClientRecord) -> None:
        self.record = record
        self.client_id = record.id
        self.org_id = record.org_id

    def get_client_id(self) -> str:
        return self.record.id

    def get_default_redirect_uri(self) -> str | None:
        return None  # the code grant always names its redirect URI (auth/code_grant.py)

    def get_allowed_scope(self, scope: str | None) -> str | None:
        registered = set(self.record.scopes)
        if not scope:
            return " ".join(sorted(registered))
        asked = set(scope_to_list(scope))
        if not asked <= registered:
            return None
        return " ".join(sorted(asked))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        # Exactly one of the registered URIs, character for character.
        return redirect_uri in self.record.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return not self.record.public and verify_secret(client_secret, self.record.secret_hash)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        # A public client has no secret: it may only redeem a code (with its PKCE verifier).
        if self.record.public:
            return method == "none" and endpoint == "token"
        return method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code" and bool(self.record.redirect_uris)

    def check_grant_type(self, grant_type: str) -> bool:
        if grant_type == "authorization_code":
            return bool(self.record.redirect_uris)
        return grant_type == "client_credentials" and not self.record.public


class Token:
    """A validated access token (ours), as the introspection/revocation endpoints see it."""

    def __init__(self, claims: TokenClaims, *, active: bool) -> None:
        self.claims = claims
        self.active = active

    def check_client(self, client: Client) -> bool:
        return client.get_client_id() == self.claims.client_id

    def get_scope(self) -> str:
        return self.claims.scope_text

    def is_expired(self) -> bool:
        return self.claims.expires_at <= time.time()

    def is_revoked(self) -> bool:
        return not self.active


# ----- the Starlette request, as authlib wants it -------------------------------------------
@dataclass
class Incoming:
    """What was read from the HTTP request on the event loop."""

    method: str
    uri: str
    headers: Mapping[str, str]  # case-insensitive (starlette Headers)
    form: dict[str, str]
    datalist: dict[str, list[str]]
    client: ClientRecord | None = None
    token: Token | None = None
    # The code grant (auth/code_grant.py): the presented code as taken from Neo4j, its key,
    # and a code issued by `/oauth/authorize`, to be stored before the redirect.
    code: CodeRecord | None = None
    code_key: str | None = None
    new_code: NewCode | None = None
    # Filled in by authlib's hooks in the worker thread, acted on back on the loop.
    revoked: list[Token] = field(default_factory=list)

    def presented_client_id(self) -> str | None:
        """The client id from HTTP Basic or the form; no secret is returned."""
        auth = self.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        if scheme.lower() == "basic" and value:
            try:
                decoded = base64.b64decode(value.strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                return None
            from urllib.parse import unquote

            return unquote(decoded.partition(":")[0]) or None
        return self.form.get("client_id") or None


class _Payload(OAuth2Payload):
    def __init__(self, incoming: Incoming) -> None:
        self._incoming = incoming

    @property
    def data(self) -> dict[str, str]:
        return self._incoming.form

    @property
    def datalist(self) -> Any:
        return self._incoming.datalist


class StarletteOAuth2Request(OAuth2Request):
    def __init__(self, incoming: Incoming) -> None:
        super().__init__(method=incoming.method, uri=incoming.uri, headers=incoming.headers)
        self.payload = _Payload(incoming)
        self.incoming = incoming

    @property
    def args(self) -> dict[str, str]:
        # `/oauth/authorize` puts its query (GET) or form (POST) parameters in `form`.
        return self.incoming.form if self.incoming.method == "GET" else {}

    @property
    def form(self) -> dict[str, str]:
        return self.incoming.form


class _Grant(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def validate_requested_scope(self) -> None:
        scope = self.request.payload.scope
        if scope is None:
            return
        asked = scope_to_list(scope) or []
        if not asked or any(s not in Scope._value2member_map_ for s in asked):
            raise InvalidScopeError(description="unknown scope requested")
        if self.request.client.get_allowed_scope(scope) is None:
            raise InvalidScopeError(description="scope beyond the client's registration")


class _TokenGenerator(JWTBearerTokenGenerator):
    def __init__(self, settings: Settings, keys: KeyStore) -> None:
        super().__init__(issuer=settings.public_url, alg=ALGORITHM,
                         expires_generator=settings.token_ttl_seconds)
        self.audience = settings.audience
        self.keys = keys

    def get_jwks(self) -> Any:
        return self.keys.signing_key()

    def get_audiences(self, client: Client, user: Any, scope: str) -> str:
        return self.audience

    def get_jti(self, client: Client, grant_type: str, user: Any, scope: str) -> str:
        return generate_token(32)

    def get_extra_claims(self, client: Client, grant_type: str, user: Any,
                         scope: str) -> dict[str, Any]:
        return {"org": client.org_id, "nbf": int(time.time())}

    def access_token_generator(self, client: Client, grant_type: str, user: Any,
                               scope: str) -> str:
        # authlib's header is {"alg", "typ"}; name the key so verifiers can pick it.
        from joserfc import jwt

        key = self.keys.signing_key()
        now = int(time.time())
        # A person's token (the code grant): `sub` is the person's account id and `org` their
        # organisation; a client's own token: both are the client's (docs/oauth.md).
        sub = user.user_id if user is not None else client.get_client_id()
        org = user.org_id if user is not None else client.org_id
        claims = {
            "iss": self.issuer, "sub": sub, "aud": self.audience,
            "client_id": client.get_client_id(), "org": org, "scope": scope,
            "iat": now, "nbf": now, "exp": now + self._get_expires_in(client, grant_type),
            "jti": self.get_jti(client, grant_type, user, scope),
        }
        return jwt.encode({"alg": ALGORITHM, "typ": "at+jwt", "kid": key.kid}, claims, key,
                          algorithms=[ALGORITHM])


class _Introspection(IntrospectionEndpoint):
    CLIENT_AUTH_METHODS = AUTH_METHODS

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return self.server.incoming.token

    def check_permission(self, token: Token, client: Client, request: Any) -> bool:
        # A client may introspect tokens of its own organisation; the operator's admin client
        # (the OPERATOR organisation and the admin scope, both), any.
        return (token.claims.org_id == client.org_id
                or (client.record.org_kind == "OPERATOR"
                    and Scope.ADMIN.value in client.record.scopes))

    def introspect_token(self, token: Token) -> dict[str, Any]:
        c = token.claims
        return {"active": True, "scope": c.scope_text, "client_id": c.client_id,
                "sub": c.subject, "aud": c.audience, "iss": c.issuer, "exp": c.expires_at,
                "iat": c.issued_at, "jti": c.jti, "org": c.org_id, "token_type": "Bearer"}


class _Revocation(RevocationEndpoint):
    CLIENT_AUTH_METHODS = AUTH_METHODS
    SUPPORTED_TOKEN_TYPES = ("access_token",)

    def query_token(self, token_string: str, token_type_hint: str | None) -> Token | None:
        return self.server.incoming.token

    def revoke_token(self, token: Token, request: Any) -> None:
        self.server.incoming.revoked.append(token)


class StarletteAuthorizationServer(AuthorizationServer):
    """One per request: it holds that request's prefetched client and token."""

    def __init__(self, settings: Settings, keys: KeyStore, incoming: Incoming) -> None:
        super().__init__(scopes_supported=[s.value for s in Scope])
        self.incoming = incoming
        self.register_grant(_Grant)
        code_grant.register(self)
        self.register_endpoint(_Introspection)
        self.register_endpoint(_Revocation)
        self.register_token_generator("default", _TokenGenerator(settings, keys))

    def query_client(self, client_id: str) -> Client | None:
        record = self.incoming.client
        if record is None or record.id != client_id or record.revoked:
            return None
        return Client(record)

    def save_token(self, token: dict[str, Any], request: OAuth2Request) -> None:
        """JWTs are self-contained: nothing to store (revocation stores the jti)."""

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signal bus here; the routes write the access log from the outcome."""

    def create_oauth2_request(self, request: Incoming) -> OAuth2Request:
        return StarletteOAuth2Request(request)

    def create_json_request(self, request: Incoming) -> JsonRequest:
        raise NotImplementedError("no JSON endpoints")

    def handle_response(self, status: int, body: Any,
                        headers: list[tuple[str, str]]) -> tuple[int, Any, dict[str, str]]:
        return status, body, dict(headers)

    def handle_error_response(self, request: Any, error: OAuth2Error) -> Any:
        # RFC 6749 5.2: 401 for a failed client authentication, whichever method was tried.
        if isinstance(error, InvalidClientError):
            error.status_code = 401
        return super().handle_error_response(request, error)


def invalid_request(description: str) -> tuple[int, Any, dict[str, str]]:
    status, body, headers = InvalidRequestError(description=description)()
    return status, body, dict(headers)
