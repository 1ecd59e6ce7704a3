"""What an update mutation changes: the validated properties given, and its note."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graph.core.errors import BAD_USER_INPUT, WriteRejected
from graph.core.fields import Checker


def changes(data: dict[str, Any], props_of: Callable[..., dict[str, Any]],
            ) -> tuple[dict[str, Any], str | None]:
    """The validated properties an update changes and its note; rejects an empty update."""
    c = Checker()
    props = props_of(data, c, partial=True)
    note = c.text(data, "note")
    c.reject_if_errors()
    if not props:
        raise WriteRejected.one(BAD_USER_INPUT, "nothing to change", ["input"])
    return props, note
