"""Pages rendered from Jinja2 templates (autoescaped) with the message catalogue, and the
headers every page carries."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from starlette.responses import HTMLResponse

from supplygraph.web.i18n import Translator

if TYPE_CHECKING:
    from starlette.requests import Request

TEMPLATES = Path(__file__).resolve().parent / "templates"
STATIC_PATH = "/static/web"

# Only our own scripts, styles and forms; no framing; nothing from another origin.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
       "object-src 'none'")
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff",
           "Referrer-Policy": "same-origin", "Cache-Control": "no-store"}


@cache
def environment() -> Environment:
    # StrictUndefined: a template naming a value the handler did not pass fails loudly.
    return Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(),
                       undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def translator(request: Request) -> Translator:
    return Translator(request.app.state.settings.web_locale)


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    person = getattr(request.state, "person", None)
    # A form shown before sign-in (sign-in, setup link) carries its own token, even to a
    # person who is signed in; every other form carries the session's.
    csrf = values.pop("signin_csrf", None) or (person.csrf if person is not None else "")
    page = environment().get_template(template).render(
        _=translator(request), person=person, static=STATIC_PATH, csrf=csrf,
        path=request.url.path, **values)
    return HTMLResponse(page, status_code=status, headers=HEADERS)
