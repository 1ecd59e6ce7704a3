"""The web app's fixtures (tests/support/web.py): `people` (an account per actor) and `web`
(an in-process browser-like client)."""

from tests.support.web import people, web  # noqa: F401 - fixtures
from tests.support.browser import browser, web_url  # noqa: F401, E402 - fixtures
