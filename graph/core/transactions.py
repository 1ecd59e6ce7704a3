"""One transaction of ours against Neo4j, tried again where that is safe, and the errors it
leaves with.

Ours rather than the driver's managed transactions: those retry a dead server for
`max_transaction_retry_time` (the 14 s wait of issue 15) and hide each attempt from the
circuit (graph/core/recovery.py). Here a dropped connection is tried once more on a fresh
one, then `GraphUnavailable` tells the circuit to open.

Transient errors (deadlocks, a leader switch) are retried with backoff for `retry_seconds`.
A write whose connection drops while committing is not retried (it may have been applied):
the client retries with its Idempotency-Key, which makes that safe.

Errors leave as `GraphUnavailable` (the server cannot be reached, or refused our credentials;
the message names the URI, never the password), `GraphBusy` (no pooled connection came free
within the acquisition timeout), `GraphTimeout` (Neo4j stopped the transaction at its time
limit) and `InvalidBookmark` (the server refused a bookmark a client sent back).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import neo4j
from neo4j import AsyncDriver
from neo4j.exceptions import (
    ClientError,
    ConnectionAcquisitionTimeoutError,
    DatabaseUnavailable,
    ServiceUnavailable,
    SessionExpired,
    TransientError,
)

T = TypeVar("T")


class GraphUnavailable(RuntimeError):
    """Neo4j cannot be reached, or refused the configured credentials."""


class GraphBusy(RuntimeError):
    """Every pooled connection stayed busy for the acquisition timeout: this process is
    asking more of Neo4j than its pool holds."""


class GraphTimeout(RuntimeError):
    """Neo4j stopped the transaction at its time limit (ours or the server's)."""


class InvalidBookmark(ValueError):
    """The server refused a bookmark: not one of its own, or of several databases."""


# Neo4j could not be reached: these open the circuit.
UNREACHABLE = (ServiceUnavailable, SessionExpired, DatabaseUnavailable, OSError)
# The server's codes for a transaction it stopped at a time limit (the driver reports the
# last two as client errors; a stop by an operator reads the same and is answered the same).
_TIMEOUT_CODES = frozenset({"Neo.ClientError.Transaction.TransactionTimedOut",
                            "Neo.ClientError.Transaction.TransactionTimedOutClientConfiguration",
                            "Neo.ClientError.Transaction.Terminated",
                            "Neo.ClientError.Transaction.LockClientStopped"})
_BOOKMARK_ERRORS = frozenset({"Neo.ClientError.Transaction.InvalidBookmark",
                              "Neo.ClientError.Transaction.InvalidBookmarkMixture"})


async def run_transaction(driver: AsyncDriver, database: str,
                          fn: Callable[[Any], Awaitable[T]], *, write: bool, manager: Any,
                          timeout: float | None, retry_seconds: float,
                          autocommit: bool = False) -> T:
    """`fn` in a transaction on `database`, retried as the module's docstring says; with
    `autocommit`, `fn` gets the session and runs one auto-commit statement."""
    mode = neo4j.WRITE_ACCESS if write else neo4j.READ_ACCESS
    fresh_connection_tries = 1
    delay, deadline = 0.05, None
    while True:
        committing = False
        try:
            async with driver.session(database=database, default_access_mode=mode,
                                      bookmark_manager=manager, fetch_size=-1) as session:
                if autocommit:
                    return await fn(session)
                tx = await session.begin_transaction(timeout=timeout)
                try:
                    result = await fn(tx)
                except BaseException:
                    await asyncio.shield(_close_quietly(tx))
                    raise
                committing = True
                await tx.commit()
                return result
        except ConnectionAcquisitionTimeoutError as exc:
            raise GraphBusy("no connection to Neo4j came free in time") from exc
        except UNREACHABLE as exc:
            if committing and write:
                raise GraphUnavailable("Neo4j went away while the write committed; "
                                       "retry it with its Idempotency-Key") from exc
            if fresh_connection_tries > 0:  # a pooled connection the server dropped
                fresh_connection_tries -= 1
                continue
            raise GraphUnavailable("Neo4j is not reachable") from exc
        except ClientError as exc:
            if exc.code in _BOOKMARK_ERRORS:
                raise InvalidBookmark(exc.message or exc.code or "invalid bookmark") from exc
            if exc.code in _TIMEOUT_CODES:
                raise GraphTimeout("the database stopped the transaction at its time "
                                   "limit") from exc
            raise
        except TransientError as exc:
            if not exc.is_retryable():
                raise
            now = time.monotonic()
            deadline = deadline or now + retry_seconds
            if now >= deadline:
                raise
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter
            delay = min(delay * 2, 1.0)


async def _close_quietly(tx: Any) -> None:
    """Rolls back a transaction whose work failed; its own failure adds nothing."""
    try:
        await tx.close()
    except Exception:  # noqa: BLE001 - the work's error is the one to report
        pass
