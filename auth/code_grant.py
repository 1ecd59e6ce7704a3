"""The authorization code grant with PKCE (RFC 6749 4.1, RFC 7636), on authlib's grant.

As for client credentials (auth/server.py), authlib runs on data read beforehand: the route
(supplygraph/web/consent.py for `/oauth/authorize`, auth/routes.py for `/oauth/token`) takes the
presented code from Neo4j on the event loop (graph/orgs/codes.py: counted once under a lock)
and hands it to the grant through `Incoming.code`; a code the grant issues is left in
`Incoming.new_code` for the route to store before it answers with the redirect.

Rules beyond authlib's defaults:
- PKCE for every client, public or confidential, and S256 only: "plain" would let whoever
  reads the authorization request (a log, a Referer) redeem the code.
- A redirect URI is always sent and must equal one registered URI character for character
  (`Client.check_redirect_uri`); no default, prefix or wildcard.
- The scope granted is what was asked (or the client's registration), cut to what the
  person's role allows (auth/people.py); the route refuses an empty result before asking.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from authlib.oauth2.rfc6749 import AuthorizationCodeGrant, InvalidRequestError
from authlib.oauth2.rfc7636 import CodeChallenge

from auth.people import token_key

if TYPE_CHECKING:
    from auth.scopes import Scope
    from graph.orgs.codes import CodeRecord

CODE_TTL_SECONDS = 120  # RFC 6749 4.1.2: "a maximum ... lifetime of 10 minutes"


@dataclass(frozen=True)
class GrantingPerson:
    """The signed-in person who approves (or whose code is redeemed)."""

    user_id: str
    org_id: str
    scopes: frozenset[Scope]


@dataclass(frozen=True)
class NewCode:
    """A code the grant issued, for the route to store (hashed) before redirecting."""

    key: str
    client_id: str
    user_id: str
    redirect_uri: str
    scope: str
    challenge: str
    challenge_method: str


def granted_scope(asked: str, person_scopes: frozenset[Scope]) -> str:
    """The asked (already cut to the client's registration) scopes the person may hold."""
    allowed = {s.value for s in person_scopes}
    return " ".join(sorted(s for s in asked.split() if s in allowed))


class S256Challenge(CodeChallenge):
    """PKCE required of every client, with `code_challenge_method=S256` said explicitly
    (RFC 7636 makes "plain" the default when the method is absent)."""

    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    CODE_CHALLENGE_METHODS = {"S256": CodeChallenge.CODE_CHALLENGE_METHODS["S256"]}

    def validate_code_challenge(self, grant: Any, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("PKCE is required: send code_challenge (S256)")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("code_challenge_method must be S256")
        super().validate_code_challenge(grant, redirect_uri)

    def get_authorization_code_challenge(self, authorization_code: CodeRecord) -> str:
        return authorization_code.code_challenge

    def get_authorization_code_challenge_method(self, authorization_code: CodeRecord) -> str:
        return authorization_code.code_challenge_method


class CodeGrant(AuthorizationCodeGrant):
    # "none": a public client, which CodeChallenge(required=True) holds to a verifier.
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post", "none"]

    def save_authorization_code(self, code: str, request: Any) -> None:
        person: GrantingPerson = request.user
        data = request.payload.data
        self.server.incoming.new_code = NewCode(
            key=token_key(code), client_id=request.client.get_client_id(),
            user_id=person.user_id, redirect_uri=request.payload.redirect_uri,
            scope=granted_scope(request.scope or "", person.scopes),
            challenge=data["code_challenge"], challenge_method=data["code_challenge_method"])

    def query_authorization_code(self, code: str, client: Any) -> CodeRecord | None:
        record: CodeRecord | None = self.server.incoming.code
        if (record is None or token_key(code) != self.server.incoming.code_key
                or record.client_id != client.get_client_id() or not record.usable):
            return None
        return record

    def delete_authorization_code(self, authorization_code: CodeRecord) -> None:
        """Nothing: the code was counted as used when it was taken (graph/orgs/codes.py)."""

    def authenticate_user(self, authorization_code: CodeRecord) -> GrantingPerson:
        from auth.scopes import Scope

        return GrantingPerson(authorization_code.user_id, authorization_code.org_id,
                              Scope.parse(authorization_code.scope))


def register(server: Any) -> None:
    server.register_grant(CodeGrant, [S256Challenge(required=True)])
