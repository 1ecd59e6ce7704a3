"""Scope checks at the GraphQL field: `permission_classes=[RequireScope(Scope.SITES_READ)]`.

Authentication happened before the request reached GraphQL (`auth.backend`); these
classes only decide whether the viewer's token carries the scope a field needs. A refusal is
a GraphQL error at the field's path with `extensions.code = "FORBIDDEN"`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from strawberry.permission import BasePermission

from auth.scopes import Scope

if TYPE_CHECKING:
    from strawberry.types import Info

    from auth.viewer import Viewer

FORBIDDEN = "FORBIDDEN"


def viewer_of(info: Info) -> Viewer | None:
    """`info.context.viewer`, whether the context is an object or a dict."""
    ctx = info.context
    viewer = ctx.get("viewer") if isinstance(ctx, dict) else getattr(ctx, "viewer", None)
    return viewer


class HasScope(BasePermission):
    """Base class: subclasses set `scope`. Use `RequireScope(scope)` to get one."""

    scope: Scope
    error_extensions = {"code": FORBIDDEN}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        viewer = viewer_of(info)
        return viewer is not None and viewer.has(self.scope)


@cache
def RequireScope(scope: Scope) -> type[HasScope]:  # noqa: N802 - reads as a class at the field
    """The permission class for one scope (one class per scope, reused)."""
    name = "Require" + "".join(part.title() for part in scope.value.replace(":", "_").split("_"))
    return type(name, (HasScope,), {
        "scope": scope,
        "message": f"this field needs the {scope.value} scope",
        "error_extensions": {"code": FORBIDDEN, "scope": scope.value},
    })


class IsAuthenticated(BasePermission):
    message = "authentication required"
    error_extensions = {"code": "UNAUTHENTICATED"}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return viewer_of(info) is not None
