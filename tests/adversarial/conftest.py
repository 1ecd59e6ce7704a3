"""The web app's fixtures (tests/support/web.py), for the web read paths' cases
(test_web_imports_exports.py): `people` (an account per actor) and `web` (an in-process
browser-like client)."""

from tests.support.web import people, web  # noqa: F401 - fixtures
