"""Where things are: the tests folder and the repository, whatever the caller's depth."""

from __future__ import annotations

from pathlib import Path

TESTS = Path(__file__).resolve().parent.parent
REPO = TESTS.parent
