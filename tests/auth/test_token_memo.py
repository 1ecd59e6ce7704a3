"""The validator keeps a verified token of its own issuer for the viewer cache's bound
(auth/tokens.py `_remember`): the signature is checked once, `exp` every time, and a key
dropped from the store stops its tokens within the bound. No Neo4j: tokens and keys only."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from joserfc import jwt

from auth.keys import KeyStore
from auth.tokens import TokenError, TokenValidator
from supplygraph.settings import Settings


def _setup(tmp_path: Path, **update: Any) -> tuple[Settings, KeyStore, TokenValidator]:
    settings = Settings(data_dir=tmp_path, **update)
    keys = KeyStore(settings.signing_keys_dir, token_ttl=settings.token_ttl_seconds,
                    leeway=settings.token_leeway_seconds)
    return settings, keys, TokenValidator(settings, keys)


def _token(settings: Settings, keys: KeyStore, lifetime: int = 600) -> str:
    key, now = keys.signing_key(), int(time.time())
    claims = {"iss": settings.public_url, "aud": settings.audience, "sub": "sgc_memo",
              "client_id": "sgc_memo", "org": "ORG-MEMO", "scope": "sites:read",
              "iat": now, "nbf": now, "exp": now + lifetime, "jti": f"memo-{time.time_ns()}"}
    return jwt.encode({"alg": "ES256", "typ": "at+jwt", "kid": key.kid}, claims, key,
                      algorithms=["ES256"])


def _counting(validator: TokenValidator, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    verify = validator.verify

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return verify(*args, **kwargs)

    monkeypatch.setattr(validator, "verify", counted)
    return calls


def test_a_clients_repeated_token_is_verified_once_within_the_bound(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, keys, validator = _setup(tmp_path)
    calls = _counting(validator, monkeypatch)
    token = _token(settings, keys)
    first = asyncio.run(validator.validate(token))
    assert asyncio.run(validator.validate(token)) == first
    assert calls == [1]


def test_with_the_viewer_cache_off_every_request_verifies(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings, keys, validator = _setup(tmp_path, viewer_cache_seconds=0)
    calls = _counting(validator, monkeypatch)
    token = _token(settings, keys)
    asyncio.run(validator.validate(token))
    asyncio.run(validator.validate(token))
    assert calls == [1, 1]


def test_a_kept_token_past_its_expiry_is_refused(tmp_path: Path) -> None:
    settings, keys, validator = _setup(tmp_path, token_leeway_seconds=0,
                                       viewer_cache_seconds=60)
    # 3 s: the first check must fall before `exp` even on a stalled machine
    token = _token(settings, keys, lifetime=3)
    asyncio.run(validator.validate(token))
    time.sleep(4.1)  # past `exp` (whole seconds) with the leeway at 0
    with pytest.raises(TokenError):
        asyncio.run(validator.validate(token))


def test_a_token_whose_key_left_the_store_is_refused_once_the_bound_passed(
        tmp_path: Path) -> None:
    settings, keys, validator = _setup(tmp_path, viewer_cache_seconds=0.5)
    token = _token(settings, keys)
    asyncio.run(validator.validate(token))
    # the operator drops every key (a compromise): the store signs with a new one only
    for path in settings.signing_keys_dir.iterdir():
        path.unlink()
    keys.signing_key()
    time.sleep(0.6)
    with pytest.raises(TokenError):
        asyncio.run(validator.validate(token))


def test_kept_tokens_are_bounded_in_number(tmp_path: Path) -> None:
    settings, keys, validator = _setup(tmp_path, viewer_cache_entries=3)
    for _ in range(5):
        asyncio.run(validator.validate(_token(settings, keys)))
    assert len(validator._verified) == 3
