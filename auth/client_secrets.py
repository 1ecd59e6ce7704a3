"""Client secrets: generated once, stored as a salted scrypt hash, compared in constant time.

The stored form is `scrypt$<n>$<r>$<p>$<salt b64>$<hash b64>`, so that the cost can rise
later without invalidating existing secrets.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

# ~16 MiB and tens of milliseconds per check: slow for a guesser, fine for a token request
# (a client asks for a token once an hour, not once a call).
_N, _R, _P = 2**14, 8, 1
_MAXMEM = 64 * 1024 * 1024


def new_client_secret() -> str:
    return secrets.token_urlsafe(32)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def hash_secret(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(secret.encode(), salt=salt, n=_N, r=_R, p=_P, maxmem=_MAXMEM,
                            dklen=32)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        expected = _unb64(digest)
        actual = hashlib.scrypt(secret.encode(), salt=_unb64(salt), n=int(n), r=int(r),
                                p=int(p), maxmem=_MAXMEM, dklen=len(expected))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)
