"""Helpers for the bulk import tests: files with fresh names, written to a temporary folder, for
the write tests' own organisation (so the sample's story is untouched)."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path
from typing import Any

from tests.support.writes import OWNER, TEST_BRAND, TEST_BRAND_NAME

ORG = OWNER


def write_csv(path: Path, rows: list[list[Any]], delimiter: str = ",") -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


HEADER = ["Factory Name", "Street Address", "City", "Country", "No. of workers", "CPV codes",
          "Brand", "Internal notes"]


def good_rows(words: list[str]) -> list[list[Any]]:
    # Street numbers of these words' own (the same words, the same rows): with one address for
    # every test, an earlier test's site at it, under a fresh name that happened to look like
    # this one, was a doubtful match and the row went to review instead of being created.
    n = 10_000 + int.from_bytes(hashlib.sha256("".join(words).encode()).digest()[:4]) % 89_000
    return [
        [f"{words[0]} Electronics (Bac Ninh) Co., Ltd.", f"Lot {n}, Que Vo Industrial Zone",
         "Bac Ninh", "Viet Nam", "1200", "30213100-6", TEST_BRAND, "visited 2025"],
        [f"{words[1]} Precision Sdn. Bhd.", f"{n} Jalan Hi-Tech", "Kulim", "MY", "300",
         "", TEST_BRAND_NAME.lower(), ""],
        [f"{words[2]} Display Plant", f"{n} Longgang Avenue", "Shenzhen", "cn", "", "", "", ""],
        # the first row again, as another list would write it: matched, not duplicated
        [f"{words[0].upper()} ELECTRONICS BẮC NINH", f"Building 2, Lô {n}, Quế Võ Industrial Zone",
         "Bắc Ninh", "VN", "1250", "", "", ""],
    ]
