"""Imports go one way (docs/architecture.md): the import-linter contracts in pyproject.toml
([tool.importlinter]) fail here when an import crosses a line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.paths import REPO


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    out = subprocess.run([str(lint_imports), "--no-cache", "--no-logo"], cwd=REPO,
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stdout + out.stderr
