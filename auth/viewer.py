"""The caller of a request, as the rest of the code sees it."""

from __future__ import annotations

from dataclasses import dataclass, field

from auth.scopes import Scope
from graph.core.visibility import viewer_params


@dataclass(frozen=True)
class Viewer:
    """Who is calling (an organisation, through one OAuth client) and what it may do.

    `peers` are the organisations that share at least one consortium with `org_id`
    (itself included): CONSORTIUM-shared records of any of them are visible. It is computed
    once per request when the token is validated, so that visibility predicates in Cypher
    take it as a plain list parameter.
    """

    org_id: str
    client_id: str
    scopes: frozenset[Scope]
    org_kind: str = "PUBLIC_BUYER"
    org_name: str = ""
    consortia: frozenset[str] = field(default_factory=frozenset)
    peers: frozenset[str] = field(default_factory=frozenset)
    token_id: str | None = None
    issuer: str | None = None

    @property
    def is_operator(self) -> bool:
        """Acting as the service's operator: the organisation is the OPERATOR (who it is) and
        the client holds the admin scope (what it may call). A scope alone makes no one an
        operator, whichever organisation or identity provider granted it."""
        return self.org_kind == "OPERATOR" and Scope.ADMIN in self.scopes

    @property
    def limit_key(self) -> str:
        """Whose rate-limit budget a request spends: the OAuth client (of its issuer)."""
        return f"{self.issuer or ''}|{self.client_id}"

    def has(self, scope: Scope) -> bool:
        return scope in self.scopes

    def cypher_params(self) -> dict[str, object]:
        """The parameters every visibility predicate in graph/ takes."""
        return viewer_params(self.org_id, self.peers, operator=self.is_operator)
