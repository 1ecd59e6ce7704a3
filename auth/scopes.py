"""OAuth scopes: which operations a client may call (api.md)."""

from __future__ import annotations

from enum import Enum


class Scope(str, Enum):
    SITES_READ = "sites:read"
    SITES_WRITE = "sites:write"
    REPORTS_READ = "reports:read"
    REPORTS_WRITE = "reports:write"
    CONTRACTS_READ = "contracts:read"
    CONTRACTS_WRITE = "contracts:write"
    ADMIN = "admin"

    @classmethod
    def parse(cls, text: str) -> frozenset[Scope]:
        """Space-separated scope string -> set; raises ValueError naming an unknown scope."""
        out = set()
        for part in text.split():
            try:
                out.add(cls(part))
            except ValueError:
                raise ValueError(f"unknown scope {part!r}") from None
        return frozenset(out)


ALL_SCOPES = frozenset(Scope)
