"""Identifiers.

Production sites get an id in the spirit of the Open Supply Hub OS ID: country code, year,
day of the year, five random base-32 characters, and one ISO 7064 MOD 37,36 check
character, e.g. `CN2026329X1K87E`. A mistyped character or two swapped neighbours fail
`is_valid_site_id`, so a buyer quoting an id over the phone gets caught.
"""

from __future__ import annotations

import random
import re
import secrets
from datetime import date

# Crockford's base 32: no I, L, O, U (nothing to confuse with 1 and 0).
_B32 = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_ALNUM = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_SITE_ID = re.compile(r"^[A-Z]{2}\d{4}\d{3}[0-9A-HJKMNP-TV-Z]{5}[0-9A-Z]$")


def check_character(payload: str) -> str:
    """ISO 7064 MOD 37,36 (hybrid) check character over [0-9A-Z]."""
    m = 36
    p = m
    for ch in payload:
        s = (p % (m + 1)) + _ALNUM.index(ch)
        s %= m
        if s == 0:
            s = m
        p = (2 * s) % (m + 1)
    return _ALNUM[(m + 1 - p) % m]


def new_site_id(country_code: str, on: date | None = None,
                rng: random.Random | None = None) -> str:
    day = on or date.today()
    rand = "".join((rng.choice(_B32) if rng else secrets.choice(_B32)) for _ in range(5))
    payload = f"{country_code.upper()}{day.year:04d}{day.timetuple().tm_yday:03d}{rand}"
    return payload + check_character(payload)


def is_valid_site_id(value: str) -> bool:
    return bool(_SITE_ID.match(value)) and check_character(value[:-1]) == value[-1]


def new_id(prefix: str, rng: random.Random | None = None, length: int = 10) -> str:
    """`PREFIX-` plus base-32 characters, e.g. `CTR-7K2M9QXA4B`."""
    body = "".join((rng.choice(_B32) if rng else secrets.choice(_B32)) for _ in range(length))
    return f"{prefix}-{body}"
