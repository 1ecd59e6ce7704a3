"""Every string a page shows comes from the message catalogue: the templates hold no text of
their own, every key they name exists, every value of the vocabularies shown has its label,
and pages rendered in the pseudo-locale show nothing that is not pseudo-localised."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import httpx
import pytest

from graph.core import model
from schema.disclosures.types import DisclosureRequestStatus
from graph.core.db import Graph
from supplygraph.app import create_app
from supplygraph.settings import Settings
from supplygraph.web.i18n import PSEUDO, catalogue, pseudo_text
from supplygraph.web.render import TEMPLATES

WEB_PACKAGE = TEMPLATES.parent
from seeds import sample as s
from tests.support.web import Person, csrf_of, new_contract, sign_in, web_settings

_JINJA = re.compile(r"{{.*?}}|{%.*?%}|{#.*?#}", re.S)
_TAG = re.compile(r"<[^>]*>", re.S)
_ATTRS = re.compile(r'\s[a-z-]+="[^"]*"')
_TEXT_ATTRS = re.compile(r'\b(?:aria-label|placeholder|title|alt)="([^"]*)"')
_KEYS = re.compile(r"""_\(\s*["']([a-z_.]*[a-z_])["']\s*[,)]""")
# keys the handlers pass to templates (errors, notices)
_CODE_KEYS = re.compile(
    r"""["']((?:signin|setup|report|admin|refused|disclosure|imports|exports)\.[a-z_.]*[a-z_])["']""")
_PREFIXED = re.compile(r"""_\(\s*["']([a-z_]+\.)["']\s*~""")

_RECORD_ID = re.compile(r"[A-Z]{2,4}-[A-Z0-9]{6,}")


def _templates() -> list[tuple[str, str]]:
    return [(p.name, p.read_text()) for p in sorted(TEMPLATES.glob("*.html"))]


@pytest.mark.parametrize("name,source", _templates(), ids=lambda v: v if v.endswith(".html")
                         else "")
def test_a_template_holds_no_text_of_its_own(name: str, source: str) -> None:
    for value in _TEXT_ATTRS.findall(source):
        assert not re.search(r"[A-Za-z]", _JINJA.sub("", value)), f"{name}: {value!r}"
    # a macro may write attributes outside a literal tag: names and values of markup, not text
    text = _ATTRS.sub(" ", _TAG.sub(" ", _JINJA.sub(" ", source)))
    assert not re.findall(r"[A-Za-z]{2,}", text), f"{name}: text outside the catalogue"


def test_every_key_a_template_names_is_in_the_catalogue() -> None:
    english = catalogue("en")
    named = {k for _, source in _templates() for k in _KEYS.findall(source)}
    named |= {k for p in WEB_PACKAGE.glob("*.py") for k in _CODE_KEYS.findall(p.read_text())
              if not k.endswith(".html")}
    named |= {f"setup.{m}" for m in ("password_too_short", "password_too_long")}
    assert named and sorted(named - set(english)) == []


@pytest.mark.parametrize("prefix,vocabulary", [
    ("severity.", model.Severity), ("category.", model.FindingCategory),
    ("report_kind.", model.ReportKind), ("finding_status.", model.FindingStatus),
    ("sharing.", model.Sharing), ("site_type.", model.SiteType),
    ("site_status.", model.SiteStatus), ("org_kind.", model.OrganisationKind),
    ("risk_level.", model.Severity), ("disclosure_status.", DisclosureRequestStatus)])
def test_every_value_a_page_shows_has_its_label(prefix: str, vocabulary: type) -> None:
    used = {p for _, source in _templates() for p in _PREFIXED.findall(source)}
    assert prefix in used
    english = catalogue("en")
    assert sorted(f"{prefix}{v.value}" for v in vocabulary
                  if f"{prefix}{v.value}" not in english) == []


def test_pseudo_text_keeps_placeholders_and_marks_the_rest() -> None:
    assert pseudo_text("{count} sites") .startswith("⟦{count} sîtés")
    assert pseudo_text("Sign in").format() != "Sign in"


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._skip += tag in ("script", "style")
        for key, value in attrs:
            if key in ("aria-label", "placeholder", "title", "alt") and value:
                self.texts.append(value)

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip and re.search(r"[A-Za-z]{2,}", data):
            self.texts.append(data.strip())


def _unmarked(page: str, allowed: set[str]) -> list[str]:
    parser = _Text()
    parser.feed(page)
    return [t for t in parser.texts if "⟦" not in t and t not in allowed]


async def test_pages_in_the_pseudo_locale_show_only_catalogue_text(
        sample_graph: Graph, neo4j_settings: Settings, people: dict[str, Person]) -> None:
    app = create_app(web_settings(neo4j_settings, web_locale=PSEUDO), graph=sample_graph)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://127.0.0.1:8000") as client:
        signin = await client.get("/signin")
        assert _unmarked(signin.text, {"supplygraph"}) == []
        await sign_in(client, people["monitor"])
        form = await client.get("/reports/new")
        missing = await client.get("/sites/XX2026001AAAAAA")
        await client.post("/signout", data={"csrf": csrf_of(form.text)})
        await sign_in(client, people["supplier"])
        answer = await client.get(f"/disclosures/{s.REQUEST_NW_HEALTH_DESKTOPS}",
                                  params={"q": "Kunshan", "site": s.SITE_TINFIELD})
        inbox = await client.get("/disclosures/inbox")
        imports = await client.get("/imports")  # Civitas has no doubtful match waiting
        client.cookies.clear()
        await sign_in(client, people["requester"])
        sent = await client.get("/disclosures")
        # a contract of its own, reaching no site: every text on it is the page's own
        contract = await client.get(f"/contracts/{await new_contract(sample_graph)}")
    # ids, dates, names and messages of records are data, not text of the page
    data = {"supplygraph", s.REQUEST_NW_HEALTH_DESKTOPS, s.REQUEST_NW_HEALTH_LAPTOPS,
            s.CONTRACT_NW_HEALTH_DESKTOPS, s.CONTRACT_NW_HEALTH_LAPTOPS, s.NW_HEALTH,
            "Please list the final assembly sites of the desktops.",
            "Tinfield Smelter Butterworth", "Docking stations", "Civitas IT Solutions Ltd"}
    for page in (answer, inbox, sent, contract, imports):
        assert page.status_code == 200
        # and so is any text with a digit (dates, names such as "Campus 3") or shaped as a
        # record id (`PREFIX-` and base-32, graph/core/ids.py: not every id has a digit)
        leftover = [t for t in _unmarked(page.text, data)
                    if not re.search(r"\d", t) and not _RECORD_ID.fullmatch(t)]
        assert leftover == [], leftover
    # the report form offers every organisation by name (to name readers): data too
    orgs = {r["name"] for r in await sample_graph.query(
        "MATCH (o:Organisation) RETURN o.name AS name")}
    assert _unmarked(form.text, {"supplygraph"} | orgs) == []
    assert _unmarked(missing.text, {"supplygraph"}) == []
