"""The operator's configuration reference keeps up with the settings."""

from __future__ import annotations

from supplygraph.settings import Settings
from tests.support.paths import REPO


def _env_name(name: str) -> str:
    field = Settings.model_fields[name]
    alias = field.validation_alias
    choices = getattr(alias, "choices", None)
    return str(choices[0]) if choices else f"SUPPLYGRAPH_{name.upper()}"


def test_every_setting_is_in_the_operations_configuration_reference():
    doc = (REPO / "docs" / "operations.md").read_text()
    missing = [_env_name(n) for n in Settings.model_fields if _env_name(n) not in doc]
    assert missing == [], f"document these in docs/operations.md: {missing}"
