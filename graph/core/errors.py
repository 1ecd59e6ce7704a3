"""Errors of the graph layer: what a write refuses, with a code and the input path.

Graph code raises these (never a GraphQL error); the schema maps them to mutation errors,
the importer to row results, the CLI to one line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

NOT_FOUND = "NOT_FOUND"
FORBIDDEN = "FORBIDDEN"
BAD_USER_INPUT = "BAD_USER_INPUT"
CONFLICT = "CONFLICT"


@dataclass(frozen=True)
class FieldError:
    """One reason a write was refused: a code, a message and the input path."""

    code: str
    message: str
    path: tuple[str | int, ...] = ()


class WriteRejected(Exception):
    """Raised inside a write transaction to roll it back with these errors."""

    def __init__(self, errors: Sequence[FieldError]) -> None:
        super().__init__("; ".join(e.message for e in errors))
        self.errors = list(errors)

    @classmethod
    def one(cls, code: str, message: str, path: Sequence[str | int] = ()) -> WriteRejected:
        return cls([FieldError(code, message, tuple(path))])

    def under(self, *prefix: str | int) -> WriteRejected:
        """The same errors with their paths under `prefix` (e.g. "input")."""
        return WriteRejected([FieldError(e.code, e.message, (*prefix, *e.path))
                              for e in self.errors])
