"""The executor that reads plain fields directly (schema/core/execution.py) answers exactly as
graphql-core's own: same data, same key order, same errors at the same paths, same null
propagation. Checked on a schema of its own with every kind of field the fast path treats
or must refuse, and the documents that reach each branch; the API suites run every real
query through it besides."""

from __future__ import annotations

import asyncio
import enum
import json
from typing import Any

import pytest
import strawberry
from strawberry.permission import BasePermission
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from schema.core.execution import PlainFieldsExecutionContext


@strawberry.enum
class Level(enum.Enum):
    LOW = "LOW"
    HIGH = "HIGH"


class Never(BasePermission):
    message = "not allowed"

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return False


@strawberry.type
class Site:
    id: strawberry.ID
    name: str
    city: str | None
    level: Level
    secret: str | None = strawberry.field(permission_classes=[Never], default=None)

    @strawberry.field
    def shout(self) -> str:
        return self.name.upper()

    @strawberry.field
    async def later(self) -> str:
        return self.name[::-1]


@strawberry.type
class Entry:
    tier: int
    site: Site
    maybe_site: Site | None


@strawberry.type
class Broken:
    name: str  # set to None below: a non-null violation


@strawberry.type
class Holder:
    broken: Broken
    count: int  # set to a string below: a value the scalar refuses


def _site(i: int, city: str | None = "Kunshan") -> Site:
    return Site(id=strawberry.ID(f"s{i}"), name=f"Site {i}", city=city,
                level=Level.HIGH if i % 2 else Level.LOW, secret="x")


@strawberry.type
class Query:
    @strawberry.field
    def chain(self) -> list[Entry]:
        return [Entry(tier=i, site=_site(i, None if i == 2 else "Kunshan"),
                      maybe_site=_site(i) if i % 2 else None) for i in range(5)]

    @strawberry.field
    def holder(self) -> Holder | None:
        return Holder(broken=Broken(name=None), count="many")  # type: ignore[arg-type]

    @strawberry.field
    def strict_holder(self) -> Holder:
        return Holder(broken=Broken(name=None), count="many")  # type: ignore[arg-type]

    # Lists the compiled list reader must hand back to graphql-core at one bad item.
    @strawberry.field
    def holders(self) -> list[Holder]:
        return [Holder(broken=Broken(name="ok"), count=1),
                Holder(broken=Broken(name="ok"), count="many")]  # type: ignore[arg-type]

    @strawberry.field
    def gaps(self) -> list[Site | None]:
        return [_site(1), None, _site(3)]

    @strawberry.field
    def strict(self) -> list[Site]:
        return [_site(1), None, _site(3)]  # type: ignore[list-item]

    @strawberry.field
    def deep(self) -> list[Holder]:
        return [Holder(broken=Broken(name="ok"), count=1),
                Holder(broken=Broken(name=None), count=2)]  # type: ignore[arg-type]


DOCUMENTS = [
    "{ chain { tier site { id name city level } maybeSite { id name } } }",
    "{ chain { site { shout later name } tier } }",
    "{ chain { a: tier b: tier site { n: name n2: name } } }",
    "{ chain { __typename site { __typename id } } }",
    "{ chain { ...E } } fragment E on Entry { tier site { ...S } } fragment S on Site { id }",
    "query($x: Boolean!) { chain { tier @include(if: $x) site { name @skip(if: $x) id } } }",
    "{ chain { site { id secret } } }",
    "{ holder { count } }",
    "{ holder { broken { name } } }",
    "{ strictHolder { broken { name } count } }",
    "{ chain { tier } holder { count broken { name } } }",
    "{ holders { count broken { name } } }",
    "{ gaps { id level } }",
    "{ strict { id name } }",
    "{ deep { count broken { name } } }",
    "{ chain { tier site { id level } } gaps { name city } }",
]


def _run(context_class: Any, document: str) -> str:
    schema = strawberry.Schema(query=Query, execution_context_class=context_class)
    result = asyncio.run(schema.execute(document, variable_values={"x": True}))
    return json.dumps({
        "data": result.data,
        "errors": [{"message": e.message, "path": e.path} for e in result.errors or []],
    })


@pytest.mark.parametrize("document", DOCUMENTS)
def test_any_client_gets_the_answer_graphql_core_would_give(document: str) -> None:
    plain = _run(PlainFieldsExecutionContext, document)
    assert plain == _run(StrawberryGraphQLCoreExecutionContext, document)
    assert '"data"' in plain


def test_a_protected_field_is_never_read_directly() -> None:
    answer = json.loads(_run(PlainFieldsExecutionContext, "{ chain { site { secret } } }"))
    assert all(entry["site"]["secret"] is None for entry in answer["data"]["chain"])
    assert {e["message"] for e in answer["errors"]} == {"not allowed"}


def test_a_list_of_plain_objects_is_completed_without_graphql_cores_per_item_path(
        monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    per_item = StrawberryGraphQLCoreExecutionContext.complete_list_item_value

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return per_item(self, *args, **kwargs)

    monkeypatch.setattr(StrawberryGraphQLCoreExecutionContext, "complete_list_item_value",
                        counted)
    _run(PlainFieldsExecutionContext, "{ chain { tier site { id name city level } } }")
    assert calls == []
    # a resolver in the selection, or an item the reader will not complete: graphql-core's
    _run(PlainFieldsExecutionContext, "{ chain { site { shout } } }")
    assert len(calls) == 5
    _run(PlainFieldsExecutionContext, "{ strict { id } }")
    assert len(calls) > 5
