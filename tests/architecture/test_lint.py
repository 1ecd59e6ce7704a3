"""Static checks that catch real mistakes: undefined names, unused imports, syntax errors."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import REPO


def test_code_has_no_undefined_names_or_unused_imports():
    out = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "F,E9", "--output-format",
         "concise", "."], cwd=REPO, capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
