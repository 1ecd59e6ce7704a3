"""Read-your-writes across API processes: Neo4j's causal-consistency bookmarks, handed to the
client in a response header and accepted back on a later request (docs/operations.md).

A response to a request that wrote (or that sent a bookmark) carries `X-Supplygraph-Bookmark`:
an opaque token holding the Neo4j bookmarks of the request's transactions, signed with HMAC
so that only tokens this service issued are accepted. A request that sends the token back,
to any API process, has its reads wait until Neo4j has applied those writes. Signing matters:
a forged bookmark naming a future transaction would make Neo4j hold the request (and a
pooled connection) until its bookmark wait times out (30 s by default).

The token is `1.<payload>.<mac>`: the payload is the JSON list of bookmarks, base64url without
padding; the mac is HMAC-SHA256 over `1.<payload>` with the bookmark key (`bookmark_key`, or
`bookmarks.key` in the keys folder, created on first use: every process must share it, as
it shares the signing keys). Anything else (too long, another shape, a wrong mac, several
header lines) is refused with 400 `INVALID_BOOKMARK` before any work.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

    from supplygraph.settings import Settings

BOOKMARK_HEADER = "X-Supplygraph-Bookmark"
MAX_HEADER = 2048  # characters; a token of ours holds a few bookmarks of ~30 characters
MAX_BOOKMARKS = 16
MAX_BOOKMARK = 256
_VERSION = "1"
_TOKEN = re.compile(r"1\.([A-Za-z0-9_-]{1,2000})\.([A-Za-z0-9_-]{43})")
_KEY_FILE = "bookmarks.key"


class BadBookmark(ValueError):
    """A bookmark header this service did not issue, or cannot read."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _key_file(path: Path) -> bytes:
    """The key in `path`, made on first use. Written to a temporary file and linked into
    place, so a process never reads a half-written key and two racing processes agree."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(_b64(secrets.token_bytes(32)) + "\n")
        try:
            with contextlib.suppress(FileExistsError):  # another process was first: theirs
                os.link(tmp, path)
        finally:
            tmp.unlink()
    return _unb64(path.read_text().strip())


class BookmarkTokens:
    """Issues and checks bookmark tokens; the key is read on first use."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._key: bytes | None = None

    @property
    def key(self) -> bytes:
        if self._key is None:
            given = self._settings.bookmark_key
            self._key = (given.get_secret_value().encode() if given is not None
                         else _key_file(self._settings.signing_keys_dir / _KEY_FILE))
        return self._key

    def _mac(self, payload: str) -> str:
        return _b64(hmac.new(self.key, f"{_VERSION}.{payload}".encode(),
                             hashlib.sha256).digest())

    def issue(self, bookmarks: Sequence[str]) -> str:
        payload = _b64(json.dumps(sorted(bookmarks), separators=(",", ":")).encode())
        return f"{_VERSION}.{payload}.{self._mac(payload)}"

    def accept(self, values: Sequence[str]) -> list[str]:
        """The bookmarks in the request's header lines (none: no bookmarks); `BadBookmark`
        for anything this service did not issue."""
        values = [v.strip() for v in values if v.strip()]
        if not values:
            return []
        if len(values) > 1:
            raise BadBookmark(f"send one {BOOKMARK_HEADER} header, the latest you received")
        token = values[0]
        match = _TOKEN.fullmatch(token) if len(token) <= MAX_HEADER else None
        if match is None:
            raise BadBookmark(f"{BOOKMARK_HEADER} is not a bookmark issued by this service")
        payload, mac = match.groups()
        if not hmac.compare_digest(mac, self._mac(payload)):
            raise BadBookmark(f"{BOOKMARK_HEADER} is not a bookmark issued by this service "
                              "(or it was issued with another key)")
        try:
            bookmarks = json.loads(_unb64(payload))
        except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
            raise BadBookmark(f"{BOOKMARK_HEADER} cannot be read") from exc
        if not (isinstance(bookmarks, list) and 0 < len(bookmarks) <= MAX_BOOKMARKS
                and all(isinstance(b, str) and 0 < len(b) <= MAX_BOOKMARK
                        for b in bookmarks)):
            raise BadBookmark(f"{BOOKMARK_HEADER} cannot be read")
        return bookmarks


__all__ = ["BOOKMARK_HEADER", "BadBookmark", "BookmarkTokens"]
