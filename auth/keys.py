"""The authorization server's signing keys: ES256, kept outside the source tree.

Layout of `settings.signing_keys_dir` (mode 0700, files 0600):
- `<kid>.jwk.json`: one private JWK per key;
- `keys.json`: `{"current": kid, "retired": [{"kid": ..., "retiredAt": epoch}, ...]}`.

The current key signs. A retired key stays in the JWKS (and verifies) until every token it
signed has expired: `retiredAt + token_ttl + leeway`. Processes re-read `keys.json` when its
modification time changes, so `supplygraph keys rotate` reaches a running server.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import ECKey, KeySet

ALGORITHM = "ES256"
_STATE = "keys.json"


@dataclass(frozen=True)
class _State:
    current: str
    retired: tuple[tuple[str, float], ...]


def _write_private(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


class KeyStore:
    def __init__(self, directory: Path, *, token_ttl: int, leeway: int) -> None:
        self.directory = directory
        self.keep_for = token_ttl + leeway
        self._lock = threading.Lock()
        self._loaded_mtime: float | None = None
        self._signing: ECKey | None = None
        self._keys: list[ECKey] = []
        self._valid_until: dict[str, float] = {}  # retired kid -> when it stops verifying

    @property
    def _state_file(self) -> Path:
        return self.directory / _STATE

    def _ensure_dir(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        os.chmod(self.directory, 0o700)

    def _new_key(self) -> ECKey:
        key = ECKey.generate_key("P-256", parameters={"alg": ALGORITHM, "use": "sig"},
                                 private=True, auto_kid=True)
        _write_private(self.directory / f"{key.kid}.jwk.json",
                       json.dumps(key.as_dict(private=True)))
        return key

    def _read_state(self) -> _State | None:
        try:
            data = json.loads(self._state_file.read_text())
        except FileNotFoundError:
            return None
        return _State(data["current"],
                      tuple((r["kid"], float(r["retiredAt"])) for r in data.get("retired", [])))

    def _write_state(self, state: _State) -> None:
        tmp = self.directory / (_STATE + ".tmp")
        _write_private(tmp, json.dumps({
            "current": state.current,
            "retired": [{"kid": k, "retiredAt": t} for k, t in state.retired],
        }))
        os.replace(tmp, self._state_file)

    def _load_key(self, kid: str) -> ECKey:
        data = json.loads((self.directory / f"{kid}.jwk.json").read_text())
        return ECKey.import_key(data)

    def _reload(self) -> None:
        """Read the key files if `keys.json` changed (or create the first key)."""
        with self._lock:
            try:
                mtime = self._state_file.stat().st_mtime_ns
            except FileNotFoundError:
                self._ensure_dir()
                key = self._new_key()
                self._write_state(_State(key.kid or "", ()))
                mtime = self._state_file.stat().st_mtime_ns
            if mtime == self._loaded_mtime and self._signing is not None:
                return
            state = self._read_state()
            assert state is not None
            now = time.time()
            signing = self._load_key(state.current)
            live = [(kid, at + self.keep_for) for kid, at in state.retired
                    if at + self.keep_for > now]
            self._signing = signing
            self._keys = [signing] + [self._load_key(kid) for kid, _ in live]
            self._valid_until = dict(live)
            self._loaded_mtime = mtime

    def signing_key(self) -> ECKey:
        self._reload()
        assert self._signing is not None
        return self._signing

    def _live_keys(self) -> list[ECKey]:
        self._reload()
        now = time.time()
        return [k for k in self._keys
                if k is self._signing or self._valid_until.get(k.kid or "", 0) > now]

    def verification_keys(self) -> KeySet:
        """The current key and retired keys whose tokens may still be unexpired."""
        return KeySet(self._live_keys())

    def public_jwks(self) -> dict[str, Any]:
        return {"keys": [k.as_dict(private=False) for k in self._live_keys()]}

    def rotate(self) -> tuple[str, str]:
        """Make a new signing key; returns (old kid, new kid). Drops keys past their time."""
        self._reload()
        with self._lock:
            state = self._read_state()
            assert state is not None
            now = time.time()
            new = self._new_key()
            kept = [(kid, at) for kid, at in state.retired if at + self.keep_for > now]
            dropped = [kid for kid, at in state.retired if at + self.keep_for <= now]
            self._write_state(_State(new.kid or "", ((state.current, now), *kept)))
            for kid in dropped:
                (self.directory / f"{kid}.jwk.json").unlink(missing_ok=True)
            self._loaded_mtime = None
        self._reload()
        return state.current, new.kid or ""
